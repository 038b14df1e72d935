//! The line types of PROTOCOL.md §2 as one enum over validated payloads.

use std::fmt;

use super::auth::{AuthHello, AuthProof, Proof};
use super::error_code::ErrorCode;
use super::extension::ExtOffer;
use super::fields::{Host, Nick, PeerAddr, Room, Text};
use super::interest::RoomList;
use super::limits::MAX_LINE_CHARS;
use super::members::MemberList;

/// One protocol line (PROTOCOL.md §2).
///
/// Every payload is validated when it is built, so any `Message` encodes to a
/// line of at most 1024 characters that parses back to the same `Message`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Message {
    /// `MSG <nick> <room> <text>`: a chat line.
    Msg(ChatLine),
    /// `SYSTEM <room> <text>`: a server notice about a room.
    System(Notice),
    /// `JOIN <room>`.
    Join(Room),
    /// `PART <room>`.
    Part(Room),
    /// `NICK <new_nick>`.
    Nick(Nick),
    /// `HEART`: a keep-alive probe.
    Heart,
    /// `BLEED`: the answer to `HEART`.
    Bleed,
    /// `ALL_ADDRS <host> <port> …`: the server-listen addresses a server knows.
    AllAddrs(AddrList),
    /// `MY_ADDR <host> <port>`: a server's own server-listen address.
    MyAddr(PeerAddr),
    /// `ERROR <code> <text>`: a refusal, server to client only (EXTENSION).
    Error(ErrorReply),
    /// `EXT <name>/<version> …`: the mesh extensions a server offers,
    /// server to server only (§4, negotiation; EXTENSION).
    Ext(ExtOffer),
    /// `INTEREST_ADD <room> …`: the sender has local members in these rooms
    /// now (§4, `interest/1`; EXTENSION).
    InterestAdd(RoomList),
    /// `INTEREST_DEL <room> …`: the sender has none left in these rooms.
    InterestDel(RoomList),
    /// `INTEREST_SYNCED`: the sender has listed every room it has members
    /// in; from now on, send it only the lines of rooms it lists.
    InterestSynced,
    /// `NAMES <room>`: a client asks who is in a room it is in (§3, EXTENSION).
    Names(Room),
    /// `MEMBERS <room> <nick> …`: members of a room, server to client in
    /// answer to `NAMES`, server to server in answer to `INTEREST_ADD` (§4,
    /// `presence/1`; EXTENSION).
    Members(MemberList),
    /// `MEMBERS_END <room>`: the list of `MEMBERS` lines for the room is
    /// complete.
    MembersEnd(Room),
    /// `AUTH_HELLO <host> <port> <nonce>`: an acceptor with a mesh secret
    /// challenges a new link (§4, `auth/1`; EXTENSION).
    AuthHello(AuthHello),
    /// `AUTH_PROOF <host> <port> <nonce> <proof>`: the dialler proves the
    /// secret and challenges back.
    AuthProof(AuthProof),
    /// `AUTH_OK <proof>`: the acceptor proves the secret in turn.
    AuthOk(Proof),
}

/// The type of a [`Message`], without its payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessageKind {
    /// `MSG`
    Msg,
    /// `SYSTEM`
    System,
    /// `JOIN`
    Join,
    /// `PART`
    Part,
    /// `NICK`
    Nick,
    /// `HEART`
    Heart,
    /// `BLEED`
    Bleed,
    /// `ALL_ADDRS`
    AllAddrs,
    /// `MY_ADDR`
    MyAddr,
    /// `ERROR`
    Error,
    /// `EXT`
    Ext,
    /// `INTEREST_ADD`
    InterestAdd,
    /// `INTEREST_DEL`
    InterestDel,
    /// `INTEREST_SYNCED`
    InterestSynced,
    /// `NAMES`
    Names,
    /// `MEMBERS`
    Members,
    /// `MEMBERS_END`
    MembersEnd,
    /// `AUTH_HELLO`
    AuthHello,
    /// `AUTH_PROOF`
    AuthProof,
    /// `AUTH_OK`
    AuthOk,
}

impl MessageKind {
    /// Every message type.
    pub const ALL: [MessageKind; 20] = [
        MessageKind::Msg,
        MessageKind::System,
        MessageKind::Join,
        MessageKind::Part,
        MessageKind::Nick,
        MessageKind::Heart,
        MessageKind::Bleed,
        MessageKind::AllAddrs,
        MessageKind::MyAddr,
        MessageKind::Error,
        MessageKind::Ext,
        MessageKind::InterestAdd,
        MessageKind::InterestDel,
        MessageKind::InterestSynced,
        MessageKind::Names,
        MessageKind::Members,
        MessageKind::MembersEnd,
        MessageKind::AuthHello,
        MessageKind::AuthProof,
        MessageKind::AuthOk,
    ];

