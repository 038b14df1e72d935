//! Seeded randomness (xorshift64), so a seed replays the same scenario.
//! Kept alone here: it is to be swapped for the workspace's shared PRNG.

pub struct Rng(u64);

impl Rng {
    /// A generator from `seed` (any value: the state is kept odd, never 0).
    pub fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        if n == 0 { 0 } else { self.0 % n }
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn a_seed_replays_the_same_numbers_within_bounds() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let first: Vec<u64> = (0..100).map(|_| a.below(10)).collect();
        let again: Vec<u64> = (0..100).map(|_| b.below(10)).collect();
        assert_eq!(first, again);
        assert!(first.iter().all(|&n| n < 10));
        assert_eq!(Rng::new(0).below(0), 0);
    }
}
