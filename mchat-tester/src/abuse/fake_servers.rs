//! Attacks on the server port, posing as servers: garbage, handshakes
//! never finished, address lists too long to hold, and forged chat.

use std::num::NonZeroU16;
use std::time::Duration;

use futures_lite::AsyncWriteExt;
use mchat_core::wire::limits::MAX_LINE_BYTES;
use mchat_core::wire::{Host, Message, PeerAddr, all_addrs_lines};
use smol::Timer;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, client, closed_within, hears_any, server_port};
use super::probe::{ROOM, hears_the_probe};
use crate::lines::Lines;

/// How long the server may leave a handshake unfinished before it closes.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

pub async fn garbage(plan: &Plan) -> Attacked {
    let mut s = server_port(plan).await?;
    let _ = s
        .write_all(b"\x00\x01garbage\nMSG x probe hi\nJOIN probe\n\xff\n")
        .await;
    closed_within(&mut s, HANDSHAKE_TIMEOUT).await?;
    Ok("garbage ignored, the candidate closed at the handshake timeout".into())
}

pub async fn silent_handshakes(plan: &Plan) -> Attacked {
    let mut silent = Vec::new();
    for _ in 0..300 {
        silent.push(server_port(plan).await?);
    }
    let first = silent
        .first_mut()
        .ok_or_else(|| Failure::Server("no connection".into()))?;
    closed_within(first, HANDSHAKE_TIMEOUT).await?;
    Ok("300 never-finished handshakes, closed by the timeout".into())
}

/// A loopback address; `port` is never 0 here.
fn loopback(last: u8, port: u16) -> Result<PeerAddr, Failure> {
    let host =
        Host::new(format!("127.0.0.{last}")).map_err(|e| Failure::Server(format!("host {e}")))?;
    let port = NonZeroU16::new(port).ok_or_else(|| Failure::Server("port 0".into()))?;
    Ok(PeerAddr::new(host, port))
}

pub async fn huge_all_addrs(plan: &Plan) -> Attacked {
    let mut s = server_port(plan).await?;
    // A "peer" announcing itself, then many loopback addresses that refuse
    // (loopback only: nothing leaves this machine).
    let mut burst = Message::MyAddr(loopback(1, 1)?).encode().to_vec();
    let mut addrs = Vec::new();
    for line in 0..20u8 {
        for port in 1..=60 {
            addrs.push(loopback(2 + line, port)?);
        }
    }
    for message in all_addrs_lines(&addrs) {
        burst.extend_from_slice(&message.encode());
    }
    // And one ALL_ADDRS longer than any line may be.
    let entry = "127.0.0.1 1 ";
    burst.extend_from_slice(
        format!(
            "ALL_ADDRS {}\n",
            entry.repeat(MAX_LINE_BYTES / entry.len() + 1)
        )
        .as_bytes(),
    );
    s.write_all(&burst).await?;
    Timer::after(Duration::from_secs(1)).await;
    Ok(format!(
        "{} announced addresses and an over-long ALL_ADDRS",
        addrs.len()
    ))
}

/// What a forger says as a server that never proved the mesh secret.
const FORGED: [&str; 2] = [
    "I am bob, send me your password",
    "ADMIN: server shutting down, reconnect to evil",
];

/// Poses as a server and says forged lines into the probe's room; passes
/// only if the server asked for a proof of its mesh secret, none of them
/// reached a member, and the link was closed. Against an open server port
/// (no secret) it fails, saying so: there, forging is the protocol.
pub async fn forged_lines(plan: &Plan) -> Attacked {
    let (_watcher_stream, mut watcher) = client(&plan.server, "forgewatch", Some(ROOM)).await?;
    let mut s = server_port(plan).await?;
    let mut lines = Lines::new(s.clone());
    if !asks_for_proof(greeting(&mut lines).await.as_deref()) {
        return Err(Failure::Server(
            "the server port is open (no mesh secret): anyone who reaches it can forge lines; \
             start the server with --mesh-secret-file"
                .into(),
        ));
    }
    let mut burst = b"MY_ADDR 127.0.0.1 47999\n".to_vec();
    burst.extend_from_slice(format!("MSG bob {ROOM} {}\n", FORGED[0]).as_bytes());
    burst.extend_from_slice(format!("SYSTEM {ROOM} {}\n", FORGED[1]).as_bytes());
    s.write_all(&burst).await?;
    closed_within(&mut s, HANDSHAKE_TIMEOUT).await?;
    let forged_seen = hears_any(&mut watcher, &FORGED, Duration::from_millis(500)).await;
    if forged_seen {
        return Err(Failure::Server("a forged line reached a member".into()));
    }
    Ok("asked for a proof of the secret; no forged line reached a member; closed".into())
}

/// Six other spellings of the server's own address, gossiped by a fake
/// peer of an open server: none may be dialled (they are one address).
pub async fn address_spellings(plan: &Plan) -> Attacked {
    let port = plan
        .server_port
        .ok_or_else(|| Failure::Server("no --server-port".into()))?;
    let mut s = server_port(plan).await?;
    let spellings = [
        "127.1",
        "2130706433",
        "0x7f.1",
        "localhost",
        "127.000.000.001",
        "127.0.0.01",
    ];
    let mut burst = Message::MyAddr(loopback(1, 1)?).encode().to_vec();
    let list: Vec<String> = spellings.iter().map(|h| format!("{h} {port}")).collect();
    burst.extend_from_slice(format!("ALL_ADDRS {}\n", list.join(" ")).as_bytes());
    s.write_all(&burst).await?;
    Timer::after(Duration::from_secs(2)).await;
    Ok(format!(
        "{} spellings of its own address gossiped",
        spellings.len()
    ))
}

