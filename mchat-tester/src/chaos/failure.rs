//! The failures the scenario injects, drawn from its seed: one server down
//! at a time, and links cut and healed.

use crate::mesh::Pair;
use mchat_core::rng::SeededRng;

pub enum Failure {
    /// SIGKILL server `i`.
    Kill(usize),
    /// Restart the server that is down.
    Restart(usize),
    /// Cut the link, or heal it if it was cut.
    Toggle(Pair),
}

impl Failure {
    /// The next failure among `servers` (at least 2), `down` the one that
    /// is down: a third of the time a kill or a restart, else a link.
    pub fn draw(rng: &mut SeededRng, servers: usize, down: Option<usize>) -> Failure {
        let n = servers as u64;
        match (rng.below(3), down) {
            (0, None) => Failure::Kill(rng.below(n) as usize),
            (0, Some(i)) => Failure::Restart(i),
            _ => {
                let a = rng.below(n) as usize;
                let b = (a + 1 + rng.below(n.saturating_sub(1)) as usize) % servers.max(1);
                Failure::Toggle(Pair::new(a, b))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Failure;
    use mchat_core::rng::SeededRng;

    #[test]
    fn draws_name_real_servers_and_never_a_link_to_itself() {
        let mut rng = SeededRng::new(42);
        for _ in 0..1000 {
            match Failure::draw(&mut rng, 3, None) {
                Failure::Kill(i) => assert!(i < 3),
                Failure::Restart(_) => panic!("nothing is down"),
                Failure::Toggle(pair) => {
                    let text = pair.to_string();
                    let (a, b) = text.split_once('-').unwrap();
                    assert_ne!(a, b);
                    assert!(a.parse::<usize>().unwrap() < 3 && b.parse::<usize>().unwrap() < 3);
                }
            }
        }
        assert!(matches!(
            Failure::draw(&mut SeededRng::new(3), 3, Some(1)),
            Failure::Restart(1) | Failure::Toggle(_)
        ));
    }
}
