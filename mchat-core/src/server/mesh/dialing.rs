//! Finding and reaching peers (§4 step 3 and mesh upkeep): addresses learnt
//! from `ALL_ADDRS`, gossip of our own list, the dials the plans call for,
//! and what a failed dial leads to (backoff, giving up).

use std::time::Instant;

use bytes::Bytes;

use super::super::Server;
use super::super::conns::{Dialler, Role};
use super::super::output::{ConnId, Event, Output};
use super::state::{AfterFailure, Vouched};
use crate::wire::{Extension, Message, PeerAddr, all_addrs_lines};

impl Server {
    /// Addresses from an `ALL_ADDRS` on link `from`: dial those we lack
    /// (§4 step 3). The higher of two servers waits a moment, so that the
    /// lower, which hears the same gossip, dials first and the pair builds
    /// one link. One link adds at most `max_gossiped_addrs` addresses in
    /// its life (§4, gossip hygiene); the rest are ignored. Host names are
    /// looked up only in gossip from an authenticated network.
    pub(in crate::server) fn learn(&mut self, from: ConnId, addrs: Vec<PeerAddr>, now: Instant) {
        let mut names_unresolved = 0usize;
        for addr in addrs {
            let addr = self.mesh.canonical(addr);
            if addr == self.config.advertised || !self.mesh.wants(&addr) {
                continue;
            }
            if self.config.mesh_upkeep && !addr.host.is_ip_literal() && !self.gossip_trusted() {
                names_unresolved += 1;
                continue;
            }
            if self.config.mesh_upkeep && self.mesh.hearsay_plans() >= self.config.max_servers {
                let why = "gossip past the limit of addresses only heard of".to_owned();
                self.peer_line_dropped(from, why);
                break;
            }
            if self.config.mesh_upkeep && !self.count_learnt(from) {
                let why = format!(
                    "gossip past the limit of {} new addresses a link",
                    self.config.max_gossiped_addrs
                );
                self.peer_line_dropped(from, why);
                break;
            }
            let due = if self.kept_dialler(&addr) == Dialler::Us || !self.config.mesh_upkeep {
                now
            } else {
                now + self.config.dial_defer
            };
            self.mesh
                .plan_dial(addr, due, Vouched::Hearsay, &self.config, now);
        }
        if names_unresolved > 0 {
            let why = format!(
                "gossip named {names_unresolved} host(s), not looked up: the server port is open \
                 (no mesh secret, no --tls-mesh)"
            );
            self.peer_line_dropped(from, why);
        }
        self.fire_due_plans(now);
    }

    /// Is gossip from our links the network's own? With a secret, or TLS
    /// with the network's CA, every link proved it belongs; otherwise any
    /// stranger may have said it, and a name it gives would make us query
    /// whatever resolver it points at and dial what that answers.
    fn gossip_trusted(&self) -> bool {
        self.config.mesh_secret.is_some() || self.config.links_authenticated_by_transport
    }

    /// Counts one more address learnt from link `from`; `false` if it has
    /// taught us all it may.
    fn count_learnt(&mut self, from: ConnId) -> bool {
        let limit = self.config.max_gossiped_addrs;
        match self.wires.get_mut(from) {
            Some(conn) if conn.learnt_addrs < limit => {
                conn.learnt_addrs += 1;
                true
            }
            _ => false,
        }
    }

    /// Sends our `ALL_ADDRS` to every established peer that agreed on
    /// gossip; never to an original server, which would dial what it lists
    /// at once, even a peer that is dialling it already (§4, gossip).
    pub(in crate::server) fn gossip(&mut self, now: Instant) {
        let links: Vec<(PeerAddr, ConnId)> = self
            .mesh
            .links()
            .filter(|&(_, id)| self.agreed(id).contains(Extension::Gossip))
            .map(|(a, id)| (a.clone(), id))
            .collect();
        for (addr, id) in links {
            for line in self.all_addrs(&addr, now) {
                self.wires.send(id, &line);
            }
        }
    }

    /// The `ALL_ADDRS` lines of gossip to `recipient`: every peer this
    /// server knows but the recipient; see [`Mesh::listed_for`](super::Mesh::listed_for).
    pub(in crate::server) fn all_addrs(&self, recipient: &PeerAddr, now: Instant) -> Vec<Bytes> {
        let fresh = self.config.reconnect_max * 2;
        encoded(&self.mesh.listed_for(recipient, fresh, now))
    }

    /// The `ALL_ADDRS` an acceptor sends a new server connection (§4 step
    /// 2): what the original would list, since the newcomer may be an
    /// original that dials every address listed; see
    /// [`Mesh::handshake_listing`](super::Mesh::handshake_listing).
    pub(in crate::server) fn handshake_all_addrs(&self) -> Vec<Bytes> {
        encoded(&self.mesh.handshake_listing())
    }

    /// Starts every dial whose time has come.
    pub(in crate::server) fn fire_due_plans(&mut self, now: Instant) {
        for addr in self.mesh.due_dials(now) {
            if self.mesh.link(&addr).is_some() {
                self.mesh.drop_plan(&addr);
                continue;
            }
            if self
                .mesh
                .is_full(&self.config, self.candidates_oldest_first().len())
            {
                // Full: look again later rather than spin.
                self.mesh
                    .postpone(&addr, now + self.config.reconnect_initial);
                continue;
            }
            if self.config.mesh_upkeep && !self.mesh.may_dial(&self.config, now) {
                // This second's dials are spent: the rest wait their turn.
                let next = self.mesh.next_dial_second();
                self.mesh.postpone(&addr, next);
                continue;
            }
            let id = self.insert(Role::Dialing { addr: addr.clone() });
            self.mesh.connection_opened();
            self.mesh.dial_started(&addr, id);
            self.wires.counters.dials += 1;
            self.wires.out.push_back(Output::Dial { id, addr });
        }
    }

    /// A dial, or the handshake of a link we dialled, failed: try again
    /// later with a doubled delay, or give up (§4, reconnect).
    pub(in crate::server) fn dial_failed(&mut self, addr: &PeerAddr, now: Instant) {
        if !self.config.mesh_upkeep {
            // The original dials once.
            self.mesh.drop_plan(addr);
            self.event(Event::DialFailed { addr: addr.clone() });
            return;
        }
        let after = self.mesh.dial_failed(addr, &self.config, now);
        if after == AfterFailure::NotPlanned {
            return;
        }
        self.event(Event::DialFailed { addr: addr.clone() });
        if after == AfterFailure::GaveUp {
            self.event(Event::GaveUp { addr: addr.clone() });
        }
    }
}

fn encoded(addrs: &[PeerAddr]) -> Vec<Bytes> {
    all_addrs_lines(addrs).iter().map(Message::encode).collect()
}