    /// The type word as it starts a line, e.g. `ALL_ADDRS`.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::Msg => "MSG",
            MessageKind::System => "SYSTEM",
            MessageKind::Join => "JOIN",
            MessageKind::Part => "PART",
            MessageKind::Nick => "NICK",
            MessageKind::Heart => "HEART",
            MessageKind::Bleed => "BLEED",
            MessageKind::AllAddrs => "ALL_ADDRS",
            MessageKind::MyAddr => "MY_ADDR",
            MessageKind::Error => "ERROR",
            MessageKind::Ext => "EXT",
            MessageKind::InterestAdd => "INTEREST_ADD",
            MessageKind::InterestDel => "INTEREST_DEL",
            MessageKind::InterestSynced => "INTEREST_SYNCED",
            MessageKind::Names => "NAMES",
            MessageKind::Members => "MEMBERS",
            MessageKind::MembersEnd => "MEMBERS_END",
            MessageKind::AuthHello => "AUTH_HELLO",
            MessageKind::AuthProof => "AUTH_PROOF",
            MessageKind::AuthOk => "AUTH_OK",
        }
    }

    /// The type for a type word; case-sensitive, as §1 requires.
    pub fn from_wire(word: &str) -> Option<MessageKind> {
        MessageKind::ALL.into_iter().find(|k| k.as_str() == word)
    }

    /// May a client send this type to a server (PROTOCOL.md §2)?
    pub const fn client_may_send(self) -> bool {
        matches!(
            self,
            MessageKind::Msg
                | MessageKind::Join
                | MessageKind::Part
                | MessageKind::Nick
                | MessageKind::Heart
                | MessageKind::Bleed
                | MessageKind::Names
        )
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Message {
    /// The type of this message.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Msg(_) => MessageKind::Msg,
            Message::System(_) => MessageKind::System,
            Message::Join(_) => MessageKind::Join,
            Message::Part(_) => MessageKind::Part,
            Message::Nick(_) => MessageKind::Nick,
            Message::Heart => MessageKind::Heart,
            Message::Bleed => MessageKind::Bleed,
            Message::AllAddrs(_) => MessageKind::AllAddrs,
            Message::MyAddr(_) => MessageKind::MyAddr,
            Message::Error(_) => MessageKind::Error,
            Message::Ext(_) => MessageKind::Ext,
            Message::InterestAdd(_) => MessageKind::InterestAdd,
            Message::InterestDel(_) => MessageKind::InterestDel,
            Message::InterestSynced => MessageKind::InterestSynced,
            Message::Names(_) => MessageKind::Names,
            Message::Members(_) => MessageKind::Members,
            Message::MembersEnd(_) => MessageKind::MembersEnd,
            Message::AuthHello(_) => MessageKind::AuthHello,
            Message::AuthProof(_) => MessageKind::AuthProof,
            Message::AuthOk(_) => MessageKind::AuthOk,
        }
    }
}

/// A value would make a line longer than 1024 characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the line would be {chars} characters long, over the limit of {MAX_LINE_CHARS}")]
pub struct LineTooLong {
    /// The characters the line would take, `\n` included.
    pub chars: usize,
}

