//! One connection of the relay: its socket, the line it has half read, and
//! what it has not yet taken of what was written to it.

use std::io::{self, Write};
use std::net::TcpStream;

use crate::hello::Hello;

/// Unwritten bytes past which a reader is dropped, so a stalled one cannot
/// take all memory (the server's own limit plays the same part).
const PENDING_LIMIT: usize = 64 << 20;

pub struct Conn {
    pub stream: TcpStream,
    /// `Some` until its `JOIN`.
    pub hello: Option<Hello>,
    /// The start of a line whose end has not arrived.
    pub partial: Vec<u8>,
    /// Bytes the socket has not taken yet, from `written` on.
    pending: Vec<u8>,
    written: usize,
}

/// What writing to a connection came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Sent {
    /// Everything went to the socket.
    All,
    /// Some now waits in the connection: watch for writability.
    Waiting,
    /// Queued behind what was already waiting (and watched).
    Behind,
    /// Too much waits, or the socket failed: drop it.
    Failed,
}

impl Conn {
    pub fn new(stream: TcpStream) -> Self {
        Self {
            stream,
            hello: Some(Hello::default()),
            partial: Vec::new(),
            pending: Vec::new(),
            written: 0,
        }
    }

    /// Writes `bytes` after whatever is waiting.
    pub fn send(&mut self, bytes: &[u8]) -> Sent {
        if self.pending.len() > self.written {
            if self.pending.len() - self.written + bytes.len() > PENDING_LIMIT {
                return Sent::Failed;
            }
            self.pending.extend_from_slice(bytes);
            return Sent::Behind;
        }
        match write_some(&mut self.stream, bytes) {
            Ok(n) if n == bytes.len() => Sent::All,
            Ok(n) => {
                self.pending.clear();
                self.written = 0;
                self.pending
                    .extend_from_slice(bytes.get(n..).unwrap_or_default());
                Sent::Waiting
            }
            Err(_) => Sent::Failed,
        }
    }

    /// The socket is writable: writes what waits.
    pub fn flush(&mut self) -> Sent {
        let waiting = self.pending.get(self.written..).unwrap_or_default();
        match write_some(&mut self.stream, waiting) {
            Ok(n) if n == waiting.len() => {
                self.pending = Vec::new();
                self.written = 0;
                Sent::All
            }
            Ok(n) => {
                self.written += n;
                Sent::Waiting
            }
            Err(_) => Sent::Failed,
        }
    }
}

/// Writes as much of `bytes` as the nonblocking socket takes now.
fn write_some(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<usize> {
    let mut done = 0;
    while done < bytes.len() {
        match stream.write(bytes.get(done..).unwrap_or_default()) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}
