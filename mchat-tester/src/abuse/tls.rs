//! Attacks on the TLS client port (`--tls-port`), and TLS where the server
//! expects plain text: neither side's mistake may hold a slot or reach a
//! room.

use std::time::{Duration, Instant};

use futures_lite::AsyncWriteExt;
use mchat_core::wire::Message;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, closed_within, connect, expect, hears_any};
use super::probe::ROOM;
use crate::connect::host_of;
use crate::human;
use crate::lines::Lines;
use crate::stream::TlsClient;
use crate::wire;

/// Handshakes left stalled at once: under the per-address connect rate's
/// burst (20), so the server's answer is the TLS one, not that limit.
const STALLED: usize = 15;

/// How long a stalled handshake may hold its connection: the server's
/// client heartbeat timeout (8 s by default) and some slack.
const STALL_CLOSED_WITHIN: Duration = Duration::from_secs(15);

/// The `--tls-port` address (on `--server`'s host) and how to check the
/// server there, or a skip.
fn tls_target(plan: &Plan) -> Result<(String, TlsClient), Failure> {
    let tls = plan
        .tls
        .as_ref()
        .ok_or_else(|| Failure::Skip("needs --tls-port".into()))?;
    let host = host_of(&plan.server);
    let client = TlsClient::new(tls.roots.clone(), host).map_err(Failure::Server)?;
    Ok((format!("{host}:{}", tls.port), client))
}

/// A well-behaved TLS client on the TLS port, named `nick`, in `room`.
async fn tls_member(plan: &Plan, nick: &str, room: &str) -> Result<Lines, Failure> {
    let (addr, client) = tls_target(plan)?;
    let conn = client
        .handshake(connect(&addr).await?)
        .await
        .map_err(|e| Failure::Server(format!("a real TLS client on {addr}: {e}")))?;
    conn.writer.send(&wire::hello(nick, room)?).await?;
    let mut lines = Lines::new(conn);
    let want = wire::joined(nick, room)?;
    expect(&mut lines, "the TLS client's join notice", |m| *m == want).await?;
    Ok(lines)
}

/// A client speaking plain text to the TLS port is cut off at its first
/// line, which reaches no room.
pub async fn plain_text_on_tls_port(plan: &Plan) -> Attacked {
    let (addr, _) = tls_target(plan)?;
    let mut watcher = tls_member(plan, "tlswatch", ROOM).await?;
    let mut s = connect(&addr).await?;
    let nick = "plainsneak";
    s.write_all(&wire::hello(nick, ROOM)?).await?;
    s.write_all(&wire::msg_line(nick, ROOM, "in clear".into())?)
        .await?;
    let started = Instant::now();
    closed_within(&mut s, Duration::from_secs(5)).await?;
    let took = started.elapsed();
    if hears_any(&mut watcher, &[nick], Duration::from_millis(500)).await {
        return Err(Failure::Server(format!(
            "plain text on the TLS port reached {ROOM}"
        )));
    }
    Ok(format!(
        "plain text on the TLS port closed in {}, reached no one",
        human::duration(took)
    ))
}

/// A TLS client on the plain port fails its handshake at once; the server
/// does not hold the connection silently.
pub async fn tls_on_plain_port(plan: &Plan) -> Attacked {
    let (_, client) = tls_target(plan)?;
    let started = Instant::now();
    match client.handshake(connect(&plan.server).await?).await {
        Ok(_) => Err(Failure::Server(format!(
            "a TLS handshake succeeded on the plain port {}",
            plan.server
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Err(Failure::Server(format!(
            "the plain port held a TLS handshake without a word for {}",
            human::duration(started.elapsed())
        ))),
        Err(e) => Ok(format!(
            "a TLS client on the plain port failed in {}: {e}",
            human::duration(started.elapsed())
        )),
    }
}

/// Handshakes begun and never finished are closed by the server, and
/// meanwhile a real TLS client joins and chats.
pub async fn stalled_tls_handshakes(plan: &Plan) -> Attacked {
    let (addr, client) = tls_target(plan)?;
    let hello = client
        .client_hello()
        .map_err(|e| Failure::Server(format!("making a ClientHello: {e}")))?;
    let half = hello.get(..hello.len() / 2).unwrap_or_default();
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut s = connect(&addr).await?;
        s.write_all(half).await?;
        stalled.push(s);
    }
    let chat = tls_member(plan, "tlschat", "tlsroom").await?;
    let mut ear = tls_member(plan, "tlsear", "tlsroom").await?;
    chat.writer()
        .send(&wire::msg_line("tlschat", "tlsroom", "still here".into())?)
        .await?;
    expect(
        &mut ear,
        "one TLS client's line at the other",
        |m| matches!(m, Message::Msg(c) if c.text().as_str() == "still here"),
    )
    .await?;
    for (i, s) in stalled.iter_mut().enumerate() {
        let left = STALL_CLOSED_WITHIN.saturating_sub(started.elapsed());
        closed_within(s, left).await.map_err(|e| {
            Failure::Server(format!("stalled handshake {} of {STALLED}: {e}", i + 1))
        })?;
    }
    Ok(format!(
        "{STALLED} stalled TLS handshakes closed within {}; two TLS clients chatted meanwhile",
        human::duration(started.elapsed())
    ))
}
