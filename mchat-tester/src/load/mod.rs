//! `mchat-tester load`: chat traffic through one or more servers, measured.
//!
//! Receivers and senders go round-robin over the rooms; which server each
//! uses is `placement.rs`'s business. With `--spawn-mesh` it starts the
//! servers itself (`spawn.rs`) and counts what their peer links carry.
//! Every line carries its sender, sequence number and send time, so each
//! receiver counts deliveries, gaps, duplicates or reorderings, and latency.

mod carrying;
mod clients;
mod figures;
mod links;
mod placement;
mod progress;
mod report_every;
mod send;
mod spawn;
mod stamp;
mod tally;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mchat_core::wire::{ChatLine, Text};
use smol::{LocalExecutor, Timer};

use crate::connect::{Failures, Targets};
use crate::report::Report;
use crate::stats;
use crate::wire::{self, LineError};
use clients::{join, read_buffer, room, room_index};
use placement::{Placement, Seats};
use send::Sender;
pub use spawn::{MeshError, Spawn, SpawnedMesh};
use stamp::Stamp;
use tally::{Role, Tally};

/// What to run.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Client addresses of the servers (given, or those of `spawn`'s mesh).
    pub servers: Vec<String>,
    /// The mesh to start first, instead of given servers.
    pub spawn: Option<Spawn>,
    /// Servers each room's receivers are spread over (`placement.rs`).
    pub spread: Option<usize>,
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
    /// The servers' pids, to report their CPU time and memory.
    pub pids: Vec<u32>,
    /// `--report-every`: a line per interval while the run lasts.
    pub report_every: Option<Duration>,
    /// The report is JSON (interval lines then go to stderr).
    pub json: bool,
    /// `--tls`: every client runs TLS, checking servers with these roots.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// `--ws`: every client speaks WebSocket to the servers' `--ws` listeners.
    pub ws: bool,
}

/// Why a load run has nothing to report.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("load: none of {tried} clients could connect and join; the first failure: {first}")]
    NothingConnected { tried: u64, first: std::io::Error },
    #[error("load: --text-size {text_size} makes lines the server must refuse: {why}")]
    LineTooLong { text_size: usize, why: LineError },
    #[error("load: --spawn-mesh: {0}")]
    Mesh(#[from] MeshError),
}

/// The filler that brings a line's text to about `text_size` bytes.
fn pad(text_size: usize) -> String {
    "x".repeat(text_size.saturating_sub(24))
}

/// Fails unless the longest line of the plan fits the protocol's limit:
/// the last sender's, in the last room, with the widest numbers.
fn check_lines_fit(plan: &Plan) -> Result<(), LoadError> {
    let widest = Stamp {
        sender: plan.senders.saturating_sub(1),
        seq: u64::MAX,
        micros: u64::MAX,
    };
    let last = plan.senders.saturating_sub(1);
    let fits = || -> Result<(), LineError> {
        let text = Text::new(widest.text(&pad(plan.text_size))).map_err(LineError::Text)?;
        let nick = wire::nick(&format!("s{last}"))?;
        let room = wire::room(&room(last, plan.rooms))?;
        ChatLine::new(nick, room, text)?;
        Ok(())
    };
    fits().map_err(|why| LoadError::LineTooLong {
        text_size: plan.text_size,
        why,
    })
}

pub fn run(plan: &Plan) -> Result<Report, LoadError> {
    check_lines_fit(plan)?;
    let Some(spawn) = &plan.spawn else {
        return drive(plan, None);
    };
    // Dropped at the end of the run, which stops its servers.
    let mesh = SpawnedMesh::start(spawn)?;
    let plan = Plan {
        servers: mesh.client_addrs(),
        pids: mesh.pids(),
        ..plan.clone()
    };
    drive(&plan, Some(&mesh))
}

fn drive(plan: &Plan, mesh: Option<&SpawnedMesh>) -> Result<Report, LoadError> {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(run_on(&ex, plan, mesh)))
}

