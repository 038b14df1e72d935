//! What the tester says when nothing listens at `--server`: a non-zero exit
//! and a message that names the address it tried.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::process::Command;

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

/// An address on which nothing listens: a port that was just free.
fn dead_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr.to_string()
}

/// Runs the tester against nothing: it must fail, say how many clients it
/// tried, name the address, and print no table of zeros that looks like a
/// result.
fn fails_naming_the_address(args: &[&str], addr: &str, clients: usize) {
    let out = Command::new(TESTER).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "exit 0; stderr: {err}");
    assert!(
        err.contains(&format!("none of {clients} clients could connect")),
        "{err}"
    );
    assert!(err.contains(&format!("connecting to {addr}: ")), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn load_without_a_server_fails_and_names_the_address() {
    let addr = dead_address();
    let args = [
        "load",
        "--server",
        &addr,
        "--receivers",
        "2",
        "--senders",
        "1",
        "--messages",
        "10",
    ];
    fails_naming_the_address(&args, &addr, 3);
}

#[test]
fn idle_without_a_server_fails_and_names_the_address() {
    let addr = dead_address();
    let args = ["idle", "--server", &addr, "--clients", "3", "--hold", "0"];
    fails_naming_the_address(&args, &addr, 3);
}

#[test]
fn abuse_without_a_server_fails_every_case_it_runs_and_names_the_address() {
    let addr = dead_address();
    let out = Command::new(TESTER)
        .args(["abuse", "--server", &addr])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "exit 0: {text}");
    assert_eq!(
        text.lines().last(),
        Some("0 passed, 13 failed, 17 skipped"),
        "{text}"
    );
    let failed: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL ")).collect();
    assert_eq!(failed.len(), 13, "{text}");
    let refused = format!("the probe could not start: connecting to {addr}: ");
    assert!(failed.iter().all(|l| l.contains(&refused)), "{text}");
}
