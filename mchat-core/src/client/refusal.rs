//! Why the client refused a command without asking the server.

use super::{CommandError, RoomLabel};
use crate::wire::FieldError;

/// Why a command was refused locally.
///
/// More reasons may come: match with a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The command needs a connection.
    #[error("not connected; use connect <host> <port>")]
    NotConnected,
    /// The server was lost and the client is dialling it again.
    #[error(
        "not connected: the server was lost and the client is reconnecting (disconnect to stop)"
    )]
    Reconnecting,
    /// Already connected.
    #[error("already connected; disconnect first")]
    AlreadyConnected,
    /// Not a member of that room.
    #[error("you have not joined {0}")]
    NotJoined(String),
    /// Already a member of that room.
    #[error("you are already in {0}")]
    AlreadyJoined(String),
    /// Another room is joined under that name: a public and a private
    /// room, or private ones with two passwords, would look alike.
    #[error(
        "you are in {0}{private}, which would look the same; part it first",
        private = if .0.private { " (private)" } else { "" }
    )]
    NameInUse(RoomLabel),
    /// The nick is empty, too long or holds illegal characters.
    #[error("bad nick: {0}")]
    BadNick(FieldError),
    /// The room name is empty, too long or holds illegal characters.
    #[error("bad room name: {0}")]
    BadRoom(FieldError),
    /// The message cannot be sent (a newline, or a trailing carriage return).
    #[error("bad message: {0}")]
    BadText(FieldError),
    /// A message with no text (or only spaces).
    #[error("nothing to say: the message is empty")]
    EmptyMessage,
    /// No current room for a line that is not a command.
    #[error("no current room; join one first (type help for commands)")]
    NoCurrentRoom,
    /// The input was not a command.
    #[error("{0}")]
    Command(CommandError),
}
