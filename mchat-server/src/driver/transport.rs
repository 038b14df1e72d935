//! How a connection's bytes cross its socket: as they are, or through TLS
//! (`--tls-mesh` links). Both are driven by readiness on the nonblocking
//! socket, so the hub treats every connection alike.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use rustls::Connection;

use super::send_queue::SendQueue;
use super::websocket::{TlsWsLink, WsLink};

/// Bytes taken from one socket before other tasks get a turn.
const READ_BUDGET: usize = 256 * 1024;

pub enum Transport {
    Plain,
    Tls(Box<TlsLink>),
    /// A client on the `--ws` listener, its upgrade answered.
    Ws(Box<WsLink>),
    /// The same over TLS (`wss`).
    TlsWs(Box<TlsWsLink>),
}

pub struct TlsLink {
    pub conn: Connection,
    pub role: TlsRole,
    /// Who is at the other end, for the log: `from <socket addr>` or `server <advertised addr>`.
    pub peer: Box<str>,
}

/// What a TLS connection is for, which says how its failure is logged.
#[derive(Clone, Copy)]
pub enum TlsRole {
    /// A server link (`--tls-mesh`): a failure is a peer that did not
    /// prove itself.
    Mesh,
    /// A client on the TLS client port: a failure is most often a client
    /// that does not speak TLS, or does not trust the certificate.
    Client,
}

/// What reading found.
pub enum ReadEnd {
    /// The socket has nothing more for now.
    Open,
    /// The other side closed, or the socket failed.
    Closed,
}

/// How a write ended.
pub struct Written {
    /// Bytes of the queue taken (by the socket, or by TLS to encrypt).
    pub taken: usize,
    /// The socket took less than was ready: wait until it is writable.
    pub socket_full: bool,
}

impl Transport {
    /// A TLS link over `conn`, with the other end named for the log.
    pub fn tls(conn: impl Into<Connection>, role: TlsRole, peer: String) -> Transport {
        Transport::Tls(Box::new(TlsLink {
            conn: conn.into(),
            role,
            peer: peer.into(),
        }))
    }

    /// Does it send each line as a message of its own (WebSocket)?
    pub fn frames_lines(&self) -> bool {
        matches!(self, Transport::Ws(_) | Transport::TlsWs(_))
    }

    /// Reads what the socket has, handing the plain bytes to `input`.
    pub fn read(
        &mut self,
        socket: &TcpStream,
        buf: &mut [u8],
        input: impl FnMut(&[u8]),
    ) -> ReadEnd {
        match self {
            Transport::Plain => read_plain(socket, buf, input),
            Transport::Tls(tls) => tls.read(socket, buf, input),
            Transport::Ws(ws) => ws.read(socket, input),
            Transport::TlsWs(wss) => wss.read(socket, input),
        }
    }

    /// Writes as much of `queue` as the socket takes now.
    pub fn write(&mut self, socket: &TcpStream, queue: &mut SendQueue) -> io::Result<Written> {
        match self {
            Transport::Plain => write_plain(socket, queue),
            Transport::Tls(tls) => tls.write(socket, queue),
            Transport::Ws(ws) => ws.write(socket, queue),
            Transport::TlsWs(wss) => wss.write(socket, queue),
        }
    }

    /// Says goodbye before the socket is shut (TLS: a close_notify).
    pub fn close(&mut self, socket: &TcpStream) {
        match self {
            Transport::Tls(tls) => {
                tls.conn.send_close_notify();
                let mut socket = socket;
                let _ = tls.conn.write_tls(&mut socket);
            }
            Transport::Ws(ws) => {
                let mut socket = socket;
                ws.close(&mut socket);
            }
            Transport::TlsWs(wss) => wss.close(socket),
            Transport::Plain => {}
        }
    }
}

