//! The tasks around the hub: accepting, reading, writing, dialling, timing.
//! Each holds only a weak handle to the hub and borrows it between awaits.

use std::cell::RefCell;
use std::net::{TcpListener, TcpStream};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use futures_lite::future;
use mchat_core::server::{ConnId, Listener};
use mchat_core::wire::PeerAddr;
use smol::{Async, Timer};

use super::hub::Hub;

/// Accepts connections on one listening socket until dropped.
pub async fn accept_loop(hub: Weak<RefCell<Hub>>, listener: Async<TcpListener>, kind: Listener) {
    loop {
        match listener.accept().await {
            Ok((stream, remote)) => {
                let Some(hub) = hub.upgrade() else { return };
                hub.borrow_mut().accept(kind, stream, remote);
            }
            Err(e) => {
                // Out of file descriptors, most likely: wait instead of spinning.
                log::warn!("accept failed: {e}");
                Timer::after(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Feeds a socket's input to the hub until the connection is gone.
pub async fn read_loop(hub: Weak<RefCell<Hub>>, id: ConnId, stream: Rc<Async<TcpStream>>) {
    loop {
        if stream.readable().await.is_err() {
            // The socket failed; the next read reports it.
        }
        let Some(hub) = hub.upgrade() else { return };
        if !hub.borrow_mut().read_ready(id) {
            return;
        }
        drop(hub);
        // Let other connections have a turn after a big read.
        future::yield_now().await;
    }
}

/// Waits for a socket to take more, then writes; ends when the queue is empty.
pub async fn write_loop(hub: Weak<RefCell<Hub>>, id: ConnId, stream: Rc<Async<TcpStream>>) {
    loop {
        let _ = stream.writable().await;
        let Some(hub) = hub.upgrade() else { return };
        if !hub.borrow_mut().writable(id) {
            return;
        }
    }
}

/// Dials a peer's server port with a timeout and reports to the hub.
pub async fn dial(hub: Weak<RefCell<Hub>>, id: ConnId, addr: PeerAddr, timeout: Duration) {
    let connect = async {
        let targets = smol::net::resolve((addr.host.as_str(), addr.port.get())).await?;
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no address");
        for target in targets {
            match Async::<TcpStream>::connect(target).await {
                Ok(stream) => return Ok(stream),
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
    if let Err(e) = &result {
        log::warn!("connecting to server {addr} failed: {e}");
    }
    if let Some(hub) = hub.upgrade() {
        hub.borrow_mut().dial_done(id, result);
    }
}

/// Runs the state machine's timers: sleeps until its `poll_timeout`, or
/// until the hub says an earlier one appeared.
pub async fn timer_loop(hub: Weak<RefCell<Hub>>, wake: async_channel::Receiver<()>) {
    loop {
        let target = match hub.upgrade() {
            Some(hub) => {
                let mut h = hub.borrow_mut();
                let target = h.server.poll_timeout();
                h.timer_target = target;
                target
            }
            None => return,
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
        let woken = async {
            let _ = wake.recv().await;
            false
        };
        if future::or(sleep, woken).await {
            let Some(hub) = hub.upgrade() else { return };
            let mut h = hub.borrow_mut();
            if h.server.poll_timeout().is_some_and(|t| t <= Instant::now()) {
                h.timeout();
            }
        }
    }
}
