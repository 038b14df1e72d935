//! The lines of presence (PROTOCOL.md §4, `presence/1`, and §3, `NAMES`;
//! EXTENSION): who is in a room, as one server knows it.

use super::fields::{Nick, Room};
use super::message::{LineTooLong, Message, check_line};
use super::pack::pack_into_lines;

/// The payload of one `MEMBERS <room> <nick> …` line: a room and at least
/// one nick, few enough to fit in 1024 characters. A nick listed twice is two
/// members who share it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberList {
    room: Room,
    nicks: Vec<Nick>,
}

/// Characters of `MEMBERS` and `\n`.
const TYPE_AND_END_CHARS: usize = 7 + 1;

fn empty_line_chars(room: &Room) -> usize {
    TYPE_AND_END_CHARS + 1 + room.as_str().chars().count()
}

fn nick_chars(nick: &Nick) -> usize {
    nick.as_str().chars().count()
}

impl MemberList {
    /// A list for one line: `None` without nicks, an error if it does not fit.
    pub fn new(room: Room, nicks: Vec<Nick>) -> Result<Option<Self>, LineTooLong> {
        if nicks.is_empty() {
            return Ok(None);
        }
        let chars =
            empty_line_chars(&room) + nicks.iter().map(|n| 1 + nick_chars(n)).sum::<usize>();
        check_line(chars)?;
        Ok(Some(Self { room, nicks }))
    }

    /// The room.
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// The members' nicks, as listed.
    pub fn nicks(&self) -> &[Nick] {
        &self.nicks
    }

    /// The room and the nicks, by value.
    pub fn into_parts(self) -> (Room, Vec<Nick>) {
        (self.room, self.nicks)
    }
}

/// The whole answer listing `nicks` as the members of `room`: as few
/// `MEMBERS` lines as hold them, each within 1024 characters, in order, then
/// `MEMBERS_END <room>`. No nicks: only the `MEMBERS_END`.
///
/// ```
/// use mchat_core::wire::{members_lines, Message, Nick, Room};
///
/// let room = Room::new("lobby").unwrap();
/// let nicks: Vec<Nick> = (0..200).map(|i| Nick::new(format!("user-{i:03}")).unwrap()).collect();
/// let lines = members_lines(&room, &nicks);
/// assert!(lines.len() > 2);
/// assert!(lines.iter().all(|m| m.encode().len() <= 1024));
/// assert_eq!(lines.last(), Some(&Message::MembersEnd(room.clone())));
/// let back: Vec<Nick> = lines.into_iter()
///     .flat_map(|m| match m { Message::Members(l) => l.into_parts().1, _ => vec![] })
///     .collect();
/// assert_eq!(back, nicks);
/// assert_eq!(members_lines(&room, &[]), vec![Message::MembersEnd(room)]);
/// ```
pub fn members_lines(room: &Room, nicks: &[Nick]) -> Vec<Message> {
    let mut lines: Vec<Message> = pack_into_lines(nicks, empty_line_chars(room), nick_chars)
        .into_iter()
        .filter_map(|run| MemberList::new(room.clone(), run).ok().flatten())
        .map(Message::Members)
        .collect();
    lines.push(Message::MembersEnd(room.clone()));
    lines
}
