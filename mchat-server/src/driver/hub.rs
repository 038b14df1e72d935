//! The hub: the one owner of the `Server` state machine and of every
//! connection's send queue. It runs on one thread; tasks borrow it between
//! their awaits, never across one.

use std::cell::RefCell;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};

use mchat_core::server::{CloseReason, ConnId, Event, Listener, Output, Server};
use mchat_core::wire::PeerAddr;
use smol::LocalExecutor;

use super::links::Table;
use super::readiness::{Readiness, Taken};
use super::send_queue::SendQueue;
use super::tasks;
use super::transport::{ReadEnd, TlsRole, Transport};
use super::websocket::{TlsWsLink, WsLink};
use crate::tls::{self, TlsConfigs};

/// Bytes read from one socket in one go.
const READ_CHUNK: usize = 64 * 1024;

/// Where a connection came in: which listener, and whether it speaks TLS
/// before the protocol (the server port does with `--tls-mesh`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Clients,
    TlsClients,
    Servers,
}

impl Door {
    pub fn listener(self) -> Listener {
        match self {
            Door::Clients | Door::TlsClients => Listener::Client,
            Door::Servers => Listener::Server,
        }
    }
}

/// One connection as the driver sees it.
struct Link {
    stream: TcpStream,
    transport: Transport,
    /// Lines the state machine sent, not yet written.
    queue: SendQueue,
    /// The socket took less than was ready: the readiness set watches it
    /// for room to write.
    watching_out: bool,
}

type Links = Table<Link>;

pub struct Hub {
    server: Server,
    links: Links,
    /// One read buffer for every socket: an idle connection owns none.
    read_buf: Box<[u8]>,
    /// Every connection's socket, watched by one task.
    readiness: Rc<Readiness>,
    taken: Taken,
    /// Connections with new lines queued since the last flush.
    dirty: Vec<ConnId>,
    ex: Rc<LocalExecutor<'static>>,
    me: Weak<RefCell<Hub>>,
    timer: Timer,
    connect_timeout: Duration,
    /// What TLS connections are made with (`--tls-mesh`,
    /// `--tls-client-port`).
    tls: TlsConfigs,
    /// Why dials failed, until the state machine's `DialFailed` is logged.
    dial_errors: Vec<(PeerAddr, String)>,
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
    /// A hub owning `server`, with its timer and readiness tasks spawned
    /// on `ex`.
    pub fn new(
        server: Server,
        ex: Rc<LocalExecutor<'static>>,
        connect_timeout: Duration,
        tls: TlsConfigs,
    ) -> std::io::Result<Rc<RefCell<Hub>>> {
        let (wake, woken) = async_channel::bounded(1);
        let readiness = Rc::new(Readiness::new()?);
        let hub = Rc::new_cyclic(|me| {
            RefCell::new(Hub {
                server,
                links: Table::new(),
                read_buf: vec![0; READ_CHUNK].into_boxed_slice(),
                readiness: readiness.clone(),
                taken: Taken::default(),
                dirty: Vec::new(),
                ex: ex.clone(),
                me: me.clone(),
                timer: Timer { target: None, wake },
                connect_timeout,
                tls,
                dial_errors: Vec::new(),
            })
        });
        ex.spawn(tasks::timer_loop(Rc::downgrade(&hub), woken))
            .detach();
        ex.spawn(tasks::readiness_loop(Rc::downgrade(&hub), readiness))
            .detach();
        Ok(hub)
    }

    /// New settings for the state machine (SIGHUP); drain after.
    pub fn reconfigure(
        &mut self,
        config: &mchat_core::server::ServerConfig,
        now: Instant,
    ) -> mchat_core::server::Reconfigured {
        self.server.reconfigure(config, now)
    }

    /// What TLS clients are served with (`--tls-cert`), now: the web
    /// listener's `wss` takes it at each connection, so SIGHUP reaches it.
    pub fn client_tls(&self) -> Option<std::sync::Arc<rustls::ServerConfig>> {
        self.tls.clients.clone()
    }

