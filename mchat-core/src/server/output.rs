//! What the server state machine asks its driver to do.

use std::fmt;
use std::net::SocketAddr;

use bytes::Bytes;

use crate::wire::{ExtensionSet, Nick, PeerAddr, Room};

/// A connection's handle, issued by the state machine: a slot of its
/// connection table and how many times that slot has been used. A handle is
/// not reused while its connection lives, nor until its slot has been
/// reused 2³² times. Shown as `#slot.generation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId {
    // This field order keeps the order of handles that were once packed as
    // `generation << 32 | slot`, which ties between equal deadlines follow.
    generation: u32,
    slot: u32,
}

impl ConnId {
    pub(crate) fn new(slot: u32, generation: u32) -> Self {
        Self { generation, slot }
    }

    pub(crate) fn generation(self) -> u32 {
        self.generation
    }

    /// A small index for a driver's own table of connections: no two live
    /// connections share one, but a closed connection's slot is reused, so
    /// check the whole handle on lookup. Slots count up from 0 and stay
    /// below the most connections ever open at once.
    pub fn slot(self) -> usize {
        self.slot as usize
    }
}

impl fmt::Display for ConnId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.slot, self.generation)
    }
}

/// Which listening socket accepted a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Listener {
    /// The client port.
    Client,
    /// The server port.
    Server,
}

/// One thing for the driver to do, from [`Server::poll_output`](super::Server::poll_output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// Write `line` to the connection, after everything sent to it before,
    /// and report progress with
    /// [`handle_flushed`](super::Server::handle_flushed).
    ///
    /// `line` holds one or more whole lines, each with its `\n`: what the
    /// connection was sent since its last `Send`, back to back, so that a
    /// burst fanned out to many connections costs one output per
    /// connection rather than one per line, and goes to the socket as one
    /// contiguous buffer. A driver that frames each line on its own (a
    /// WebSocket message per line) splits it at the `\n`s.
    Send {
        /// The connection.
        to: ConnId,
        /// Whole lines, `\n` after each.
        line: Bytes,
    },
    /// Close the connection. The state machine has already forgotten it: do
    /// not report its close back. If [`CloseReason::flush_first`] says so,
    /// write what is queued for it first (within a short bound).
    Close {
        /// The connection.
        id: ConnId,
        /// Why.
        reason: CloseReason,
    },
    /// Open a TCP connection to a peer's server port and report the result
    /// with [`dial_result`](super::Server::dial_result).
    Dial {
        /// The handle the connection will have.
        id: ConnId,
        /// Where to.
        addr: PeerAddr,
    },
    /// Something worth logging or counting.
    Event(Event),
}

/// Why the state machine closed a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// Three heartbeats in a row went unanswered (§7).
    Heartbeat,
    /// Unsent output passed the send-queue limit (§8).
    SlowConsumer,
    /// The server cannot take another connection of this kind (§9).
    ServerFull,
    /// A server-port connection did not finish its handshake in time (§4).
    HandshakeTimeout,
    /// A second link to the same peer; the one-link rule closed this one (§4).
    DuplicateLink,
    /// A server-port connection turned out to be this server itself.
    SelfConnection,
    /// A server link did not prove the mesh secret (§4, `auth/1`).
    AuthFailed,
    /// Its source address holds as many connections to this port as it
    /// may (§9, per-address limits).
    TooManyFromAddress,
    /// Its source address opens connections to this port faster than it
    /// may (§9, per-address limits).
    TooFastFromAddress,
    /// A client kept flooding for `flood_disconnect` (§3, flood control).
    Flood,
}

impl CloseReason {
    /// Every reason, in the order declared.
    pub const ALL: [CloseReason; 10] = [
        CloseReason::Heartbeat,
        CloseReason::SlowConsumer,
        CloseReason::ServerFull,
        CloseReason::HandshakeTimeout,
        CloseReason::DuplicateLink,
        CloseReason::SelfConnection,
        CloseReason::AuthFailed,
        CloseReason::TooManyFromAddress,
        CloseReason::TooFastFromAddress,
        CloseReason::Flood,
    ];

