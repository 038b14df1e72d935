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
    server: Server,
    links: Links,
    /// One read buffer for every socket: an idle connection owns none.
    read_buf: Box<[u8]>,
    /// Connections with new lines queued since the last flush.
    dirty: Vec<ConnId>,
    ex: Rc<LocalExecutor<'static>>,
    me: Weak<RefCell<Hub>>,
    timer: Timer,
    connect_timeout: Duration,
}

/// The state machine's timer, owned by the hub alone: the timer task asks
/// the hub what to sleep until and tells it when it woke; the hub wakes the
/// task early when a drain brings the next deadline forward.
struct Timer {
    /// What the timer task sleeps until.
    target: Option<Instant>,
    wake: async_channel::Sender<()>,
}

impl Hub {
    /// A hub owning `server`, with its timer task spawned on `ex`.
    pub fn new(
        server: Server,
        ex: Rc<LocalExecutor<'static>>,
        connect_timeout: Duration,
    ) -> Rc<RefCell<Hub>> {
        let (wake, woken) = async_channel::bounded(1);
        let hub = Rc::new_cyclic(|me| {
            RefCell::new(Hub {
                server,
                links: Table::new(),
                read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
                dirty: Vec::new(),
                ex: ex.clone(),
                me: me.clone(),
                timer: Timer { target: None, wake },
                connect_timeout,
            })
        });
        ex.spawn(tasks::timer_loop(Rc::downgrade(&hub), woken))
            .detach();
        hub
    }

    /// The deadline the timer task is to sleep until, now recorded as its
    /// target (`None`: until woken).
    pub fn arm_timer(&mut self) -> Option<Instant> {
        self.timer.target = self.server.poll_timeout();
        self.timer.target
    }

    /// The timer task woke at its target: runs what is due.
    pub fn timer_fired(&mut self) {
        let now = Instant::now();
        if self.server.poll_timeout().is_some_and(|t| t <= now) {
            self.server.handle_timeout(now);
            self.drain();
        }
    }

    /// A connection came in on one of the listeners; returns the handle
    /// the state machine gave it.
    pub fn accept(
        &mut self,
        listener: Listener,
        stream: Async<TcpStream>,
        remote: SocketAddr,
    ) -> ConnId {
        let _ = stream.get_ref().set_nodelay(true);
        let stream = Rc::new(stream);
        let id = self.server.accept(listener, remote, Instant::now());
        self.add_link(id, stream);
        self.drain();
        id
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

    /// Carries out every output of the state machine and writes what was
    /// queued, each connection in one vectored write, until neither is
    /// left: a failed write closes its connection, and the state machine
    /// answers that with more outputs (notices to the room, a redial).
    /// Then wakes the timer task if the next deadline moved earlier.
    pub fn drain(&mut self) {
        loop {
            while let Some(output) = self.server.poll_output() {
                self.carry_out(output);
            }
            if self.dirty.is_empty() {
                break;
            }
            for id in std::mem::take(&mut self.dirty) {
                self.flush(id);
            }
        }
        let next = self.server.poll_timeout();
        let earlier = match (next, self.timer.target) {
            (Some(next), Some(target)) => next < target,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if earlier {
            let _ = self.timer.wake.try_send(());
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

/// An event as a log line (the words are the core's, after the original).
fn log_event(event: &Event) {
    if event.is_warning() {
        log::warn!("{event}");
    } else {
        log::info!("{event}");
    }
}

#[cfg(test)]
mod tests {
    //! The hub over real loopback sockets, driven by hand: the executor is
    //! never run, so no task reads or writes behind the test's back.

    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;
    use std::num::NonZeroU16;
    use std::os::fd::AsFd;

    use mchat_core::server::ServerConfig;
    use mchat_core::wire::{Host, PeerAddr};
    use nix::sys::socket::{setsockopt, sockopt};

    use super::*;

    struct Member {
        id: ConnId,
        /// The server's end, to wait until it is readable.
        server_end: Rc<Async<TcpStream>>,
        /// The client's end.
        socket: BufReader<TcpStream>,
    }

    fn hub() -> Rc<RefCell<Hub>> {
        let advertised = PeerAddr::new(Host::new("127.0.0.1").unwrap(), NonZeroU16::MIN);
        let server = Server::new(ServerConfig::new(advertised), Instant::now());
        Hub::new(
            server,
            Rc::new(LocalExecutor::new()),
            Duration::from_secs(1),
        )
    }

    /// A client in `room`, all its `joined channel` notices read.
    fn member(hub: &Rc<RefCell<Hub>>, listener: &TcpListener, nick: &str, room: &str) -> Member {
        let socket = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (accepted, remote) = listener.accept().unwrap();
        let id = hub
            .borrow_mut()
            .accept(Listener::Client, Async::new(accepted).unwrap(), remote);
        let server_end = hub.borrow().links.get(id).unwrap().stream.clone();
        let mut m = Member {
            id,
            server_end,
            socket: BufReader::new(socket),
        };
        say(hub, &mut m, &format!("NICK {nick}\nJOIN {room}\n"));
        assert_eq!(
            next_line(&mut m),
            format!("SYSTEM {room} {nick} joined channel")
        );
        m
    }

    /// Writes `lines` from the client and lets the hub read them.
    fn say(hub: &Rc<RefCell<Hub>>, m: &mut Member, lines: &str) {
        m.socket.get_mut().write_all(lines.as_bytes()).unwrap();
        smol::block_on(m.server_end.readable()).unwrap();
        assert!(hub.borrow_mut().read_ready(m.id));
    }

    fn next_line(m: &mut Member) -> String {
        let mut line = String::new();
        m.socket.read_line(&mut line).unwrap();
        line.trim_end_matches('\n').to_owned()
    }

    #[test]
    fn a_write_that_fails_during_a_fan_out_has_its_notices_sent_at_once() {
        let hub = hub();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut bob = member(&hub, &listener, "bob", "r");
        let mut carol = member(&hub, &listener, "carol", "r");
        assert_eq!(next_line(&mut bob), "SYSTEM r carol joined channel");
        let ann = member(&hub, &listener, "ann", "r");
        assert_eq!(next_line(&mut bob), "SYSTEM r ann joined channel");
        assert_eq!(next_line(&mut carol), "SYSTEM r ann joined channel");

        // Ann's side resets the connection. The hub has not read that yet,
        // so its next write to her, in bob's fan-out, is what fails.
        let ann_socket = ann.socket.into_inner();
        setsockopt(
            &ann_socket.as_fd(),
            sockopt::Linger,
            &nix::libc::linger {
                l_onoff: 1,
                l_linger: 0,
            },
        )
        .unwrap();
        drop(ann_socket);
        smol::block_on(ann.server_end.readable()).unwrap();

        say(&hub, &mut bob, "MSG bob r hello\n");
        assert_eq!(next_line(&mut carol), "MSG bob r hello");
        // Nothing else happens in the hub: the notice must already be out.
        assert_eq!(next_line(&mut carol), "SYSTEM r ann left channel");
        assert_eq!(next_line(&mut bob), "SYSTEM r ann left channel");
        assert!(!hub.borrow().links.contains(ann.id));
    }
}
