//! Everything the endpoints show, taken from the state machine in one
//! short borrow, so that encoding it never holds up chat.

use std::time::{Duration, Instant};

use mchat_core::server::{Counters, Gauges, PeerLink, Server};

/// Whether the server takes chat: what `/healthz` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// Its listeners are up.
    Up,
    /// Shutting down (the reason, for `/healthz`).
    ShuttingDown(String),
}

/// The process's own use of the machine.
#[derive(Clone, Copy, Debug, Default)]
pub struct Process {
    /// CPU time, user and system, in seconds.
    pub cpu_seconds: f64,
    /// Resident memory, in bytes.
    pub rss_bytes: u64,
}

impl Process {
    /// This process, now (zeros where the system does not tell).
    pub fn now() -> Self {
        use nix::sys::resource::{UsageWho, getrusage};
        let cpu_seconds = getrusage(UsageWho::RUSAGE_SELF).map_or(0.0, |usage| {
            let secs = |t: nix::sys::time::TimeVal| {
                t.tv_sec() as f64 + f64::from(i32::try_from(t.tv_usec()).unwrap_or(0)) / 1e6
            };
            secs(usage.user_time()) + secs(usage.system_time())
        });
        Self {
            cpu_seconds,
            rss_bytes: rss_bytes().unwrap_or(0),
        }
    }
}

/// `VmRSS` of `/proc/self/status`.
fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// A room and its local members.
#[derive(Clone, Debug)]
pub struct RoomSize {
    pub name: String,
    pub members: usize,
}

/// What the endpoints show, at one instant.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub advertised: String,
    pub version: &'static str,
    pub uptime: Duration,
    pub now: Instant,
    pub health: Health,
    pub counters: Counters,
    pub gauges: Gauges,
    pub peers: Vec<PeerLink>,
    pub rooms: Vec<RoomSize>,
    pub process: Process,
}

impl Snapshot {
    /// Takes what `server` counts and holds; `with_rooms` for `/status`
    /// only (a room list can be long).
    pub fn take(server: &Server, started: Instant, health: Health, with_rooms: bool) -> Self {
        let now = Instant::now();
        let mut rooms: Vec<RoomSize> = if with_rooms {
            server
                .room_sizes()
                .map(|(room, members)| RoomSize {
                    name: room.as_str().to_owned(),
                    members,
                })
                .collect()
        } else {
            Vec::new()
        };
        rooms.sort_by(|a, b| a.name.cmp(&b.name));
        Self {
            advertised: server.config().advertised.to_string(),
            version: env!("CARGO_PKG_VERSION"),
            uptime: now.saturating_duration_since(started),
            now,
            health,
            counters: server.counters().clone(),
            gauges: server.gauges(),
            peers: server.peer_links(),
            rooms,
            process: Process::now(),
        }
    }
}
