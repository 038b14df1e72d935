//! The mesh's own state (§4): which peers are linked, which addresses are
//! dialled and when, which names are aliases, which handshakes are pending.
//! Only its methods change it; what the server does with it lives beside.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::super::config::ServerConfig;
use super::super::next_tick;
use super::super::output::ConnId;
use super::super::stats::LinkState;
use crate::backoff::{Jitter, doubled};
use crate::wire::PeerAddr;

/// Most addresses remembered as given up on (§4, reconnect).
const MAX_GIVEN_UP: usize = 10_000;

/// A peer address to dial: when, and how the last attempts went.
#[derive(Clone, Debug)]
struct DialPlan {
    /// When to dial next.
    due: Instant,
    /// The delay that led to `due`; doubles after each failure.
    delay: Duration,
    /// Since when the peer has been out of reach, for the give-up rule.
    unreachable_since: Instant,
    /// The dial under way, if any.
    in_flight: Option<ConnId>,
    /// Known to be a server: it was linked once, or the operator named it.
    /// Only such addresses are passed on in gossip; hearsay is not.
    vouched: bool,
}

/// Whether a planned address is known to be a server (§4, gossip hygiene).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::server) enum Vouched {
    /// Linked before, or named on the command line.
    Yes,
    /// Only heard of in gossip.
    Hearsay,
}

/// What became of a peer after a failed dial (§4, reconnect).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(in crate::server) enum AfterFailure {
    /// Dialled again at this time.
    RetryAt(Instant),
    /// Unreachable for the give-up time: no longer dialled.
    GaveUp,
    /// Not an address the mesh was dialling.
    NotPlanned,
}

/// The state of this server's side of the mesh. See the [module docs](self).
#[derive(Debug)]
pub(in crate::server) struct Mesh {
    /// Established peer links, one per peer, by the peer's address.
    links: BTreeMap<PeerAddr, ConnId>,
    /// Further links to a peer already linked: only without mesh upkeep,
    /// where the server keeps them as the original does.
    duplicates: Vec<(PeerAddr, ConnId)>,
    /// Names we dialled a peer by, mapped to the address it advertises.
    aliases: BTreeMap<PeerAddr, PeerAddr>,
    /// Peers to dial, and when.
    plans: BTreeMap<PeerAddr, DialPlan>,
    /// Peers given up on, and when: gossip does not revive them before
    /// another give-up period has passed, or a dead server would be passed
    /// around the mesh forever.
    given_up: BTreeMap<PeerAddr, Instant>,
    /// Dials started in the current second, and when it began (§4, gossip
    /// hygiene: at most `max_dials_per_s`).
    dials_this_second: (Instant, u32),
    /// Handshake deadlines of candidates and of links we dialled.
    handshakes: BTreeSet<(Instant, ConnId)>,
    /// Server-port connections in every state, ours and theirs (§9).
    connections: usize,
    next_gossip: Instant,
    jitter: Jitter,
}

impl Mesh {
    pub fn new(config: &ServerConfig, now: Instant) -> Self {
        Self {
            links: BTreeMap::new(),
            duplicates: Vec::new(),
            aliases: BTreeMap::new(),
            plans: BTreeMap::new(),
            given_up: BTreeMap::new(),
            handshakes: BTreeSet::new(),
            dials_this_second: (now, 0),
            connections: 0,
            next_gossip: now + config.gossip_interval,
            jitter: Jitter::new(config.jitter_seed),
        }
    }

    // Established links.

    /// The established link to `addr`.
    pub fn link(&self, addr: &PeerAddr) -> Option<ConnId> {
        self.links.get(addr).copied()
    }

    /// Every established link, by peer address.
    pub fn links(&self) -> impl Iterator<Item = (&PeerAddr, ConnId)> {
        self.links.iter().map(|(addr, &id)| (addr, id))
    }

    /// Is any link established (duplicates included)?
    pub fn has_links(&self) -> bool {
        !self.links.is_empty() || !self.duplicates.is_empty()
    }

