//! The server side of the server: PROTOCOL.md §4 — the discovery handshake
//! from both ends, forwarding of peer lines, gossip, one link per pair, and
//! reconnecting with backoff.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::backoff::doubled;
use super::conns::Role;
use super::output::{CloseReason, ConnId, Event, Listener, Output};
use super::{BLEED, Server};
use crate::wire::{Frame, Message, PeerAddr};

/// A peer address to dial: when, and how the last attempts went.
#[derive(Clone, Debug)]
pub(super) struct DialPlan {
    /// When to dial next.
    pub due: Instant,
    /// The delay that led to `due`; doubles after each failure.
    pub delay: Duration,
    /// Since when the peer has been out of reach, for the give-up rule.
    pub unreachable_since: Instant,
    /// The dial under way, if any.
    pub in_flight: Option<ConnId>,
}

impl Server {
    /// A connection on the server port becomes a candidate: it is sent our
    /// `ALL_ADDRS` at once and must answer `MY_ADDR` in time (§4 steps 2, 4).
    pub(super) fn accept_server(&mut self, remote: SocketAddr, now: Instant) -> ConnId {
        if self.server_links >= self.config.max_servers {
            return self.refuse_connection(Listener::Server, remote);
        }
        let deadline = now + self.config.handshake_timeout;
        let id = self.insert(Role::Candidate { deadline, remote });
        self.server_links += 1;
        self.deadlines.insert((deadline, id));
        for line in self.all_addrs(None, now) {
            self.wires.send(id, &line);
        }
        if let Some(dialled) = self.pending_handshake(
            |role| matches!(role, Role::Opening { local, .. } if *local == remote),
        ) {
            self.found_self(dialled, id);
        }
        id
    }

    /// The pending handshake (candidate or dialled link) whose role matches.
    fn pending_handshake(&self, matches: impl Fn(&Role) -> bool) -> Option<ConnId> {
        self.deadlines
            .iter()
            .map(|&(_, id)| id)
            .find(|&id| self.wires.get(id).is_some_and(|c| matches(&c.role)))
    }

    /// Our dial `dialled` arrived at our own server port as `candidate`: the
    /// address dialled is another name of ours. It is never dialled again.
    fn found_self(&mut self, dialled: ConnId, candidate: ConnId) {
        if let Some(Role::Opening { addr, .. }) = self.wires.get(dialled).map(|c| &c.role) {
            let alias = addr.clone();
            self.plans.remove(&alias);
            self.aliases
                .insert(alias.clone(), self.config.advertised.clone());
            self.event(Event::SelfAlias { addr: alias });
        }
        self.doom(dialled, CloseReason::SelfConnection);
        self.doom(candidate, CloseReason::SelfConnection);
    }

    pub(super) fn on_dial_result(
        &mut self,
        id: ConnId,
        connected_from: Option<SocketAddr>,
        now: Instant,
    ) {
        let Some(conn) = self.wires.get_mut(id) else {
            return;
        };
        let Role::Dialing { addr } = &conn.role else {
            return;
        };
        let Some(local) = connected_from else {
            self.drop_conn(id, None, now);
            return;
        };
        // Connected: the acceptor speaks first (§4 step 2).
        let deadline = now + self.config.open_timeout;
        conn.role = Role::Opening {
            addr: addr.clone(),
            deadline,
            local,
        };
        self.deadlines.insert((deadline, id));
        if let Some(candidate) = self.pending_handshake(
            |role| matches!(role, Role::Candidate { remote, .. } if *remote == local),
        ) {
            self.found_self(id, candidate);
        }
    }

