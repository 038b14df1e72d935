//! The hub: the one owner of the `Server` state machine and of every
//! connection's send queue. It runs on one thread; tasks borrow it between
//! their awaits, never across one.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mchat_core::server::{CloseReason, ConnId, Event, Listener, Output, Server};
use smol::{Async, LocalExecutor};

use super::links::Table;
use super::tasks;

/// Bytes read from one socket before other tasks get a turn.
const READ_CHUNK: usize = 64 * 1024;
const READS_PER_WAKE: usize = 4;
/// Lines gathered into one vectored write.
const SLICES_PER_WRITE: usize = 1024; // IOV_MAX on Linux
/// A drained queue this small is freed rather than kept (idle clients).
const IDLE_QUEUE_CAPACITY: usize = 8;
/// The gather list for short queues.
const FEW_SLICES: usize = 8;

/// One connection as the driver sees it.
struct Link {
    stream: Rc<Async<TcpStream>>,
    /// Lines the state machine sent, not yet written; the front one may be
    /// partly written already.
    queue: VecDeque<Bytes>,
    front_written: usize,
    /// A task is waiting for the socket to become writable.
    writer_waiting: bool,
}

type Links = Table<Link>;

pub struct Hub {
    pub server: Server,
    links: Links,
    /// One read buffer for every socket: an idle connection owns none.
    read_buf: Box<[u8]>,
    /// Connections with new lines queued since the last flush.
    dirty: Vec<ConnId>,
    pub ex: Rc<LocalExecutor<'static>>,
    me: Weak<RefCell<Hub>>,
    /// What the timer task sleeps until, and how to wake it earlier.
    pub timer_target: Option<Instant>,
    timer_wake: async_channel::Sender<()>,
    pub connect_timeout: Duration,
}

impl Hub {
    pub fn new(
        server: Server,
        ex: Rc<LocalExecutor<'static>>,
        timer_wake: async_channel::Sender<()>,
        connect_timeout: Duration,
    ) -> Rc<RefCell<Hub>> {
        Rc::new_cyclic(|me| {
            RefCell::new(Hub {
                server,
                links: Table::new(),
                read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
                dirty: Vec::new(),
                ex,
                me: me.clone(),
                timer_target: None,
                timer_wake,
                connect_timeout,
            })
        })
    }

    /// A connection came in on one of the listeners.
    pub fn accept(&mut self, listener: Listener, stream: Async<TcpStream>, remote: SocketAddr) {
        let _ = stream.get_ref().set_nodelay(true);
        let stream = Rc::new(stream);
        let id = self.server.accept(listener, remote, Instant::now());
        self.add_link(id, stream);
        self.drain();
    }

    fn add_link(&mut self, id: ConnId, stream: Rc<Async<TcpStream>>) {
        self.links.insert(
            id,
            Link {
                stream: stream.clone(),
                queue: VecDeque::new(),
                front_written: 0,
                writer_waiting: false,
            },
        );
        self.ex
            .spawn(tasks::read_loop(self.me.clone(), id, stream))
            .detach();
    }

    /// The result of a dial the state machine asked for.
    pub fn dial_done(&mut self, id: ConnId, stream: io::Result<Async<TcpStream>>) {
        let now = Instant::now();
        match stream {
            Ok(stream) => {
                let _ = stream.get_ref().set_nodelay(true);
                let local = stream.get_ref().local_addr().ok();
                if self.server.is_open(id) {
                    self.add_link(id, Rc::new(stream));
                }
                self.server.dial_result(id, local, now);
            }
            Err(e) => {
                log::debug!("dial {id} failed: {e}");
                self.server.dial_result(id, None, now);
            }
        }
        self.drain();
    }

