//! One `Server` in virtual time, with its outputs sorted per connection.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::num::NonZeroU16;
use std::time::{Duration, Instant};

use mchat_core::server::{CloseReason, ConnId, Event, Listener, Output, Server, ServerConfig};
use mchat_core::wire::{Host, PeerAddr};

pub fn addr(host: &str, port: u16) -> PeerAddr {
    PeerAddr::new(Host::new(host).unwrap(), NonZeroU16::new(port).unwrap())
}

pub fn config() -> ServerConfig {
    ServerConfig::new(addr("10.0.0.5", 6062))
}

pub struct Harness {
    pub server: Server,
    pub now: Instant,
    received: HashMap<ConnId, Vec<String>>,
    pub closed: HashMap<ConnId, CloseReason>,
    pub dials: Vec<(ConnId, PeerAddr)>,
    pub events: Vec<Event>,
    /// Connections accepted so far: each comes from an address of its own.
    accepted: u32,
}

/// Room `busy`: a sender, a `slow` and a `fast` reader, whose unsent
/// output may reach `limit` bytes each; flood control off (this is about
/// the readers' queues, §8); everything so far taken.
pub struct Busy {
    pub h: Harness,
    pub sender: ConnId,
    pub slow: ConnId,
    pub fast: ConnId,
}

impl Busy {
    pub fn new(limit: usize) -> Self {
        let mut cfg = config();
        cfg.client_queue_limit = limit;
        cfg.flood_rate = 0;
        let mut h = Harness::new(cfg);
        let sender = h.member("sender", &["busy"]);
        let slow = h.member("slow", &["busy"]);
        let fast = h.member("fast", &["busy"]);
        h.take_all();
        Self {
            h,
            sender,
            slow,
            fast,
        }
    }
}

impl Harness {
    pub fn new(config: ServerConfig) -> Self {
        let now = Instant::now();
        let mut h = Self {
            server: Server::new(config, now),
            now,
            received: HashMap::new(),
            closed: HashMap::new(),
            dials: Vec::new(),
            events: Vec::new(),
            accepted: 0,
        };
        h.drain();
        h
    }

    pub fn with_defaults() -> Self {
        Self::new(config())
    }

    /// Collects every output, flushing each send at once (a fast reader).
    pub fn drain(&mut self) {
        while let Some(output) = self.server.poll_output() {
            match output {
                Output::Send { to, line } => {
                    self.server.handle_flushed(to, line.len(), self.now);
                    let text = std::str::from_utf8(&line).expect("output is UTF-8");
                    assert!(text.ends_with('\n'), "a partial line in {text:?}");
                    for line in text.split_inclusive('\n') {
                        assert!(line.chars().count() <= 1024, "bad line {line:?}");
                        self.received
                            .entry(to)
                            .or_default()
                            .push(line.trim_end_matches('\n').to_owned());
                    }
                }
                Output::Close { id, reason } => {
                    self.closed.insert(id, reason);
                }
                Output::Dial { id, addr } => self.dials.push((id, addr)),
                Output::Event(event) => self.events.push(event),
            }
        }
    }

    /// A new connection on `listener`, from an address no other
    /// connection of the test used (10.128.0.0/9; the per-address limits
    /// have tests of their own, with [`accept_from`](Self::accept_from)).
    pub fn accept(&mut self, listener: Listener) -> ConnId {
        self.accepted += 1;
        let ip = std::net::Ipv4Addr::from(0x0a80_0000 | self.accepted);
        self.accept_from(listener, SocketAddr::from((ip, 40000)))
    }

    /// A new connection on `listener` from `remote`.
    pub fn accept_from(&mut self, listener: Listener, remote: SocketAddr) -> ConnId {
        let id = self.server.accept(listener, remote, self.now);
        self.drain();
        id
    }

    /// A new client.
    pub fn client(&mut self) -> ConnId {
        self.accept(Listener::Client)
    }

    /// A new client with a nick, in the given rooms, its own notices taken.
    pub fn member(&mut self, nick: &str, rooms: &[&str]) -> ConnId {
        let id = self.client();
        self.say(id, &format!("NICK {nick}"));
        for room in rooms {
            self.say(id, &format!("JOIN {room}"));
        }
        self.take(id);
        id
    }

    /// Bytes from a connection, as read.
    pub fn input(&mut self, id: ConnId, bytes: &[u8]) {
        self.server.handle_input(id, bytes, self.now);
        self.drain();
    }

    /// One line from a connection (`\n` added).
    pub fn say(&mut self, id: ConnId, line: &str) {
        self.input(id, format!("{line}\n").as_bytes());
    }

    /// Lines received by `id` since the last call.
    pub fn take(&mut self, id: ConnId) -> Vec<String> {
        self.received.remove(&id).unwrap_or_default()
    }

    /// Takes every connection's received lines, so later checks see only new ones.
    pub fn take_all(&mut self) {
        self.received.clear();
    }

    pub fn close(&mut self, id: ConnId) {
        self.server.handle_close(id, self.now);
        self.drain();
    }

    /// Advances virtual time by `by`, running every timeout on the way.
    pub fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.server.poll_timeout() {
            if at > end {
                break;
            }
            assert!(at >= self.now, "poll_timeout went backwards");
            self.now = at;
            self.server.handle_timeout(at);
            self.drain();
            let next = self.server.poll_timeout().unwrap();
            assert!(next > at, "poll_timeout did not move past {at:?}");
        }
        self.now = end;
    }

    /// The error code of the only line `id` received; fails otherwise.
    pub fn error_code(&mut self, id: ConnId) -> String {
        let lines = self.take(id);
        assert_eq!(lines.len(), 1, "expected one ERROR, got {lines:?}");
        let mut fields = lines[0].splitn(3, ' ');
        assert_eq!(fields.next(), Some("ERROR"), "{lines:?}");
        fields.next().unwrap().to_owned()
    }
}
