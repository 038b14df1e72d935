//! `mchat-server status`: a running server's `/status`, read twice a
//! second apart (for the rates), as a summary for a person.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

use serde_json::Value;

use crate::cli::{Status, default_pidfile};
use crate::error::Error;
use crate::pidfile;

/// How long each read of `/status` may take.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The time between the two reads the rates come from.
const RATE_WINDOW: Duration = Duration::from_secs(1);
/// Rooms listed; the rest are counted.
const ROOMS_SHOWN: usize = 20;

pub fn show(status: &Status) -> Result<(), Error> {
    let addr = monitor_addr(status)?;
    let first = read_status(addr)?;
    std::thread::sleep(RATE_WINDOW);
    let second = read_status(addr)?;
    print!("{}", summary(&first, &second, RATE_WINDOW));
    Ok(())
}

/// Where the server's monitor listens: `--monitor`, or its pidfile's word.
fn monitor_addr(status: &Status) -> Result<SocketAddr, Error> {
    if let Some(given) = &status.monitor {
        return given
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| Error::Invalid {
                what: "--monitor",
                value: given.clone(),
                why: "give HOST:PORT of the server's monitor".into(),
            });
    }
    let path = status
        .pidfile
        .clone()
        .unwrap_or_else(|| default_pidfile(&status.host, status.client_port));
    pidfile::monitor_of(&path)?.ok_or(Error::NoMonitor(path))
}

fn read_status(addr: SocketAddr) -> Result<Value, Error> {
    let failed = |why: String| Error::StatusRead { addr, why };
    let mut stream =
        TcpStream::connect_timeout(&addr, READ_TIMEOUT).map_err(|e| failed(e.to_string()))?;
    stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .map_err(|e| failed(e.to_string()))?;
    stream
        .write_all(b"GET /status HTTP/1.1\r\nHost: mchat\r\nConnection: close\r\n\r\n")
        .map_err(|e| failed(e.to_string()))?;
    let mut reply = String::new();
    stream
        .read_to_string(&mut reply)
        .map_err(|e| failed(e.to_string()))?;
    let (head, body) = reply
        .split_once("\r\n\r\n")
        .ok_or_else(|| failed("no HTTP answer".into()))?;
    if !head.starts_with("HTTP/1.1 200") {
        let line = head.lines().next().unwrap_or_default();
        return Err(failed(format!("answered {line}")));
    }
    serde_json::from_str(body).map_err(|e| failed(format!("not the JSON of /status: {e}")))
}

fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// `1 h 02 min`, `3 min 04 s`, `5 s`.
fn duration(secs: f64) -> String {
    let secs = secs.max(0.0) as u64;
    match secs {
        s if s >= 3600 => format!("{} h {:02} min", s / 3600, s / 60 % 60),
        s if s >= 60 => format!("{} min {:02} s", s / 60, s % 60),
        s => format!("{s} s"),
    }
}

/// The summary of two reads `window` apart.
fn summary(first: &Value, now: &Value, window: Duration) -> String {
    let rate = |key: &str| {
        let total = |v: &Value| v.get("totals").and_then(|t| t.get(key)).map_or(0.0, number);
        let moved = total(now) - total(first);
        moved.max(0.0) / window.as_secs_f64()
    };
    let mut out = String::new();
    let health = match text(&now["health"]) {
        "ok" => "healthy".to_owned(),
        other => other.to_owned(),
    };
    out += &format!(
        "mchat-server {} at {}, up {}, {health}\n",
        text(&now["version"]),
        text(&now["server"]),
        duration(number(&now["uptime_s"])),
    );
    out += &format!(
        "clients: {}   rooms: {} ({} members)   lines: {:.1}/s in, {:.1}/s out\n",
        now["clients"],
        now["rooms_count"],
        now["members"],
        rate("lines_received"),
        rate("lines_sent"),
    );
    let peers = now["peers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    out += &format!("peers: {} up of {}\n", now["peers_up"], peers.len());
    for peer in peers {
        let state = match text(&peer["state"]) {
            "established" => format!(
                "established, {} lines in, {} out",
                peer["lines_in"], peer["lines_out"]
            ),
            "backing-off" => format!(
                "backing off, next dial in {:.1} s",
                number(&peer["next_dial_in_s"])
            ),
            "given-up" => format!("given up {} ago", duration(number(&peer["given_up_s_ago"]))),
            other => other.to_owned(),
        };
        out += &format!("  {:<28} {state}\n", text(&peer["addr"]));
    }
    let rooms = now["rooms"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !rooms.is_empty() {
        out += "rooms (local members):\n";
    }
    for room in rooms.iter().take(ROOMS_SHOWN) {
        out += &format!("  {:<42} {}\n", text(&room["name"]), room["members"]);
    }
    if rooms.len() > ROOMS_SHOWN {
        out += &format!("  … and {} more\n", rooms.len() - ROOMS_SHOWN);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_reads_make_a_summary_with_rates() {
        let read = |lines: u64| {
            serde_json::json!({
                "server": "10.0.0.5 6062", "version": "0.1.0", "uptime_s": 3725.0,
                "health": "ok", "clients": 3, "peers_up": 1, "rooms_count": 1, "members": 3,
                "peers": [
                    {"addr": "10.0.0.6 6062", "state": "established", "lines_in": 7, "lines_out": 9},
                    {"addr": "10.0.0.7 6062", "state": "backing-off", "next_dial_in_s": 3.25}
                ],
                "rooms": [{"name": "lobby", "members": 3}],
                "totals": {"lines_received": lines, "lines_sent": lines * 2}
            })
        };
        let text = summary(&read(100), &read(150), Duration::from_secs(1));
        assert_eq!(
            text,
            "mchat-server 0.1.0 at 10.0.0.5 6062, up 1 h 02 min, healthy\n\
             clients: 3   rooms: 1 (3 members)   lines: 50.0/s in, 100.0/s out\n\
             peers: 1 up of 2\n  \
             10.0.0.6 6062                established, 7 lines in, 9 out\n  \
             10.0.0.7 6062                backing off, next dial in 3.2 s\n\
             rooms (local members):\n  \
             lobby                                      3\n"
        );
    }
}
