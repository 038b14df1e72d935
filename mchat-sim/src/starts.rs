//! Spacing the starts of original stand-ins, whose discoveries must not overlap.

use std::time::{Duration, Instant};

/// When original stand-ins (re)start in a run, kept [`Self::SPACING`] apart.
///
/// An original hears of servers only in the `ALL_ADDRS` a server sends on
/// a link it dialled, dials each one it lacks at once, and keeps every
/// link it makes. Two originals discovering the mesh at the same moment
/// can each be told of the other and dial each other, and then keep two
/// links and send every line on both: each line arrives twice. That is the
/// original's own fault (seed 182 showed it before the spacing: servers 1
/// and 5, both originals, joined 53 ms apart), which no server of ours can
/// prevent; so the random runs let one original discover at a time.
#[derive(Debug, Default)]
pub struct OriginalStarts {
    taken: Vec<Instant>,
}

impl OriginalStarts {
    /// How far apart two originals start: far longer than a discovery,
    /// a few handshakes of at most three 50 ms delays each.
    pub const SPACING: Duration = Duration::from_secs(2);

    /// The first moment at or after `wanted` that is `SPACING` away from
    /// every start taken so far; it is taken.
    pub fn take(&mut self, wanted: Instant) -> Instant {
        let mut at = wanted;
        // Moving past one start may land near another: look again.
        while let Some(&near) = self
            .taken
            .iter()
            .find(|&&t| t.max(at).duration_since(t.min(at)) < Self::SPACING)
        {
            at = near + Self::SPACING;
        }
        self.taken.push(at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_are_kept_apart_whichever_order_they_are_asked_for() {
        let t0 = Instant::now();
        let s = |n: u64| Duration::from_millis(n);
        let mut starts = OriginalStarts::default();
        assert_eq!(starts.take(t0 + s(3000)), t0 + s(3000));
        assert_eq!(starts.take(t0 + s(2500)), t0 + s(5000));
        assert_eq!(starts.take(t0), t0);
        assert_eq!(starts.take(t0 + s(1000)), t0 + s(7000));
        assert_eq!(starts.take(t0 + s(20_000)), t0 + s(20_000));
    }
}
