//! Real servers in a mesh (PROTOCOL.md §4, §8): built through one address,
//! joined through another, a server killed with SIGKILL and restarted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{LineClient, ServerProc, chat_exactly_once, free_port, scratch, until_connected};

// Default heartbeats (the test clients answer HEART only while they read).
const FAST: [&str; 2] = ["--reconnect-ms", "200"];

fn start(dir: &std::path::Path, ports: (u16, u16), peer: Option<u16>) -> ServerProc {
    ServerProc::start(
        dir,
        "127.0.0.1",
        ports,
        peer.map(|p| ("127.0.0.1", p)),
        &FAST,
    )
}

#[test]
fn mesh_forms_survives_a_kill_and_heals_after_restart() {
    let dir = scratch("mesh");
    let ports: Vec<(u16, u16)> = (0..4).map(|_| (free_port(), free_port())).collect();
    let s1 = start(&dir, ports[0], None);
    let s2 = start(&dir, ports[1], Some(s1.server_port));
    let mut s3 = start(&dir, ports[2], Some(s1.server_port));
    let nicks = ["c1", "c2", "c3", "c4"];
    let mut clients = vec![
        LineClient::member(s1.client_port, "c1", &["lobby"]),
        LineClient::member(s2.client_port, "c2", &["lobby"]),
        LineClient::member(s3.client_port, "c3", &["lobby"]),
    ];
    for sender in 0..3 {
        until_connected(sender, &mut clients, &nicks[..3]);
    }
    chat_exactly_once(&mut clients, &nicks[..3], "three", 20);

    // A fourth server joins through server 2 and is linked to all.
    let s4 = start(&dir, ports[3], Some(s2.server_port));
    clients.push(LineClient::member(s4.client_port, "c4", &["lobby"]));
    for sender in 0..4 {
        until_connected(sender, &mut clients, &nicks);
    }
    chat_exactly_once(&mut clients, &nicks, "four", 20);
    assert!(s4.log().matches("connected").count() >= 3, "{}", s4.log());

    // SIGKILL server 3: the others keep chatting.
    s3.kill9();
    clients.remove(2);
    let survivors = ["c1", "c2", "c4"];
    for c in clients.iter_mut() {
        c.drain(Duration::from_millis(300));
    }
    chat_exactly_once(&mut clients, &survivors, "survivors", 20);

    // Restarted on its ports, it rejoins and the mesh is whole again.
    let s3 = start(&dir, ports[2], Some(s1.server_port));
    clients.insert(2, LineClient::member(s3.client_port, "c3", &["lobby"]));
    for sender in 0..4 {
        until_connected(sender, &mut clients, &nicks);
    }
    chat_exactly_once(&mut clients, &nicks, "healed", 20);
    drop((s1, s2, s3, s4));
}
