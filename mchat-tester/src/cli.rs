//! The command line as argh reads it, and its translation into each
//! subcommand's plan.

use std::path::PathBuf;
use std::time::Duration;

use argh::FromArgs;

use crate::{abuse, chaos, idle, load};

/// Load, failure and abuse testing for mChat servers.
#[derive(FromArgs, Debug)]
pub struct Cli {
    /// print the version and exit
    #[argh(switch)]
    pub version: bool,
    #[argh(subcommand)]
    pub command: Option<Command>,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum Command {
    Load(Load),
    Idle(Idle),
    Chaos(Chaos),
    Abuse(Abuse),
}

/// A command line that parsed but cannot run.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error("{0}: --server HOST:PORT is required (the client address of the server to test)")]
    NoServer(&'static str),
    #[error(
        "load: --server HOST:PORT is required (the client address of the server to test), or --spawn-mesh N with --server-bin PATH"
    )]
    NoLoadTarget,
    #[error(
        "load: --server and --spawn-mesh exclude each other: test running servers, or start a mesh"
    )]
    ServerAndSpawn,
    #[error("load: --spawn-mesh needs --server-bin PATH (the mchat-server to start)")]
    NoServerBin,
    #[error("load: --spawn-mesh needs at least 1 server")]
    EmptyMesh,
    #[error("load: --server-bin and --server-arg are for --spawn-mesh")]
    ServerFlagsWithoutSpawn,
    #[error(
        "load: --pid is for --server; the servers of --spawn-mesh are watched by their own pids"
    )]
    PidWithSpawn,
    #[error("load: --room-spread {spread} needs 1 to {servers} (the number of servers)")]
    Spread { spread: usize, servers: usize },
    #[error(
        "load: --tls is for --server (the TLS client addresses of running servers), not --spawn-mesh"
    )]
    TlsWithSpawn,
    #[error("load: --ws is for --server (the --ws listeners of running servers), not --spawn-mesh")]
    WsWithSpawn,
    #[error("{0}: --ws and --tls do not go together (the --ws listener speaks plain WebSocket)")]
    WsWithTls(&'static str),
    #[error("{0}: --ca is for --tls")]
    CaWithoutTls(&'static str),
    #[error("abuse: --ca is for --tls-port")]
    CaWithoutTlsPort,
    #[error("{0}: --ca {1}")]
    Trust(&'static str, mchat_trust::TrustError),
    #[error("abuse: mesh secret file {path}: {why}")]
    MeshSecret {
        path: std::path::PathBuf,
        why: String,
    },
}

/// Drive chat traffic through servers and measure throughput, loss and latency.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "load")]
pub struct Load {
    /// client address of a server, HOST:PORT (this or --spawn-mesh is required; repeatable: receivers round-robin over them, senders on the first, unless --room-spread)
    #[argh(option)]
    server: Vec<String>,
    /// start N mchat-server processes on 127.0.0.1 instead, each joining the previous one's network, every peer link through a relay of the tester that counts it; report what the peer links carry during the load (peer_link_*, heartbeats and gossip included), then stop them
    #[argh(option)]
    spawn_mesh: Option<usize>,
    /// the mchat-server binary for --spawn-mesh
    #[argh(option)]
    server_bin: Option<PathBuf>,
    /// a flag for every server of --spawn-mesh (repeatable, one word each: --server-arg --heartbeat-ms --server-arg 500)
    #[argh(option)]
    server_arg: Vec<String>,
    /// put each room's receivers on K servers: room i's dealt round-robin over servers i, i+1, ... i+K-1 (mod N servers); sender s (in room s mod rooms) then sits on server (s + s div N) mod N, so senders are on every server, sharing one with their room's receivers K times in N
    #[argh(option)]
    room_spread: Option<usize>,
    /// receiving clients (default 50)
    #[argh(option, default = "50")]
    receivers: usize,
    /// sending clients (default 1)
    #[argh(option, default = "1")]
    senders: usize,
    /// rooms (default 1)
    #[argh(option, default = "1")]
    rooms: usize,
    /// lines per sender (default 100000)
    #[argh(option, default = "100_000")]
    messages: u64,
    /// stop sending after this many seconds
    #[argh(option)]
    duration: Option<f64>,
    /// lines per second per sender (default 0: as fast as the window allows)
    #[argh(option, default = "0.0")]
    rate: f64,
    /// lines a sender may be ahead of its room's first receiver (default 1000; 0: no window)
    #[argh(option, default = "1000")]
    window: u64,
    /// bytes of text per line (default 86)
    #[argh(option, default = "86")]
    text_size: usize,
    /// pid of a server, to report its CPU time and memory (repeatable: one per --server)
    #[argh(option)]
    pid: Vec<u32>,
    /// print a line every SECS seconds while the run lasts: deliveries and p99 latency in the interval, each --pid's memory and CPU (on stderr with --json)
    #[argh(option)]
    report_every: Option<f64>,
    /// every client speaks TLS (--server then names TLS client ports), checking the server's certificate for its HOST against the system's roots or --ca
    #[argh(switch)]
    tls: bool,
    /// every client speaks WebSocket, one message a line (--server then names the servers' --ws listeners)
    #[argh(switch)]
    ws: bool,
    /// PEM file of the CA certificate(s) that --tls checks servers against (default: the system's roots)
    #[argh(option)]
    ca: Option<PathBuf>,
    /// print JSON
    #[argh(switch)]
    pub json: bool,
}

impl Load {
    pub fn plan(&self) -> Result<load::Plan, UsageError> {
        let spawn = self.spawn()?;
        let servers = spawn.as_ref().map_or(self.server.len(), |s| s.servers);
        if let Some(spread) = self.room_spread
            && !(1..=servers).contains(&spread)
        {
            return Err(UsageError::Spread { spread, servers });
        }
        Ok(load::Plan {
            servers: self.server.clone(),
            spawn,
            spread: self.room_spread,
            receivers: self.receivers,
            senders: self.senders,
            rooms: self.rooms.max(1),
            // --duration alone runs for its time, not for the default count.
            messages: if self.duration.is_some() && self.messages == 100_000 {
                u64::MAX
            } else {
                self.messages
            },
            duration: self.duration.map(|s| Duration::from_secs_f64(s.max(0.0))),
            rate: self.rate,
            window: self.window,
            text_size: self.text_size,
            pids: self.pid.clone(),
            report_every: self
                .report_every
                .map(|s| Duration::from_secs_f64(s.max(0.1))),
            json: self.json,
            tls: trust("load", self.tls, self.ca.as_deref())?,
            ws: ws_alone("load", self.ws, self.tls)?,
        })
    }

    /// The mesh to start, if `--spawn-mesh`; refuses flags that do not go
    /// together.
    fn spawn(&self) -> Result<Option<load::Spawn>, UsageError> {
        let Some(servers) = self.spawn_mesh else {
            if self.server.is_empty() {
                return Err(UsageError::NoLoadTarget);
            }
            if self.server_bin.is_some() || !self.server_arg.is_empty() {
                return Err(UsageError::ServerFlagsWithoutSpawn);
            }
            return Ok(None);
        };
        if !self.server.is_empty() {
            return Err(UsageError::ServerAndSpawn);
        }
        if self.tls {
            return Err(UsageError::TlsWithSpawn);
        }
        if self.ws {
            return Err(UsageError::WsWithSpawn);
        }
        if !self.pid.is_empty() {
            return Err(UsageError::PidWithSpawn);
        }
        if servers == 0 {
            return Err(UsageError::EmptyMesh);
        }
        let server_bin = self.server_bin.clone().ok_or(UsageError::NoServerBin)?;
        Ok(Some(load::Spawn {
            servers,
            server_bin,
            server_args: self.server_arg.clone(),
        }))
    }
}

/// Hold many idle clients and measure what they cost the server.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "idle")]
pub struct Idle {
    /// client address of a server, HOST:PORT (required; repeatable)
    #[argh(option)]
    server: Vec<String>,
    /// clients (default 1000)
    #[argh(option, default = "1000")]
    clients: usize,
    /// rooms they join (default 10)
    #[argh(option, default = "10")]
    rooms: usize,
    /// seconds to hold them (default 10)
    #[argh(option, default = "10.0")]
    hold: f64,
    /// pid of the server, to report its memory
    #[argh(option)]
    pid: Option<u32>,
    /// every client speaks TLS (--server then names TLS client ports), checking the server's certificate for its HOST against the system's roots or --ca
    #[argh(switch)]
    tls: bool,
    /// every client speaks WebSocket, one message a line (--server then names the servers' --ws listeners)
    #[argh(switch)]
    ws: bool,
    /// PEM file of the CA certificate(s) that --tls checks servers against (default: the system's roots)
    #[argh(option)]
    ca: Option<PathBuf>,
    /// print JSON
    #[argh(switch)]
    pub json: bool,
}

impl Idle {
    pub fn plan(&self) -> Result<idle::Plan, UsageError> {
        Ok(idle::Plan {
            servers: required(&self.server, "idle")?,
            clients: self.clients,
            rooms: self.rooms.max(1),
            hold: Duration::from_secs_f64(self.hold.max(0.0)),
            pid: self.pid,
            tls: trust("idle", self.tls, self.ca.as_deref())?,
            ws: ws_alone("idle", self.ws, self.tls)?,
        })
    }
}

/// Start a mesh of mchat-server processes behind relays, cut and heal links,
/// kill and restart servers while clients chat, and check every delivery.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "chaos")]
pub struct Chaos {
    /// the mchat-server binary to run
    #[argh(option)]
    server_bin: String,
    /// servers in the mesh (default 5)
    #[argh(option, default = "5")]
    servers: usize,
    /// chatting clients on each server (default 2)
    #[argh(option, default = "2")]
    clients_per_server: usize,
    /// rooms the clients chat in, dealt round-robin (default 1: all in
    /// lobby); more than one leaves servers without members in some rooms,
    /// so room-interest routing holds lines back
    #[argh(option, default = "1")]
    rooms: usize,
    /// seconds of failures (default 60)
    #[argh(option, default = "60.0")]
    duration: f64,
    /// random seed of the scenario (default 1)
    #[argh(option, default = "1")]
    pub seed: u64,
    /// print the verdict as JSON
    #[argh(switch)]
    pub json: bool,
}

impl Chaos {
    pub fn plan(&self) -> chaos::Plan {
        chaos::Plan {
            server_bin: self.server_bin.clone().into(),
            servers: self.servers.max(2),
            clients_per_server: self.clients_per_server.max(1),
            rooms: self.rooms.max(1),
            duration: Duration::from_secs_f64(self.duration.max(0.0)),
            seed: self.seed,
        }
    }
}

/// Attack a live server with malicious and buggy clients, next to a probe
/// that keeps chatting; one line per case, then "N passed, N failed, N skipped".
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "abuse")]
pub struct Abuse {
    /// client address of the server, HOST:PORT (required)
    #[argh(option)]
    server: String,
    /// the server's server port, for the cases that pose as servers (without it they are skipped)
    #[argh(option)]
    server_port: Option<u16>,
    /// the server's TLS client port (--tls-client-port), on --server's host, for the TLS cases (without it they are skipped)
    #[argh(option)]
    tls_port: Option<u16>,
    /// PEM file of the CA certificate(s) the TLS cases check the server against (default: the system's roots)
    #[argh(option)]
    ca: Option<PathBuf>,
    /// the port of the server's --ws listener, on --server's host, for the WebSocket cases (without it they are skipped)
    #[argh(option)]
    ws_port: Option<u16>,
    /// pid of the server, to watch its memory
    #[argh(option)]
    pid: Option<u32>,
    /// the network's mesh secret (the server's --mesh-secret-file), so the
    /// handshake cases can pose as a real server of a secured network
    #[argh(option)]
    mesh_secret_file: Option<std::path::PathBuf>,
    /// the memory the server may reach, MiB (default 256)
    #[argh(option, default = "256")]
    max_rss_mib: u64,
    /// print the cases as JSON (the last line stays "N passed, N failed, N skipped")
    #[argh(switch)]
    json: bool,
}

