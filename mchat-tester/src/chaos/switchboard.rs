//! The links chaos has cut: it shuts the relayed connections of a cut pair
//! and cuts new ones as soon as their dialler names itself.

use std::collections::BTreeSet;
use std::net::Shutdown;
use std::sync::Mutex;

use crate::locked::lock;
use crate::mesh::{Ends, Hooks, LinkId, Pair, pair};

/// One connection through a relay.
struct Relayed {
    link: LinkId,
    /// The server whose relay it came through.
    at: usize,
    /// The server that dialled, once its `MY_ADDR` said which.
    peer: Option<usize>,
    /// Its ends, to shut down on a cut.
    ends: Ends,
}

/// The links cut, and every open relayed connection, shared by all relays.
#[derive(Default)]
pub struct Switchboard {
    cuts: Mutex<BTreeSet<Pair>>,
    links: Mutex<Vec<Relayed>>,
}

/// What [`Switchboard::toggle`] did.
pub enum Toggled {
    Cut,
    Healed,
}

impl Switchboard {
    /// Cuts `pair` (closing its connections, refusing new ones) or, if it
    /// was cut, heals it.
    pub fn toggle(&self, pair: Pair) -> Toggled {
        let mut cuts = lock(&self.cuts);
        if cuts.remove(&pair) {
            return Toggled::Healed;
        }
        cuts.insert(pair);
        for link in lock(&self.links).iter() {
            if link.peer.is_some_and(|peer| pair.joins(link.at, peer)) {
                let _ = link.ends.dialler.shutdown(Shutdown::Both);
                let _ = link.ends.server.shutdown(Shutdown::Both);
            }
        }
        Toggled::Cut
    }

    pub fn heal_all(&self) {
        lock(&self.cuts).clear();
    }

    fn is_cut(&self, pair: Pair) -> bool {
        lock(&self.cuts).contains(&pair)
    }

    /// `0-1, 2-4`, or `none`.
    pub fn cuts_text(&self) -> String {
        pair::list(lock(&self.cuts).iter().copied())
    }
}

impl Hooks for Switchboard {
    fn opened(&self, link: LinkId, at: usize, ends: Ends) {
        lock(&self.links).push(Relayed {
            link,
            at,
            peer: None,
            ends,
        });
    }

    /// Notes who dialled; a link of a cut pair goes no further.
    fn identified(&self, link: LinkId, at: usize, peer: usize) -> bool {
        if let Some(relayed) = lock(&self.links).iter_mut().find(|l| l.link == link) {
            relayed.peer = Some(peer);
        }
        !self.is_cut(Pair::new(at, peer))
    }

    fn closed(&self, link: LinkId) {
        lock(&self.links).retain(|l| l.link != link);
    }
}

#[cfg(test)]
mod tests {
    use super::{Pair, Switchboard, Toggled};

    #[test]
    fn a_toggled_pair_is_cut_then_healed() {
        let board = Switchboard::default();
        assert!(matches!(board.toggle(Pair::new(3, 1)), Toggled::Cut));
        assert!(matches!(board.toggle(Pair::new(0, 2)), Toggled::Cut));
        assert!(board.is_cut(Pair::new(1, 3)));
        assert_eq!(board.cuts_text(), "0-2, 1-3");
        assert!(matches!(board.toggle(Pair::new(1, 3)), Toggled::Healed));
        board.heal_all();
        assert_eq!(board.cuts_text(), "none");
    }
}
