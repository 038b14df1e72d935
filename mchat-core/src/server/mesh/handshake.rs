//! The discovery handshake (§4 steps 1–4), from both ends: a candidate on
//! the server port must send `MY_ADDR` in time; a link we dialled waits for
//! the acceptor's first `ALL_ADDRS` and answers it. Also: a dial that
//! reached this server itself, seen from both ends at once.

use std::net::SocketAddr;
use std::time::Instant;

use super::super::conns::{Dialler, Role};
use super::super::output::{CloseReason, ConnId, Event, Listener};
use super::super::{BLEED, Server};
use crate::wire::{Frame, Message};

impl Server {
    /// A connection on the server port becomes a candidate: it is sent our
    /// `ALL_ADDRS` at once and must answer `MY_ADDR` in time (§4 steps 2, 4).
    pub(in crate::server) fn accept_server(&mut self, remote: SocketAddr, now: Instant) -> ConnId {
        if self.mesh.is_full(&self.config) {
            return self.refuse_connection(Listener::Server, remote);
        }
        let deadline = now + self.config.handshake_timeout;
        let id = self.insert(Role::Candidate { deadline, remote });
        self.mesh.connection_opened();
        self.mesh.handshake_started(deadline, id);
        for line in self.handshake_all_addrs() {
            self.wires.send(id, &line);
        }
        self.send_ext(id);
        if let Some(dialled) = self.pending_handshake(
            |role| matches!(role, Role::Opening { local, .. } if *local == remote),
        ) {
            self.found_self(dialled, id);
        }
        id
    }

    /// The pending handshake (candidate or dialled link) whose role matches.
    fn pending_handshake(&self, matches: impl Fn(&Role) -> bool) -> Option<ConnId> {
        self.mesh
            .pending_handshakes()
            .find(|&id| self.wires.get(id).is_some_and(|c| matches(&c.role)))
    }

    /// Our dial `dialled` arrived at our own server port as `candidate`: the
    /// address dialled is another name of ours. It is never dialled again.
    fn found_self(&mut self, dialled: ConnId, candidate: ConnId) {
        if let Some(Role::Opening { addr, .. }) = self.wires.get(dialled).map(|c| &c.role) {
            let alias = addr.clone();
            self.mesh
                .alias(alias.clone(), self.config.advertised.clone());
            self.event(Event::SelfAlias { addr: alias });
        }
        self.doom(dialled, CloseReason::SelfConnection);
        self.doom(candidate, CloseReason::SelfConnection);
    }

    pub(in crate::server) fn on_dial_result(
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
        self.mesh.handshake_started(deadline, id);
        if let Some(candidate) = self.pending_handshake(
            |role| matches!(role, Role::Candidate { remote, .. } if *remote == local),
        ) {
            self.found_self(id, candidate);
        }
    }

    /// A candidate counts only once it sends `MY_ADDR`; anything else from it
    /// is ignored (§4 step 4).
    pub(in crate::server) fn on_candidate_frame(
        &mut self,
        id: ConnId,
        frame: Frame<'_>,
        now: Instant,
    ) {
        let Ok(line) = frame else { return };
        if let Ok(Message::MyAddr(addr)) = Message::parse(line.as_str()) {
            if let Some(Role::Candidate { deadline, .. }) = self.wires.get(id).map(|c| &c.role) {
                self.mesh.handshake_ended(*deadline, id);
            }
            self.establish(id, addr, Dialler::Them, now);
        }
    }

    /// A link we dialled waits for the acceptor's first `ALL_ADDRS`, answers
    /// it with `MY_ADDR`, and is then a peer link (§4 steps 1, 3).
    pub(in crate::server) fn on_opening_frame(
        &mut self,
        id: ConnId,
        frame: Frame<'_>,
        now: Instant,
    ) {
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
                self.mesh.handshake_ended(deadline, id);
                self.send_my_addr(id);
                self.send_ext(id);
                self.establish(id, addr, Dialler::Us, now);
                self.learn(list.into_vec(), now);
            }
            Message::Heart => self.wires.send(id, &BLEED),
            other => self.peer_line_dropped(id, format!("{} before ALL_ADDRS", other.kind())),
        }
    }

    /// A candidate or a dialled link did not finish its handshake in time.
    pub(in crate::server) fn handshake_expired(&mut self, id: ConnId, now: Instant) {
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
