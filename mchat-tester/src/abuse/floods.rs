//! Attacks by volume: room churn, a member that never reads in a busy
//! room, and connections opened and dropped by the thousand.

use std::time::{Duration, Instant};

use futures_lite::{AsyncWriteExt, future};
use mchat_core::wire::Message;
use smol::Timer;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, client, closed_within, connect, expect_bleed};
use super::probe::ROOM;
use crate::human;
use crate::lines::Lines;
use crate::wire;

pub async fn join_part_storm(plan: &Plan) -> Attacked {
    let (mut s, mut lines) = client(&plan.server, "stormy", None).await?;
    let mut burst = Vec::new();
    for i in 0..5000 {
        let room = format!("storm{}", i % 50);
        burst.extend_from_slice(&wire::join_line(&room)?);
        burst.extend_from_slice(&wire::part_line(&room)?);
    }
    let started = Instant::now();
    s.write_all(&burst).await?;
    s.write_all(&Message::Heart.encode()).await?;
    expect_bleed(&mut lines).await?;
    Ok(format!(
        "10,000 JOIN/PART in {}",
        human::duration(started.elapsed())
    ))
}

pub async fn slow_reader_in_busy_room(plan: &Plan) -> Attacked {
    let (mut slow, _) = client(&plan.server, "sloth", Some(ROOM)).await?;
    let (mut loud, mut loud_lines) = client(&plan.server, "loud", Some(ROOM)).await?;
    let line = wire::msg_line("loud", ROOM, "y".repeat(900))?;
    let burst = line.repeat(64);
    // More than the kernel's socket buffers can hide (MiBs on loopback).
    for _ in 0..256 {
        // With flood control the server may drop the loud one instead.
        if loud.write_all(&burst).await.is_err() {
            break;
        }
    }
    // A server with flood control refuses the flood, and the one who never
    // reads gets no more than the burst; one without drops the reader.
    if refused_for_flooding(&mut loud_lines).await {
        return Ok(format!(
            "{} MiB sent into a room where one member never reads: the sender was refused (ERROR flood)",
            (burst.len() * 256) >> 20
        ));
    }
    // What it never read is drained now, to reach the server's close.
    closed_within(&mut slow, Duration::from_secs(5))
        .await
        .map_err(|e| Failure::Server(format!("the slow reader was {e}")))?;
    Ok(format!(
        "{} MiB into a room where one member never reads; it was disconnected",
        (burst.len() * 256) >> 20
    ))
}

/// Was the sender told `ERROR flood` (within two seconds of reading)?
async fn refused_for_flooding(lines: &mut Lines) -> bool {
    future::or(
        async {
            lines
                .until(|l| l.starts_with(b"ERROR flood "))
                .await
                .unwrap_or(false)
        },
        async {
            Timer::after(Duration::from_secs(2)).await;
            false
        },
    )
    .await
}

/// One client sends as fast as its socket takes into a room of twenty: the
/// sender must pay (`ERROR flood`), and none of the 19 readers may be
/// dropped as a slow consumer for it. They read only afterwards, so a
/// server that passes the whole flood on overflows their queues.
pub async fn flood_into_a_room_of_twenty(plan: &Plan) -> Attacked {
    const FLOODED: &str = "flooded";
    let mut readers = Vec::new();
    for i in 0..19 {
        readers.push(client(&plan.server, &format!("reader{i}"), Some(FLOODED)).await?);
    }
    let (mut flooder, mut flooder_lines) = client(&plan.server, "flooder", Some(FLOODED)).await?;
    let burst = wire::msg_line("flooder", FLOODED, "z".repeat(900))?.repeat(64);
    let mut sent = 0usize;
    for _ in 0..256 {
        if flooder.write_all(&burst).await.is_err() {
            break;
        }
        sent += burst.len();
    }
    let refused = refused_for_flooding(&mut flooder_lines).await;
    for (i, (stream, lines)) in readers.iter_mut().enumerate() {
        stream.write_all(&Message::Heart.encode()).await?;
        expect_bleed(lines)
            .await
            .map_err(|e| Failure::Server(format!("reader {i} was dropped by the flood ({e})")))?;
    }
    if !refused {
        return Err(Failure::Server(
            "the flooder was never told ERROR flood: the server has no flood control".into(),
        ));
    }
    Ok(format!(
        "{} MiB flooded into a room of 20: the sender was refused, no reader dropped",
        sent >> 20
    ))
}

