//! A few seconds of each built subcommand against a real `mchat-server`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;

use support::{figure, figures_of};
use testkit::ServerProc;

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

/// Runs `mchat-tester <subcommand> --server … --pid … <rest> --json`
/// against `server`'s plain client port and returns its figures.
fn measure(server: &ServerProc, subcommand: &str, rest: &str) -> Vec<(String, f64)> {
    let target = [format!("127.0.0.1:{}", server.client_port)];
    measure_at(server, &target, subcommand, rest)
}

/// As [`measure`], with `target` after `--server` (an address, and more
/// flags for it).
fn measure_at(
    server: &ServerProc,
    target: &[String],
    subcommand: &str,
    rest: &str,
) -> Vec<(String, f64)> {
    figures_of(
        Command::new(TESTER)
            .args([subcommand, "--server"])
            .args(target)
            .args(["--pid", &server.pid().to_string()])
            .args(rest.split_whitespace())
            .arg("--json"),
    )
}

#[test]
fn load_delivers_everything_once_and_in_order() {
    // Senders as fast as they can: flood control (and per-address limits) lifted.
    let server = ServerProc::local_unlimited("load");
    let f = measure(
        &server,
        "load",
        "--receivers 8 --senders 3 --rooms 2 --messages 3000",
    );
    // 3 senders over 2 rooms (2 + 1), 8 receivers (4 + 4): 3 × 3000 × 4.
    assert_eq!(figure(&f, "expected"), 36_000.0);
    assert_eq!(figure(&f, "delivered"), 36_000.0);
    assert_eq!(figure(&f, "lost"), 0.0);
    assert_eq!(figure(&f, "duplicated"), 0.0);
    assert_eq!(figure(&f, "out_of_order"), 0.0);
    assert_eq!(figure(&f, "receivers_disconnected"), 0.0);
    assert!(figure(&f, "latency_p50_ms") > 0.0);
    assert!(figure(&f, "server_rss_kib") > 0.0);
}

