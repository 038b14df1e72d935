//! What can go wrong, said in one line to the person at the terminal.

use std::io;
use std::path::PathBuf;

/// A failure to start or stop a server.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("say what to do: mchat-server start …, stop … or status … (see --help)")]
    NoCommand,
    #[error("the peer must be given as <peer_host> <peer_port>, got: {}", .0.join(" "))]
    PeerArgs(Vec<String>),
    #[error("config file {path}: {why}")]
    Config { path: PathBuf, why: String },
    #[error("the client port and the server port must differ (both are {0})")]
    SamePort(u16),
    #[error("{what} {value:?} is not valid: {why}")]
    Invalid {
        what: &'static str,
        value: String,
        why: String,
    },
    #[error("cannot resolve host {host:?}: {source}")]
    Resolve { host: String, source: io::Error },
    #[error("host {0:?} resolves to no address")]
    NoAddress(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: io::Error,
    },
    #[error("a server is already running for this host and port (pid {pid}, pidfile {path})")]
    AlreadyRunning { pid: String, path: PathBuf },
    #[error("pidfile {path}: {source}")]
    Pidfile { path: PathBuf, source: io::Error },
    #[error("log file {path}: {source}")]
    Log { path: PathBuf, source: io::Error },
    #[error("cannot become a daemon: {0}")]
    Daemon(nix::Error),
    #[error("no server is running for this host and port (no pidfile {0})")]
    NotRunning(PathBuf),
    #[error("no server is running for this host and port (removed the stale pidfile {0})")]
    Stale(PathBuf),
    #[error("cannot signal pid {pid}: {source}")]
    Signal { pid: i32, source: nix::Error },
    #[error("the server (pid {pid}) did not exit within {secs} s")]
    StillRunning { pid: i32, secs: u64 },
    #[error("mesh secret file {path}: {source}")]
    SecretFile { path: PathBuf, source: io::Error },
    #[error("mesh secret file {path}: {why}")]
    Secret { path: PathBuf, why: String },
    #[error("TLS file {path}: {why}")]
    Tls { path: PathBuf, why: String },
    #[error("--tls-mesh needs --tls-cert, --tls-key and --tls-ca")]
    TlsFlags,
    #[error("--tls-client-port needs --tls-cert and --tls-key")]
    TlsClientFlags,
    #[error("{0} is used only with {1}")]
    TlsUnused(&'static str, &'static str),
    #[error("--no-plain needs --tls-client-port: clients must be able to connect somewhere")]
    NoPlainWithoutTls,
    #[error(
        "the server (pidfile {0}) has no monitor: start it with --monitor HOST:PORT, or give status --monitor"
    )]
    NoMonitor(PathBuf),
    #[error("cannot read http://{addr}/status: {why}")]
    StatusRead {
        addr: std::net::SocketAddr,
        why: String,
    },
    #[error("{0}")]
    Io(#[from] io::Error),
}
