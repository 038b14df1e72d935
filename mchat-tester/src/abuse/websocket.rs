//! Attacks on the `--ws` listener (`--ws-port`): a page of another site,
//! frames no browser sends, a frame bigger than any line, and upgrades
//! begun and never finished. None may reach a room, hold a slot for long,
//! or cost memory; real WebSocket clients chat meanwhile.

use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt, future};
use mchat_core::wire::{ErrorCode, Message};
use smol::Timer;
use smol::net::TcpStream;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, closed_within, connect, expect, hears_any};
use super::probe::ROOM;
use crate::connect::host_of;
use crate::human;
use crate::lines::Lines;
use crate::wire;

/// Upgrades left unfinished at once: under the per-address connect rate's
/// burst (20).
const STALLED: usize = 15;

/// The server's 5 s for a request head, and some slack.
const STALL_CLOSED_WITHIN: Duration = Duration::from_secs(8);

/// The `--ws-port` address, on `--server`'s host, or a skip.
fn ws_addr(plan: &Plan) -> Result<String, Failure> {
    let port = plan
        .ws_port
        .ok_or_else(|| Failure::Skip("needs --ws-port".into()))?;
    Ok(format!("{}:{port}", host_of(&plan.server)))
}

/// A well-behaved WebSocket client named `nick` in `room`.
async fn ws_member(plan: &Plan, nick: &str, room: &str) -> Result<Lines, Failure> {
    let addr = ws_addr(plan)?;
    let conn = crate::stream::ws_handshake(connect(&addr).await?, &addr)
        .await
        .map_err(|e| Failure::Server(format!("a real WebSocket client on {addr}: {e}")))?;
    conn.writer.send(&wire::hello(nick, room)?).await?;
    let mut lines = Lines::new(conn);
    let want = wire::joined(nick, room)?;
    expect(&mut lines, "the WebSocket client's join notice", |m| {
        *m == want
    })
    .await?;
    Ok(lines)
}

/// An upgrade request by hand (`origin` if given); returns the connection
/// and the answer's status code.
async fn upgrade(addr: &str, origin: Option<&str>) -> Result<(TcpStream, u16), Failure> {
    let mut s = connect(addr).await?;
    let origin = origin
        .map(|o| format!("Origin: {o}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET /ws HTTP/1.1\r\nHost: {addr}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n{origin}\r\n"
    );
    s.write_all(request.as_bytes()).await?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    let read = async {
        while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
            if s.read(&mut byte).await? == 0 {
                break;
            }
            head.extend_from_slice(&byte);
        }
        Ok::<_, std::io::Error>(())
    };
    future::or(read, async {
        Timer::after(Duration::from_secs(5)).await;
        Ok(())
    })
    .await?;
    let text = String::from_utf8_lossy(&head);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| Failure::Server(format!("no HTTP answer to an upgrade: {text:?}")))?;
    Ok((s, status))
}

/// A client frame: FIN, `opcode`, the payload masked (as clients must)
/// unless `masked` is false.
fn frame(opcode: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let mut out = vec![0x80 | opcode];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        out.extend_from_slice(&key);
        out.extend(payload.iter().zip(key.iter().cycle()).map(|(b, k)| b ^ k));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// The payload of the first frame of type `head` (`0x81` text, `0x88`
/// close) the server sends within 5 s, skipping others (server frames are
/// never masked, and ours are short).
async fn first_frame(s: &mut TcpStream, head: u8) -> Option<Vec<u8>> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        let read = future::or(async { Some(s.read(&mut buf).await) }, async {
            Timer::after(Duration::from_millis(200)).await;
            None
        })
        .await;
        let ended = matches!(read, Some(Ok(0) | Err(_)));
        if let Some(Ok(n)) = read {
            got.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        let mut at = 0;
        while let (Some(&this), Some(&len)) = (got.get(at), got.get(at + 1)) {
            let len = usize::from(len & 0x7f);
            let Some(payload) = got.get(at + 2..at + 2 + len) else {
                break;
            };
            if this == head {
                return Some(payload.to_vec());
            }
            at += 2 + len;
        }
        if ended {
            break;
        }
    }
    None
}

/// The code of the server's close frame, if one comes.
async fn close_code(s: &mut TcpStream) -> Option<u16> {
    let payload = first_frame(s, 0x88).await?;
    Some(u16::from_be_bytes([*payload.first()?, *payload.get(1)?]))
}