    /// The state machine, to read what it counts and holds.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// New certificates (SIGHUP) for the connections made from now on;
    /// those up keep the session they have.
    pub fn set_tls(&mut self, tls: TlsConfigs) {
        self.tls = tls;
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

    /// A connection came in at one of the doors; returns the handle the
    /// state machine gave it.
    pub fn accept(&mut self, door: Door, stream: TcpStream, remote: SocketAddr) -> ConnId {
        let _ = stream.set_nodelay(true);
        let config = match (door, &self.tls.clients, &self.tls.mesh) {
            (Door::Clients, _, _) | (Door::Servers, _, None) => None,
            (Door::TlsClients, Some(config), _) => Some(config.clone()),
            (Door::Servers, _, Some(mesh)) => Some(mesh.accept.clone()),
            // A TLS port is bound only with its config: never served plain.
            (Door::TlsClients, None, _) => {
                log::warn!("connection from {remote} on the TLS port, which has no certificate");
                return self.refuse(door, remote);
            }
        };
        let role = match door {
            Door::Servers => TlsRole::Mesh,
            Door::Clients | Door::TlsClients => TlsRole::Client,
        };
        let transport = match config.map(rustls::ServerConnection::new) {
            None => Transport::Plain,
            Some(Ok(conn)) => Transport::tls(conn, role, format!("from {remote}")),
            Some(Err(e)) => {
                log::warn!("connection from {remote}: TLS: {e}");
                return self.refuse(door, remote);
            }
        };
        let id = self.server.accept(door.listener(), remote, Instant::now());
        self.add_link(id, stream, transport);
        self.drain();
        id
    }

    /// A WebSocket client whose upgrade was answered (`--ws`): a client
    /// like any other; `part` is what it sent after its request head.
    pub fn accept_ws(
        &mut self,
        stream: TcpStream,
        remote: SocketAddr,
        part: Vec<u8>,
        tls: Option<rustls::ServerConnection>,
    ) -> ConnId {
        let _ = stream.set_nodelay(true);
        let ws = WsLink::new(part, format!("from {remote}"));
        let transport = match tls {
            None => Transport::Ws(Box::new(ws)),
            Some(tls) => Transport::TlsWs(Box::new(TlsWsLink { tls, ws })),
        };
        let id = self.server.accept(Listener::Client, remote, Instant::now());
        self.add_link(id, stream, transport);
        // What came with the request is read now: no readiness will tell.
        self.read_ready(id);
        self.drain();
        id
    }

    /// A connection that cannot be served: the state machine counts it and
    /// sees it close at once (the socket is dropped with it).
    fn refuse(&mut self, door: Door, remote: SocketAddr) -> ConnId {
        let id = self.server.accept(door.listener(), remote, Instant::now());
        self.server.handle_close(id, Instant::now());
        self.drain();
        id
    }

    /// Keeps a connection the state machine has opened, its socket in the
    /// readiness set (or closed at once if the set will not take it).
    fn add_link(&mut self, id: ConnId, stream: TcpStream, transport: Transport) {
        let watched = stream
            .set_nonblocking(true)
            .and_then(|()| self.readiness.add(&stream, id.slot()));
        if let Err(e) = watched {
            log::warn!("connection {id}: cannot watch its socket: {e}");
            self.server.handle_close(id, Instant::now());
            return;
        }
        if matches!(transport, Transport::Tls(_)) {
            // A dialler's ClientHello goes out before any line is queued.
            self.dirty.push(id);
        }
        self.links.insert(
            id,
            Link {
                stream,
                transport,
                queue: SendQueue::default(),
                watching_out: false,
            },
        );
    }

    /// The transport of a link dialled to `addr`: TLS with `--tls-mesh`.
    fn dialled_transport(&self, addr: &PeerAddr) -> Result<Transport, String> {
        let Some(mesh_tls) = &self.tls.mesh else {
            return Ok(Transport::Plain);
        };
        let name = tls::server_name(addr.host.as_str())
            .ok_or_else(|| format!("{} is no name TLS can ask for", addr.host))?;
        let conn = rustls::ClientConnection::new(mesh_tls.dial.clone(), name)
            .map_err(|e| e.to_string())?;
        Ok(Transport::tls(
            conn,
            TlsRole::Mesh,
            format!("server {addr}"),
        ))
    }

    /// The result of a dial the state machine asked for.
    pub fn dial_done(&mut self, id: ConnId, addr: &PeerAddr, stream: std::io::Result<TcpStream>) {
        let now = Instant::now();
        let connected = stream.map_err(|e| e.to_string()).and_then(|stream| {
            let transport = self.dialled_transport(addr)?;
            Ok((stream, transport))
        });
        match connected {
            Ok((stream, transport)) => {
                let _ = stream.set_nodelay(true);
                let local = stream.local_addr().ok();
                if self.server.is_open(id) {
                    self.add_link(id, stream, transport);
                }
                self.server.dial_result(id, local, now);
            }
            Err(e) => {
                // Said with the state machine's DialFailed, in one line.
                self.dial_errors.push((addr.clone(), e));
                self.server.dial_result(id, None, now);
            }
        }
        self.drain();
    }

    /// The socket of `id` is readable: feeds what it has to the state
    /// machine. Returns `false` once the connection is gone.
    pub fn read_ready(&mut self, id: ConnId) -> bool {
        let Some(link) = self.links.get_mut(id) else {
            return false;
        };
        let server = &mut self.server;
        let end = link
            .transport
            .read(&link.stream, &mut self.read_buf, |bytes| {
                server.handle_input(id, bytes, Instant::now());
            });
        match end {
            ReadEnd::Closed => self.lost(id),
            // TLS answers the handshake, and lets queued lines go once
            // it is done.
            ReadEnd::Open if matches!(link.transport, Transport::Tls(_)) => self.flush(id),
            ReadEnd::Open => {}
        }
        self.drain();
        self.links.contains(id)
    }

    /// The other side went away, or the socket failed.
    fn lost(&mut self, id: ConnId) {
        if let Some(link) = self.links.remove(id) {
            // Closing the socket takes it out of the readiness set.
            let _ = link.stream.shutdown(Shutdown::Both);
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
        // A failure the state machine did not report is not kept.
        self.dial_errors.clear();
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
                    if link.queue.is_empty() && !link.watching_out {
                        self.dirty.push(to);
                    }
                    if link.transport.frames_lines() {
                        link.queue.push_each_line(line);
                    } else {
                        link.queue.push(line);
                    }
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
                    let socket = &link.stream;
                    if reason.flush_first() {
                        let _ = link.transport.write(socket, &mut link.queue);
                        link.transport.close(socket);
                    }
                    let _ = socket.shutdown(Shutdown::Both);
                }
            }
            Output::Dial { id, addr } => {
                let task = tasks::dial(self.me.clone(), id, addr, self.connect_timeout);
                self.ex.spawn(task).detach();
            }
            Output::Event(event) => self.log_event(&event),
        }
    }

    /// Writes what is queued for `id` without blocking; if the socket takes
    /// less than is ready, the readiness set watches it for room.
    pub fn flush(&mut self, id: ConnId) {
        let Some(link) = self.links.get_mut(id) else {
            return;
        };
        let written = link.transport.write(&link.stream, &mut link.queue);
        link.queue.shrink_if_idle();
        let written = match written {
            Ok(written) => written,
            Err(e) => {
                log::debug!("write to {id} failed: {e}");
                self.lost(id);
                return;
            }
        };
        if written.socket_full != link.watching_out {
            link.watching_out = written.socket_full;
            let watched =
                self.readiness
                    .watch_writable(&link.stream, id.slot(), written.socket_full);
            if let Err(e) = watched {
                log::debug!("connection {id}: cannot watch its socket: {e}");
                self.lost(id);
                return;
            }
        }
        if written.taken > 0 {
            self.server
                .handle_flushed(id, written.taken, Instant::now());
        }
    }

    /// Serves the sockets the readiness set found ready, a turn's worth.
    pub fn serve_ready(&mut self) {
        self.readiness.take(&mut self.taken);
        let ready = std::mem::take(&mut self.taken.ready);
        for event in &ready {
            // A socket closed earlier in this turn finds nothing.
            let Some(id) = self.links.id_at(event.slot) else {
                continue;
            };
            if event.writable {
                self.flush(id);
            }
            if event.readable {
                self.read_ready(id);
            } else if event.writable {
                self.drain();
            }
        }
        self.taken.ready = ready;
    }

    /// Unsent bytes, all connections together.
    pub fn unsent(&self) -> usize {
        self.links.values().map(|l| l.queue.unsent()).sum()
    }

    /// Closes every connection (shutting down).
    pub fn close_all(&mut self) {
        for mut link in self.links.drain() {
            let socket = &link.stream;
            link.transport.close(socket);
            let _ = socket.shutdown(Shutdown::Both);
        }
    }
}

