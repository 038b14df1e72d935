//! `mchat-server start`: from the parsed command line to a running server.

use std::num::NonZeroU16;

use mchat_core::wire::{Host, PeerAddr};

use mchat_core::server::ServerConfig;

use crate::cli::{Place, Start, default_pidfile};
use crate::error::Error;
use crate::pidfile::Pidfile;
use crate::{config_file, daemon, driver, listen, logging, secret};

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

/// Runs `mchat-server start`: reads the config file, takes the pidfile,
/// binds, daemonizes, serves.
pub fn start_server(cli: Start) -> Result<(), Error> {
    let start = config_file::with_file(cli.clone())?;
    if start.print_config {
        print!("{}", config_file::render(&start)?);
        return Ok(());
    }
    let place = start.place();
    start.log_level()?;
    let pid_path = start
        .pidfile
        .clone()
        .unwrap_or_else(|| default_pidfile(&place.host, place.client_port));
    let mut pidfile = Pidfile::acquire(&pid_path)?;
    match serve(start, cli, place, &mut pidfile) {
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

/// The state machine's configuration that `start` makes, for a server
/// whose server port is `bound_server_port`: the core's defaults with the
/// options given, its address, the peer to join, the mesh secret.
fn core_config(
    start: &Start,
    place: &Place,
    bound_server_port: u16,
) -> Result<ServerConfig, Error> {
    let join = peer_of(&start.peer)?;
    let advertised_host = start
        .advertise
        .clone()
        .unwrap_or_else(|| place.host.clone());
    let advertised_host = Host::new(advertised_host.as_str())
        .map_err(|e| invalid("advertised host", &advertised_host, e))?;
    let advertised_port = match start.advertise_port {
        Some(port) => NonZeroU16::new(port)
            .ok_or_else(|| invalid("advertised port", "0", "must be 1-65535"))?,
        None => NonZeroU16::new(bound_server_port)
            .ok_or_else(|| invalid("server port", "0", "no port was bound"))?,
    };
    let mut config = start.server_config(PeerAddr::new(advertised_host, advertised_port), join);
    if let Some(path) = &start.mesh_secret_file {
        config.mesh_secret = Some(secret::read(path)?);
    }
    Ok(config)
}

/// What SIGHUP reads again: the command line `cli` over its config file,
/// for a server started at `place` with server port `bound`.
fn reloader(
    started: &Start,
    cli: Start,
    place: Place,
    bound: u16,
    tls_mesh: bool,
) -> driver::Reload {
    let started = started.clone();
    Box::new(move || {
        let start = config_file::with_file(cli.clone())?;
        let mut config = core_config(&start, &place, bound)?;
        config.links_authenticated_by_transport = tls_mesh;
        Ok(driver::Reloaded {
            config,
            log_level: start.log_level()?,
            from_file: cli.config.is_some(),
            need_restart: config_file::read_at_start_only(&started, &start),
        })
    })
}

/// Binds, daemonizes and runs, holding the pidfile.
fn serve(start: Start, cli: Start, place: Place, pidfile: &mut Pidfile) -> Result<(), Error> {
    if place.client_port == place.server_port && place.client_port != 0 {
        return Err(Error::SamePort(place.client_port));
    }
    let tls_files = start.tls_files()?;
    let clients = if start.no_plain {
        Vec::new()
    } else {
        listen::bind_all(&place.host, place.client_port)?
    };
    let tls_clients = match start.tls_client_port {
        Some(port) => listen::bind_all(&place.host, port)?,
        None => Vec::new(),
    };
    let servers = listen::bind_all(&place.host, place.server_port)?;
    let monitor = match &start.monitor {
        Some(addr) => Some(listen::bind_one("--monitor", addr)?),
        None => None,
    };
    let monitor_addr = monitor.as_ref().and_then(|m| m.local_addr().ok());
    let web = match &start.ws {
        Some(addr) => Some(listen::bind_one("--ws", addr)?),
        None => None,
    };
    let web_addr = web.as_ref().and_then(|w| w.local_addr().ok());
    let tls_port = listen::port_of(&tls_clients);
    // With --no-plain the TLS port is the clients' port, also in names.
    let client_port = if start.no_plain {
        tls_port
    } else {
        listen::port_of(&clients)
    };
    let server_port = listen::port_of(&servers);

    let log_dir = start.log_dir();
    let log_error = |source| Error::Log {
        path: log_dir.clone(),
        source,
    };
    std::fs::create_dir_all(&log_dir).map_err(log_error)?;
    let log_dir = std::fs::canonicalize(&log_dir).map_err(log_error)?;
    let log_path = log_dir.join(format!("{}_{}_server.log", place.host, client_port));
    let log_file = logging::RotatingFile::open(&log_path, start.log_max_bytes(), start.non_daemon)?;

    let mut config = core_config(&start, &place, server_port)?;
    // Jitter differs between servers started together, so their re-dials spread.
    config.jitter_seed = u64::from(std::process::id()) << 16 ^ u64::from(server_port);
    config.entropy = secret::entropy()?;
    let tls = match tls_files {
        Some(files) => {
            let loaded = files.load()?;
            config.links_authenticated_by_transport = loaded.mesh.is_some();
            Some((files, loaded))
        }
        None => None,
    };

    let tls_note = match (start.no_plain, tls_clients.is_empty()) {
        (true, _) => " (TLS only)".to_owned(),
        (false, false) => format!(" (TLS on port {tls_port})"),
        (false, true) => String::new(),
    };

    // Said before daemonizing, while stdout is still the caller's.
    let mut monitor_note = monitor_addr
        .map(|addr| format!("; monitor on http://{addr}"))
        .unwrap_or_default();
    if let Some(addr) = web_addr {
        monitor_note.push_str(&format!("; web chat on http://{addr}/"));
    }
    println!(
        "mchat-server: listening for clients on {} port {client_port}{tls_note}, for servers on port {server_port}{monitor_note}; log {}",
        place.host,
        log_path.display()
    );
    // Before any thread exists: the locked pidfile and the bound sockets go
    // with the daemon.
    let ready = if start.non_daemon {
        None
    } else {
        Some(daemon::daemonize()?)
    };
    if let Err(e) = pidfile.write_pid(monitor_addr) {
        if let Some(ready) = ready {
            ready.fail(&e.to_string());
        }
        return Err(e);
    }
    logging::init(log_file, start.log_level()?);
    if let Some(ready) = ready {
        ready.ok();
    }
    log::info!(
        "server starts: {} client port {client_port}, server port {server_port}, advertised as {}",
        place.host,
        config.advertised
    );
    if let Some(path) = &start.config {
        log::info!("options from {} (read again on SIGHUP)", path.display());
    }
    if let Some((files, loaded)) = &tls {
        if let (Some(ca), Some(_)) = (&files.ca, &loaded.mesh) {
            log::info!(
                "server links run over mutual TLS: certificate {}, network CA {}",
                files.cert.display(),
                ca.display()
            );
        }
        if loaded.clients.is_some() {
            log::info!(
                "TLS clients on port {tls_port}{}: certificate {}",
                if start.no_plain {
                    ", no plain port"
                } else {
                    ""
                },
                files.cert.display()
            );
        }
    }
    if let Some(addr) = monitor_addr {
        log::info!("monitoring endpoints on http://{addr}: /metrics, /healthz, /status");
    }
    let listeners = driver::Listeners {
        clients,
        tls_clients,
        servers,
        monitor,
        web: web.map(|socket| {
            let origins = crate::web::Origins::new(&start.ws_allowed_origin);
            (socket, origins, start.ws_tls)
        }),
    };
    let reload = reloader(
        &start,
        cli,
        place,
        server_port,
        config.links_authenticated_by_transport,
    );
    let result = driver::run(config, listeners, start.driver_settings(), tls, reload);
    log::info!("server shuts down");
    result.map_err(Error::Io)
}
