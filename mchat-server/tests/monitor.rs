//! `--monitor`: `/metrics` (read by a real OpenMetrics parser), `/healthz`
//! and `/status` of a real server process over HTTP, counters moving by
//! exactly what a scripted session did, and bad requests that change
//! nothing for chat.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{DEADLINE, LineClient, ServerProc, free_port, scratch};

/// The Python client's parser (Debian's python3-prometheus-client, which
/// .ci/run installs) through tests/support/openmetrics.py.
const PARSER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/openmetrics.py");

/// A server with its monitor on a free port of 127.0.0.1, and no
/// heartbeats during a test, so that byte counts are the session's alone.
fn monitored(name: &str, extra: &[&str]) -> (ServerProc, String) {
    let monitor = format!("127.0.0.1:{}", free_port());
    let mut args = vec!["--monitor", monitor.as_str(), "--heartbeat-ms", "600000"];
    args.extend_from_slice(extra);
    let server = ServerProc::start(&scratch(name), "127.0.0.1", (0, 0), None, &args);
    (server, monitor)
}

/// Sends `request` as it is; returns the status and the body.
fn exchange(monitor: &str, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(monitor).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    // A server may answer before the whole of a huge request is sent.
    let _ = stream.write_all(request);
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    let status = reply
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {reply:?}"));
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    (status, body)
}

fn get(monitor: &str, path: &str) -> (u16, String) {
    exchange(
        monitor,
        format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
    )
}

