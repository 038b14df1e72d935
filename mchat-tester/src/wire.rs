//! The tester's well-formed protocol lines, through the core's wire module:
//! what it sends is built and encoded there, what it reads is parsed there.
//! (The attacks' deliberately broken lines are bytes of their own.)

use bytes::Bytes;
use mchat_core::wire::{FieldError, LineTooLong, Message, Nick, Room, Text};

/// A field of a line the tester was about to send is not valid.
#[derive(Debug, thiserror::Error)]
pub enum LineError {
    #[error("the nick '{0}' {1}")]
    Nick(String, FieldError),
    #[error("the room '{0}' {1}")]
    Room(String, FieldError),
    #[error("the text {0}")]
    Text(FieldError),
    #[error(transparent)]
    TooLong(#[from] LineTooLong),
}

pub fn nick(value: &str) -> Result<Nick, LineError> {
    Nick::new(value).map_err(|e| LineError::Nick(value.to_owned(), e))
}

pub fn room(value: &str) -> Result<Room, LineError> {
    Room::new(value).map_err(|e| LineError::Room(value.to_owned(), e))
}

/// `NICK <nick>\n`.
pub fn nick_line(value: &str) -> Result<Bytes, LineError> {
    Ok(Message::Nick(nick(value)?).encode())
}

/// `JOIN <room>\n`.
pub fn join_line(value: &str) -> Result<Bytes, LineError> {
    Ok(Message::Join(room(value)?).encode())
}

/// `PART <room>\n`.
pub fn part_line(value: &str) -> Result<Bytes, LineError> {
    Ok(Message::Part(room(value)?).encode())
}

/// `MSG <nick> <room> <text>`, not yet encoded.
pub fn msg(nick_value: &str, room_value: &str, text: String) -> Result<Message, LineError> {
    let text = Text::new(text).map_err(LineError::Text)?;
    Ok(Message::msg(nick(nick_value)?, room(room_value)?, text)?)
}

/// `MSG <nick> <room> <text>\n`.
pub fn msg_line(nick_value: &str, room_value: &str, text: String) -> Result<Bytes, LineError> {
    Ok(msg(nick_value, room_value, text)?.encode())
}

/// `NICK <nick>\nJOIN <room>\n`: a client's first words.
pub fn hello(nick_value: &str, room_value: &str) -> Result<Vec<u8>, LineError> {
    let mut both = nick_line(nick_value)?.to_vec();
    both.extend_from_slice(&join_line(room_value)?);
    Ok(both)
}

/// `SYSTEM <room> <nick> joined channel`: the notice a client waits for
/// after its `JOIN` (PROTOCOL.md §3).
pub fn joined(nick_value: &str, room_value: &str) -> Result<Message, LineError> {
    let text = Text::new(format!("{nick_value} joined channel")).map_err(LineError::Text)?;
    Ok(Message::system(room(room_value)?, text)?)
}

/// A line the server sent, parsed; `None` for one that is not a valid
/// message (the tests judge the server, not this reader).
pub fn parse(line: &[u8]) -> Option<Message> {
    Message::parse(std::str::from_utf8(line).ok()?).ok()
}
