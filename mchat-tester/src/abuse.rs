//! `mchat-tester abuse`: malicious and buggy clients against a live server,
//! each next to a probe pair that keeps chatting. A case passes when the
//! probe never pauses for more than a second, the server answers as
//! PROTOCOL.md §6 says, and its memory stays bounded.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{AsyncReadExt, AsyncWriteExt, future};
use smol::net::TcpStream;
use smol::{LocalExecutor, Timer};

use crate::lines::Lines;
use crate::stats;

#[derive(Clone, Debug)]
pub struct Plan {
    pub server: String,
    /// The server port, for the cases that pose as servers.
    pub server_port: Option<u16>,
    pub pid: Option<u32>,
    pub max_rss_kib: u64,
    /// Print the cases as one JSON line before the totals.
    pub json: bool,
}

type Outcome = Result<String, String>;

/// Runs every case; prints a line each and the totals; returns the failures.
pub fn run(plan: &Plan) -> usize {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(run_on(&ex, plan)))
}

async fn run_on(ex: &LocalExecutor<'_>, plan: &Plan) -> usize {
    let (mut passed, mut failed) = (0, 0);
    let mut json = Vec::new();
    for name in CASES {
        let result = run_case(ex, plan, name).await;
        let (verdict, detail) = match &result {
            Ok(detail) => ("PASS", detail),
            Err(why) => ("FAIL", why),
        };
        if result.is_ok() {
            passed += 1;
        } else {
            failed += 1;
        }
        if plan.json {
            json.push(format!(
                "{{\"case\": \"{name}\", \"pass\": {}, \"detail\": \"{}\"}}",
                result.is_ok(),
                detail.replace('\\', "\\\\").replace('"', "\\\"")
            ));
        } else {
            println!("{verdict} {name}: {detail}");
        }
    }
    if plan.json {
        println!(
            "{{\"test\": \"abuse\", \"passed\": {passed}, \"failed\": {failed}, \"cases\": [{}]}}",
            json.join(", ")
        );
    }
    println!("{passed} passed, {failed} failed");
    failed
}

const CASES: [&str; 13] = [
    "dribbled-line",
    "ten-megabytes-without-newline",
    "invalid-utf8",
    "control-characters",
    "malformed-lines",
    "unallowed-actions",
    "join-part-storm",
    "slow-reader-in-busy-room",
    "connect-disconnect-storm",
    "server-port-garbage",
    "server-port-silent-handshakes",
    "server-port-huge-all-addrs",
    "many-errors-unread",
];

async fn run_case(ex: &LocalExecutor<'_>, plan: &Plan, name: &str) -> Outcome {
    let probe = Probe::start(ex, &plan.server)
        .await
        .map_err(|e| format!("probe could not start: {e}"))?;
    let peak = Rc::new(Cell::new(0u64));
    let watch = plan.pid.map(|pid| {
        let peak = peak.clone();
        ex.spawn(async move {
            loop {
                peak.set(peak.get().max(stats::rss_kib(pid).unwrap_or(0)));
                Timer::after(Duration::from_millis(50)).await;
            }
        })
    });
    let attack = attack(plan, name).await;
    // Keep the probe going a moment after the attack ends.
    Timer::after(Duration::from_millis(300)).await;
    let gap = probe.stop();
    drop(watch);
    let detail = attack?;
    if gap > Duration::from_secs(1) {
        return Err(format!("the probe paused for {gap:?} ({detail})"));
    }
    if plan.pid.is_some() && peak.get() > plan.max_rss_kib {
        return Err(format!("server RSS reached {} KiB ({detail})", peak.get()));
    }
    let rss = if plan.pid.is_some() {
        format!(", server RSS ≤ {} KiB", peak.get())
    } else {
        String::new()
    };
    Ok(format!("{detail}; probe's longest pause {gap:.0?}{rss}"))
}

/// Two well-behaved clients: one says a line every 20 ms, the other times
/// the gaps between arrivals.
struct Probe {
    longest: Rc<Cell<Duration>>,
    tasks: Vec<smol::Task<()>>,
}