    /// The socket of `id` is readable: feeds what it has to the state
    /// machine. Returns `false` once the connection is gone.
    pub fn read_ready(&mut self, id: ConnId) -> bool {
        let Some(stream) = self.links.get(id).map(|l| l.stream.clone()) else {
            return false;
        };
        let mut open = true;
        for _ in 0..READS_PER_WAKE {
            let result = stream.get_ref().read(&mut self.read_buf);
            match result {
                Ok(0) => {
                    open = false;
                    break;
                }
                Ok(n) => {
                    let bytes = self.read_buf.get(..n).unwrap_or_default();
                    self.server.handle_input(id, bytes, Instant::now());
                    if n < self.read_buf.len() {
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    log::debug!("read from {id} failed: {e}");
                    open = false;
                    break;
                }
            }
        }
        if !open {
            self.lost(id);
        }
        self.drain();
        self.links.contains(id)
    }

    /// The other side went away, or the socket failed.
    fn lost(&mut self, id: ConnId) {
        if let Some(link) = self.links.remove(id) {
            let _ = link.stream.get_ref().shutdown(Shutdown::Both);
        }
        self.server.handle_close(id, Instant::now());
    }

    /// Time to run the state machine's timers.
    pub fn timeout(&mut self) {
        self.server.handle_timeout(Instant::now());
        self.drain();
    }

    /// Carries out every output of the state machine, then writes what was
    /// queued, each connection in one vectored write.
    pub fn drain(&mut self) {
        loop {
            while let Some(output) = self.server.poll_output() {
                self.carry_out(output);
            }
            let dirty = std::mem::take(&mut self.dirty);
            for id in dirty {
                self.flush(id);
            }
            if self.dirty.is_empty() {
                break;
            }
        }
        if self.server.poll_timeout() < self.timer_target || self.timer_target.is_none() {
            let _ = self.timer_wake.try_send(());
        }
    }

    fn carry_out(&mut self, output: Output) {
        match output {
            Output::Send { to, line } => {
                if let Some(link) = self.links.get_mut(to) {
                    if link.queue.is_empty() && !link.writer_waiting {
                        self.dirty.push(to);
                    }
                    link.queue.push_back(line);
                }
            }
            Output::Close { id, reason } => {
                if matches!(
                    reason,
                    CloseReason::DuplicateLink
                        | CloseReason::SelfConnection
                        | CloseReason::HandshakeTimeout
                ) {
                    log::info!("closing server connection {id}: {reason}");
                }
                if let Some(mut link) = self.links.remove(id) {
                    let stream = link.stream.clone();
                    if reason.flush_first() {
                        let _ = write_queue(&stream, &mut link);
                    }
                    let _ = stream.get_ref().shutdown(Shutdown::Both);
                }
            }
            Output::Dial { id, addr } => {
                let task = tasks::dial(self.me.clone(), id, addr, self.connect_timeout);
                self.ex.spawn(task).detach();
            }
            Output::Event(event) => log_event(&event),
        }
    }

    /// Writes what is queued for `id` without blocking; if the kernel takes
    /// less than everything, a task waits for the socket to drain.
    pub fn flush(&mut self, id: ConnId) {
        let Some(link) = self.links.get_mut(id) else {
            return;
        };
        let stream = link.stream.clone();
        match write_queue(&stream, link) {
            Ok(0) => {}
            Ok(written) => self.server.handle_flushed(id, written, Instant::now()),
            Err(e) => {
                log::debug!("write to {id} failed: {e}");
                self.lost(id);
                return;
            }
        }
        let Some(link) = self.links.get_mut(id) else {
            return;
        };
        if link.queue.is_empty() && link.queue.capacity() <= IDLE_QUEUE_CAPACITY {
            // An idle client's heartbeat would otherwise keep a queue
            // allocated for good; a busy connection keeps its bigger one.
            link.queue = VecDeque::new();
        }
        if !link.queue.is_empty() && !link.writer_waiting {
            link.writer_waiting = true;
            self.ex
                .spawn(tasks::write_loop(self.me.clone(), id, stream))
                .detach();
        }
    }

    /// The writer task of `id` saw the socket writable.
    pub fn writable(&mut self, id: ConnId) -> bool {
        let Some(link) = self.links.get_mut(id) else {
            return false;
        };
        link.writer_waiting = false;
        self.flush(id);
        self.drain();
        self.links.get(id).is_some_and(|l| l.writer_waiting)
    }

    /// Unsent bytes, all connections together.
    pub fn unsent(&self) -> usize {
        self.links
            .values()
            .map(|l| l.queue.iter().map(Bytes::len).sum::<usize>() - l.front_written)
            .sum()
    }

    /// Closes every connection (shutting down).
    pub fn close_all(&mut self) {
        for link in self.links.drain() {
            let _ = link.stream.get_ref().shutdown(Shutdown::Both);
        }
    }
}

/// Writes as much of `link.queue` as the socket takes now, in vectored
/// writes; returns the bytes written.
fn write_queue(stream: &Async<TcpStream>, link: &mut Link) -> io::Result<usize> {
    let mut total = 0;
    while !link.queue.is_empty() {
        // A quiet room's line goes out alone: a small gather list, since
        // filling the big one costs more than the line itself.
        let result = if link.queue.len() <= FEW_SLICES {
            write_gathered::<FEW_SLICES>(stream, link)
        } else {
            write_gathered::<SLICES_PER_WRITE>(stream, link)
        };
        let written = match result {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += written;
        let mut left = written + link.front_written;
        link.front_written = 0;
        while let Some(front) = link.queue.front() {
            if left >= front.len() {
                left -= front.len();
                link.queue.pop_front();
            } else {
                link.front_written = left;
                break;
            }
        }
    }
    Ok(total)
}

/// One vectored write of up to `N` queued lines, gathered on the stack.
fn write_gathered<const N: usize>(stream: &Async<TcpStream>, link: &Link) -> io::Result<usize> {
    let mut slices = [IoSlice::new(&[]); N];
    let mut used = 0;
    for (slot, (i, line)) in slices.iter_mut().zip(link.queue.iter().enumerate()) {
        let skip = if i == 0 { link.front_written } else { 0 };
        *slot = IoSlice::new(line.get(skip..).unwrap_or_default());
        used += 1;
    }
    stream
        .get_ref()
        .write_vectored(slices.get(..used).unwrap_or_default())
}

/// The log lines of the original document §5.
fn log_event(event: &Event) {
    match event {
        Event::ClientConnected { id, remote } => log::info!("client {id} connected from {remote}"),
        Event::ClientDisconnected { id, reason: None } => {
            log::info!("client {id} disconnected (closed)")
        }
        Event::ClientDisconnected {
            id,
            reason: Some(reason),
        } => log::info!("client {id} disconnected ({reason})"),
        Event::ServerConnected { id, addr } => log::info!("server {addr} connected ({id})"),
        Event::ServerDisconnected {
            id,
            addr,
            reason: None,
        } => log::info!("server {addr} disconnected ({id}, closed)"),
        Event::ServerDisconnected {
            id,
            addr,
            reason: Some(reason),
        } => {
            log::info!("server {addr} disconnected ({id}, {reason})")
        }
        Event::Refused {
            listener: Listener::Client,
            remote,
        } => log::warn!("refused client {remote}: server full"),
        Event::Refused {
            listener: Listener::Server,
            remote,
        } => log::warn!("refused server {remote}: server full"),
        Event::DialFailed { addr } => log::warn!("could not connect to server {addr}"),
        Event::GaveUp { addr } => log::warn!("gave up on server {addr}: unreachable too long"),
        Event::PeerLineDropped {
            id,
            addr: Some(addr),
            why,
        } => log::warn!("dropped a line from server {addr} ({id}): {why}"),
        Event::PeerLineDropped {
            id,
            addr: None,
            why,
        } => log::warn!("dropped a line from server connection {id}: {why}"),
        Event::SelfAlias { addr } => {
            log::warn!("{addr} is this server itself; it will not be dialled again")
        }
    }
}
