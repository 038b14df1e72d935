//! `--config`: options from a TOML file under the flags' names, a flag
//! winning over the file, `--print-config`, bad files told by line; and
//! `SIGHUP` reading the file again: what can change does at once, for the
//! connections that are up, and a broken file changes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{BIN, LineClient, ServerProc, free_port, scratch, sighup_and_wait};

fn start_output(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN).arg("start").args(args).output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.success(), text(&out.stdout), text(&out.stderr))
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn print_config_shows_defaults_file_and_flags_and_reads_back_the_same() {
    let dir = scratch("config-print");
    let file = dir.join("mchat.toml");
    write(
        &file,
        "heartbeat-ms = 500\nmax-rooms = 9\nlog-level = \"debug\"\n",
    );
    let path = file.display().to_string();
    let (ok, printed, said) = start_output(&[
        "--config",
        &path,
        "--max-rooms",
        "7",
        "--print-config",
        "127.0.0.1",
        "6061",
        "6062",
    ]);
    assert!(ok, "{said}");
    let lines: Vec<&str> = printed.lines().collect();
    for want in [
        "heartbeat-ms = 500",
        "max-rooms = 7",
        "log-level = \"debug\"",
        "max-clients = 10000",
        "flood-rate = 20",
        "drain-ms = 0",
    ] {
        assert!(lines.contains(&want), "{want:?} not in\n{printed}");
    }
    // Printed, then read back as the only file: the same configuration.
    let again = dir.join("printed.toml");
    write(&again, &printed);
    let again = again.display().to_string();
    let (ok, reprinted, said) = start_output(&[
        "--config",
        &again,
        "--print-config",
        "127.0.0.1",
        "6061",
        "6062",
    ]);
    assert!(ok, "{said}");
    assert_eq!(reprinted, printed);
}

#[test]
fn a_bad_file_is_told_by_key_and_line_and_nothing_starts() {
    let dir = scratch("config-bad");
    let file = dir.join("bad.toml");
    let path = file.display().to_string();
    for (text, want) in [
        (
            "heartbeat-ms = 500\nheartbeat-msx = 3\n",
            "line 2: unknown field `heartbeat-msx` (mchat-server start --help lists the options)",
        ),
        (
            "max-clients = \"many\"\n",
            "line 1: invalid type: string \"many\"",
        ),
        ("max-clients = \n", "line 1:"),
        ("host = \"127.0.0.1\"\n", "line 1: unknown field `host`"),
    ] {
        write(&file, text);
        let (ok, _, said) = start_output(&["--config", &path, "127.0.0.1", "0", "0"]);
        assert!(!ok);
        assert!(
            said.starts_with(&format!("mchat-server: config file {path}: {want}")),
            "{text:?}: {said}"
        );
    }
    let (ok, _, said) = start_output(&["--config", "/nonexistent/m.toml", "127.0.0.1", "0", "0"]);
    assert!(!ok && said.contains("/nonexistent/m.toml"), "{said}");
}

/// HEARTs `client` hears within `within` (answered, other lines skipped).
fn hearts_within(client: &mut LineClient, within: Duration) -> usize {
    let deadline = Instant::now() + within;
    let mut hearts = 0;
    while let Some(line) = client.next_line_until(deadline, true) {
        if line == "HEART" {
            hearts += 1;
            client.send("BLEED");
        }
    }
    hearts
}

#[test]
fn sighup_applies_a_new_heartbeat_and_log_level_to_a_connected_client() {
    let dir = scratch("config-reload");
    let file = dir.join("mchat.toml");
    // Many beats may be missed: the test reads the client only now and then.
    let fixed = "missed-heartbeats = 1000\n";
    write(
        &file,
        &format!("{fixed}heartbeat-ms = 60000\nlog-level = \"info\"\n"),
    );
    let path = file.display().to_string();
    let ports = (free_port(), free_port());
    let server = ServerProc::start(&dir, "127.0.0.1", ports, None, &["--config", &path]);
    let mut alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    let _bob = LineClient::member(server.client_port, "bob", &["lobby"]);

    write(
        &file,
        &format!("{fixed}heartbeat-ms = 200\nlog-level = \"debug\"\n"),
    );
    sighup_and_wait(&server, "received SIGHUP: changed");
    let log = server.log();
    assert!(
        log.contains("changed heartbeat_interval 60s -> 200ms, log level info -> debug"),
        "{log}"
    );
    assert!(
        !log.contains("bob joined lobby"),
        "info hid the joins:\n{log}"
    );
    // The same connection: beats 200 ms apart now, not a minute.
    assert!(hearts_within(&mut alice, Duration::from_secs(2)) >= 3);
    let _carol = LineClient::member(server.client_port, "carol", &["lobby"]);
    support::log_says(&server, "carol joined lobby");

    // A broken file: told, and nothing changes.
    write(&file, "heartbeat-ms = [\n");
    sighup_and_wait(&server, "nothing changed");
    assert!(
        server.log().contains("received SIGHUP: config file"),
        "{}",
        server.log()
    );
    let _dave = LineClient::member(server.client_port, "dave", &["lobby"]);
    support::log_says(&server, "dave joined lobby");
    assert!(
        hearts_within(&mut alice, Duration::from_secs(2)) >= 3,
        "still 200 ms"
    );

    // What needs a restart is said, and left as it was.
    write(
        &file,
        &format!(
            "{fixed}heartbeat-ms = 200\nlog-level = \"debug\"\nno-interest-routing = true\ndrain-ms = 5\n"
        ),
    );
    sighup_and_wait(&server, "take a restart");
    assert!(
        server
            .log()
            .contains("extensions, drain-ms changed in the config file but take a restart"),
        "{}",
        server.log()
    );
}
