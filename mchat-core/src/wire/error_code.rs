//! The `ERROR` codes of PROTOCOL.md §6.

use std::fmt;

/// A code carried by an `ERROR <code> <text>` line (PROTOCOL.md §6).
///
/// Every rejected client line is answered with exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The line was longer than 1024 characters.
    TooLong,
    /// The line was not valid UTF-8.
    BadUtf8,
    /// Wrong number of fields, or an empty or illegal field.
    Malformed,
    /// An unknown message type, or one a client may not send.
    UnknownCommand,
    /// A nick over its length limit or with illegal characters.
    BadNick,
    /// A room name over its length limit or with illegal characters.
    BadRoom,
    /// `MSG`, `PART` or `NAMES` for a room the client is not in.
    NotJoined,
    /// `JOIN` of a room the client is already in.
    AlreadyJoined,
    /// Sent just before the server closes a connection it cannot take.
    ServerFull,
    /// The room has as many members as the server allows.
    RoomFull,
    /// The server holds as many rooms as it allows.
    TooManyRooms,
    /// Sent just before the server closes a connection because its source
    /// address holds as many as it may (§9, per-address limits).
    TooManyConnections,
    /// Sent just before the server closes a connection because its source
    /// address opens new ones faster than it may (§9, per-address limits).
    ConnectingTooFast,
    /// A line over the client's flood limit, not carried out (§3).
    Flood,
}

impl ErrorCode {
    /// Every code, in the order of PROTOCOL.md §6.
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::TooLong,
        ErrorCode::BadUtf8,
        ErrorCode::Malformed,
        ErrorCode::UnknownCommand,
        ErrorCode::BadNick,
        ErrorCode::BadRoom,
        ErrorCode::NotJoined,
        ErrorCode::AlreadyJoined,
        ErrorCode::ServerFull,
        ErrorCode::RoomFull,
        ErrorCode::TooManyRooms,
        ErrorCode::TooManyConnections,
        ErrorCode::ConnectingTooFast,
        ErrorCode::Flood,
    ];

    /// The code as it appears on the wire, e.g. `too-long`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::TooLong => "too-long",
            ErrorCode::BadUtf8 => "bad-utf8",
            ErrorCode::Malformed => "malformed",
            ErrorCode::UnknownCommand => "unknown-command",
            ErrorCode::BadNick => "bad-nick",
            ErrorCode::BadRoom => "bad-room",
            ErrorCode::NotJoined => "not-joined",
            ErrorCode::AlreadyJoined => "already-joined",
            ErrorCode::ServerFull => "server-full",
            ErrorCode::RoomFull => "room-full",
            ErrorCode::TooManyRooms => "too-many-rooms",
            ErrorCode::TooManyConnections => "too-many-connections",
            ErrorCode::ConnectingTooFast => "connecting-too-fast",
            ErrorCode::Flood => "flood",
        }
    }

    /// The code for its wire spelling, if there is one.
    pub fn from_wire(s: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|code| code.as_str() == s)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