/// Fails unless a line of `chars` characters (`\n` included) is within §1.
pub(super) fn check_line(chars: usize) -> Result<(), LineTooLong> {
    if chars > MAX_LINE_CHARS {
        Err(LineTooLong { chars })
    } else {
        Ok(())
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The payload of `MSG <nick> <room> <text>`, short enough for one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatLine {
    nick: Nick,
    room: Room,
    text: Text,
}

impl ChatLine {
    /// Characters a `MSG` line takes besides its nick, room and text:
    /// `MSG`, three spaces and `\n`.
    pub const OVERHEAD_CHARS: usize = 3 + 3 + 1;

    /// A chat line, if it fits in 1024 characters.
    /// To send longer text, see [`split_chat`](super::split_chat).
    pub fn new(nick: Nick, room: Room, text: Text) -> Result<Self, LineTooLong> {
        Self::check_len(nick.as_str(), room.as_str(), text.as_str())?;
        Ok(Self { nick, room, text })
    }

    /// A chat line of fields [`check_len`](Self::check_len) passed.
    pub(super) fn from_checked(nick: Nick, room: Room, text: Text) -> Self {
        Self { nick, room, text }
    }

    /// Would a line of these fields fit in 1024 characters?
    pub(super) fn check_len(nick: &str, room: &str, text: &str) -> Result<(), LineTooLong> {
        let fields = [nick, room, text];
        // Characters are counted only if the bytes could be too many.
        if Self::OVERHEAD_CHARS + fields.iter().map(|f| f.len()).sum::<usize>() > MAX_LINE_CHARS {
            check_line(Self::OVERHEAD_CHARS + fields.iter().map(|f| chars(f)).sum::<usize>())?;
        }
        Ok(())
    }

    /// The sender's nick.
    pub fn nick(&self) -> &Nick {
        &self.nick
    }

    /// The room (its wire name).
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// The message text.
    pub fn text(&self) -> &Text {
        &self.text
    }
}

/// The payload of `SYSTEM <room> <text>`, short enough for one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    room: Room,
    text: Text,
}

impl Notice {
    /// A notice, if it fits in 1024 characters.
    pub fn new(room: Room, text: Text) -> Result<Self, LineTooLong> {
        // "SYSTEM", two spaces, "\n"
        check_line(6 + 2 + 1 + chars(room.as_str()) + chars(text.as_str()))?;
        Ok(Self { room, text })
    }

    /// The room (its wire name).
    pub fn room(&self) -> &Room {
        &self.room
    }

    /// The notice text.
    pub fn text(&self) -> &Text {
        &self.text
    }
}

/// The payload of `ERROR <code> <text>`, short enough for one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorReply {
    code: ErrorCode,
    text: Text,
}

impl ErrorReply {
    /// An error reply, if it fits in 1024 characters.
    pub fn new(code: ErrorCode, text: Text) -> Result<Self, LineTooLong> {
        // "ERROR", two spaces, "\n"
        check_line(5 + 2 + 1 + code.as_str().len() + chars(text.as_str()))?;
        Ok(Self { code, text })
    }

    /// An error reply whose text is cut to fit on one line if need be
    /// (cut on a character boundary, never ending in `\r`).
    pub fn truncated(code: ErrorCode, text: &str) -> Self {
        let room = MAX_LINE_CHARS - (5 + 2 + 1 + code.as_str().len());
        let mut kept: String = text
            .chars()
            .take(room)
            .map(|c| if c == '\n' { ' ' } else { c })
            .collect();
        while kept.ends_with('\r') {
            kept.pop();
        }
        // The text now has no '\n', no trailing '\r' and fits: it is valid.
        let text = Text::new(kept).unwrap_or_default();
        Self { code, text }
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable text.
    pub fn text(&self) -> &Text {
        &self.text
    }
}

/// The addresses of one `ALL_ADDRS` line, few enough to fit in 1024 characters.
///
/// A longer list is split over several lines by
/// [`all_addrs_lines`](super::all_addrs_lines).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddrList(Vec<PeerAddr>);

impl AddrList {
    /// Characters of the bare line `ALL_ADDRS\n`.
    pub(crate) const EMPTY_LINE_CHARS: usize = 9 + 1;

    /// A list for one line, if it fits in 1024 characters.
    pub fn new(addrs: Vec<PeerAddr>) -> Result<Self, LineTooLong> {
        let chars =
            Self::EMPTY_LINE_CHARS + addrs.iter().map(|a| 1 + a.wire_chars()).sum::<usize>();
        check_line(chars)?;
        Ok(Self(addrs))
    }

    /// The addresses.
    pub fn addrs(&self) -> &[PeerAddr] {
        &self.0
    }

    /// The addresses, by value.
    pub fn into_vec(self) -> Vec<PeerAddr> {
        self.0
    }
}

impl From<PeerAddr> for AddrList {
    /// One address always fits on a line.
    fn from(addr: PeerAddr) -> Self {
        Self(vec![addr])
    }
}

/// Convenience constructors for the common lines.
impl Message {
    /// `MSG <nick> <room> <text>`, if it fits on one line.
    pub fn msg(nick: Nick, room: Room, text: Text) -> Result<Self, LineTooLong> {
        ChatLine::new(nick, room, text).map(Message::Msg)
    }

    /// `SYSTEM <room> <text>`, if it fits on one line.
    pub fn system(room: Room, text: Text) -> Result<Self, LineTooLong> {
        Notice::new(room, text).map(Message::System)
    }

    /// `MY_ADDR <host> <port>`.
    pub fn my_addr(host: Host, port: std::num::NonZeroU16) -> Self {
        Message::MyAddr(PeerAddr::new(host, port))
    }
}
