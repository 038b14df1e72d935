//! Room-interest routing on a real server (PROTOCOL.md §4, `interest/1`):
//! a peer of ours with no member in a room receives nothing for it, while
//! one that wants the room, and an original, receive its lines; with
//! `--no-interest-routing` every peer receives every line.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::Duration;

use support::{DEADLINE, LineClient, ServerProc, scratch};

/// A fake server on the real server's server port: the handshake, then
/// `after` (its EXT and interest lines; nothing for an original), then a
/// `HEART` whose `BLEED` shows the server has read it all.
fn fake_peer(server: &ServerProc, port: u16, after: &[&str]) -> LineClient {
    let mut peer = LineClient::connect("127.0.0.1", server.server_port);
    peer.wait_for(|l| l.starts_with("ALL_ADDRS"), Duration::from_secs(5))
        .unwrap_or_else(|seen| panic!("no ALL_ADDRS: {seen:?}"));
    peer.send(&format!("MY_ADDR 127.0.0.1 {port}"));
    for line in after {
        peer.send(line);
    }
    sync(&mut peer);
    peer
}

/// Sends `HEART` and reads until its `BLEED`: the lines of `room` seen
/// meanwhile. Lines of one connection are handled in order, so once the
/// `BLEED` is back, everything sent before the `HEART` has been read.
fn sync_collecting(peer: &mut LineClient, room: &str) -> Vec<String> {
    peer.send("HEART");
    let mut seen = Vec::new();
    loop {
        let line = peer
            .next_line()
            .unwrap_or_else(|| panic!("no BLEED; got {seen:?}"));
        if line == "BLEED" {
            return seen;
        }
        if line.starts_with(&format!("MSG alice {room} ")) {
            seen.push(line);
        }
    }
}

fn sync(peer: &mut LineClient) {
    sync_collecting(peer, "");
}

/// The five lines alice says in the lobby, as peers that want it get them.
fn lobby_lines() -> Vec<String> {
    (0..5)
        .map(|i| format!("MSG alice lobby line {i}"))
        .collect()
}

/// Reads until every one of alice's five lines has come.
fn expect_lobby_lines(peer: &mut LineClient) {
    let mut got = Vec::new();
    while got.len() < 5 {
        match peer.wait_for(|l| l.starts_with("MSG alice lobby line "), DEADLINE) {
            Ok(line) => got.push(line),
            Err(seen) => panic!("got {got:?}, then {seen:?}"),
        }
    }
    assert_eq!(got, lobby_lines());
}

/// What the peer that wants no room gets of alice's five lobby lines.
fn lobby_lines_for_a_peer_wanting_nothing(server_flags: &[&str]) -> Vec<String> {
    let server = ServerProc::start(
        &scratch("interest"),
        "127.0.0.1",
        (0, 0),
        None,
        server_flags,
    );
    let interest = "EXT gossip/1 interest/1";
    let mut wants_lobby = fake_peer(
        &server,
        7001,
        &[interest, "INTEREST_ADD lobby", "INTEREST_SYNCED"],
    );
    let mut wants_nothing = fake_peer(&server, 7002, &[interest, "INTEREST_SYNCED"]);
    let mut original = fake_peer(&server, 7003, &[]);
    let mut alice = LineClient::member(server.client_port, "alice", &["lobby"]);
    for line in lobby_lines() {
        alice.send(&line);
    }
    expect_lobby_lines(&mut wants_lobby);
    expect_lobby_lines(&mut original);
    // Everything alice said has been sent where it was going to go; what
    // the last peer got of it is in its socket before the answer to this.
    let got = sync_collecting(&mut wants_nothing, "lobby");
    // Once it wants the lobby, it gets the lobby's next line, and only that.
    wants_nothing.send("INTEREST_ADD lobby");
    sync(&mut wants_nothing);
    alice.send("MSG alice lobby after");
    let next = wants_nothing
        .wait_for(|l| l.starts_with("MSG alice lobby "), DEADLINE)
        .unwrap_or_else(|seen| panic!("no lobby line after INTEREST_ADD: {seen:?}"));
    assert_eq!(next, "MSG alice lobby after");
    got
}

#[test]
fn a_peer_with_no_member_in_a_room_receives_nothing_for_it() {
    assert_eq!(
        lobby_lines_for_a_peer_wanting_nothing(&[]),
        Vec::<String>::new()
    );
}

#[test]
fn with_no_interest_routing_every_peer_receives_every_line() {
    assert_eq!(
        lobby_lines_for_a_peer_wanting_nothing(&["--no-interest-routing"]),
        lobby_lines()
    );
}
