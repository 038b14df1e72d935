//! Starting and stopping as the original does: daemon, pidfile, stop, log
//! and its rotation; hosts by IPv6 literal and by DNS name.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::{BIN, LineClient, ServerProc, free_port, scratch};

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn alive(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

#[test]
fn daemon_starts_refuses_a_twin_and_stops_through_its_pidfile() {
    let dir = scratch("daemon");
    let pidfile = dir.join("d.pid");
    let (p, d) = (pidfile.to_str().unwrap(), dir.to_str().unwrap());
    let port = free_port();
    let port_arg = port.to_string();
    let start = [
        "start",
        "--pidfile",
        p,
        "--log-dir",
        d,
        "127.0.0.1",
        &port_arg,
        "0",
    ];
    let (ok, out, err) = run(&start);
    assert!(ok, "{out}{err}");
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(alive(pid));
    // It serves clients.
    let mut c = LineClient::member(port, "alice", &["lobby"]);
    c.send("HEART");
    assert_eq!(c.next_line().unwrap(), "BLEED");
    // A second start on the same host and port is refused.
    let (ok, _, err) = run(&start);
    assert!(
        !ok && err.contains("already running") && err.contains(&pid.to_string()),
        "{err}"
    );
    // Stop: gone, pidfile removed, log written.
    let (ok, out, err) = run(&["stop", "--pidfile", p, "127.0.0.1", &port.to_string()]);
    assert!(ok, "{out}{err}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(pid), "the daemon is still running");
    assert!(!pidfile.exists());
    let log = std::fs::read_to_string(dir.join(format!("127.0.0.1_{port}_server.log"))).unwrap();
    assert!(
        log.contains("server starts")
            && log.contains("client")
            && log.contains("server shuts down"),
        "{log}"
    );
    // Stopping again says it is not running.
    let (ok, _, err) = run(&["stop", "--pidfile", p, "127.0.0.1", &port.to_string()]);
    assert!(!ok && err.contains("no server is running"), "{err}");
}

#[test]
fn stale_pidfile_is_reported_and_removed() {
    let dir = scratch("stale");
    let pidfile = dir.join("s.pid");
    std::fs::write(&pidfile, "999999\n").unwrap();
    let (ok, _, err) = run(&[
        "stop",
        "--pidfile",
        pidfile.to_str().unwrap(),
        "127.0.0.1",
        "1",
    ]);
    assert!(!ok && err.contains("stale"), "{err}");
    assert!(!pidfile.exists());
}

#[test]
fn bad_arguments_get_one_clear_line() {
    let dir = scratch("badargs");
    let p = dir.join("x.pid");
    let p = p.to_str().unwrap();
    for (args, says) in [
        (
            vec!["start", "--pidfile", p, "no-such-host.invalid", "0", "0"],
            "cannot resolve host",
        ),
        (
            vec!["start", "--pidfile", p, "127.0.0.1", "0", "0", "peer-only"],
            "<peer_host> <peer_port>",
        ),
        (
            vec![
                "start",
                "--pidfile",
                p,
                "127.0.0.1",
                "0",
                "0",
                "127.0.0.1",
                "0",
            ],
            "peer port",
        ),
        (
            vec!["start", "--pidfile", p, "127.0.0.1", "70000", "0"],
            "client_port",
        ),
    ] {
        let (ok, _, err) = run(&args);
        assert!(!ok, "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
            "{err}"
        );
    }
    // A busy port.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let (ok, _, err) = run(&[
        "start",
        "--non-daemon",
        "--pidfile",
        p,
        "127.0.0.1",
        &port,
        "0",
    ]);
    assert!(
        !ok && err.contains("cannot listen") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn log_is_rotated_to_dot_one_at_its_size_limit() {
    let dir = scratch("rotate");
    let s = ServerProc::start(
        &dir,
        "127.0.0.1",
        (0, 0),
        None,
        &["--log-max-bytes", "2000"],
    );
    for _ in 0..40 {
        LineClient::member(s.client_port, "x", &[]).close();
    }
    let main = dir.join(format!("127.0.0.1_{}_server.log", s.client_port));
    let backup = dir.join(format!("127.0.0.1_{}_server.log.1", s.client_port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while !backup.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(backup.exists(), "no rotation");
    // The server may be rotating again right now (the main file is renamed
    // a moment before its successor is created): wait for it to be there.
    let size = |path: &std::path::Path| loop {
        match std::fs::metadata(path) {
            Ok(m) => return m.len(),
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    };
    assert!(size(&main) <= 2000);
    assert!(size(&backup) <= 2000);
}

#[test]
fn ipv6_literal_and_dns_name_both_serve() {
    let dir = scratch("v6");
    // `localhost` binds every address it resolves to.
    let local = ServerProc::start(&dir, "localhost", (0, 0), None, &[]);
    let mut c4 = LineClient::connect("127.0.0.1", local.client_port);
    c4.send("HEART");
    assert_eq!(c4.next_line().unwrap(), "BLEED");
    let resolves_v6 = std::net::ToSocketAddrs::to_socket_addrs(&("localhost", 1))
        .unwrap()
        .any(|a| a.is_ipv6());
    if resolves_v6 {
        let mut c6 = LineClient::connect("::1", local.client_port);
        c6.send("HEART");
        assert_eq!(c6.next_line().unwrap(), "BLEED");
    }
    // An IPv6 literal, joining through a peer named by DNS.
    let v6 = ServerProc::start(
        &dir,
        "::1",
        (0, 0),
        Some(("localhost", local.server_port)),
        &[],
    );
    let mut c = LineClient::connect("::1", v6.client_port);
    c.send("HEART");
    assert_eq!(c.next_line().unwrap(), "BLEED");
    // The two servers link: a line from one reaches the other.
    let mut a = LineClient::member_at("::1", v6.client_port, "a", &["r"]);
    let mut b = LineClient::member(local.client_port, "b", &["r"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        a.send("MSG a r over the mesh");
        a.drain(Duration::from_millis(1));
        if b.drain(Duration::from_millis(200))
            .iter()
            .any(|l| l == "MSG a r over the mesh")
        {
            break;
        }
        assert!(Instant::now() < deadline, "the servers never linked");
    }
}

#[test]
fn version_is_printed_and_a_bare_command_says_what_to_do() {
    let (ok, out, _) = run(&["--version"]);
    assert!(ok);
    assert_eq!(
        out.trim(),
        format!("mchat-server {}", env!("CARGO_PKG_VERSION"))
    );
    let (ok, _, err) = run(&[]);
    assert!(!ok);
    assert!(err.contains("mchat-server start"), "{err}");
}

#[test]
fn one_port_for_clients_and_servers_is_refused_with_the_reason() {
    let dir = scratch("sameport");
    let port = free_port().to_string();
    let pidfile = dir.join("s.pid");
    let (ok, _, err) = run(&[
        "start",
        "--non-daemon",
        "--pidfile",
        pidfile.to_str().unwrap(),
        "--log-dir",
        dir.to_str().unwrap(),
        "127.0.0.1",
        &port,
        &port,
    ]);
    assert!(!ok);
    assert!(
        err.contains(&format!(
            "the client port and the server port must differ (both are {port})"
        )),
        "{err}"
    );
    assert!(!pidfile.exists(), "a refused start left its pidfile");
}

#[test]
fn a_failed_dial_is_one_log_line_with_its_reason_and_joins_show_at_debug() {
    // A peer port nobody listens on: every dial is refused.
    let dead = free_port().to_string();
    let server = ServerProc::start(
        &scratch("log-lines"),
        "127.0.0.1",
        (0, 0),
        Some(("127.0.0.1", dead.parse().unwrap())),
        &["--log-level", "debug", "--reconnect-ms", "100"],
    );
    let _alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    let failure = format!("could not connect to server 127.0.0.1 {dead}");
    while server.log().matches(&failure).count() < 2 {
        assert!(Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let log = server.log();
    let lines: Vec<&str> = log.lines().filter(|l| l.contains(&dead)).collect();
    assert!(
        lines
            .iter()
            .all(|l| l.contains(&format!("{failure}: Connection refused"))),
        "each failure is one line, with its reason: {lines:#?}"
    );
    let joined = log
        .lines()
        .find(|l| l.contains("alice joined lobby"))
        .unwrap_or_else(|| panic!("no join at debug:\n{log}"));
    assert!(
        joined.contains("DEBUG") && joined.contains("(127.0.0.1:"),
        "{joined}"
    );
}
