//! Attacks by what a client says: lines dribbled, endless, not UTF-8,
//! malformed or not allowed, and errors never read.

use std::time::Duration;

use futures_lite::AsyncWriteExt;
use mchat_core::wire::{ErrorCode, Message};
use smol::Timer;

use super::Plan;
use super::case::Attacked;
use super::conversation::{check_codes, client, error_codes, expect_bleed, refused};
use super::probe::ROOM;
use crate::wire;

/// `HEART\n`, which the server must still answer after the attack.
fn heart() -> bytes::Bytes {
    Message::Heart.encode()
}

pub async fn dribbled_line(plan: &Plan) -> Attacked {
    let (mut s, mut lines) = client(&plan.server, "dribbler", Some(ROOM)).await?;
    let line = wire::msg_line("dribbler", ROOM, "one byte at a time".into())?;
    for b in line.iter() {
        s.write_all(&[*b]).await?;
        Timer::after(Duration::from_millis(25)).await;
    }
    s.write_all(&heart()).await?;
    expect_bleed(&mut lines).await?;
    Ok(format!(
        "a {}-byte line over {} ms, then HEART answered",
        line.len() - 1,
        line.len() * 25
    ))
}

pub async fn ten_megabytes_without_newline(plan: &Plan) -> Attacked {
    let (mut s, mut lines) = client(&plan.server, "flooder", None).await?;
    let chunk = vec![b'z'; 64 * 1024];
    for _ in 0..160 {
        s.write_all(&chunk).await?;
    }
    s.write_all(b"\n").await?;
    s.write_all(&heart()).await?;
    let codes = error_codes(&mut lines, 1).await?;
    check_codes(&codes, &[ErrorCode::TooLong])?;
    expect_bleed(&mut lines).await?;
    Ok("10 MiB answered by one ERROR too-long; connection still usable".into())
}

pub async fn invalid_utf8(plan: &Plan) -> Attacked {
    refused(
        &plan.server,
        "badbytes",
        None,
        b"JOIN \xff\xfe\nNICK \xc3\n\xed\xa0\x80\n",
        &[ErrorCode::BadUtf8; 3],
    )
    .await?;
    Ok("3 invalid lines, 3 ERROR bad-utf8".into())
}

pub async fn control_characters(plan: &Plan) -> Attacked {
    refused(
        &plan.server,
        "ctrl",
        None,
        b"NICK a\x1b[31m\nJOIN r\x07\nNICK \x7f\n",
        &[ErrorCode::BadNick, ErrorCode::BadRoom, ErrorCode::BadNick],
    )
    .await?;
    Ok("escape, bell and DEL refused as bad-nick/bad-room".into())
}

pub async fn malformed_lines(plan: &Plan) -> Attacked {
    use ErrorCode::{Malformed, UnknownCommand};
    let cases: [(&[u8], ErrorCode); 14] = [
        (b"MSG malformed m", Malformed),
        (b"MSG", Malformed),
        (b"MSG  malformed m x", Malformed),
        (b"JOIN", Malformed),
        (b"JOIN a b", Malformed),
        (b"PART", Malformed),
        (b"NICK", Malformed),
        (b"NICK a b", Malformed),
        (b"HEART now", Malformed),
        (b"", Malformed),
        (b"SYSTEM m fake", UnknownCommand),
        (b"ALL_ADDRS 127.0.0.1 1", UnknownCommand),
        (b"MY_ADDR 127.0.0.1 1", UnknownCommand),
        (b"msg malformed m lower case", UnknownCommand),
    ];
    let mut input = Vec::new();
    for (line, _) in &cases {
        input.extend_from_slice(line);
        input.push(b'\n');
    }
    let want: Vec<ErrorCode> = cases.iter().map(|(_, code)| *code).collect();
    refused(&plan.server, "malformed", Some("m"), &input, &want).await?;
    Ok(format!(
        "{} malformed lines, each answered with its code",
        cases.len()
    ))
}

pub async fn unallowed_actions(plan: &Plan) -> Attacked {
    let mut input = wire::join_line("r")?.to_vec();
    input.extend_from_slice(&wire::part_line("elsewhere")?);
    input.extend_from_slice(&wire::msg_line("rude", "elsewhere", "hi".into())?);
    refused(
        &plan.server,
        "rude",
        Some("r"),
        &input,
        &[
            ErrorCode::AlreadyJoined,
            ErrorCode::NotJoined,
            ErrorCode::NotJoined,
        ],
    )
    .await?;
    Ok("JOIN twice, PART and MSG of an unjoined room refused".into())
}

pub async fn many_errors_unread(plan: &Plan) -> Attacked {
    let (mut s, _) = client(&plan.server, "deaf", None).await?;
    let junk = b"bogus\n".repeat(100_000);
    // The server may well close it midway: that is a pass too.
    let _ = s.write_all(&junk).await;
    Ok("100,000 refused lines whose ERRORs are never read".into())
}
