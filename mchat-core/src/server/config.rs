//! Everything a deployer tunes, with the defaults of PROTOCOL.md §4, §7–§9.

use std::time::Duration;

use super::auth::MeshSecret;
use crate::wire::{AUTH_BYTES, ExtensionSet, PeerAddr};

/// The configuration of one [`Server`](super::Server).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// This server's server-listen address as others should dial it: sent in
    /// `MY_ADDR`, never dialled, and the key of the one-link-per-pair rule.
    pub advertised: PeerAddr,
    /// A server to join at start (the command line's peer), if any.
    pub join: Option<PeerAddr>,
    /// How often `HEART` goes to every client and peer (§7).
    pub heartbeat_interval: Duration,
    /// A connection with this many `HEART`s in a row unanswered is closed (§7).
    pub max_missed_heartbeats: u32,
    /// A candidate that has not sent `MY_ADDR` by then is closed (§4).
    pub handshake_timeout: Duration,
    /// How long a link we dialled may wait for the acceptor's first
    /// `ALL_ADDRS` before it counts as a failed dial.
    pub open_timeout: Duration,
    /// How often `ALL_ADDRS` is re-sent to every peer (§4, gossip).
    pub gossip_interval: Duration,
    /// First reconnect delay; it doubles after each failure (§4).
    pub reconnect_initial: Duration,
    /// Longest reconnect delay.
    pub reconnect_max: Duration,
    /// Stop re-dialling a peer unreachable for this long (§4).
    pub reconnect_give_up: Duration,
    /// Extra wait before this server dials a peer whose address sorts lower
    /// than its own, so that the lower one, which learns of it by the same
    /// gossip, dials first and the pair does not build two links.
    pub dial_defer: Duration,
    /// Seed of the reconnect jitter, so that runs are reproducible.
    pub jitter_seed: u64,
    /// Most new addresses one server link's gossip may make us dial, over
    /// the link's life (§4, gossip hygiene).
    pub max_gossiped_addrs: usize,
    /// Most dials started in one second (§4, gossip hygiene).
    pub max_dials_per_s: u32,
    /// Most clients at once (§9).
    pub max_clients: usize,
    /// Most peer servers at once: links, and our dials and their
    /// handshakes (§9). Connections accepted on the server port that have
    /// not finished their handshake count against `max_candidates` instead.
    pub max_servers: usize,
    /// Most accepted server connections in their handshake at once; a new
    /// one beyond closes the oldest (§9), so that half-open handshakes,
    /// renewed, cannot keep a real server from joining.
    pub max_candidates: usize,
    /// Most rooms with local members (§9).
    pub max_rooms: usize,
    /// Most local members of one room (§9).
    pub max_room_members: usize,
    /// A client with more unsent bytes than this is disconnected (§8).
    pub client_queue_limit: usize,
    /// Client connections one source address may hold at once (§9,
    /// per-address limits; an IPv6 /64 is one address). `0`: no limit.
    pub max_clients_per_ip: usize,
    /// Server-port connections still in their handshake that one source
    /// address may hold at once (§9); established peers do not count.
    /// `0`: no limit.
    pub max_candidates_per_ip: usize,
    /// New connections a second one source address may open, on each port
    /// separately; as many may come at once (§9). `0`: no limit.
    pub connect_rate_per_ip: u32,
    /// Lines a second a client may send, sustained (§3, flood control);
    /// `JOIN`, `PART` and `NICK` count, a `NICK` one a room of the client,
    /// heartbeats never. `0`: no flood control.
    pub flood_rate: u32,
    /// Lines a client may send at once, above the rate (§3).
    pub flood_burst: u32,
    /// A client refused for flooding, without a calm second, for this long
    /// is disconnected (§3).
    pub flood_disconnect: Duration,
    /// Rooms one client may be in at once (§9). `0`: no limit.
    pub max_rooms_per_client: usize,
    /// A peer with more unsent bytes than this is disconnected (§8).
    pub peer_queue_limit: usize,
    /// The mesh extensions offered to peers in `EXT` (§4, negotiation); a
    /// link uses those both ends offer. [`ExtensionSet::NONE`] sends no
    /// `EXT`, and so no unsolicited `ALL_ADDRS` either.
    pub extensions: ExtensionSet,
    /// This server's own rules of mesh upkeep (§4): one link per pair,
    /// reconnecting, renaming a peer by its `MY_ADDR`, the dial defer. Off,
    /// and with no extensions, the server behaves on the wire as the
    /// original does: a stand-in for it in tests.
    pub mesh_upkeep: bool,
    /// The network's shared secret (§4, `auth/1`): with one, a server link
    /// carries nothing — not even `ALL_ADDRS` — until both ends have proved
    /// they know it, and a server without it (an original among them) is
    /// never linked. `None`: the port is open, as the original's.
    pub mesh_secret: Option<MeshSecret>,
    /// Every server link is authenticated below the protocol: the driver
    /// runs them over TLS with the network's CA (`--tls-mesh`). Like a
    /// secret, this makes host names in gossip worth looking up (§4,
    /// gossip hygiene); it changes nothing on the wire.
    pub links_authenticated_by_transport: bool,
    /// Randomness for the challenges of `auth/1`. A real server must set it
    /// from the operating system (the binary does); the default is a fixed
    /// value, so that tests and simulations replay exactly.
    pub entropy: [u8; AUTH_BYTES],
}

impl ServerConfig {
    /// The protocol's defaults, for a server advertising `advertised`.
    pub fn new(advertised: PeerAddr) -> Self {
        Self {
            advertised,
            join: None,
            heartbeat_interval: Duration::from_secs(2),
            max_missed_heartbeats: 3,
            handshake_timeout: Duration::from_secs(2),
            open_timeout: Duration::from_secs(10),
            gossip_interval: Duration::from_secs(30),
            reconnect_initial: Duration::from_secs(1),
            reconnect_max: Duration::from_secs(60),
            reconnect_give_up: Duration::from_secs(600),
            dial_defer: Duration::from_secs(1),
            jitter_seed: 0x6d63_6861_7421,
            max_gossiped_addrs: 64,
            max_dials_per_s: 10,
            max_clients: 10_000,
            max_servers: 1_000,
            max_candidates: 64,
            max_rooms: 30_000,
            max_room_members: 10_000,
            max_clients_per_ip: 100,
            max_candidates_per_ip: 8,
            connect_rate_per_ip: 20,
            flood_rate: 20,
            flood_burst: 200,
            flood_disconnect: Duration::from_secs(10),
            max_rooms_per_client: 50,
            client_queue_limit: 1 << 20,
            peer_queue_limit: 64 << 20,
            extensions: ExtensionSet::all(),
            mesh_upkeep: true,
            mesh_secret: None,
            links_authenticated_by_transport: false,
            entropy: [0x5a; AUTH_BYTES],
        }
    }

    /// How long a lost peer's members are kept before they are announced
    /// gone (§4, presence): the heartbeat timeout, one beat more than a
    /// connection may leave unanswered.
    pub fn presence_timeout(&self) -> Duration {
        self.heartbeat_interval
            .saturating_mul(self.max_missed_heartbeats.saturating_add(1))
    }

    /// A stand-in for an original server (no extensions, no mesh upkeep),
    /// advertising `advertised`.
    pub fn original(advertised: PeerAddr) -> Self {
        Self {
            extensions: ExtensionSet::NONE,
            mesh_upkeep: false,
            max_clients_per_ip: 0,
            max_candidates_per_ip: 0,
            connect_rate_per_ip: 0,
            flood_rate: 0,
            max_rooms_per_client: 0,
            ..Self::new(advertised)
        }
    }
}
