//! The socket driver: the `Server` state machine on real TCP, on one thread
//! with smol. See DESIGN.md, "Binaries: thin drivers".

mod hub;
mod links;
mod tasks;

use std::net::TcpListener;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{StreamExt, future};
use mchat_core::server::{Listener, Server, ServerConfig};
use smol::{Async, LocalExecutor, Timer};

use hub::Hub;

/// How long a shutdown waits for queued lines to be written.
const SHUTDOWN_FLUSH: Duration = Duration::from_secs(2);

/// What the driver needs beyond the state machine's config.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long a dial to a peer may take to connect.
    pub connect_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Runs a server on the given listeners until SIGTERM or SIGINT.
pub fn run(
    config: ServerConfig,
    clients: Vec<TcpListener>,
    servers: Vec<TcpListener>,
    settings: Settings,
) -> std::io::Result<()> {
    let ex = Rc::new(LocalExecutor::new());
    let server = Server::new(config, Instant::now());
    let hub = Hub::new(server, ex.clone(), settings.connect_timeout);
    let signals =
        async_signal::Signals::new([async_signal::Signal::Term, async_signal::Signal::Int])?;
    smol::block_on(ex.run(async {
        let mut accepting = Vec::new();
        for (listeners, kind) in [(clients, Listener::Client), (servers, Listener::Server)] {
            for listener in listeners {
                let listener = Async::new(listener)?;
                accepting.push(ex.spawn(tasks::accept_loop(Rc::downgrade(&hub), listener, kind)));
            }
        }
        // The first outputs (a dial to the peer to join) go out now.
        hub.borrow_mut().drain();

        let mut signals = signals;
        match signals.next().await {
            Some(Ok(signal)) => log::info!("received {signal:?}: shutting down"),
            other => log::warn!("signal handling ended ({other:?}): shutting down"),
        }
        drop(accepting);
        let deadline = Instant::now() + SHUTDOWN_FLUSH;
        while hub.borrow().unsent() > 0 && Instant::now() < deadline {
            Timer::after(Duration::from_millis(10)).await;
        }
        hub.borrow_mut().close_all();
        future::yield_now().await;
        Ok(())
    }))
}
