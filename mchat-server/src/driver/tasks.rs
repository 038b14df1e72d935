//! The tasks around the hub: accepting, serving the ready sockets,
//! dialling, timing. Each holds only a weak handle to the hub and borrows
//! it between awaits.

use std::cell::RefCell;
use std::net::{TcpListener, TcpStream};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_lite::future;
use mchat_core::server::ConnId;
use mchat_core::wire::PeerAddr;
use smol::{Async, Timer};

use super::hub::{Door, Hub};
use super::readiness::Readiness;

/// Accepts connections on one listening socket until dropped. The socket
/// is taken as it is, not registered with smol's reactor: the hub watches
/// it in its own readiness set.
pub async fn accept_loop(hub: Weak<RefCell<Hub>>, listener: Async<TcpListener>, door: Door) {
    loop {
        match listener.read_with(|l| l.accept()).await {
            Ok((stream, remote)) => {
                let Some(hub) = hub.upgrade() else { return };
                hub.borrow_mut().accept(door, stream, remote);
            }
            Err(e) => {
                // Out of file descriptors, most likely: wait instead of spinning.
                log::warn!("accept failed: {e}");
                Timer::after(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Serves the hub's connections: waits until the readiness set has a ready
/// socket, then lets the hub serve a turn of them, and lets other tasks in
/// between turns.
pub async fn readiness_loop(hub: Weak<RefCell<Hub>>, readiness: Rc<Readiness>) {
    loop {
        if let Err(e) = readiness.wait().await {
            log::warn!("waiting for the connections failed: {e}");
            Timer::after(Duration::from_millis(100)).await;
        }
        let Some(hub) = hub.upgrade() else { return };
        hub.borrow_mut().serve_ready();
        drop(hub);
        future::yield_now().await;
    }
}

/// Dials a peer's server port with a timeout and reports to the hub.
pub async fn dial(hub: Weak<RefCell<Hub>>, id: ConnId, addr: PeerAddr, timeout: Duration) {
    let connect = async {
        let targets = smol::net::resolve((addr.host.as_str(), addr.port.get())).await?;
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        for target in targets {
            match Async::<TcpStream>::connect(target).await {
                // The hub watches it from here, in its own readiness set.
                Ok(stream) => return stream.into_inner(),
                Err(e) => last = e,
            }
        }
        Err(last)
    };
    let timed_out = async {
        Timer::after(timeout).await;
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "connect timed out",
        ))
    };
    let result = future::or(connect, timed_out).await;
    // A failure is logged once, with the state machine's DialFailed.
    if let Some(hub) = hub.upgrade() {
        hub.borrow_mut().dial_done(id, &addr, result);
    }
}

/// Runs the hub's timer: sleeps until the deadline the hub gives it, or
/// until the hub wakes it because an earlier one appeared.
pub async fn timer_loop(hub: Weak<RefCell<Hub>>, woken: async_channel::Receiver<()>) {
    loop {
        let Some(target) = hub.upgrade().map(|h| h.borrow_mut().arm_timer()) else {
            return;
        };
        let sleep = async {
            match target {
                Some(at) => {
                    Timer::at(at).await;
                }
                None => future::pending::<()>().await,
            }
            true
        };
        let wake = async {
            let _ = woken.recv().await;
            false
        };
        if future::or(sleep, wake).await {
            let Some(hub) = hub.upgrade() else { return };
            hub.borrow_mut().timer_fired();
        }
    }
}
