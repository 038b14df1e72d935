//! Reconnect timing: exponential backoff with seeded jitter, for servers
//! redialling peers (§4) and clients redialling their server (§5).

use std::time::Duration;

use crate::rng::SeededRng;

/// Reconnect jitter, seeded from the configuration so that runs are
/// reproducible: no OS randomness here.
#[derive(Clone, Debug)]
pub(crate) struct Jitter(SeededRng);

impl Jitter {
    pub fn new(seed: u64) -> Self {
        Self(SeededRng::new(seed))
    }

    /// `delay` plus a random part of up to half of it, so that servers that
    /// lost each other at the same moment do not all dial at once.
    pub fn spread(&mut self, delay: Duration) -> Duration {
        let half = delay.as_micros() / 2;
        let extra = match u64::try_from(half) {
            Ok(0) | Err(_) => 0,
            Ok(half) => self.0.below(half),
        };
        delay + Duration::from_micros(extra)
    }
}

/// The next delay after `delay` failed: doubled, at most `max`.
pub(crate) fn doubled(delay: Duration, max: Duration) -> Duration {
    delay.saturating_mul(2).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_adds_at_most_half_the_delay_and_varies() {
        let mut jitter = Jitter::new(9);
        let delay = Duration::from_secs(4);
        let spread: Vec<Duration> = (0..50).map(|_| jitter.spread(delay)).collect();
        assert!(spread.iter().all(|d| *d >= delay && *d < delay * 3 / 2));
        assert!(spread.windows(2).any(|w| w[0] != w[1]), "no jitter at all");
        // Too short to spread: left as it is.
        assert_eq!(
            jitter.spread(Duration::from_micros(1)),
            Duration::from_micros(1)
        );
    }

    #[test]
    fn doubling_stops_at_the_cap_and_never_overflows() {
        let max = Duration::from_secs(60);
        assert_eq!(doubled(Duration::from_secs(1), max), Duration::from_secs(2));
        assert_eq!(doubled(Duration::from_secs(40), max), max);
        assert_eq!(doubled(Duration::MAX, max), max);
    }
}
