//! The mChat protocol as a library: no sockets, no threads, no clock.
//!
//! mChat is a distributed group chat: servers form a full mesh and relay room
//! messages to the clients connected to them. This crate holds everything
//! the protocol decides, so that a program embedding it only moves bytes.
//!
//! # A tour
//!
//! **The wire codec** ([`wire`]) turns bytes into typed messages and back.
//! A [`LineFramer`](wire::LineFramer) cuts a stream into lines however it
//! arrives; [`Message::parse`](wire::Message::parse) checks every rule of the
//! protocol; [`Message::encode`](wire::Message::encode) gives one
//! [`bytes::Bytes`] per line, cheap to clone to many recipients.
//!
//! ```
//! use mchat_core::wire::{ErrorCode, LineFramer, Message, Nick, Room, Text};
//!
//! // Bytes as a socket might deliver them: split mid-line, CRLF from netcat.
//! let chunks: [&[u8]; 2] = [b"JOIN lobby\r\nMSG alice lob", b"by hello, world\nmsg x\n"];
//! let mut framer = LineFramer::new();
//! let mut results = Vec::new();
//! for chunk in chunks {
//!     for frame in framer.frames(chunk) {
//!         let line = frame.expect("short valid UTF-8 lines");
//!         results.push(Message::parse(line.as_str()).map_err(|e| e.code()));
//!     }
//! }
//! let lobby = Room::new("lobby")?;
//! assert_eq!(results[0], Ok(Message::Join(lobby.clone())));
//! let hello = Message::msg(Nick::new("alice")?, lobby, Text::new("hello, world")?)?;
//! assert_eq!(results[1], Ok(hello.clone()));
//! // Types are case-sensitive: `msg` is answered with `ERROR unknown-command …`.
//! assert_eq!(results[2], Err(ErrorCode::UnknownCommand));
//!
//! // Encoding gives the line back, `\n` included.
//! assert_eq!(&hello.encode()[..], b"MSG alice lobby hello, world\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Values that would break the framing cannot be built: a nick with a space,
//! a room of 65 characters or a `MSG` line over 1024 characters is refused
//! by its constructor, so every [`Message`](wire::Message) encodes to a valid
//! line.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod client;
pub mod fuzzing;
pub mod server;
pub mod wire;
