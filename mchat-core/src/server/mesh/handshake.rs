//! The discovery handshake (§4 steps 1–4), from both ends: a candidate on
//! the server port must send `MY_ADDR` in time; a link we dialled waits for
//! the acceptor's first `ALL_ADDRS` and answers it. With a mesh secret,
//! both ends first prove it (`auth/1`), and nothing else is sent or taken
//! before. Also: a dial that reached this server itself, seen from both
//! ends at once.

use std::net::SocketAddr;
use std::time::Instant;

use super::super::auth::{AuthEnd, AuthTranscript};
use super::super::conns::{AwaitedProof, CandidateAuth, Dialler, OpeningAuth, Role};
use super::super::output::{CloseReason, ConnId, Event, Listener};
use super::super::{BLEED, Server};
use crate::wire::{AuthHello, AuthProof, Frame, Message, PeerAddr, Proof};

impl Server {
    /// A connection on the server port becomes a candidate: it is sent our
    /// `ALL_ADDRS` at once and must answer `MY_ADDR` in time (§4 steps 2, 4)
    /// — or, with a secret, first our challenge, which it must answer in
    /// the same time.
    pub(in crate::server) fn accept_server(&mut self, remote: SocketAddr, now: Instant) -> ConnId {
        let candidates = self.candidates_oldest_first();
        if self.mesh.is_full(&self.config, candidates.len()) {
            self.release(Listener::Server, remote);
            return self.refuse_connection(Listener::Server, remote, CloseReason::ServerFull);
        }
        if candidates.len() >= self.config.max_candidates
            && let Some(&oldest) = candidates.first()
        {
            // The oldest has had the longest to finish: it makes room.
            self.doom(oldest, CloseReason::HandshakeTimeout);
        }
        let deadline = now + self.config.handshake_timeout;
        let auth = match self.config.mesh_secret {
            Some(_) => CandidateAuth::Challenged {
                nonce: self.nonces.next(),
            },
            None => CandidateAuth::Open,
        };
        let challenge = match &auth {
            CandidateAuth::Challenged { nonce } => Some(*nonce),
            _ => None,
        };
        let id = self.insert(Role::Candidate {
            deadline,
            remote,
            auth,
        });
        self.mesh.connection_opened();
        self.mesh.handshake_started(deadline, id);
        match challenge {
            Some(nonce) => {
                let hello = AuthHello {
                    addr: self.config.advertised.clone(),
                    nonce,
                };
                self.wires.send(id, &Message::AuthHello(hello).encode());
            }
            None => self.send_handshake(id),
        }
        if let Some(dialled) = self.pending_handshake(
            |role| matches!(role, Role::Opening { local, .. } if *local == remote),
        ) {
            self.found_self(dialled, id);
        }
        id
    }

    /// What an acceptor sends a new server link that may go on: our
    /// `ALL_ADDRS`, our extensions (§4 step 2, negotiation) and, from a
    /// server of ours, our own `MY_ADDR`, so that a dialler that reached us
    /// by another name (`localhost`, say) learns the one we go by and does
    /// not dial that name again. An original dialler ignores `MY_ADDR` on a
    /// server link.
    fn send_handshake(&mut self, id: ConnId) {
        for line in self.handshake_all_addrs() {
            self.wires.send(id, &line);
        }
        self.send_ext(id);
        if self.config.mesh_upkeep {
            self.send_my_addr(id);
        }
    }

