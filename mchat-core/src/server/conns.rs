//! The table of connections: what each one is and what it owes.

use std::net::SocketAddr;
use std::time::Instant;

use std::collections::VecDeque;

use super::flood::FloodAccount;
use super::joined::JoinedRooms;
use super::mesh::Wants;
use super::output::{CloseReason, ConnId, Output};
use super::round::{PartAt, Round, Span};
use super::run::{Run, RunKey};
use super::stats::{Counters, Traffic, kind_of_line};
use crate::wire::{ExtensionSet, LineFramer, MessageKind, Nick, Nonce, PeerAddr};

/// What a connection is, in the protocol's terms.
#[derive(Debug)]
pub(crate) enum Role {
    /// A client on the client port (§3).
    Client(ClientState),
    /// We asked the driver to dial `addr`; no result yet.
    Dialing { addr: PeerAddr },
    /// We dialled `addr` and are connected from `local`; waiting for the
    /// acceptor's first `ALL_ADDRS` (§4 steps 1–2). No chat flows yet.
    Opening {
        addr: PeerAddr,
        deadline: Instant,
        local: SocketAddr,
        auth: OpeningAuth,
    },
    /// Accepted on the server port from `remote`; waiting for `MY_ADDR`
    /// (§4 step 4), and first for a proof of the secret if we have one.
    Candidate {
        deadline: Instant,
        remote: SocketAddr,
        auth: CandidateAuth,
    },
    /// Refused because the server is full; only an `ERROR` and a close follow.
    Refused,
    /// An established peer link (§4). `agreed` is what the link speaks
    /// once the peer's `EXT` came; until then (and for ever with an
    /// original server) nothing beyond the original protocol.
    Peer {
        addr: PeerAddr,
        dialler: Dialler,
        /// When its handshake completed: only links that complete within a
        /// handshake timeout of each other are settled by the one-link rule.
        since: Instant,
        agreed: Option<ExtensionSet>,
        wants: Wants,
        /// What the link carried while up (for monitoring).
        traffic: Traffic,
    },
}

/// Where a link we dialled is in proving the secret (§4, `auth/1`).
#[derive(Debug)]
pub(crate) enum OpeningAuth {
    /// No secret: the original handshake.
    Open,
    /// Waiting for the acceptor's `AUTH_HELLO`.
    AwaitingHello,
    /// We sent our proof and challenge; waiting for the acceptor's proof.
    /// (Boxed: a connection's role is as big as its biggest kind, and
    /// every client would pay for this one's nonces.)
    AwaitingOk(Box<AwaitedProof>),
    /// Both proofs checked: the original handshake follows.
    Proven,
}

/// What checking the acceptor's proof takes (§4, `auth/1`).
#[derive(Debug)]
pub(crate) struct AwaitedProof {
    pub acceptor: PeerAddr,
    pub acceptor_nonce: Nonce,
    pub our_nonce: Nonce,
}

/// Where a candidate is in proving the secret (§4, `auth/1`).
#[derive(Debug)]
pub(crate) enum CandidateAuth {
    /// No secret: the original handshake.
    Open,
    /// We sent `AUTH_HELLO` with this challenge; waiting for its proof.
    Challenged { nonce: Nonce },
    /// It proved the secret as the server at `addr`; its `MY_ADDR` must
    /// name that address.
    Proven { addr: PeerAddr },
}

/// Which end of a server link dialled it: what the one-link-per-pair rule
/// decides by (§4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialler {
    Us,
    Them,
}

impl Dialler {
    pub fn other(self) -> Self {
        match self {
            Dialler::Us => Dialler::Them,
            Dialler::Them => Dialler::Us,
        }
    }
}

/// What the server knows of one client.
#[derive(Debug)]
pub(crate) struct ClientState {
    pub nick: Nick,
    /// Rooms in the order joined (departure notices follow it).
    pub rooms: JoinedRooms,
    /// Where it connected from (§9, per-address limits).
    pub remote: SocketAddr,
    /// What it may still send (§3, flood control).
    pub flood: FloodAccount,
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Conn {
    pub role: Role,
    pub framer: LineFramer,
    /// Bytes handed to the driver and not yet reported flushed (§8).
    pub queued: usize,
    /// `HEART`s sent since the last `BLEED` (§7).
    pub missed_beats: u32,
    /// Closing: nothing more is sent to it.
    pub doomed: bool,
    /// Addresses its gossip made us plan to dial (§4, gossip hygiene).
    pub learnt_addrs: usize,
    /// Its last part of the round (`round.rs`).
    part_at: PartAt,
}

impl Conn {
    pub fn new(role: Role) -> Self {
        Self {
            role,
            framer: LineFramer::new(),
            queued: 0,
            missed_beats: 0,
            doomed: false,
            learnt_addrs: 0,
            part_at: PartAt::default(),
        }
    }

