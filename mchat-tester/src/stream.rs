//! A tester client's connection, plain, TLS (`--tls`) or WebSocket
//! (`--ws`, one text message a line): [`Lines`] reads
//! it, and a [`Writer`] writes to it, shared by whoever sends on it (a
//! load's sender, the reader's `HEART` answers), one whole write at a time
//! so that a `BLEED` never lands inside a batch.
//!
//! [`Lines`]: crate::lines::Lines

use std::io::{self, Read};
use std::sync::Arc;
use std::time::Duration;

use async_tungstenite::tungstenite::{Error as WsError, Message};
use async_tungstenite::{WebSocketReceiver, WebSocketSender};
use futures_lite::io::{ReadHalf, WriteHalf};
use futures_lite::{AsyncReadExt, AsyncWriteExt, StreamExt, future};
use futures_rustls::TlsConnector;
use futures_rustls::client::TlsStream;
use rustls::pki_types::ServerName;
use smol::net::TcpStream;
use smol::{Async, Timer};

/// How long a TLS handshake may take before the connect counts as failed.
const HANDSHAKE_WITHIN: Duration = Duration::from_secs(10);

/// One connection, split into its two directions.
pub struct Conn {
    pub reader: Reader,
    pub writer: Writer,
}

/// The reading direction of a [`Conn`].
pub enum Reader {
    /// The socket itself, read without the async wrapper's extra `EAGAIN`
    /// read: after a short read (`drained`) it waits before reading again.
    Plain {
        source: Arc<Async<std::net::TcpStream>>,
        drained: bool,
    },
    Tls(ReadHalf<TlsStream<TcpStream>>),
    /// Messages as lines: each message's text, a newline after it.
    Ws {
        messages: WebSocketReceiver<TcpStream>,
        pending: Vec<u8>,
        at: usize,
    },
}

/// The writing direction of a [`Conn`]; clones write to the same one.
#[derive(Clone)]
pub struct Writer(Arc<async_lock::Mutex<WriteSide>>);

enum WriteSide {
    Plain(TcpStream),
    Tls(WriteHalf<TlsStream<TcpStream>>),
    Ws(WebSocketSender<TcpStream>),
}

/// Upgrades `stream` to a WebSocket at `ws://{server}/ws` (the server's
/// `--ws` listener), within [`HANDSHAKE_WITHIN`].
pub async fn ws_handshake(stream: TcpStream, server: &str) -> io::Result<Conn> {
    let url = format!("ws://{server}/ws");
    let handshake = async {
        async_tungstenite::client_async(url.as_str(), stream)
            .await
            .map_err(|e| io::Error::other(format!("WebSocket upgrade: {e}")))
    };
    let timeout = async {
        Timer::after(HANDSHAKE_WITHIN).await;
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the WebSocket upgrade did not finish",
        ))
    };
    let (ws, _) = future::or(handshake, timeout).await?;
    let (sender, messages) = ws.split();
    Ok(Conn {
        reader: Reader::Ws {
            messages,
            pending: Vec::new(),
            at: 0,
        },
        writer: Writer(Arc::new(async_lock::Mutex::new(WriteSide::Ws(sender)))),
    })
}

impl From<TcpStream> for Conn {
    fn from(stream: TcpStream) -> Conn {
        Conn {
            reader: Reader::Plain {
                source: stream.clone().into(),
                drained: false,
            },
            writer: Writer(Arc::new(async_lock::Mutex::new(WriteSide::Plain(stream)))),
        }
    }
}

/// How the tester's TLS clients check a server: the roots of `--ca` or the
/// system's, and the name the server's certificate must bear.
#[derive(Clone)]
pub struct TlsClient {
    config: Arc<rustls::ClientConfig>,
    name: ServerName<'static>,
}

impl TlsClient {
    /// Checks a server addressed as `host` (an IP literal or a DNS name,
    /// IPv6 with or without brackets) against `config`'s roots.
    pub fn new(config: Arc<rustls::ClientConfig>, host: &str) -> Result<TlsClient, String> {
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(bare.to_owned())
            .map_err(|e| format!("'{host}' cannot name a TLS server: {e}"))?;
        Ok(TlsClient { config, name })
    }

