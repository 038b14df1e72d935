//! Parsing one framed line (no `\n`) into a [`Message`], with `nom`.
//!
//! The structure is checked first (type word, field count, single spaces),
//! then each field's content, so that the error code says what is wrong with
//! the line as a whole before what is wrong inside a field.

use nom::bytes::complete::take_till;
use nom::character::complete::char;
use nom::combinator::{eof, rest};
use nom::multi::{many0, many1};
use nom::sequence::preceded;
use nom::{IResult, Parser};

use super::auth::{AuthHello, AuthProof, Nonce, Proof};
use super::error_code::ErrorCode;
use super::extension::ExtOffer;
use super::fields::{FieldError, Host, Nick, PeerAddr, Room, Text, parse_port};
use super::interest::RoomList;
use super::members::MemberList;
use super::message::{AddrList, ChatLine, ErrorReply, LineTooLong, Message, MessageKind, Notice};

/// Why a line is not a valid message. Each variant maps to the `ERROR` code
/// of PROTOCOL.md §6 through [`ParseError::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The line starts with no known type word (types are case-sensitive).
    #[error("unknown message type {0:?}")]
    UnknownCommand(String),
    /// The line's structure is wrong for its type.
    #[error("malformed line ({}): {reason}", .kind.map_or("no type", MessageKind::as_str))]
    Malformed {
        /// The type the line claimed to be, if any.
        kind: Option<MessageKind>,
        /// What is wrong.
        reason: Malformation,
    },
    /// The nick field is too long or holds an illegal character.
    #[error("bad nick: {0}")]
    BadNick(FieldError),
    /// The room field is too long or holds an illegal character.
    #[error("bad room: {0}")]
    BadRoom(FieldError),
    /// The line is over 1024 characters.
    #[error(transparent)]
    TooLong(#[from] LineTooLong),
}

/// What is structurally wrong with a line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformation {
    /// The line is empty.
    #[error("the line is empty")]
    Empty,
    /// A field is missing (or the separating space before the text).
    #[error("a field is missing")]
    MissingField,
    /// There are more fields than the type has.
    #[error("there are too many fields")]
    ExtraField,
    /// Two spaces in a row, or a space at the end: an empty field.
    #[error("a field is empty")]
    EmptyField,
    /// The host of an address is illegal.
    #[error("bad host: {0}")]
    BadHost(FieldError),
    /// A port is not 1–65535 in canonical decimal.
    #[error("bad port: {0}")]
    BadPort(FieldError),
    /// The text field holds something a line cannot carry.
    #[error("bad text: {0}")]
    BadText(FieldError),
    /// An `EXT` item that is not `<name>/<version>` (§4, negotiation).
    #[error("not an extension name/version")]
    BadExtension,
    /// A nonce or proof that is not 64 lower-case hex digits (§4, `auth/1`).
    #[error("not 64 lower-case hex digits")]
    BadHex,
    /// `ERROR` with a code that PROTOCOL.md §6 does not define.
    #[error("unknown error code")]
    UnknownErrorCode,
}

impl ParseError {
    /// The `ERROR` code that answers this failure (PROTOCOL.md §6).
    pub fn code(&self) -> ErrorCode {
        match self {
            ParseError::UnknownCommand(_) => ErrorCode::UnknownCommand,
            ParseError::Malformed { .. } => ErrorCode::Malformed,
            ParseError::BadNick(_) => ErrorCode::BadNick,
            ParseError::BadRoom(_) => ErrorCode::BadRoom,
            ParseError::TooLong(_) => ErrorCode::TooLong,
        }
    }
}

type Res<'a, T> = IResult<&'a str, T>;

/// The type word: everything up to the first space.
fn type_word(input: &str) -> Res<'_, &str> {
    take_till(|c| c == ' ').parse(input)
}

/// ` <field>`: a space, then everything up to the next space (maybe nothing).
fn field(input: &str) -> Res<'_, &str> {
    preceded(char(' '), take_till(|c| c == ' ')).parse(input)
}

/// ` <text>`: a space, then the rest of the line.
fn text(input: &str) -> Res<'_, &str> {
    preceded(char(' '), rest).parse(input)
}

/// The structure of one line: its type and raw fields, before validation.
struct Shape<'a> {
    kind: MessageKind,
    fields: Fields<'a>,
}

