//! The in-memory network: servers, clients and TCP-like pipes in virtual time.
//!
//! A pipe delivers bytes in order after its one-way delay; a close travels
//! behind the data sent before it. Cutting the link between two servers or
//! crashing one resets their pipes at once (both ends see a close) and makes
//! dials between them fail until it heals or restarts.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::num::NonZeroU16;
use std::time::{Duration, Instant};

use bytes::Bytes;
use mchat_core::server::{CloseReason, ConnId, Listener, Output, Server, ServerConfig};
use mchat_core::wire::{Host, PeerAddr};

use crate::client::SimClient;
use crate::history::{History, Span};
use crate::rng::Rng;

/// How a run is set up.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Number of servers (indices `0..servers`).
    pub servers: usize,
    /// Number of clients (indices `0..clients`).
    pub clients: usize,
    /// Shortest one-way delay of a pipe.
    pub min_delay: Duration,
    /// Longest one-way delay of a pipe.
    pub max_delay: Duration,
    /// The run's seed: the same seed replays the same run.
    pub seed: u64,
}

impl SimConfig {
    /// A run of `servers` servers and `clients` clients with 1–50 ms links.
    pub fn new(servers: usize, clients: usize, seed: u64) -> Self {
        Self {
            servers,
            clients,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(50),
            seed,
        }
    }
}

/// One end of a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    /// A server connection; `None` until the server has accepted it.
    Server(usize, Option<ConnId>),
    /// A client.
    Client(usize),
}

#[derive(Debug)]
struct Pipe {
    /// The end that opened it (a dialling server, or a client).
    a: End,
    /// The accepting server.
    b: End,
    delay: Duration,
    a_open: bool,
    b_open: bool,
    /// The latest arrival scheduled toward each end, to keep order.
    last_to_a: Instant,
    last_to_b: Instant,
}

impl Pipe {
    fn end(&self, to_b: bool) -> End {
        if to_b { self.b } else { self.a }
    }

    fn is_open(&self, to_b: bool) -> bool {
        if to_b { self.b_open } else { self.a_open }
    }

    fn close(&mut self, to_b: bool) {
        if to_b {
            self.b_open = false;
        } else {
            self.a_open = false;
        }
    }

    /// The servers at both ends, if it links two servers.
    fn servers(&self) -> Option<(usize, usize)> {
        match (self.a, self.b) {
            (End::Server(x, _), End::Server(y, _)) => Some((x, y)),
            _ => None,
        }
    }
}

/// Something scheduled to happen.
#[derive(Clone, Debug)]
pub enum Action {
    /// The accepting server sees a dialled connection arrive.
    Accept(u64),
    /// The dialling server learns whether its dial connected.
    DialDone(u64),
    /// Bytes arrive at one end of a pipe.
    Deliver(u64, bool, Bytes),
    /// The other end's close arrives.
    Fin(u64, bool),
    /// A client does something.
    Client(usize, ClientAction),
    /// A server process dies.
    Crash(usize),
    /// A crashed server starts again, joining through a server that is up
    /// at that moment (chosen at random), or alone if none is.
    Restart(usize),
    /// The link between two servers is cut.
    Cut(usize, usize),
    /// The link between two servers heals.
    Heal(usize, usize),
}

/// What a simulated client can be told to do.
#[derive(Clone, Debug)]
pub enum ClientAction {
    /// Connect to a server and set its nick.
    Connect(usize),
    /// Close its connection.
    Disconnect,
    /// Join a room.
    Join(String),
    /// Part a room.
    Part(String),
    /// Send a numbered chat line to a room.
    Msg(String),
    /// Take a new nick.
    Nick,
}

