//! The socket driver: the `Server` state machine on real TCP, on one thread
//! with smol. See DESIGN.md, "Binaries: thin drivers".

mod hub;
mod links;
mod readiness;
mod send_queue;
mod tasks;
mod transport;
mod websocket;

use std::net::TcpListener;
use std::rc::Rc;
use std::time::{Duration, Instant};

use async_signal::Signal;
use futures_lite::{StreamExt, future};
use mchat_core::server::{Server, ServerConfig};
use smol::{Async, LocalExecutor, Timer};

use hub::Door;
pub use hub::Hub;

use crate::monitor::snapshot::{Health, Snapshot};
use crate::monitor::{self, Endpoints};
use std::cell::RefCell;

use crate::tls::{TlsConfigs, TlsFiles};
use crate::{logging, web};

/// How long a shutdown waits for queued lines to be written.
const SHUTDOWN_FLUSH: Duration = Duration::from_secs(2);

/// What the driver needs beyond the state machine's config.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a dial to a peer may take to connect.
    pub connect_timeout: Duration,
    /// How long a shutdown keeps the connections up, accepting none and
    /// saying so on `/healthz`, before it closes them (for a load
    /// balancer to notice).
    pub drain: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            drain: Duration::ZERO,
        }
    }
}

/// What SIGHUP reads again: the configuration as the command line and its
/// file now make it.
pub struct Reloaded {
    pub config: ServerConfig,
    pub log_level: log::LevelFilter,
    /// There is a config file (else only the TLS files are read again).
    pub from_file: bool,
    /// Options of the driver that changed but are read at start only.
    pub need_restart: Vec<String>,
}

/// Makes a [`Reloaded`], or says why the file cannot be used.
pub type Reload = Box<dyn Fn() -> Result<Reloaded, crate::error::Error>>;

/// The listening sockets of a server.
pub struct Listeners {
    pub clients: Vec<TcpListener>,
    pub tls_clients: Vec<TcpListener>,
    pub servers: Vec<TcpListener>,
    /// `--monitor`: the HTTP endpoints.
    pub monitor: Option<TcpListener>,
    /// `--ws`: the browser client's page and WebSocket, the origins
    /// allowed to use it, and whether it speaks TLS (`--ws-tls`).
    pub web: Option<(TcpListener, web::Origins, bool)>,
}

/// Runs a server on the given listeners until SIGTERM or SIGINT; SIGHUP
/// reads the TLS files again.
pub fn run(
    config: ServerConfig,
    listeners: Listeners,
    settings: Settings,
    tls: Option<(TlsFiles, TlsConfigs)>,
    reload: Reload,
) -> std::io::Result<()> {
    let ex = Rc::new(LocalExecutor::new());
    let started = Instant::now();
    let server = Server::new(config, started);
    let (tls_files, tls) = tls.unzip();
    let tls = tls.unwrap_or(TlsConfigs {
        mesh: None,
        clients: None,
    });
    let hub = Hub::new(server, ex.clone(), settings.connect_timeout, tls)?;
    let signals = async_signal::Signals::new([Signal::Term, Signal::Int, Signal::Hup])?;
    smol::block_on(ex.run(async {
        let mut accepting = Vec::new();
        let doors = [
            (listeners.clients, Door::Clients),
            (listeners.tls_clients, Door::TlsClients),
            (listeners.servers, Door::Servers),
        ];
        for (sockets, door) in doors {
            for socket in sockets {
                let socket = Async::new(socket)?;
                accepting.push(ex.spawn(tasks::accept_loop(Rc::downgrade(&hub), socket, door)));
            }
        }
        // The first outputs (a dial to the peer to join) go out now.
        hub.borrow_mut().drain();
        if let Some((socket, origins, tls)) = listeners.web {
            let socket = Async::new(socket)?;
            let web = web::Web {
                hub: Rc::downgrade(&hub),
                origins,
                tls,
            };
            let serving = web::serve(socket, Rc::new(web), ex.clone());
            accepting.push(ex.spawn(serving));
        }
        let health = Rc::new(RefCell::new(Health::Up));
        let _monitor = match listeners.monitor {
            Some(socket) => {
                let endpoints = Endpoints {
                    source: snapshots(&hub, started, &health),
                    health: health.clone(),
                };
                let socket = Async::new(socket)?;
                Some(ex.spawn(monitor::serve(socket, endpoints, ex.clone())))
            }
            None => None,
        };

        let mut signals = signals;
        loop {
            match signals.next().await {
                Some(Ok(Signal::Hup)) => {
                    reload_options(&hub, &reload);
                    reload_tls(&hub, tls_files.as_ref());
                }
                Some(Ok(signal)) => {
                    let name = match signal {
                        Signal::Term => "SIGTERM",
                        Signal::Int => "SIGINT",
                        _ => "a signal",
                    };
                    log::info!("received {name}: shutting down");
                    *health.borrow_mut() = Health::ShuttingDown(format!("received {name}"));
                    break;
                }
                other => {
                    log::warn!("signal handling ended ({other:?}): shutting down");
                    *health.borrow_mut() = Health::ShuttingDown("signal handling ended".into());
                    break;
                }
            }
        }
        drop(accepting);
        if !settings.drain.is_zero() {
            log::info!(
                "draining for {} ms: no new connections, /healthz says 503",
                settings.drain.as_millis()
            );
            Timer::after(settings.drain).await;
        }
        let deadline = Instant::now() + SHUTDOWN_FLUSH;
        while hub.borrow().unsent() > 0 && Instant::now() < deadline {
            Timer::after(Duration::from_millis(10)).await;
        }
        hub.borrow_mut().close_all();
        future::yield_now().await;
        Ok(())
    }))
}

