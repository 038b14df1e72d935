//! A client over WebSocket (`--ws`): one text message is one protocol
//! line without its newline, both ways, so the state machine sees the
//! same bytes as from a TCP client. Driven, like TLS, by readiness on the
//! nonblocking socket, through tungstenite's socket-less context.

use std::io;
use std::net::TcpStream;

use bytes::Bytes;
use tungstenite::error::{CapacityError, Error as WsError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, Role, WebSocketConfig, WebSocketContext};
use tungstenite::{Message, Utf8Bytes};

use super::send_queue::SendQueue;
use super::transport::{ReadEnd, Written};
use mchat_core::wire::limits::MAX_LINE_BYTES;

/// The most bytes one message may hold: as many as a line may have (the
/// state machine judges its characters, as for a TCP line).
pub const MAX_MESSAGE_BYTES: usize = MAX_LINE_BYTES;

/// Messages read from one socket before other connections get a turn.
const READ_BUDGET: usize = 256;

/// One WebSocket connection's protocol state.
pub struct WsLink {
    ctx: WebSocketContext,
    /// Who is at the other end, for the log.
    pub peer: Box<str>,
}

fn config() -> WebSocketConfig {
    WebSocketConfig::default()
        // Allocated whole for every connection: small, as lines are.
        .read_buffer_size(4 * 1024)
        .write_buffer_size(16 * 1024)
        // Past this, the queue waits in the send queue, where the state
        // machine counts it (§8).
        .max_write_buffer_size(64 * 1024)
        .max_message_size(Some(MAX_MESSAGE_BYTES))
        .max_frame_size(Some(MAX_MESSAGE_BYTES))
}

impl WsLink {
    /// A connection whose upgrade was answered; `part` is what the client
    /// sent after its request head.
    pub fn new(part: Vec<u8>, peer: String) -> Self {
        Self {
            ctx: WebSocketContext::from_partially_read(part, Role::Server, Some(config())),
            peer: peer.into(),
        }
    }

    /// Reads what the socket has: each text or binary message is handed to
    /// `input` as one line, newline added. Pings are answered (tungstenite
    /// queues the pong; it goes out with the next flush, done here).
    pub fn read(&mut self, socket: &TcpStream, input: impl FnMut(&[u8])) -> ReadEnd {
        let mut socket = socket;
        self.read_from(&mut socket, input)
    }

    /// [`read`](Self::read) from any byte stream (TLS over the socket for
    /// `wss`).
    pub fn read_from(
        &mut self,
        socket: &mut (impl io::Read + io::Write),
        mut input: impl FnMut(&[u8]),
    ) -> ReadEnd {
        for _ in 0..READ_BUDGET {
            match self.ctx.read(socket) {
                Ok(Message::Text(text)) => {
                    input(text.as_bytes());
                    input(b"\n");
                }
                // The bytes as a line: the state machine answers them as it
                // would the same line over TCP (bad UTF-8 and all).
                Ok(Message::Binary(bytes)) => {
                    input(&bytes);
                    input(b"\n");
                }
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                // Their close: tungstenite answers it; the connection ends
                // once the answer is out.
                Ok(Message::Close(_)) => {}
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(WsError::ConnectionClosed | WsError::AlreadyClosed) => return ReadEnd::Closed,
                Err(WsError::Capacity(CapacityError::MessageTooLong { .. })) => {
                    return self.fail(
                        socket,
                        CloseCode::Size,
                        "a message holds one line: at most 1024 characters",
                    );
                }
                Err(WsError::Utf8(_)) => {
                    return self.fail(socket, CloseCode::Invalid, "a text message must be UTF-8");
                }
                Err(e) => {
                    log::debug!("WebSocket {} failed: {e}", self.peer);
                    return self.fail(socket, CloseCode::Protocol, "not the WebSocket protocol");
                }
            }
        }
        // A pong, or the answer to their close, waiting to go out.
        match self.ctx.flush(socket) {
            Ok(()) => ReadEnd::Open,
            Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => ReadEnd::Open,
            Err(WsError::ConnectionClosed) => ReadEnd::Closed,
            Err(_) => ReadEnd::Closed,
        }
    }

