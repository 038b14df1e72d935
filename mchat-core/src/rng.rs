//! A small seeded pseudo-random generator (SplitMix64), the workspace's one
//! source of randomness: reconnect jitter here, random runs in the simulator
//! and the tester. Seeded, never from the OS, so that a run replays exactly.

/// A seeded pseudo-random generator: the same seed gives the same sequence.
/// Not for secrets.
///
/// ```
/// use mchat_core::rng::SeededRng;
///
/// let (mut a, mut b) = (SeededRng::new(7), SeededRng::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// ```
#[derive(Clone, Debug)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator for `seed` (any value, zero included).
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// An index into a collection of `len` items (0 when it is empty).
    pub fn index(&mut self, len: usize) -> usize {
        // usize is at most 64 bits on every target Rust supports.
        self.below(len as u64) as usize
    }

    /// `true` with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A number in `lo..=hi` (`lo` when `hi < lo`).
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_replays_the_same_sequence_and_another_does_not() {
        let take = |seed| {
            let mut rng = SeededRng::new(seed);
            (0..8).map(|_| rng.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(take(1), take(1));
        assert_ne!(take(1), take(2));
        // Zero is a seed like any other, not a stuck state.
        let zero = take(0);
        assert!(zero.windows(2).all(|w| w[0] != w[1]));
    }

    #[test]
    fn ranges_hold_their_bounds() {
        let mut rng = SeededRng::new(42);
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.index(0), 0);
        assert_eq!(rng.between(5, 3), 5);
        assert!(rng.between(u64::MAX - 1, u64::MAX) >= u64::MAX - 1);
        let mut seen = [false; 4];
        for _ in 0..200 {
            let v = rng.between(3, 6);
            assert!((3..=6).contains(&v));
            seen[(v - 3) as usize] = true;
            assert!(rng.below(7) < 7);
        }
        assert!(seen.iter().all(|&s| s), "every value of 3..=6 comes up");
        assert!(!(0..100).any(|_| rng.chance(0)));
        assert!((0..100).all(|_| rng.chance(100)));
    }
}