async fn run_on(
    ex: &LocalExecutor<'_>,
    plan: &Plan,
    mesh: Option<&SpawnedMesh>,
) -> Result<Report, LoadError> {
    let cpu_before: Vec<Option<f64>> = plan.pids.iter().map(|&p| stats::cpu_seconds(p)).collect();
    let tally = Rc::new(Tally::new(plan));
    let targets = Targets::resolve(&plan.servers, plan.tls.as_ref(), plan.ws).await;
    let placement = Placement::new(plan.servers.len(), plan.rooms, plan.spread);
    let mut seats = Seats::new(plan.servers.len());
    let mut failures = Failures::default();
    // Receivers first, so every line sent has its audience.
    let mut readers = Vec::new();
    for r in 0..plan.receivers {
        let room = room(r, plan.rooms);
        let nick = format!("r{r}");
        let server = placement.receiver(r);
        let seat = (server, seats.take(server));
        match join(&targets, seat, &nick, &room, read_buffer(plan.receivers)).await {
            Ok((_writer, mut lines)) => {
                let tally = tally.clone();
                let plan_rooms = plan.rooms;
                let role = if r < plan.rooms {
                    Role::Pacer
                } else {
                    Role::Audience
                };
                readers.push(ex.spawn(async move {
                    let _ = lines
                        .for_each_timed(|line, at| tally.receive(r, role, line, at))
                        .await;
                    // Only reached if the server closed it: readers still
                    // running at the end are dropped, not run to here.
                    tally.disconnected.set(tally.disconnected.get() + 1);
                    if let Role::Pacer = role {
                        tally.pacer_gone(room_index(r, plan_rooms), plan_rooms);
                    }
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
    let pad: Rc<str> = pad(plan.text_size).into();
    let start = Instant::now();
    // The load's share of the peer links' traffic is what they carry from
    // here (the senders' joins included) until its last line arrived.
    let peer_before = mesh.map(|m| m.traffic().snapshot());
    let sent = Rc::new(Cell::new(0u64));
    let mut writers = Vec::new();
    let mut senders_gone = Vec::new();
    for s in 0..plan.senders {
        let room_name = room(s, plan.rooms);
        let nick_name = format!("s{s}");
        let server = placement.sender(s);
        let seat = (server, seats.take(server));
        let (writer, mut lines) = match join(&targets, seat, &nick_name, &room_name, 64 << 10).await
        {
            Ok(joined) => joined,
            Err(e) => {
                failures.note(e);
                continue;
            }
        };
        // Checked with the plan, so these hold.
        let (Ok(nick), Ok(room)) = (wire::nick(&nick_name), wire::room(&room_name)) else {
            continue;
        };
        // A sender reads too (others' lines, HEART) so it never stalls;
        // the end of what it reads is the end of its connection.
        let gone = Rc::new(Cell::new(false));
        let reading_gone = gone.clone();
        ex.spawn(async move {
            let _ = lines.for_each(|_| {}).await;
            reading_gone.set(true);
        })
        .detach();
        senders_gone.push(gone.clone());
        let sender = Sender {
            index: s,
            nick,
            room,
            writer,
            plan: plan.clone(),
            pad: pad.clone(),
            tally: tally.clone(),
            sent: sent.clone(),
            start,
            gone,
        };
        writers.push((s, ex.spawn(sender.run())));
    }
    if readers.is_empty()
        && writers.is_empty()
        && let Some(first) = failures.first.take()
    {
        return Err(LoadError::NothingConnected {
            tried: failures.count,
            first,
        });
    }
    // Interval lines, or else the progress bar (the two would interleave).
    let every = plan
        .report_every
        .map(|every| report_every::spawn(ex, plan, every, plan.json, &tally, start));
    let progress = match every {
        Some(_) => None,
        None => progress::spawn(ex, plan, &tally, &sent, start),
    };
    let mut expected = 0;
    for (s, writer) in writers {
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
    let peer = mesh.zip(peer_before).map(|(m, before)| figures::Peer {
        carried: m.traffic().snapshot().since(before),
        links: m.links(),
    });
    drop(readers);
    drop(every);
    if progress.is_some() {
        eprintln!();
    }
    drop(progress);
    let counts = figures::Counts {
        sent: sent.get(),
        send_secs,
        expected,
        connection_failures: failures.count,
        senders_disconnected: senders_gone.iter().filter(|g| g.get()).count() as u64,
        cpu_before,
        peer,
    };
    Ok(figures::report(plan, &tally, &counts, start))
}
