//! How a run is set up, and the addresses its servers advertise.

use std::net::SocketAddr;
use std::num::NonZeroU16;
use std::time::Duration;

use mchat_core::wire::{Extension, Host, PeerAddr};

use super::flavour::Flavour;

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Number of servers (indices `0..servers`).
    pub servers: usize,
    /// Number of clients (indices `0..clients`).
    pub clients: usize,
    /// Shortest one-way delay of a pipe.
    pub min_delay: Duration,
    /// Longest one-way delay of a pipe.
    pub max_delay: Duration,
    /// The run's seed: the same seed replays the same run.
    pub seed: u64,
    /// Server `i`'s kind; servers past the end are ours, with every extension.
    pub flavours: Vec<Flavour>,
}

impl SimConfig {
    /// A run of `servers` servers (all ours) and `clients` clients with
    /// 1–50 ms links.
    pub fn new(servers: usize, clients: usize, seed: u64) -> Self {
        Self {
            servers,
            clients,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(50),
            seed,
            flavours: Vec::new(),
        }
    }

    /// The same run with server `i` of kind `flavours[i]`.
    pub fn with_flavours(self, flavours: Vec<Flavour>) -> Self {
        Self { flavours, ..self }
    }

    /// Server `i`'s kind.
    pub fn flavour(&self, i: usize) -> Flavour {
        self.flavours.get(i).copied().unwrap_or_default()
    }

    /// Must the mesh become full once healed? Only if every server keeps
    /// up the mesh and gossips: an original never re-dials or gossips, and
    /// a server of ours without gossip hears of no one it did not dial.
    pub fn expects_full_mesh(&self) -> bool {
        (0..self.servers).all(|i| {
            let flavour = self.flavour(i);
            flavour.keeps_mesh() && flavour.extensions().contains(Extension::Gossip)
        })
    }
}

/// The advertised address of server `i`: 172.16.0.1, 172.16.0.2, …, port
/// 6062. IP literals, as a real mesh of open servers needs: names heard in
/// gossip are looked up only on an authenticated network (§4).
#[allow(clippy::expect_used)] // digits and dots always make a valid host
pub fn server_addr(i: usize) -> PeerAddr {
    let host = Host::new(format!("172.16.{}.{}", i / 250, i % 250 + 1)).expect("a valid host");
    PeerAddr::new(host, NonZeroU16::MIN.saturating_add(6061))
}

/// The address client `c` connects from: one of its own, as users have
/// (so the per-address limits of §9 see one user per address).
pub(super) fn client_remote(c: usize) -> SocketAddr {
    let [_, _, high, low] = (c as u32).to_be_bytes();
    SocketAddr::from(([192, 18, high, low], 40000))
}

/// The made-up address the dialling end of `pipe` connects from: unique
/// per pipe (address and port), so a server can tell its inbound links
/// apart, and no two links share a source for the per-address limits.
pub(super) fn dial_local(pipe: u64) -> SocketAddr {
    SocketAddr::from((
        [10, (pipe >> 16) as u8, (pipe >> 8) as u8, pipe as u8],
        1024 + ((pipe >> 24) & 0x7fff) as u16,
    ))
}
