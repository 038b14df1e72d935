//! Checks of the mesh as a whole: who is linked with whom, who knows of whom.

use std::fmt;

use mchat_core::wire::{Extension, PeerAddr};

use super::{Sim, server_addr};
use crate::sim_time::SimTime;

impl Sim {
    /// The servers that `i` and which list each other as established peers.
    pub fn linked_with(&self, i: usize) -> Vec<usize> {
        let Some(si) = self.server(i) else {
            return Vec::new();
        };
        (0..self.nodes.len())
            .filter(|&j| j != i)
            .filter(|&j| {
                self.server(j).is_some_and(|sj| {
                    si.peers().any(|a| *a == server_addr(j))
                        && sj.peers().any(|a| *a == server_addr(i))
                })
            })
            .collect()
    }

    /// Is every server running, and does every one that keeps up the mesh
    /// know (as a peer, or as an address it is re-dialling) every other?
    /// Then a crash of any one loses no knowledge the mesh needs to heal.
    /// An original's knowledge does not count: it knows only its links and
    /// forgets a lost peer, so the mesh never heals from what it knows.
    pub fn knowledge_is_complete(&self) -> bool {
        let n = self.nodes.len();
        (0..n).all(|i| {
            self.server(i).is_some_and(|s| {
                if !self.cfg.flavour(i).keeps_mesh() {
                    return true;
                }
                let known: Vec<&PeerAddr> = s.known_peers().collect();
                (0..n).all(|j| j == i || known.contains(&&server_addr(j)))
            })
        })
    }

    /// Checks that every running server is linked to every other running
    /// server by exactly one established link, agreed on by both ends.
    pub fn mesh_is_full(&self) -> Result<(), String> {
        for (x, y) in self.live_pairs() {
            let pair = self.pair_links(x, y);
            if !pair.is_full() {
                return Err(format!("at {}: {pair}", SimTime::after(self.elapsed())));
            }
        }
        Ok(())
    }

    /// Checks what a healed mesh is bound to look like, whatever its
    /// servers' kinds: the full mesh if every server is ours and gossips;
    /// otherwise never two links between a pair, and one link wherever a
    /// server of ours owes one (see `owed_link`). Two originals, or
    /// an original and a server of ours that never heard of it, may stay
    /// apart for good, as they would with the real original.
    pub fn mesh_is_healed(&self) -> Result<(), String> {
        if self.cfg.expects_full_mesh() {
            return self.mesh_is_full();
        }
        for (x, y) in self.live_pairs() {
            let pair = self.pair_links(x, y);
            let owed = self.owed_link(x, y).or_else(|| self.owed_link(y, x));
            let fault = match owed {
                Some(why) if !pair.is_full() => Some(why),
                _ if pair.links > 1 => Some("one link per pair".to_owned()),
                _ => None,
            };
            if let Some(why) = fault {
                let at = SimTime::after(self.elapsed());
                return Err(format!("at {at}: {pair} ({why})"));
            }
        }
        Ok(())
    }

    /// Why server `x`, if it is ours, is bound to be linked with running
    /// server `y` once the network has healed, if it is. Ours re-dials
    /// every peer it knows, with backoff, until it answers (the give-up
    /// time is longer than any run); and a peer of ours with which `x`
    /// agreed on gossip names its own peers to `x` at least every gossip
    /// interval, so `x` comes to know them. Nothing else is guaranteed: an
    /// original hears of servers only in the `ALL_ADDRS` of a link it
    /// dialled, and dials once.
    fn owed_link(&self, x: usize, y: usize) -> Option<String> {
        let flavour = self.cfg.flavour(x);
        let sx = self.server(x).filter(|_| flavour.keeps_mesh())?;
        let y_addr = server_addr(y);
        if sx.known_peers().any(|a| *a == y_addr) {
            return Some(format!("{x} knows {y}"));
        }
        let gossips = |i: usize| self.cfg.flavour(i).extensions().contains(Extension::Gossip);
        if !gossips(x) {
            return None;
        }
        sx.peers()
            .filter_map(|a| (0..self.nodes.len()).find(|&z| server_addr(z) == *a))
            .filter(|&z| z != y && gossips(z) && self.cfg.flavour(z).keeps_mesh())
            .find(|&z| {
                self.server(z)
                    .is_some_and(|sz| sz.peers().any(|a| *a == y_addr))
            })
            .map(|z| format!("{z} gossips {y} to {x}"))
    }

    /// Every pair of running servers, lower index first.
    fn live_pairs(&self) -> Vec<(usize, usize)> {
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.is_up(i)).collect();
        live.iter()
            .flat_map(|&x| live.iter().filter(move |&&y| x < y).map(move |&y| (x, y)))
            .collect()
    }

    /// How running servers `x` and `y` stand with each other.
    fn pair_links(&self, x: usize, y: usize) -> PairLinks {
        let lists = |a: usize, b: usize| {
            self.server(a)
                .is_some_and(|s| s.peers().any(|p| *p == server_addr(b)))
        };
        PairLinks {
            x,
            y,
            x_lists_y: lists(x, y),
            y_lists_x: lists(y, x),
            links: self.pipes.established_between(x, y),
        }
    }

    /// How many established links join servers `a` and `b` now.
    pub fn links_between(&self, a: usize, b: usize) -> usize {
        self.pipes.established_between(a, b)
    }
}

/// How two running servers stand with each other.
struct PairLinks {
    x: usize,
    y: usize,
    /// Does `x` list `y` as an established peer?
    x_lists_y: bool,
    /// Does `y` list `x` as an established peer?
    y_lists_x: bool,
    /// Established pipes between them.
    links: usize,
}

impl PairLinks {
    /// One link, and both ends agree on it.
    fn is_full(&self) -> bool {
        self.x_lists_y && self.y_lists_x && self.links == 1
    }
}

impl fmt::Display for PairLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lists = |yes: bool| if yes { "lists" } else { "does not list" };
        let (x, y) = (self.x, self.y);
        write!(
            f,
            "servers {x} and {y}: {x} {} {y} as a peer, {y} {} {x}, {} established link{} between them (want 1)",
            lists(self.x_lists_y),
            lists(self.y_lists_x),
            self.links,
            if self.links == 1 { "" } else { "s" },
        )
    }
}
