//! `mchat-tester idle`: many clients that join rooms and only answer
//! heartbeats; what they cost the server, and whether they stay.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use smol::{LocalExecutor, Timer};

use crate::connect::{Failures, Targets};
use crate::lines::Lines;
use crate::report::Report;
use crate::stats;
use crate::wire;

/// Connects (with their TLS handshakes and joins) under way at once.
const CONNECTS_IN_FLIGHT: usize = 64;

#[derive(Clone, Debug)]
pub struct Plan {
    pub servers: Vec<String>,
    pub clients: usize,
    pub rooms: usize,
    pub hold: Duration,
    pub pid: Option<u32>,
    /// `--tls`: every client runs TLS, checking servers with these roots.
    pub tls: Option<Arc<rustls::ClientConfig>>,
    /// `--ws`: every client speaks WebSocket to the servers' `--ws` listeners.
    pub ws: bool,
}

/// Why an idle run has nothing to report.
#[derive(Debug, thiserror::Error)]
pub enum IdleError {
    #[error("idle: none of {tried} clients could connect; the first failure: {first}")]
    NothingConnected { tried: u64, first: std::io::Error },
}

pub fn run(plan: &Plan) -> Result<Report, IdleError> {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(run_on(&ex, plan)))
}

async fn run_on(ex: &LocalExecutor<'_>, plan: &Plan) -> Result<Report, IdleError> {
    let rss_before = plan.pid.and_then(stats::rss_kib);
    let cpu_before = plan.pid.and_then(stats::cpu_seconds);
    let alive = Rc::new(Cell::new(0usize));
    let failures = Rc::new(RefCell::new(Failures::default()));
    let targets = Rc::new(Targets::resolve(&plan.servers, plan.tls.as_ref(), plan.ws).await);
    // Connects (and TLS handshakes) overlap, as a crowd's would, so the
    // rate measured is the server's and not one round trip's.
    let in_flight = Arc::new(async_lock::Semaphore::new(CONNECTS_IN_FLIGHT));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..plan.clients {
        let room = format!("idle{}", i % plan.rooms.max(1));
        let permit = in_flight.acquire_arc().await;
        let (alive, failures, targets) = (alive.clone(), failures.clone(), targets.clone());
        tasks.push(ex.spawn(async move {
            let attempt = async {
                let hello = wire::hello(&format!("i{i}"), &room).map_err(std::io::Error::other)?;
                let conn = targets.connect(i).await?;
                conn.writer.send(&hello).await?;
                Ok::<_, std::io::Error>(conn)
            };
            let conn = match attempt.await {
                Ok(conn) => conn,
                Err(e) => {
                    failures.borrow_mut().note(e);
                    return;
                }
            };
            alive.set(alive.get() + 1);
            drop(permit);
            // Answers HEART; everything else is read and dropped.
            let _ = Lines::with_capacity(conn, 2048).for_each(|_| {}).await;
            alive.set(alive.get() - 1);
        }));
    }
    // Each task gives its permit back once connected (or failed): with
    // every permit back, every connect is done.
    let mut permits = Vec::with_capacity(CONNECTS_IN_FLIGHT);
    for _ in 0..CONNECTS_IN_FLIGHT {
        permits.push(in_flight.acquire_arc().await);
    }
    drop(permits);
    let connect_secs = started.elapsed().as_secs_f64();
    let at_start = alive.get();
    let failures = failures.take();
    if at_start == 0
        && let Some(first) = failures.first
    {
        return Err(IdleError::NothingConnected {
            tried: failures.count,
            first,
        });
    }
    // Let the joins settle before measuring memory.
    Timer::after(Duration::from_millis(500)).await;
    let rss_loaded = plan.pid.and_then(stats::rss_kib);
    Timer::after(plan.hold).await;
    let rss_after = plan.pid.and_then(stats::rss_kib);
    let cpu_after = plan.pid.and_then(stats::cpu_seconds);
    let mut report = Report::new("idle");
    report
        .num("clients", plan.clients as f64)
        .num("connected", at_start as f64)
        .num("connection_failures", failures.count as f64)
        .num("connect_s", connect_secs)
        .num("connects_per_s", at_start as f64 / connect_secs.max(1e-9))
        .num("hold_s", plan.hold.as_secs_f64())
        .num("still_connected", alive.get() as f64);
    if let (Some(before), Some(loaded), Some(after)) = (rss_before, rss_loaded, rss_after) {
        report
            .num("server_rss_before_kib", before as f64)
            .num("server_rss_loaded_kib", loaded as f64)
            .num("server_rss_after_kib", after as f64)
            .num(
                "bytes_per_client",
                (loaded.saturating_sub(before) * 1024) as f64 / at_start.max(1) as f64,
            );
    }
    if let (Some(before), Some(after)) = (cpu_before, cpu_after) {
        // Connecting and holding: mostly heartbeats, one HEART and one BLEED
        // per client every interval.
        report.num("server_cpu_s", after - before);
    }
    drop(tasks);
    Ok(report)
}