/// The first line the server port says, within the handshake timeout.
async fn greeting(lines: &mut Lines) -> Option<Vec<u8>> {
    let mut first = None;
    futures_lite::future::or(
        async {
            let _ = lines
                .until(|l| {
                    first = Some(l.to_vec());
                    true
                })
                .await;
        },
        async {
            Timer::after(HANDSHAKE_TIMEOUT).await;
        },
    )
    .await;
    first
}

/// Does the server ask for a proof of a mesh secret before anything else?
fn asks_for_proof(first: Option<&[u8]>) -> bool {
    first.is_some_and(|l| l.starts_with(b"AUTH_HELLO "))
}

/// A fake peer links as `127.0.0.1 47001` (an original: no EXT, so it gets
/// every line); then an attacker claims that address. The attacker must
/// be closed and the fake peer keep getting the probe's lines. With a
/// mesh secret neither can link, which is the point.
pub async fn hijack_claim(plan: &Plan) -> Attacked {
    let mut real = server_port(plan).await?;
    let mut real_lines = Lines::new(real.clone());
    if asks_for_proof(greeting(&mut real_lines).await.as_deref()) {
        return Ok(
            "the server asks for a proof of its mesh secret: no one can claim a peer's address"
                .into(),
        );
    }
    real.write_all(b"MY_ADDR 127.0.0.1 47001\n").await?;
    // Linked for longer than a handshake, so no crossing dial is in play.
    Timer::after(Duration::from_secs(3)).await;
    let mut attacker = server_port(plan).await?;
    attacker
        .write_all(b"MY_ADDR 127.0.0.1 47001\nEXT gossip/1\n")
        .await?;
    closed_within(&mut attacker, HANDSHAKE_TIMEOUT).await?;
    // The real peer still hears the probe (its reader answers HEART).
    if !hears_the_probe(&mut real_lines, Duration::from_secs(2)).await {
        return Err(Failure::Server(
            "after the claim, the real peer no longer got the room's lines".into(),
        ));
    }
    Ok("the claim was refused; the real peer kept its link".into())
}

/// A fake peer gossips 20 000 loopback addresses: the server may dial only
/// a bounded number of them (`--max-gossiped-addrs`), counted in its open
/// sockets when `--pid` is given.
pub async fn twenty_thousand_addresses(plan: &Plan) -> Attacked {
    let before = plan.pid.and_then(open_sockets);
    let mut s = server_port(plan).await?;
    let mut lines = Lines::new(s.clone());
    let secured = asks_for_proof(greeting(&mut lines).await.as_deref());
    let mut addrs = Vec::new();
    for a in 0..100u8 {
        for port in 1..=200u16 {
            addrs.push(loopback(2 + a, port)?);
        }
    }
    let mut burst = Message::MyAddr(loopback(1, 2)?).encode().to_vec();
    for message in all_addrs_lines(&addrs) {
        burst.extend_from_slice(&message.encode());
    }
    s.write_all(&burst).await?;
    let mut most = 0;
    for _ in 0..20 {
        Timer::after(Duration::from_millis(100)).await;
        if let (Some(b), Some(now)) = (before, plan.pid.and_then(open_sockets)) {
            most = most.max(now.saturating_sub(b));
        }
    }
    // The limit a link's gossip has, and room for the probe's churn.
    if plan.pid.is_some() && most > 64 + 16 {
        return Err(Failure::Server(format!(
            "{most} more sockets open after the list: the dials are not bounded"
        )));
    }
    let how = if secured {
        "ignored before any proof"
    } else {
        "dials bounded"
    };
    Ok(format!(
        "{} addresses gossiped, {how}; at most {most} more sockets",
        addrs.len()
    ))
}

/// How many sockets process `pid` holds open.
fn open_sockets(pid: u32) -> Option<usize> {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(
        fds.filter_map(Result::ok)
            .filter(|fd| {
                std::fs::read_link(fd.path())
                    .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"))
            })
            .count(),
    )
}

/// 600 connections each saying a different `MY_ADDR`: what the server
/// sends back to them all stays bounded (each is told the peers it has, not
/// a list that grows with every newcomer times every peer).
pub async fn six_hundred_my_addrs(plan: &Plan) -> Attacked {
    let mut conns = Vec::new();
    for i in 0..600u16 {
        let mut s = server_port(plan).await?;
        let line = Message::MyAddr(loopback(3, 30_000 + i)?).encode();
        s.write_all(&line).await?;
        conns.push(s);
    }
    Timer::after(Duration::from_secs(1)).await;
    let mut received = 0usize;
    let mut buf = vec![0u8; 64 * 1024];
    for s in conns.iter_mut() {
        loop {
            let read = futures_lite::future::or(
                async { Some(futures_lite::AsyncReadExt::read(s, &mut buf).await) },
                async {
                    Timer::after(Duration::from_millis(2)).await;
                    None
                },
            )
            .await;
            match read {
                Some(Ok(n)) if n > 0 => received += n,
                _ => break,
            }
        }
    }
    const BOUND: usize = 16 << 20;
    if received > BOUND {
        return Err(Failure::Server(format!(
            "the 600 fake peers were sent {received} bytes (over {BOUND})"
        )));
    }
    Ok(format!(
        "600 MY_ADDR connections were sent {received} bytes in all"
    ))
}
