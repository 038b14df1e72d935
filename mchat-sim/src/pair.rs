//! An unordered pair of servers, the key for anything about the link between them.

/// Two servers, either way round.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerPair {
    low: usize,
    high: usize,
}

impl ServerPair {
    /// The pair of `a` and `b`, in whichever order they are given.
    pub fn new(a: usize, b: usize) -> Self {
        Self {
            low: a.min(b),
            high: a.max(b),
        }
    }

    /// The server with the lower index.
    pub fn low(self) -> usize {
        self.low
    }

    /// The server with the higher index.
    pub fn high(self) -> usize {
        self.high
    }
}