impl Probe {
    async fn start(ex: &LocalExecutor<'_>, server: &str) -> std::io::Result<Self> {
        let (mut talker, _) = client(server, "probetalk", Some("probe")).await?;
        let (_, mut listener) = client(server, "probelisten", Some("probe")).await?;
        let longest = Rc::new(Cell::new(Duration::ZERO));
        let speak = ex.spawn(async move {
            loop {
                if talker
                    .write_all(b"MSG probetalk probe tick\n")
                    .await
                    .is_err()
                {
                    return;
                }
                Timer::after(Duration::from_millis(20)).await;
            }
        });
        let gaps = longest.clone();
        let hear = ex.spawn(async move {
            let mut last = Instant::now();
            let _ = listener
                .for_each(|line| {
                    if line.starts_with(b"MSG probetalk") {
                        gaps.set(gaps.get().max(last.elapsed()));
                        last = Instant::now();
                    }
                })
                .await;
        });
        Ok(Self {
            longest,
            tasks: vec![speak, hear],
        })
    }

    fn stop(self) -> Duration {
        drop(self.tasks);
        self.longest.get()
    }
}

/// A connected client with a nick, in `room` if given (its notice read).
async fn client(
    server: &str,
    nick: &str,
    room: Option<&str>,
) -> std::io::Result<(TcpStream, Lines)> {
    let mut stream = TcpStream::connect(server).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(format!("NICK {nick}\n").as_bytes())
        .await?;
    let mut lines = Lines::new(stream.clone());
    if let Some(room) = room {
        stream
            .write_all(format!("JOIN {room}\n").as_bytes())
            .await?;
        let want = format!("SYSTEM {room} {nick} joined channel");
        expect(&mut lines, |l| l == want.as_bytes())
            .await
            .map_err(std::io::Error::other)?;
    }
    Ok((stream, lines))
}

/// Reads until a line matches, within 5 s.
async fn expect(lines: &mut Lines, mut want: impl FnMut(&[u8]) -> bool) -> Result<(), String> {
    let found = future::or(
        async { lines.until(|l| want(l)).await.unwrap_or(false) },
        async {
            Timer::after(Duration::from_secs(5)).await;
            false
        },
    )
    .await;
    if found {
        Ok(())
    } else {
        Err("the expected answer never came".into())
    }
}

/// The `ERROR` codes among `count` answers (other lines skipped), in order.
async fn error_codes(lines: &mut Lines, count: usize) -> Result<Vec<String>, String> {
    let mut codes = Vec::new();
    while codes.len() < count {
        let mut code = None;
        expect(lines, |l| {
            let hit = l.starts_with(b"ERROR ");
            if hit {
                code = l
                    .split(|&b| b == b' ')
                    .nth(1)
                    .map(|c| String::from_utf8_lossy(c).into_owned());
            }
            hit
        })
        .await
        .map_err(|_| {
            format!(
                "only {} of {count} ERROR answers came: {codes:?}",
                codes.len()
            )
        })?;
        codes.push(code.unwrap_or_default());
    }
    Ok(codes)
}

/// Sends `input` as a client named `nick` (in `room`, if given) and checks
/// that it is answered with exactly the ERROR codes `want`, in order.
async fn refused(
    server: &str,
    nick: &str,
    room: Option<&str>,
    input: &[u8],
    want: &[&str],
) -> Result<(), String> {
    let (mut s, mut lines) = client(server, nick, room)
        .await
        .map_err(|e| e.to_string())?;
    s.write_all(input).await.map_err(|e| e.to_string())?;
    check_codes(&error_codes(&mut lines, want.len()).await?, want)
}

fn check_codes(got: &[String], want: &[&str]) -> Result<(), String> {
    if got.iter().map(String::as_str).eq(want.iter().copied()) {
        Ok(())
    } else {
        Err(format!("expected {want:?}, got {got:?}"))
    }
}

