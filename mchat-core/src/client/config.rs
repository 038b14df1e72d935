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
    /// Dialling a lost server again by itself, or `None` never
    /// (`mchat-client --no-reconnect`).
    pub reconnect: Option<Reconnect>,
}

/// How a client dials a lost server again (PROTOCOL.md §5): after
/// `first_delay`, doubling each failed attempt up to `max_delay`, each
/// delay stretched by up to half at random so that the clients of one
/// server do not all come back at once.
#[derive(Clone, Debug)]
pub struct Reconnect {
    /// The wait before the first attempt.
    pub first_delay: Duration,
    /// The longest wait between attempts.
    pub max_delay: Duration,
    /// Seeds the jitter: give each client its own (the time, the pid).
    pub jitter_seed: u64,
}

impl Default for Reconnect {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            jitter_seed: 0,
        }
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            nick: Nick::from_trusted(DEFAULT_NICK.to_owned()),
            heartbeat_interval: Duration::from_secs(2),
            server_lost_after: Duration::from_secs(5),
            reconnect: Some(Reconnect::default()),
        }
    }
}
