//! Servers starting, crashing and restarting.

use mchat_core::server::Server;

use super::{Sim, server_addr};
use crate::history::Span;

impl Sim {
    /// Starts server `i` now, joining through server `join` if given.
    pub fn start_server(&mut self, i: usize, join: Option<usize>) {
        if self.is_up(i) || i >= self.nodes.len() {
            return;
        }
        // A restart keeps the server's kind.
        let mut config = self.cfg.flavour(i).config(server_addr(i));
        config.join = join.map(server_addr);
        // Each start of each server gets its own jitter, fixed by the seed.
        let restarts = self.history.alive.get(i).map_or(0, Vec::len) as u64;
        config.jitter_seed = self.cfg.seed ^ (i as u64) << 32 ^ restarts;
        (self.tune)(&mut config);
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = Some(Server::new(config, self.now));
        }
        if let Some(spans) = self.history.alive.get_mut(i) {
            spans.push(Span {
                start: self.now,
                end: None,
            });
        }
        self.drain(i);
    }

    /// Starts server `i` again through a random running server, or alone.
    pub(super) fn restart(&mut self, i: usize) {
        let live: Vec<usize> = (0..self.nodes.len())
            .filter(|&j| j != i && self.is_up(j))
            .collect();
        let via = live.get(self.rng.index(live.len())).copied();
        self.start_server(i, via);
    }

    /// Server `i` dies: its connections vanish, and every pipe to it resets.
    pub(super) fn crash(&mut self, i: usize) {
        if !self.is_up(i) {
            return;
        }
        // Forget its ends first, so the resets do not reach the dead server.
        for conn in self.pipes.conns_of(i) {
            if let Some(pipe) = self.pipes.unbind(conn)
                && let Some(p) = self.pipes.get_mut(pipe)
            {
                p.close_ends_of(i);
            }
        }
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = None;
        }
        if let Some(span) = self.history.alive.get_mut(i).and_then(|s| s.last_mut()) {
            span.end = Some(self.now);
        }
        for other in 0..self.nodes.len() {
            if other != i {
                self.history.disturb(i, other, self.now);
            }
        }
        self.reset_pipes(|p| p.touches(i));
    }
}
