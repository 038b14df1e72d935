//! `mchat-server`: the mChat server binary. `start` runs a server (as a
//! daemon unless `--non-daemon`), `stop` stops one through its pidfile.

mod cli;
mod daemon;
mod driver;
mod error;
mod listen;
mod logging;
mod pidfile;

use std::num::NonZeroU16;
use std::process::ExitCode;
use std::time::Duration;

use mchat_core::server::ServerConfig;
use mchat_core::wire::{Host, PeerAddr};

use cli::{Cli, Command, Start, Stop, default_pidfile};
use error::Error;
use pidfile::Pidfile;

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    let result = match cli.command {
        Command::Start(start) => start_server(start),
        Command::Stop(stop) => stop_server(&stop),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mchat-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn stop_server(stop: &Stop) -> Result<(), Error> {
    let path = stop
        .pidfile
        .clone()
        .unwrap_or_else(|| default_pidfile(&stop.host, stop.client_port));
    let pid = pidfile::stop(&path, Duration::from_secs(stop.wait_s))?;
    println!("mchat-server: stopped the server (pid {pid})");
    Ok(())
}

fn invalid(what: &'static str, value: &str, why: impl ToString) -> Error {
    Error::Invalid {
        what,
        value: value.to_owned(),
        why: why.to_string(),
    }
}

/// The peer to join, from the optional `<peer_host> <peer_port>`.
fn peer_of(args: &[String]) -> Result<Option<PeerAddr>, Error> {
    match args {
        [] => Ok(None),
        [host, port] => {
            let host = Host::new(host.as_str()).map_err(|e| invalid("peer host", host, e))?;
            let port: u16 = port.parse().map_err(|e| invalid("peer port", port, e))?;
            let port = NonZeroU16::new(port)
                .ok_or_else(|| invalid("peer port", "0", "must be 1-65535"))?;
            Ok(Some(PeerAddr::new(host, port)))
        }
        other => Err(Error::PeerArgs(other.to_vec())),
    }
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn start_server(start: Start) -> Result<(), Error> {
    let join = peer_of(&start.peer)?;
    let advertised_host = start
        .advertise
        .clone()
        .unwrap_or_else(|| start.host.clone());
    let advertised_host = Host::new(advertised_host.as_str())
        .map_err(|e| invalid("advertised host", &advertised_host, e))?;
    let pid_path = start
        .pidfile
        .clone()
        .unwrap_or_else(|| default_pidfile(&start.host, start.client_port));
    let mut pidfile = Pidfile::acquire(&pid_path)?;
    match serve(start, join, advertised_host, &mut pidfile) {
        Ok(()) => {
            pidfile.remove();
            Ok(())
        }
        Err(e) => {
            log::error!("{e}");
            pidfile.remove();
            Err(e)
        }
    }
}

/// Binds, daemonizes and runs, holding the pidfile.
fn serve(
    start: Start,
    join: Option<PeerAddr>,
    advertised_host: Host,
    pidfile: &mut Pidfile,
) -> Result<(), Error> {
    let clients = listen::bind_all(&start.host, start.client_port)?;
    let servers = listen::bind_all(&start.host, start.server_port)?;
    let (client_port, server_port) = (listen::port_of(&clients), listen::port_of(&servers));
    let server_port_nz = NonZeroU16::new(server_port)
        .ok_or_else(|| invalid("server port", "0", "no port was bound"))?;

    std::fs::create_dir_all(&start.log_dir).map_err(|source| Error::Log {
        path: start.log_dir.clone(),
        source,
    })?;
    let log_dir = std::fs::canonicalize(&start.log_dir).map_err(|source| Error::Log {
        path: start.log_dir.clone(),
        source,
    })?;
    let log_path = log_dir.join(format!("{}_{}_server.log", start.host, client_port));
    let log_file = logging::RotatingFile::open(&log_path, start.log_max_bytes, start.non_daemon)?;

    let advertised_port = match start.advertise_port {
        Some(port) => NonZeroU16::new(port)
            .ok_or_else(|| invalid("advertised port", "0", "must be 1-65535"))?,
        None => server_port_nz,
    };
    let mut config = ServerConfig::new(PeerAddr::new(advertised_host, advertised_port));
    config.join = join;
    config.heartbeat_interval = ms(start.heartbeat_ms);
    config.max_missed_heartbeats = start.missed_heartbeats;
    config.handshake_timeout = ms(start.handshake_timeout_ms);
    config.gossip_interval = ms(start.gossip_ms);
    config.reconnect_initial = ms(start.reconnect_ms);
    config.reconnect_give_up = Duration::from_secs(start.reconnect_give_up_s);
    config.jitter_seed = u64::from(std::process::id()) << 16 ^ u64::from(server_port);
    config.max_clients = start.max_clients;
    config.max_servers = start.max_servers;
    config.max_rooms = start.max_rooms;
    config.max_room_members = start.max_room_members;
    config.client_queue_limit = start.client_queue_bytes;
    config.peer_queue_limit = start.peer_queue_bytes;

    // Said before daemonizing, while stdout is still the caller's.
    println!(
        "mchat-server: listening for clients on {} port {client_port}, for servers on port {server_port}; log {}",
        start.host,
        log_path.display()
    );
    // Before any thread exists: the locked pidfile and the bound sockets go
    // with the daemon.
    let ready = if start.non_daemon {
        None
    } else {
        Some(daemon::daemonize()?)
    };
    if let Err(e) = pidfile.write_pid() {
        if let Some(ready) = ready {
            ready.fail(&e.to_string());
        }
        return Err(e);
    }
    logging::init(log_file);
    if let Some(ready) = ready {
        ready.ok();
    }
    log::info!(
        "server starts: {} client port {client_port}, server port {server_port}, advertised as {}",
        start.host,
        config.advertised
    );
    let result = driver::run(config, clients, servers, ms(start.connect_timeout_ms));
    log::info!("server shuts down");
    result.map_err(Error::Io)
}
