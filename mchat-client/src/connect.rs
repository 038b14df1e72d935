//! Opening the connection to a server, and saying plainly why it failed.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use futures_lite::{AsyncRead, AsyncWrite, future};
use futures_rustls::TlsConnector;
use rustls::pki_types::ServerName;
use smol::Timer;
use smol::net::TcpStream;

/// A connection to a server, plain or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin {}
impl<T: AsyncRead + AsyncWrite + Unpin> Stream for T {}

/// How `connect tls://` checks servers: the CA certificates of `--ca`, or
/// the system's roots (`mchat-trust`).
pub struct Trust {
    config: Arc<rustls::ClientConfig>,
}

impl Trust {
    /// From `--ca`'s file, or the system's store when `None`.
    pub fn load(ca: Option<&Path>) -> Result<Trust, mchat_trust::TrustError> {
        Ok(Trust {
            config: mchat_trust::client_config(ca)?,
        })
    }
}

/// Connects as [`open`] does, then runs TLS over it, checking the server's
/// certificate for `host`.
pub async fn open_tls(host: &str, port: u16, trust: &Trust) -> io::Result<Box<dyn Stream>> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    let stream = open(host, port).await?;
    let handshake = TlsConnector::from(trust.config.clone()).connect(name, stream);
    let timeout = async {
        Timer::after(CONNECT_TIMEOUT).await;
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "TLS handshake timed out",
        ))
    };
    let tls = future::or(handshake, timeout).await?;
    Ok(Box::new(tls))
}

/// How long a connect may take before it counts as failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Connects to `host` (a DNS name or an IP literal) on `port`, within
/// [`CONNECT_TIMEOUT`]; the stream sends each line at once.
pub async fn open(host: &str, port: u16) -> io::Result<TcpStream> {
    let attempt = TcpStream::connect((host, port));
    let timeout = async {
        Timer::after(CONNECT_TIMEOUT).await;
        Err(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
    };
    let stream = future::or(attempt, timeout).await?;
    // Lines are small and each one matters now: no Nagle delay.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// The error in words for the user: the system's message without the
/// `(os error N)` that std appends to it.
pub fn reason(error: &io::Error) -> String {
    let text = error.to_string();
    match error.raw_os_error() {
        Some(code) => text
            .strip_suffix(&format!(" (os error {code})"))
            .map_or_else(|| text.clone(), str::to_owned),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn an_os_error_loses_its_number() {
        const ECONNREFUSED: i32 = 111;
        let refused = io::Error::from_raw_os_error(ECONNREFUSED);
        assert!(
            refused.to_string().ends_with(" (os error 111)"),
            "{refused}"
        );
        assert_eq!(reason(&refused), "Connection refused");
    }

    #[test]
    fn other_errors_are_kept_whole() {
        let kind = io::Error::from(io::ErrorKind::ConnectionRefused);
        assert_eq!(reason(&kind), kind.to_string());
        let custom = io::Error::new(io::ErrorKind::TimedOut, "timed out (os error 1)");
        assert_eq!(reason(&custom), "timed out (os error 1)");
    }
}
