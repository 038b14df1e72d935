//! Checks of the mesh as a whole: who is linked with whom, who knows of whom.

use std::fmt;

use mchat_core::wire::PeerAddr;

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

    /// Does every running server know (as a peer, or as an address it is
    /// re-dialling) every other server? Then a crash of any one loses no
    /// knowledge the mesh needs to heal.
    pub fn knowledge_is_complete(&self) -> bool {
        (0..self.nodes.len()).all(|i| {
            self.server(i).is_some_and(|s| {
                let known: Vec<&PeerAddr> = s.known_peers().collect();
                (0..self.nodes.len()).all(|j| j == i || known.contains(&&server_addr(j)))
            })
        })
    }

    /// Checks that every running server is linked to every other running
    /// server by exactly one established link, agreed on by both ends.
    pub fn mesh_is_full(&self) -> Result<(), String> {
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.is_up(i)).collect();
        for &x in &live {
            for &y in &live {
                if x >= y {
                    continue;
                }
                let (Some(sx), Some(sy)) = (self.server(x), self.server(y)) else {
                    continue;
                };
                let pair = PairLinks {
                    x,
                    y,
                    x_lists_y: sx.peers().any(|a| *a == server_addr(y)),
                    y_lists_x: sy.peers().any(|a| *a == server_addr(x)),
                    links: self.pipes.established_between(x, y),
                };
                if !pair.is_full() {
                    return Err(format!("at {}: {pair}", SimTime::after(self.elapsed())));
                }
            }
        }
        Ok(())
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
