//! Presence across the mesh (§4, presence): who each peer has in our rooms,
//! the departures of a peer lost for good, and the `MEMBERS` lists of
//! `presence/1`. The record itself is [`PeerMembers`](super::members::PeerMembers).

use std::time::Instant;

use super::super::Server;
use super::super::client_side::{left, notice_line};
use super::super::conns::Role;
use super::super::output::{ConnId, Event};
use crate::wire::{
    ChatLine, Extension, MemberList, Nick, Notice, PeerAddr, Room, Text, members_lines,
};

/// What a relayed `SYSTEM` notice says about membership (§3's texts).
enum NoticeSays {
    Joined(Nick),
    Left(Nick),
    Renamed(Nick, Nick),
}

impl NoticeSays {
    /// The membership change a notice text states, if it is one of §3's.
    /// Nicks hold no space, so the words fall apart unambiguously.
    fn of(text: &Text) -> Option<Self> {
        let words: Vec<&str> = text.as_str().split(' ').collect();
        let nick = |s: &str| Nick::new(s).ok();
        match words.as_slice() {
            [n, "joined", "channel"] => Some(Self::Joined(nick(n)?)),
            [n, "left", "channel"] => Some(Self::Left(nick(n)?)),
            [old, "changed", "nickname", "to", new] => Some(Self::Renamed(nick(old)?, nick(new)?)),
            _ => None,
        }
    }
}

impl Server {
    /// Does this server keep track of its peers' members (it offers
    /// `presence/1`; an original stand-in does not)?
    fn tracks_presence(&self) -> bool {
        self.config.extensions.contains(Extension::Presence)
    }

    /// The address of the peer on link `id`, if we keep its members'
    /// record for `room`: any room of a peer that sends us every line; only
    /// rooms with local members of one that routes by interest.
    fn recorded_peer(&self, id: ConnId, room: &Room) -> Option<PeerAddr> {
        if !self.tracks_presence() {
            return None;
        }
        if self.agreed(id).contains(Extension::Interest) && !self.rooms.exists(room.as_str()) {
            return None;
        }
        match self.wires.get(id).map(|c| &c.role) {
            Some(Role::Peer { addr, .. }) => Some(addr.clone()),
            _ => None,
        }
    }

    /// A chat line from a peer: its sender is a member there.
    pub(in crate::server) fn presence_saw_chat(&mut self, id: ConnId, chat: &ChatLine) {
        if let Some(peer) = self.recorded_peer(id, chat.room()) {
            let held = self.rooms.exists(chat.room().as_str());
            self.peer_members
                .spoke(&peer, chat.room(), held, chat.nick());
        }
    }

    /// A notice from a peer, before it is delivered: a join, part or nick
    /// change of one of its members. A nick that joins while a lost peer
    /// still holds a member of that nick in the room is that member come
    /// back: the room is told it left first, so that it never sees two
    /// joins without a departure between.
    pub(in crate::server) fn presence_saw_notice(&mut self, id: ConnId, notice: &Notice) {
        let room = notice.room();
        let Some(peer) = self.recorded_peer(id, room) else {
            return;
        };
        let held = self.rooms.exists(room.as_str());
        match NoticeSays::of(notice.text()) {
            Some(NoticeSays::Joined(nick)) => {
                self.ghosts_rejoined(room, &nick);
                self.peer_members.joined(&peer, room, held, nick);
            }
            Some(NoticeSays::Left(nick)) => self.peer_members.left(&peer, room, &nick),
            Some(NoticeSays::Renamed(old, new)) => {
                self.peer_members.renamed(&peer, room, held, &old, new)
            }
            None => {}
        }
    }

    /// `nick` joins `room` (here or on a live peer): members of that nick
    /// on lost peers are announced gone first.
    pub(in crate::server) fn ghosts_rejoined(&mut self, room: &Room, nick: &Nick) {
        if !self.tracks_presence() {
            return;
        }
        if self.peer_members.ghost_of(room, nick) {
            self.tell_local_left(room, nick);
        }
    }