#[derive(Debug)]
struct Scheduled {
    at: Instant,
    seq: u64,
    action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed: the heap pops the earliest first, ties in scheduling order.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A deterministic mesh of servers and clients. See the [module docs](self).
#[derive(Debug)]
pub struct Sim {
    /// The current virtual time.
    pub now: Instant,
    /// When the run began.
    pub start: Instant,
    /// The run's randomness.
    pub rng: Rng,
    /// What happened, for the checks.
    pub history: History,
    /// The clients.
    pub clients: Vec<SimClient>,
    cfg: SimConfig,
    queue: BinaryHeap<Scheduled>,
    seq: u64,
    nodes: Vec<Option<Server>>,
    addrs: Vec<PeerAddr>,
    pipes: HashMap<u64, Pipe>,
    next_pipe: u64,
    server_ends: HashMap<(usize, ConnId), u64>,
    cut: BTreeSet<(usize, usize)>,
    tune: fn(&mut ServerConfig),
    /// Print every server event and failure to stderr (for replaying a seed).
    pub trace: bool,
}

/// The advertised address of server `i`: host `s000`, `s001`, …, port 6062.
#[allow(clippy::expect_used)] // "s" and digits always make a valid host
pub fn server_addr(i: usize) -> PeerAddr {
    let host = Host::new(format!("s{i:03}")).expect("a valid host");
    PeerAddr::new(host, NonZeroU16::MIN.saturating_add(6061))
}

fn remote() -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], 40000))
}

impl Sim {
    /// A network with no server running yet.
    pub fn new(cfg: SimConfig) -> Self {
        let start = Instant::now();
        let clients = (0..cfg.clients).map(SimClient::new).collect();
        Self {
            now: start,
            start,
            rng: Rng::new(cfg.seed),
            history: History {
                connected: vec![Vec::new(); cfg.clients],
                alive: vec![Vec::new(); cfg.servers],
                ..History::default()
            },
            clients,
            queue: BinaryHeap::new(),
            seq: 0,
            nodes: (0..cfg.servers).map(|_| None).collect(),
            addrs: (0..cfg.servers).map(server_addr).collect(),
            pipes: HashMap::new(),
            next_pipe: 0,
            server_ends: HashMap::new(),
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
        self.seq += 1;
        self.queue.push(Scheduled {
            at: at.max(self.now),
            seq: self.seq,
            action,
        });
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

    /// Starts server `i` now, joining through server `join` if given.
    pub fn start_server(&mut self, i: usize, join: Option<usize>) {
        if self.is_up(i) || i >= self.nodes.len() {
            return;
        }
        let mut config = ServerConfig::new(server_addr(i));
        config.join = join.map(server_addr);
        let restarts = self.history.alive.get(i).map_or(0, Vec::len) as u64;
        config.jitter_seed = self.cfg.seed ^ (i as u64) << 32 ^ restarts;
        (self.tune)(&mut config);
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = Some(Server::new(config, self.now));
        }
        if let Some(spans) = self.history.alive.get_mut(i) {
            spans.push(Span {
                start: self.now,
                end: None,
            });
        }
        self.drain(i);
    }

    /// Runs every event up to and including `until`.
    pub fn run_until(&mut self, until: Instant) {
        loop {
            let next_timer = self
                .nodes
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.as_ref().and_then(Server::poll_timeout).map(|t| (t, i)))
                .min();
            let next_action = self.queue.peek().map(|s| s.at);
            match (next_timer, next_action) {
                (Some((t, i)), a) if t <= until && a.is_none_or(|a| t < a) => {
                    self.now = self.now.max(t);
                    if let Some(Some(node)) = self.nodes.get_mut(i) {
                        node.handle_timeout(self.now);
                    }
                    self.drain(i);
                }
                (_, Some(a)) if a <= until => {
                    if let Some(next) = self.queue.pop() {
                        self.now = self.now.max(next.at);
                        self.apply(next.action);
                    }
                }
                _ => break,
            }
        }
        self.now = self.now.max(until);
    }

    /// Runs for `d` more virtual time.
    pub fn run_for(&mut self, d: Duration) {
        self.run_until(self.now + d);
    }

    fn delay(&mut self) -> Duration {
        let lo = self.cfg.min_delay.as_micros() as u64;
        let hi = self.cfg.max_delay.as_micros() as u64;
        Duration::from_micros(self.rng.between(lo, hi))
    }