    /// Every established link, duplicates included: where a line for every
    /// peer goes.
    pub fn every_link(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.links
            .values()
            .copied()
            .chain(self.duplicates.iter().map(|&(_, id)| id))
    }

    /// Keeps `id` as a second link to `addr` (no mesh upkeep).
    pub fn add_duplicate(&mut self, addr: PeerAddr, id: ConnId) {
        self.duplicates.push((addr, id));
    }

    /// Every peer address this server knows: linked, or being re-dialled.
    pub fn known(&self) -> impl Iterator<Item = &PeerAddr> {
        self.links
            .keys()
            .chain(self.plans.keys().filter(|a| !self.links.contains_key(*a)))
    }

    /// Every peer known but not linked, with where it stands: dialling,
    /// backing off until its next dial, or given up on.
    pub fn unlinked_states(&self) -> impl Iterator<Item = (&PeerAddr, LinkState)> {
        let planned = self
            .plans
            .iter()
            .filter(|(addr, _)| !self.links.contains_key(*addr))
            .map(|(addr, plan)| {
                let state = match plan.in_flight {
                    Some(_) => LinkState::Dialling,
                    None => LinkState::BackingOff { until: plan.due },
                };
                (addr, state)
            });
        let given_up = self
            .given_up
            .iter()
            .map(|(addr, &at)| (addr, LinkState::GivenUp { at }));
        planned.chain(given_up)
    }

    /// `id` is now the link to `addr`: it is no longer dialled or given up.
    pub fn set_link(&mut self, addr: PeerAddr, id: ConnId) {
        self.plans.remove(&addr);
        self.given_up.remove(&addr);
        self.links.insert(addr, id);
    }

    /// Forgets the link to `addr` if it is `id`; `false` if another link
    /// (or none) is the one to `addr`.
    pub fn remove_link(&mut self, addr: &PeerAddr, id: ConnId) -> bool {
        self.duplicates.retain(|&(_, d)| d != id);
        if self.links.get(addr) != Some(&id) {
            return false;
        }
        self.links.remove(addr);
        // A duplicate, if any, takes the lost link's place.
        if let Some(at) = self.duplicates.iter().position(|(a, _)| a == addr) {
            let (addr, id) = self.duplicates.swap_remove(at);
            self.links.insert(addr, id);
        }
        true
    }

    // Names.

    /// The name a peer is known by: its address in its one spelling
    /// ([`PeerAddr::canonical`]), then what it advertises, once we know it.
    pub fn canonical(&self, addr: PeerAddr) -> PeerAddr {
        let addr = addr.canonical();
        self.aliases.get(&addr).cloned().unwrap_or(addr)
    }

    /// `name` is another name of `advertised`; it is no longer dialled.
    pub fn alias(&mut self, name: PeerAddr, advertised: PeerAddr) {
        let name = name.canonical();
        self.plans.remove(&name);
        self.aliases.insert(name, advertised.canonical());
    }

    /// Is `addr`, or the peer it is an alias of, `recipient`?
    fn names(&self, addr: &PeerAddr, recipient: &PeerAddr) -> bool {
        addr == recipient || self.aliases.get(addr) == Some(recipient)
    }

    // Handshakes.

    pub fn handshake_started(&mut self, deadline: Instant, id: ConnId) {
        self.handshakes.insert((deadline, id));
    }

    pub fn handshake_ended(&mut self, deadline: Instant, id: ConnId) {
        self.handshakes.remove(&(deadline, id));
    }

    /// A handshake whose deadline is at or before `now`, forgotten.
    pub fn pop_expired_handshake(&mut self, now: Instant) -> Option<ConnId> {
        let &(deadline, id) = self.handshakes.first()?;
        if deadline > now {
            return None;
        }
        self.handshakes.pop_first();
        Some(id)
    }

