//! Mixed meshes (PROTOCOL.md §4, negotiation and gossip): our servers beside
//! stand-ins for the original (`--as-original`), chained each through the
//! previous one. Every line arrives exactly once and every pair of servers
//! ends with one link, in either order of implementations.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::{Duration, Instant};

use support::{
    DEADLINE, ServerProc, chat_exactly_once, free_port, links_accepted_on, lobby_members, scratch,
};

/// Four servers, each joining the previous one; `original_first` says
/// whether the first is a stand-in original (then every other one is).
fn alternating_chain(original_first: bool) {
    let dir = scratch("mixed");
    let mut servers: Vec<ServerProc> = Vec::new();
    for i in 0..4 {
        let original = (i % 2 == 0) == original_first;
        let flags: &[&str] = if original { &["--as-original"] } else { &[] };
        let peer = servers.last().map(|s| ("127.0.0.1", s.server_port));
        // Ports of our own choosing: the pidfile is named after the client port.
        let ports = (free_port(), free_port());
        servers.push(ServerProc::start(&dir, "127.0.0.1", ports, peer, flags));
    }
    let nicks = ["c0", "c1", "c2", "c3"];
    let ports: Vec<u16> = servers.iter().map(|s| s.client_port).collect();
    let mut clients = lobby_members(&ports, &nicks);
    // One link a pair: 6 for 4 servers. A pair of originals that dialled
    // each other would keep 2 for good, so this is never reached then.
    let server_ports: Vec<u16> = servers.iter().map(|s| s.server_port).collect();
    let deadline = Instant::now() + DEADLINE;
    let mut links = links_accepted_on(&server_ports);
    while links != 6 && Instant::now() < deadline {
        for c in clients.iter_mut() {
            c.drain(Duration::from_millis(100));
        }
        links = links_accepted_on(&server_ports);
    }
    assert_eq!(links, 6, "links between the 4 servers");
    chat_exactly_once(&mut clients, &nicks, "mixed", 20);
    assert_eq!(links_accepted_on(&server_ports), 6, "a link came or went");
}

#[test]
fn ours_first_alternating_with_originals_gives_one_link_a_pair_and_every_line_once() {
    alternating_chain(false);
}

#[test]
fn original_first_alternating_with_ours_gives_one_link_a_pair_and_every_line_once() {
    alternating_chain(true);
}
