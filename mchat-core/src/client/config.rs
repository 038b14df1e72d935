//! How a client starts: its nick and its keep-alive timing.

use std::time::Duration;

use crate::wire::Nick;

/// A new client's nick (PROTOCOL.md §5).
pub const DEFAULT_NICK: &str = "mChatter";

/// A client's nick and the timing of its keep-alive (PROTOCOL.md §5).
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The nick to start with.
    pub nick: Nick,
    /// How often `HEART` goes to the server.
    pub heartbeat_interval: Duration,
    /// The server is lost after this long without `BLEED`.
    pub server_lost_after: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            nick: Nick::from_trusted(DEFAULT_NICK.to_owned()),
            heartbeat_interval: Duration::from_secs(2),
            server_lost_after: Duration::from_secs(5),
        }
    }
}