    /// A candidate counts only once it sends `MY_ADDR`; anything else from it
    /// is ignored (§4 step 4).
    pub(super) fn on_candidate_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let Ok(line) = frame else { return };
        if let Ok(Message::MyAddr(addr)) = Message::parse(line.as_str()) {
            if let Some(Role::Candidate { deadline, .. }) = self.wires.get(id).map(|c| &c.role) {
                self.deadlines.remove(&(*deadline, id));
            }
            self.establish(id, addr, false, now);
        }
    }

    /// A link we dialled waits for the acceptor's first `ALL_ADDRS`, answers
    /// it with `MY_ADDR`, and is then a peer link (§4 step 3).
    pub(super) fn on_opening_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let message = match frame.map(|line| Message::parse(line.as_str())) {
            Ok(Ok(message)) => message,
            Ok(Err(e)) => return self.peer_line_dropped(id, e.to_string()),
            Err(e) => return self.peer_line_dropped(id, e.to_string()),
        };
        match message {
            Message::AllAddrs(list) => {
                let Some(Role::Opening { addr, deadline, .. }) =
                    self.wires.get(id).map(|c| &c.role)
                else {
                    return;
                };
                let (addr, deadline) = (addr.clone(), *deadline);
                self.deadlines.remove(&(deadline, id));
                self.send_my_addr(id);
                self.establish(id, addr, true, now);
                self.learn(list.into_vec(), now);
            }
            Message::Heart => self.wires.send(id, &BLEED),
            other => self.peer_line_dropped(id, format!("{} before ALL_ADDRS", other.kind())),
        }
    }

    /// A line on an established link (§4): chat and notices go to local
    /// members only; nothing is relayed further.
    pub(super) fn on_peer_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let line = match frame {
            Ok(line) => line,
            Err(e) => return self.peer_line_dropped(id, e.to_string()),
        };
        let message = match Message::parse(line.as_str()) {
            Ok(message) => message,
            Err(e) => return self.peer_line_dropped(id, e.to_string()),
        };
        match message {
            Message::Msg(chat) => self.deliver_locally(chat.room().as_str(), line.to_bytes()),
            Message::System(notice) => {
                self.deliver_locally(notice.room().as_str(), line.to_bytes())
            }
            Message::Heart => self.wires.send(id, &BLEED),
            Message::Bleed => self.heard_bleed(id),
            Message::AllAddrs(list) => {
                self.send_my_addr(id);
                self.learn(list.into_vec(), now);
            }
            Message::MyAddr(addr) => self.peer_named_itself(id, addr, now),
            other => self.peer_line_dropped(
                id,
                format!("{} is not a message a server sends", other.kind()),
            ),
        }
    }

    fn deliver_locally(&mut self, room: &str, line: bytes::Bytes) {
        for member in self.rooms.members(room) {
            self.wires.send(member, &line);
        }
    }

    fn peer_line_dropped(&mut self, id: ConnId, why: String) {
        let addr = match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Peer { addr, .. } | Role::Opening { addr, .. }) => Some(addr.clone()),
            _ => None,
        };
        self.event(Event::PeerLineDropped { id, addr, why });
    }

    fn send_my_addr(&mut self, id: ConnId) {
        let line = Message::MyAddr(self.config.advertised.clone()).encode();
        self.wires.send(id, &line);
    }

    /// The name a peer is known by: what it advertises, once we know it.
    fn canonical(&self, addr: PeerAddr) -> PeerAddr {
        self.aliases.get(&addr).cloned().unwrap_or(addr)
    }

    /// Does the one-link rule keep a link to `peer` dialled by us (`true`)
    /// or by them? The link dialled by the lower address is kept (§4).
    fn keeps_dialled_by_us(&self, peer: &PeerAddr) -> bool {
        self.config.advertised < *peer
    }

    /// A handshake finished: the link becomes the peer link for `addr`,
    /// unless it is ourselves or the one-link rule prefers another link.
    fn establish(&mut self, id: ConnId, addr: PeerAddr, dialled_by_us: bool, now: Instant) {
        let addr = self.canonical(addr);
        if !self.register_peer(id, addr.clone(), dialled_by_us) {
            return;
        }
        self.event(Event::ServerConnected { id, addr });
        // Gossip on a new peer (§4, mesh upkeep).
        self.gossip(now);
        let _ = now;
    }

    /// Makes `id` the link to `addr`; `false` if it was closed instead.
    fn register_peer(&mut self, id: ConnId, addr: PeerAddr, dialled_by_us: bool) -> bool {
        if addr == self.config.advertised {
            self.doom(id, CloseReason::SelfConnection);
            return false;
        }
        let Some(conn) = self.wires.get_mut(id) else {
            return false;
        };
        conn.role = Role::Peer {
            addr: addr.clone(),
            dialled_by_us,
        };
        self.plans.remove(&addr);
        self.given_up.remove(&addr);
        if let Some(&old) = self.peers.get(&addr)
            && old != id
        {
            let old_dialled_by_us = match self.wires.get(old).map(|c| &c.role) {
                Some(Role::Peer { dialled_by_us, .. }) => *dialled_by_us,
                _ => !dialled_by_us,
            };
            let wanted = self.keeps_dialled_by_us(&addr);
            if dialled_by_us == wanted && old_dialled_by_us != wanted {
                self.peers.insert(addr, id);
                self.doom(old, CloseReason::DuplicateLink);
                return true;
            }
            self.doom(id, CloseReason::DuplicateLink);
            return false;
        }
        self.peers.insert(addr, id);
        true
    }

    /// `MY_ADDR` on an established link. An original server ignores it; we
    /// use it to learn the advertised name of a peer we dialled by another
    /// name (say `localhost` for `127.0.0.1`), so that gossip naming it the
    /// advertised way does not make us dial it twice.
    fn peer_named_itself(&mut self, id: ConnId, named: PeerAddr, _now: Instant) {
        let Some(Role::Peer {
            addr,
            dialled_by_us: true,
        }) = self.wires.get(id).map(|c| &c.role)
        else {
            return;
        };
        if *addr == named {
            return;
        }
        let old = addr.clone();
        if self.peers.get(&old) == Some(&id) {
            self.peers.remove(&old);
        }
        self.plans.remove(&old);
        self.aliases.insert(old, named.clone());
        self.register_peer(id, named, true);
    }

    /// Addresses from an `ALL_ADDRS`: dial those we lack (§4 step 3). The
    /// higher of two servers waits a moment, so that the lower, which hears
    /// the same gossip, dials first and the pair builds one link.
    fn learn(&mut self, addrs: Vec<PeerAddr>, now: Instant) {
        for addr in addrs {
            let addr = self.canonical(addr);
            if addr == self.config.advertised
                || self.peers.contains_key(&addr)
                || self.plans.contains_key(&addr)
            {
                continue;
            }
            let due = if self.keeps_dialled_by_us(&addr) {
                now
            } else {
                now + self.config.dial_defer
            };
            self.plan_dial(addr, due, now);
        }
        self.fire_due_plans(now);
    }

    /// Sends our `ALL_ADDRS` to every established peer.
    pub(super) fn gossip(&mut self, now: Instant) {
        let peers: Vec<(PeerAddr, ConnId)> =
            self.peers.iter().map(|(a, &id)| (a.clone(), id)).collect();
        for (addr, id) in peers {
            for line in self.all_addrs(Some(&addr), now) {
                self.wires.send(id, &line);
            }
        }
    }

    pub(super) fn plan_dial(&mut self, addr: PeerAddr, due: Instant, now: Instant) {
        let delay = self.config.reconnect_initial;
        self.plans.insert(
            addr,
            DialPlan {
                due,
                delay,
                unreachable_since: now,
                in_flight: None,
            },
        );
    }

    /// Starts every dial whose time has come.
    pub(super) fn fire_due_plans(&mut self, now: Instant) {
        let due: Vec<PeerAddr> = self
            .plans
            .iter()
            .filter(|(_, p)| p.in_flight.is_none() && p.due <= now)
            .map(|(a, _)| a.clone())
            .collect();
        for addr in due {
            if self.peers.contains_key(&addr) {
                self.plans.remove(&addr);
                continue;
            }
            if self.server_links >= self.config.max_servers {
                // Full: look again later rather than spin.
                if let Some(plan) = self.plans.get_mut(&addr) {
                    plan.due = now + self.config.reconnect_initial;
                }
                continue;
            }
            let id = self.insert(Role::Dialing { addr: addr.clone() });
            self.server_links += 1;
            if let Some(plan) = self.plans.get_mut(&addr) {
                plan.in_flight = Some(id);
            }
            self.wires.out.push_back(Output::Dial { id, addr });
        }
    }

    /// A dial, or the handshake of a link we dialled, failed: try again
    /// later with a doubled delay, or give up (§4, reconnect).
    pub(super) fn dial_failed(&mut self, addr: &PeerAddr, now: Instant) {
        let Some(plan) = self.plans.get_mut(addr) else {
            return;
        };
        plan.in_flight = None;
        self.wires
            .out
            .push_back(super::Output::Event(Event::DialFailed {
                addr: addr.clone(),
            }));
        let Some(plan) = self.plans.get_mut(addr) else {
            return;
        };
        if now.saturating_duration_since(plan.unreachable_since) >= self.config.reconnect_give_up {
            self.plans.remove(addr);
            self.given_up.insert(addr.clone(), now);
            self.event(Event::GaveUp { addr: addr.clone() });
            return;
        }
        plan.delay = doubled(plan.delay, self.config.reconnect_max);
        let delay = plan.delay;
        let due = now + self.jitter.spread(delay);
        if let Some(plan) = self.plans.get_mut(addr) {
            plan.due = due;
        }
    }

    /// An established link ended. Unless another link replaced it, the peer
    /// is re-dialled with backoff (§4, reconnect).
    pub(super) fn peer_link_lost(
        &mut self,
        id: ConnId,
        addr: PeerAddr,
        reason: Option<CloseReason>,
        now: Instant,
    ) {
        if self.peers.get(&addr) != Some(&id) {
            return; // a duplicate that lost to another link
        }
        self.peers.remove(&addr);
        self.event(Event::ServerDisconnected {
            id,
            addr: addr.clone(),
            reason,
        });
        let mut due = now + self.jitter.spread(self.config.reconnect_initial);
        if !self.keeps_dialled_by_us(&addr) {
            due += self.config.dial_defer;
        }
        self.plan_dial(addr, due, now);
    }

    /// A candidate or a dialled link did not finish its handshake in time.
    pub(super) fn handshake_expired(&mut self, id: ConnId, now: Instant) {
        match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Candidate { .. }) => self.doom(id, CloseReason::HandshakeTimeout),
            Some(Role::Opening { .. }) => {
                self.doom(id, CloseReason::HandshakeTimeout);
                self.reap(now);
            }
            _ => {}
        }
    }
}
