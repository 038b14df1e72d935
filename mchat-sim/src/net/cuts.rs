//! Links between servers cut and healed.

use super::Sim;
use crate::pair::ServerPair;

impl Sim {
    /// Is the link between servers `a` and `b` cut?
    pub(super) fn is_cut(&self, a: usize, b: usize) -> bool {
        self.cut.contains(&ServerPair::new(a, b))
    }

    /// Cuts the link: its pipes reset and dials across it fail.
    pub(super) fn cut_link(&mut self, a: usize, b: usize) {
        self.cut.insert(ServerPair::new(a, b));
        self.history.disturb(a, b, self.now);
        self.reset_pipes(|p| p.links(a, b));
    }

    /// Heals the link: dials across it connect again.
    pub(super) fn heal_link(&mut self, a: usize, b: usize) {
        self.cut.remove(&ServerPair::new(a, b));
        self.history.disturb(a, b, self.now);
    }
}
