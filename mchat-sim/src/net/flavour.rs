//! Which kind of server a simulated server is: ours, with some set of mesh
//! extensions, or a stand-in for the original.

use std::fmt;

use mchat_core::server::ServerConfig;
use mchat_core::wire::{ExtensionSet, PeerAddr};

/// The kind of server one simulated server is; it keeps it across restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Our server, offering these extensions, with its own mesh upkeep.
    Ours(ExtensionSet),
    /// A stand-in for the original server: no extensions, no mesh upkeep
    /// ([`ServerConfig::original`]).
    Original,
}

impl Flavour {
    /// Our server with every extension: the default.
    pub fn ours() -> Self {
        Flavour::Ours(ExtensionSet::all())
    }

    /// Does this server keep up the mesh (reconnect, one link per pair)?
    pub fn keeps_mesh(self) -> bool {
        matches!(self, Flavour::Ours(_))
    }

    /// The extensions it offers.
    pub fn extensions(self) -> ExtensionSet {
        match self {
            Flavour::Ours(set) => set,
            Flavour::Original => ExtensionSet::NONE,
        }
    }

    /// Its configuration, with the protocol's defaults otherwise.
    pub fn config(self, advertised: PeerAddr) -> ServerConfig {
        match self {
            Flavour::Ours(set) => {
                let mut config = ServerConfig::new(advertised);
                config.extensions = set;
                config
            }
            Flavour::Original => ServerConfig::original(advertised),
        }
    }
}

impl Default for Flavour {
    fn default() -> Self {
        Flavour::ours()
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flavour::Ours(set) if set.is_empty() => f.write_str("ours without extensions"),
            Flavour::Ours(set) => write!(f, "ours with {set}"),
            Flavour::Original => f.write_str("original"),
        }
    }
}
