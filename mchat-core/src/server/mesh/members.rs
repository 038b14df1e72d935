//! The members each peer has in each room, as this server knows them (§4,
//! presence): learnt from the notices and chat lines a peer sends, and from
//! its `MEMBERS` lists. Only its methods change it; what the server does
//! with it lives in `presence.rs`.
//!
//! From a peer that routes by interest, kept only for rooms this server has
//! local members in (it sends nothing of other rooms); from one that sends
//! every line, for every room, so that a room gained later starts out
//! known. Everything is in ordered maps, so that the departures a lost peer
//! causes come out in the same order on every run.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use crate::wire::{Nick, PeerAddr, Room};

/// Members of one room on one peer: a nick held by two members counts 2.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(in crate::server) struct Members {
    nicks: BTreeMap<Nick, u32>,
    total: usize,
}

impl Members {
    fn add(&mut self, nick: Nick, cap: usize) {
        if self.total >= cap {
            return; // more than a room may hold: a confused peer
        }
        *self.nicks.entry(nick).or_default() += 1;
        self.total += 1;
    }

    fn remove(&mut self, nick: &Nick) -> bool {
        let Some(count) = self.nicks.get_mut(nick) else {
            return false;
        };
        *count -= 1;
        if *count == 0 {
            self.nicks.remove(nick);
        }
        self.total -= 1;
        true
    }

    fn has(&self, nick: &Nick) -> bool {
        self.nicks.contains_key(nick)
    }

    fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Every member's nick, a shared nick once per member.
    pub fn each(&self) -> impl Iterator<Item = &Nick> {
        self.nicks
            .iter()
            .flat_map(|(nick, &count)| std::iter::repeat_n(nick, count as usize))
    }

    /// The members here that are not in `newer`: those who left unseen.
    fn missing_from(&self, newer: &Members) -> Vec<Nick> {
        let mut gone = Vec::new();
        for (nick, &count) in &self.nicks {
            let kept = newer.nicks.get(nick).copied().unwrap_or(0);
            for _ in kept..count {
                gone.push(nick.clone());
            }
        }
        gone
    }
}

/// One peer's members, room by room.
#[derive(Debug, Default)]
struct PeerRecord {
    rooms: BTreeMap<Room, Members>,
    /// What we knew before the link last came back: maybe stale (the peer
    /// may have restarted with none of them), so never announced; used only
    /// to find who left meanwhile when the peer lists a room.
    before: BTreeMap<Room, Members>,
    /// `MEMBERS` lines gathered until their `MEMBERS_END`.
    listing: BTreeMap<Room, Members>,
    /// Set while the link is down: when its members count as gone.
    lost_until: Option<Instant>,
}

/// Most rooms recorded for a peer that sends every line while this server
/// has no member there: enough to know the members of a room a client
/// joins soon, without keeping a whole mesh's rooms per peer.
const MAX_UNHELD_ROOMS: usize = 64;

/// What a peer's room lost: the room and the nicks to announce as gone.
pub(in crate::server) type Departures = Vec<(Room, Vec<Nick>)>;

/// Every peer's members. See the [module docs](self).
#[derive(Debug, Default)]
pub(in crate::server) struct PeerMembers {
    peers: BTreeMap<PeerAddr, PeerRecord>,
    /// Lost peers by the time their members count as gone.
    deadlines: BTreeSet<(Instant, PeerAddr)>,
    /// Most members one peer may have in one room, and most rooms it may
    /// have (the limits of §9): a confused peer cannot fill our memory.
    max_members: usize,
    max_rooms: usize,
}

impl PeerMembers {
    /// New limits, for rooms and members recorded from now on.
    pub fn set_limits(&mut self, max_members: usize, max_rooms: usize) {
        self.max_members = max_members;
        self.max_rooms = max_rooms;
    }

    pub fn new(max_members: usize, max_rooms: usize) -> Self {
        Self {
            max_members,
            max_rooms,
            ..Self::default()
        }
    }

    /// The peer's members of `room`; `None` for a new room past the limit:
    /// `max_rooms` in all, and only [`MAX_UNHELD_ROOMS`] while the room has
    /// no local member (`held` false).
    fn room_of(&mut self, peer: &PeerAddr, room: &Room, held: bool) -> Option<&mut Members> {
        let record = self.peers.entry(peer.clone()).or_default();
        let limit = if held {
            self.max_rooms
        } else {
            MAX_UNHELD_ROOMS.min(self.max_rooms)
        };
        if !record.rooms.contains_key(room) && record.rooms.len() >= limit {
            return None;
        }
        Some(record.rooms.entry(room.clone()).or_default())
    }

