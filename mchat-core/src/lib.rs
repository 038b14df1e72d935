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
//!
//! **The server** ([`server::Server`]) is everything a server decides, as a
//! state machine. Its driver reports facts — a connection accepted, bytes
//! read, bytes written, a close, the time — and carries out the outputs.
//! Nothing happens by itself: drain [`poll_output`](server::Server::poll_output)
//! after every call, and call [`handle_timeout`](server::Server::handle_timeout)
//! when [`poll_timeout`](server::Server::poll_timeout) says.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::time::{Duration, Instant};
//! use mchat_core::server::{Listener, Output, Server, ServerConfig};
//! use mchat_core::wire::PeerAddr;
//!
//! let me: PeerAddr = PeerAddr::new("10.0.0.1".parse()?, 6062.try_into()?);
//! let now = Instant::now();
//! let mut server = Server::new(ServerConfig::new(me), now);
//! let remote: SocketAddr = "192.0.2.7:50000".parse()?;
//! let alice = server.accept(Listener::Client, remote, now);
//! let bob = server.accept(Listener::Client, remote, now);
//! server.handle_input(alice, b"NICK alice\nJOIN lobby\n", now);
//! server.handle_input(bob, b"JOIN lobby\nMSG bob lobby hi alice\n", now);
//!
//! let mut to_alice = String::new();
//! while let Some(output) = server.poll_output() {
//!     if let Output::Send { to, line } = output {
//!         if to == alice {
//!             // Whole lines: all alice was sent since the last drain.
//!             to_alice.push_str(std::str::from_utf8(&line)?);
//!         }
//!     }
//! }
//! assert_eq!(to_alice.lines().collect::<Vec<_>>(), [
//!     "SYSTEM lobby alice joined channel",
//!     "SYSTEM lobby NoName joined channel",
//!     // A MSG under another nick is a nick change first (PROTOCOL.md §3).
//!     "SYSTEM lobby NoName changed nickname to bob",
//!     "MSG bob lobby hi alice",
//! ]);
//!
//! // Time is an argument: two seconds later every connection gets HEART.
//! server.handle_timeout(now + Duration::from_secs(2));
//! let hearts = std::iter::from_fn(|| server.poll_output())
//!     .filter(|o| matches!(o, Output::Send { line, .. } if &line[..] == b"HEART\n"))
//!     .count();
//! assert_eq!(hearts, 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! **The client** ([`client::Client`]) is the same shape: user commands and
//! server bytes in, lines to send and events to show out. Private rooms,
//! long-message splitting and keep-alive are its business.
//!
//! ```
//! use std::time::Instant;
//! use mchat_core::client::{Client, ClientConfig, ClientEvent, ClientOutput};
//!
//! let now = Instant::now();
//! let mut client = Client::new(ClientConfig::default());
//! client.handle_input_line("connect chat.example.org 6061", now);
//! assert!(matches!(client.poll_output(), Some(ClientOutput::Connect { .. })));
//! client.connected("chat.example.org", 6061, now); // the driver connected
//! client.handle_input_line("joinprivate sauna hunter2", now);
//! client.handle_input(b"MSG bob 47e4b9b4c1e6d2b3b0f8f4c3a2e1d0c9b8a7f6e5 hi\n", now);
//!
//! let sent: Vec<String> = std::iter::from_fn(|| client.poll_output())
//!     .filter_map(|o| match o {
//!         ClientOutput::Send(line) => Some(String::from_utf8_lossy(&line).into_owned()),
//!         _ => None,
//!     })
//!     .collect();
//! // The server sees the private room only as the SHA-1 of name and
//! // password; the client asks who is there, to tell a lone user so.
//! let wire = mchat_core::wire::private_room_name("sauna", "hunter2");
//! assert_eq!(sent[..2], ["NICK mChatter\n".to_owned(), format!("JOIN {wire}\n")]);
//! assert_eq!(sent[2], format!("NAMES {wire}\n"));
//! ```
//!
//! The binaries `mchat-server` and `mchat-client` are thin drivers of these
//! two; `docs/embedding.md` shows how to write your own.

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod backoff;
pub mod client;
#[doc(hidden)]
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod rng;
pub mod server;
pub mod wire;