    /// A short name for labels and logs: `slow-consumer`, `heartbeat` …
    pub fn name(self) -> &'static str {
        match self {
            CloseReason::Heartbeat => "heartbeat",
            CloseReason::SlowConsumer => "slow-consumer",
            CloseReason::ServerFull => "server-full",
            CloseReason::HandshakeTimeout => "handshake-timeout",
            CloseReason::DuplicateLink => "duplicate-link",
            CloseReason::SelfConnection => "self-connection",
            CloseReason::AuthFailed => "auth-failed",
            CloseReason::TooManyFromAddress => "too-many-from-address",
            CloseReason::TooFastFromAddress => "too-fast-from-address",
            CloseReason::Flood => "flood",
        }
    }

    /// Should the driver write what is queued before closing?
    pub fn flush_first(self) -> bool {
        !matches!(self, CloseReason::SlowConsumer | CloseReason::Heartbeat)
    }
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CloseReason::Heartbeat => "heartbeat unanswered",
            CloseReason::SlowConsumer => "slow consumer (send queue over its limit)",
            CloseReason::ServerFull => "server full",
            CloseReason::HandshakeTimeout => "handshake timed out",
            CloseReason::DuplicateLink => "duplicate link to the same peer",
            CloseReason::SelfConnection => "connected to itself",
            CloseReason::AuthFailed => "peer failed authentication",
            CloseReason::TooManyFromAddress => "too many connections from its address",
            CloseReason::TooFastFromAddress => "connecting too fast from its address",
            CloseReason::Flood => "flooding past the flood limit for too long",
        })
    }
}

/// Something worth logging or counting. Events change nothing; a driver may
/// ignore them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A client connected.
    ClientConnected {
        /// Its handle.
        id: ConnId,
        /// Its address.
        remote: SocketAddr,
    },
    /// A client went away.
    ClientDisconnected {
        /// Its handle.
        id: ConnId,
        /// Its address.
        remote: SocketAddr,
        /// Why: `None` when it closed itself or its socket failed.
        reason: Option<CloseReason>,
    },
    /// A client joined a room (a detail: logged at debug).
    Joined {
        /// Its handle.
        id: ConnId,
        /// Its address.
        remote: SocketAddr,
        /// Its nick.
        nick: Nick,
        /// The room.
        room: Room,
    },
    /// A client left a room by `PART` (a detail).
    Parted {
        /// Its handle.
        id: ConnId,
        /// Its address.
        remote: SocketAddr,
        /// Its nick.
        nick: Nick,
        /// The room.
        room: Room,
    },
    /// A client changed its nick (a detail).
    Renamed {
        /// Its handle.
        id: ConnId,
        /// Its address.
        remote: SocketAddr,
        /// The nick before.
        from: Nick,
        /// The nick now.
        to: Nick,
    },
    /// A peer link completed its handshake.
    ServerConnected {
        /// The link.
        id: ConnId,
        /// The peer's server-listen address.
        addr: PeerAddr,
    },
    /// A peer's `EXT` arrived: the link speaks these extensions (§4,
    /// negotiation). A link with an original server never has this event.
    Negotiated {
        /// The link.
        id: ConnId,
        /// The peer's server-listen address.
        addr: PeerAddr,
        /// What both ends offered.
        agreed: ExtensionSet,
    },
    /// A peer link ended.
    ServerDisconnected {
        /// The link.
        id: ConnId,
        /// The peer's server-listen address.
        addr: PeerAddr,
        /// Why: `None` when the peer closed it or the socket failed.
        reason: Option<CloseReason>,
    },
    /// A connection was refused (§9): the server is full, or its source
    /// address is over a per-address limit.
    Refused {
        /// Which port it came to.
        listener: Listener,
        /// Its address.
        remote: SocketAddr,
        /// Why: [`CloseReason::ServerFull`],
        /// [`CloseReason::TooManyFromAddress`] or
        /// [`CloseReason::TooFastFromAddress`].
        why: CloseReason,
    },
    /// A dial, or a dialled link's handshake, failed.
    DialFailed {
        /// The address dialled.
        addr: PeerAddr,
    },
    /// A peer has been unreachable longer than the give-up time; it is no
    /// longer dialled.
    GaveUp {
        /// The peer's address.
        addr: PeerAddr,
    },
    /// A peer sent a line that is invalid or not for servers; it was dropped.
    PeerLineDropped {
        /// The link.
        id: ConnId,
        /// The peer's address, once the handshake told it.
        addr: Option<PeerAddr>,
        /// What was wrong.
        why: String,
    },
    /// A peer link stayed down past the heartbeat timeout: the peer's
    /// members were announced gone in our rooms (§4, presence).
    PeerMembersGone {
        /// The peer's server-listen address.
        addr: PeerAddr,
        /// How many departures were announced.
        members: usize,
    },
    /// A server link did not prove the mesh secret in time, or proved it
    /// wrongly; it was closed and nothing it sent reached anyone (§4,
    /// `auth/1`).
    AuthFailed {
        /// The link.
        id: ConnId,
        /// Where it came from (accepted), or where it went (dialled).
        remote: Option<SocketAddr>,
        /// The server address it claimed or we dialled, if known.
        addr: Option<PeerAddr>,
        /// What went wrong.
        why: String,
    },
    /// A dial reached this very server: the address is another name of
    /// ours, and is never dialled again.
    SelfAlias {
        /// The address dialled.
        addr: PeerAddr,
    },
}

