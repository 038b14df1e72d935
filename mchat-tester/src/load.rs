//! `mchat-tester load`: chat traffic through one or more servers, measured.
//!
//! Receivers are spread over the servers, receivers and senders over the
//! rooms, round-robin; senders all use the first server.
//! Every line carries its sender, sequence number and send time, so each
//! receiver counts deliveries, gaps, duplicates or reorderings, and latency.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::{AsyncWriteExt, future};
use hdrhistogram::Histogram;
use smol::net::TcpStream;
use smol::{LocalExecutor, Timer};

use crate::connect::{Failures, Targets};
use crate::lines::Lines;
use crate::order::{Order, Seen};
use crate::report::Report;
use crate::stats;

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    pub servers: Vec<String>,
    pub receivers: usize,
    pub senders: usize,
    pub rooms: usize,
    /// Lines per sender; with `duration`, the most.
    pub messages: u64,
    pub duration: Option<Duration>,
    /// Lines per second per sender; 0 sends as fast as the window allows.
    pub rate: f64,
    /// Lines a sender may have ahead of its room's first receiver.
    pub window: u64,
    pub text_size: usize,
    pub pid: Option<u32>,
}

/// What every receiver adds up.
struct Tally {
    start: Instant,
    delivered: Cell<u64>,
    duplicated: Cell<u64>,
    out_of_order: Cell<u64>,
    /// Receivers whose connection closed during the run.
    disconnected: Cell<u64>,
    last_delivery: Cell<Instant>,
    latency: RefCell<Histogram<u64>>,
    /// Per receiver, per sender: the sequence numbers seen.
    seen: RefCell<Vec<Vec<Seen>>>,
    /// Per sender: the highest sequence number its room's first receiver saw.
    acked: Vec<Cell<u64>>,
    progress: event_listener::Event,
}

fn room(i: usize, rooms: usize) -> String {
    format!("load{}", i % rooms.max(1))
}

/// `MSG <nick> <room> <sender> <seq> <micros> …` → (sender, seq, micros).
/// By hand, byte by byte: at millions of lines a second the tester must
/// cost less than the server it measures.
fn decode(line: &[u8]) -> Option<(usize, u64, u64)> {
    let mut rest = line.strip_prefix(b"MSG ")?;
    for _ in 0..2 {
        let space = memchr::memchr(b' ', rest)?;
        rest = rest.get(space + 1..)?;
    }
    let mut number = || -> Option<u64> {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (field, tail) = rest.split_at_checked(digits)?;
        rest = tail.strip_prefix(b" ").unwrap_or(tail);
        (1..=19)
            .contains(&digits)
            .then(|| field.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
    };
    Some((usize::try_from(number()?).ok()?, number()?, number()?))
}

/// Read buffer of each of `receivers`: 64 KiB for the fan-out runs, less
/// when there are so many that 64 KiB each would not fit in memory (the
/// buffer still grows for a longer line).
fn read_buffer(receivers: usize) -> usize {
    (256 << 20) / receivers.max(1)
}

/// Connects as client `i` of `targets`, names itself and joins `room`,
/// waiting for its own notice.
async fn join(
    targets: &Targets,
    i: usize,
    nick: &str,
    room: &str,
    buffer: usize,
) -> std::io::Result<(TcpStream, Lines)> {
    let mut stream = targets.connect(i).await?;
    stream.set_nodelay(true)?;
    stream
        .write_all(format!("NICK {nick}\nJOIN {room}\n").as_bytes())
        .await?;
    let mut lines = Lines::with_capacity(stream.clone(), buffer.clamp(4 << 10, 64 << 10));
    let want = format!("SYSTEM {room} {nick} joined channel");
    let mut joined = false;
    let wait = async {
        let _ = lines
            .until(|line| {
                joined |= line == want.as_bytes();
                joined
            })
            .await;
    };
    future::or(wait, async {
        Timer::after(Duration::from_secs(10)).await;
    })
    .await;
    if !joined {
        return Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("{nick} never saw its join"),
        ));
    }
    Ok((stream, lines))
}

