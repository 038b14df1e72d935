//! Checks of the mesh as a whole: who is linked with whom, and who knows
//! of whom.

use mchat_core::wire::PeerAddr;

use super::{Sim, server_addr};

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
                let x_has = sx.peers().any(|a| *a == server_addr(y));
                let y_has = sy.peers().any(|a| *a == server_addr(x));
                let links = self.pipes.established_between(x, y);
                if !x_has || !y_has || links != 1 {
                    return Err(format!(
                        "at {:?}: servers {x} and {y}: {x} lists {y}: {x_has}, {y} lists {x}: {y_has}, open links: {links}",
                        self.elapsed()
                    ));
                }
            }
        }
        Ok(())
    }
}
