//! The driver loop: server timers and scheduled actions, one at a time in time order.

use std::time::{Duration, Instant};

use mchat_core::server::Server;

use super::{Action, Sim};

impl Sim {
    /// Runs every event up to and including `until`.
    pub fn run_until(&mut self, until: Instant) {
        loop {
            let next_timer = self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.as_ref().and_then(Server::poll_timeout).map(|t| (t, i)))
                .min();
            let next_action = self.queue.next_due();
            match (next_timer, next_action) {
                // A timer due before the next action (or with none left) fires first.
                (Some((t, i)), a) if t <= until && a.is_none_or(|a| t < a) => {
                    self.now = self.now.max(t);
                    let now = self.now;
                    if let Some(node) = self.node_mut(i) {
                        node.handle_timeout(now);
                    }
                    self.drain(i);
                }
                (_, Some(a)) if a <= until => {
                    if let Some(next) = self.queue.pop() {
                        self.now = self.now.max(next.at);
                        self.apply(next.action);
                    }
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    /// Runs for `d` more virtual time.
    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    fn apply(&mut self, action: Action) {
        if self.trace && !matches!(action, Action::Deliver(..) | Action::Client(..)) {
            eprintln!("{:>10.3?} {action:?}", self.elapsed());
        }
        match action {
            Action::Accept(pipe) => self.accept(pipe),
            Action::DialDone(pipe) => self.dial_done(pipe),
            Action::Deliver(pipe, side, bytes) => self.deliver(pipe, side, &bytes),
            Action::Fin(pipe, side) => self.fin(pipe, side),
            Action::Client(c, act) => self.client_action(c, act),
            Action::Crash(i) => self.crash(i),
            Action::Restart(i) => self.restart(i),
            Action::Cut(a, b) => self.cut_link(a, b),
            Action::Heal(a, b) => self.heal_link(a, b),
        }
    }
}
