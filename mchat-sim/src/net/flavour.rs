//! Which kind of server a simulated server is: ours, with some set of mesh
//! extensions, or a stand-in for the original.

use std::fmt;

use mchat_core::server::{MeshSecret, ServerConfig};
use mchat_core::wire::{ExtensionSet, PeerAddr};

/// The secret of a simulated network whose servers are [`Flavour::Secured`].
const SIM_SECRET: &[u8] = b"the simulated network's secret";

/// The kind of server one simulated server is; it keeps it across restarts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavour {
    /// Our server, offering these extensions, with its own mesh upkeep.
    Ours(ExtensionSet),
    /// A stand-in for the original server: no extensions, no mesh upkeep
    /// ([`ServerConfig::original`]).
    Original,
    /// Our server with every extension and the network's mesh secret
    /// (`auth/1`): it links only with servers that prove the same secret.
    Secured,
}

impl Flavour {
    /// Our server with every extension: the default.
    pub fn ours() -> Self {
        Flavour::Ours(ExtensionSet::all())
    }

    /// Does this server keep up the mesh (reconnect, one link per pair)?
    pub fn keeps_mesh(self) -> bool {
        matches!(self, Flavour::Ours(_) | Flavour::Secured)
    }

    /// The extensions it offers.
    pub fn extensions(self) -> ExtensionSet {
        match self {
            Flavour::Ours(set) => set,
            Flavour::Secured => ExtensionSet::all(),
            Flavour::Original => ExtensionSet::NONE,
        }
    }

    /// Its configuration, with the protocol's defaults otherwise.
    pub fn config(self, advertised: PeerAddr) -> ServerConfig {
        let advertised_bytes = advertised.to_string().into_bytes();
        let mut config = match self {
            Flavour::Ours(set) => {
                let mut config = ServerConfig::new(advertised);
                config.extensions = set;
                config
            }
            Flavour::Secured => {
                let mut config = ServerConfig::new(advertised);
                config.mesh_secret = MeshSecret::new(SIM_SECRET).ok();
                config
            }
            Flavour::Original => ServerConfig::original(advertised),
        };
        // Each server draws its own challenges, as each real one does.
        for (byte, from) in config
            .entropy
            .iter_mut()
            .zip(advertised_bytes.iter().cycle())
        {
            *byte ^= *from;
        }
        config
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
            Flavour::Secured => f.write_str("ours with a mesh secret"),
            Flavour::Original => f.write_str("original"),
        }
    }
}
