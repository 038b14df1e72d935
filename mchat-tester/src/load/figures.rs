//! The figures of a load run, in the order of its table and JSON (whose
//! field names scripts read: keep them).

use super::Plan;
use super::tally::Tally;
use crate::mesh::Carried;
use crate::report::Report;
use crate::stats;

/// What the run counted besides the tally.
pub struct Counts {
    pub sent: u64,
    pub send_secs: f64,
    pub expected: u64,
    pub connection_failures: u64,
    /// Senders whose connection ended before the run did.
    pub senders_disconnected: u64,
    /// Each server's CPU seconds when the run began, in the order of
    /// `plan.pids`.
    pub cpu_before: Vec<Option<f64>>,
    /// What the peer links carried, when the tester spawned the mesh.
    pub peer: Option<Peer>,
}

/// The spawned mesh's share of a run.
pub struct Peer {
    /// Both directions of every link, heartbeats and gossip included.
    pub carried: Carried,
    pub links: usize,
}

pub fn report(plan: &Plan, tally: &Tally, counts: &Counts, since: std::time::Instant) -> Report {
    let delivered = tally.delivered.get();
    let duplicated = tally.duplicated.get();
    let span = tally
        .last_delivery
        .get()
        .saturating_duration_since(since)
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
        .num("sent", counts.sent as f64)
        .num(
            "sent_per_s",
            counts.sent as f64 / counts.send_secs.max(1e-9),
        )
        .num("expected", counts.expected as f64)
        .num("delivered", delivered as f64)
        .num("deliveries_per_s", delivered as f64 / span)
        .num(
            "lost",
            counts
                .expected
                .saturating_sub(delivered - duplicated.min(delivered)) as f64,
        )
        .num("duplicated", duplicated as f64)
        .num("out_of_order", tally.out_of_order.get() as f64)
        .num("latency_p50_ms", pct(0.5))
        .num("latency_p90_ms", pct(0.9))
        .num("latency_p99_ms", pct(0.99))
        .num("latency_p999_ms", pct(0.999))
        .num("latency_max_ms", hist.max() as f64 / 1000.0)
        .num("receivers_disconnected", tally.disconnected.get() as f64)
        .num("senders_disconnected", counts.senders_disconnected as f64)
        .num("connection_failures", counts.connection_failures as f64);
    if let Some(k) = plan.spread {
        report.num("room_spread", k.min(plan.servers.len()) as f64);
    }
    if let Some(peer) = &counts.peer {
        let per_delivery = |n: u64| n as f64 / delivered.max(1) as f64;
        report
            .num("mesh_servers", plan.servers.len() as f64)
            .num("peer_links", peer.links as f64)
            .num("peer_link_bytes", peer.carried.bytes as f64)
            .num("peer_link_lines", peer.carried.lines as f64)
            .num("peer_bytes_per_delivery", per_delivery(peer.carried.bytes))
            .num("peer_lines_per_delivery", per_delivery(peer.carried.lines));
    }
    if !plan.pids.is_empty() {
        servers_cpu_and_memory(&mut report, plan, counts);
    }
    report
}

/// `server_cpu_s` and `server_rss_kib`, summed over the servers, each when
/// every server's could be read.
fn servers_cpu_and_memory(report: &mut Report, plan: &Plan, counts: &Counts) {
    let cpu: Option<f64> = plan
        .pids
        .iter()
        .zip(&counts.cpu_before)
        .map(|(&pid, before)| Some(stats::cpu_seconds(pid)? - (*before)?))
        .sum();
    if let Some(cpu) = cpu {
        report.num("server_cpu_s", cpu);
    }
    let rss: Option<u64> = plan.pids.iter().map(|&pid| stats::rss_kib(pid)).sum();
    if let Some(rss) = rss {
        report.num("server_rss_kib", rss as f64);
    }
}
