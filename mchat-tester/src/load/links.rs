//! The peer links of a spawned mesh as its relays see them, and waiting
//! until the mesh is whole: one link between every two servers.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::locked::lock;
use crate::mesh::{Ends, Hooks, LinkId, Pair, pair};

/// Every open relayed connection: the pair it links once its dialler
/// named itself, `None` before.
#[derive(Default)]
pub struct Links {
    open: Mutex<HashMap<LinkId, Option<Pair>>>,
    changed: Condvar,
}

/// How far a mesh is from whole.
#[derive(Debug, PartialEq, Eq)]
pub struct Gaps {
    /// Pairs of servers with no link.
    pub missing: Vec<Pair>,
    /// Pairs with more than one (a duplicate the servers have yet to close).
    pub doubled: Vec<Pair>,
    /// Connections whose dialler has not yet said which server it is.
    pub unnamed: usize,
}

impl Gaps {
    fn none(&self) -> bool {
        self.missing.is_empty() && self.doubled.is_empty() && self.unnamed == 0
    }
}

/// `no link 0-2; two links 1-3; 1 connection not yet named`, the parts
/// that apply.
impl std::fmt::Display for Gaps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!(
                "no link {}",
                pair::list(self.missing.iter().copied())
            ));
        }
        if !self.doubled.is_empty() {
            parts.push(format!(
                "two links {}",
                pair::list(self.doubled.iter().copied())
            ));
        }
        if self.unnamed > 0 {
            parts.push(format!("{} connection(s) not yet named", self.unnamed));
        }
        write!(f, "{}", parts.join("; "))
    }
}

impl Links {
    /// What keeps a mesh of `servers` from being whole.
    fn gaps(open: &HashMap<LinkId, Option<Pair>>, servers: usize) -> Gaps {
        let mut per_pair: HashMap<Pair, usize> = HashMap::new();
        let mut unnamed = 0;
        for link in open.values() {
            match link {
                Some(pair) => *per_pair.entry(*pair).or_insert(0) += 1,
                None => unnamed += 1,
            }
        }
        let count = |p: &Pair| per_pair.get(p).copied().unwrap_or(0);
        Gaps {
            missing: Pair::all(servers).filter(|p| count(p) == 0).collect(),
            doubled: Pair::all(servers).filter(|p| count(p) > 1).collect(),
            unnamed,
        }
    }

    /// Waits until every two of `servers` have exactly one link and no
    /// connection is still unnamed; the gaps left if `within` runs out.
    pub fn wait_whole(&self, servers: usize, within: Duration) -> Result<(), Gaps> {
        let deadline = Instant::now() + within;
        let mut open = lock(&self.open);
        loop {
            let gaps = Self::gaps(&open, servers);
            let left = deadline.saturating_duration_since(Instant::now());
            if gaps.none() {
                return Ok(());
            }
            if left.is_zero() {
                return Err(gaps);
            }
            open = self
                .changed
                .wait_timeout(open, left)
                .map_or_else(|p| p.into_inner().0, |(guard, _)| guard);
        }
    }

    fn update(&self, change: impl FnOnce(&mut HashMap<LinkId, Option<Pair>>)) {
        change(&mut lock(&self.open));
        self.changed.notify_all();
    }
}

impl Hooks for Links {
    fn opened(&self, link: LinkId, _at: usize, _ends: Ends) {
        self.update(|open| {
            open.insert(link, None);
        });
    }

    fn identified(&self, link: LinkId, at: usize, peer: usize) -> bool {
        self.update(|open| {
            open.insert(link, Some(Pair::new(at, peer)));
        });
        true
    }

    fn closed(&self, link: LinkId) {
        self.update(|open| {
            open.remove(&link);
        });
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Gaps, Links};
    use crate::mesh::{Hooks, Pair};

    #[test]
    fn the_mesh_is_whole_with_one_named_link_per_pair() {
        let links = Links::default();
        let within = Duration::ZERO;
        let gaps = links.wait_whole(3, within).unwrap_err();
        assert_eq!(gaps.missing.len(), 3);
        assert_eq!(gaps.to_string(), "no link 0-1, 0-2, 1-2");
        // Links 0-1 (dialled by 1) and 1-2, 0-2 twice.
        for (link, at, peer) in [(0, 0, 1), (1, 2, 1), (2, 0, 2), (3, 2, 0)] {
            links.identified(link, at, peer);
        }
        let gaps = links.wait_whole(3, within).unwrap_err();
        assert_eq!(
            gaps,
            Gaps {
                missing: vec![],
                doubled: vec![Pair::new(0, 2)],
                unnamed: 0
            }
        );
        assert_eq!(gaps.to_string(), "two links 0-2");
        links.closed(3);
        assert_eq!(links.wait_whole(3, within), Ok(()));
    }

    #[test]
    fn a_waiting_caller_wakes_when_the_last_link_comes() {
        let links = std::sync::Arc::new(Links::default());
        let adder = links.clone();
        let t = std::thread::spawn(move || adder.identified(7, 1, 0));
        assert_eq!(links.wait_whole(2, Duration::from_secs(30)), Ok(()));
        assert!(t.join().unwrap());
    }
}
