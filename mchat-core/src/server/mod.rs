//! The server as a sans-IO state machine (PROTOCOL.md §3–§9).
//!
//! A [`Server`] never touches a socket or a clock. Its driver reports what
//! happened — a connection accepted, bytes read, bytes flushed, a dial's
//! result, a close, the time — and then drains [`Output`]s: lines to send,
//! connections to close, addresses to dial, events to log. Time is always an
//! argument, so tests run minutes of heartbeats in microseconds.
//!
//! Where each rule lives:
//! - §3 clients (`NICK`, `JOIN`, `PART`, `MSG`, notices) and §6 errors:
//!   `client_side.rs`;
//! - §4 the mesh (handshake, forwarding, gossip, one link per pair,
//!   reconnect, interest, presence): `mesh/`, with the backoff (shared
//!   with the client) in the crate's
//!   `backoff.rs`;
//! - §7 keep-alive: `heartbeat.rs`;
//! - §8 send queues and §9 capacity: `conns.rs` and [`ServerConfig`].

mod auth;
mod bucket;
mod client_side;
mod config;
mod conns;
mod flood;
mod heartbeat;
mod joined;
mod mesh;
mod output;
mod per_address;
mod reconfigure;
mod rooms;
mod round;
mod run;
mod stats;

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

pub use auth::{AuthEnd, AuthTranscript, MeshSecret, SecretError};
pub use config::ServerConfig;
pub use output::{CloseReason, ConnId, Event, Listener, Output};
pub use reconfigure::{Change, Reconfigured};
pub use stats::{Counters, Gauges, LinkState, PeerLink, Tallied, Tally, Traffic};

use crate::wire::{Frame, PeerAddr};
use conns::{Conn, Role, Wires};
use mesh::{AwaitedLists, Mesh, PeerMembers, Vouched};
use per_address::{Limits, PerAddress, Source};
use rooms::Rooms;

/// The lines every connection exchanges, encoded once for the process.
const HEART: Bytes = Bytes::from_static(b"HEART\n");
const BLEED: Bytes = Bytes::from_static(b"BLEED\n");

/// One mChat server's whole protocol state. See the [module docs](self).
#[derive(Debug)]
pub struct Server {
    config: ServerConfig,
    wires: Wires,
    rooms: Rooms,
    mesh: Mesh,
    /// Challenges for `auth/1`.
    nonces: auth::Nonces,
    /// Who each peer has in our rooms (§4, presence).
    peer_members: PeerMembers,
    /// `NAMES` waiting for the lists asked of peers.
    awaited: AwaitedLists,
    /// Connections by source address (§9, per-address limits).
    per_address: PerAddress,
    clients: usize,
    /// When the next heartbeat phase is due, and which one it is.
    next_heartbeat: Instant,
    heartbeat_phase: usize,
}

impl Server {
    /// A server with no connections. If `config.join` names a peer, the
    /// first output is the dial that joins its network.
    pub fn new(mut config: ServerConfig, now: Instant) -> Self {
        // Compared with peers' addresses, which are taken in one spelling.
        config.advertised = config.advertised.canonical();
        config.join = config.join.map(|peer| peer.canonical());
        let wires = Wires::new(config.client_queue_limit, config.peer_queue_limit);
        let mut server = Self {
            next_heartbeat: now + heartbeat::phase_length(config.heartbeat_interval),
            heartbeat_phase: 0,
            mesh: Mesh::new(&config, now),
            nonces: auth::Nonces::new(&config.entropy),
            peer_members: PeerMembers::new(config.max_room_members, config.max_rooms),
            awaited: AwaitedLists::default(),
            per_address: PerAddress::default(),
            wires,
            rooms: Rooms::default(),
            clients: 0,
            config,
        };
        if let Some(peer) = server.config.join.clone() {
            server
                .mesh
                .plan_dial(peer, now, Vouched::Yes, &server.config, now);
            server.fire_due_plans(now);
        }
        server
    }

