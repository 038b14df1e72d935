//! Attacks on the server port, posing as servers: garbage, handshakes
//! never finished, and address lists too long to hold.

use std::num::NonZeroU16;
use std::time::Duration;

use futures_lite::AsyncWriteExt;
use mchat_core::wire::limits::MAX_LINE_BYTES;
use mchat_core::wire::{Host, Message, PeerAddr, all_addrs_lines};
use smol::Timer;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, closed_within, server_port};

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