fn read_plain(socket: &TcpStream, buf: &mut [u8], mut input: impl FnMut(&[u8])) -> ReadEnd {
    let mut socket = socket;
    let mut budget = READ_BUDGET;
    while budget > 0 {
        match socket.read(buf) {
            Ok(0) => return ReadEnd::Closed,
            Ok(n) => {
                input(buf.get(..n).unwrap_or_default());
                if n < buf.len() {
                    break;
                }
                budget = budget.saturating_sub(n);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                log::debug!("read failed: {e}");
                return ReadEnd::Closed;
            }
        }
    }
    ReadEnd::Open
}

/// What one write to the nonblocking socket came to.
enum Step {
    Wrote(usize),
    /// The socket takes nothing more now.
    Full,
    /// Interrupted: try again.
    Again,
}

/// The one reading of a socket write's result, for both transports: a
/// write of nothing is an error, as is anything but would-block.
fn step(result: io::Result<usize>) -> io::Result<Step> {
    match result {
        Ok(0) => Err(io::ErrorKind::WriteZero.into()),
        Ok(n) => Ok(Step::Wrote(n)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Step::Full),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Step::Again),
        Err(e) => Err(e),
    }
}

fn write_plain(socket: &TcpStream, queue: &mut SendQueue) -> io::Result<Written> {
    let mut socket = socket;
    let mut taken = 0;
    while !queue.is_empty() {
        match step(queue.write_with(|slices| socket.write_vectored(slices)))? {
            Step::Wrote(n) => taken += n,
            Step::Full => {
                return Ok(Written {
                    taken,
                    socket_full: true,
                });
            }
            Step::Again => {}
        }
    }
    Ok(Written {
        taken,
        socket_full: false,
    })
}

impl TlsLink {
    fn read(
        &mut self,
        socket: &TcpStream,
        buf: &mut [u8],
        mut input: impl FnMut(&[u8]),
    ) -> ReadEnd {
        let mut socket = socket;
        let mut budget = READ_BUDGET;
        while budget > 0 {
            match self.conn.read_tls(&mut socket) {
                Ok(0) => return ReadEnd::Closed,
                Ok(n) => budget = budget.saturating_sub(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    log::debug!("read {} failed: {e}", self.peer);
                    return ReadEnd::Closed;
                }
            }
            let state = match self.conn.process_new_packets() {
                Ok(state) => state,
                Err(e) => {
                    // The alert that says why, if the socket takes it.
                    let _ = self.conn.write_tls(&mut socket);
                    match self.role {
                        TlsRole::Mesh => {
                            log::warn!("peer failed authentication over TLS ({}): {e}", self.peer)
                        }
                        TlsRole::Client => {
                            log::info!("client TLS failed ({}): {e}", self.peer);
                        }
                    }
                    return ReadEnd::Closed;
                }
            };
            loop {
                match self.conn.reader().read(buf) {
                    Ok(0) => return ReadEnd::Closed,
                    Ok(n) => input(buf.get(..n).unwrap_or_default()),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(_) => return ReadEnd::Closed,
                }
            }
            if state.peer_has_closed() {
                return ReadEnd::Closed;
            }
        }
        ReadEnd::Open
    }

    /// Moves queued lines into TLS records and records onto the socket,
    /// until the socket is full or nothing is left. Before the handshake
    /// is done, rustls holds what it is given (up to its buffer limit).
    fn write(&mut self, socket: &TcpStream, queue: &mut SendQueue) -> io::Result<Written> {
        let mut socket = socket;
        let mut taken = 0;
        loop {
            while !queue.is_empty() {
                let writer = &mut self.conn;
                match queue.write_with(|slices| writer.writer().write_vectored(slices))? {
                    0 => break,
                    n => taken += n,
                }
            }
            if !self.conn.wants_write() {
                return Ok(Written {
                    taken,
                    socket_full: false,
                });
            }
            if let Step::Full = step(self.conn.write_tls(&mut socket))? {
                return Ok(Written {
                    taken,
                    socket_full: true,
                });
            }
        }
    }
}