    /// The configuration it runs with.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// A connection arrived on one of the listening sockets. Returns its
    /// handle; if the server is full, the outputs already refuse and close it.
    pub fn accept(&mut self, listener: Listener, remote: SocketAddr, now: Instant) -> ConnId {
        let id = match self.admit(listener, remote, now) {
            Err(why) => self.refuse_connection(listener, remote, why),
            Ok(()) => match listener {
                Listener::Client => self.accept_client(remote, now),
                Listener::Server => self.accept_server(remote, now),
            },
        };
        self.reap(now);
        id
    }

    /// The per-address limits of §9: may `remote` open one more connection
    /// on `listener` now? If so it is counted until
    /// [`release`](Self::release) (a client until it leaves, a candidate
    /// until it leaves or becomes a peer).
    fn admit(
        &mut self,
        listener: Listener,
        remote: SocketAddr,
        now: Instant,
    ) -> Result<(), CloseReason> {
        let max_open = match listener {
            Listener::Client => self.config.max_clients_per_ip,
            Listener::Server => self.config.max_candidates_per_ip,
        };
        let limits = Limits {
            max_open,
            per_second: self.config.connect_rate_per_ip,
        };
        // Room for every connection the server may hold, so pruning
        // forgets only idle sources.
        let keep = 2 * (self.config.max_clients + self.config.max_candidates) + 1024;
        self.per_address.prune(keep);
        self.per_address
            .admit(listener, Source::of(remote), limits, now)
    }

    /// A connection [`admit`](Self::admit)ted from `remote` no longer counts.
    fn release(&mut self, listener: Listener, remote: SocketAddr) {
        self.per_address.release(listener, Source::of(remote));
    }

    /// The result of an [`Output::Dial`]: the new connection's local
    /// address if it connected, `None` if it failed. The local address lets
    /// the server recognize a dial that reached itself under another name.
    pub fn dial_result(&mut self, id: ConnId, connected_from: Option<SocketAddr>, now: Instant) {
        self.on_dial_result(id, connected_from, now);
        self.reap(now);
    }

    /// Bytes read from a connection, in any chunking.
    pub fn handle_input(&mut self, id: ConnId, bytes: &[u8], now: Instant) {
        let Some(conn) = self.wires.get_mut(id) else {
            return;
        };
        if conn.doomed {
            return;
        }
        if let Role::Peer { traffic, .. } = &mut conn.role {
            traffic.bytes_in += bytes.len() as u64;
        }
        self.wires.counters.bytes_received += bytes.len() as u64;
        let Some(conn) = self.wires.get_mut(id) else {
            return;
        };
        let mut framer = std::mem::take(&mut conn.framer);
        let mut rest = bytes;
        while let Some(frame) = framer.next_frame(&mut rest) {
            self.handle_frame(id, frame, now);
            if !self.is_open(id) {
                self.reap(now);
                return;
            }
        }
        if let Some(conn) = self.wires.get_mut(id) {
            conn.framer = framer;
        }
        self.reap(now);
    }

    /// The driver wrote `bytes` of what was sent to a connection (§8).
    pub fn handle_flushed(&mut self, id: ConnId, bytes: usize, _now: Instant) {
        if let Some(conn) = self.wires.get_mut(id) {
            conn.queued = conn.queued.saturating_sub(bytes);
        }
    }

    /// The connection closed by itself (end of stream or a socket error).
    /// Unknown or already closed handles are ignored.
    pub fn handle_close(&mut self, id: ConnId, now: Instant) {
        self.drop_conn(id, None, now);
        self.reap(now);
    }