    /// The connections whose handshake is under way, soonest deadline first.
    pub fn pending_handshakes(&self) -> impl Iterator<Item = ConnId> + '_ {
        self.handshakes.iter().map(|&(_, id)| id)
    }

    // Counting server-port connections (§9).

    /// Are there as many server connections as `max_servers`, not
    /// counting the `candidates` still in their handshake (they have a
    /// limit of their own, so half-open connections cannot keep a real
    /// server out)?
    pub fn is_full(&self, config: &ServerConfig, candidates: usize) -> bool {
        self.connections.saturating_sub(candidates) >= config.max_servers
    }

    pub fn connection_opened(&mut self) {
        self.connections += 1;
    }

    pub fn connection_closed(&mut self) {
        self.connections = self.connections.saturating_sub(1);
    }

    // Dialling (§4 step 3, reconnect).

    /// Is `addr` worth dialling because gossip named it? Not if it is
    /// linked, already planned, or was given up on: a server given up on
    /// is not dialled again on hearsay, only if it links to us itself.
    pub fn wants(&self, addr: &PeerAddr) -> bool {
        !self.links.contains_key(addr)
            && !self.plans.contains_key(addr)
            && !self.given_up.contains_key(addr)
    }

    /// Dials `addr` at `due`, with a fresh backoff.
    pub fn plan_dial(
        &mut self,
        addr: PeerAddr,
        due: Instant,
        vouched: Vouched,
        config: &ServerConfig,
        now: Instant,
    ) {
        let plan = DialPlan {
            due,
            delay: config.reconnect_initial,
            unreachable_since: now,
            in_flight: None,
            vouched: vouched == Vouched::Yes,
        };
        self.plans.insert(addr, plan);
    }

    /// How many planned addresses are only hearsay (never linked, not the
    /// command line's): gossip may add no more than `max_servers` of them,
    /// so links that come and go cannot grow the plans without bound.
    pub fn hearsay_plans(&self) -> usize {
        self.plans.values().filter(|p| !p.vouched).count()
    }

    /// May another dial start now? At most `max_dials_per_s` a second, so
    /// a long list of made-up addresses cannot make us dial thousands at once.
    pub fn may_dial(&mut self, config: &ServerConfig, now: Instant) -> bool {
        let (since, count) = &mut self.dials_this_second;
        if now.saturating_duration_since(*since) >= Duration::from_secs(1) {
            *since = now;
            *count = 0;
        }
        if *count >= config.max_dials_per_s.max(1) {
            return false;
        }
        *count += 1;
        true
    }

    /// When the next second of dials begins.
    pub fn next_dial_second(&self) -> Instant {
        self.dials_this_second.0 + Duration::from_secs(1)
    }

    /// The planned addresses whose dial is due and not under way, those
    /// out of reach longest first: when dials are rationed, no address
    /// waits behind ever newer ones (as it would in address order).
    pub fn due_dials(&self, now: Instant) -> Vec<PeerAddr> {
        let mut due: Vec<(Instant, &PeerAddr)> = self
            .plans
            .iter()
            .filter(|(_, p)| p.in_flight.is_none() && p.due <= now)
            .map(|(a, p)| (p.unreachable_since, a))
            .collect();
        due.sort();
        due.into_iter().map(|(_, a)| a.clone()).collect()
    }

    /// Forgets the plan for `addr` (it got linked another way).
    pub fn drop_plan(&mut self, addr: &PeerAddr) {
        self.plans.remove(addr);
    }

    /// Moves the dial of `addr` to `due`.
    pub fn postpone(&mut self, addr: &PeerAddr, due: Instant) {
        if let Some(plan) = self.plans.get_mut(addr) {
            plan.due = due;
        }
    }

    pub fn dial_started(&mut self, addr: &PeerAddr, id: ConnId) {
        if let Some(plan) = self.plans.get_mut(addr) {
            plan.in_flight = Some(id);
        }
    }

    /// A dial of `addr`, or the handshake after it, failed: doubles the
    /// delay, with jitter, or gives up after the give-up time.
    pub fn dial_failed(
        &mut self,
        addr: &PeerAddr,
        config: &ServerConfig,
        now: Instant,
    ) -> AfterFailure {
        let Some(plan) = self.plans.get_mut(addr) else {
            return AfterFailure::NotPlanned;
        };
        plan.in_flight = None;
        if now.saturating_duration_since(plan.unreachable_since) >= config.reconnect_give_up {
            self.plans.remove(addr);
            self.given_up.insert(addr.clone(), now);
            if self.given_up.len() > MAX_GIVEN_UP {
                // Forget the one given up on longest ago: memory stays
                // bounded, at the price of gossip reviving that one.
                let oldest = self
                    .given_up
                    .iter()
                    .min_by_key(|(_, at)| **at)
                    .map(|(a, _)| a.clone());
                if let Some(oldest) = oldest {
                    self.given_up.remove(&oldest);
                }
            }
            return AfterFailure::GaveUp;
        }
        plan.delay = doubled(plan.delay, config.reconnect_max);
        plan.due = now + self.jitter.spread(plan.delay);
        AfterFailure::RetryAt(plan.due)
    }

    /// `delay` with up to half of it again as jitter.
    pub fn spread(&mut self, delay: Duration) -> Duration {
        self.jitter.spread(delay)
    }

    // Gossip (§4, mesh upkeep).

    /// Is periodic gossip due? If so, the next one is scheduled.
    pub fn gossip_due(&mut self, config: &ServerConfig, now: Instant) -> bool {
        if now < self.next_gossip {
            return false;
        }
        self.next_gossip = next_tick(self.next_gossip, config.gossip_interval, now);
        true
    }

    /// The addresses an `ALL_ADDRS` to `recipient` lists (§4): the linked
    /// peers, and those being re-dialled for less than `fresh` (if ever
    /// linked or named by the operator: hearsay is not passed on). Passing on
    /// the latter keeps a peer known to the mesh even if the one server
    /// that was re-dialling it crashes; not passing on long-dead ones spares
    /// an original server, whose dials block, from dialling them. The
    /// recipient is left out because an original server only knows itself
    /// by the exact name it was started with, and would dial itself under
    /// any other.
    pub fn listed_for(&self, recipient: &PeerAddr, fresh: Duration, now: Instant) -> Vec<PeerAddr> {
        let recently_lost = self.plans.iter().filter(|(a, p)| {
            p.vouched
                && !self.links.contains_key(*a)
                && now.saturating_duration_since(p.unreachable_since) < fresh
        });
        let mut addrs: Vec<PeerAddr> = self
            .links
            .keys()
            .chain(recently_lost.map(|(a, _)| a))
            .filter(|a| !self.names(a, recipient))
            .cloned()
            .collect();
        addrs.sort();
        addrs.dedup();
        addrs
    }

    /// The addresses the `ALL_ADDRS` of a handshake lists (§4 step 2): the
    /// linked peers and those being dialled right now (if ever linked or
    /// named by the operator: hearsay is not passed on). That is what the
    /// original lists, since it counts a peer as linked from the moment it
    /// dials; leaving out a dial under way would keep a newcomer, which may be
    /// an original that is never gossiped to, from ever hearing of that peer.
    pub fn handshake_listing(&self) -> Vec<PeerAddr> {
        let dialling = self
            .plans
            .iter()
            .filter(|(a, p)| p.vouched && p.in_flight.is_some() && !self.links.contains_key(*a))
            .map(|(a, _)| a);
        let mut addrs: Vec<PeerAddr> = self.links.keys().chain(dialling).cloned().collect();
        addrs.sort();
        addrs.dedup();
        addrs
    }

    /// The earliest of the mesh's deadlines: a handshake's, a dial's, the
    /// next gossip.
    pub fn next_deadline(&self) -> Instant {
        let handshake = self.handshakes.first().map(|&(at, _)| at);
        let dial = self
            .plans
            .values()
            .filter(|p| p.in_flight.is_none())
            .map(|p| p.due)
            .min();
        [handshake, dial]
            .into_iter()
            .flatten()
            .fold(self.next_gossip, Instant::min)
    }
}
