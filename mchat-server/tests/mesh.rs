//! Real servers in a mesh (PROTOCOL.md §4, §8): built through one address,
//! joined through another, a server killed with SIGKILL and restarted.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use support::{DEADLINE, LineClient, ServerProc, free_port, scratch};

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

/// Until `probe` from `sender` has reached every other client, keeps
/// sending fresh probes; then drains. Returns once the mesh carries lines
/// from `sender` to all.
fn until_connected(sender: usize, clients: &mut [LineClient], nicks: &[&str]) {
    let deadline = Instant::now() + DEADLINE * 2;
    for attempt in 0.. {
        assert!(
            Instant::now() < deadline,
            "client {sender}'s probes never reached everyone"
        );
        let probe = format!("MSG {} lobby probe {attempt}", nicks[sender]);
        clients[sender].send(&probe);
        let mut all = true;
        for (i, c) in clients.iter_mut().enumerate() {
            if i == sender {
                continue;
            }
            let lines = c.drain(Duration::from_millis(300));
            if !lines.contains(&probe) {
                all = false;
            }
        }
        if all {
            break;
        }
    }
    for c in clients.iter_mut() {
        c.drain(Duration::from_millis(200));
    }
}

/// Every client sends `n` numbered lines; every other client must get each
/// exactly once, in order per sender.
fn chat_exactly_once(clients: &mut [LineClient], nicks: &[&str], tag: &str, n: usize) {
    for i in 0..n {
        for (c, nick) in clients.iter_mut().zip(nicks) {
            c.send(&format!("MSG {nick} lobby {tag} {i}"));
        }
    }
    for (me, c) in clients.iter_mut().enumerate() {
        let mut got: HashMap<String, Vec<usize>> = HashMap::new();
        let want = (nicks.len() - 1) * n;
        let deadline = Instant::now() + DEADLINE;
        let mut total = 0;
        while total < want {
            let Some(line) = c.next_line_until(deadline, false) else {
                break;
            };
            let Some(rest) = line.strip_prefix("MSG ") else {
                continue;
            };
            let mut f = rest.splitn(3, ' ');
            let (nick, _room, text) = (f.next().unwrap(), f.next().unwrap(), f.next().unwrap());
            let Some(num) = text.strip_prefix(&format!("{tag} ")) else {
                continue;
            };
            got.entry(nick.to_owned())
                .or_default()
                .push(num.parse().unwrap());
            total += 1;
        }
        for (sender, nick) in nicks.iter().enumerate() {
            if sender == me {
                assert!(!got.contains_key(*nick), "client {me} got its own lines");
                continue;
            }
            let expected: Vec<usize> = (0..n).collect();
            assert_eq!(got.get(*nick), Some(&expected), "client {me} from {nick}");
        }
        // Nothing more: no duplicates trailing behind.
        let extra: Vec<String> = c
            .drain(Duration::from_millis(300))
            .into_iter()
            .filter(|l| l.contains(tag))
            .collect();
        assert!(extra.is_empty(), "client {me} got extra lines {extra:?}");
    }
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