    /// Time passed: runs heartbeats, gossip, handshake deadlines and dials
    /// that are due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.run_due_heartbeats(now);
        if self.mesh.gossip_due(&self.config, now) {
            self.gossip(now);
        }
        while let Some(id) = self.mesh.pop_expired_handshake(now) {
            self.handshake_expired(id, now);
        }
        self.fire_due_plans(now);
        self.expire_lost_peers(now);
        self.expire_waiting_names(now);
        self.reap(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    /// After `handle_timeout(now)` it is always later than `now`. Ask again
    /// after every call that may have changed it (any `handle_*`, `accept`,
    /// `dial_result`), once its outputs are drained.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let mesh = self.next_heartbeat.min(self.mesh.next_deadline());
        let later = [
            self.peer_members.next_deadline(),
            self.awaited.next_deadline(),
        ];
        Some(later.into_iter().flatten().fold(mesh, Instant::min))
    }

    /// The next thing for the driver to do. Call it after every call above
    /// until it returns `None`: outputs left behind are lines never sent.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        if self.wires.out.is_empty() {
            self.wires.seal_all();
        }
        self.wires.out.pop_front()
    }

    /// Clients connected now.
    pub fn client_count(&self) -> usize {
        self.clients
    }

    /// Rooms with local members now.
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }

    /// The peers this server has an established link to, by address.
    pub fn peers(&self) -> impl Iterator<Item = &PeerAddr> {
        self.mesh.links().map(|(addr, _)| addr)
    }

    /// Every peer address this server knows: linked, or being re-dialled.
    pub fn known_peers(&self) -> impl Iterator<Item = &PeerAddr> {
        self.mesh.known()
    }

    /// What the server has counted since it started.
    pub fn counters(&self) -> &Counters {
        &self.wires.counters
    }

    /// Where the server stands now: connections, rooms, queued bytes.
    pub fn gauges(&self) -> Gauges {
        let mut gauges = Gauges {
            clients: self.clients,
            peers_up: self.mesh.links().count(),
            rooms: self.rooms.len(),
            members: self.rooms.memberships(),
            handshakes: self.mesh.pending_handshakes().count(),
            ..Gauges::default()
        };
        gauges.queued_bytes = self.wires.queued_bytes();
        gauges
    }

    /// Each room with local members, and how many it has.
    pub fn room_sizes(&self) -> impl Iterator<Item = (&crate::wire::Room, usize)> {
        self.rooms.sizes()
    }

    /// Every peer this server knows, with where its link stands: up (with
    /// its traffic), dialling, backing off, or given up on.
    pub fn peer_links(&self) -> Vec<PeerLink> {
        let mut links: Vec<PeerLink> = self
            .mesh
            .links()
            .map(|(addr, id)| PeerLink {
                addr: addr.clone(),
                state: LinkState::Established,
                traffic: match self.wires.get(id).map(|c| &c.role) {
                    Some(Role::Peer { traffic, .. }) => Some(*traffic),
                    _ => None,
                },
            })
            .collect();
        links.extend(self.mesh.unlinked_states().map(|(addr, state)| PeerLink {
            addr: addr.clone(),
            state,
            traffic: None,
        }));
        links
    }

    /// Does a live connection have this handle?
    pub fn is_open(&self, id: ConnId) -> bool {
        self.wires.get(id).is_some_and(|c| !c.doomed)
    }

    fn handle_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let Some(conn) = self.wires.get(id) else {
            return;
        };
        match conn.role {
            Role::Client(_) => self.on_client_frame(id, frame, now),
            Role::Opening { .. } => self.on_opening_frame(id, frame, now),
            Role::Candidate { .. } => self.on_candidate_frame(id, frame, now),
            Role::Peer { .. } => self.on_peer_frame(id, frame, now),
            // Nothing can be read before a dial succeeds, or after a refusal.
            Role::Dialing { .. } | Role::Refused => {}
        }
    }

    /// Marks a connection for closing once the current input is handled.
    fn doom(&mut self, id: ConnId, reason: CloseReason) {
        if let Some(conn) = self.wires.get_mut(id)
            && !conn.doomed
        {
            conn.doomed = true;
            self.wires.doomed.push((id, reason));
        }
    }

    /// Closes every doomed connection; closing one may doom others.
    fn reap(&mut self, now: Instant) {
        // A run's pending lines can doom a slow member: give them first.
        self.wires.settle_run();
        while let Some((id, reason)) = self.wires.doomed.pop() {
            self.drop_conn(id, Some(reason), now);
        }
    }

    /// Forgets a connection: parts a client from its rooms, schedules a
    /// reconnect for a lost peer. `reason` is set when we close it ourselves.
    fn drop_conn(&mut self, id: ConnId, reason: Option<CloseReason>, now: Instant) {
        let conn = match reason {
            Some(reason) => self.wires.close(id, reason),
            None => self.wires.remove(id),
        };
        let Some(conn) = conn else {
            return;
        };
        match conn.role {
            Role::Client(state) => {
                self.clients -= 1;
                let remote = state.remote;
                self.release(Listener::Client, remote);
                self.client_departed(id, state);
                self.event(Event::ClientDisconnected { id, remote, reason });
            }
            Role::Refused => {}
            Role::Candidate {
                deadline, remote, ..
            } => {
                self.release(Listener::Server, remote);
                self.mesh.connection_closed();
                self.mesh.handshake_ended(deadline, id);
            }
            Role::Dialing { addr } => {
                self.mesh.connection_closed();
                self.dial_failed(&addr, now);
            }
            Role::Opening { addr, deadline, .. } => {
                self.mesh.connection_closed();
                self.mesh.handshake_ended(deadline, id);
                self.dial_failed(&addr, now);
            }
            Role::Peer { addr, .. } => {
                self.mesh.connection_closed();
                self.peer_link_lost(id, addr, reason, now);
            }
        }
    }

    fn event(&mut self, event: Event) {
        self.wires.counters.saw(&event);
        self.wires.out.push_back(Output::Event(event));
    }

    /// A line of `kind` parsed from connection `id`.
    fn count_received(&mut self, id: ConnId, kind: crate::wire::MessageKind) {
        self.wires.counters.lines_received.add(kind, 1);
        if let Some(Conn {
            role: Role::Peer { traffic, .. },
            ..
        }) = self.wires.get_mut(id)
        {
            traffic.lines_in += 1;
        }
    }

    /// Turns away a connection the server has no room for (§9): a client
    /// is told `server-full` first; a server is not (peers never get ERROR).
    /// Takes a connection only to refuse it: a client is told why in one
    /// `ERROR` (§6), a server-port connection is just closed.
    fn refuse_connection(
        &mut self,
        listener: Listener,
        remote: SocketAddr,
        why: CloseReason,
    ) -> ConnId {
        use crate::wire::ErrorCode;
        let id = self.insert(Role::Refused);
        if listener == Listener::Client {
            let (code, text) = match why {
                CloseReason::TooManyFromAddress => (
                    ErrorCode::TooManyConnections,
                    "your address has as many connections as it may",
                ),
                CloseReason::TooFastFromAddress => (
                    ErrorCode::ConnectingTooFast,
                    "your address opens connections too fast; try again in a second",
                ),
                _ => (
                    ErrorCode::ServerFull,
                    "the server has no room for another client",
                ),
            };
            self.refuse(id, code, text);
        }
        self.wires.close(id, why);
        self.event(Event::Refused {
            listener,
            remote,
            why,
        });
        id
    }

    fn insert(&mut self, role: Role) -> ConnId {
        self.wires.insert(Conn::new(role))
    }
}

/// The tick after `scheduled`, never at or before `now`.
fn next_tick(scheduled: Instant, interval: std::time::Duration, now: Instant) -> Instant {
    // A zero interval from a careless config must not make the driver spin.
    let interval = interval.max(std::time::Duration::from_millis(1));
    let next = scheduled + interval;
    if next > now { next } else { now + interval }
}
