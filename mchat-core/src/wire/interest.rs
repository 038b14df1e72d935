//! The lines of room-interest routing (PROTOCOL.md §4, `interest/1`,
//! EXTENSION): which rooms a server has local members in.

use super::fields::Room;
use super::message::{LineTooLong, Message, check_line};
use super::pack::pack_into_lines;

/// The rooms of one `INTEREST_ADD` or `INTEREST_DEL` line: at least one,
/// few enough to fit in 1024 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomList(Vec<Room>);

/// Characters of `INTEREST_ADD\n` (and of `INTEREST_DEL\n`).
const EMPTY_LINE_CHARS: usize = 12 + 1;

impl RoomList {
    /// A list for one line: `None` if empty, an error if it does not fit.
    pub fn new(rooms: Vec<Room>) -> Result<Option<Self>, LineTooLong> {
        if rooms.is_empty() {
            return Ok(None);
        }
        let chars = EMPTY_LINE_CHARS + rooms.iter().map(|r| 1 + room_chars(r)).sum::<usize>();
        check_line(chars)?;
        Ok(Some(Self(rooms)))
    }

    /// The rooms.
    pub fn rooms(&self) -> &[Room] {
        &self.0
    }

    /// The rooms, by value.
    pub fn into_vec(self) -> Vec<Room> {
        self.0
    }
}

fn room_chars(room: &Room) -> usize {
    room.as_str().chars().count()
}

/// Whether a server gained or lost local members in some rooms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterestChange {
    /// `INTEREST_ADD`: it has local members in them now.
    Add,
    /// `INTEREST_DEL`: it has none left in them.
    Del,
}

/// The lines announcing `change` for `rooms`: as few as fit them, each
/// within 1024 characters, in order; none for no rooms.
///
/// ```
/// use mchat_core::wire::{interest_lines, InterestChange, Message, Room};
///
/// let rooms: Vec<Room> = (0..300).map(|i| Room::new(format!("room-{i:03}")).unwrap()).collect();
/// let lines = interest_lines(InterestChange::Add, &rooms);
/// assert!(lines.len() > 1);
/// assert!(lines.iter().all(|m| m.encode().len() <= 1024));
/// let back: Vec<Room> = lines.into_iter()
///     .flat_map(|m| match m { Message::InterestAdd(l) => l.into_vec(), _ => vec![] })
///     .collect();
/// assert_eq!(back, rooms);
/// assert!(interest_lines(InterestChange::Del, &[]).is_empty());
/// ```
pub fn interest_lines(change: InterestChange, rooms: &[Room]) -> Vec<Message> {
    pack_into_lines(rooms, EMPTY_LINE_CHARS, room_chars)
        .into_iter()
        .filter_map(|chunk| RoomList::new(chunk).ok().flatten())
        .map(|list| match change {
            InterestChange::Add => Message::InterestAdd(list),
            InterestChange::Del => Message::InterestDel(list),
        })
        .collect()
}