impl Abuse {
    pub fn plan(&self) -> Result<abuse::Plan, UsageError> {
        let mesh_secret = self
            .mesh_secret_file
            .as_deref()
            .map(read_mesh_secret)
            .transpose()?;
        if self.ca.is_some() && self.tls_port.is_none() {
            return Err(UsageError::CaWithoutTlsPort);
        }
        Ok(abuse::Plan {
            server: self.server.clone(),
            server_port: self.server_port,
            tls: trust("abuse", self.tls_port.is_some(), self.ca.as_deref())?
                .zip(self.tls_port)
                .map(|(roots, port)| abuse::Tls { port, roots }),
            ws_port: self.ws_port,
            pid: self.pid,
            mesh_secret,
            max_rss_kib: self.max_rss_mib.saturating_mul(1024),
            json: self.json,
        })
    }
}

/// `--ws`, which does not go with `--tls` (no `wss` yet).
fn ws_alone(command: &'static str, ws: bool, tls: bool) -> Result<bool, UsageError> {
    if ws && tls {
        return Err(UsageError::WsWithTls(command));
    }
    Ok(ws)
}

/// `--tls` and `--ca`: the roots TLS clients check servers against, if
/// they speak TLS.
fn trust(
    subcommand: &'static str,
    tls: bool,
    ca: Option<&std::path::Path>,
) -> Result<Option<std::sync::Arc<rustls::ClientConfig>>, UsageError> {
    match (tls, ca) {
        (false, None) => Ok(None),
        (false, Some(_)) => Err(UsageError::CaWithoutTls(subcommand)),
        (true, ca) => mchat_trust::client_config(ca)
            .map(Some)
            .map_err(|e| UsageError::Trust(subcommand, e)),
    }
}

/// The secret in a file, read as the server reads it.
fn read_mesh_secret(path: &std::path::Path) -> Result<mchat_core::server::MeshSecret, UsageError> {
    let why = |why: String| UsageError::MeshSecret {
        path: path.to_owned(),
        why,
    };
    let bytes = std::fs::read(path).map_err(|e| why(e.to_string()))?;
    mchat_core::server::MeshSecret::from_file_contents(bytes).map_err(|e| why(e.to_string()))
}

/// The `--server` addresses, which must not be empty: a default would send
/// the load to whatever happens to listen there.
fn required(servers: &[String], subcommand: &'static str) -> Result<Vec<String>, UsageError> {
    if servers.is_empty() {
        Err(UsageError::NoServer(subcommand))
    } else {
        Ok(servers.to_vec())
    }
}