    /// `<nick> joined channel` from `peer`.
    pub fn joined(&mut self, peer: &PeerAddr, room: &Room, held: bool, nick: Nick) {
        let cap = self.max_members;
        if let Some(members) = self.room_of(peer, room, held) {
            members.add(nick, cap);
        }
        self.tidy(peer, room);
    }

    /// `<nick> left channel` from `peer`.
    pub fn left(&mut self, peer: &PeerAddr, room: &Room, nick: &Nick) {
        if let Some(members) = self.room_of(peer, room, true) {
            members.remove(nick);
        }
        self.tidy(peer, room);
    }

    /// `<old> changed nickname to <new>` from `peer`.
    pub fn renamed(&mut self, peer: &PeerAddr, room: &Room, held: bool, old: &Nick, new: Nick) {
        let cap = self.max_members;
        if let Some(members) = self.room_of(peer, room, held) {
            members.remove(old);
            members.add(new, cap);
        }
        self.tidy(peer, room);
    }

    /// A chat line of `nick` from `peer`: a member, if it was not known.
    pub fn spoke(&mut self, peer: &PeerAddr, room: &Room, held: bool, nick: &Nick) {
        let cap = self.max_members;
        if let Some(members) = self.room_of(peer, room, held)
            && !members.has(nick)
        {
            members.add(nick.clone(), cap);
        }
        self.tidy(peer, room);
    }

    /// One `MEMBERS` line from `peer`.
    pub fn listed(&mut self, peer: &PeerAddr, room: &Room, nicks: Vec<Nick>) {
        let (cap, max_rooms) = (self.max_members, self.max_rooms);
        let record = self.peers.entry(peer.clone()).or_default();
        if !record.listing.contains_key(room) && record.listing.len() >= max_rooms {
            return;
        }
        let listing = record.listing.entry(room.clone()).or_default();
        for nick in nicks {
            listing.add(nick, cap);
        }
    }

    /// `MEMBERS_END` from `peer`: its list replaces what we knew of the
    /// room. Returns the members we knew that the list lacks.
    pub fn listing_ended(&mut self, peer: &PeerAddr, room: &Room) -> Vec<Nick> {
        let record = self.peers.entry(peer.clone()).or_default();
        let fresh = record.listing.remove(room).unwrap_or_default();
        record.rooms.remove(room);
        let before = record.before.remove(room).unwrap_or_default();
        let gone = before.missing_from(&fresh);
        if !fresh.is_empty() {
            record.rooms.insert(room.clone(), fresh);
        }
        self.tidy_peer(peer);
        gone
    }

