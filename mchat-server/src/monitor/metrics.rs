//! `/metrics`: the snapshot in the OpenMetrics text format (which
//! Prometheus asks for), through `prometheus-client`.

use mchat_core::server::{CloseReason, LinkState, Tallied, Tally};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::snapshot::Snapshot;

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

type Labels = Vec<(&'static str, String)>;

fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let metric: Counter = Counter::default();
    metric.inc_by(value);
    registry.register(name, help, metric);
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: usize) {
    let metric: Gauge = Gauge::default();
    metric.set(i64::try_from(value).unwrap_or(i64::MAX));
    registry.register(name, help, metric);
}

/// A counter for each kind of `tally`, labelled `label`.
fn tally<K: Tallied>(
    registry: &mut Registry,
    name: &str,
    help: &str,
    label: &'static str,
    tally: &Tally<K>,
    kind_name: impl Fn(K) -> String,
) {
    let family = Family::<Labels, Counter>::default();
    for (kind, count) in tally.iter() {
        family
            .get_or_create(&vec![(label, kind_name(kind))])
            .inc_by(count);
    }
    registry.register(name, help, family);
}

/// The exposition of `snapshot`.
pub fn render(snapshot: &Snapshot) -> Result<String, std::fmt::Error> {
    let mut r = Registry::default();
    let (c, g) = (&snapshot.counters, &snapshot.gauges);
    gauge(&mut r, "mchat_clients", "Clients connected", g.clients);
    counter(
        &mut r,
        "mchat_clients_accepted",
        "Client connections taken",
        c.clients_accepted,
    );
    counter(
        &mut r,
        "mchat_connections_refused",
        "Connections refused at once: server full or over a per-address limit",
        c.connections_refused,
    );
    gauge(&mut r, "mchat_peers_up", "Peer links up", g.peers_up);
    gauge(&mut r, "mchat_rooms", "Rooms with local members", g.rooms);
    gauge(
        &mut r,
        "mchat_members",
        "Local memberships over every room",
        g.members,
    );
    gauge(
        &mut r,
        "mchat_send_queue_bytes",
        "Bytes queued for sending and not yet written, over every connection",
        g.queued_bytes,
    );
    gauge(
        &mut r,
        "mchat_handshakes",
        "Server-port connections in their handshake",
        g.handshakes,
    );
    tally(
        &mut r,
        "mchat_lines_received",
        "Lines received that parsed, by type",
        "kind",
        &c.lines_received,
        |k| k.to_string(),
    );
    counter(
        &mut r,
        "mchat_lines_malformed",
        "Lines received that did not parse",
        c.lines_malformed,
    );
    tally(
        &mut r,
        "mchat_lines_sent",
        "Lines queued for sending (delivered), by type",
        "kind",
        &c.lines_sent,
        |k| k.to_string(),
    );
    counter(
        &mut r,
        "mchat_bytes_received",
        "Bytes read from every connection",
        c.bytes_received,
    );
    counter(
        &mut r,
        "mchat_bytes_sent",
        "Bytes queued for sending to every connection",
        c.bytes_sent,
    );
    tally(
        &mut r,
        "mchat_errors_sent",
        "ERROR lines sent to clients, by code",
        "code",
        &c.errors_sent,
        |code| code.to_string(),
    );
    tally(
        &mut r,
        "mchat_connections_closed",
        "Connections the server closed, by reason",
        "reason",
        &c.closed,
        |reason: CloseReason| reason.name().to_owned(),
    );
    counter(
        &mut r,
        "mchat_slow_consumers_closed",
        "Connections closed for an over-full send queue",
        c.closed.get(CloseReason::SlowConsumer),
    );
    counter(
        &mut r,
        "mchat_heartbeat_closes",
        "Connections closed for unanswered heartbeats",
        c.closed.get(CloseReason::Heartbeat),
    );
    counter(
        &mut r,
        "mchat_handshake_failures",
        "Server links that timed out in their handshake or failed to prove the mesh secret",
        c.closed.get(CloseReason::HandshakeTimeout) + c.auth_failures,
    );
    counter(&mut r, "mchat_dials", "Dials of peers started", c.dials);
    counter(
        &mut r,
        "mchat_dials_failed",
        "Dials, or their handshakes, that failed",
        c.dials_failed,
    );
    counter(
        &mut r,
        "mchat_reconnects",
        "Lost peer links set to be dialled again",
        c.reconnects,
    );
    counter(
        &mut r,
        "mchat_links_established",
        "Peer links established",
        c.links_established,
    );
    counter(&mut r, "mchat_links_lost", "Peer links lost", c.links_lost);
    counter(
        &mut r,
        "mchat_peers_given_up",
        "Peers given up on, unreachable too long",
        c.peers_given_up,
    );
    peers(&mut r, snapshot);

    let cpu = Counter::<f64, std::sync::atomic::AtomicU64>::default();
    cpu.inc_by(snapshot.process.cpu_seconds);
    r.register(
        "process_cpu_seconds",
        "CPU time used, user and system, in seconds",
        cpu,
    );
    let rss: Gauge = Gauge::default();
    rss.set(i64::try_from(snapshot.process.rss_bytes).unwrap_or(i64::MAX));
    r.register(
        "process_resident_memory_bytes",
        "Resident memory, in bytes",
        rss,
    );
    let uptime = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
    uptime.set(snapshot.uptime.as_secs_f64());
    r.register(
        "mchat_uptime_seconds",
        "Time since the server started, in seconds",
        uptime,
    );

    let mut text = String::new();
    encode(&mut text, &r)?;
    Ok(text)
}

/// Each known peer: up or not, and an established link's traffic.
fn peers(r: &mut Registry, snapshot: &Snapshot) {
    let up = Family::<Labels, Gauge>::default();
    let lines_in = Family::<Labels, Counter>::default();
    let lines_out = Family::<Labels, Counter>::default();
    let bytes_in = Family::<Labels, Counter>::default();
    let bytes_out = Family::<Labels, Counter>::default();
    for peer in &snapshot.peers {
        let labels = vec![("peer", peer.addr.to_string())];
        let established = peer.state == LinkState::Established;
        up.get_or_create(&labels).set(i64::from(established));
        if let Some(t) = peer.traffic {
            lines_in.get_or_create(&labels).inc_by(t.lines_in);
            lines_out.get_or_create(&labels).inc_by(t.lines_out);
            bytes_in.get_or_create(&labels).inc_by(t.bytes_in);
            bytes_out.get_or_create(&labels).inc_by(t.bytes_out);
        }
    }
    r.register(
        "mchat_peer_up",
        "1 while the link to the peer is up, 0 while it is re-dialled or given up",
        up,
    );
    r.register(
        "mchat_peer_lines_received",
        "Lines received from the peer on its current link",
        lines_in,
    );
    r.register(
        "mchat_peer_lines_sent",
        "Lines queued for the peer on its current link",
        lines_out,
    );
    r.register(
        "mchat_peer_bytes_received",
        "Bytes read from the peer on its current link",
        bytes_in,
    );
    r.register(
        "mchat_peer_bytes_sent",
        "Bytes queued for the peer on its current link",
        bytes_out,
    );
}