    fn is_cut(&self, a: usize, b: usize) -> bool {
        self.cut.contains(&(a.min(b), a.max(b)))
    }

    fn apply(&mut self, action: Action) {
        if self.trace && !matches!(action, Action::Deliver(..) | Action::Client(..)) {
            eprintln!("{:>10.3?} {action:?}", self.elapsed());
        }
        match action {
            Action::Accept(pipe) => self.accept(pipe),
            Action::DialDone(pipe) => self.dial_done(pipe),
            Action::Deliver(pipe, to_b, bytes) => self.deliver(pipe, to_b, &bytes),
            Action::Fin(pipe, to_b) => self.fin(pipe, to_b),
            Action::Client(c, act) => self.client_action(c, act),
            Action::Crash(i) => self.crash(i),
            Action::Restart(i) => {
                let live: Vec<usize> = (0..self.nodes.len())
                    .filter(|&j| j != i && self.is_up(j))
                    .collect();
                let via = live.get(self.rng.index(live.len())).copied();
                self.start_server(i, via);
            }
            Action::Cut(a, b) => self.cut_link(a, b),
            Action::Heal(a, b) => {
                self.cut.remove(&(a.min(b), a.max(b)));
                self.history.disturb(a, b, self.now);
            }
        }
    }

    /// Carries out a server's outputs.
    fn drain(&mut self, i: usize) {
        loop {
            let Some(Some(node)) = self.nodes.get_mut(i) else {
                return;
            };
            let Some(output) = node.poll_output() else {
                return;
            };
            match output {
                Output::Send { to, line } => {
                    let len = line.len();
                    if let Some(&pipe) = self.server_ends.get(&(i, to)) {
                        self.send_on(pipe, End::Server(i, Some(to)), line);
                    }
                    if let Some(Some(node)) = self.nodes.get_mut(i) {
                        node.handle_flushed(to, len, self.now);
                    }
                }
                Output::Close { id, reason } => {
                    if reason == CloseReason::Heartbeat {
                        self.history.heartbeat_closes.push((i, self.now));
                    }
                    if let Some(pipe) = self.server_ends.remove(&(i, id)) {
                        self.close_from(pipe, End::Server(i, Some(id)));
                    }
                }
                Output::Dial { id, addr } => {
                    if self.trace {
                        eprintln!("{:>10.3?} s{i}: dial {id} to {addr}", self.elapsed());
                    }
                    self.dial(i, id, &addr)
                }
                Output::Event(event) => {
                    if self.trace {
                        eprintln!("{:>10.3?} s{i}: {event:?}", self.elapsed());
                    }
                }
            }
        }
    }

    /// A new pipe from `a` to `b` with a random delay; returns it and its delay.
    fn open_pipe(&mut self, a: End, b: End) -> (u64, Duration) {
        let delay = self.delay();
        let pipe = self.next_pipe;
        self.next_pipe += 1;
        let now = self.now;
        self.pipes.insert(
            pipe,
            Pipe {
                a,
                b,
                delay,
                a_open: true,
                b_open: true,
                last_to_a: now,
                last_to_b: now,
            },
        );
        (pipe, delay)
    }

    fn dial(&mut self, i: usize, id: ConnId, addr: &PeerAddr) {
        let target = self
            .addrs
            .iter()
            .position(|a| a == addr)
            .unwrap_or(usize::MAX);
        let (pipe, delay) = self.open_pipe(End::Server(i, Some(id)), End::Server(target, None));
        self.server_ends.insert((i, id), pipe);
        self.after(delay, Action::Accept(pipe));
        self.after(delay * 2, Action::DialDone(pipe));
    }

    /// The made-up address the dialling end of `pipe` connects from.
    fn dial_local(pipe: u64) -> SocketAddr {
        SocketAddr::from((
            [
                10,
                (pipe >> 24) as u8,
                (pipe >> 16) as u8,
                (pipe >> 8) as u8,
            ],
            1024 + (pipe & 0xff) as u16,
        ))
    }