impl Event {
    /// Is this a detail of a client's life (a join, a part, a nick
    /// change), worth a line only when debugging?
    pub fn is_detail(&self) -> bool {
        matches!(
            self,
            Event::Joined { .. } | Event::Parted { .. } | Event::Renamed { .. }
        )
    }

    /// Is this something an operator should look at (a refusal, a peer out
    /// of reach, a line dropped), rather than the normal coming and going?
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            Event::Refused { .. }
                | Event::DialFailed { .. }
                | Event::GaveUp { .. }
                | Event::PeerLineDropped { .. }
                | Event::SelfAlias { .. }
                | Event::AuthFailed { .. }
        )
    }
}

/// One log line, in the words of the original's log (its design document,
/// §5), so that every driver logs events alike.
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let closed = |reason: &Option<CloseReason>| match reason {
            Some(reason) => reason.to_string(),
            None => "closed".to_owned(),
        };
        match self {
            Event::ClientConnected { id, remote } => {
                write!(f, "client {id} connected from {remote}")
            }
            Event::ClientDisconnected { id, remote, reason } => {
                write!(
                    f,
                    "client {id} ({remote}) disconnected ({})",
                    closed(reason)
                )
            }
            Event::Joined {
                id,
                remote,
                nick,
                room,
            } => write!(f, "client {id} ({remote}) {nick} joined {room}"),
            Event::Parted {
                id,
                remote,
                nick,
                room,
            } => write!(f, "client {id} ({remote}) {nick} left {room}"),
            Event::Renamed {
                id,
                remote,
                from,
                to,
            } => write!(f, "client {id} ({remote}) {from} is now {to}"),
            Event::ServerConnected { id, addr } => write!(f, "server {addr} connected ({id})"),
            Event::Negotiated { id, addr, agreed } => {
                write!(f, "server {addr} ({id}) speaks our extensions: {agreed}")
            }
            Event::ServerDisconnected { id, addr, reason } => {
                write!(f, "server {addr} disconnected ({id}, {})", closed(reason))
            }
            Event::Refused {
                listener: Listener::Client,
                remote,
                why,
            } => write!(f, "refused client {remote}: {why}"),
            Event::Refused {
                listener: Listener::Server,
                remote,
                why,
            } => write!(f, "refused server {remote}: {why}"),
            Event::DialFailed { addr } => write!(f, "could not connect to server {addr}"),
            Event::GaveUp { addr } => write!(f, "gave up on server {addr}: unreachable too long"),
            Event::PeerLineDropped {
                id,
                addr: Some(addr),
                why,
            } => write!(f, "dropped a line from server {addr} ({id}): {why}"),
            Event::PeerLineDropped {
                id,
                addr: None,
                why,
            } => write!(f, "dropped a line from server connection {id}: {why}"),
            Event::AuthFailed {
                id,
                remote,
                addr,
                why,
            } => {
                write!(f, "peer failed authentication ({id}")?;
                if let Some(addr) = addr {
                    write!(f, ", server {addr}")?;
                }
                if let Some(remote) = remote {
                    write!(f, ", from {remote}")?;
                }
                write!(f, "): {why}")
            }
            Event::PeerMembersGone { addr, members } => write!(
                f,
                "server {addr} stayed away: its {members} members in our rooms count as gone"
            ),
            Event::SelfAlias { addr } => {
                write!(
                    f,
                    "{addr} is this server itself; it will not be dialled again"
                )
            }
        }
    }
}
