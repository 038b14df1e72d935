//! `/status`: the snapshot as JSON, for `mchat-server status` and for
//! scripts.

use mchat_core::server::LinkState;
use serde::Serialize;

use super::snapshot::{Health, Snapshot};

#[derive(Serialize)]
struct Status<'a> {
    server: &'a str,
    version: &'a str,
    uptime_s: f64,
    health: &'a str,
    clients: usize,
    peers_up: usize,
    rooms_count: usize,
    members: usize,
    peers: Vec<Peer>,
    rooms: Vec<Room<'a>>,
    totals: Totals,
}

#[derive(Serialize)]
struct Peer {
    addr: String,
    /// `established`, `dialling`, `backing-off` or `given-up`.
    state: &'static str,
    /// Backing off: seconds until the next dial.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_dial_in_s: Option<f64>,
    /// Given up: seconds since.
    #[serde(skip_serializing_if = "Option::is_none")]
    given_up_s_ago: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lines_out: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_in: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_out: Option<u64>,
}

#[derive(Serialize)]
struct Room<'a> {
    /// A private room's name is its digest: nothing is given away.
    name: &'a str,
    members: usize,
}

#[derive(Serialize)]
struct Totals {
    clients_accepted: u64,
    lines_received: u64,
    lines_sent: u64,
    bytes_received: u64,
    bytes_sent: u64,
    errors_sent: u64,
    connections_closed: u64,
    dials: u64,
    dials_failed: u64,
}

/// The JSON of `snapshot`.
pub fn render(snapshot: &Snapshot) -> String {
    let (c, g) = (&snapshot.counters, &snapshot.gauges);
    let peers = snapshot
        .peers
        .iter()
        .map(|p| {
            let secs = |d: std::time::Duration| (d.as_secs_f64() * 10.0).round() / 10.0;
            let (state, next, ago) = match p.state {
                LinkState::Established => ("established", None, None),
                LinkState::Dialling => ("dialling", None, None),
                LinkState::BackingOff { until } => (
                    "backing-off",
                    Some(secs(until.saturating_duration_since(snapshot.now))),
                    None,
                ),
                LinkState::GivenUp { at } => (
                    "given-up",
                    None,
                    Some(secs(snapshot.now.saturating_duration_since(at))),
                ),
                _ => ("unknown", None, None),
            };
            Peer {
                addr: p.addr.to_string(),
                state,
                next_dial_in_s: next,
                given_up_s_ago: ago,
                lines_in: p.traffic.map(|t| t.lines_in),
                lines_out: p.traffic.map(|t| t.lines_out),
                bytes_in: p.traffic.map(|t| t.bytes_in),
                bytes_out: p.traffic.map(|t| t.bytes_out),
            }
        })
        .collect();
    let status = Status {
        server: &snapshot.advertised,
        version: snapshot.version,
        uptime_s: snapshot.uptime.as_secs_f64(),
        health: match &snapshot.health {
            Health::Up => "ok",
            Health::ShuttingDown(_) => "shutting-down",
        },
        clients: g.clients,
        peers_up: g.peers_up,
        rooms_count: g.rooms,
        members: g.members,
        peers,
        rooms: snapshot
            .rooms
            .iter()
            .map(|r| Room {
                name: &r.name,
                members: r.members,
            })
            .collect(),
        totals: Totals {
            clients_accepted: c.clients_accepted,
            lines_received: c.lines_received.total(),
            lines_sent: c.lines_sent.total(),
            bytes_received: c.bytes_received,
            bytes_sent: c.bytes_sent,
            errors_sent: c.errors_sent.total(),
            connections_closed: c.closed.total(),
            dials: c.dials,
            dials_failed: c.dials_failed,
        },
    };
    // Plain data: serialising it cannot fail.
    serde_json::to_string_pretty(&status).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
