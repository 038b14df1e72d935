//! The examples run: the simulator example end to end, and the threaded
//! server in one mesh with `mchat-server`, over real TCP on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// An example's binary. Cargo builds the examples for `cargo test` but, unlike
/// for binaries, sets no `CARGO_BIN_EXE_*` for them, so look where it puts
/// them: `target/<profile>/deps/<this test>` → `target/<profile>/examples/<name>`.
fn example_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .and_then(Path::parent)
        .map(|profile_dir| profile_dir.join("examples").join(name))
        .unwrap();
    assert!(
        path.exists(),
        "the example {name} is not at {}: run `cargo test -p examples`, which builds the examples",
        path.display()
    );
    path
}

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

struct Chat(BufReader<TcpStream>);

impl Chat {
    fn join(port: u16, nick: &str) -> Self {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(format!("NICK {nick}\nJOIN lobby\n").as_bytes())
            .unwrap();
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Chat(BufReader::new(s))
    }

    fn say(&mut self, text: &str) {
        self.0
            .get_mut()
            .write_all(format!("MSG x lobby {text}\n").as_bytes())
            .unwrap();
    }

    /// Has `text` arrived (reading for a moment)?
    fn heard(&mut self, text: &str) -> bool {
        let mut line = String::new();
        while self.0.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.trim_end().ends_with(text) {
                return true;
            }
            if line == "HEART\n" {
                self.0.get_mut().write_all(b"BLEED\n").unwrap();
            }
            line.clear();
        }
        false
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
