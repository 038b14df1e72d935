//! One sender's loop: stamped lines at the plan's rate, no further ahead of
//! its room's pacer than the window, in batches of about 32 KiB.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_lite::future;
use mchat_core::wire::{ChatLine, Message, Nick, Room, Text};
use smol::Timer;

use super::Plan;
use super::stamp::Stamp;
use super::tally::Tally;
use crate::stream::Writer;

/// A joined sender and what it shares with the run.
pub struct Sender {
    pub index: usize,
    pub nick: Nick,
    pub room: Room,
    pub writer: Writer,
    pub plan: Plan,
    /// The filler that brings each line's text to `--text-size`.
    pub pad: Rc<str>,
    pub tally: Rc<Tally>,
    /// Lines sent by all senders.
    pub sent: Rc<Cell<u64>>,
    /// When sending began.
    pub start: Instant,
    /// Set when its connection is gone (closed by the server, say, for not
    /// reading fast enough): it stops, rather than wait for its lines.
    pub gone: Rc<Cell<bool>>,
}

impl Sender {
    /// The `MSG` line with sequence number `seq`, sent now; `None` if it
    /// would not be a valid line (the plan was checked, so never).
    fn line(&self, seq: u64) -> Option<Message> {
        let stamp = Stamp {
            sender: self.index,
            seq,
            micros: self.tally.start.elapsed().as_micros() as u64,
        };
        let text = Text::new(stamp.text(&self.pad)).ok()?;
        let chat = ChatLine::new(self.nick.clone(), self.room.clone(), text).ok()?;
        Some(Message::Msg(chat))
    }

    /// Sends until the plan's count or duration is reached; the lines sent.
    pub async fn run(self) -> u64 {
        let plan = &self.plan;
        let mut batch = BytesMut::with_capacity(64 * 1024);
        let mut seq = 0u64;
        let deadline = plan.duration.map(|d| self.start + d);
        while !self.gone.get() && seq < plan.messages && deadline.is_none_or(|d| Instant::now() < d)
        {
            if plan.rate > 0.0 {
                let due = self.start + Duration::from_secs_f64(seq as f64 / plan.rate);
                if due > Instant::now() {
                    self.flush(&mut batch).await;
                    Timer::at(due).await;
                }
            }
            while plan.window > 0 && seq >= self.tally.acked(self.index).saturating_add(plan.window)
            {
                self.flush(&mut batch).await;
                if self.gone.get() {
                    break;
                }
                let listener = self.tally.progress.listen();
                if seq < self.tally.acked(self.index).saturating_add(plan.window) {
                    break;
                }
                future::or(listener, async {
                    Timer::after(Duration::from_millis(200)).await;
                })
                .await;
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
            }
            let Some(line) = self.line(seq + 1) else {
                break;
            };
            seq += 1;
            line.encode_into(&mut batch);
            if batch.len() >= 32 * 1024 {
                self.flush(&mut batch).await;
            }
            self.sent.set(self.sent.get() + 1);
        }
        self.flush(&mut batch).await;
        seq
    }

    /// Writes the batch; a failed write means the connection is gone.
    async fn flush(&self, batch: &mut BytesMut) {
        if !batch.is_empty() {
            if self.writer.send(batch).await.is_err() {
                self.gone.set(true);
            }
            batch.clear();
        }
    }
}