/// A server with a TLS client port beside the plain one, made with a CA of
/// the test's own; the TLS port and the CA's PEM file. `limits` are more
/// flags (`UNLIMITED` for load runs from one address).
fn with_tls(name: &str, limits: &[&str]) -> (ServerProc, u16, std::path::PathBuf) {
    let dir = testkit::scratch(name);
    let ca = testkit::TestCa::new(&dir, "clients");
    let tls_port = testkit::free_port();
    let mut flags = ca.issue("server").client_port_flags(tls_port);
    flags.extend(limits.iter().map(|f| f.to_string()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = ServerProc::start(&dir, "127.0.0.1", (0, 0), None, &flags);
    (server, tls_port, ca.ca_pem.clone())
}

/// As [`measure`], with every client on `tls_port` through TLS.
fn measure_tls(
    server: &ServerProc,
    tls_port: u16,
    ca: &std::path::Path,
    subcommand: &str,
    rest: &str,
) -> Vec<(String, f64)> {
    let target = [
        format!("127.0.0.1:{tls_port}"),
        "--tls".to_owned(),
        "--ca".to_owned(),
        ca.display().to_string(),
    ];
    measure_at(server, &target, subcommand, rest)
}

/// A load's figures say every one of `expected` deliveries arrived once,
/// in order, to receivers that all stayed and all connected.
fn delivered_all_once(f: &[(String, f64)], expected: f64) {
    assert_eq!(figure(f, "expected"), expected);
    assert_eq!(figure(f, "delivered"), expected);
    assert_eq!(figure(f, "lost"), 0.0);
    assert_eq!(figure(f, "out_of_order"), 0.0);
    assert_eq!(figure(f, "receivers_disconnected"), 0.0);
    assert_eq!(figure(f, "connection_failures"), 0.0);
}

#[test]
fn load_over_tls_delivers_everything_once_and_in_order() {
    let (server, tls_port, ca) = with_tls("load-tls", &testkit::UNLIMITED);
    let f = measure_tls(
        &server,
        tls_port,
        &ca,
        "load",
        "--receivers 6 --senders 2 --rooms 2 --messages 2000",
    );
    // 2 senders in 2 rooms, 6 receivers (3 + 3): 2 × 2000 × 3.
    delivered_all_once(&f, 12_000.0);
}

#[test]
fn idle_clients_over_tls_stay_connected() {
    let (server, tls_port, ca) = with_tls("idle-tls", &testkit::UNLIMITED);
    let f = measure_tls(&server, tls_port, &ca, "idle", "--clients 50 --hold 1");
    assert_eq!(figure(&f, "connected"), 50.0);
    assert_eq!(figure(&f, "still_connected"), 50.0);
    assert!(figure(&f, "connects_per_s") > 0.0);
}

/// A server with a `--ws` listener, limits lifted; its address.
fn with_ws(name: &str) -> (ServerProc, String) {
    let web = format!("127.0.0.1:{}", testkit::free_port());
    let mut flags = vec!["--ws", web.as_str()];
    flags.extend_from_slice(&testkit::UNLIMITED);
    let server = ServerProc::start(&testkit::scratch(name), "127.0.0.1", (0, 0), None, &flags);
    (server, web)
}

#[test]
fn load_over_websocket_delivers_everything_once_and_in_order() {
    let (server, web) = with_ws("load-ws");
    let target = [web, "--ws".to_owned()];
    let f = measure_at(
        &server,
        &target,
        "load",
        "--receivers 6 --senders 2 --rooms 2 --messages 2000",
    );
    delivered_all_once(&f, 12_000.0);
}

#[test]
fn idle_clients_over_websocket_stay_connected() {
    let (server, web) = with_ws("idle-ws");
    let target = [web, "--ws".to_owned()];
    let f = measure_at(&server, &target, "idle", "--clients 50 --hold 1");
    assert_eq!(figure(&f, "connected"), 50.0);
    assert_eq!(figure(&f, "still_connected"), 50.0);
}

#[test]
fn idle_clients_stay_connected() {
    // 200 clients from one address: the per-address limits lifted.
    let server = ServerProc::local_unlimited("idle");
    let f = measure(&server, "idle", "--clients 200 --rooms 4 --hold 1");
    assert_eq!(figure(&f, "connected"), 200.0);
    assert_eq!(figure(&f, "still_connected"), 200.0);
    assert!(figure(&f, "bytes_per_client") > 0.0);
    // Reported (a missing figure fails); its size is the perf runs' business.
    assert!(figure(&f, "server_cpu_s") >= 0.0);
}

/// Runs `mchat-tester abuse --server … <rest>` against `server`; its
/// status and stdout.
fn abuse(server: &ServerProc, rest: &[&str]) -> (bool, String) {
    let out = Command::new(TESTER)
        .args([
            "abuse",
            "--server",
            &format!("127.0.0.1:{}", server.client_port),
        ])
        .args(rest)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A server on 127.0.0.1 as a network exposed to anyone should run: a
/// mesh secret, TLS for clients beside the plain port, the web listener,
/// the default limits. The server, its TLS client port, its web port and
/// the CA's PEM file.
fn secured(name: &str) -> (ServerProc, u16, u16, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let dir = testkit::scratch(name);
    let secret = dir.join("mesh.secret");
    std::fs::write(&secret, "a secret for the abuse run\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let ca = testkit::TestCa::new(&dir, "clients");
    let tls_port = testkit::free_port();
    let mut flags = ca.issue("server").client_port_flags(tls_port);
    let ws_port = testkit::free_port();
    flags.extend([
        "--mesh-secret-file".to_owned(),
        secret.display().to_string(),
        "--ws".to_owned(),
        format!("127.0.0.1:{ws_port}"),
    ]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let ports = (testkit::free_port(), testkit::free_port());
    let server = ServerProc::start(&dir, "127.0.0.1", ports, None, &flags);
    (server, tls_port, ws_port, ca.ca_pem.clone())
}

#[test]
fn abuse_cases_all_pass_against_a_server_with_a_mesh_secret_and_tls() {
    let (server, tls_port, ws_port, ca) = secured("abuse");
    // With the network's secret the tester can pose as a real server.
    let secret = server.dir.join("mesh.secret");
    let (success, text) = abuse(
        &server,
        &[
            "--server-port",
            &server.server_port.to_string(),
            "--tls-port",
            &tls_port.to_string(),
            "--ca",
            ca.to_str().unwrap(),
            "--ws-port",
            &ws_port.to_string(),
            "--pid",
            &server.pid().to_string(),
            "--mesh-secret-file",
            secret.to_str().unwrap(),
        ],
    );
    assert!(success, "{text}");
    assert_eq!(
        text.lines().last(),
        Some("30 passed, 0 failed, 0 skipped"),
        "{text}"
    );
    assert_eq!(text.lines().filter(|l| l.starts_with("PASS ")).count(), 30);
    for tls_case in [
        "PASS plain-text-on-tls-port: ",
        "PASS tls-on-plain-port: ",
        "PASS stalled-tls-handshakes: ",
        "PASS websocket-wrong-origin: ",
        "PASS websocket-bad-frames: ",
        "PASS websocket-huge-frame: ",
        "PASS websocket-unfinished-upgrades: ",
    ] {
        assert!(text.contains(tls_case), "{text}");
    }
    assert!(
        text.contains("PASS server-port-replayed-handshake: the replayed proof was refused"),
        "{text}"
    );
    assert!(
        text.contains("PASS flood-into-room-of-20: ") && text.contains("no reader dropped"),
        "{text}"
    );
}

#[test]
fn abuse_says_that_an_open_server_port_lets_anyone_forge_lines() {
    let server = ServerProc::local("abuse-open");
    let (success, text) = abuse(
        &server,
        &[
            "--server-port",
            &server.server_port.to_string(),
            "--pid",
            &server.pid().to_string(),
        ],
    );
    assert!(!success, "{text}");
    assert_eq!(
        text.lines().last(),
        Some("21 passed, 2 failed, 7 skipped"),
        "{text}"
    );
    let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(failed.len(), 2, "{text}");
    assert!(
        failed[0].starts_with("FAIL server-port-forged-lines: the server port is open"),
        "{text}"
    );
    assert!(
        failed[1].starts_with("FAIL server-port-replayed-handshake: the server port is open"),
        "{text}"
    );
}

#[test]
fn abuse_without_the_server_port_skips_the_server_port_cases() {
    let server = ServerProc::local("abuse-skips");
    let (success, text) = abuse(&server, &[]);
    // Skipped is not failed: the run still succeeds.
    assert!(success, "{text}");
    assert_eq!(
        text.lines().last(),
        Some("13 passed, 0 failed, 17 skipped"),
        "{text}"
    );
    let skipped: Vec<&str> = text.lines().filter(|l| l.starts_with("SKIP ")).collect();
    assert_eq!(skipped.len(), 17, "{text}");
    let (ws_port, skipped): (Vec<&str>, Vec<&str>) = skipped
        .iter()
        .partition(|l| l.starts_with("SKIP websocket-"));
    assert_eq!(ws_port.len(), 4, "{text}");
    assert!(
        ws_port.iter().all(|l| l.contains("needs --ws-port")),
        "{text}"
    );
    let (server_port, tls_port): (Vec<&str>, Vec<&str>) = skipped
        .iter()
        .partition(|l| l.starts_with("SKIP server-port-"));
    assert_eq!(server_port.len(), 10, "{text}");
    assert!(
        server_port
            .iter()
            .all(|l| l.contains("needs --server-port")),
        "{text}"
    );
    assert_eq!(tls_port.len(), 3, "{text}");
    assert!(
        tls_port.iter().all(|l| l.contains("needs --tls-port")),
        "{text}"
    );
}

#[test]
fn chaos_mesh_passes_a_short_seed() {
    let server = testkit::workspace_bin("mchat-server");
    let out = Command::new(TESTER)
        .args(["chaos", "--server-bin"])
        .arg(&server)
        .args(["--servers", "3", "--duration", "6", "--seed", "7"])
        // Each server's clients in a room of their own: interest routing
        // holds lines back, and a line of a room not joined fails the run.
        .args(["--rooms", "3"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("PASS seed 7:"), "{text}");
}
