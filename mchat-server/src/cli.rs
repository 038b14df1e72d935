//! The command line (argh), as in the original document §3, with a flag for
//! everything a deployer tunes. A flag only overrides: every default has one
//! source, the core's `ServerConfig::new` or the driver's own constants
//! (`Start::server_config`, `Start::driver_settings`). The `(default: …)` in
//! each flag's help is checked against that source by a test below.

use std::path::PathBuf;
use std::time::Duration;

use argh::FromArgs;
use mchat_core::server::ServerConfig;
use mchat_core::wire::{Extension, PeerAddr};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::tls::TlsFiles;
use crate::{driver, logging, pidfile};

/// The mChat server: relays room messages to its clients and across a full
/// mesh of servers.
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
#[allow(clippy::large_enum_variant, reason = "parsed once, at start")]
pub enum Command {
    Start(Start),
    Stop(Stop),
    Status(Status),
}

/// Start a server; with a peer's host and server port it joins that
/// server's network. Becomes a daemon unless --non-daemon is given.
///
/// Every option may also be set in a --config file under its own name
/// (`heartbeat-ms = 500`); what the command line gives wins.
#[derive(FromArgs, Clone, Debug, Default, Serialize, Deserialize)]
#[argh(subcommand, name = "start")]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Start {
    /// TOML file of options, by their names without the dashes; a flag
    /// given overrides it; read again on SIGHUP
    #[argh(option)]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// print the configuration in force (defaults, file and flags) as a
    /// config file, and exit
    #[argh(switch)]
    #[serde(skip)]
    pub print_config: bool,

    /// stay in the foreground, logging to stderr as well as to the log file
    #[argh(switch)]
    pub non_daemon: bool,

    /// least severe log lines kept: error, warn, info, debug or trace;
    /// RUST_LOG, if set, decides instead (default: info)
    #[argh(option)]
    pub log_level: Option<String>,

    /// host put in MY_ADDR for other servers to dial (default: <host>);
    /// needed when <host> is a wildcard such as 0.0.0.0; a DNS name is
    /// passed on by gossip only with --mesh-secret-file or --tls-mesh
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
    #[argh(option)]
    pub log_dir: Option<PathBuf>,

    /// size at which the log is rotated to .1, in bytes (default: 5 MiB)
    #[argh(option)]
    pub log_max_bytes: Option<u64>,

    /// interval between HEARTs to every client and peer, ms (default: 2000)
    #[argh(option)]
    pub heartbeat_ms: Option<u64>,

    /// HEARTs left unanswered in a row before a connection is closed (default: 3)
    #[argh(option)]
    pub missed_heartbeats: Option<u32>,

    /// time a new server connection has to send MY_ADDR, ms (default: 2000)
    #[argh(option)]
    pub handshake_timeout_ms: Option<u64>,

    /// interval between ALL_ADDRS gossip to every peer, ms (default: 30000)
    #[argh(option)]
    pub gossip_ms: Option<u64>,

    /// first delay before re-dialling a lost peer, ms; doubles up to 60 s (default: 1000)
    #[argh(option)]
    pub reconnect_ms: Option<u64>,

    /// stop re-dialling a peer unreachable this long, s (default: 600)
    #[argh(option)]
    pub reconnect_give_up_s: Option<u64>,

    /// time a dial to a peer may take to connect, ms (default: 5000)
    #[argh(option)]
    pub connect_timeout_ms: Option<u64>,

    /// most new addresses one server link's gossip may make this server
    /// dial, over the link's life (default: 64)
    #[argh(option)]
    pub max_gossiped_addrs: Option<usize>,

    /// most dials to other servers started in one second (default: 10)
    #[argh(option)]
    pub max_dials_per_s: Option<u32>,

    /// most clients at once (default: 10000)
    #[argh(option)]
    pub max_clients: Option<usize>,

    /// most peer servers at once (default: 1000)
    #[argh(option)]
    pub max_servers: Option<usize>,

    /// most accepted server connections still in their handshake; one more
    /// closes the oldest (default: 64)
    #[argh(option)]
    pub max_candidates: Option<usize>,

    /// most client connections one address holds at once (an IPv6 /64 is
    /// one address); 0 lifts it (default: 100)
    #[argh(option)]
    pub max_clients_per_ip: Option<usize>,

    /// most server-port connections one address holds in their handshake
    /// at once (linked peers do not count); 0 lifts it (default: 8)
    #[argh(option)]
    pub max_candidates_per_ip: Option<usize>,

    /// most new connections one address opens a second, on each port (as
    /// many may come at once); 0 lifts it (default: 20)
    #[argh(option)]
    pub connect_rate_per_ip: Option<u32>,

    /// lines a second a client may send, sustained (JOIN, PART and NICK
    /// count; a NICK one a room); 0 turns flood control off (default: 20)
    #[argh(option)]
    pub flood_rate: Option<u32>,

    /// lines a client may send at once, above the rate (default: 200)
    #[argh(option)]
    pub flood_burst: Option<u32>,

    /// seconds a client may keep flooding before it is disconnected
    /// (default: 10)
    #[argh(option)]
    pub flood_disconnect_s: Option<u64>,

    /// most rooms one client may be in; 0 lifts it (default: 50)
    #[argh(option)]
    pub max_rooms_per_client: Option<usize>,

    /// most rooms (default: 30000)
    #[argh(option)]
    pub max_rooms: Option<usize>,

    /// most members of one room on this server (default: 10000)
    #[argh(option)]
    pub max_room_members: Option<usize>,

    /// unsent bytes after which a client is disconnected (default: 1 MiB)
    #[argh(option)]
    pub client_queue_bytes: Option<usize>,

    /// unsent bytes after which a peer is disconnected (default: 64 MiB)
    #[argh(option)]
    pub peer_queue_bytes: Option<usize>,

    /// send every room's lines to every peer, not only to peers with members
    /// in the room (room-interest routing is on between our servers unless
    /// this is given)
    #[argh(switch)]
    pub no_interest_routing: bool,

    /// file holding the network's mesh secret (at least 16 bytes; one
    /// trailing newline is ignored): every server of the network is given
    /// the same, and a server link carries nothing until both ends proved it
    /// (without it the server port is open to anyone who reaches it)
    #[argh(option)]
    pub mesh_secret_file: Option<PathBuf>,

    /// PEM file of this server's certificate chain, shown to TLS clients
    /// and (with --tls-mesh) to peers; read again on SIGHUP
    #[argh(option)]
    pub tls_cert: Option<PathBuf>,

    /// PEM file of the private key of --tls-cert
    #[argh(option)]
    pub tls_key: Option<PathBuf>,

    /// PEM file of the network's CA certificate(s): with --tls-mesh every
    /// peer must show a certificate it signed
    #[argh(option)]
    pub tls_ca: Option<PathBuf>,

    /// port for clients over TLS (with --tls-cert and --tls-key), beside
    /// the plain <client_port>
    #[argh(option)]
    pub tls_client_port: Option<u16>,

    /// serve clients only on --tls-client-port: <client_port> is not
    /// bound (it still names the pidfile and the log)
    #[argh(switch)]
    pub no_plain: bool,

    /// run every server link, dialled and accepted, over mutual TLS
    /// (needs --tls-cert, --tls-key and --tls-ca; the server port then
    /// speaks only TLS, so original servers cannot link)
    #[argh(switch)]
    pub tls_mesh: bool,

    /// serve /metrics (Prometheus), /healthz and /status (JSON) over HTTP
    /// on this address (HOST:PORT; port 0 picks one); off by default
    #[argh(option)]
    pub monitor: Option<String>,

    /// serve the browser client on this address (HOST:PORT): its page at
    /// / and its WebSocket at /ws; off by default
    #[argh(option)]
    pub ws: Option<String>,

    /// serve --ws over TLS (https and wss) with --tls-cert and --tls-key
    #[argh(switch)]
    pub ws_tls: bool,

    /// an origin whose pages may open the WebSocket, such as
    /// https://chat.example.org (repeatable; default: pages of the same
    /// host only)
    #[argh(option)]
    pub ws_allowed_origin: Vec<String>,

    /// on SIGTERM, keep the connections up this long, accepting none and
    /// answering 503 on /healthz, before closing them, ms (default: 0)
    #[argh(option)]
    pub drain_ms: Option<u64>,

    /// behave on the wire as the original Python server does: no mesh
    /// extensions, one link kept per dial, no reconnecting (a stand-in for
    /// interoperability tests)
    #[argh(switch)]
    pub as_original: bool,

    /// host to listen on: a DNS name or an IPv4/IPv6 literal
    #[argh(positional)]
    #[serde(skip)]
    pub host: String,

    /// port for clients (0 picks a free one)
    #[argh(positional)]
    #[serde(skip)]
    pub client_port: u16,

    /// port for servers (0 picks a free one)
    #[argh(positional)]
    #[serde(skip)]
    pub server_port: u16,

    /// an existing server to join: its host and its server port
    #[argh(positional, arg_name = "peer_host peer_port")]
    #[serde(skip)]
    pub peer: Vec<String>,
}

