//! Attacks by volume: room churn, a member that never reads in a busy
//! room, and connections opened and dropped by the thousand.

use std::time::{Duration, Instant};

use futures_lite::AsyncWriteExt;
use mchat_core::wire::Message;

use super::Plan;
use super::case::Attacked;
use super::conversation::{Failure, client, closed_within, connect, expect_bleed};
use super::probe::ROOM;
use crate::human;
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
    let (mut loud, _l) = client(&plan.server, "loud", Some(ROOM)).await?;
    let line = wire::msg_line("loud", ROOM, "y".repeat(900))?;
    let burst = line.repeat(64);
    // More than the kernel's socket buffers can hide (MiBs on loopback).
    for _ in 0..256 {
        loud.write_all(&burst).await?;
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
