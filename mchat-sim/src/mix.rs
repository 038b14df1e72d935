//! Which kinds of server a random scenario mixes, chosen from its seed.

use mchat_core::rng::SeededRng;
use mchat_core::wire::{Extension, ExtensionSet};

use crate::net::{Flavour, SimConfig};

/// The servers' kinds: in one run of five all ours with every extension;
/// in one, all ours with the network's mesh secret; in two, each server at
/// random an original or ours with a random set of extensions; in one, a
/// single server of ours among originals.
pub fn flavours(setup: &mut SeededRng, servers: usize) -> Vec<Flavour> {
    match setup.below(5) {
        0 => vec![Flavour::ours(); servers],
        1 => vec![Flavour::Secured; servers],
        2 | 3 => (0..servers)
            .map(|_| {
                if setup.chance(50) {
                    Flavour::Original
                } else {
                    Flavour::Ours(some_extensions(setup))
                }
            })
            .collect(),
        _ => {
            let ours = setup.index(servers);
            (0..servers)
                .map(|i| {
                    if i == ours {
                        Flavour::ours()
                    } else {
                        Flavour::Original
                    }
                })
                .collect()
        }
    }
}

/// Each extension this implementation speaks, with a chance of 3 in 4.
fn some_extensions(setup: &mut SeededRng) -> ExtensionSet {
    Extension::ALL
        .into_iter()
        .filter(|_| setup.chance(75))
        .collect()
}

/// The servers' kinds, for a failure message: `0 ours with gossip/1, 1 original`.
pub fn kinds(config: &SimConfig) -> String {
    (0..config.servers)
        .map(|i| format!("{i} {}", config.flavour(i)))
        .collect::<Vec<_>>()
        .join(", ")
}
