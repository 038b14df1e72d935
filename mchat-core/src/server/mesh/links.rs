//! Established peer links (§4): a peer's chat and notices go to local
//! members only and are never relayed; one link per pair of servers; a
//! `MY_ADDR` on a link we dialled renames the peer; a lost link is
//! re-dialled.

use std::time::Instant;

use super::super::conns::{Dialler, Role};
use super::super::output::{CloseReason, ConnId, Event, Listener};
use super::super::run::RunKey;
use super::super::stats::Traffic;
use super::super::{BLEED, Server};
use super::{Vouched, Wants};
use crate::wire::{ExtOffer, Extension, ExtensionSet, Frame, InterestChange, Message, PeerAddr};

impl Server {
    /// A line on an established link (§4): chat and notices go to local
    /// members only; nothing is relayed further.
    pub(in crate::server) fn on_peer_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let line = match frame {
            Ok(line) => line,
            Err(e) => return self.peer_line_dropped(id, e.to_string()),
        };
        let message = match Message::parse(line.as_str()) {
            Ok(message) => message,
            Err(e) => {
                self.wires.counters.lines_malformed += 1;
                return self.peer_line_dropped(id, e.to_string());
            }
        };
        self.count_received(id, message.kind());
        match message {
            Message::Msg(chat) => {
                self.presence_saw_chat(id, &chat);
                self.deliver_locally(chat.room().as_str(), line.as_str());
            }
            Message::System(notice) => {
                self.presence_saw_notice(id, &notice);
                self.deliver_locally(notice.room().as_str(), line.as_str());
            }
            Message::Heart => self.wires.send(id, &BLEED),
            Message::Bleed => self.heard_bleed(id),
            Message::AllAddrs(list) => {
                self.send_my_addr(id);
                self.learn(id, list.into_vec(), now);
            }
            Message::MyAddr(addr) => self.peer_named_itself(id, addr, now),
            Message::Ext(offer) => self.peer_offered(id, &offer, now),
            Message::InterestAdd(list) => self.peer_wants(id, InterestChange::Add, list),
            Message::InterestDel(list) => self.peer_wants(id, InterestChange::Del, list),
            Message::InterestSynced => self.peer_synced(id),
            Message::Members(list) => self.peer_listed(id, list),
            Message::MembersEnd(room) => self.peer_listing_ended(id, &room),
            other => self.peer_line_dropped(
                id,
                format!("{} is not a message a server sends", other.kind()),
            ),
        }
    }

    /// A peer's line of `room` (`text` without its `\n`) to our members.
    fn deliver_locally(&mut self, room: &str, text: &str) {
        let key = RunKey {
            room,
            except: None,
            epoch: self.rooms.epoch(),
        };
        let pieces = [text.as_bytes(), b"\n"];
        // (No peer gets it: a peer's line goes no further, §4.)
        self.wires
            .send_to_room(&key, || self.rooms.members(room), &pieces);
    }

    pub(in crate::server) fn peer_line_dropped(&mut self, id: ConnId, why: String) {
        let addr = match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Peer { addr, .. } | Role::Opening { addr, .. }) => Some(addr.clone()),
            _ => None,
        };
        self.event(Event::PeerLineDropped { id, addr, why });
    }

    /// Offers our extensions on a new server link (§4, negotiation): the
    /// acceptor right after its first `ALL_ADDRS`, the dialler right after
    /// its `MY_ADDR`. An original server ignores the line.
    pub(in crate::server) fn send_ext(&mut self, id: ConnId) {
        if let Some(offer) = ExtOffer::of(self.offered()) {
            self.wires.send(id, &Message::Ext(offer).encode());
        }
    }

    /// The peer's `EXT`: the link now speaks what both ends offer. A peer
    /// that agreed on gossip gets our whole list at once, as every other
    /// such peer got it when this one linked.
    fn peer_offered(&mut self, id: ConnId, offer: &ExtOffer, now: Instant) {
        let ours = self.offered();
        let Some(conn) = self.wires.get_mut(id) else {
            return;
        };
        let Role::Peer { addr, agreed, .. } = &mut conn.role else {
            return;
        };
        if agreed.is_some() {
            return self.peer_line_dropped(id, "a second EXT on one link".to_owned());
        }
        let link = ours.agreed_with(offer);
        *agreed = Some(link);
        let addr = addr.clone();
        self.event(Event::Negotiated {
            id,
            addr: addr.clone(),
            agreed: link,
        });
        if link.contains(Extension::Gossip) {
            for line in self.all_addrs(&addr, now) {
                self.wires.send(id, &line);
            }
        }
        if link.contains(Extension::Interest) {
            self.send_interest_snapshot(id);
        }
    }

    /// The extensions we offer: those configured, with `auth/1` exactly
    /// when we have a secret (every link of ours then proved it).
    fn offered(&self) -> ExtensionSet {
        let configured = self.config.extensions.without(Extension::Auth);
        if self.config.mesh_secret.is_some() {
            configured.with(Extension::Auth)
        } else {
            configured
        }
    }

    /// What the link `id` speaks beyond the original protocol.
    pub(in crate::server) fn agreed(&self, id: ConnId) -> ExtensionSet {
        match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Peer {
                agreed: Some(agreed),
                ..
            }) => *agreed,
            _ => ExtensionSet::NONE,
        }
    }

    pub(in crate::server) fn send_my_addr(&mut self, id: ConnId) {
        let line = Message::MyAddr(self.config.advertised.clone()).encode();
        self.wires.send(id, &line);
    }

    /// Which link to `peer` the one-link rule keeps: the one dialled by the
    /// lower address (§4).
    pub(in crate::server) fn kept_dialler(&self, peer: &PeerAddr) -> Dialler {
        if self.config.advertised < *peer {
            Dialler::Us
        } else {
            Dialler::Them
        }
    }

    /// A handshake finished: the link becomes the peer link for `addr`,
    /// unless it is ourselves or the one-link rule prefers another link.
    pub(in crate::server) fn establish(
        &mut self,
        id: ConnId,
        addr: PeerAddr,
        dialler: Dialler,
        now: Instant,
    ) {
        let addr = self.mesh.canonical(addr);
        let linked = self.mesh.links().count();
        if self.mesh.link(&addr).is_none() && linked >= self.config.max_servers {
            // Candidates do not count against the limit until they link.
            self.doom(id, CloseReason::ServerFull);
            return;
        }
        if !self.register_peer(id, addr.clone(), dialler, now) {
            return;
        }
        self.peer_members.link_back(&addr);
        self.event(Event::ServerConnected { id, addr });
        // Gossip on a new peer (§4, mesh upkeep).
        self.gossip(now);
    }

    /// Makes `id` the link to `addr`; `false` if it was closed instead.
    fn register_peer(
        &mut self,
        id: ConnId,
        addr: PeerAddr,
        dialler: Dialler,
        now: Instant,
    ) -> bool {
        if addr == self.config.advertised {
            self.doom(id, CloseReason::SelfConnection);
            return false;
        }
        let Some(conn) = self.wires.get_mut(id) else {
            return false;
        };
        let mut was_candidate_from = None;
        let (since, agreed, wants, traffic) = match std::mem::replace(&mut conn.role, Role::Refused)
        {
            Role::Peer {
                since,
                agreed,
                wants,
                traffic,
                ..
            } => (since, agreed, wants, traffic),
            Role::Candidate { remote, .. } => {
                was_candidate_from = Some(remote);
                (now, None, Wants::default(), Traffic::default())
            }
            _ => (now, None, Wants::default(), Traffic::default()),
        };
        conn.role = Role::Peer {
            addr: addr.clone(),
            dialler,
            since,
            agreed,
            wants,
            traffic,
        };
        if let Some(remote) = was_candidate_from {
            // A peer now: its handshake no longer counts against its address.
            self.release(Listener::Server, remote);
        }
        let Some(old) = self.mesh.link(&addr).filter(|&old| old != id) else {
            self.mesh.set_link(addr, id);
            return true;
        };
        if !self.config.mesh_upkeep {
            // The original keeps every link it makes (§4, one link per pair).
            self.mesh.add_duplicate(addr, id);
            return true;
        }
        // A second link to the same peer. Two that complete at about the
        // same time (crossing dials) are settled alike on both sides: keep
        // the one dialled by the lower address (§4, one link per pair) — if
        // the peer is one of ours. One that never sent EXT may be an
        // original, which keeps both links and sends every line on both:
        // switching to the new one would deliver again what the old one
        // already brought. And a link that claims the address of a peer
        // linked for a while is refused, never swapped in: whoever says
        // MY_ADDR with a live peer's address does not hijack its link.
        let (old_dialler, old_is_ours, old_since) = match self.wires.get(old).map(|c| &c.role) {
            Some(Role::Peer {
                dialler,
                agreed,
                since,
                ..
            }) => (*dialler, agreed.is_some(), *since),
            _ => (dialler.other(), false, now),
        };
        // With a mesh secret no one can claim another's address, so the
        // rule can always settle by the dialler, whatever the timing.
        let crossing =
            self.config.mesh_secret.is_some() || now < old_since + self.config.handshake_timeout;
        let wanted = self.kept_dialler(&addr);
        if crossing && old_is_ours && dialler == wanted && old_dialler != wanted {
            self.mesh.set_link(addr, id);
            self.doom(old, CloseReason::DuplicateLink);
            return true;
        }
        self.mesh.set_link(addr, old);
        self.doom(id, CloseReason::DuplicateLink);
        false
    }

    /// `MY_ADDR` on an established link. An original server ignores it; we
    /// use it to learn the advertised name of a peer we dialled by another
    /// name (say `localhost` for `127.0.0.1`), so that gossip naming it the
    /// advertised way does not make us dial it twice.
    fn peer_named_itself(&mut self, id: ConnId, named: PeerAddr, now: Instant) {
        let named = named.canonical();
        let Some(Role::Peer {
            addr,
            dialler: Dialler::Us,
            ..
        }) = self.wires.get(id).map(|c| &c.role)
        else {
            return;
        };
        if !self.config.mesh_upkeep {
            return; // the original ignores MY_ADDR on a link
        }
        if *addr == named {
            return;
        }
        let old = addr.clone();
        self.mesh.remove_link(&old, id);
        if named != self.config.advertised {
            self.peer_members.renamed_peer(&old, &named);
        }
        self.mesh.alias(old, named.clone());
        if self.register_peer(id, named.clone(), Dialler::Us, now) {
            self.peer_members.link_back(&named);
        }
    }

    /// An established link ended. Unless another link replaced it, the peer
    /// is re-dialled with backoff (§4, reconnect).
    pub(in crate::server) fn peer_link_lost(
        &mut self,
        id: ConnId,
        addr: PeerAddr,
        reason: Option<CloseReason>,
        now: Instant,
    ) {
        self.lists_link_gone(id);
        if !self.mesh.remove_link(&addr, id) {
            return; // a duplicate that lost to another link
        }
        self.event(Event::ServerDisconnected {
            id,
            addr: addr.clone(),
            reason,
        });
        if self.mesh.link(&addr).is_some() {
            return; // a duplicate took over
        }
        self.presence_link_lost(&addr, now);
        if !self.config.mesh_upkeep {
            return; // the original does not reconnect
        }
        self.wires.counters.reconnects += 1;
        let mut due = now + self.mesh.spread(self.config.reconnect_initial);
        if self.kept_dialler(&addr) == Dialler::Them {
            due += self.config.dial_defer;
        }
        self.mesh
            .plan_dial(addr, due, Vouched::Yes, &self.config, now);
    }
}
