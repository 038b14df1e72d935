//! Presence across a real mesh (PROTOCOL.md §3 `NAMES`, §4 presence): every
//! server of a 3-server mesh lists every member of a room, and when one
//! server is killed, every survivor tells its own members, once per room,
//! that the dead server's members left.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use support::{
    DEADLINE, LineClient, ServerProc, free_port, lobby_members, scratch, until_connected,
};

/// A's peers B and C join it; each is a server of ours with the defaults.
fn three_servers(name: &str) -> Vec<ServerProc> {
    let dir = scratch(name);
    // Ports of our own choosing: the pidfile is named after the client port.
    let ports = || (free_port(), free_port());
    let a = ServerProc::start(&dir, "127.0.0.1", ports(), None, &[]);
    let peer = Some(("127.0.0.1", a.server_port));
    let b = ServerProc::start(&dir, "127.0.0.1", ports(), peer, &[]);
    let c = ServerProc::start(&dir, "127.0.0.1", ports(), peer, &[]);
    vec![a, b, c]
}

/// The answer to `NAMES <room>`: every nick of its `MEMBERS` lines, sorted,
/// up to its `MEMBERS_END`. Other lines on the way are left aside.
fn names(client: &mut LineClient, room: &str) -> Vec<String> {
    client.send(&format!("NAMES {room}"));
    let deadline = Instant::now() + DEADLINE;
    let mut nicks = Vec::new();
    loop {
        let line = client
            .next_line_until(deadline, false)
            .unwrap_or_else(|| panic!("no MEMBERS_END {room} in time"));
        if line == format!("MEMBERS_END {room}") {
            break;
        }
        if let Some(rest) = line.strip_prefix(&format!("MEMBERS {room} ")) {
            nicks.extend(rest.split(' ').map(str::to_owned));
        }
    }
    nicks.sort();
    nicks
}

/// Asks until the answer is `want`; fails with the last answer at the deadline.
fn names_become(client: &mut LineClient, room: &str, want: &[&str]) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let got = names(client, room);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "NAMES {room} stayed {got:?}, not {want:?}"
        );
        client.drain(Duration::from_millis(200));
    }
}

/// Reads every client in turn, in short slices so none misses its beats,
/// counting the `left channel` notices each gets, until `until` or, with
/// `enough`, until each has that many different ones.
fn read_departures(
    clients: &mut [LineClient],
    got: &mut [HashMap<String, usize>],
    until: Instant,
    enough: Option<usize>,
) {
    while Instant::now() < until {
        if enough.is_some_and(|n| got.iter().all(|g| g.len() >= n)) {
            return;
        }
        for (c, g) in clients.iter_mut().zip(got.iter_mut()) {
            let slice = Instant::now() + Duration::from_millis(50);
            while let Some(line) = c.next_line_until(slice, false) {
                if line.ends_with(" left channel") {
                    *g.entry(line).or_default() += 1;
                }
            }
        }
    }
}

#[test]
fn names_lists_the_members_on_every_server_of_a_three_server_mesh() {
    let servers = three_servers("names");
    // Members join before and after the mesh forms: both must be listed.
    let mut early = LineClient::member(servers[1].client_port, "b-early", &["lobby"]);
    let nicks = ["a1", "b1", "c1"];
    let ports: Vec<u16> = servers.iter().map(|s| s.client_port).collect();
    let mut clients = lobby_members(&ports, &nicks);
    early.drain(Duration::from_millis(100));
    let everyone = ["a1", "b-early", "b1", "c1"];
    for c in clients.iter_mut() {
        names_become(c, "lobby", &everyone);
    }
    // A member who leaves is gone from the lists everywhere once its
    // notice has arrived (the server handled it before passing it on).
    early.send("PART lobby");
    for c in clients.iter_mut() {
        c.expect("SYSTEM lobby b-early left channel");
        assert_eq!(names(c, "lobby"), ["a1", "b1", "c1"]);
    }
    // Only for members of the room.
    clients[0].send("NAMES elsewhere");
    let refusal = clients[0]
        .wait_for(|l| l.starts_with("ERROR "), DEADLINE)
        .unwrap();
    assert!(refusal.starts_with("ERROR not-joined "), "{refusal}");
}

#[test]
fn killing_a_server_makes_every_survivor_announce_its_members_gone_once_per_room() {
    let mut servers = three_servers("killed");
    let victim = 2;
    let mut doomed = [
        LineClient::member(servers[victim].client_port, "v1", &["lobby", "den"]),
        LineClient::member(servers[victim].client_port, "v2", &["lobby"]),
    ];
    let nicks = ["s0", "s1", "v0"];
    let mut clients: Vec<LineClient> = servers
        .iter()
        .zip(nicks)
        .map(|(s, nick)| LineClient::member(s.client_port, nick, &["lobby", "den"]))
        .collect();
    for sender in 0..clients.len() {
        until_connected(sender, &mut clients, &nicks);
    }
    for c in doomed.iter_mut() {
        c.drain(Duration::from_millis(100));
    }
    // Both survivors know the victim's members before it dies.
    for c in clients.iter_mut().take(2) {
        names_become(c, "lobby", &["s0", "s1", "v0", "v1", "v2"]);
        names_become(c, "den", &["s0", "s1", "v0", "v1"]);
    }
    servers[victim].kill9();
    let expected = [
        "SYSTEM den v0 left channel",
        "SYSTEM den v1 left channel",
        "SYSTEM lobby v0 left channel",
        "SYSTEM lobby v1 left channel",
        "SYSTEM lobby v2 left channel",
    ];
    // Both survivors are read side by side, so neither misses its beats.
    let mut survivors: Vec<LineClient> = clients.drain(..2).collect();
    let mut got: Vec<HashMap<String, usize>> = vec![HashMap::new(); 2];
    // The heartbeat timeout (8 s) passes before they count as gone.
    let until = Instant::now() + DEADLINE * 2;
    read_departures(&mut survivors, &mut got, until, Some(expected.len()));
    // Then a quiet spell in which nothing may be announced twice.
    let until = Instant::now() + Duration::from_secs(3);
    read_departures(&mut survivors, &mut got, until, None);
    let want: Vec<(String, usize)> = expected.iter().map(|l| ((*l).to_owned(), 1)).collect();
    for (i, (c, got)) in survivors.iter_mut().zip(got).enumerate() {
        let mut got: Vec<(String, usize)> = got.into_iter().collect();
        got.sort();
        assert_eq!(got, want, "survivor {i}");
        assert_eq!(names(c, "lobby"), ["s0", "s1"], "survivor {i}");
    }
}
