//! What the client has to show its user.

use super::Refusal;
use crate::wire::ErrorCode;

/// Something to show the user.
///
/// More kinds may come: match with a `_` arm.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// `<room> nick: text`
    Message {
        /// The room as the user knows it.
        room: RoomLabel,
        /// The sender.
        nick: String,
        /// The text, as received (escape control characters to show it).
        text: String,
    },
    /// `<room> SYSTEM: text`
    Notice {
        /// The room as the user knows it.
        room: RoomLabel,
        /// The notice.
        text: String,
    },
    /// Who is in a room, as the server knows it (the answer to `names`).
    Members {
        /// The room as the user knows it.
        room: RoomLabel,
        /// The members' nicks, as listed; a shared nick once per member.
        nicks: Vec<String>,
    },
    /// The server did not answer `names` (an original server drops
    /// `NAMES`): its answer to a keep-alive `HEART` sent after it came
    /// first.
    NamesUnanswered(RoomLabel),
    /// Just joined a private room where nobody else is: whoever should be
    /// here used another password, or has not come yet.
    AloneInPrivateRoom(RoomLabel),
    /// The server refused something (`ERROR <code> <text>`).
    ServerError {
        /// The code.
        code: ErrorCode,
        /// The server's words.
        text: String,
    },
    /// A line the client does not understand (shown as is).
    Unknown(String),
    /// Connected to a server.
    Connected {
        /// Where.
        host: String,
        /// Which port.
        port: u16,
    },
    /// Could not connect.
    ConnectFailed {
        /// Where the connection was to go.
        host: String,
        /// Which port.
        port: u16,
        /// Why, in the driver's words.
        reason: String,
    },
    /// Disconnected, as the user asked.
    Disconnected,
    /// The server closed the connection, it failed, or the server sent
    /// no `BLEED` for too long: it is lost.
    ServerLost {
        /// How it was lost.
        how: LostHow,
        /// When the client dials it again (`None`: it will not; the rooms
        /// are forgotten).
        retry_in: Option<std::time::Duration>,
    },
    /// Back on the server after a loss: the nick sent again and every
    /// room joined again, private ones included.
    Reconnected {
        /// Where.
        host: String,
        /// Which port.
        port: u16,
        /// The rooms joined again, in the order first joined.
        rooms: Vec<RoomListing>,
    },
    /// The rooms joined (the answer to `rooms`), in the order joined.
    Rooms(Vec<RoomListing>),
    /// The current room is now this one (the answer to `switch`).
    Switched(RoomLabel),
    /// Joined a room (sent the `JOIN`).
    Joined(RoomLabel),
    /// Left a room (sent the `PART`).
    Left(RoomLabel),
    /// The nick changed.
    NickChanged(String),
    /// A command refused here, without asking the server.
    Refused(Refusal),
    /// The help text.
    Help(&'static str),
    /// The user quits.
    Quit,
}

/// A room as the user knows it: by the name typed, marked if private.
///
/// Shown (`Display`) as the name, with a `*` after a private room's.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RoomLabel {
    /// The name the user typed; for a room not joined, the server's.
    pub name: String,
    /// Joined with a password (`joinprivate`): the server knows the room
    /// by a digest of name and password.
    pub private: bool,
}

impl RoomLabel {
    /// A public room's label.
    pub fn public(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            private: false,
        }
    }

    /// A private room's label.
    pub fn private(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            private: true,
        }
    }
}

impl std::fmt::Display for RoomLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if self.private {
            f.write_str("*")?;
        }
        Ok(())
    }
}

/// One room of [`ClientEvent::Rooms`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomListing {
    /// The room as the user knows it.
    pub name: String,
    /// Joined with a password (`joinprivate`).
    pub private: bool,
    /// Where a line that is not a command goes.
    pub current: bool,
}

/// How the server was lost (in [`ClientEvent::ServerLost`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LostHow {
    /// The server closed the connection: it shut down, or refused us (an
    /// `ERROR` line said why just before).
    Closed,
    /// The connection failed (reset, unreachable): the driver's words.
    Failed(String),
    /// The server answered no `HEART` for too long.
    Silent,
}
