//! The tasks around the hub: accepting, reading, writing, dialling, timing.
//! Each holds only a weak handle to the hub and borrows it between awaits.

use std::cell::RefCell;
use std::net::{TcpListener, TcpStream};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_lite::future;
use mchat_core::server::ConnId;
use mchat_core::wire::PeerAddr;
use smol::{Async, Timer};

use super::hub::{Door, Hub};

/// Accepts connections on one listening socket until dropped.
pub async fn accept_loop(hub: Weak<RefCell<Hub>>, listener: Async<TcpListener>, door: Door) {
    loop {
        match listener.accept().await {
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
