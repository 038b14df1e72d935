//! The link between two servers of a mesh, named by their indices.

use std::fmt;

/// The link between two servers, by index, the smaller first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    low: usize,
    high: usize,
}

impl Pair {
    pub fn new(a: usize, b: usize) -> Self {
        Self {
            low: a.min(b),
            high: a.max(b),
        }
    }

    /// The two servers, the smaller first.
    pub fn ends(&self) -> (usize, usize) {
        (self.low, self.high)
    }

    pub fn joins(&self, a: usize, b: usize) -> bool {
        *self == Pair::new(a, b)
    }

    /// Every link of a full mesh of `servers`.
    pub fn all(servers: usize) -> impl Iterator<Item = Pair> {
        (0..servers).flat_map(move |a| (a + 1..servers).map(move |b| Pair::new(a, b)))
    }
}

/// `1-3`.
impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.low, self.high)
    }
}

/// `0-1, 2-4`, or `none`.
pub fn list(pairs: impl IntoIterator<Item = Pair>) -> String {
    let text: Vec<String> = pairs.into_iter().map(|p| p.to_string()).collect();
    if text.is_empty() {
        "none".into()
    } else {
        text.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::{Pair, list};

    #[test]
    fn a_pair_is_the_same_either_way_round() {
        assert_eq!(Pair::new(3, 1), Pair::new(1, 3));
        assert!(Pair::new(3, 1).joins(1, 3));
        assert!(!Pair::new(3, 1).joins(1, 2));
        assert_eq!(Pair::new(4, 2).to_string(), "2-4");
    }

    #[test]
    fn a_full_mesh_has_a_link_per_pair() {
        assert_eq!(Pair::all(1).count(), 0);
        assert_eq!(list(Pair::all(3)), "0-1, 0-2, 1-2");
        assert_eq!(Pair::all(8).count(), 28);
        assert_eq!(list([]), "none");
    }
}