/// One client asks to join 30 000 rooms at once: it may hold only its
/// share (flood control and the per-client room limit refuse the rest),
/// and another client can still create a room. Whether the hog got into
/// a room it asked for late is asked of the server (`NAMES`), since the
/// hog's own connection may well be closed for not reading its answers.
pub async fn thirty_thousand_joins(plan: &Plan) -> Attacked {
    let (mut hog, _hog_lines) = client(&plan.server, "roomhog", None).await?;
    let mut burst = Vec::new();
    for i in 0..30_000 {
        burst.extend_from_slice(&wire::join_line(&format!("hog{i}"))?);
    }
    // The server may close the hog for flooding or for not reading.
    let _ = hog.write_all(&burst).await;
    let _ = hog.write_all(&Message::Heart.encode()).await;
    Timer::after(Duration::from_millis(500)).await;
    // Its join notice read is the room created.
    let (mut newcomer, mut lines) = client(&plan.server, "newcomer", Some("hog29999"))
        .await
        .map_err(|e| {
            Failure::Server(format!(
                "after the hog, another client could not create a room: {e}"
            ))
        })?;
    newcomer.write_all(b"NAMES hog29999\n").await?;
    let mut members = Vec::new();
    let listed = future::or(
        async {
            lines
                .until(|l| {
                    let line = String::from_utf8_lossy(l);
                    if let Some(nicks) = line.strip_prefix("MEMBERS hog29999 ") {
                        members.extend(nicks.split(' ').map(str::to_owned));
                    }
                    line.starts_with("MEMBERS_END ")
                })
                .await
                .unwrap_or(false)
        },
        async {
            Timer::after(Duration::from_secs(5)).await;
            false
        },
    )
    .await;
    if !listed {
        return Err(Failure::Server("NAMES was not answered".into()));
    }
    if members.iter().any(|m| m == "roomhog") {
        return Err(Failure::Server(
            "the hog got into the 30,000th room it asked for: no per-client limit".into(),
        ));
    }
    Ok(
        "30,000 JOINs from one client: the late ones refused; another client still created a room"
            .into(),
    )
}

/// 500 connections from one address at once: at most the per-address
/// share is kept; the rest are told why (or closed) and the probe, from
/// another address, chats on.
pub async fn five_hundred_from_one_address(plan: &Plan) -> Attacked {
    let mut conns = Vec::new();
    for _ in 0..500 {
        match connect(&plan.server).await {
            Ok(s) => conns.push(s),
            Err(e) => return Err(Failure::Server(format!("connecting: {e}"))),
        }
    }
    // Who is still served: a HEART answered within a second.
    let mut served = 0usize;
    for s in conns.iter_mut() {
        let _ = s.write_all(&Message::Heart.encode()).await;
    }
    for s in conns {
        let mut lines = Lines::new(s);
        let answered = future::or(
            async { lines.until(|l| l == b"BLEED").await.unwrap_or(false) },
            async {
                Timer::after(Duration::from_millis(200)).await;
                false
            },
        )
        .await;
        served += usize::from(answered);
    }
    if served > 100 {
        return Err(Failure::Server(format!(
            "{served} of 500 connections from one address were served: no per-address limit"
        )));
    }
    Ok(format!(
        "500 connections from one address: {served} served, the rest refused"
    ))
}

pub async fn connect_disconnect_storm(plan: &Plan) -> Attacked {
    let hello = wire::hello("x", ROOM)?;
    let started = Instant::now();
    for i in 0..2000 {
        let mut s = connect(&plan.server)
            .await
            .map_err(|e| Failure::Server(format!("connection {i}: {e}")))?;
        if i % 2 == 0 {
            let _ = s.write_all(&hello).await;
        }
    }
    Ok(format!(
        "2,000 connections opened and dropped in {}",
        human::duration(started.elapsed())
    ))
}
