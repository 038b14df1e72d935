//! PROTOCOL.md §6: every refused client line gets exactly one ERROR, to that
//! client alone, and changes nothing.

use mchat_core::server::{Event, Listener};

use crate::harness::Harness;

fn refused(line: &[u8]) -> String {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    let mut input = line.to_vec();
    input.push(b'\n');
    h.input(alice, &input);
    assert!(
        h.take(bob).is_empty(),
        "a refused line reached another client"
    );
    let code = h.error_code(alice);
    // The connection stays open and usable.
    h.say(alice, "MSG alice lobby still here");
    assert_eq!(h.take(bob), ["MSG alice lobby still here"]);
    code
}

#[test]
fn too_long_line_is_answered_too_long() {
    assert_eq!(
        refused(format!("MSG alice lobby {}", "x".repeat(1100)).as_bytes()),
        "too-long"
    );
}

#[test]
fn invalid_utf8_is_answered_bad_utf8() {
    assert_eq!(refused(b"MSG alice lobby \xff\xfe"), "bad-utf8");
}

#[test]
fn wrong_field_count_is_answered_malformed() {
    assert_eq!(refused(b"MSG alice lobby"), "malformed");
    assert_eq!(refused(b"JOIN a b"), "malformed");
    assert_eq!(refused(b""), "malformed");
    assert_eq!(refused(b"JOIN  lobby"), "malformed");
}

#[test]
fn unknown_or_lowercase_type_is_answered_unknown_command() {
    assert_eq!(refused(b"PRIVMSG alice hi"), "unknown-command");
    assert_eq!(refused(b"join lobby"), "unknown-command");
}

#[test]
fn server_only_types_from_a_client_are_answered_unknown_command() {
    for line in [
        "SYSTEM lobby fake notice",
        "ALL_ADDRS",
        "MY_ADDR h 1",
        "ERROR malformed x",
        "SYSTEM",
        "MY_ADDR",
    ] {
        assert_eq!(refused(line.as_bytes()), "unknown-command", "{line}");
    }
}

#[test]
fn bad_nick_and_bad_room_are_answered_so() {
    assert_eq!(
        refused(format!("NICK {}", "n".repeat(33)).as_bytes()),
        "bad-nick"
    );
    assert_eq!(refused(b"NICK a\x07b"), "bad-nick");
    assert_eq!(
        refused(format!("JOIN {}", "r".repeat(65)).as_bytes()),
        "bad-room"
    );
}

#[test]
fn msg_to_unjoined_room_is_refused_not_joined() {
    assert_eq!(refused(b"MSG alice rust hello"), "not-joined");
}

#[test]
fn msg_to_unjoined_room_does_not_change_the_nick() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.say(alice, "MSG mallory rust hello");
    assert_eq!(h.error_code(alice), "not-joined");
    assert!(h.take(bob).is_empty());
    h.say(alice, "PART lobby");
    assert_eq!(h.take(bob), ["SYSTEM lobby alice left channel"]);
}

#[test]
fn part_of_unjoined_room_is_refused_not_joined() {
    assert_eq!(refused(b"PART rust"), "not-joined");
}

#[test]
fn second_join_is_refused_already_joined() {
    assert_eq!(refused(b"JOIN lobby"), "already-joined");
}

#[test]
fn error_text_is_human_readable() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &[]);
    h.say(alice, "PART rust");
    assert_eq!(h.take(alice), ["ERROR not-joined you are not in rust"]);
}

#[test]
fn many_refusals_in_one_read_get_one_error_each() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    h.input(alice, b"bogus\nJOIN lobby\nPART nowhere\nHEART\n");
    let lines = h.take(alice);
    let firsts: Vec<&str> = lines
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap_or(l))
        .collect();
    assert_eq!(
        firsts,
        ["unknown-command", "already-joined", "not-joined", "BLEED"]
    );
}

#[test]
fn peers_are_never_sent_error_and_their_bad_lines_are_reported() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.9 6062");
    h.take_all();
    h.events.clear();
    for line in [
        "JOIN lobby",
        "garbage",
        "MSG x lobby",
        "ERROR malformed x",
        "NICK z",
    ] {
        h.say(peer, line);
    }
    h.input(peer, b"\xff\n");
    assert!(h.take(peer).is_empty());
    assert!(h.take(alice).is_empty());
    let dropped = h
        .events
        .iter()
        .filter(|e| matches!(e, Event::PeerLineDropped { .. }))
        .count();
    assert_eq!(dropped, 6);
}
