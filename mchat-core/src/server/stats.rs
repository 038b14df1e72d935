//! What a server counts, for monitoring (a driver's `/metrics` and
//! `/status`): lines and bytes by kind, `ERROR`s by code, closes by
//! reason, dials, and each peer link's traffic. Counted where the state
//! machine already handles each thing, in plain integers: a delivery costs
//! two additions and a look at the line's first bytes.

use std::time::Instant;

use super::output::{CloseReason, Event};
use crate::wire::{ErrorCode, MessageKind, PeerAddr};

/// Something counted by kind: a message type, an error code, a close
/// reason.
pub trait Tallied: Copy + 'static {
    /// Every kind, in a fixed order.
    const ALL: &'static [Self];
    /// This kind's place in [`ALL`](Self::ALL).
    fn index(self) -> usize;
}

impl Tallied for MessageKind {
    const ALL: &'static [Self] = &MessageKind::ALL;
    fn index(self) -> usize {
        self as usize
    }
}

impl Tallied for ErrorCode {
    const ALL: &'static [Self] = &ErrorCode::ALL;
    fn index(self) -> usize {
        self as usize
    }
}

impl Tallied for CloseReason {
    const ALL: &'static [Self] = &CloseReason::ALL;
    fn index(self) -> usize {
        self as usize
    }
}

/// A count for each kind of `K`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tally<K> {
    counts: Vec<u64>,
    _kind: std::marker::PhantomData<K>,
}

impl<K: Tallied> Default for Tally<K> {
    fn default() -> Self {
        Self {
            counts: vec![0; K::ALL.len()],
            _kind: std::marker::PhantomData,
        }
    }
}

impl<K: Tallied> Tally<K> {
    /// The count of `kind`.
    pub fn get(&self, kind: K) -> u64 {
        self.counts.get(kind.index()).copied().unwrap_or(0)
    }

    /// Every kind with its count, zeros included, in `K::ALL`'s order.
    pub fn iter(&self) -> impl Iterator<Item = (K, u64)> + '_ {
        K::ALL.iter().map(|&k| (k, self.get(k)))
    }

    /// All counts added up.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub(crate) fn add(&mut self, kind: K, n: u64) {
        if let Some(count) = self.counts.get_mut(kind.index()) {
            *count += n;
        }
    }
}

/// What a server has counted since it started (monotonic counters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Client connections taken (refused ones not included).
    pub clients_accepted: u64,
    /// Connections refused at once (§9): full, or over a per-address limit.
    pub connections_refused: u64,
    /// Lines received that parsed, by type, from every connection.
    pub lines_received: Tally<MessageKind>,
    /// Lines received that did not parse (each answered or dropped, §6).
    pub lines_malformed: u64,
    /// Lines queued for sending, by type, to every connection.
    pub lines_sent: Tally<MessageKind>,
    /// Bytes read from every connection.
    pub bytes_received: u64,
    /// Bytes queued for sending to every connection.
    pub bytes_sent: u64,
    /// `ERROR` lines sent to clients, by code.
    pub errors_sent: Tally<ErrorCode>,
    /// Connections the server closed, by reason (slow consumers, heartbeat
    /// closes, floods, refusals …).
    pub closed: Tally<CloseReason>,
    /// Dials of peers started.
    pub dials: u64,
    /// Dials, or the handshakes after them, that failed.
    pub dials_failed: u64,
    /// Peer links established (dialled or accepted).
    pub links_established: u64,
    /// Peer links lost (closed by either side or failed).
    pub links_lost: u64,
    /// Lost peer links set to be dialled again (§4, reconnect).
    pub reconnects: u64,
    /// Server links that failed to prove the mesh secret (§4, `auth/1`).
    pub auth_failures: u64,
    /// Peers given up on after being unreachable too long.
    pub peers_given_up: u64,
}

impl Counters {
    /// Counts what an event reports.
    pub(super) fn saw(&mut self, event: &Event) {
        match event {
            Event::ClientConnected { .. } => self.clients_accepted += 1,
            Event::Refused { .. } => self.connections_refused += 1,
            Event::ServerConnected { .. } => self.links_established += 1,
            Event::ServerDisconnected { .. } => self.links_lost += 1,
            Event::DialFailed { .. } => self.dials_failed += 1,
            Event::GaveUp { .. } => self.peers_given_up += 1,
            Event::AuthFailed { .. } => self.auth_failures += 1,
            _ => {}
        }
    }