    /// Closes with `code` and `why` (best effort: the socket is shut next).
    fn fail(
        &mut self,
        socket: &mut (impl io::Read + io::Write),
        code: CloseCode,
        why: &'static str,
    ) -> ReadEnd {
        log::info!("WebSocket {} closed: {why}", self.peer);
        let frame = CloseFrame {
            code,
            reason: Utf8Bytes::from_static(why),
        };
        let _ = self.ctx.close(socket, Some(frame));
        let _ = self.ctx.flush(socket);
        ReadEnd::Closed
    }

    /// Moves queued lines into text messages, and messages onto the socket,
    /// until the socket is full or nothing is left.
    pub fn write(&mut self, socket: &TcpStream, queue: &mut SendQueue) -> io::Result<Written> {
        let mut socket = socket;
        self.write_to(&mut socket, queue)
    }

    /// [`write`](Self::write) to any byte stream.
    pub fn write_to(
        &mut self,
        socket: &mut (impl io::Read + io::Write),
        queue: &mut SendQueue,
    ) -> io::Result<Written> {
        let mut taken = 0;
        while let Some(line) = queue.front_line() {
            let len = line.len();
            let message = text_of(line.clone());
            match self.ctx.write(socket, message) {
                Ok(()) => {}
                // Buffered, to go when the socket takes more.
                Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    queue.pop_line();
                    return Ok(Written {
                        taken: taken + len,
                        socket_full: true,
                    });
                }
                // Not taken: it stays queued.
                Err(WsError::WriteBufferFull(_)) => {
                    return Ok(Written {
                        taken,
                        socket_full: true,
                    });
                }
                Err(e) => return Err(io::Error::other(e.to_string())),
            }
            queue.pop_line();
            taken += len;
        }
        match self.ctx.flush(socket) {
            Ok(()) => Ok(Written {
                taken,
                socket_full: false,
            }),
            Err(WsError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => Ok(Written {
                taken,
                socket_full: true,
            }),
            Err(e) => Err(io::Error::other(e.to_string())),
        }
    }

    /// A close frame saying the server goes away (shutting down).
    pub fn close(&mut self, socket: &mut (impl io::Read + io::Write)) {
        let frame = CloseFrame {
            code: CloseCode::Away,
            reason: Utf8Bytes::from_static("the server is closing the connection"),
        };
        let _ = self.ctx.close(socket, Some(frame));
        let _ = self.ctx.flush(socket);
    }
}

/// A WebSocket over TLS (`wss`): the WebSocket reads and writes the
/// plain bytes of a TLS connection over the nonblocking socket.
pub struct TlsWsLink {
    pub tls: rustls::ServerConnection,
    pub ws: WsLink,
}

impl TlsWsLink {
    pub fn read(&mut self, socket: &TcpStream, input: impl FnMut(&[u8])) -> ReadEnd {
        let mut socket = socket;
        let mut stream = rustls::Stream::new(&mut self.tls, &mut socket);
        self.ws.read_from(&mut stream, input)
    }

    pub fn write(&mut self, socket: &TcpStream, queue: &mut SendQueue) -> io::Result<Written> {
        let mut socket = socket;
        let mut stream = rustls::Stream::new(&mut self.tls, &mut socket);
        self.ws.write_to(&mut stream, queue)
    }

    pub fn close(&mut self, socket: &TcpStream) {
        let mut socket = socket;
        {
            let mut stream = rustls::Stream::new(&mut self.tls, &mut socket);
            self.ws.close(&mut stream);
        }
        self.tls.send_close_notify();
        let _ = self.tls.write_tls(&mut socket);
    }
}

/// A line of the state machine (UTF-8, ending in a newline) as a text
/// message without the newline.
fn text_of(line: Bytes) -> Message {
    let body = line.slice(..line.len().saturating_sub(1));
    match Utf8Bytes::try_from(body) {
        Ok(text) => Message::Text(text),
        // The state machine sends UTF-8 only; should it not, the bytes go.
        Err(_) => Message::Binary(line),
    }
}
