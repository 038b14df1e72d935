//! One readiness set for every connection of the hub: the sockets sit in
//! an epoll set of the hub's own, which one task watches through smol's
//! reactor. An idle connection is then a table entry and a kernel
//! registration, with no task, future or reactor source of its own (what
//! those cost is in docs/performance.md), and a burst of ready sockets is
//! one wake-up rather than one per socket.

use std::io;
use std::net::TcpStream;
use std::os::fd::{AsFd, BorrowedFd};

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};
use smol::Async;

/// Events taken from the set in one go; more wait for the next turn.
const EVENTS_PER_TURN: usize = 256;

/// The epoll set, as smol's reactor sees it: a descriptor that is readable
/// while some socket in the set is ready.
struct EpollFd(Epoll);

impl AsFd for EpollFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.0.as_fd()
    }
}

pub struct Readiness {
    set: Async<EpollFd>,
}

/// Where [`Readiness::take`] puts what it finds (kept by the caller, so
/// that a turn allocates nothing).
pub struct Taken {
    events: Vec<EpollEvent>,
    pub ready: Vec<Ready>,
}

impl Default for Taken {
    fn default() -> Self {
        Self {
            events: vec![EpollEvent::empty(); EVENTS_PER_TURN],
            ready: Vec::with_capacity(EVENTS_PER_TURN),
        }
    }
}

/// What a connection's socket is ready for.
#[derive(Clone, Copy, Debug)]
pub struct Ready {
    /// The connection's slot ([`mchat_core::server::ConnId::slot`]).
    pub slot: usize,
    /// Bytes to read, the end of the stream, or an error to find by reading.
    pub readable: bool,
    /// Room to write (asked for with [`Readiness::watch_writable`]).
    pub writable: bool,
}

impl Readiness {
    pub fn new() -> io::Result<Self> {
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        Ok(Self {
            set: Async::new(EpollFd(epoll))?,
        })
    }

    /// Watches `socket`, the connection in `slot`, for reading (level
    /// triggered: a socket read only in part is reported again). A socket
    /// leaves the set when it is closed.
    pub fn add(&self, socket: &TcpStream, slot: usize) -> io::Result<()> {
        let event = EpollEvent::new(EpollFlags::EPOLLIN, slot as u64);
        Ok(self.set.get_ref().0.add(socket, event)?)
    }

    /// Watches `socket` for room to write too, or no longer.
    pub fn watch_writable(&self, socket: &TcpStream, slot: usize, on: bool) -> io::Result<()> {
        let flags = if on {
            EpollFlags::EPOLLIN | EpollFlags::EPOLLOUT
        } else {
            EpollFlags::EPOLLIN
        };
        let mut event = EpollEvent::new(flags, slot as u64);
        Ok(self.set.get_ref().0.modify(socket, &mut event)?)
    }

    /// Waits until some socket in the set is ready.
    pub async fn wait(&self) -> io::Result<()> {
        self.set.readable().await
    }

    /// The sockets ready now (none if none is), at most a turn's worth,
    /// into `taken.ready`.
    pub fn take(&self, taken: &mut Taken) {
        taken.ready.clear();
        let n = loop {
            match self
                .set
                .get_ref()
                .0
                .wait(&mut taken.events, EpollTimeout::ZERO)
            {
                Ok(n) => break n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => {
                    log::warn!("polling the connections failed: {e}");
                    break 0;
                }
            }
        };
        let found = taken.events.iter().take(n).filter_map(|event| {
            let flags = event.events();
            Some(Ready {
                slot: usize::try_from(event.data()).ok()?,
                readable: flags
                    .intersects(EpollFlags::EPOLLIN | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR),
                writable: flags.contains(EpollFlags::EPOLLOUT),
            })
        });
        taken.ready.extend(found);
    }
}
