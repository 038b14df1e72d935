//! Opening the connection to a server, and saying plainly why it failed.

use std::io;
use std::time::Duration;

use futures_lite::future;
use smol::Timer;
use smol::net::TcpStream;

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