    /// Every member the peers have in `room`, peer by peer.
    pub fn of_room<'a>(&'a self, room: &'a Room) -> impl Iterator<Item = &'a Nick> + 'a {
        self.peers
            .values()
            .filter_map(move |record| record.rooms.get(room))
            .flat_map(Members::each)
    }

    /// This server has no local member left in `room`: what `forget`
    /// picks of its peers (those that will send nothing more of it) is
    /// forgotten for that room.
    pub fn room_lost(&mut self, room: &Room, forget: impl Fn(&PeerAddr) -> bool) {
        for (peer, record) in self.peers.iter_mut() {
            if forget(peer) {
                record.rooms.remove(room);
                record.before.remove(room);
                record.listing.remove(room);
            }
        }
        self.peers.retain(|_, r| r.is_kept());
    }

    /// The link to `peer` went down: its members count as gone at `until`
    /// unless it comes back first.
    pub fn link_lost(&mut self, peer: &PeerAddr, until: Instant) {
        let Some(record) = self.peers.get_mut(peer) else {
            return;
        };
        record.listing.clear();
        if let Some(old) = record.lost_until.replace(until) {
            self.deadlines.remove(&(old, peer.clone()));
        }
        self.deadlines.insert((until, peer.clone()));
    }

    /// The link to `peer` is up again in time. Whether its members are
    /// still there is not known (it may have restarted): what we knew is
    /// kept aside, never to be announced, until the peer's lists say who
    /// left meanwhile; a peer that sends none is learnt afresh.
    pub fn link_back(&mut self, peer: &PeerAddr) {
        if let Some(record) = self.peers.get_mut(peer)
            && let Some(until) = record.lost_until.take()
        {
            self.deadlines.remove(&(until, peer.clone()));
            record.before = std::mem::take(&mut record.rooms);
        }
    }

    /// A peer is known by another address from now on.
    pub fn renamed_peer(&mut self, old: &PeerAddr, new: &PeerAddr) {
        self.link_back(old);
        if let Some(record) = self.peers.remove(old)
            && !self.peers.contains_key(new)
        {
            // (A record under the new name already is the better one.)
            self.peers.insert(new.clone(), record);
        }
    }

    /// When the next lost peer's members count as gone.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// A lost peer whose time is up, with all its members: forgotten here.
    pub fn pop_expired(&mut self, now: Instant) -> Option<(PeerAddr, Departures)> {
        let (peer, record) = loop {
            let (at, _) = self.deadlines.first()?;
            if *at > now {
                return None;
            }
            let (at, peer) = self.deadlines.pop_first()?;
            // Only a record still lost, with this very deadline, is due.
            if self
                .peers
                .get(&peer)
                .is_some_and(|r| r.lost_until == Some(at))
            {
                let record = self.peers.remove(&peer)?;
                break (peer, record);
            }
        };
        let departures = record
            .rooms
            .into_iter()
            .map(|(room, members)| {
                let nicks = members.each().cloned().collect();
                (room, nicks)
            })
            .collect();
        Some((peer, departures))
    }

    /// A member `nick` joined `room` somewhere live: if a lost peer holds a
    /// member of that nick there, that one member is the one come back, and
    /// is taken out here (`true`: announce it gone). One the uncertain
    /// `before` record of a returned peer holds is taken out silently, so a
    /// later list does not announce it gone while it is here.
    pub fn ghost_of(&mut self, room: &Room, nick: &Nick) -> bool {
        for record in self.peers.values_mut() {
            if record.lost_until.is_none() {
                continue;
            }
            if let Some(members) = record.rooms.get_mut(room)
                && members.remove(nick)
            {
                if members.is_empty() {
                    record.rooms.remove(room);
                }
                return true;
            }
        }
        for record in self.peers.values_mut() {
            if let Some(members) = record.before.get_mut(room)
                && members.remove(nick)
            {
                return false;
            }
        }
        false
    }

    fn tidy(&mut self, peer: &PeerAddr, room: &Room) {
        if let Some(record) = self.peers.get_mut(peer)
            && record.rooms.get(room).is_some_and(Members::is_empty)
        {
            record.rooms.remove(room);
        }
        self.tidy_peer(peer);
    }

    /// A peer with nothing left to remember is dropped (a lost one stays
    /// until its deadline: it may come back).
    fn tidy_peer(&mut self, peer: &PeerAddr) {
        if self.peers.get(peer).is_some_and(|r| !r.is_kept()) {
            self.peers.remove(peer);
        }
    }
}

impl PeerRecord {
    fn is_kept(&self) -> bool {
        !self.rooms.is_empty()
            || !self.before.is_empty()
            || !self.listing.is_empty()
            || self.lost_until.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nick(s: &str) -> Nick {
        Nick::new(s).unwrap()
    }

    fn peer() -> PeerAddr {
        let host = crate::wire::Host::new("127.0.0.1").unwrap();
        PeerAddr::new(host, std::num::NonZeroU16::new(7000).unwrap())
    }

    #[test]
    fn a_listing_replaces_the_room_and_names_who_left_unseen() {
        let mut members = PeerMembers::new(100, 10);
        let peer = peer();
        let room = Room::new("r").unwrap();
        for n in ["ann", "bob", "bob", "cy"] {
            members.joined(&peer, &room, true, nick(n));
        }
        // The link goes and comes back: the list says who left meanwhile.
        let later = Instant::now();
        members.link_lost(&peer, later);
        members.link_back(&peer);
        assert_eq!(members.of_room(&room).count(), 0, "not known for now");
        members.listed(&peer, &room, vec![nick("bob"), nick("dee")]);
        let mut gone = members.listing_ended(&peer, &room);
        gone.sort();
        assert_eq!(gone, vec![nick("ann"), nick("bob"), nick("cy")]);
        let now: Vec<&Nick> = members.of_room(&room).collect();
        assert_eq!(now, vec![&nick("bob"), &nick("dee")]);
    }

    #[test]
    fn a_peer_never_counts_more_members_or_rooms_than_a_server_holds() {
        let mut members = PeerMembers::new(3, 2);
        let peer = peer();
        let room = Room::new("r").unwrap();
        for _ in 0..10 {
            members.joined(&peer, &room, true, nick("bob"));
        }
        assert_eq!(members.of_room(&room).count(), 3);
        // Nor more rooms than a server may hold.
        let rooms: Vec<Room> = ["s", "t"].iter().map(|r| Room::new(*r).unwrap()).collect();
        for r in &rooms {
            members.joined(&peer, r, true, nick("bob"));
        }
        assert_eq!(members.of_room(&rooms[0]).count(), 1);
        assert_eq!(members.of_room(&rooms[1]).count(), 0);
    }
}