    fn accept(&mut self, pipe: u64) {
        let now = self.now;
        let Some(p) = self.pipes.get(&pipe) else {
            return;
        };
        let (End::Server(from, _), End::Server(to, None)) = (p.a, p.b) else {
            return;
        };
        let reachable = p.a_open && self.is_up(to) && !self.is_cut(from, to);
        let Some(p) = self.pipes.get_mut(&pipe) else {
            return;
        };
        if !reachable {
            p.b_open = false;
            return;
        }
        let Some(Some(node)) = self.nodes.get_mut(to) else {
            return;
        };
        let id = node.accept(Listener::Server, Self::dial_local(pipe), now);
        p.b = End::Server(to, Some(id));
        self.server_ends.insert((to, id), pipe);
        self.history.disturb(from, to, now);
        self.drain(to);
    }

    fn dial_done(&mut self, pipe: u64) {
        let now = self.now;
        let Some(p) = self.pipes.get(&pipe) else {
            return;
        };
        let End::Server(i, Some(id)) = p.a else {
            return;
        };
        if !p.a_open {
            return;
        }
        let connected = p.b_open && matches!(p.b, End::Server(_, Some(_)));
        if !connected {
            self.server_ends.remove(&(i, id));
            self.pipes.remove(&pipe);
        }
        if let Some(Some(node)) = self.nodes.get_mut(i) {
            node.dial_result(id, connected.then(|| Self::dial_local(pipe)), now);
        }
        self.drain(i);
    }