    /// Does this connection take part in keep-alive (§7)?
    pub fn beats(&self) -> bool {
        matches!(self.role, Role::Client(_) | Role::Peer { .. })
    }
}

/// A line written into the round once ([`Wires::append`]).
pub(crate) struct Appended {
    span: Span,
    kind: Option<MessageKind>,
}

/// Connections by handle, plus the output queue: everything needed to send
/// a line and account for it, kept apart from the room table so that a
/// fan-out can walk a room while it sends.
#[derive(Debug, Default)]
pub(crate) struct Wires {
    slots: Vec<Slot>,
    free: Vec<u32>,
    pub out: VecDeque<Output>,
    /// What was sent since the outputs were last polled, and to whom.
    round: Round,
    /// The room's lines being sent one after another, if they are.
    run: Run,
    /// Connections over a limit, to be closed once the current input is
    /// handled (closing one can send to others; no recursion).
    pub doomed: Vec<(ConnId, CloseReason)>,
    pub client_queue_limit: usize,
    pub peer_queue_limit: usize,
    /// What the server counted (for monitoring).
    pub counters: Counters,
}

#[derive(Debug, Default)]
struct Slot {
    generation: u32,
    conn: Option<Conn>,
}

fn split(id: ConnId) -> (usize, u32) {
    (id.slot(), id.generation())
}

/// The live connection `id` names, if any (a field borrow, so the rest of
/// the table stays free to use beside it).
fn conn_mut(slots: &mut [Slot], id: ConnId) -> Option<&mut Conn> {
    let (index, generation) = split(id);
    slots
        .get_mut(index)
        .filter(|s| s.generation == generation)
        .and_then(|s| s.conn.as_mut())
}

impl Wires {
    pub fn new(client_queue_limit: usize, peer_queue_limit: usize) -> Self {
        Self {
            client_queue_limit,
            peer_queue_limit,
            ..Self::default()
        }
    }