/// Not one client could connect and join: there is nothing to measure.
#[derive(Debug, thiserror::Error)]
#[error("load: none of {tried} clients could connect and join; the first failure: {first}")]
pub struct NothingConnected {
    tried: u64,
    first: std::io::Error,
}

pub fn run(plan: &Plan) -> Result<Report, NothingConnected> {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(run_on(&ex, plan)))
}

async fn run_on(ex: &LocalExecutor<'_>, plan: &Plan) -> Result<Report, NothingConnected> {
    let cpu_before = plan.pid.and_then(stats::cpu_seconds);
    let tally = Rc::new(Tally {
        start: Instant::now(),
        delivered: Cell::new(0),
        duplicated: Cell::new(0),
        out_of_order: Cell::new(0),
        disconnected: Cell::new(0),
        last_delivery: Cell::new(Instant::now()),
        latency: RefCell::new(latency_histogram()),
        seen: RefCell::new(vec![vec![Seen::default(); plan.senders]; plan.receivers]),
        acked: (0..plan.senders).map(|_| Cell::new(0)).collect(),
        progress: event_listener::Event::new(),
    });
    let targets = Targets::resolve(&plan.servers).await;
    let mut failures = Failures::default();
    // Receivers first, so every line sent has its audience.
    let mut readers = Vec::new();
    for r in 0..plan.receivers {
        let room = room(r, plan.rooms);
        match join(
            &targets,
            r,
            &format!("r{r}"),
            &room,
            read_buffer(plan.receivers),
        )
        .await
        {
            Ok((_stream, mut lines)) => {
                let tally = tally.clone();
                let first_in_room = r < plan.rooms;
                readers.push(ex.spawn(async move {
                    let _ = lines
                        .for_each_timed(|line, at| receive(&tally, r, first_in_room, line, at))
                        .await;
                    // Only reached if the server closed it: readers still
                    // running at the end are dropped, not run to here.
                    tally.disconnected.set(tally.disconnected.get() + 1);
                }));
            }
            Err(e) => failures.note(e),
        }
    }
    let mut audience = vec![0u64; plan.rooms.max(1)];
    for r in 0..plan.receivers {
        if let Some(n) = audience.get_mut(r % plan.rooms.max(1)) {
            *n += 1;
        }
    }
    let text_pad = "x".repeat(plan.text_size.saturating_sub(24));
    let start = Instant::now();
    let sent = Rc::new(Cell::new(0u64));
    let mut writers = Vec::new();
    for s in 0..plan.senders {
        let room = room(s, plan.rooms);
        // Senders all use the first server; receivers are spread over all.
        let (stream, mut lines) = match join(&targets, 0, &format!("s{s}"), &room, 64 << 10).await {
            Ok(joined) => joined,
            Err(e) => {
                failures.note(e);
                continue;
            }
        };
        // A sender reads too (others' lines, HEART) so it never stalls.
        ex.spawn(async move {
            let _ = lines.for_each(|_| {}).await;
        })
        .detach();
        let (tally, sent, plan, pad) =
            (tally.clone(), sent.clone(), plan.clone(), text_pad.clone());
        writers.push(
            ex.spawn(
                async move { send(stream, s, &room, &plan, &pad, &tally, &sent, start).await },
            ),
        );
    }
    if readers.is_empty()
        && writers.is_empty()
        && let Some(first) = failures.first.take()
    {
        return Err(NothingConnected {
            tried: failures.count,
            first,
        });
    }
    // A progress bar on a terminal, for long runs.
    let progress = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let (tally, sent, plan) = (tally.clone(), sent.clone(), plan.clone());
        let total = (plan.senders as u64).saturating_mul(plan.messages);
        ex.spawn(async move {
            let mut last = (Instant::now(), 0u64);
            loop {
                Timer::after(Duration::from_millis(500)).await;
                let delivered = tally.delivered.get();
                let rate = (delivered - last.1) as f64 / last.0.elapsed().as_secs_f64();
                last = (Instant::now(), delivered);
                // The share of the run done: by time with --duration,
                // else by lines sent.
                let done = match plan.duration {
                    Some(d) => start.elapsed().as_secs_f64() / d.as_secs_f64().max(1e-9),
                    None => sent.get() as f64 / total.max(1) as f64,
                };
                eprint!(
                    "\r  {}  sent {:>10}  delivered {:>12}  {:>10.0} deliveries/s ",
                    bar(done),
                    sent.get(),
                    delivered,
                    rate
                );
            }
        })
    });
    let mut expected = 0;
    for (s, writer) in writers.into_iter().enumerate() {
        let lines = writer.await;
        expected += lines * audience.get(s % plan.rooms.max(1)).copied().unwrap_or(0);
    }
    let send_secs = start.elapsed().as_secs_f64();
    // Let the last lines arrive: until everything did, or nothing more does.
    let mut last = tally.delivered.get();
    loop {
        Timer::after(Duration::from_millis(500)).await;
        let now = tally.delivered.get();
        if now >= expected || now == last {
            break;
        }
        last = now;
    }
    drop(readers);
    if progress.is_some() {
        eprintln!();
    }
    drop(progress);
    let delivered = tally.delivered.get();
    let duplicated = tally.duplicated.get();
    let span = tally
        .last_delivery
        .get()
        .saturating_duration_since(start)
        .as_secs_f64()
        .max(1e-9);
    let hist = tally.latency.borrow();
    let pct = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    let mut report = Report::new("load");
    report
        .num("servers", plan.servers.len() as f64)
        .num("receivers", plan.receivers as f64)
        .num("senders", plan.senders as f64)
        .num("rooms", plan.rooms as f64)
        .num("text_bytes", plan.text_size as f64)
        .num("sent", sent.get() as f64)
        .num("sent_per_s", sent.get() as f64 / send_secs.max(1e-9))
        .num("expected", expected as f64)
        .num("delivered", delivered as f64)
        .num("deliveries_per_s", delivered as f64 / span)
        .num(
            "lost",
            expected.saturating_sub(delivered - duplicated.min(delivered)) as f64,
        )
        .num("duplicated", duplicated as f64)
        .num("out_of_order", tally.out_of_order.get() as f64)
        .num("latency_p50_ms", pct(0.5))
        .num("latency_p90_ms", pct(0.9))
        .num("latency_p99_ms", pct(0.99))
        .num("latency_p999_ms", pct(0.999))
        .num("latency_max_ms", hist.max() as f64 / 1000.0)
        .num("receivers_disconnected", tally.disconnected.get() as f64)
        .num("connection_failures", failures.count as f64);
    if let Some(pid) = plan.pid {
        if let (Some(before), Some(after)) = (cpu_before, stats::cpu_seconds(pid)) {
            report.num("server_cpu_s", after - before);
        }
        if let Some(rss) = stats::rss_kib(pid) {
            report.num("server_rss_kib", rss as f64);
        }
    }
    Ok(report)
}