/// Snapshots of the hub's state machine for the monitoring endpoints.
fn snapshots(
    hub: &Rc<RefCell<Hub>>,
    started: Instant,
    health: &Rc<RefCell<Health>>,
) -> monitor::Source {
    let (hub, health) = (Rc::downgrade(hub), health.clone());
    Rc::new(move |with_rooms| {
        let hub = hub.upgrade()?;
        let health = health.borrow().clone();
        let hub = hub.borrow();
        Some(Snapshot::take(hub.server(), started, health, with_rooms))
    })
}

/// SIGHUP: the config file read again and what can change applied, the
/// rest logged as needing a restart; a file that cannot be used changes
/// nothing.
fn reload_options(hub: &Rc<RefCell<Hub>>, reload: &Reload) {
    let reloaded = match reload() {
        Ok(reloaded) => reloaded,
        Err(e) => {
            log::warn!("received SIGHUP: {e}; nothing changed");
            return;
        }
    };
    if !reloaded.from_file {
        log::info!("received SIGHUP: no --config file to read again");
        return;
    }
    let done = {
        let mut hub = hub.borrow_mut();
        let done = hub.reconfigure(&reloaded.config, Instant::now());
        hub.drain();
        done
    };
    let level_before = log::max_level();
    logging::set_level(reloaded.log_level);
    let mut changed: Vec<String> = done
        .applied
        .iter()
        .map(|c| format!("{} {} -> {}", c.field, c.from, c.to))
        .collect();
    if log::max_level() != level_before {
        changed.push(format!(
            "log level {} -> {}",
            level_before.as_str().to_lowercase(),
            log::max_level().as_str().to_lowercase()
        ));
    }
    if changed.is_empty() {
        log::info!("received SIGHUP: the config file changes nothing that runs");
    } else {
        log::info!("received SIGHUP: changed {}", changed.join(", "));
    }
    let mut restart: Vec<&str> = done.need_restart.iter().map(|c| c.field).collect();
    restart.extend(reloaded.need_restart.iter().map(String::as_str));
    if !restart.is_empty() {
        log::warn!(
            "received SIGHUP: {} changed in the config file but take a restart; still as started",
            restart.join(", ")
        );
    }
}

/// SIGHUP: the TLS files read again, for the links made from now on; on
/// any error the old ones stay in force.
fn reload_tls(hub: &Rc<RefCell<Hub>>, tls_files: Option<&TlsFiles>) {
    let Some(files) = tls_files else {
        return;
    };
    match files.load() {
        Ok(tls) => {
            hub.borrow_mut().set_tls(tls);
            let ca = files
                .ca
                .as_ref()
                .map(|ca| format!(" and CA {}", ca.display()))
                .unwrap_or_default();
            log::info!(
                "received SIGHUP: reloaded the TLS certificate {}{ca}",
                files.cert.display()
            );
        }
        Err(e) => log::warn!("received SIGHUP: {e}; keeping the certificates in use"),
    }
}
