//! The rooms one client is in, in the order joined (its departure notices
//! follow that order, §3). A short list rather than a set: a client is in
//! a few rooms (at most `max_rooms_per_client`), membership is asked of the
//! room table, and an idle client in one room then costs one small
//! allocation here instead of a hash table's two (docs/performance.md).

use crate::wire::Room;

#[derive(Debug, Default)]
pub(crate) struct JoinedRooms(Vec<Room>);

/// Up to this many rooms the list grows one slot at a time (no spare
/// capacity for the common one or two), beyond it as a `Vec` does.
const EXACT_UP_TO: usize = 4;

impl JoinedRooms {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Room> {
        self.0.iter()
    }

    /// Adds a room the client was not in (the room table said so).
    pub fn add(&mut self, room: Room) {
        if self.0.len() < EXACT_UP_TO {
            self.0.reserve_exact(1);
        }
        self.0.push(room);
    }

    /// Takes `room` off the list, keeping the others' order.
    pub fn remove(&mut self, room: &str) {
        if let Some(at) = self.0.iter().position(|r| r.as_str() == room) {
            self.0.remove(at);
        }
    }
}

impl IntoIterator for JoinedRooms {
    type Item = Room;
    type IntoIter = std::vec::IntoIter<Room>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rooms_keep_the_order_joined_when_one_is_left() {
        let mut joined = JoinedRooms::default();
        for name in ["a", "b", "c"] {
            joined.add(Room::new(name).unwrap());
        }
        joined.remove("b");
        let names: Vec<&str> = joined.iter().map(Room::as_str).collect();
        assert_eq!(names, ["a", "c"]);
        assert_eq!(joined.len(), 2);
    }
}