/// Where a server listens: its host and ports, from the command line or
/// the config file.
#[derive(Clone, Debug)]
pub struct Place {
    pub host: String,
    pub client_port: u16,
    pub server_port: u16,
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
    #[argh(option)]
    pub wait_s: Option<u64>,

    /// host the server was started with
    #[argh(positional)]
    pub host: String,

    /// client port the server was started with
    #[argh(positional)]
    pub client_port: u16,
}

/// Show how a running server is doing: its peers and their links,
/// clients, rooms, lines a second (read from its --monitor endpoints).
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "status")]
pub struct Status {
    /// pidfile that names the server's monitor (default:
    /// /tmp/mchat_<host>_<client_port>.pid)
    #[argh(option)]
    pub pidfile: Option<PathBuf>,

    /// the server's monitor address, HOST:PORT (default: the one in the
    /// pidfile)
    #[argh(option)]
    pub monitor: Option<String>,

    /// host the server was started with
    #[argh(positional)]
    pub host: String,

    /// client port the server was started with
    #[argh(positional)]
    pub client_port: u16,
}

impl Start {
    /// The host and ports.
    pub fn place(&self) -> Place {
        Place {
            host: self.host.clone(),
            client_port: self.client_port,
            server_port: self.server_port,
        }
    }

    /// The log level asked for (`--log-level`, default info).
    pub fn log_level(&self) -> Result<log::LevelFilter, Error> {
        match &self.log_level {
            None => Ok(logging::DEFAULT_LEVEL),
            Some(level) => level.parse().map_err(|_| Error::Invalid {
                what: "log level",
                value: level.clone(),
                why: "say error, warn, info, debug or trace".into(),
            }),
        }
    }

