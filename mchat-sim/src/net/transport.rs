//! Bytes and closes through pipes: sending, closing, resetting, and their arrival.

use std::time::Duration;

use bytes::Bytes;

use super::pipe::{End, Pipe, Side};
use super::{Action, Sim};

impl Sim {
    /// A random one-way delay within the configured bounds, for a new pipe.
    pub(super) fn pipe_delay(&mut self) -> Duration {
        let lo = self.cfg.min_delay.as_micros() as u64;
        let hi = self.cfg.max_delay.as_micros() as u64;
        Duration::from_micros(self.rng.between(lo, hi))
    }

    /// Sends `bytes` from `from` to the other end, in order after earlier sends.
    pub(super) fn send_on(&mut self, pipe: u64, from: End, bytes: Bytes) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(pipe) else {
            return;
        };
        let toward = p.toward_other_than(from);
        if !p.is_open(Side::Opener) || !p.is_open(Side::Acceptor) {
            return;
        }
        let at = p.arrival(toward, now);
        self.schedule(at, Action::Deliver(pipe, toward, bytes));
    }

    /// `from` closes its end; the close reaches the other end after its data.
    pub(super) fn close_from(&mut self, pipe: u64, from: End) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(pipe) else {
            return;
        };
        let toward = p.toward_other_than(from);
        p.close(toward.other());
        let at = p.arrival(toward, now);
        if let Some(pair) = p.servers() {
            self.history.disturb(pair.low(), pair.high(), now);
        }
        self.schedule(at, Action::Fin(pipe, toward));
    }

    /// Resets every pipe for which `hit` holds: both ends see a close.
    pub(super) fn reset_pipes(&mut self, hit: impl Fn(&Pipe) -> bool) {
        for pipe in self.pipes.matching(hit) {
            if let Some(pair) = self.pipes.get(pipe).and_then(Pipe::servers) {
                self.history.disturb(pair.low(), pair.high(), self.now);
            }
            // A reset overtakes data in flight: deliver the close first.
            for side in Side::BOTH {
                self.schedule(self.now, Action::Fin(pipe, side));
            }
        }
    }

    /// Bytes arrive at `side` of `pipe`.
    pub(super) fn deliver(&mut self, pipe: u64, side: Side, bytes: &[u8]) {
        let now = self.now;
        let Some(p) = self.pipes.get(pipe) else {
            return;
        };
        if !p.is_open(side) {
            return;
        }
        match p.end(side) {
            End::Server(sc) => {
                if let Some(node) = self.node_mut(sc.server) {
                    node.handle_input(sc.conn, bytes, now);
                }
                self.drain(sc.server);
            }
            End::Client(c) => {
                let replies = self
                    .clients
                    .get_mut(c)
                    .map(|cl| cl.receive(bytes, now, &mut self.history));
                for line in replies.unwrap_or_default() {
                    self.client_send(c, line);
                }
            }
            End::Unaccepted(_) => {}
        }
    }

    /// The other end's close arrives at `side` of `pipe`.
    pub(super) fn fin(&mut self, pipe: u64, side: Side) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(pipe) else {
            return;
        };
        if !p.is_open(side) {
            return;
        }
        p.close(side);
        let end = p.end(side);
        if p.is_gone() {
            self.pipes.remove(pipe);
        }
        match end {
            End::Server(sc) => {
                self.pipes.unbind(sc);
                if let Some(node) = self.node_mut(sc.server) {
                    node.handle_close(sc.conn, now);
                }
                self.drain(sc.server);
            }
            End::Client(c) => self.client_lost(c),
            End::Unaccepted(_) => {}
        }
    }
}