    /// `lines` lines of `kind`, `len` bytes together, queued for `times`
    /// connections.
    pub(super) fn sent(&mut self, len: usize, kind: Option<MessageKind>, lines: u64, times: u64) {
        self.bytes_sent += len as u64 * times;
        if let Some(kind) = kind {
            self.lines_sent.add(kind, lines * times);
        }
    }
}

/// The types a server sends, by the start of their line; the common ones
/// first, and a longer word before a word it starts with.
const SENT_PREFIXES: [(&[u8], MessageKind); 16] = [
    (b"MSG ", MessageKind::Msg),
    (b"SYSTEM ", MessageKind::System),
    (b"HEART", MessageKind::Heart),
    (b"BLEED", MessageKind::Bleed),
    (b"ERROR ", MessageKind::Error),
    (b"MEMBERS_END ", MessageKind::MembersEnd),
    (b"MEMBERS ", MessageKind::Members),
    (b"EXT ", MessageKind::Ext),
    (b"MY_ADDR ", MessageKind::MyAddr),
    (b"ALL_ADDRS", MessageKind::AllAddrs),
    (b"INTEREST_ADD ", MessageKind::InterestAdd),
    (b"INTEREST_DEL ", MessageKind::InterestDel),
    (b"INTEREST_SYNCED", MessageKind::InterestSynced),
    (b"AUTH_HELLO ", MessageKind::AuthHello),
    (b"AUTH_PROOF ", MessageKind::AuthProof),
    (b"AUTH_OK ", MessageKind::AuthOk),
];

/// The type of a line the server itself encoded, from its first bytes
/// (cheaper than parsing it again): `None` for a type servers never send.
pub(super) fn kind_of_line(line: &[u8]) -> Option<MessageKind> {
    SENT_PREFIXES
        .iter()
        .find(|(prefix, _)| line.starts_with(prefix))
        .map(|&(_, kind)| kind)
}

/// One peer link's traffic, counted while it is up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Lines received from the peer.
    pub lines_in: u64,
    /// Lines queued for the peer.
    pub lines_out: u64,
    /// Bytes read from the peer.
    pub bytes_in: u64,
    /// Bytes queued for the peer.
    pub bytes_out: u64,
}

/// Where this server stands with a peer it knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LinkState {
    /// The link is up.
    Established,
    /// A dial is under way.
    Dialling,
    /// The last dial failed; the next is due then.
    BackingOff {
        /// When the next dial is due.
        until: Instant,
    },
    /// Unreachable too long: no longer dialled (since then).
    GivenUp {
        /// When it was given up on.
        at: Instant,
    },
}

/// A peer as [`Server::peer_links`](super::Server::peer_links) lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeerLink {
    /// Its server-listen address.
    pub addr: PeerAddr,
    /// Where the link stands.
    pub state: LinkState,
    /// Its traffic while established (`None` otherwise).
    pub traffic: Option<Traffic>,
}

/// Where a server stands now (gauges), beside its [`Counters`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Gauges {
    /// Clients connected.
    pub clients: usize,
    /// Peer links up.
    pub peers_up: usize,
    /// Rooms with local members.
    pub rooms: usize,
    /// Local memberships (a client in three rooms counts three).
    pub members: usize,
    /// Bytes handed to the driver and not yet written, over every
    /// connection.
    pub queued_bytes: usize,
    /// Server-port connections in their handshake.
    pub handshakes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_a_server_sends_is_told_by_its_first_bytes() {
        use crate::wire::Message;
        let lines = [
            "MSG a r t",
            "SYSTEM r a joined channel",
            "HEART",
            "BLEED",
            "ERROR flood slow down",
            "EXT gossip/1",
            "MEMBERS r a b",
            "MEMBERS_END r",
            "MY_ADDR h 1",
            "ALL_ADDRS h 1",
            "INTEREST_ADD r",
            "INTEREST_DEL r",
            "INTEREST_SYNCED",
        ];
        for line in lines {
            let kind = Message::parse(line).unwrap().kind();
            assert_eq!(kind_of_line(line.as_bytes()), Some(kind), "{line}");
        }
        assert_eq!(kind_of_line(b"JOIN r\n"), None, "servers send no JOIN");
    }

    #[test]
    fn a_tally_counts_each_kind_apart() {
        let mut tally = Tally::<ErrorCode>::default();
        tally.add(ErrorCode::Flood, 2);
        tally.add(ErrorCode::NotJoined, 1);
        assert_eq!(tally.get(ErrorCode::Flood), 2);
        assert_eq!(tally.get(ErrorCode::BadNick), 0);
        assert_eq!(tally.total(), 3);
        assert_eq!(tally.iter().count(), ErrorCode::ALL.len());
    }
}
