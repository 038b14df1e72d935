//! Reconnect timing (§4): exponential backoff with seeded jitter.

use std::time::Duration;

/// A small, seeded pseudo-random generator (SplitMix64): the jitter must be
/// reproducible from the configuration, so no OS randomness here.
#[derive(Clone, Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `delay` plus a random part of up to half of it, so that servers that
    /// lost each other at the same moment do not all dial at once.
    pub fn spread(&mut self, delay: Duration) -> Duration {
        let half = delay.as_micros() / 2;
        let extra = match u64::try_from(half) {
            Ok(0) | Err(_) => 0,
            Ok(half) => self.next_u64() % half,
        };
        delay + Duration::from_micros(extra)
    }
}

/// The next delay after `delay` failed: doubled, at most `max`.
pub(crate) fn doubled(delay: Duration, max: Duration) -> Duration {
    delay.saturating_mul(2).min(max)
}
