//! A few seconds of each built subcommand against a real `mchat-server`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

struct Server(Child, u16);

impl Server {
    fn start(name: &str) -> Self {
        let bin = PathBuf::from(TESTER).with_file_name("mchat-server");
        assert!(
            bin.exists(),
            "build mchat-server first (cargo test --workspace does)"
        );
        let dir =
            std::env::temp_dir().join(format!("mchat-tester-smoke-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(bin)
            .args(["start", "--non-daemon", "--pidfile"])
            .arg(dir.join("s.pid"))
            .arg("--log-dir")
            .arg(&dir)
            .args(["127.0.0.1", "0", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .split(" port ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        Server(child, port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the tester and returns its JSON figures.
fn tester(args: &[String]) -> Vec<(String, f64)> {
    let out = Command::new(TESTER)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{text}");
    text.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .split(", ")
        .filter_map(|kv| {
            let (k, v) = kv.split_once(": ")?;
            Some((k.trim_matches('"').to_owned(), v.parse().ok()?))
        })
        .collect()
}

fn figure(figures: &[(String, f64)], key: &str) -> f64 {
    figures
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {figures:?}"))
        .1
}

#[test]
fn load_delivers_everything_once_and_in_order() {
    let server = Server::start("load");
    let args: Vec<String> = format!(
        "load --server 127.0.0.1:{} --receivers 8 --senders 3 --rooms 2 --messages 3000 --pid {}",
        server.1,
        server.0.id()
    )
    .split(' ')
    .map(str::to_owned)
    .collect();
    let f = tester(&args);
    // 3 senders over 2 rooms (2 + 1), 8 receivers (4 + 4): 3 × 3000 × 4.
    assert_eq!(figure(&f, "expected"), 36_000.0);
    assert_eq!(figure(&f, "delivered"), 36_000.0);
    assert_eq!(figure(&f, "lost"), 0.0);
    assert_eq!(figure(&f, "duplicated_or_reordered"), 0.0);
    assert!(figure(&f, "latency_p50_ms") > 0.0);
    assert!(figure(&f, "server_rss_kib") > 0.0);
}

#[test]
fn idle_clients_stay_connected() {
    let server = Server::start("idle");
    let args: Vec<String> = format!(
        "idle --server 127.0.0.1:{} --clients 200 --rooms 4 --hold 1 --pid {}",
        server.1,
        server.0.id()
    )
    .split(' ')
    .map(str::to_owned)
    .collect();
    let f = tester(&args);
    assert_eq!(figure(&f, "connected"), 200.0);
    assert_eq!(figure(&f, "still_connected"), 200.0);
    assert!(figure(&f, "bytes_per_client") > 0.0);
}

#[test]
fn abuse_cases_all_pass() {
    let bin = PathBuf::from(TESTER).with_file_name("mchat-server");
    let dir = std::env::temp_dir().join(format!("mchat-tester-abuse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cport, sport) = (free_port(), free_port());
    let child = Command::new(bin)
        .args(["start", "--non-daemon", "--pidfile"])
        .arg(dir.join("a.pid"))
        .arg("--log-dir")
        .arg(&dir)
        .args(["127.0.0.1", &cport.to_string(), &sport.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child, cport);
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let out = Command::new(TESTER)
        .args([
            "abuse",
            "--server",
            &format!("127.0.0.1:{cport}"),
            "--server-port",
            &sport.to_string(),
        ])
        .args(["--pid", &server.0.id().to_string()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.lines().last(), Some("13 passed, 0 failed"), "{text}");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn chaos_mesh_passes_a_short_seed() {
    let server = PathBuf::from(TESTER).with_file_name("mchat-server");
    let out = Command::new(TESTER)
        .args(["chaos", "--server-bin"])
        .arg(&server)
        .args(["--servers", "3", "--duration", "6", "--seed", "7"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.starts_with("PASS seed 7:"), "{text}");
}