    /// The core's defaults for a server advertising `advertised`, with what
    /// the command line gave instead.
    pub fn server_config(&self, advertised: PeerAddr, join: Option<PeerAddr>) -> ServerConfig {
        let mut config = if self.as_original {
            ServerConfig::original(advertised)
        } else {
            ServerConfig::new(advertised)
        };
        config.join = join;
        if self.no_interest_routing {
            config.extensions = config.extensions.without(Extension::Interest);
        }
        set(&mut config.heartbeat_interval, self.heartbeat_ms.map(ms));
        set(&mut config.max_missed_heartbeats, self.missed_heartbeats);
        set(
            &mut config.handshake_timeout,
            self.handshake_timeout_ms.map(ms),
        );
        set(&mut config.gossip_interval, self.gossip_ms.map(ms));
        set(&mut config.reconnect_initial, self.reconnect_ms.map(ms));
        set(
            &mut config.reconnect_give_up,
            self.reconnect_give_up_s.map(Duration::from_secs),
        );
        set(&mut config.max_gossiped_addrs, self.max_gossiped_addrs);
        set(&mut config.max_dials_per_s, self.max_dials_per_s);
        set(&mut config.max_clients, self.max_clients);
        set(&mut config.max_servers, self.max_servers);
        set(&mut config.max_candidates, self.max_candidates);
        set(&mut config.max_clients_per_ip, self.max_clients_per_ip);
        set(
            &mut config.max_candidates_per_ip,
            self.max_candidates_per_ip,
        );
        set(&mut config.connect_rate_per_ip, self.connect_rate_per_ip);
        set(&mut config.flood_rate, self.flood_rate);
        set(&mut config.flood_burst, self.flood_burst);
        set(
            &mut config.flood_disconnect,
            self.flood_disconnect_s.map(Duration::from_secs),
        );
        set(&mut config.max_rooms_per_client, self.max_rooms_per_client);
        set(&mut config.max_rooms, self.max_rooms);
        set(&mut config.max_room_members, self.max_room_members);
        set(&mut config.client_queue_limit, self.client_queue_bytes);
        set(&mut config.peer_queue_limit, self.peer_queue_bytes);
        config
    }

