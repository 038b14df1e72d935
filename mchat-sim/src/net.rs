//! The in-memory network: servers, clients and TCP-like pipes in virtual time.
//!
//! A pipe delivers bytes in order after its one-way delay; a close travels
//! behind the data sent before it. Cutting the link between two servers or
//! crashing one resets their pipes at once (both ends see a close) and makes
//! dials between them fail until it heals or restarts.

mod action;
mod clients;
mod config;
mod cuts;
mod dial;
mod drive;
mod flavour;
mod lifecycle;
mod mesh;
mod outputs;
mod pipe;
mod pipes;
mod queue;
mod transport;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use mchat_core::server::{Server, ServerConfig};
use mchat_core::wire::PeerAddr;

pub use self::action::{Action, ClientAction};
pub use self::config::{SimConfig, server_addr};
pub use self::flavour::Flavour;
pub use self::pipe::Side;
use self::pipes::Pipes;
use self::queue::ActionQueue;
use crate::client::SimClient;
use crate::history::History;
use crate::pair::ServerPair;
use mchat_core::rng::SeededRng;

/// A deterministic mesh of servers and clients. See the [module docs](self).
#[derive(Debug)]
pub struct Sim {
    /// The current virtual time.
    pub now: Instant,
    /// When the run began.
    pub start: Instant,
    /// The run's randomness.
    pub rng: SeededRng,
    /// What happened, for the checks.
    pub history: History,
    /// The clients.
    pub clients: Vec<SimClient>,
    cfg: SimConfig,
    queue: ActionQueue,
    /// Server `i` while it runs.
    nodes: Vec<Option<Server>>,
    addrs: Vec<PeerAddr>,
    pipes: Pipes,
    /// Server pairs whose link is cut.
    cut: BTreeSet<ServerPair>,
    tune: fn(&mut ServerConfig),
    /// Print every server event and failure to stderr (for replaying a seed).
    pub trace: bool,
}

impl Sim {
    /// A network with no server running yet.
    pub fn new(cfg: SimConfig) -> Self {
        let start = Instant::now();
        let clients = (0..cfg.clients).map(SimClient::new).collect();
        Self {
            now: start,
            start,
            rng: SeededRng::new(cfg.seed),
            history: History::new(start, cfg.clients, cfg.servers),
            clients,
            queue: ActionQueue::default(),
            nodes: (0..cfg.servers).map(|_| None).collect(),
            addrs: (0..cfg.servers).map(server_addr).collect(),
            pipes: Pipes::default(),
            cut: BTreeSet::new(),
            tune: |_| {},
            trace: std::env::var_os("MCHAT_SIM_TRACE").is_some(),
            cfg,
        }
    }

    /// Adjusts every server's configuration before it starts.
    pub fn tune(&mut self, tune: fn(&mut ServerConfig)) {
        self.tune = tune;
    }

    /// The run's configuration.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// Time since the run began.
    pub fn elapsed(&self) -> Duration {
        self.now.duration_since(self.start)
    }

    /// Schedules `action` at `at` (not before now).
    pub fn schedule(&mut self, at: Instant, action: Action) {
        self.queue.push(at.max(self.now), action);
    }

    /// Schedules `action` after `delay`.
    pub fn after(&mut self, delay: Duration, action: Action) {
        self.schedule(self.now + delay, action);
    }

    /// Is server `i` running?
    pub fn is_up(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(Option::is_some)
    }

    /// Server `i`, if running.
    pub fn server(&self, i: usize) -> Option<&Server> {
        self.nodes.get(i).and_then(Option::as_ref)
    }

    /// Server `i`, if running, to hand it an event.
    fn node_mut(&mut self, i: usize) -> Option<&mut Server> {
        self.nodes.get_mut(i).and_then(Option::as_mut)
    }
}
