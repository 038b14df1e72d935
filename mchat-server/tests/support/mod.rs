//! What this crate's tests share beyond `testkit`: the binary under test,
//! and the checks of a mesh: lines cross it, exactly once, over one link a pair.

#![allow(unused_imports, dead_code, reason = "each test file uses some of them")]

pub const BIN: &str = env!("CARGO_BIN_EXE_mchat-server");

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub use testkit::{DEADLINE, LineClient, ServerProc, free_port, scratch};

/// Until `probe` from `sender` has reached every other client, keeps
/// sending fresh probes; then drains. Returns once the mesh carries lines
/// from `sender` to all.
pub fn until_connected(sender: usize, clients: &mut [LineClient], nicks: &[&str]) {
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

/// One member of `lobby` on each of `client_ports`, named by `nicks`;
/// returns once the mesh carries lines from each of them to all.
pub fn lobby_members(client_ports: &[u16], nicks: &[&str]) -> Vec<LineClient> {
    let mut clients: Vec<LineClient> = client_ports
        .iter()
        .zip(nicks)
        .map(|(&port, nick)| LineClient::member(port, nick, &["lobby"]))
        .collect();
    for sender in 0..clients.len() {
        until_connected(sender, &mut clients, nicks);
    }
    clients
}

/// Every client sends `n` numbered lines; every other client must get each
/// exactly once, in order per sender.
pub fn chat_exactly_once(clients: &mut [LineClient], nicks: &[&str], tag: &str, n: usize) {
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

/// Established TCP connections (IPv4) whose local port is one of `ports`:
/// with the servers' server ports, one per link between two servers (the
/// acceptor's end; the dialler's end has an ephemeral port).
pub fn links_accepted_on(ports: &[u16]) -> usize {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table
        .lines()
        .skip(1)
        .filter(|row| {
            let fields: Vec<&str> = row.split_whitespace().collect();
            let established = fields.get(3) == Some(&"01");
            let local_port = fields
                .get(1)
                .and_then(|a| a.rsplit(':').next())
                .and_then(|hex| u16::from_str_radix(hex, 16).ok());
            established && local_port.is_some_and(|p| ports.contains(&p))
        })
        .count()
}

/// Waits until `server`'s log says `what`; fails at the deadline.
pub fn log_says(server: &ServerProc, what: &str) {
    let deadline = Instant::now() + DEADLINE;
    while !server.log().contains(what) {
        assert!(
            Instant::now() < deadline,
            "the log never said {what:?}:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends SIGHUP to `server` and waits until its log says it reloaded.
pub fn reload(server: &ServerProc) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(server.child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).unwrap();
    log_says(server, "received SIGHUP: reloaded the TLS certificate");
}

/// A server outside the network (`intruder`, which tried to join) has a
/// member say lines in `lobby`: none may reach `clients`, and the intruder
/// must never have counted a link.
pub fn intruder_reaches_no_one(intruder: &ServerProc, clients: &mut [LineClient]) {
    let mut mallory = LineClient::member(intruder.client_port, "mallory", &["lobby"]);
    for i in 0..5 {
        mallory.send(&format!("MSG mallory lobby from outside the network {i}"));
    }
    for c in clients.iter_mut() {
        let heard = c.drain(Duration::from_secs(2));
        assert!(heard.iter().all(|l| !l.contains("mallory")), "{heard:?}");
    }
    // "server … connected (#…)" is a counted link.
    assert!(
        !intruder.log().contains(" connected ("),
        "{}",
        intruder.log()
    );
}

/// Sends SIGHUP to `server`, and waits until its log has one more line
/// saying `what` than before.
pub fn sighup_and_wait(server: &ServerProc, what: &str) {
    let before = server.log().matches(what).count();
    let pid = nix::unistd::Pid::from_raw(i32::try_from(server.child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGHUP).unwrap();
    let deadline = Instant::now() + DEADLINE;
    while server.log().matches(what).count() <= before {
        assert!(
            Instant::now() < deadline,
            "the log never said {what:?} again:\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