/// `[#######.............]  35 %` for a share between 0 and 1.
fn bar(done: f64) -> String {
    const WIDTH: usize = 20;
    let done = done.clamp(0.0, 1.0);
    let filled = (done * WIDTH as f64).round() as usize;
    format!(
        "[{}{}] {:>3.0} %",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled.min(WIDTH)),
        done * 100.0
    )
}

/// Latency in microseconds, 1 µs to 60 s, three significant digits.
#[allow(clippy::expect_used)] // constant bounds, which hdrhistogram accepts
fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("1 µs to 60 s at 3 digits is valid")
}

fn receive(tally: &Tally, receiver: usize, first_in_room: bool, line: &[u8], now: Instant) {
    let Some((sender, seq, micros)) = decode(line) else {
        return;
    };
    tally.delivered.set(tally.delivered.get() + 1);
    tally.last_delivery.set(now);
    let sent_at = Duration::from_micros(micros);
    let latency = now
        .saturating_duration_since(tally.start + sent_at)
        .as_micros() as u64;
    let _ = tally.latency.borrow_mut().record(latency.max(1));
    let order = tally
        .seen
        .borrow_mut()
        .get_mut(receiver)
        .and_then(|v| v.get_mut(sender))
        .map(|seen| seen.note(seq));
    match order {
        Some(Order::Duplicate) => tally.duplicated.set(tally.duplicated.get() + 1),
        Some(Order::Late) => tally.out_of_order.set(tally.out_of_order.get() + 1),
        Some(Order::Next) | None => {}
    }
    if first_in_room && let Some(acked) = tally.acked.get(sender) {
        acked.set(acked.get().max(seq));
        tally.progress.notify(usize::MAX);
    }
}

