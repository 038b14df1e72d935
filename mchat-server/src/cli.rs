//! The command line (argh), as in the original document §3, with a flag for
//! everything a deployer tunes. Defaults are PROTOCOL.md's.

use std::path::PathBuf;

use argh::FromArgs;

/// The mChat server: relays room messages to its clients and across a full
/// mesh of servers.
#[derive(FromArgs, Debug)]
pub struct Cli {
    #[argh(subcommand)]
    pub command: Command,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
pub enum Command {
    Start(Start),
    Stop(Stop),
}

/// Start a server; with a peer's host and server port it joins that
/// server's network. Becomes a daemon unless --non-daemon is given.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "start")]
pub struct Start {
    /// stay in the foreground, logging to stderr as well as to the log file
    #[argh(switch)]
    pub non_daemon: bool,

    /// host put in MY_ADDR for other servers to dial (default: <host>);
    /// needed when <host> is a wildcard such as 0.0.0.0
    #[argh(option)]
    pub advertise: Option<String>,

    /// server port put in MY_ADDR (default: the bound server port); for a
    /// server behind a port forward or a relay
    #[argh(option)]
    pub advertise_port: Option<u16>,

    /// pidfile (default: /tmp/mchat_<host>_<client_port>.pid)
    #[argh(option)]
    pub pidfile: Option<PathBuf>,

    /// directory of the log file <host>_<client_port>_server.log (default: .)
    #[argh(option, default = "PathBuf::from(\".\")")]
    pub log_dir: PathBuf,

    /// size at which the log is rotated to .1, in bytes (default: 5 MiB)
    #[argh(option, default = "5 * 1024 * 1024")]
    pub log_max_bytes: u64,

    /// interval between HEARTs to every client and peer, ms (default: 2000)
    #[argh(option, default = "2000")]
    pub heartbeat_ms: u64,

    /// HEARTs left unanswered in a row before a connection is closed (default: 3)
    #[argh(option, default = "3")]
    pub missed_heartbeats: u32,

    /// time a new server connection has to send MY_ADDR, ms (default: 2000)
    #[argh(option, default = "2000")]
    pub handshake_timeout_ms: u64,

    /// interval between ALL_ADDRS gossip to every peer, ms (default: 30000)
    #[argh(option, default = "30000")]
    pub gossip_ms: u64,

    /// first delay before re-dialling a lost peer, ms; doubles up to 60 s (default: 1000)
    #[argh(option, default = "1000")]
    pub reconnect_ms: u64,

    /// stop re-dialling a peer unreachable this long, s (default: 600)
    #[argh(option, default = "600")]
    pub reconnect_give_up_s: u64,

    /// time a dial to a peer may take to connect, ms (default: 5000)
    #[argh(option, default = "5000")]
    pub connect_timeout_ms: u64,

    /// most clients at once (default: 10000)
    #[argh(option, default = "10_000")]
    pub max_clients: usize,

    /// most peer servers at once (default: 1000)
    #[argh(option, default = "1_000")]
    pub max_servers: usize,

    /// most rooms (default: 30000)
    #[argh(option, default = "30_000")]
    pub max_rooms: usize,

    /// most members of one room on this server (default: 10000)
    #[argh(option, default = "10_000")]
    pub max_room_members: usize,

    /// unsent bytes after which a client is disconnected (default: 1 MiB)
    #[argh(option, default = "1024 * 1024")]
    pub client_queue_bytes: usize,

    /// unsent bytes after which a peer is disconnected (default: 64 MiB)
    #[argh(option, default = "64 * 1024 * 1024")]
    pub peer_queue_bytes: usize,

    /// host to listen on: a DNS name or an IPv4/IPv6 literal
    #[argh(positional)]
    pub host: String,

    /// port for clients (0 picks a free one)
    #[argh(positional)]
    pub client_port: u16,

    /// port for servers (0 picks a free one)
    #[argh(positional)]
    pub server_port: u16,

    /// an existing server to join: its host and its server port
    #[argh(positional, arg_name = "peer_host peer_port")]
    pub peer: Vec<String>,
}

/// Stop the server started with this host and client port, through its
/// pidfile.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "stop")]
pub struct Stop {
    /// pidfile (default: /tmp/mchat_<host>_<client_port>.pid)
    #[argh(option)]
    pub pidfile: Option<PathBuf>,

    /// seconds to wait for the server to exit (default: 10)
    #[argh(option, default = "10")]
    pub wait_s: u64,

    /// host the server was started with
    #[argh(positional)]
    pub host: String,

    /// client port the server was started with
    #[argh(positional)]
    pub client_port: u16,
}

/// The pidfile the original uses for a host and client port.
pub fn default_pidfile(host: &str, client_port: u16) -> PathBuf {
    PathBuf::from(format!("/tmp/mchat_{host}_{client_port}.pid"))
}
