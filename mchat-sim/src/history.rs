//! What happened in a run, recorded for the checks of [`crate::check`].

use std::collections::BTreeMap;
use std::time::Instant;

use crate::pair::ServerPair;
use crate::sim_time::SimTime;

/// A client's chat line, as sent.
#[derive(Clone, Debug)]
pub struct SentMsg {
    /// The sending client.
    pub sender: usize,
    /// Its per-sender sequence number (also in the text).
    pub seq: u64,
    /// The room.
    pub room: String,
    /// When it was sent.
    pub at: Instant,
    /// The server the sender was connected to.
    pub server: usize,
    /// Which of the sender's connections it went on (index into its spans).
    pub conn: usize,
    /// The servers linked both ways with `server` when it was sent.
    pub linked: Vec<usize>,
}

/// Whether a client entered or left a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It sent `JOIN`.
    Join,
    /// It sent `PART`, or lost its connection (its server parts it).
    Part,
}

/// A `JOIN` or `PART`, as sent.
#[derive(Clone, Debug)]
pub struct Membership {
    /// The client.
    pub client: usize,
    /// The room.
    pub room: String,
    /// Its nick at the time.
    pub nick: String,
    /// When it was sent.
    pub at: Instant,
    /// Joined or parted.
    pub change: Change,
    /// The server the client was connected to.
    pub server: usize,
    /// The servers linked both ways with `server` when it was sent.
    pub linked: Vec<usize>,
}

/// A line as a client received it.
#[derive(Clone, Debug)]
pub struct Received {
    /// The receiving client.
    pub client: usize,
    /// When it arrived.
    pub at: Instant,
    /// The line, without `\n`.
    pub line: String,
}

/// A time interval, closed at both ends; `end` is `None` while open.
#[derive(Clone, Copy, Debug)]
pub struct Span {
    /// Start.
    pub start: Instant,
    /// End, if it ended.
    pub end: Option<Instant>,
}

impl Span {
    /// Does the span cover all of `from..=to`?
    pub fn covers(&self, from: Instant, to: Instant) -> bool {
        self.start <= from && self.end.is_none_or(|end| end >= to)
    }
}

/// One connection of a client: the server, and how long it lasted.
#[derive(Clone, Copy, Debug)]
pub struct Connection {
    /// The server it was connected to.
    pub server: usize,
    /// While it lasted.
    pub span: Span,
}

/// A connection a server closed because heartbeats went unanswered.
#[derive(Clone, Copy, Debug)]
pub struct HeartbeatClose {
    /// The server that closed it.
    pub server: usize,
    /// When.
    pub at: Instant,
}

/// Everything the checks look at.
#[derive(Clone, Debug)]
pub struct History {
    /// When the run began: the zero of the times in messages.
    pub start: Instant,
    /// Chat lines sent by clients.
    pub sent: Vec<SentMsg>,
    /// Joins and parts sent by clients.
    pub memberships: Vec<Membership>,
    /// Lines received by clients.
    pub received: Vec<Received>,
    /// Per client, its connections in the order it made them.
    pub connected: Vec<Vec<Connection>>,
    /// Per server, the spans it was running.
    pub alive: Vec<Vec<Span>>,
    /// Times when a link between two servers opened or closed, or a cut or
    /// crash touched the pair, keyed by the pair.
    pub disturbances: BTreeMap<ServerPair, Vec<Instant>>,
    /// Connections closed by a server because heartbeats went unanswered.
    pub heartbeat_closes: Vec<HeartbeatClose>,
}

impl Default for History {
    /// An empty history of a run beginning now, with no clients or servers.
    fn default() -> Self {
        Self::new(Instant::now(), 0, 0)
    }
}

impl History {
    /// An empty history of a run that began at `start`, with `clients`
    /// clients and `servers` servers.
    pub fn new(start: Instant, clients: usize, servers: usize) -> Self {
        Self {
            start,
            sent: Vec::new(),
            memberships: Vec::new(),
            received: Vec::new(),
            connected: vec![Vec::new(); clients],
            alive: vec![Vec::new(); servers],
            disturbances: BTreeMap::new(),
            heartbeat_closes: Vec::new(),
        }
    }

    /// The moment `at` of this run, as people read it.
    pub fn time(&self, at: Instant) -> SimTime {
        SimTime::at(self.start, at)
    }

    /// Notes a disturbance of the link between servers `a` and `b`.
    pub fn disturb(&mut self, a: usize, b: usize, at: Instant) {
        self.disturbances
            .entry(ServerPair::new(a, b))
            .or_default()
            .push(at);
    }

    /// Was the pair `a`, `b` undisturbed over `from..=to`?
    pub fn calm(&self, a: usize, b: usize, from: Instant, to: Instant) -> bool {
        self.disturbances
            .get(&ServerPair::new(a, b))
            .is_none_or(|times| times.iter().all(|t| *t < from || *t > to))
    }

    /// Was `server` running over all of `from..=to`?
    pub fn up(&self, server: usize, from: Instant, to: Instant) -> bool {
        self.alive
            .get(server)
            .is_some_and(|spans| spans.iter().any(|s| s.covers(from, to)))
    }

    /// Was `client` connected to `server` over all of `from..=to`?
    pub fn attached(&self, client: usize, server: usize, from: Instant, to: Instant) -> bool {
        self.connected.get(client).is_some_and(|spans| {
            spans
                .iter()
                .any(|c| c.server == server && c.span.covers(from, to))
        })
    }
}