/// An event as a log line (the words are the core's, after the original).
impl Hub {
    /// An event as a log line (the words are the core's, after the
    /// original); a failed dial with the reason the socket gave.
    fn log_event(&mut self, event: &Event) {
        if let Event::DialFailed { addr } = event
            && let Some(at) = self.dial_errors.iter().position(|(a, _)| a == addr)
        {
            let (_, why) = self.dial_errors.swap_remove(at);
            return log::warn!("{event}: {why}");
        }
        if event.is_detail() {
            log::debug!("{event}");
        } else if event.is_warning() {
            log::warn!("{event}");
        } else {
            log::info!("{event}");
        }
    }
}

#[cfg(test)]
mod tests {
    //! The hub over real loopback sockets, driven by hand: the executor is
    //! never run, so no task reads or writes behind the test's back.

    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::num::NonZeroU16;
    use std::os::fd::AsFd;

    use mchat_core::server::ServerConfig;
    use mchat_core::wire::{Host, PeerAddr};
    use nix::sys::socket::{setsockopt, sockopt};

    use super::*;

    struct Member {
        id: ConnId,
        /// The server's end (a second descriptor of it), to wait until it
        /// is readable.
        server_end: TcpStream,
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
            TlsConfigs {
                mesh: None,
                clients: None,
            },
        )
        .unwrap()
    }

    /// Waits (at most 5 s) until the server's end of a socket is readable.
    fn wait_readable(socket: &TcpStream) {
        use nix::poll::{PollFd, PollFlags, poll};
        let mut fds = [PollFd::new(socket.as_fd(), PollFlags::POLLIN)];
        assert_eq!(poll(&mut fds, 5000u16).unwrap(), 1, "never readable");
    }

    /// A client in `room`, all its `joined channel` notices read.
    fn member(hub: &Rc<RefCell<Hub>>, listener: &TcpListener, nick: &str, room: &str) -> Member {
        let socket = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let (accepted, remote) = listener.accept().unwrap();
        let server_end = accepted.try_clone().unwrap();
        let id = hub.borrow_mut().accept(Door::Clients, accepted, remote);
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
        wait_readable(&m.server_end);
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
        wait_readable(&ann.server_end);

        say(&hub, &mut bob, "MSG bob r hello\n");
        assert_eq!(next_line(&mut carol), "MSG bob r hello");
        // Nothing else happens in the hub: the notice must already be out.
        assert_eq!(next_line(&mut carol), "SYSTEM r ann left channel");
        assert_eq!(next_line(&mut bob), "SYSTEM r ann left channel");
        assert!(!hub.borrow().links.contains(ann.id));
    }
}
