//! The client as a sans-IO state machine (PROTOCOL.md §5).
//!
//! A [`Client`] is fed the user's [`Command`]s, the bytes its connection
//! reads and the time; it answers with [`ClientOutput`]s: lines to send,
//! connections to open or close, and [`ClientEvent`]s to show. It owns the
//! nick, the joined rooms (private ones by their digest, shown by the name
//! the user typed), long-message splitting and keep-alive.

mod command;
mod config;
mod event;
mod keepalive;
mod machine;
mod names;
mod output;
mod refusal;
mod rooms;

pub use command::{Command, CommandError, HELP};
pub use config::{ClientConfig, DEFAULT_NICK, Reconnect};
pub use event::{ClientEvent, LostHow, RoomLabel, RoomListing};
pub use machine::{Client, ConnectionEnd};
pub use output::ClientOutput;
pub use refusal::Refusal;
