//! The wire codec: PROTOCOL.md §1 (framing, fields) and §2 (messages).
//!
//! - [`LineFramer`] cuts a byte stream into [`Line`]s, reporting
//!   [`FrameError`]s (`too-long`, `bad-utf8`).
//! - [`Message::parse`] turns a line into a [`Message`], or a [`ParseError`]
//!   whose [`code`](ParseError::code) is the `ERROR` answer.
//! - [`Message::encode`] turns a message back into one `Bytes` line.
//! - Field types ([`Nick`], [`Room`], [`Host`], [`Text`], [`PeerAddr`])
//!   validate on construction, so an invalid line cannot be built.
//! - Helpers: [`all_addrs_lines`] splits a long address list,
//!   [`private_room_name`] derives a private room's wire name,
//!   [`split_chat`] cuts long text over several `MSG` lines,
//!   [`interest_lines`] and [`members_lines`] pack the lists of the mesh
//!   extensions.

mod all_addrs;
mod auth;
mod encode;
mod error_code;
mod extension;
mod fields;
mod framer;
mod host_spelling;
mod interest;
pub mod limits;
mod members;
mod message;
mod pack;
mod parse;
mod private_room;
mod split;

pub use all_addrs::all_addrs_lines;
pub use auth::{AUTH_BYTES, AuthHello, AuthProof, Nonce, Proof};
pub use error_code::ErrorCode;
pub use extension::{ExtOffer, Extension, ExtensionSet};
pub use fields::{FieldError, Host, Nick, PeerAddr, Room, Text, is_control, parse_port};
pub use framer::{Frame, FrameError, Frames, Line, LineFramer};
pub use interest::{InterestChange, RoomList, interest_lines};
pub use members::{MemberList, members_lines};
pub use message::{AddrList, ChatLine, ErrorReply, LineTooLong, Message, MessageKind, Notice};
pub(crate) use parse::ChatFields;
pub use parse::{Malformation, ParseError};
pub use private_room::private_room_name;
pub use split::{chat_text_budget, split_chat};