    /// Every option with a default filled in with the value in force: read
    /// back from the configuration these options make, so each default
    /// keeps its one source.
    pub fn with_defaults(&self) -> Result<Start, Error> {
        let place = self.place();
        let host =
            mchat_core::wire::Host::new(place.host.as_str()).map_err(|e| Error::Invalid {
                what: "host",
                value: place.host.clone(),
                why: e.to_string(),
            })?;
        let config = self.server_config(PeerAddr::new(host, std::num::NonZeroU16::MIN), None);
        let driver = self.driver_settings();
        let ms = |d: Duration| Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let s = |d: Duration| Some(d.as_secs());
        Ok(Start {
            log_level: Some(self.log_level()?.to_string().to_lowercase()),
            pidfile: Some(
                self.pidfile
                    .clone()
                    .unwrap_or_else(|| default_pidfile(&place.host, place.client_port)),
            ),
            log_dir: Some(self.log_dir()),
            log_max_bytes: Some(self.log_max_bytes()),
            heartbeat_ms: ms(config.heartbeat_interval),
            missed_heartbeats: Some(config.max_missed_heartbeats),
            handshake_timeout_ms: ms(config.handshake_timeout),
            gossip_ms: ms(config.gossip_interval),
            reconnect_ms: ms(config.reconnect_initial),
            reconnect_give_up_s: s(config.reconnect_give_up),
            connect_timeout_ms: ms(driver.connect_timeout),
            max_gossiped_addrs: Some(config.max_gossiped_addrs),
            max_dials_per_s: Some(config.max_dials_per_s),
            max_clients: Some(config.max_clients),
            max_servers: Some(config.max_servers),
            max_candidates: Some(config.max_candidates),
            max_clients_per_ip: Some(config.max_clients_per_ip),
            max_candidates_per_ip: Some(config.max_candidates_per_ip),
            connect_rate_per_ip: Some(config.connect_rate_per_ip),
            flood_rate: Some(config.flood_rate),
            flood_burst: Some(config.flood_burst),
            flood_disconnect_s: s(config.flood_disconnect),
            max_rooms_per_client: Some(config.max_rooms_per_client),
            max_rooms: Some(config.max_rooms),
            max_room_members: Some(config.max_room_members),
            client_queue_bytes: Some(config.client_queue_limit),
            peer_queue_bytes: Some(config.peer_queue_limit),
            drain_ms: ms(driver.drain),
            ..self.clone()
        })
    }

    /// What the socket driver needs beyond the state machine's config.
    pub fn driver_settings(&self) -> driver::Settings {
        let mut settings = driver::Settings::default();
        set(
            &mut settings.connect_timeout,
            self.connect_timeout_ms.map(ms),
        );
        set(&mut settings.drain, self.drain_ms.map(ms));
        settings
    }

