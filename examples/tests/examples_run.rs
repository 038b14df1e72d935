//! The examples run: the simulator example end to end, and the threaded
//! server in one mesh with `mchat-server`, over real TCP on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::BufRead;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use testkit::{LineClient, example_bin};

struct Proc(Child);
impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server binary and reads its client and server ports from the
/// "listening … port P, for servers on port Q" line it prints.
fn start(cmd: &mut Command) -> (Proc, u16, u16) {
    let (child, reader, (client_port, server_port)) = testkit::spawn_listening(cmd);
    // Keep reading its output so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    (Proc(child), client_port, server_port)
}

/// A member of `lobby` on one server.
struct Chat {
    nick: &'static str,
    line: LineClient,
}

impl Chat {
    fn join(port: u16, nick: &'static str) -> Self {
        let line = LineClient::member(port, nick, &["lobby"]);
        Chat { nick, line }
    }

    fn say(&mut self, text: &str) {
        self.line.send(&format!("MSG {} lobby {text}", self.nick));
    }

    /// Has `text` arrived (reading for a moment)?
    fn heard(&mut self, text: &str) -> bool {
        let wanted = |line: &str| line.ends_with(text);
        self.line
            .wait_for(wanted, Duration::from_millis(200))
            .is_ok()
    }
}

/// Says fresh lines until one arrives at the other side.
fn crosses(from: &mut Chat, to: &mut Chat) {
    let deadline = Instant::now() + Duration::from_secs(15);
    for i in 0.. {
        assert!(Instant::now() < deadline, "no line crossed the mesh");
        let text = format!("probe {i}");
        from.say(&text);
        if to.heard(&text) {
            return;
        }
    }
}

#[test]
fn threaded_server_meshes_with_mchat_server() {
    let mchat_server = testkit::workspace_bin("mchat-server");
    let dir = std::env::temp_dir().join(format!("mchat-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (_a, a_clients, a_servers) = start(
        Command::new(&mchat_server)
            .args(["start", "--non-daemon", "--pidfile"])
            .arg(dir.join("a.pid"))
            .arg("--log-dir")
            .arg(&dir)
            .args(["127.0.0.1", "0", "0"]),
    );
    let (_b, b_clients, _) = start(Command::new(example_bin("threaded_server")).args([
        "127.0.0.1",
        "0",
        "0",
        "127.0.0.1",
        &a_servers.to_string(),
    ]));
    let mut on_a = Chat::join(a_clients, "alice");
    let mut on_b = Chat::join(b_clients, "bob");
    crosses(&mut on_b, &mut on_a);
    crosses(&mut on_a, &mut on_b);
}

#[test]
fn simulate_example_shows_the_mesh_healing() {
    let out = Command::new(example_bin("simulate")).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("healed: mesh full: true"), "{text}");
    assert!(
        text.contains("every guarantee of PROTOCOL.md §8 held"),
        "{text}"
    );
}
