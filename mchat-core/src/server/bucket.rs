//! A token bucket in the caller's time: the one rate limiter of the
//! server, behind the per-address connect rate (§9) and flood control
//! (§3). Whole milliseconds of elapsed time turn into tokens, and only
//! those are taken off the clock, so attempts a fraction of a millisecond
//! apart still see it refill.

use std::time::{Duration, Instant};

/// A bucket holds this many units per token, so that refills of a few
/// milliseconds are not rounded away.
const UNITS: u64 = 1000;

#[derive(Clone, Copy, Debug)]
pub(crate) struct TokenBucket {
    /// Tokens left, in [`UNITS`].
    units: u64,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket of `capacity` tokens.
    pub fn full(capacity: u32, now: Instant) -> Self {
        Self {
            units: u64::from(capacity) * UNITS,
            refilled: now,
        }
    }

    /// Takes `tokens` if the bucket, refilled at `per_second` up to
    /// `capacity`, holds them; `false` (and nothing taken) if not.
    pub fn take(&mut self, tokens: u32, per_second: u32, capacity: u32, now: Instant) -> bool {
        let full = u64::from(capacity) * UNITS;
        let elapsed = now.saturating_duration_since(self.refilled);
        let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
        if ms > 0 {
            let gained = ms.saturating_mul(u64::from(per_second));
            self.units = self.units.saturating_add(gained).min(full);
            self.refilled = if self.units == full {
                now
            } else {
                self.refilled
                    .checked_add(Duration::from_millis(ms))
                    .unwrap_or(now)
            };
        }
        let cost = u64::from(tokens) * UNITS;
        if self.units < cost {
            return false;
        }
        self.units -= cost;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_the_capacity_then_one_token_per_tick() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::full(20, t0);
        for _ in 0..20 {
            assert!(bucket.take(1, 20, 20, t0));
        }
        assert!(!bucket.take(1, 20, 20, t0));
        let t1 = t0 + Duration::from_millis(50);
        assert!(bucket.take(1, 20, 20, t1));
        assert!(!bucket.take(1, 20, 20, t1));
        // A second later it is full again: 20 at once, not 21.
        let t2 = t1 + Duration::from_secs(2);
        for _ in 0..20 {
            assert!(bucket.take(1, 20, 20, t2));
        }
        assert!(!bucket.take(1, 20, 20, t2));
    }

    #[test]
    fn attempts_closer_than_a_millisecond_do_not_stop_the_refill() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::full(20, t0);
        for _ in 0..20 {
            assert!(bucket.take(1, 20, 20, t0));
        }
        // Hammering every 0.4 ms for 110 ms: two more get in (one per 50 ms).
        let mut taken = 0;
        for i in 1..=275u64 {
            let at = t0 + Duration::from_micros(400 * i);
            taken += u32::from(bucket.take(1, 20, 20, at));
        }
        assert_eq!(taken, 2);
    }

    #[test]
    fn a_cost_larger_than_what_is_left_takes_nothing() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::full(10, t0);
        assert!(bucket.take(8, 1, 10, t0));
        assert!(!bucket.take(3, 1, 10, t0));
        assert!(bucket.take(2, 1, 10, t0));
    }
}