    /// The TLS files and what they are for, if any TLS is asked for.
    pub fn tls_files(&self) -> Result<Option<TlsFiles>, Error> {
        if self.ws_tls && self.ws.is_none() {
            return Err(Error::TlsUnused("--ws-tls", "--ws"));
        }
        // TLS clients: on their port, and on the web listener (wss).
        let clients = self.tls_client_port.is_some() || self.ws_tls;
        if self.no_plain && self.tls_client_port.is_none() {
            return Err(Error::NoPlainWithoutTls);
        }
        if self.tls_ca.is_some() && !self.tls_mesh {
            return Err(Error::TlsUnused("--tls-ca", "--tls-mesh"));
        }
        if !self.tls_mesh && !clients {
            if self.tls_cert.is_some() || self.tls_key.is_some() {
                return Err(Error::TlsUnused(
                    "--tls-cert or --tls-key",
                    "--tls-mesh, --tls-client-port or --ws-tls",
                ));
            }
            return Ok(None);
        }
        let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) else {
            return Err(if self.tls_mesh {
                Error::TlsFlags
            } else {
                Error::TlsClientFlags
            });
        };
        if self.tls_mesh && self.tls_ca.is_none() {
            return Err(Error::TlsFlags);
        }
        Ok(Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
            ca: self.tls_ca.clone(),
            clients,
        }))
    }

    pub fn log_dir(&self) -> PathBuf {
        self.log_dir.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    pub fn log_max_bytes(&self) -> u64 {
        self.log_max_bytes.unwrap_or(logging::DEFAULT_MAX_BYTES)
    }
}

impl Stop {
    pub fn wait(&self) -> Duration {
        self.wait_s
            .map_or(pidfile::DEFAULT_STOP_WAIT, Duration::from_secs)
    }
}