/// `/metrics`, parsed by the real parser: every sample by name and labels.
fn metrics(monitor: &str) -> HashMap<String, f64> {
    let (status, body) = get(monitor, "/metrics");
    assert_eq!(status, 200, "{body}");
    let mut parser = Command::new("/usr/bin/python3")
        .arg(PARSER)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs the parser");
    parser
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = parser.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the parser refused the exposition: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn delta(before: &HashMap<String, f64>, after: &HashMap<String, f64>, sample: &str) -> f64 {
    let value = |m: &HashMap<String, f64>| {
        *m.get(sample)
            .unwrap_or_else(|| panic!("no sample {sample} in {m:?}"))
    };
    value(after) - value(before)
}

#[test]
fn counters_move_by_exactly_what_a_scripted_session_did() {
    let (server, monitor) = monitored("monitor-counters", &[]);
    let before = metrics(&monitor);
    let mut alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    let mut bob = LineClient::member(server.client_port, "bob", &["lobby"]);
    for i in 0..3 {
        alice.send(&format!("MSG alice lobby hello {i}"));
    }
    for i in 0..3 {
        bob.expect(&format!("MSG alice lobby hello {i}"));
    }
    bob.send("PART nowhere");
    bob.expect("ERROR not-joined you are not in nowhere");
    let after = metrics(&monitor);
    let moved = |sample: &str| delta(&before, &after, sample);
    assert_eq!(moved("mchat_clients_accepted_total{}"), 2.0);
    assert_eq!(after["mchat_clients{}"], 2.0);
    assert_eq!(after["mchat_rooms{}"], 1.0);
    assert_eq!(after["mchat_members{}"], 2.0);
    assert_eq!(moved("mchat_lines_received_total{kind=NICK}"), 2.0);
    assert_eq!(moved("mchat_lines_received_total{kind=JOIN}"), 2.0);
    assert_eq!(moved("mchat_lines_received_total{kind=MSG}"), 3.0);
    assert_eq!(moved("mchat_lines_received_total{kind=PART}"), 1.0);
    assert_eq!(moved("mchat_lines_sent_total{kind=MSG}"), 3.0, "to bob");
    // alice's join to alice; bob's to both.
    assert_eq!(moved("mchat_lines_sent_total{kind=SYSTEM}"), 3.0);
    assert_eq!(moved("mchat_errors_sent_total{code=not-joined}"), 1.0);
    let typed: usize = [
        "NICK alice",
        "JOIN lobby",
        "NICK bob",
        "JOIN lobby",
        "PART nowhere",
    ]
    .iter()
    .map(|l| l.len() + 1)
    .sum::<usize>()
        + (0..3)
            .map(|i| format!("MSG alice lobby hello {i}\n").len())
            .sum::<usize>();
    assert_eq!(moved("mchat_bytes_received_total{}"), typed as f64);
    assert!(after["process_resident_memory_bytes{}"] > 1e6);
    assert!(after["process_cpu_seconds_total{}"] > 0.0);
}

#[test]
fn status_and_metrics_show_the_peers_and_their_links() {
    let dir = scratch("monitor-status");
    let a_monitor = format!("127.0.0.1:{}", free_port());
    let ports = |_| (free_port(), free_port());
    let a = ServerProc::start(
        &dir,
        "127.0.0.1",
        ports(()),
        None,
        &["--monitor", &a_monitor],
    );
    let peer_of_a = Some(("127.0.0.1", a.server_port));
    let b = ServerProc::start(&dir, "127.0.0.1", ports(()), peer_of_a, &[]);
    let _alice = LineClient::member(a.client_port, "alice", &["lobby", "den"]);
    let _bob = LineClient::member(a.client_port, "bob", &["lobby"]);
    let peer = format!("127.0.0.1 {}", b.server_port);
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        let (code, body) = get(&a_monitor, "/status");
        assert_eq!(code, 200);
        let status: serde_json::Value = serde_json::from_str(&body).unwrap();
        if status["peers_up"] == 1 {
            break status;
        }
        assert!(Instant::now() < deadline, "the peer never showed: {body}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status["server"], format!("127.0.0.1 {}", a.server_port));
    assert_eq!(status["health"], "ok");
    assert_eq!(status["clients"], 2);
    assert_eq!(status["peers"][0]["addr"], peer);
    assert_eq!(status["peers"][0]["state"], "established");
    assert_eq!(
        status["rooms"],
        serde_json::json!([{"name": "den", "members": 1}, {"name": "lobby", "members": 2}])
    );
    let m = metrics(&a_monitor);
    assert_eq!(m[&format!("mchat_peer_up{{peer={peer}}}")], 1.0);
    assert_eq!(m["mchat_peers_up{}"], 1.0);

    // The peer gone, it is re-dialled: down, and told so.
    drop(b);
    let deadline = Instant::now() + DEADLINE;
    loop {
        let (_, body) = get(&a_monitor, "/status");
        let status: serde_json::Value = serde_json::from_str(&body).unwrap();
        let state = &status["peers"][0]["state"];
        if state == "backing-off" || state == "dialling" {
            break;
        }
        assert!(Instant::now() < deadline, "the loss never showed: {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        metrics(&a_monitor)[&format!("mchat_peer_up{{peer={peer}}}")],
        0.0
    );
}

#[test]
fn bad_requests_are_answered_by_kind_and_chat_goes_on() {
    let (server, monitor) = monitored("monitor-abuse", &[]);
    let mut alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    let mut bob = LineClient::member(server.client_port, "bob", &["lobby"]);
    assert_eq!(get(&monitor, "/nowhere").0, 404);
    assert_eq!(exchange(&monitor, b"BREW /pot HTTP/1.1\r\n\r\n").0, 405);
    assert_eq!(exchange(&monitor, b"\x16\x03\x01 hello\r\n\r\n").0, 400);
    let huge = format!(
        "GET /metrics HTTP/1.1\r\nX: {}\r\n\r\n",
        "a".repeat(100_000)
    );
    assert_eq!(exchange(&monitor, huge.as_bytes()).0, 431);
    // Requests that never finish take up the monitor, not the chat.
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(&monitor).unwrap())
        .collect();
    for i in 0..5 {
        alice.send(&format!("MSG alice lobby still here {i}"));
        bob.expect(&format!("MSG alice lobby still here {i}"));
    }
    drop(idle);
    assert_eq!(get(&monitor, "/healthz"), (200, "ok\n".to_owned()));
}

#[test]
fn healthz_says_503_while_the_server_drains_on_sigterm() {
    let (mut server, monitor) = monitored("monitor-drain", &["--drain-ms", "3000"]);
    let mut alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    assert_eq!(get(&monitor, "/healthz"), (200, "ok\n".to_owned()));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(server.pid() as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    let deadline = Instant::now() + DEADLINE;
    loop {
        let (status, body) = get(&monitor, "/healthz");
        if status == 503 {
            assert_eq!(body, "shutting down: received SIGTERM\n");
            break;
        }
        assert!(Instant::now() < deadline, "never 503: {status} {body}");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Draining: the connections are still up.
    alice.send("MSG alice lobby anyone?");
    alice.send("HEART");
    alice.expect("BLEED");
    server.wait_exit(DEADLINE);
}

#[test]
fn the_status_command_summarises_a_running_server() {
    let (server, monitor) = monitored("monitor-command", &[]);
    let _alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    let pidfile = server.dir.join("127.0.0.1-0.pid");
    let port = server.client_port.to_string();
    let run = |args: &[&str]| {
        let out = Command::new(support::BIN)
            .arg("status")
            .args(args)
            .output()
            .unwrap();
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (out.status.success(), text(&out.stdout), text(&out.stderr))
    };
    let pidfile_arg = pidfile.display().to_string();
    let (ok, shown, _) = run(&["--pidfile", &pidfile_arg, "127.0.0.1", &port]);
    assert!(ok, "{shown}");
    assert!(shown.contains(", healthy\n"), "{shown}");
    assert!(
        shown.contains("clients: 1   rooms: 1 (1 members)"),
        "{shown}"
    );
    assert!(shown.contains("peers: 0 up of 0\n"), "{shown}");
    assert!(shown.contains("\n  lobby "), "{shown}");
    let (ok, by_address, _) = run(&["--monitor", &monitor, "127.0.0.1", &port]);
    assert!(ok && by_address.contains("clients: 1"), "{by_address}");

    // A server without a monitor is told plainly.
    let plain = ServerProc::local("monitor-none");
    let pidfile = plain.dir.join("127.0.0.1-0.pid").display().to_string();
    let (ok, _, said) = run(&["--pidfile", &pidfile, "127.0.0.1", "1"]);
    assert!(!ok);
    assert!(
        said.contains("has no monitor: start it with --monitor"),
        "{said}"
    );
}