async fn attack(plan: &Plan, name: &str) -> Outcome {
    let server = plan.server.as_str();
    match name {
        "dribbled-line" => {
            let (mut s, mut lines) = client(server, "dribbler", Some("probe"))
                .await
                .map_err(|e| e.to_string())?;
            for b in b"MSG dribbler probe one byte at a time" {
                s.write_all(&[*b]).await.map_err(|e| e.to_string())?;
                Timer::after(Duration::from_millis(25)).await;
            }
            s.write_all(b"\nHEART\n").await.map_err(|e| e.to_string())?;
            expect(&mut lines, |l| l == b"BLEED").await?;
            Ok("a 37-byte line over 1 s, then HEART answered".into())
        }
        "ten-megabytes-without-newline" => {
            let (mut s, mut lines) = client(server, "flooder", None)
                .await
                .map_err(|e| e.to_string())?;
            let chunk = vec![b'z'; 64 * 1024];
            for _ in 0..160 {
                s.write_all(&chunk).await.map_err(|e| e.to_string())?;
            }
            s.write_all(b"\nHEART\n").await.map_err(|e| e.to_string())?;
            let codes = error_codes(&mut lines, 1).await?;
            check_codes(&codes, &["too-long"])?;
            expect(&mut lines, |l| l == b"BLEED").await?;
            Ok("10 MiB answered by one ERROR too-long; connection still usable".into())
        }
        "invalid-utf8" => {
            refused(
                server,
                "badbytes",
                None,
                b"JOIN \xff\xfe\nNICK \xc3\n\xed\xa0\x80\n",
                &["bad-utf8", "bad-utf8", "bad-utf8"],
            )
            .await?;
            Ok("3 invalid lines, 3 ERROR bad-utf8".into())
        }
        "control-characters" => {
            refused(
                server,
                "ctrl",
                None,
                b"NICK a\x1b[31m\nJOIN r\x07\nNICK \x7f\n",
                &["bad-nick", "bad-room", "bad-nick"],
            )
            .await?;
            Ok("escape, bell and DEL refused as bad-nick/bad-room".into())
        }
        "malformed-lines" => {
            let cases: [(&[u8], &str); 14] = [
                (b"MSG malformed m", "malformed"),
                (b"MSG", "malformed"),
                (b"MSG  malformed m x", "malformed"),
                (b"JOIN", "malformed"),
                (b"JOIN a b", "malformed"),
                (b"PART", "malformed"),
                (b"NICK", "malformed"),
                (b"NICK a b", "malformed"),
                (b"HEART now", "malformed"),
                (b"", "malformed"),
                (b"SYSTEM m fake", "unknown-command"),
                (b"ALL_ADDRS 127.0.0.1 1", "unknown-command"),
                (b"MY_ADDR 127.0.0.1 1", "unknown-command"),
                (b"msg malformed m lower case", "unknown-command"),
            ];
            let mut input = Vec::new();
            for (line, _) in &cases {
                input.extend_from_slice(line);
                input.push(b'\n');
            }
            let want: Vec<&str> = cases.iter().map(|(_, c)| *c).collect();
            refused(server, "malformed", Some("m"), &input, &want).await?;
            Ok(format!(
                "{} malformed lines, each answered with its code",
                cases.len()
            ))
        }
        "unallowed-actions" => {
            refused(
                server,
                "rude",
                Some("r"),
                b"JOIN r\nPART elsewhere\nMSG rude elsewhere hi\n",
                &["already-joined", "not-joined", "not-joined"],
            )
            .await?;
            Ok("JOIN twice, PART and MSG of an unjoined room refused".into())
        }
        "join-part-storm" => {
            let (mut s, mut lines) = client(server, "stormy", None)
                .await
                .map_err(|e| e.to_string())?;
            let mut burst = Vec::new();
            for i in 0..5000 {
                burst.extend_from_slice(
                    format!("JOIN storm{}\nPART storm{}\n", i % 50, i % 50).as_bytes(),
                );
            }
            let started = Instant::now();
            s.write_all(&burst).await.map_err(|e| e.to_string())?;
            s.write_all(b"HEART\n").await.map_err(|e| e.to_string())?;
            expect(&mut lines, |l| l == b"BLEED").await?;
            Ok(format!("10,000 JOIN/PART in {:.0?}", started.elapsed()))
        }
        "slow-reader-in-busy-room" => {
            let (mut slow, _) = client(server, "sloth", Some("probe"))
                .await
                .map_err(|e| e.to_string())?;
            let (mut loud, _l) = client(server, "loud", Some("probe"))
                .await
                .map_err(|e| e.to_string())?;
            let line = format!("MSG loud probe {}\n", "y".repeat(900));
            let burst = line.repeat(64);
            // More than the kernel's socket buffers can hide (MiBs on loopback).
            for _ in 0..256 {
                loud.write_all(burst.as_bytes())
                    .await
                    .map_err(|e| e.to_string())?;
            }
            // What it never read is drained now, to reach the server's close.
            closed_within(&mut slow, Duration::from_secs(5))
                .await
                .map_err(|e| format!("the slow reader was {e}"))?;
            Ok("14 MiB into a room where one member never reads; it was disconnected".into())
        }
        "connect-disconnect-storm" => {
            let started = Instant::now();
            for i in 0..2000 {
                let mut s = TcpStream::connect(server)
                    .await
                    .map_err(|e| format!("connect {i}: {e}"))?;
                if i % 2 == 0 {
                    let _ = s.write_all(b"NICK x\nJOIN probe\n").await;
                }
            }
            Ok(format!(
                "2,000 connections opened and dropped in {:.0?}",
                started.elapsed()
            ))
        }
        "server-port-garbage" => {
            let Some(port) = plan.server_port else {
                return Ok("skipped: no --server-port".into());
            };
            let mut s = server_port(server, port).await?;
            let _ = s
                .write_all(b"\x00\x01garbage\nMSG x probe hi\nJOIN probe\n\xff\n")
                .await;
            closed_within(&mut s, Duration::from_secs(5)).await?;
            Ok("garbage ignored, the candidate closed at the handshake timeout".into())
        }
        "server-port-silent-handshakes" => {
            let Some(port) = plan.server_port else {
                return Ok("skipped: no --server-port".into());
            };
            let mut silent = Vec::new();
            for _ in 0..300 {
                silent.push(server_port(server, port).await?);
            }
            let first = silent.first_mut().ok_or("no connection")?;
            closed_within(first, Duration::from_secs(5)).await?;
            Ok("300 never-finished handshakes, closed by the timeout".into())
        }
        "server-port-huge-all-addrs" => {
            let Some(port) = plan.server_port else {
                return Ok("skipped: no --server-port".into());
            };
            let mut s = server_port(server, port).await?;
            // A "peer" announcing itself, then many loopback addresses that
            // refuse (loopback only: nothing leaves this machine).
            let mut burst = b"MY_ADDR 127.0.0.1 1\n".to_vec();
            for line in 0..20 {
                burst.extend_from_slice(b"ALL_ADDRS");
                for i in 0..60 {
                    burst.extend_from_slice(format!(" 127.0.0.{} {}", 2 + line, 1 + i).as_bytes());
                }
                burst.push(b'\n');
            }
            burst.extend_from_slice(
                format!("ALL_ADDRS {}\n", "127.0.0.1 1 ".repeat(400)).as_bytes(),
            );
            s.write_all(&burst).await.map_err(|e| e.to_string())?;
            Timer::after(Duration::from_secs(1)).await;
            Ok("1,200 announced addresses and an over-long ALL_ADDRS".into())
        }
        "many-errors-unread" => {
            let (mut s, _) = client(server, "deaf", None)
                .await
                .map_err(|e| e.to_string())?;
            let junk = b"bogus\n".repeat(100_000);
            let _ = s.write_all(&junk).await;
            Ok("100,000 refused lines whose ERRORs are never read".into())
        }
        other => Err(format!("no case {other}")),
    }
}

async fn server_port(server: &str, port: u16) -> Result<TcpStream, String> {
    let host = server.rsplit_once(':').map_or(server, |(h, _)| h);
    TcpStream::connect((host, port))
        .await
        .map_err(|e| format!("server port: {e}"))
}

/// Waits for the server to close `s`.
async fn closed_within(s: &mut TcpStream, within: Duration) -> Result<(), String> {
    let mut buf = vec![0u8; 64 * 1024];
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        let read = future::or(async { Some(s.read(&mut buf).await) }, async {
            Timer::after(Duration::from_millis(200)).await;
            None
        })
        .await;
        match read {
            Some(Ok(0)) | Some(Err(_)) => return Ok(()),
            _ => {}
        }
    }
    Err(format!("still open after {within:?}"))
}
