//! The authenticated mesh with real processes (PROTOCOL.md §4, `auth/1`):
//! servers given one secret link and chat; a server with another secret,
//! and a script that forges lines, are refused, and nothing they send
//! reaches anyone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::{
    LineClient, ServerProc, chat_exactly_once, free_port, intruder_reaches_no_one, lobby_members,
    log_says, scratch,
};

fn secret_file(dir: &Path, name: &str, secret: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{secret}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    path
}

fn secured(dir: &Path, secret: &Path, peer: Option<u16>) -> ServerProc {
    let secret = secret.to_str().unwrap();
    let peer = peer.map(|port| ("127.0.0.1", port));
    // Ports of our own choosing: the pidfile is named after the client port.
    let ports = (free_port(), free_port());
    ServerProc::start(
        dir,
        "127.0.0.1",
        ports,
        peer,
        &["--mesh-secret-file", secret],
    )
}

#[test]
fn three_servers_with_one_secret_carry_chat_and_one_with_another_is_refused() {
    let dir = scratch("auth-mesh");
    let good = secret_file(&dir, "good", "correct horse battery staple");
    let a = secured(&dir, &good, None);
    let b = secured(&dir, &good, Some(a.server_port));
    let c = secured(&dir, &good, Some(a.server_port));
    let nicks = ["a1", "b1", "c1"];
    let mut clients = lobby_members(&[a.client_port, b.client_port, c.client_port], &nicks);
    chat_exactly_once(&mut clients, &nicks, "secured", 10);

    // Another network's server tries to join through A.
    let bad = secret_file(&dir, "bad", "a different network's secret");
    let intruder = secured(&dir, &bad, Some(a.server_port));
    log_says(&a, "peer failed authentication");
    intruder_reaches_no_one(&intruder, &mut clients);
}

#[test]
fn a_script_that_forges_lines_on_the_server_port_reaches_no_one() {
    let dir = scratch("auth-forge");
    let good = secret_file(&dir, "good", "correct horse battery staple");
    let a = secured(&dir, &good, None);
    let mut alice = LineClient::member(a.client_port, "alice", &["lobby"]);
    let mut forger = LineClient::connect("127.0.0.1", a.server_port);
    let challenge = forger.next_line().unwrap();
    assert!(
        challenge.starts_with("AUTH_HELLO 127.0.0.1 "),
        "{challenge}"
    );
    forger.send("MY_ADDR 127.0.0.1 47999");
    forger.send("MSG bob lobby I am bob, send me your password");
    forger.send("SYSTEM lobby ADMIN: server shutting down, reconnect to evil");
    // Closed at the handshake timeout (2 s), having been sent nothing more.
    let after = forger.expect_closed();
    assert!(after.is_empty(), "{after:?}");
    log_says(&a, "peer failed authentication");
    let heard = alice.drain(Duration::from_millis(500));
    assert!(heard.is_empty(), "{heard:?}");
}
