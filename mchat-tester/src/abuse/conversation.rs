//! Talking to the server under attack: connecting as a client or posing as
//! a server, and reading its answers within a deadline.

use std::cell::Cell;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt, future};
use mchat_core::wire::{ErrorCode, Message};
use smol::Timer;
use smol::net::TcpStream;

use super::Plan;
use crate::connect::host_of;
use crate::human;
use crate::lines::Lines;
use crate::wire::{self, LineError};

/// How long an answer may take.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// Why an attack could not be carried out, or the server did not answer
/// as it should.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Line(#[from] LineError),
    /// The server's behaviour, not the tester's, is at fault.
    #[error("{0}")]
    Server(String),
    /// The case cannot be run against this server as the tester was
    /// started (it says what is missing).
    #[error("{0}")]
    Skip(String),
}

thread_local! {
    /// The loopback address connections come from now (see [`speak_from`]).
    static SOURCE: Cell<Option<Ipv4Addr>> = const { Cell::new(None) };
}

/// Makes the connections opened from now on to a loopback server come
/// from `source` (any of 127.0.0.0/8): the probe and each case speak from
/// an address of their own, as different people would, so that the
/// server's per-address limits (§9) throttle an attacker and not the
/// probe or the next case. A server elsewhere sees the tester's address.
pub fn speak_from(source: Ipv4Addr) {
    SOURCE.set(Some(source));
}

/// Connects to `addr`; an error names it.
pub async fn connect(addr: &str) -> Result<TcpStream, Failure> {
    let failed = |source| Failure::Connect {
        addr: addr.to_owned(),
        source,
    };
    let target = smol::net::resolve(addr)
        .await
        .map_err(failed)?
        .first()
        .copied()
        .ok_or_else(|| failed(std::io::ErrorKind::NotFound.into()))?;
    let source = SOURCE
        .get()
        .filter(|_| target.ip().is_loopback() && target.is_ipv4())
        .map(IpAddr::V4);
    crate::connect::connect(target, source)
        .await
        .map_err(failed)
}

/// A connection to the server port of `plan`'s server, posing as a server.
pub async fn server_port(plan: &Plan) -> Result<TcpStream, Failure> {
    let port = plan
        .server_port
        .ok_or_else(|| Failure::Server("no --server-port".into()))?;
    connect(&format!("{}:{port}", host_of(&plan.server))).await
}

/// A connected client with a nick, in `room` if given (its notice read).
pub async fn client(
    server: &str,
    nick: &str,
    room: Option<&str>,
) -> Result<(TcpStream, Lines), Failure> {
    let mut stream = connect(server).await?;
    stream.set_nodelay(true)?;
    stream.write_all(&wire::nick_line(nick)?).await?;
    let mut lines = Lines::new(stream.clone());
    if let Some(room) = room {
        stream.write_all(&wire::join_line(room)?).await?;
        let want = wire::joined(nick, room)?;
        expect(&mut lines, "its join notice", |m| *m == want).await?;
    }
    Ok((stream, lines))
}

/// Reads until a message matches, within [`ANSWER_WITHIN`]; `what` names
/// it for the failure.
pub async fn expect(
    lines: &mut Lines,
    what: &str,
    mut want: impl FnMut(&Message) -> bool,
) -> Result<(), Failure> {
    let found = future::or(
        async {
            lines
                .until(|l| wire::parse(l).is_some_and(|m| want(&m)))
                .await
                .unwrap_or(false)
        },
        async {
            Timer::after(ANSWER_WITHIN).await;
            false
        },
    )
    .await;
    if found {
        Ok(())
    } else {
        Err(Failure::Server(format!(
            "{what} never came (waited {})",
            human::duration(ANSWER_WITHIN)
        )))
    }
}

/// Reads until the `BLEED` that answers a `HEART` sent.
pub async fn expect_bleed(lines: &mut Lines) -> Result<(), Failure> {
    expect(lines, "BLEED", |m| *m == Message::Bleed).await
}

/// The codes of the next `count` `ERROR` answers (other lines skipped), in order.
pub async fn error_codes(lines: &mut Lines, count: usize) -> Result<Vec<ErrorCode>, Failure> {
    let mut codes = Vec::new();
    while codes.len() < count {
        let mut code = None;
        let read = expect(lines, "an ERROR answer", |m| {
            if let Message::Error(reply) = m {
                code = Some(reply.code());
            }
            code.is_some()
        })
        .await;
        match (read, code) {
            (Ok(()), Some(code)) => codes.push(code),
            _ => {
                return Err(Failure::Server(format!(
                    "only {} of {count} ERROR answers came: {}",
                    codes.len(),
                    code_list(&codes)
                )));
            }
        }
    }
    Ok(codes)
}

/// Sends `input` as a client named `nick` (in `room`, if given) and checks
/// that it is answered with exactly the ERROR codes `want`, in order.
pub async fn refused(
    server: &str,
    nick: &str,
    room: Option<&str>,
    input: &[u8],
    want: &[ErrorCode],
) -> Result<(), Failure> {
    let (mut s, mut lines) = client(server, nick, room).await?;
    s.write_all(input).await?;
    check_codes(&error_codes(&mut lines, want.len()).await?, want)
}

pub fn check_codes(got: &[ErrorCode], want: &[ErrorCode]) -> Result<(), Failure> {
    if got == want {
        Ok(())
    } else {
        Err(Failure::Server(format!(
            "expected {}, got {}",
            code_list(want),
            code_list(got)
        )))
    }
}

/// `too-long, bad-utf8`, or `none`.
fn code_list(codes: &[ErrorCode]) -> String {
    if codes.is_empty() {
        return "none".into();
    }
    codes
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Waits for the server to close `s`, reading and dropping what it sends.
pub async fn closed_within(s: &mut TcpStream, within: Duration) -> Result<(), Failure> {
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let read = future::or(async { Some(s.read(&mut buf).await) }, async {
            Timer::after(Duration::from_millis(200)).await;
            None
        })
        .await;
        if let Some(Ok(0) | Err(_)) = read {
            return Ok(());
        }
    }
    Err(Failure::Server(format!(
        "still open after {}",
        human::duration(within)
    )))
}

/// Does any line containing one of `needles` reach `watcher` within
/// `within`? (A forged line must not: the attack cases ask this.)
pub async fn hears_any(watcher: &mut Lines, needles: &[&str], within: Duration) -> bool {
    let mut seen = false;
    future::or(
        async {
            let _ = watcher
                .until(|l| {
                    let line = String::from_utf8_lossy(l);
                    seen |= needles.iter().any(|n| line.contains(n));
                    seen
                })
                .await;
        },
        async {
            Timer::after(within).await;
        },
    )
    .await;
    seen
}

#[cfg(test)]
mod tests {
    use super::check_codes;
    use mchat_core::wire::ErrorCode;

    #[test]
    fn a_code_mismatch_lists_both_sides_in_wire_spelling() {
        let want = [ErrorCode::TooLong, ErrorCode::BadUtf8];
        assert!(check_codes(&want, &want).is_ok());
        let wrong = check_codes(&[ErrorCode::Malformed], &want).unwrap_err();
        assert_eq!(
            wrong.to_string(),
            "expected too-long, bad-utf8, got malformed"
        );
    }
}