    pub fn insert(&mut self, conn: Conn) -> ConnId {
        if let Some(index) = self.free.pop()
            && let Some(slot) = self.slots.get_mut(index as usize)
        {
            slot.generation = slot.generation.wrapping_add(1);
            slot.conn = Some(conn);
            return ConnId::new(index, slot.generation);
        }
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            generation: 1,
            conn: Some(conn),
        });
        ConnId::new(index, 1)
    }

    pub fn get(&self, id: ConnId) -> Option<&Conn> {
        let (index, generation) = split(id);
        self.slots
            .get(index)
            .filter(|s| s.generation == generation)
            .and_then(|s| s.conn.as_ref())
    }

    pub fn get_mut(&mut self, id: ConnId) -> Option<&mut Conn> {
        conn_mut(&mut self.slots, id)
    }

    /// Forgets a connection, its unsealed lines with it.
    pub fn remove(&mut self, id: ConnId) -> Option<Conn> {
        let (index, generation) = split(id);
        let slot = self
            .slots
            .get_mut(index)
            .filter(|s| s.generation == generation)?;
        let conn = slot.conn.take()?;
        self.free.push(index as u32);
        Some(conn)
    }

    /// Every live connection's handle, in a fixed order.
    /// How many phases after `phase` the next one with an open connection
    /// comes (`phases` if none but `phase` itself has one, or none at all).
    pub fn phases_to_next_open(&self, phase: usize, phases: usize) -> usize {
        let phases = phases.max(1);
        (1..phases)
            .find(|ahead| {
                self.slots
                    .iter()
                    .skip((phase + ahead) % phases)
                    .step_by(phases)
                    .any(|s| s.conn.is_some())
            })
            .unwrap_or(phases)
    }

    /// The open connections whose slot is `phase` modulo `phases`.
    pub fn ids_in_phase(&self, phase: usize, phases: usize) -> Vec<ConnId> {
        self.slots
            .iter()
            .zip(0u32..)
            .skip(phase)
            .step_by(phases.max(1))
            .filter(|(s, _)| s.conn.is_some())
            .map(|(s, i)| ConnId::new(i, s.generation))
            .collect()
    }

    /// Unsent bytes over every connection.
    pub fn queued_bytes(&self) -> usize {
        self.slots
            .iter()
            .filter_map(|s| s.conn.as_ref())
            .map(|c| c.queued)
            .sum()
    }

    /// Forgets a connection the server closes for `reason`: what it was
    /// sent goes out first (if the reason says to write it), then the
    /// `Output::Close`.
    pub fn close(&mut self, id: ConnId, reason: CloseReason) -> Option<Conn> {
        if reason.flush_first() && self.get(id).is_some() {
            self.seal_all();
        }
        let conn = self.remove(id)?;
        self.counters.closed.add(reason, 1);
        self.out.push_back(Output::Close { id, reason });
        Some(conn)
    }

    /// Queues `line` for `to`, unless it is closing; dooms it if its unsent
    /// bytes pass its limit (§8). The line joins the round, and reaches the
    /// driver when the outputs are polled (`round.rs`).
    pub fn send(&mut self, to: ConnId, line: &[u8]) {
        self.send_each([to], line);
    }

    /// [`send`](Self::send) to each of `to`: the line is written into the
    /// round and its type found once. Returns the line, for peers to be
    /// given a share of it too.
    pub fn send_each(&mut self, to: impl IntoIterator<Item = ConnId>, line: &[u8]) -> Appended {
        self.send_pieces_each(to, &[line])
    }

    /// [`send_each`](Self::send_each) of the line made of `pieces` (a
    /// text and its `\n`, without putting them together first).
    pub fn send_pieces_each(
        &mut self,
        to: impl IntoIterator<Item = ConnId>,
        pieces: &[&[u8]],
    ) -> Appended {
        let line = self.append(pieces);
        self.give_each(to, &line, 1);
        line
    }

    /// Gives each of `to` its share of `line` (`lines` lines) and counts
    /// what was given.
    fn give_each(&mut self, to: impl IntoIterator<Item = ConnId>, line: &Appended, lines: u64) {
        let given = to.into_iter().filter(|&id| self.give(id, line)).count();
        self.counters
            .sent(line.span.len(), line.kind, lines, given as u64);
    }

    /// Sends a line of a room to its `members` (but `key.except`), as
    /// [`send_pieces_each`](Self::send_pieces_each) does; a line that
    /// follows one of the same room to the same members joins its run
    /// (`run.rs`), and is given to them when the run is settled.
    /// `members` is called only if the line does not join a run.
    pub fn send_to_room<I: IntoIterator<Item = ConnId>>(
        &mut self,
        key: &RunKey<'_>,
        members: impl FnOnce() -> I,
        pieces: &[&[u8]],
    ) -> Appended {
        let kind = pieces.first().and_then(|first| kind_of_line(first));
        let except = key.except;
        if !self.round.is_full() && self.run.continues(key, kind, self.round.end_offset()) {
            if self.run.wants_members() {
                let others = members().into_iter().filter(|&m| Some(m) != except);
                self.run.take_members(others);
            }
            let span = self.round.append(pieces);
            self.run.lengthen(span);
            return Appended { span, kind };
        }
        let line = self.append(pieces);
        let others = members().into_iter().filter(|&m| Some(m) != except);
        self.give_each(others, &line, 1);
        self.run.open(key, kind, line.span.end_offset());
        line
    }

    /// Gives the open run's pending lines to its members, and closes it.
    /// Called before anything else is written into the round, and at the
    /// end of every input (`Server::reap`).
    pub fn settle_run(&mut self) {
        let Some(settled) = self.run.settle() else {
            return;
        };
        let members = self.run.members();
        let pending = Appended {
            span: settled.span,
            kind: settled.kind,
        };
        self.give_each(members.iter().copied(), &pending, settled.lines);
        self.run.put_members(members);
    }

    /// Writes a line into the round, to be given to each connection that
    /// is to get it, then counted; valid until the next `append`.
    pub fn append(&mut self, pieces: &[&[u8]]) -> Appended {
        self.settle_run();
        if self.round.is_full() {
            self.seal_all();
        }
        Appended {
            span: self.round.append(pieces),
            kind: pieces.first().and_then(|first| kind_of_line(first)),
        }
    }

    /// Counts a line as sent to `given` connections.
    pub fn sent(&mut self, line: &Appended, given: usize) {
        self.counters
            .sent(line.span.len(), line.kind, 1, given as u64);
    }

    /// Gives `to` its share of a line; `false` if it takes no more.
    pub fn give(&mut self, to: ConnId, line: &Appended) -> bool {
        let (span, len) = (line.span, line.span.len());
        let (client_limit, peer_limit) = (self.client_queue_limit, self.peer_queue_limit);
        let Some(conn) = conn_mut(&mut self.slots, to) else {
            return false;
        };
        if conn.doomed {
            return false;
        }
        conn.queued += len;
        let limit = match &mut conn.role {
            Role::Client(_) => client_limit,
            Role::Peer { traffic, .. } => {
                traffic.lines_out += 1;
                traffic.bytes_out += len as u64;
                peer_limit
            }
            _ => peer_limit,
        };
        if conn.queued > limit {
            conn.doomed = true;
            self.doomed.push((to, CloseReason::SlowConsumer));
            return false;
        }
        self.round.give(to, &mut conn.part_at, span);
        true
    }

    /// Ends the round: each connection's part of it goes to the driver as
    /// one `Output::Send`, in the order the parts began; parts of
    /// connections gone or closing are dropped.
    pub fn seal_all(&mut self) {
        self.settle_run();
        for (to, line) in self.round.seal() {
            if let Some(conn) = conn_mut(&mut self.slots, to) {
                conn.part_at = PartAt::default();
                if !conn.doomed {
                    self.out.push_back(Output::Send { to, line });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Conn {
        Conn::new(Role::Refused)
    }

    #[test]
    fn a_freed_slot_is_reused_under_a_new_generation_and_the_old_handle_finds_nothing() {
        let mut wires = Wires::new(100, 100);
        let a = wires.insert(client());
        let b = wires.insert(client());
        assert_eq!((a.slot(), b.slot()), (0, 1));
        assert!(wires.remove(a).is_some());
        assert!(wires.remove(a).is_none(), "removed twice");
        let c = wires.insert(client());
        assert_eq!(c.slot(), a.slot());
        assert_ne!(c, a);
        assert!(
            wires.get(a).is_none(),
            "a stale handle reached the new connection"
        );
        assert!(wires.get(c).is_some() && wires.get(b).is_some());
    }

    #[test]
    fn phases_hold_the_slots_equal_modulo_the_phase_count() {
        let mut wires = Wires::new(100, 100);
        let ids: Vec<ConnId> = (0..7).map(|_| wires.insert(client())).collect();
        assert_eq!(wires.ids_in_phase(1, 3), vec![ids[1], ids[4]]);
        wires.remove(ids[4]);
        assert_eq!(wires.ids_in_phase(1, 3), vec![ids[1]]);
        // Slots 0..7 fill phases 0, 1 and 2 of 5, then 3, 4 wrap to 0, 1.
        assert_eq!(wires.phases_to_next_open(0, 5), 1);
        // Only slots 0 and 5 left, both phase 0 of 5: the next is a full turn.
        for id in [ids[1], ids[2], ids[3], ids[6]] {
            wires.remove(id);
        }
        assert_eq!(wires.phases_to_next_open(0, 5), 5);
        assert_eq!(wires.phases_to_next_open(3, 5), 2);
    }

    #[test]
    fn a_send_past_the_limit_dooms_the_connection_instead_of_queueing() {
        let mut wires = Wires::new(10, 100);
        let id = wires.insert(Conn::new(Role::Client(ClientState {
            nick: Nick::from_trusted("n".to_owned()),
            rooms: JoinedRooms::default(),
            remote: SocketAddr::from(([192, 0, 2, 1], 1)),
            flood: FloodAccount::new(
                &crate::server::ServerConfig::new(crate::wire::PeerAddr::new(
                    crate::wire::Host::new("h").unwrap(),
                    std::num::NonZeroU16::MIN,
                )),
                Instant::now(),
            ),
        })));
        wires.send(id, b"1234\n");
        wires.send(id, b"1234\n");
        wires.seal_all();
        assert_eq!(wires.out.len(), 1, "two lines, one output");
        wires.send(id, b"123456\n");
        assert_eq!(wires.doomed, vec![(id, CloseReason::SlowConsumer)]);
        wires.send(id, b"x\n");
        wires.seal_all();
        assert_eq!(wires.out.len(), 1, "a doomed connection was sent more");
    }
}

/// What each connection costs the state machine, inline, is the budget of
/// docs/performance.md ("where an idle client's bytes go"): a new field
/// that makes it bigger for every client must say so there.
#[cfg(test)]
mod sizes {
    use super::*;

    #[test]
    fn a_connection_fits_the_memory_budget() {
        assert!(
            size_of::<Conn>() <= 192,
            "Conn is {} bytes",
            size_of::<Conn>()
        );
        // A client's role is the biggest: handshake states stay boxed.
        assert_eq!(size_of::<Role>(), size_of::<ClientState>() + 8);
        assert!(size_of::<LineFramer>() <= 16);
    }
}