    /// Sends `bytes` from `from` to the other end, in order after earlier sends.
    fn send_on(&mut self, pipe: u64, from: End, bytes: Bytes) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(&pipe) else {
            return;
        };
        let to_b = p.a == from;
        if !p.is_open(!to_b) || !p.is_open(to_b) {
            return;
        }
        let last = if to_b {
            &mut p.last_to_b
        } else {
            &mut p.last_to_a
        };
        let at = (now + p.delay).max(*last);
        *last = at;
        self.schedule(at, Action::Deliver(pipe, to_b, bytes));
    }

    /// `from` closes its end; the close reaches the other end after its data.
    fn close_from(&mut self, pipe: u64, from: End) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(&pipe) else {
            return;
        };
        let to_b = p.a == from;
        p.close(!to_b);
        let last = if to_b {
            &mut p.last_to_b
        } else {
            &mut p.last_to_a
        };
        let at = (now + p.delay).max(*last);
        *last = at;
        if let Some((x, y)) = p.servers() {
            self.history.disturb(x, y, now);
        }
        self.schedule(at, Action::Fin(pipe, to_b));
    }

    fn deliver(&mut self, pipe: u64, to_b: bool, bytes: &[u8]) {
        let now = self.now;
        let Some(p) = self.pipes.get(&pipe) else {
            return;
        };
        if !p.is_open(to_b) {
            return;
        }
        match p.end(to_b) {
            End::Server(i, Some(id)) => {
                if let Some(Some(node)) = self.nodes.get_mut(i) {
                    node.handle_input(id, bytes, now);
                }
                self.drain(i);
            }
            End::Client(c) => {
                let replies = self
                    .clients
                    .get_mut(c)
                    .map(|cl| cl.receive(bytes, now, &mut self.history));
                for line in replies.unwrap_or_default() {
                    self.client_send(c, line);
                }
            }
            End::Server(_, None) => {}
        }
    }

    fn fin(&mut self, pipe: u64, to_b: bool) {
        let now = self.now;
        let Some(p) = self.pipes.get_mut(&pipe) else {
            return;
        };
        if !p.is_open(to_b) {
            return;
        }
        p.close(to_b);
        let end = p.end(to_b);
        if !p.a_open && !p.b_open {
            self.pipes.remove(&pipe);
        }
        match end {
            End::Server(i, Some(id)) => {
                self.server_ends.remove(&(i, id));
                if let Some(Some(node)) = self.nodes.get_mut(i) {
                    node.handle_close(id, now);
                }
                self.drain(i);
            }
            End::Client(c) => self.client_lost(c),
            End::Server(_, None) => {}
        }
    }

    /// Resets every pipe touching server `i` or, with `other`, only those
    /// between `i` and `other`: both ends see a close.
    fn reset_pipes(&mut self, i: usize, other: Option<usize>) {
        let mut hit: Vec<u64> = self
            .pipes
            .iter()
            .filter(|(_, p)| {
                let touches = |e: End, s: usize| matches!(e, End::Server(x, _) if x == s);
                match other {
                    None => touches(p.a, i) || touches(p.b, i),
                    Some(o) => {
                        (touches(p.a, i) && touches(p.b, o)) || (touches(p.a, o) && touches(p.b, i))
                    }
                }
            })
            .map(|(&id, _)| id)
            .collect();
        hit.sort_unstable();
        for pipe in hit {
            if let Some((x, y)) = self.pipes.get(&pipe).and_then(Pipe::servers) {
                self.history.disturb(x, y, self.now);
            }
            // A reset overtakes data in flight: deliver the close first.
            for to_b in [false, true] {
                self.schedule(self.now, Action::Fin(pipe, to_b));
            }
        }
    }

    fn crash(&mut self, i: usize) {
        if !self.is_up(i) {
            return;
        }
        // Forget its ends first, so the resets do not reach the dead server.
        let mine: Vec<(usize, ConnId)> = self
            .server_ends
            .keys()
            .filter(|(s, _)| *s == i)
            .copied()
            .collect();
        for key in mine {
            if let Some(pipe) = self.server_ends.remove(&key)
                && let Some(p) = self.pipes.get_mut(&pipe)
            {
                if matches!(p.a, End::Server(s, _) if s == i) {
                    p.a_open = false;
                }
                if matches!(p.b, End::Server(s, _) if s == i) {
                    p.b_open = false;
                }
            }
        }
        if let Some(slot) = self.nodes.get_mut(i) {
            *slot = None;
        }
        if let Some(span) = self.history.alive.get_mut(i).and_then(|s| s.last_mut()) {
            span.end = Some(self.now);
        }
        for other in 0..self.nodes.len() {
            if other != i {
                self.history.disturb(i, other, self.now);
            }
        }
        self.reset_pipes(i, None);
    }

    fn cut_link(&mut self, a: usize, b: usize) {
        self.cut.insert((a.min(b), a.max(b)));
        self.history.disturb(a, b, self.now);
        self.reset_pipes(a, Some(b));
    }

    fn client_send(&mut self, c: usize, line: String) {
        let Some(pipe) = self.clients.get(c).and_then(|cl| cl.pipe) else {
            return;
        };
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        self.send_on(pipe, End::Client(c), Bytes::from(bytes));
    }

    fn client_lost(&mut self, c: usize) {
        let now = self.now;
        // Its server parts it from every room, with the usual notices (§3).
        if let Some(client) = self.clients.get(c)
            && let Some(server) = client.server
        {
            let linked = self.linked_with(server);
            for room in &client.rooms {
                self.history.memberships.push(crate::history::Membership {
                    client: c,
                    room: room.clone(),
                    nick: client.nick.clone(),
                    at: now,
                    join: false,
                    server,
                    linked: linked.clone(),
                });
            }
        }
        if let Some(client) = self.clients.get_mut(c) {
            client.detach();
        }
        if let Some(span) = self.history.connected.get_mut(c).and_then(|s| s.last_mut())
            && span.1.end.is_none()
        {
            span.1.end = Some(now);
        }
    }

    fn client_action(&mut self, c: usize, action: ClientAction) {
        let now = self.now;
        let Some(client) = self.clients.get(c) else {
            return;
        };
        let connected = client.pipe.is_some();
        match action {
            ClientAction::Connect(server) => {
                if connected || !self.is_up(server) {
                    return;
                }
                let Some(Some(node)) = self.nodes.get_mut(server) else {
                    return;
                };
                let id = node.accept(Listener::Client, remote(), now);
                let (pipe, _) = self.open_pipe(End::Client(c), End::Server(server, Some(id)));
                self.server_ends.insert((server, id), pipe);
                if let Some(spans) = self.history.connected.get_mut(c) {
                    spans.push((
                        server,
                        Span {
                            start: now,
                            end: None,
                        },
                    ));
                }
                let line = self.clients.get_mut(c).map(|cl| cl.attach(pipe, server));
                self.drain(server);
                if let Some(line) = line {
                    self.client_send(c, line);
                }
            }
            ClientAction::Disconnect => {
                if let Some(pipe) = client.pipe {
                    self.close_from(pipe, End::Client(c));
                    self.client_lost(c);
                }
            }
            other => {
                let records = (self.history.sent.len(), self.history.memberships.len());
                let line = self
                    .clients
                    .get_mut(c)
                    .and_then(|cl| cl.act(other, now, &mut self.history));
                // Note which servers were linked both ways with the sender's.
                if let Some(server) = self.clients.get(c).and_then(|cl| cl.server) {
                    let linked = self.linked_with(server);
                    if self.history.sent.len() > records.0
                        && let Some(sent) = self.history.sent.last_mut()
                    {
                        sent.linked = linked.clone();
                    }
                    if self.history.memberships.len() > records.1
                        && let Some(m) = self.history.memberships.last_mut()
                    {
                        m.linked = linked;
                    }
                }
                if let Some(line) = line {
                    self.client_send(c, line);
                }
            }
        }
    }

    /// The servers that `i` and which list each other as established peers.
    pub fn linked_with(&self, i: usize) -> Vec<usize> {
        let Some(si) = self.server(i) else {
            return Vec::new();
        };
        (0..self.nodes.len())
            .filter(|&j| j != i)
            .filter(|&j| {
                self.server(j).is_some_and(|sj| {
                    si.peers().any(|a| *a == server_addr(j))
                        && sj.peers().any(|a| *a == server_addr(i))
                })
            })
            .collect()
    }

    /// Does every running server know (as a peer, or as an address it is
    /// re-dialling) every other server? Then a crash of any one loses no
    /// knowledge the mesh needs to heal.
    pub fn knowledge_is_complete(&self) -> bool {
        (0..self.nodes.len()).all(|i| {
            self.server(i).is_some_and(|s| {
                let known: Vec<&PeerAddr> = s.known_peers().collect();
                (0..self.nodes.len()).all(|j| j == i || known.contains(&&server_addr(j)))
            })
        })
    }

    /// Checks that every running server is linked to every other running
    /// server by exactly one established link, agreed on by both ends.
    pub fn mesh_is_full(&self) -> Result<(), String> {
        let live: Vec<usize> = (0..self.nodes.len()).filter(|&i| self.is_up(i)).collect();
        for &x in &live {
            for &y in &live {
                if x >= y {
                    continue;
                }
                let (Some(sx), Some(sy)) = (self.server(x), self.server(y)) else {
                    continue;
                };
                let x_has = sx.peers().any(|a| *a == server_addr(y));
                let y_has = sy.peers().any(|a| *a == server_addr(x));
                let links = self
                    .pipes
                    .values()
                    .filter(|p| p.a_open && p.b_open && matches!(p.b, End::Server(_, Some(_))))
                    .filter(|p| {
                        p.servers()
                            .is_some_and(|(a, b)| (a, b) == (x, y) || (a, b) == (y, x))
                    })
                    .count();
                if !x_has || !y_has || links != 1 {
                    return Err(format!(
                        "at {:?}: servers {x} and {y}: {x} lists {y}: {x_has}, {y} lists {x}: {y_has}, open links: {links}",
                        self.elapsed()
                    ));
                }
            }
        }
        Ok(())
    }
}
