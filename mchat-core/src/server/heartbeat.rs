//! Keep-alive (PROTOCOL.md §7): `HEART` to every client and peer each
//! interval; a connection that leaves too many unanswered in a row is closed.

use std::time::{Duration, Instant};

use super::output::{CloseReason, ConnId};
use super::{HEART, Server};

/// Each interval is cut into this many phases, and a connection gets its
/// `HEART` in the phase of its slot: still one per interval each, but the
/// beats of 20 000 clients (and the `BLEED`s they bring back) come in a
/// thousand batches of twenty instead of one burst that holds up the chat
/// for a tenth of a second (a hundred batches of 200 still held it up by
/// a few milliseconds: docs/performance.md). Phases without connections
/// are skipped, so a quiet server does not wake every phase.
pub(super) const HEARTBEAT_PHASES: usize = 1000;

/// How many phases an interval has: [`HEARTBEAT_PHASES`], fewer if a
/// phase would be under a millisecond (so a short interval stays short).
pub(super) fn phases(interval: Duration) -> usize {
    usize::try_from(interval.as_millis())
        .unwrap_or(usize::MAX)
        .clamp(1, HEARTBEAT_PHASES)
}

/// How long one phase lasts (at least a millisecond).
pub(super) fn phase_length(interval: Duration) -> Duration {
    (interval / phases(interval) as u32).max(Duration::from_millis(1))
}

impl Server {
    /// Runs the heartbeat phases due at `now`: at most one interval's worth,
    /// so a driver that was held up does not count several missed beats
    /// against everyone at once.
    pub(super) fn run_due_heartbeats(&mut self, now: Instant) {
        let step = phase_length(self.config.heartbeat_interval);
        let phases = phases(self.config.heartbeat_interval);
        // The interval may have changed (SIGHUP), and its phase count too.
        self.heartbeat_phase %= phases;
        let mut covered = 0;
        while covered < phases && now >= self.next_heartbeat {
            self.heartbeat_phase_tick(self.heartbeat_phase, phases);
            let ahead = self.wires.phases_to_next_open(self.heartbeat_phase, phases);
            covered += ahead;
            self.heartbeat_phase = (self.heartbeat_phase + ahead) % phases;
            self.next_heartbeat += step * u32::try_from(ahead).unwrap_or(u32::MAX);
        }
        if self.next_heartbeat <= now {
            self.next_heartbeat = now + step;
        }
    }

    /// One phase of an interval: the connections whose slot falls in it.
    fn heartbeat_phase_tick(&mut self, phase: usize, phases: usize) {
        let limit = self.config.max_missed_heartbeats;
        for id in self.wires.ids_in_phase(phase, phases) {
            let Some(conn) = self.wires.get_mut(id) else {
                continue;
            };
            if !conn.beats() || conn.doomed {
                continue;
            }
            if conn.missed_beats >= limit {
                self.doom(id, CloseReason::Heartbeat);
                continue;
            }
            conn.missed_beats += 1;
            self.wires.send(id, &HEART);
        }
    }

    /// A `BLEED` answers every `HEART` sent so far.
    pub(super) fn heard_bleed(&mut self, id: ConnId) {
        if let Some(conn) = self.wires.get_mut(id) {
            conn.missed_beats = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_is_a_thousandth_of_the_interval_but_never_under_a_millisecond() {
        assert_eq!(
            phase_length(Duration::from_secs(2)),
            Duration::from_millis(2)
        );
        // A short interval has fewer phases, not a longer cycle.
        assert_eq!(phases(Duration::from_millis(100)), 100);
        assert_eq!(
            phase_length(Duration::from_millis(100)),
            Duration::from_millis(1)
        );
        assert_eq!(phase_length(Duration::ZERO), Duration::from_millis(1));
    }
}
