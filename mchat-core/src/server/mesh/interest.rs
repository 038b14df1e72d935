//! Room-interest routing (§4, `interest/1`, EXTENSION): a `MSG` or `SYSTEM`
//! goes to a peer that agreed on it only if the peer has local members in
//! the room. Each side tells the other its rooms in full once the link
//! agrees (`INTEREST_ADD …`, then `INTEREST_SYNCED`), then each room it
//! gains or loses. Until a peer's `INTEREST_SYNCED`, and always for a peer
//! that did not agree (an original), it gets every line.

use std::collections::HashSet;

use super::super::Server;
use super::super::conns::{Appended, Role};
use super::super::output::ConnId;
use crate::wire::{Extension, InterestChange, Message, Room, RoomList, interest_lines};

/// What a peer has told us of the rooms it wants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::server) enum Wants {
    /// Every line: the peer has not finished listing its rooms (those listed
    /// so far are gathered here), or never will.
    Everything { listed: HashSet<Room> },
    /// Only the lines of these rooms.
    Only(HashSet<Room>),
}

impl Default for Wants {
    fn default() -> Self {
        Wants::Everything {
            listed: HashSet::new(),
        }
    }
}

impl Wants {
    /// Does the peer want the lines of `room`?
    pub fn room(&self, room: &str) -> bool {
        match self {
            Wants::Everything { .. } => true,
            Wants::Only(rooms) => rooms.contains(room),
        }
    }

    fn rooms_mut(&mut self) -> &mut HashSet<Room> {
        match self {
            Wants::Everything { listed } => listed,
            Wants::Only(rooms) => rooms,
        }
    }
}

impl Server {
    /// Gives a line of `room`, just sent to the room's members, to every
    /// peer that wants it too. On the path of every chat line: no
    /// allocation, and no second copy of the line.
    pub(in crate::server) fn send_to_peers_in(&mut self, room: &str, line: &Appended) {
        if !self.mesh.has_links() {
            return;
        }
        let mut given = 0;
        for peer in self.mesh.every_link() {
            let wanted = matches!(
                self.wires.get(peer).map(|c| &c.role),
                Some(Role::Peer { wants, .. }) if wants.room(room)
            );
            if wanted && self.wires.give(peer, line) {
                given += 1;
            }
        }
        self.wires.sent(line, given);
    }

    /// The link agreed on interest: our rooms in full, then the mark that
    /// the list is complete.
    pub(in crate::server) fn send_interest_snapshot(&mut self, id: ConnId) {
        let mut rooms: Vec<Room> = self.rooms.names().cloned().collect();
        rooms.sort(); // the same runs send the same lines
        if self.lists_on(id) {
            for room in &rooms {
                self.list_asked(room, id);
            }
        }
        for message in interest_lines(InterestChange::Add, &rooms) {
            self.wires.send(id, &message.encode());
        }
        self.wires.send(id, &Message::InterestSynced.encode());
    }

    /// `room` has its first local member: peers that route by interest are
    /// told before they see the member's `joined channel`.
    pub(in crate::server) fn room_gained(&mut self, room: &Room) {
        self.announce(InterestChange::Add, room);
    }

    /// `room` has no local member left.
    pub(in crate::server) fn room_lost(&mut self, room: &Room) {
        self.forget_room_of_filtering_peers(room);
        self.lists_room_lost(room);
        self.announce(InterestChange::Del, room);
    }

    fn announce(&mut self, change: InterestChange, room: &Room) {
        let interested: Vec<ConnId> = self
            .mesh
            .every_link()
            .filter(|&id| self.agreed(id).contains(Extension::Interest))
            .collect();
        if interested.is_empty() {
            return;
        }
        let Some(line) = interest_lines(change, std::slice::from_ref(room))
            .first()
            .map(Message::encode)
        else {
            return;
        };
        for id in interested {
            if change == InterestChange::Add && self.lists_on(id) {
                self.list_asked(room, id);
            }
            self.wires.send(id, &line);
        }
    }

    /// `INTEREST_ADD` / `INTEREST_DEL` from a peer.
    pub(in crate::server) fn peer_wants(
        &mut self,
        id: ConnId,
        change: InterestChange,
        list: RoomList,
    ) {
        let Some(wants) = self.wants_of_interested(id) else {
            return;
        };
        let rooms = wants.rooms_mut();
        let mut added = Vec::new();
        for room in list.into_vec() {
            match change {
                InterestChange::Add => {
                    if rooms.insert(room.clone()) {
                        added.push(room);
                    }
                }
                InterestChange::Del => {
                    rooms.remove(&room);
                }
            }
        }
        // Lists answer rooms newly asked for, not a repeated request.
        self.send_members_of(id, &added);
    }

    /// `INTEREST_SYNCED`: from now on the peer gets only the rooms it listed.
    pub(in crate::server) fn peer_synced(&mut self, id: ConnId) {
        let Some(wants) = self.wants_of_interested(id) else {
            return;
        };
        match wants {
            Wants::Everything { listed } => *wants = Wants::Only(std::mem::take(listed)),
            Wants::Only(_) => self.peer_line_dropped(id, "a second INTEREST_SYNCED".to_owned()),
        }
    }

    /// What the peer on link `id` wants, if the link agreed on interest; an
    /// interest line on any other link is dropped (and logged).
    fn wants_of_interested(&mut self, id: ConnId) -> Option<&mut Wants> {
        if !self.agreed(id).contains(Extension::Interest) {
            let why = "interest from a link that did not agree on it".to_owned();
            self.peer_line_dropped(id, why);
            return None;
        }
        match self.wires.get_mut(id).map(|c| &mut c.role) {
            Some(Role::Peer { wants, .. }) => Some(wants),
            _ => None,
        }
    }
}
