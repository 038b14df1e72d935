//! Rooms and their local members (§3: "a room exists while it has members").

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use indexmap::IndexSet;

use super::output::ConnId;
use crate::wire::Room;

/// A room's members, by handle.
type Members = IndexSet<ConnId, BuildHasherDefault<HandleHasher>>;

/// Hashes a connection handle with one multiplication per word. Handles
/// are the server's own (slots count up from 0), so no one can pick them
/// to collide, and SipHash's cost on every chat line buys nothing; room
/// names, which clients choose, keep it.
#[derive(Default)]
struct HandleHasher(u64);

impl Hasher for HandleHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u32(u32::from(byte));
        }
    }

    fn write_u32(&mut self, word: u32) {
        // Multiplying by an odd number keeps distinct low bits (they pick
        // the bucket) distinct; the high bits mix in every bit.
        self.0 = (self.0.rotate_left(32) ^ u64::from(word)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Local members of each room. Membership tests are O(1) and a fan-out walks
/// only the room's members, in join order, so runs are reproducible.
#[derive(Debug, Default)]
pub(crate) struct Rooms {
    // Room names come from clients: keep std's randomly keyed hasher here.
    map: HashMap<Room, Members>,
    /// Counts joins and parts: lines sent under the same epoch to the same
    /// room went to the same members (`run.rs`).
    epoch: u64,
}

impl Rooms {
    /// How many rooms have local members.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Local memberships over every room.
    pub fn memberships(&self) -> usize {
        self.map.values().map(Members::len).sum()
    }

    /// Each room and its number of local members.
    pub fn sizes(&self) -> impl Iterator<Item = (&Room, usize)> {
        self.map.iter().map(|(room, members)| (room, members.len()))
    }

    pub fn exists(&self, room: &str) -> bool {
        self.map.contains_key(room)
    }

    pub fn member_count(&self, room: &str) -> usize {
        self.map.get(room).map_or(0, Members::len)
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

    /// Changes with every join and part.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn join(&mut self, room: Room, id: ConnId) {
        self.epoch += 1;
        self.map.entry(room).or_default().insert(id);
    }

    /// Removes `id` from `room`; the room goes when its last member does.
    pub fn part(&mut self, room: &str, id: ConnId) {
        self.epoch += 1;
        if let Some(members) = self.map.get_mut(room) {
            members.shift_remove(&id);
            if members.is_empty() {
                self.map.remove(room);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;

    #[test]
    fn handles_of_one_generation_fill_distinct_buckets() {
        let build = BuildHasherDefault::<HandleHasher>::default();
        let mut buckets: Vec<u64> = (0..4096)
            .map(|slot| build.hash_one(ConnId::new(slot, 1)) & 4095)
            .collect();
        buckets.sort_unstable();
        buckets.dedup();
        assert_eq!(buckets.len(), 4096);
    }
}
