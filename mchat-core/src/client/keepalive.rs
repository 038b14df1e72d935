//! When a connected client sends `HEART`, and when it gives the server up
//! for want of `BLEED` (PROTOCOL.md §5).

use std::time::{Duration, Instant};

use super::ClientConfig;

/// The keep-alive clock of one connection.
#[derive(Clone, Debug)]
pub(super) struct KeepAlive {
    interval: Duration,
    lost_after: Duration,
    next_heart: Instant,
    last_bleed: Instant,
}

/// What a timeout calls for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Due {
    /// Nothing yet.
    Nothing,
    /// Send `HEART`.
    Heart,
    /// No `BLEED` for too long: the server is lost.
    ServerLost,
}

impl KeepAlive {
    /// The clock of a connection that came up at `now`: the first `HEART`
    /// one interval later, and the connection counts as heard from now.
    pub(super) fn start(config: &ClientConfig, now: Instant) -> Self {
        Self {
            interval: config.heartbeat_interval,
            lost_after: config.server_lost_after,
            next_heart: now + config.heartbeat_interval,
            last_bleed: now,
        }
    }

    /// When [`on_timeout`](Self::on_timeout) has something to do.
    pub(super) fn deadline(&self) -> Instant {
        self.next_heart.min(self.lost_at())
    }

    fn lost_at(&self) -> Instant {
        self.last_bleed + self.lost_after
    }

    /// A `BLEED` arrived.
    pub(super) fn bleed(&mut self, now: Instant) {
        self.last_bleed = now;
    }

    /// Time passed. A `HEART` that is due moves the next one an interval
    /// on, keeping the cadence when the timer fires late; when whole beats
    /// were missed it sends one `HEART`, not a burst, and counts from `now`.
    pub(super) fn on_timeout(&mut self, now: Instant) -> Due {
        if now >= self.lost_at() {
            return Due::ServerLost;
        }
        if now < self.next_heart {
            return Due::Nothing;
        }
        let next = self.next_heart + self.interval;
        self.next_heart = if next <= now {
            now + self.interval
        } else {
            next
        };
        Due::Heart
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    fn clock(interval_ms: u64, lost_after_ms: u64) -> (KeepAlive, Instant) {
        let config = ClientConfig {
            heartbeat_interval: MS * u32::try_from(interval_ms).unwrap(),
            server_lost_after: MS * u32::try_from(lost_after_ms).unwrap(),
            ..ClientConfig::default()
        };
        let now = Instant::now();
        (KeepAlive::start(&config, now), now)
    }

    #[test]
    fn the_first_heart_is_due_one_interval_after_connecting() {
        let (mut k, t0) = clock(2000, 5000);
        assert_eq!(k.deadline(), t0 + 2000 * MS);
        assert_eq!(k.on_timeout(t0 + 1999 * MS), Due::Nothing);
        assert_eq!(k.on_timeout(t0 + 2000 * MS), Due::Heart);
        assert_eq!(k.deadline(), t0 + 4000 * MS);
    }

    #[test]
    fn a_late_timer_keeps_the_cadence() {
        let (mut k, t0) = clock(2000, 5000);
        assert_eq!(k.on_timeout(t0 + 2300 * MS), Due::Heart);
        assert_eq!(k.deadline(), t0 + 4000 * MS, "not 2300 + 2000");
    }

    #[test]
    fn missed_beats_give_one_heart_and_count_from_now() {
        let (mut k, t0) = clock(1000, 60_000);
        assert_eq!(k.on_timeout(t0 + 3500 * MS), Due::Heart);
        assert_eq!(k.deadline(), t0 + 4500 * MS);
        assert_eq!(k.on_timeout(t0 + 3500 * MS), Due::Nothing, "no burst");
    }

    #[test]
    fn the_server_is_lost_exactly_when_bleed_is_overdue() {
        let (mut k, t0) = clock(2000, 5000);
        assert_eq!(k.on_timeout(t0 + 2000 * MS), Due::Heart);
        assert_eq!(k.on_timeout(t0 + 4000 * MS), Due::Heart);
        assert_eq!(k.deadline(), t0 + 5000 * MS, "lost before the next HEART");
        assert_eq!(k.on_timeout(t0 + 4999 * MS), Due::Nothing);
        assert_eq!(k.on_timeout(t0 + 5000 * MS), Due::ServerLost);
    }

    #[test]
    fn bleed_moves_the_lost_deadline() {
        let (mut k, t0) = clock(2000, 5000);
        assert_eq!(k.on_timeout(t0 + 2000 * MS), Due::Heart);
        k.bleed(t0 + 3000 * MS);
        assert_eq!(k.on_timeout(t0 + 4000 * MS), Due::Heart);
        assert_eq!(k.on_timeout(t0 + 5000 * MS), Due::Nothing, "heard at 3 s");
        assert_eq!(k.on_timeout(t0 + 6000 * MS), Due::Heart);
        assert_eq!(k.deadline(), t0 + 8000 * MS);
        assert_eq!(k.on_timeout(t0 + 7999 * MS), Due::Nothing);
        assert_eq!(k.on_timeout(t0 + 8000 * MS), Due::ServerLost);
    }

    #[test]
    fn the_deadline_is_the_earlier_of_heart_and_loss() {
        let (k, t0) = clock(10_000, 3000);
        assert_eq!(k.deadline(), t0 + 3000 * MS);
    }
}