    /// The first flight of a handshake with the server: its ClientHello
    /// records, for an attack to send in part.
    pub fn client_hello(&self) -> Result<Vec<u8>, rustls::Error> {
        let mut conn = rustls::ClientConnection::new(self.config.clone(), self.name.clone())?;
        let mut hello = Vec::new();
        while conn.wants_write() {
            // Writing into a Vec does not fail.
            if conn.write_tls(&mut hello).is_err() {
                break;
            }
        }
        Ok(hello)
    }

    /// Runs the TLS handshake over `stream`, within [`HANDSHAKE_WITHIN`].
    pub async fn handshake(&self, stream: TcpStream) -> io::Result<Conn> {
        let connector = TlsConnector::from(self.config.clone());
        let handshake = connector.connect(self.name.clone(), stream);
        let timeout = async {
            Timer::after(HANDSHAKE_WITHIN).await;
            Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the TLS handshake did not finish",
            ))
        };
        let tls = future::or(handshake, timeout).await?;
        let (reader, writer) = futures_lite::io::split(tls);
        Ok(Conn {
            reader: Reader::Tls(reader),
            writer: Writer(Arc::new(async_lock::Mutex::new(WriteSide::Tls(writer)))),
        })
    }
}

impl Reader {
    /// Reads what there is into `buf`, waiting for something; `Ok(0)` at
    /// the end of the stream.
    pub async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Reader::Plain { source, drained } => loop {
                if *drained {
                    source.readable().await?;
                }
                match source.get_ref().read(buf) {
                    Ok(n) => {
                        *drained = n < buf.len();
                        return Ok(n);
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => *drained = true,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            },
            Reader::Tls(tls) => tls.read(buf).await,
            Reader::Ws {
                messages,
                pending,
                at,
            } => {
                while *at >= pending.len() {
                    let message = match messages.next().await {
                        None => return Ok(0),
                        Some(Ok(message)) => message,
                        Some(Err(WsError::ConnectionClosed | WsError::AlreadyClosed)) => {
                            return Ok(0);
                        }
                        Some(Err(e)) => return Err(io::Error::other(e.to_string())),
                    };
                    let bytes: &[u8] = match &message {
                        Message::Text(text) => text.as_bytes(),
                        Message::Binary(bytes) => bytes,
                        Message::Close(_) => return Ok(0),
                        _ => continue,
                    };
                    pending.clear();
                    pending.extend_from_slice(bytes);
                    pending.push(b'\n');
                    *at = 0;
                }
                let rest = pending.get(*at..).unwrap_or_default();
                let n = rest.len().min(buf.len());
                if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
                    to.copy_from_slice(from);
                }
                *at += n;
                Ok(n)
            }
        }
    }
}

impl Writer {
    /// Writes all of `bytes` (through TLS: and flushes the records out).
    pub async fn send(&self, bytes: &[u8]) -> io::Result<()> {
        let mut side = self.0.lock().await;
        match &mut *side {
            WriteSide::Plain(stream) => stream.write_all(bytes).await,
            WriteSide::Tls(tls) => {
                tls.write_all(bytes).await?;
                tls.flush().await
            }
            // One message a line, without its newline.
            WriteSide::Ws(ws) => {
                for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                    let text = String::from_utf8_lossy(line).into_owned();
                    ws.send(Message::text(text))
                        .await
                        .map_err(|e| io::Error::other(e.to_string()))?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TlsClient;

    #[test]
    fn a_server_is_named_by_its_ip_or_dns_name() {
        let config = mchat_trust::client_config(None).unwrap();
        assert!(TlsClient::new(config.clone(), "127.0.0.1").is_ok());
        assert!(TlsClient::new(config.clone(), "[::1]").is_ok());
        assert!(TlsClient::new(config.clone(), "chat.example.org").is_ok());
        let err = TlsClient::new(config, "not a name").err().unwrap();
        assert!(err.contains("'not a name'"), "{err}");
    }
}