fn set<T>(slot: &mut T, given: Option<T>) {
    if let Some(value) = given {
        *slot = value;
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// The pidfile the original uses for a host and client port.
pub fn default_pidfile(host: &str, client_port: u16) -> PathBuf {
    PathBuf::from(format!("/tmp/mchat_{host}_{client_port}.pid"))
}

#[cfg(test)]
mod tests {
    //! The `(default: …)` each flag's help states is the default the server
    //! really runs with.

    use std::num::NonZeroU16;

    use super::*;
    use mchat_core::wire::Host;

    fn help(subcommand: &str) -> String {
        match Cli::from_args(&["mchat-server"], &[subcommand, "--help"]) {
            Err(exit) => exit.output,
            Ok(_) => panic!("--help parsed as a command"),
        }
    }

    /// The help text of one flag, wrapped lines joined.
    fn flag_help(help: &str, flag: &str) -> String {
        let mut lines = help
            .lines()
            .skip_while(|l| l.split_whitespace().next() != Some(flag));
        let first = lines.next().unwrap_or_else(|| panic!("{flag} not in help"));
        let rest = lines.take_while(|l| !l.trim_start().starts_with("--") && !l.trim().is_empty());
        std::iter::once(first)
            .chain(rest)
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn mib(bytes: u64) -> String {
        assert_eq!(bytes % (1 << 20), 0, "{bytes} is not a whole MiB");
        format!("{} MiB", bytes >> 20)
    }

    #[test]
    fn every_stated_default_is_the_one_in_force() {
        let start = Start::from_args(&["start"], &["h", "1", "2"]).unwrap();
        let advertised = PeerAddr::new(Host::new("h").unwrap(), NonZeroU16::MIN);
        let config = start.server_config(advertised, None);
        let driver = start.driver_settings();
        let stated = [
            ("--log-dir", start.log_dir().display().to_string()),
            ("--log-max-bytes", mib(start.log_max_bytes())),
            (
                "--heartbeat-ms",
                config.heartbeat_interval.as_millis().to_string(),
            ),
            (
                "--missed-heartbeats",
                config.max_missed_heartbeats.to_string(),
            ),
            (
                "--handshake-timeout-ms",
                config.handshake_timeout.as_millis().to_string(),
            ),
            (
                "--gossip-ms",
                config.gossip_interval.as_millis().to_string(),
            ),
            (
                "--reconnect-ms",
                config.reconnect_initial.as_millis().to_string(),
            ),
            (
                "--reconnect-give-up-s",
                config.reconnect_give_up.as_secs().to_string(),
            ),
            (
                "--connect-timeout-ms",
                driver.connect_timeout.as_millis().to_string(),
            ),
            ("--drain-ms", driver.drain.as_millis().to_string()),
            (
                "--max-gossiped-addrs",
                config.max_gossiped_addrs.to_string(),
            ),
            ("--max-dials-per-s", config.max_dials_per_s.to_string()),
            ("--max-clients", config.max_clients.to_string()),
            ("--max-servers", config.max_servers.to_string()),
            ("--max-candidates", config.max_candidates.to_string()),
            (
                "--max-clients-per-ip",
                config.max_clients_per_ip.to_string(),
            ),
            (
                "--max-candidates-per-ip",
                config.max_candidates_per_ip.to_string(),
            ),
            (
                "--connect-rate-per-ip",
                config.connect_rate_per_ip.to_string(),
            ),
            ("--flood-rate", config.flood_rate.to_string()),
            ("--flood-burst", config.flood_burst.to_string()),
            (
                "--flood-disconnect-s",
                config.flood_disconnect.as_secs().to_string(),
            ),
            (
                "--max-rooms-per-client",
                config.max_rooms_per_client.to_string(),
            ),
            ("--max-rooms", config.max_rooms.to_string()),
            ("--max-room-members", config.max_room_members.to_string()),
            (
                "--client-queue-bytes",
                mib(config.client_queue_limit as u64),
            ),
            ("--peer-queue-bytes", mib(config.peer_queue_limit as u64)),
        ];
        let help = help("start");
        for (flag, default) in stated {
            let text = flag_help(&help, flag);
            assert!(
                text.ends_with(&format!("(default: {default})")),
                "{flag}: help says {text:?}, the default is {default}"
            );
        }
        let reconnect = flag_help(&help, "--reconnect-ms");
        let max = format!("up to {} s", config.reconnect_max.as_secs());
        assert!(reconnect.contains(&max), "{reconnect:?} lacks {max:?}");

        let stop = Stop::from_args(&["stop"], &["h", "1"]).unwrap();
        let text = flag_help(&self::help("stop"), "--wait-s");
        let default = format!("(default: {})", stop.wait().as_secs());
        assert!(
            text.ends_with(&default),
            "--wait-s: {text:?}, not {default}"
        );
    }

    #[test]
    fn the_defaults_filled_in_make_the_same_configuration() {
        for args in [
            &["h", "1", "2"][..],
            &[
                "--heartbeat-ms",
                "250",
                "--flood-rate",
                "0",
                "--drain-ms",
                "9",
                "h",
                "1",
                "2",
            ],
        ] {
            let start = Start::from_args(&["start"], args).unwrap();
            let filled = start.with_defaults().unwrap();
            let advertised = PeerAddr::new(Host::new("h").unwrap(), NonZeroU16::MIN);
            assert_eq!(
                format!("{:?}", filled.server_config(advertised.clone(), None)),
                format!("{:?}", start.server_config(advertised, None)),
            );
            assert_eq!(
                format!("{:?}", filled.driver_settings()),
                format!("{:?}", start.driver_settings())
            );
            assert_eq!(filled.log_level().unwrap(), start.log_level().unwrap());
        }
    }

    #[test]
    fn a_flag_given_overrides_only_its_own_field() {
        let start = Start::from_args(
            &["start"],
            &["--heartbeat-ms", "250", "--max-rooms", "7", "h", "1", "2"],
        )
        .unwrap();
        let advertised = PeerAddr::new(Host::new("h").unwrap(), NonZeroU16::MIN);
        let config = start.server_config(advertised.clone(), None);
        let defaults = ServerConfig::new(advertised);
        assert_eq!(config.heartbeat_interval, Duration::from_millis(250));
        assert_eq!(config.max_rooms, 7);
        assert_eq!(config.gossip_interval, defaults.gossip_interval);
        assert_eq!(config.max_clients, defaults.max_clients);
    }
}
