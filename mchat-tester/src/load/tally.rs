//! What the receivers add up as lines arrive: deliveries, copies,
//! reorderings, latency, and how far each sender's room has read.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use super::Plan;
use super::clients::room_index;
use super::stamp::Stamp;
use crate::order::{Order, Seen};

/// What a receiver's deliveries are for besides counting.
#[derive(Clone, Copy)]
pub enum Role {
    /// The first receiver of its room: its progress opens the senders'
    /// window.
    Pacer,
    /// Any other receiver.
    Audience,
}

/// Shared by every receiver and sender of a run (one thread).
pub struct Tally {
    /// When the run began: send times are µs since then.
    pub start: Instant,
    pub delivered: Cell<u64>,
    pub duplicated: Cell<u64>,
    pub out_of_order: Cell<u64>,
    /// Receivers whose connection closed during the run.
    pub disconnected: Cell<u64>,
    pub last_delivery: Cell<Instant>,
    pub latency: RefCell<Histogram<u64>>,
    /// Per receiver, per sender: the sequence numbers seen.
    seen: RefCell<Vec<Vec<Seen>>>,
    /// Per sender: the highest sequence number its room's pacer saw.
    acked: Vec<Cell<u64>>,
    /// Notified when a pacer advances, for senders waiting on the window.
    pub progress: event_listener::Event,
}

/// Latency in microseconds, 1 µs to 60 s, three significant digits.
#[allow(clippy::expect_used)] // constant bounds, which hdrhistogram accepts
fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("1 µs to 60 s at 3 digits is valid")
}

impl Tally {
    pub fn new(plan: &Plan) -> Self {
        Self {
            start: Instant::now(),
            delivered: Cell::new(0),
            duplicated: Cell::new(0),
            out_of_order: Cell::new(0),
            disconnected: Cell::new(0),
            last_delivery: Cell::new(Instant::now()),
            latency: RefCell::new(latency_histogram()),
            seen: RefCell::new(vec![vec![Seen::default(); plan.senders]; plan.receivers]),
            acked: (0..plan.senders).map(|_| Cell::new(0)).collect(),
            progress: event_listener::Event::new(),
        }
    }

    /// The highest sequence number of `sender` its room's pacer has seen
    /// (`u64::MAX` once the pacer is gone: it holds no one back).
    pub fn acked(&self, sender: usize) -> u64 {
        self.acked.get(sender).map_or(0, Cell::get)
    }

    /// The pacer of room `room` (of `rooms`) lost its connection: the
    /// room's senders are no longer held to its window.
    pub fn pacer_gone(&self, room: usize, rooms: usize) {
        for (sender, acked) in self.acked.iter().enumerate() {
            if room_index(sender, rooms) == room {
                acked.set(u64::MAX);
            }
        }
        self.progress.notify(usize::MAX);
    }

    /// Counts a line `receiver` read at `now` (lines without a stamp are
    /// not load lines and are ignored).
    pub fn receive(&self, receiver: usize, role: Role, line: &[u8], now: Instant) {
        let Some(Stamp {
            sender,
            seq,
            micros,
        }) = Stamp::decode(line)
        else {
            return;
        };
        self.delivered.set(self.delivered.get() + 1);
        self.last_delivery.set(now);
        let sent_at = Duration::from_micros(micros);
        let latency = now
            .saturating_duration_since(self.start + sent_at)
            .as_micros() as u64;
        let _ = self.latency.borrow_mut().record(latency.max(1));
        let order = self
            .seen
            .borrow_mut()
            .get_mut(receiver)
            .and_then(|v| v.get_mut(sender))
            .map(|seen| seen.note(seq));
        match order {
            Some(Order::Duplicate) => self.duplicated.set(self.duplicated.get() + 1),
            Some(Order::Late) => self.out_of_order.set(self.out_of_order.get() + 1),
            Some(Order::Next) | None => {}
        }
        if let Role::Pacer = role
            && let Some(acked) = self.acked.get(sender)
        {
            acked.set(acked.get().max(seq));
            self.progress.notify(usize::MAX);
        }
    }
}