/// One sender's loop; returns the lines it sent.
#[allow(clippy::too_many_arguments)]
async fn send(
    mut stream: TcpStream,
    s: usize,
    room: &str,
    plan: &Plan,
    pad: &str,
    tally: &Tally,
    sent: &Cell<u64>,
    start: Instant,
) -> u64 {
    let mut batch = Vec::with_capacity(64 * 1024);
    let mut seq = 0u64;
    let deadline = plan.duration.map(|d| start + d);
    while seq < plan.messages && deadline.is_none_or(|d| Instant::now() < d) {
        if plan.rate > 0.0 {
            let due = start + Duration::from_secs_f64(seq as f64 / plan.rate);
            if due > Instant::now() {
                flush(&mut stream, &mut batch).await;
                Timer::at(due).await;
            }
        }
        while plan.window > 0 && seq >= tally.acked.get(s).map_or(0, Cell::get) + plan.window {
            flush(&mut stream, &mut batch).await;
            let listener = tally.progress.listen();
            if seq < tally.acked.get(s).map_or(0, Cell::get) + plan.window {
                break;
            }
            future::or(listener, async {
                Timer::after(Duration::from_millis(200)).await;
            })
            .await;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                break;
            }
        }
        seq += 1;
        let micros =
            start.saturating_duration_since(tally.start).as_micros() + start.elapsed().as_micros();
        batch.extend_from_slice(format!("MSG s{s} {room} {s} {seq} {micros} {pad}\n").as_bytes());
        if batch.len() >= 32 * 1024 {
            flush(&mut stream, &mut batch).await;
        }
        sent.set(sent.get() + 1);
    }
    flush(&mut stream, &mut batch).await;
    seq
}

async fn flush(stream: &mut TcpStream, batch: &mut Vec<u8>) {
    if !batch.is_empty() {
        let _ = stream.write_all(batch).await;
        batch.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::{bar, decode};

    #[test]
    fn progress_bar_fills_with_the_share_done() {
        assert_eq!(bar(0.0), "[....................]   0 %");
        assert_eq!(bar(0.35), "[#######.............]  35 %");
        assert_eq!(bar(1.0), "[####################] 100 %");
        // Past the end (a late last line) stays full.
        assert_eq!(bar(1.7), "[####################] 100 %");
    }

    #[test]
    fn decode_reads_sender_sequence_and_time() {
        assert_eq!(
            decode(b"MSG s3 load1 3 42 1234567 xxxx"),
            Some((3, 42, 1_234_567))
        );
        // The text may be empty, leaving the time last.
        assert_eq!(decode(b"MSG s0 r 0 1 2"), Some((0, 1, 2)));
    }

    #[test]
    fn decode_refuses_what_the_load_did_not_send() {
        for line in [
            &b"SYSTEM load0 r1 joined channel"[..],
            b"MSG s0 load0 x 1 2 pad",
            b"MSG s0 load0 1 -2 3 pad",
            b"MSG s0 load0 1 2",
            b"MSG s0 load0 1 99999999999999999999 3",
            b"MSG s0",
        ] {
            assert_eq!(decode(line), None, "{}", String::from_utf8_lossy(line));
        }
    }
}