enum Fields<'a> {
    None,
    One(&'a str),
    Two(&'a str, &'a str),
    Three(&'a str, &'a str, &'a str),
    Four(&'a str, &'a str, &'a str, &'a str),
    Pairs(Vec<(&'a str, &'a str)>),
    List(Vec<&'a str>),
}

/// Splits a line into its type and fields, checking counts and separators.
fn shape(line: &str) -> Result<Shape<'_>, ParseError> {
    let (after_type, word) = type_word(line).map_err(|_| malformed(None, Malformation::Empty))?;
    if word.is_empty() {
        let reason = if line.is_empty() {
            Malformation::Empty
        } else {
            Malformation::EmptyField
        };
        return Err(malformed(None, reason));
    }
    let kind =
        MessageKind::from_wire(word).ok_or_else(|| ParseError::UnknownCommand(clip(word)))?;
    let missing = |_| malformed(Some(kind), Malformation::MissingField);
    let (tail, fields) = match kind {
        MessageKind::Heart | MessageKind::Bleed | MessageKind::InterestSynced => {
            (after_type, Fields::None)
        }
        MessageKind::Join
        | MessageKind::Part
        | MessageKind::Nick
        | MessageKind::Names
        | MessageKind::MembersEnd
        | MessageKind::AuthOk => {
            let (tail, a) = field(after_type).map_err(missing)?;
            (tail, Fields::One(a))
        }
        MessageKind::MyAddr => {
            let (tail, (a, b)) = (field, field).parse(after_type).map_err(missing)?;
            (tail, Fields::Two(a, b))
        }
        MessageKind::System | MessageKind::Error => {
            let (tail, (a, t)) = (field, text).parse(after_type).map_err(missing)?;
            (tail, Fields::Two(a, t))
        }
        MessageKind::Msg => {
            let (tail, (a, b, t)) = (field, field, text).parse(after_type).map_err(missing)?;
            (tail, Fields::Three(a, b, t))
        }
        MessageKind::AuthHello => {
            let (tail, (a, b, c)) = (field, field, field).parse(after_type).map_err(missing)?;
            (tail, Fields::Three(a, b, c))
        }
        MessageKind::AuthProof => {
            let (tail, (a, b, c, d)) = (field, field, field, field)
                .parse(after_type)
                .map_err(missing)?;
            (tail, Fields::Four(a, b, c, d))
        }
        MessageKind::AllAddrs => {
            let (tail, pairs) = many0((field, field)).parse(after_type).map_err(missing)?;
            (tail, Fields::Pairs(pairs))
        }
        MessageKind::Ext
        | MessageKind::InterestAdd
        | MessageKind::InterestDel
        | MessageKind::Members => {
            let (tail, items) = many1(field).parse(after_type).map_err(missing)?;
            (tail, Fields::List(items))
        }
    };
    let end: Res<'_, &str> = eof(tail);
    if end.is_err() {
        // A lone trailing field of an address pair is a missing port.
        let reason =
            if kind == MessageKind::AllAddrs && field(tail).is_ok_and(|(t, _)| t.is_empty()) {
                Malformation::MissingField
            } else {
                Malformation::ExtraField
            };
        return Err(malformed(Some(kind), reason));
    }
    Ok(Shape { kind, fields })
}

impl Message {
    /// Parses one framed line: the text between two `\n`, without the `\n`
    /// (and without a stripped `\r`; see [`LineFramer`](super::LineFramer)).
    pub fn parse(line: &str) -> Result<Message, ParseError> {
        let Shape { kind, fields } = shape(line)?;
        let bad = |reason| malformed(Some(kind), reason);
        let message = match (kind, fields) {
            (MessageKind::Heart, _) => Message::Heart,
            (MessageKind::Bleed, _) => Message::Bleed,
            (MessageKind::InterestSynced, _) => Message::InterestSynced,
            (kind @ (MessageKind::InterestAdd | MessageKind::InterestDel), Fields::List(names)) => {
                let rooms = names
                    .into_iter()
                    .map(|name| parse_room(name, kind))
                    .collect::<Result<Vec<_>, _>>()?;
                let list = RoomList::new(rooms)?.ok_or_else(|| bad(Malformation::MissingField))?;
                if kind == MessageKind::InterestAdd {
                    Message::InterestAdd(list)
                } else {
                    Message::InterestDel(list)
                }
            }
            (MessageKind::Join, Fields::One(room)) => Message::Join(parse_room(room, kind)?),
            (MessageKind::Part, Fields::One(room)) => Message::Part(parse_room(room, kind)?),
            (MessageKind::Nick, Fields::One(nick)) => Message::Nick(parse_nick(nick, kind)?),
            (MessageKind::Names, Fields::One(room)) => Message::Names(parse_room(room, kind)?),
            (MessageKind::AuthHello, Fields::Three(host, port, nonce)) => {
                Message::AuthHello(AuthHello {
                    addr: parse_addr(host, port, kind)?,
                    nonce: parse_hex(nonce, kind, Nonce::from_hex)?,
                })
            }
            (MessageKind::AuthProof, Fields::Four(host, port, nonce, proof)) => {
                Message::AuthProof(AuthProof {
                    addr: parse_addr(host, port, kind)?,
                    nonce: parse_hex(nonce, kind, Nonce::from_hex)?,
                    proof: parse_hex(proof, kind, Proof::from_hex)?,
                })
            }
            (MessageKind::AuthOk, Fields::One(proof)) => {
                Message::AuthOk(parse_hex(proof, kind, Proof::from_hex)?)
            }
            (MessageKind::MembersEnd, Fields::One(room)) => {
                Message::MembersEnd(parse_room(room, kind)?)
            }
            (MessageKind::Members, Fields::List(items)) => {
                let (room, nicks) = items
                    .split_first()
                    .ok_or_else(|| bad(Malformation::MissingField))?;
                let room = parse_room(room, kind)?;
                let nicks = nicks
                    .iter()
                    .map(|nick| parse_nick(nick, kind))
                    .collect::<Result<Vec<_>, _>>()?;
                let list =
                    MemberList::new(room, nicks)?.ok_or_else(|| bad(Malformation::MissingField))?;
                Message::Members(list)
            }
            (MessageKind::MyAddr, Fields::Two(host, port)) => {
                Message::MyAddr(parse_addr(host, port, kind)?)
            }
            (MessageKind::System, Fields::Two(room, body)) => {
                let room = parse_room(room, kind)?;
                Message::System(Notice::new(room, parse_text(body, kind)?)?)
            }
            (MessageKind::Error, Fields::Two(code, body)) => {
                if code.is_empty() {
                    return Err(bad(Malformation::EmptyField));
                }
                let code = ErrorCode::from_wire(code)
                    .ok_or_else(|| bad(Malformation::UnknownErrorCode))?;
                Message::Error(ErrorReply::new(code, parse_text(body, kind)?)?)
            }
            (MessageKind::Msg, Fields::Three(nick, room, body)) => {
                Message::Msg(ChatFields::check(nick, room, body)?.to_owned())
            }
            (MessageKind::AllAddrs, Fields::Pairs(pairs)) => {
                let addrs = pairs
                    .into_iter()
                    .map(|(host, port)| parse_addr(host, port, kind))
                    .collect::<Result<Vec<_>, _>>()?;
                Message::AllAddrs(AddrList::new(addrs)?)
            }
            (MessageKind::Ext, Fields::List(tokens)) => {
                let items = tokens
                    .into_iter()
                    .map(|t| {
                        ExtOffer::parse_item(t).ok_or_else(|| {
                            let reason = if t.is_empty() {
                                Malformation::EmptyField
                            } else {
                                Malformation::BadExtension
                            };
                            bad(reason)
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let offer =
                    ExtOffer::from_items(items).ok_or_else(|| bad(Malformation::MissingField))?;
                Message::Ext(offer)
            }
            // `shape` gives each kind its own field layout; no other pair occurs.
            (_, _) => return Err(bad(Malformation::MissingField)),
        };
        Ok(message)
    }
}

/// A `MSG` line's fields, checked as [`Message::parse`] checks them but
/// borrowed from the line: a client's chat line is relayed as it came, so
/// its nick, room and text need not be copied out of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChatFields<'a> {
    pub nick: &'a str,
    pub room: &'a str,
    pub text: &'a str,
}

impl<'a> ChatFields<'a> {
    /// `None` unless the line's type word is `MSG`; then the line parsed
    /// as [`Message::parse`] would, with the same error.
    pub fn parse(line: &'a str) -> Option<Result<Self, ParseError>> {
        let word = line.split(' ').next().unwrap_or_default();
        if word != MessageKind::Msg.as_str() {
            return None;
        }
        Some(shape(line).and_then(|shape| match shape.fields {
            Fields::Three(nick, room, text) => Self::check(nick, room, text),
            // `shape` gives `MSG` three fields or an error.
            _ => Err(malformed(
                Some(MessageKind::Msg),
                Malformation::MissingField,
            )),
        }))
    }

    /// Checks each field, in order, then the line's length.
    fn check(nick: &'a str, room: &'a str, text: &'a str) -> Result<Self, ParseError> {
        let kind = MessageKind::Msg;
        Nick::check(nick).map_err(|e| field_error(kind, e, ParseError::BadNick))?;
        Room::check(room).map_err(|e| field_error(kind, e, ParseError::BadRoom))?;
        Text::check(text).map_err(|e| malformed(Some(kind), Malformation::BadText(e)))?;
        ChatLine::check_len(nick, room, text)?;
        Ok(Self { nick, room, text })
    }

    /// The chat line, owning its fields.
    pub fn to_owned(self) -> ChatLine {
        ChatLine::from_checked(
            Nick::from_trusted(self.nick.to_owned()),
            Room::from_trusted(self.room.to_owned()),
            Text::from_trusted(self.text.to_owned()),
        )
    }
}

impl std::str::FromStr for Message {
    type Err = ParseError;
    fn from_str(line: &str) -> Result<Self, ParseError> {
        Message::parse(line)
    }
}

fn malformed(kind: Option<MessageKind>, reason: Malformation) -> ParseError {
    ParseError::Malformed { kind, reason }
}

/// An empty field is a structural fault; anything else wrong is the field's.
fn field_error(
    kind: MessageKind,
    e: FieldError,
    own: impl FnOnce(FieldError) -> ParseError,
) -> ParseError {
    if e == FieldError::Empty {
        malformed(Some(kind), Malformation::EmptyField)
    } else {
        own(e)
    }
}

fn parse_nick(s: &str, kind: MessageKind) -> Result<Nick, ParseError> {
    Nick::new(s).map_err(|e| field_error(kind, e, ParseError::BadNick))
}

fn parse_room(s: &str, kind: MessageKind) -> Result<Room, ParseError> {
    Room::new(s).map_err(|e| field_error(kind, e, ParseError::BadRoom))
}

fn parse_text(s: &str, kind: MessageKind) -> Result<Text, ParseError> {
    // (`ChatFields::check` maps a text's error the same way.)
    Text::new(s).map_err(|e| malformed(Some(kind), Malformation::BadText(e)))
}

fn parse_addr(host: &str, port: &str, kind: MessageKind) -> Result<PeerAddr, ParseError> {
    let host = Host::new(host)
        .map_err(|e| field_error(kind, e, |e| malformed(Some(kind), Malformation::BadHost(e))))?;
    if port.is_empty() {
        return Err(malformed(Some(kind), Malformation::EmptyField));
    }
    let port = parse_port(port).map_err(|e| malformed(Some(kind), Malformation::BadPort(e)))?;
    Ok(PeerAddr::new(host, port))
}

fn parse_hex<T>(
    s: &str,
    kind: MessageKind,
    from_hex: impl FnOnce(&str) -> Option<T>,
) -> Result<T, ParseError> {
    if s.is_empty() {
        return Err(malformed(Some(kind), Malformation::EmptyField));
    }
    from_hex(s).ok_or_else(|| malformed(Some(kind), Malformation::BadHex))
}

/// At most 32 characters of an unknown type word, for the error text.
fn clip(word: &str) -> String {
    word.chars().take(32).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A nick or room: fine, empty, with a control character, or too long
    /// in bytes or in characters.
    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-c]{1,5}",
            1 => "",
            1 => "[a-c]{0,2}[\\x00\\x7f\\t][a-c]{0,2}",
            1 => "[a-z]{30,70}",
            1 => "[ä]{30,70}",
        ]
    }

    /// A text: fine, with a `\n` or a trailing `\r`, or long enough to
    /// make the line too long.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => "[a-c \\x01]{0,10}",
            1 => "[a-c]{0,3}\\r",
            1 => "[a-c]{0,3}\\n[a-c]{0,3}",
            1 => "[ä]{900,1100}",
            1 => "[a]{1000,1030}",
        ]
    }

    /// `MSG` lines: three fields, or a jumble of spaces and letters.
    fn msg_line() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => (token(), token(), text()).prop_map(|(n, r, t)| format!("MSG {n} {r} {t}")),
            1 => "MSG[a-c ]{0,12}",
        ]
    }

    proptest! {
        #[test]
        fn the_chat_fast_path_agrees_with_message_parse(line in msg_line()) {
            let slow = Message::parse(&line);
            match ChatFields::parse(&line) {
                Some(fast) => prop_assert_eq!(fast.map(|chat| Message::Msg(chat.to_owned())), slow),
                // Not a `MSG` line ("MSG\n" is a type word of its own).
                None => prop_assert!(!matches!(slow, Ok(Message::Msg(_))), "{:?}", slow),
            }
        }
    }

    #[test]
    fn only_msg_lines_take_the_chat_fast_path() {
        for line in ["JOIN lobby", "MSGX a b c", "msg a b c", "", " MSG a b c"] {
            assert_eq!(ChatFields::parse(line), None, "{line:?}");
        }
        assert!(ChatFields::parse("MSG").is_some_and(|r| r.is_err()));
    }
}
