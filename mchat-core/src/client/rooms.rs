//! The rooms a client is in: the name the user typed, the name on the
//! wire (a digest for a private room), and which one is current.

use super::{Refusal, RoomLabel, RoomListing};
use crate::wire::Room;

/// A joined room.
#[derive(Clone, Debug)]
struct JoinedRoom {
    /// The name the user typed and sees.
    display: String,
    /// The name the server knows.
    wire: Room,
    /// Joined with a password: `wire` is the digest.
    private: bool,
}

/// The rooms joined on the current connection.
#[derive(Clone, Debug, Default)]
pub(super) struct Rooms {
    joined: Vec<JoinedRoom>,
    /// Where a line that is not a command goes: the last room joined or
    /// messaged.
    current: Option<String>,
}

impl JoinedRoom {
    fn label(&self) -> RoomLabel {
        RoomLabel {
            name: self.display.clone(),
            private: self.private,
        }
    }
}

impl Rooms {
    /// Records a `JOIN`; the room becomes current. Refused when either
    /// name is taken: one wire room twice, or another room shown by the
    /// same name (public beside private, or another password).
    pub(super) fn join(
        &mut self,
        display: String,
        wire: Room,
        private: bool,
    ) -> Result<(), Refusal> {
        if let Some(taken) = self.joined.iter().find(|r| r.display == display) {
            return Err(if taken.wire == wire {
                Refusal::AlreadyJoined(display)
            } else {
                Refusal::NameInUse(taken.label())
            });
        }
        if self.joined.iter().any(|r| r.wire == wire) {
            return Err(Refusal::AlreadyJoined(display));
        }
        self.current = Some(display.clone());
        self.joined.push(JoinedRoom {
            display,
            wire,
            private,
        });
        Ok(())
    }

    /// Forgets a room; returns its wire name and label. If it was
    /// current, the last room joined becomes current.
    pub(super) fn part(&mut self, display: &str) -> Result<(Room, RoomLabel), Refusal> {
        let Some(at) = self.joined.iter().position(|r| r.display == display) else {
            return Err(Refusal::NotJoined(display.to_owned()));
        };
        let room = self.joined.remove(at);
        if self.current.as_deref() == Some(display) {
            self.current = self.joined.last().map(|r| r.display.clone());
        }
        let label = room.label();
        Ok((room.wire, label))
    }

    /// The wire name of a room the user names.
    pub(super) fn wire_of(&self, display: &str) -> Result<&Room, Refusal> {
        self.joined
            .iter()
            .find(|r| r.display == display)
            .map(|r| &r.wire)
            .ok_or_else(|| Refusal::NotJoined(display.to_owned()))
    }

    /// How to show a room the server names: as the user typed it, or as
    /// the server sent it if it is not one of ours.
    pub(super) fn label_of_wire(&self, wire: &Room) -> RoomLabel {
        self.joined
            .iter()
            .find(|r| r.wire == *wire)
            .map_or_else(|| RoomLabel::public(wire.as_str()), JoinedRoom::label)
    }

    /// How to show a room the user names: marked if private.
    pub(super) fn label_of(&self, display: &str) -> RoomLabel {
        self.joined
            .iter()
            .find(|r| r.display == display)
            .map_or_else(|| RoomLabel::public(display), JoinedRoom::label)
    }

    /// The user said something in `display`, or switched to it: it
    /// becomes current. Refused for a room not joined.
    pub(super) fn make_current(&mut self, display: &str) -> Result<(), Refusal> {
        if !self.joined.iter().any(|r| r.display == display) {
            return Err(Refusal::NotJoined(display.to_owned()));
        }
        self.current = Some(display.to_owned());
        Ok(())
    }

    /// The wire names of every room joined, in the order joined: what a
    /// reconnect joins again.
    pub(super) fn wires(&self) -> impl Iterator<Item = &Room> {
        self.joined.iter().map(|r| &r.wire)
    }

    /// Every room joined, in the order joined, for `rooms`.
    pub(super) fn listing(&self) -> Vec<RoomListing> {
        self.joined
            .iter()
            .map(|r| RoomListing {
                name: r.display.clone(),
                private: r.private,
                current: self.current.as_deref() == Some(r.display.as_str()),
            })
            .collect()
    }

    pub(super) fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// The rooms by the names the user typed, in the order joined.
    pub(super) fn names(&self) -> impl Iterator<Item = &str> {
        self.joined.iter().map(|r| r.display.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::private_room_name;

    fn room(name: &str) -> Room {
        Room::new(name).unwrap()
    }

    fn joined(names: &[&str]) -> Rooms {
        let mut rooms = Rooms::default();
        for name in names {
            rooms.join((*name).to_owned(), room(name), false).unwrap();
        }
        rooms
    }

    #[test]
    fn joining_makes_the_room_current() {
        let rooms = joined(&["lobby", "rust"]);
        assert_eq!(rooms.current(), Some("rust"));
        assert_eq!(rooms.names().collect::<Vec<_>>(), ["lobby", "rust"]);
    }

    #[test]
    fn a_name_shown_or_sent_twice_is_refused() {
        let mut rooms = Rooms::default();
        rooms
            .join("sauna".into(), private_room_name("sauna", "a"), true)
            .unwrap();
        // Same name, other password or none: two rooms would look alike.
        assert_eq!(
            rooms.join("sauna".into(), private_room_name("sauna", "b"), true),
            Err(Refusal::NameInUse(RoomLabel::private("sauna")))
        );
        assert_eq!(
            rooms.join("sauna".into(), room("sauna"), false),
            Err(Refusal::NameInUse(RoomLabel::private("sauna")))
        );
        assert_eq!(
            rooms.join("sauna".into(), private_room_name("sauna", "a"), true),
            Err(Refusal::AlreadyJoined("sauna".into()))
        );
        // The digest typed as a public room: the same room on the wire.
        let digest = private_room_name("sauna", "a");
        assert_eq!(
            rooms.join(digest.as_str().to_owned(), digest.clone(), false),
            Err(Refusal::AlreadyJoined(digest.as_str().to_owned()))
        );
        assert_eq!(rooms.names().count(), 1);
    }

    #[test]
    fn parting_the_current_room_makes_the_last_joined_current() {
        let mut rooms = joined(&["a", "b", "c"]);
        rooms.make_current("a").unwrap();
        let parted = |name: &str| Ok((room(name), RoomLabel::public(name)));
        assert_eq!(rooms.part("a"), parted("a"));
        assert_eq!(rooms.current(), Some("c"));
        assert_eq!(rooms.part("b"), parted("b"));
        assert_eq!(rooms.current(), Some("c"), "another room parted");
        assert_eq!(rooms.part("c"), parted("c"));
        assert_eq!(rooms.current(), None);
        assert_eq!(rooms.part("c"), Err(Refusal::NotJoined("c".into())));
    }

    #[test]
    fn private_rooms_are_shown_by_name_and_strangers_by_wire_name() {
        let mut rooms = Rooms::default();
        let digest = private_room_name("sauna", "pw");
        rooms.join("sauna".into(), digest.clone(), true).unwrap();
        assert_eq!(rooms.label_of_wire(&digest), RoomLabel::private("sauna"));
        assert_eq!(rooms.label_of("sauna"), RoomLabel::private("sauna"));
        assert_eq!(rooms.wire_of("sauna"), Ok(&digest));
        assert_eq!(
            rooms.label_of_wire(&room("elsewhere")),
            RoomLabel::public("elsewhere")
        );
        assert_eq!(
            rooms.wire_of("elsewhere"),
            Err(Refusal::NotJoined("elsewhere".into()))
        );
    }
}