/// A page of another site may not open the WebSocket: 403, no upgrade.
pub async fn wrong_origin(plan: &Plan) -> Attacked {
    let addr = ws_addr(plan)?;
    let (mut s, status) = upgrade(&addr, Some("http://evil.example")).await?;
    if status != 403 {
        return Err(Failure::Server(format!(
            "a page of http://evil.example was answered {status}, not 403"
        )));
    }
    closed_within(&mut s, Duration::from_secs(5)).await?;
    let (_, own) = upgrade(&addr, Some(&format!("http://{addr}"))).await?;
    if own != 101 {
        return Err(Failure::Server(format!(
            "the listener's own page was answered {own}"
        )));
    }
    Ok("another site's page refused with 403; the listener's own upgraded".into())
}

/// Frames no browser sends: an unmasked one is closed with 1002 and
/// reaches no room; a binary one of bad UTF-8 is the line it would be
/// over TCP, answered bad-utf8.
pub async fn bad_frames(plan: &Plan) -> Attacked {
    let addr = ws_addr(plan)?;
    let mut watcher = ws_member(plan, "wswatch", ROOM).await?;
    let (mut s, status) = upgrade(&addr, None).await?;
    if status != 101 {
        return Err(Failure::Server(format!("an upgrade was answered {status}")));
    }
    s.write_all(&frame(0x1, b"NICK unmasked", false)).await?;
    s.write_all(&frame(0x1, format!("JOIN {ROOM}").as_bytes(), false))
        .await?;
    let code = close_code(&mut s).await;
    if code != Some(1002) {
        return Err(Failure::Server(format!(
            "an unmasked frame was closed with {code:?}, not 1002"
        )));
    }
    if hears_any(&mut watcher, &["unmasked"], Duration::from_millis(500)).await {
        return Err(Failure::Server(format!("an unmasked frame reached {ROOM}")));
    }
    let (mut raw, status) = upgrade(&addr, None).await?;
    if status != 101 {
        return Err(Failure::Server(format!("an upgrade was answered {status}")));
    }
    raw.write_all(&frame(0x2, b"NICK \xff\xfe", true)).await?;
    let answer = String::from_utf8_lossy(&first_frame(&mut raw, 0x81).await.unwrap_or_default())
        .into_owned();
    if !answer.starts_with(&format!("ERROR {} ", ErrorCode::BadUtf8.as_str())) {
        return Err(Failure::Server(format!(
            "bad UTF-8 in a binary frame was answered {answer:?}"
        )));
    }
    Ok("an unmasked frame closed with 1002 and heard by no one; bad UTF-8 in a binary frame answered bad-utf8".into())
}

/// A frame bigger than any line is closed with 1009 before the server
/// takes it in.
pub async fn huge_frame(plan: &Plan) -> Attacked {
    let addr = ws_addr(plan)?;
    let (mut s, status) = upgrade(&addr, None).await?;
    if status != 101 {
        return Err(Failure::Server(format!("an upgrade was answered {status}")));
    }
    // A header announcing 1 GiB, and the first 64 KiB of it.
    let mut header = vec![0x81, 0x80 | 127];
    header.extend_from_slice(&(1u64 << 30).to_be_bytes());
    header.extend_from_slice(&[1, 2, 3, 4]);
    s.write_all(&header).await?;
    let _ = s.write_all(&vec![b'x'; 64 * 1024]).await;
    let code = close_code(&mut s).await;
    if code != Some(1009) {
        return Err(Failure::Server(format!(
            "a 1 GiB frame was closed with {code:?}, not 1009"
        )));
    }
    Ok("a frame announcing 1 GiB closed with 1009".into())
}

/// Upgrades begun and never finished are closed in the server's time, and
/// meanwhile two WebSocket clients chat.
pub async fn unfinished_upgrades(plan: &Plan) -> Attacked {
    let addr = ws_addr(plan)?;
    let started = Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..STALLED {
        let mut s = connect(&addr).await?;
        s.write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n").await?;
        stalled.push(s);
    }
    let chat = ws_member(plan, "wschat", "wsroom").await?;
    let mut ear = ws_member(plan, "wsear", "wsroom").await?;
    chat.writer()
        .send(&wire::msg_line("wschat", "wsroom", "still here".into())?)
        .await?;
    expect(
        &mut ear,
        "one WebSocket client's line at the other",
        |m| matches!(m, Message::Msg(c) if c.text().as_str() == "still here"),
    )
    .await?;
    for (i, s) in stalled.iter_mut().enumerate() {
        let left = STALL_CLOSED_WITHIN.saturating_sub(started.elapsed());
        closed_within(s, left).await.map_err(|e| {
            Failure::Server(format!("unfinished upgrade {} of {STALLED}: {e}", i + 1))
        })?;
    }
    Ok(format!(
        "{STALLED} unfinished upgrades closed within {}; two WebSocket clients chatted meanwhile",
        human::duration(started.elapsed())
    ))
}
