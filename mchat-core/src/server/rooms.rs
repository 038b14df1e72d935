//! Rooms and their local members (§3: "a room exists while it has members").

use std::collections::HashMap;

use indexmap::IndexSet;

use super::output::ConnId;
use crate::wire::Room;

/// Local members of each room. Membership tests are O(1) and a fan-out walks
/// only the room's members, in join order, so runs are reproducible.
#[derive(Debug, Default)]
pub(crate) struct Rooms {
    // Room names come from clients: keep std's randomly keyed hasher here.
    map: HashMap<Room, IndexSet<ConnId>>,
}

impl Rooms {
    /// How many rooms have local members.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Local memberships over every room.
    pub fn memberships(&self) -> usize {
        self.map.values().map(IndexSet::len).sum()
    }

    /// Each room and its number of local members.
    pub fn sizes(&self) -> impl Iterator<Item = (&Room, usize)> {
        self.map.iter().map(|(room, members)| (room, members.len()))
    }

    pub fn exists(&self, room: &str) -> bool {
        self.map.contains_key(room)
    }

    pub fn member_count(&self, room: &str) -> usize {
        self.map.get(room).map_or(0, IndexSet::len)
    }

    pub fn is_member(&self, room: &str, id: ConnId) -> bool {
        self.map.get(room).is_some_and(|m| m.contains(&id))
    }

    /// The local members of `room`, in join order.
    pub fn members(&self, room: &str) -> impl Iterator<Item = ConnId> + '_ {
        self.map
            .get(room)
            .into_iter()
            .flat_map(|m| m.iter().copied())
    }

    /// Every room with local members, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &Room> {
        self.map.keys()
    }

    pub fn join(&mut self, room: Room, id: ConnId) {
        self.map.entry(room).or_default().insert(id);
    }

    /// Removes `id` from `room`; the room goes when its last member does.
    pub fn part(&mut self, room: &str, id: ConnId) {
        if let Some(members) = self.map.get_mut(room) {
            members.shift_remove(&id);
            if members.is_empty() {
                self.map.remove(room);
            }
        }
    }
}
