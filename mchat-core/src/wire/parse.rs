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
                let nick = parse_nick(nick, kind)?;
                let room = parse_room(room, kind)?;
                Message::Msg(ChatLine::new(nick, room, parse_text(body, kind)?)?)
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