    /// Closes a server link that did not prove the secret; what it sent
    /// went nowhere.
    fn auth_failed(&mut self, id: ConnId, addr: Option<PeerAddr>, why: &str) {
        let (remote, addr) = match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Candidate { remote, auth, .. }) => {
                let proven = match auth {
                    CandidateAuth::Proven { addr } => Some(addr.clone()),
                    _ => None,
                };
                (Some(*remote), addr.or(proven))
            }
            Some(Role::Opening {
                addr: dialled,
                local,
                ..
            }) => (Some(*local), addr.or_else(|| Some(dialled.clone()))),
            _ => (None, addr),
        };
        self.event(Event::AuthFailed {
            id,
            remote,
            addr,
            why: why.to_owned(),
        });
        self.doom(id, CloseReason::AuthFailed);
    }

    /// The candidates still in their handshake: those that have proved
    /// nothing first, then those that proved the secret, each oldest first
    /// (the order in which they make room for a newcomer).
    pub(in crate::server) fn candidates_oldest_first(&self) -> Vec<ConnId> {
        let (mut unproven, proven): (Vec<ConnId>, Vec<ConnId>) = self
            .mesh
            .pending_handshakes()
            .filter(|&id| {
                self.wires
                    .get(id)
                    .is_some_and(|c| !c.doomed && matches!(c.role, Role::Candidate { .. }))
            })
            .partition(|&id| {
                !matches!(
                    self.wires.get(id).map(|c| &c.role),
                    Some(Role::Candidate {
                        auth: CandidateAuth::Proven { .. },
                        ..
                    })
                )
            });
        unproven.extend(proven);
        unproven
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
        let auth = match self.config.mesh_secret {
            Some(_) => OpeningAuth::AwaitingHello,
            None => OpeningAuth::Open,
        };
        conn.role = Role::Opening {
            addr: addr.clone(),
            deadline,
            local,
            auth,
        };
        self.mesh.handshake_started(deadline, id);
        if let Some(candidate) = self.pending_handshake(
            |role| matches!(role, Role::Candidate { remote, .. } if *remote == local),
        ) {
            self.found_self(id, candidate);
        }
    }

    /// A candidate counts only once it sends `MY_ADDR`; anything else from it
    /// is ignored (§4 step 4). With a secret, it must first prove it, and
    /// its `MY_ADDR` must name the address it proved it as.
    pub(in crate::server) fn on_candidate_frame(
        &mut self,
        id: ConnId,
        frame: Frame<'_>,
        now: Instant,
    ) {
        let Ok(line) = frame else {
            self.wires.counters.lines_malformed += 1;
            return;
        };
        let Ok(message) = Message::parse(line.as_str()) else {
            self.wires.counters.lines_malformed += 1;
            return;
        };
        self.count_received(id, message.kind());
        let Some(Role::Candidate { deadline, auth, .. }) = self.wires.get(id).map(|c| &c.role)
        else {
            return;
        };
        let deadline = *deadline;
        match (auth, message) {
            (CandidateAuth::Challenged { nonce }, Message::AuthProof(proof)) => {
                let nonce = *nonce;
                self.candidate_proved(id, &nonce, proof);
            }
            (CandidateAuth::Open, Message::MyAddr(addr)) => {
                self.mesh.handshake_ended(deadline, id);
                self.establish(id, addr, Dialler::Them, now);
            }
            (CandidateAuth::Proven { addr: proven }, Message::MyAddr(addr)) => {
                if *proven == addr {
                    self.mesh.handshake_ended(deadline, id);
                    self.establish(id, addr, Dialler::Them, now);
                } else {
                    let why = format!("its MY_ADDR names {addr}, not the address it proved");
                    self.auth_failed(id, Some(addr), &why);
                }
            }
            // Anything else before it proved the secret goes nowhere.
            _ => {}
        }
    }

    /// A candidate's `AUTH_PROOF` over our challenge `ours`.
    fn candidate_proved(&mut self, id: ConnId, ours: &crate::wire::Nonce, proof: AuthProof) {
        let Some(secret) = self.config.mesh_secret.clone() else {
            return;
        };
        let advertised = self.config.advertised.clone();
        if proof.addr.canonical() == advertised {
            // Our own challenge sent back: a reflection, never a peer.
            return self.auth_failed(id, Some(proof.addr), "it says it is this server");
        }
        let transcript = AuthTranscript {
            acceptor: &advertised,
            dialler: &proof.addr,
            acceptor_nonce: ours,
            dialler_nonce: &proof.nonce,
        };
        if !transcript.verify(&secret, AuthEnd::Dialler, &proof.proof) {
            return self.auth_failed(id, Some(proof.addr), "wrong proof of the mesh secret");
        }
        let answer = transcript.prove(&secret, AuthEnd::Acceptor);
        if let Some(conn) = self.wires.get_mut(id)
            && let Role::Candidate { auth, .. } = &mut conn.role
        {
            *auth = CandidateAuth::Proven { addr: proof.addr };
        }
        self.wires.send(id, &Message::AuthOk(answer).encode());
        self.send_handshake(id);
    }

    /// A link we dialled waits for the acceptor's first `ALL_ADDRS`, answers
    /// it with `MY_ADDR`, and is then a peer link (§4 steps 1, 3). With a
    /// secret, the acceptor's challenge and proof come first.
    pub(in crate::server) fn on_opening_frame(
        &mut self,
        id: ConnId,
        frame: Frame<'_>,
        now: Instant,
    ) {
        let message = match frame.map(|line| Message::parse(line.as_str())) {
            Ok(Ok(message)) => message,
            Ok(Err(e)) => {
                self.wires.counters.lines_malformed += 1;
                return self.peer_line_dropped(id, e.to_string());
            }
            Err(e) => {
                self.wires.counters.lines_malformed += 1;
                return self.peer_line_dropped(id, e.to_string());
            }
        };
        self.count_received(id, message.kind());
        let Some(Role::Opening {
            addr,
            deadline,
            auth,
            ..
        }) = self.wires.get(id).map(|c| &c.role)
        else {
            return;
        };
        let (dialled, deadline) = (addr.clone(), *deadline);
        let may_proceed = matches!(auth, OpeningAuth::Open | OpeningAuth::Proven);
        match (auth, message) {
            (_, Message::Heart) => self.wires.send(id, &BLEED),
            (OpeningAuth::AwaitingHello, Message::AuthHello(hello)) => {
                self.acceptor_challenged(id, &dialled, hello);
            }
            (OpeningAuth::AwaitingOk(awaited), Message::AuthOk(proof)) => {
                let (acceptor, an, on) = (
                    awaited.acceptor.clone(),
                    awaited.acceptor_nonce,
                    awaited.our_nonce,
                );
                self.acceptor_proved(id, &acceptor, &an, &on, &proof);
            }
            (_, Message::AllAddrs(list)) if may_proceed => {
                self.mesh.handshake_ended(deadline, id);
                self.send_my_addr(id);
                self.send_ext(id);
                self.establish(id, dialled, Dialler::Us, now);
                self.learn(id, list.into_vec(), now);
            }
            (OpeningAuth::AwaitingHello | OpeningAuth::AwaitingOk(_), other) => {
                let why = format!("{} before it proved the mesh secret", other.kind());
                self.auth_failed(id, None, &why);
            }
            (_, other) => self.peer_line_dropped(id, format!("{} before ALL_ADDRS", other.kind())),
        }
    }

    /// The acceptor's `AUTH_HELLO`: it must be the server we dialled (or
    /// the command line's peer, which may be dialled by another name); we
    /// answer with our proof and our own challenge.
    fn acceptor_challenged(&mut self, id: ConnId, dialled: &PeerAddr, hello: AuthHello) {
        let Some(secret) = self.config.mesh_secret.clone() else {
            return;
        };
        if hello.addr == self.config.advertised {
            return self.auth_failed(id, Some(hello.addr), "it says it is this server");
        }
        let named_by_operator = self.config.join.as_ref() == Some(dialled);
        if hello.addr != *dialled && !named_by_operator {
            let why = format!("it says it is {}, not the server dialled", hello.addr);
            return self.auth_failed(id, Some(hello.addr), &why);
        }
        let ours = self.nonces.next();
        let advertised = self.config.advertised.clone();
        let transcript = AuthTranscript {
            acceptor: &hello.addr,
            dialler: &advertised,
            acceptor_nonce: &hello.nonce,
            dialler_nonce: &ours,
        };
        let proof = AuthProof {
            addr: advertised.clone(),
            nonce: ours,
            proof: transcript.prove(&secret, AuthEnd::Dialler),
        };
        self.wires.send(id, &Message::AuthProof(proof).encode());
        if let Some(conn) = self.wires.get_mut(id)
            && let Role::Opening { auth, .. } = &mut conn.role
        {
            *auth = OpeningAuth::AwaitingOk(Box::new(AwaitedProof {
                acceptor: hello.addr,
                acceptor_nonce: hello.nonce,
                our_nonce: ours,
            }));
        }
    }

    /// The acceptor's `AUTH_OK`: its proof over both challenges.
    fn acceptor_proved(
        &mut self,
        id: ConnId,
        acceptor: &PeerAddr,
        acceptor_nonce: &crate::wire::Nonce,
        our_nonce: &crate::wire::Nonce,
        proof: &Proof,
    ) {
        let Some(secret) = self.config.mesh_secret.clone() else {
            return;
        };
        let advertised = self.config.advertised.clone();
        let transcript = AuthTranscript {
            acceptor,
            dialler: &advertised,
            acceptor_nonce,
            dialler_nonce: our_nonce,
        };
        if !transcript.verify(&secret, AuthEnd::Acceptor, proof) {
            return self.auth_failed(id, None, "wrong proof of the mesh secret");
        }
        if let Some(conn) = self.wires.get_mut(id)
            && let Role::Opening { auth, .. } = &mut conn.role
        {
            *auth = OpeningAuth::Proven;
        }
    }

    /// A candidate or a dialled link did not finish its handshake in time.
    pub(in crate::server) fn handshake_expired(&mut self, id: ConnId, now: Instant) {
        match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Candidate {
                auth: CandidateAuth::Challenged { .. },
                ..
            }) => self.auth_failed(id, None, "no proof of the mesh secret in time"),
            Some(Role::Candidate { .. }) => self.doom(id, CloseReason::HandshakeTimeout),
            Some(Role::Opening {
                auth: OpeningAuth::AwaitingHello | OpeningAuth::AwaitingOk(_),
                ..
            }) => {
                self.auth_failed(id, None, "no proof of the mesh secret in time");
                self.reap(now);
            }
            Some(Role::Opening { .. }) => {
                self.doom(id, CloseReason::HandshakeTimeout);
                self.reap(now);
            }
            _ => {}
        }
    }
}