    /// `room` has no local member left: peers that route by interest send
    /// nothing more of it, so what we knew of their members there is
    /// dropped (a lost peer's too: nobody here would be told).
    pub(in crate::server) fn forget_room_of_filtering_peers(&mut self, room: &Room) {
        let filtering: std::collections::BTreeSet<PeerAddr> = self
            .mesh
            .links()
            .filter(|&(_, id)| self.agreed(id).contains(Extension::Interest))
            .map(|(addr, _)| addr.clone())
            .collect();
        let mesh = &self.mesh;
        self.peer_members.room_lost(room, |peer| {
            filtering.contains(peer) || mesh.link(peer).is_none()
        });
    }

    /// `INTEREST_ADD` from a peer that agreed on presence: our members of
    /// each room, then `MEMBERS_END` for it (even with none).
    pub(in crate::server) fn send_members_of(&mut self, id: ConnId, rooms: &[Room]) {
        if !self.lists_on(id) {
            return;
        }
        for room in rooms {
            let nicks = self.local_nicks(room);
            for message in members_lines(room, &nicks) {
                self.wires.send(id, &message.encode());
            }
        }
    }

    /// Does link `id` carry member lists? Only with both `presence/1` and
    /// `interest/1`: a list answers a request for a room.
    pub(in crate::server) fn lists_on(&self, id: ConnId) -> bool {
        let agreed = self.agreed(id);
        agreed.contains(Extension::Presence) && agreed.contains(Extension::Interest)
    }

    /// The nicks of the local members of `room`, in join order.
    pub(in crate::server) fn local_nicks(&self, room: &Room) -> Vec<Nick> {
        self.rooms
            .members(room.as_str())
            .filter_map(|m| match self.wires.get(m).map(|c| &c.role) {
                Some(Role::Client(state)) => Some(state.nick.clone()),
                _ => None,
            })
            .collect()
    }

    /// `MEMBERS` from a peer.
    pub(in crate::server) fn peer_listed(&mut self, id: ConnId, list: MemberList) {
        if !self.lists_on(id) {
            return self.peer_line_dropped(id, "MEMBERS from a link that did not agree".to_owned());
        }
        let (room, nicks) = list.into_parts();
        if let Some(peer) = self.recorded_peer(id, &room) {
            self.peer_members.listed(&peer, &room, nicks);
        }
    }

    /// `MEMBERS_END` from a peer: its list is the room now; members we knew
    /// of that it lacks left while we could not hear it.
    pub(in crate::server) fn peer_listing_ended(&mut self, id: ConnId, room: &Room) {
        if !self.lists_on(id) {
            let why = "MEMBERS_END from a link that did not agree".to_owned();
            return self.peer_line_dropped(id, why);
        }
        if let Some(peer) = self.recorded_peer(id, room) {
            for nick in self.peer_members.listing_ended(&peer, room) {
                self.tell_local_left(room, &nick);
            }
        }
        // With the list in place, a NAMES that waited for it is answered.
        self.list_arrived(room, id);
    }

    /// A peer link ended: unless it is back within the heartbeat timeout,
    /// the peer's members count as gone.
    pub(in crate::server) fn presence_link_lost(&mut self, addr: &PeerAddr, now: Instant) {
        if self.tracks_presence() {
            let until = now + self.config.presence_timeout();
            self.peer_members.link_lost(addr, until);
        }
    }

    /// Peers lost for good: each of their members is announced gone in each
    /// room, to local members only (every other server tells its own).
    pub(in crate::server) fn expire_lost_peers(&mut self, now: Instant) {
        while let Some((addr, departures)) = self.peer_members.pop_expired(now) {
            let mut members = 0;
            for (room, nicks) in departures {
                for nick in nicks {
                    members += 1;
                    self.tell_local_left(&room, &nick);
                }
            }
            self.event(Event::PeerMembersGone { addr, members });
        }
    }

    /// `SYSTEM <room> <nick> left channel` to the local members of `room`.
    fn tell_local_left(&mut self, room: &Room, nick: &Nick) {
        let Some(line) = notice_line(room, &left(nick)) else {
            return;
        };
        self.wires
            .send_each(self.rooms.members(room.as_str()), &line);
    }
}
