//! PROTOCOL.md §4, room-interest routing (`interest/1`, EXTENSION): between
//! servers that agreed on it, a room's lines go to a peer only if it has
//! local members there; others, and every original, get every line.

use mchat_core::server::{ConnId, Listener};
use mchat_core::wire::{Extension, ExtensionSet};

use crate::harness::{Harness, config};

const INTEREST: &str = "EXT gossip/1 interest/1";

/// A fake server of ours that linked with interest routing and listed
/// `rooms` as the ones it wants (or nothing yet, with `synced` false).
fn interested_peer(h: &mut Harness, port: u16, rooms: &[&str], synced: bool) -> ConnId {
    let id = h.accept(Listener::Server);
    h.say(id, &format!("MY_ADDR 10.0.0.7 {port}"));
    h.say(id, INTEREST);
    if !rooms.is_empty() {
        h.say(id, &format!("INTEREST_ADD {}", rooms.join(" ")));
    }
    if synced {
        h.say(id, "INTEREST_SYNCED");
    }
    h.take(id);
    id
}

#[test]
fn a_peer_that_agrees_is_sent_our_rooms_then_the_synced_mark() {
    let mut h = Harness::with_defaults();
    h.member("alice", &["lobby", "den"]);
    h.member("bob", &["attic"]);
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.take(peer);
    h.say(peer, INTEREST);
    let said = h.take(peer);
    assert_eq!(
        said[said.len() - 2..],
        ["INTEREST_ADD attic den lobby", "INTEREST_SYNCED"]
    );
}

#[test]
fn a_synced_peer_gets_only_the_rooms_it_listed() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let carol = h.member("carol", &["den"]);
    let peer = interested_peer(&mut h, 7000, &["lobby"], true);
    h.say(alice, "MSG alice lobby for the peer");
    h.say(carol, "MSG carol den not for the peer");
    assert_eq!(h.take(peer), ["MSG alice lobby for the peer"]);
    // A room it adds later is sent from then on; one it drops is not.
    h.say(peer, "INTEREST_ADD den");
    h.say(peer, "INTEREST_DEL lobby");
    h.say(alice, "MSG alice lobby now not");
    h.say(carol, "MSG carol den now yes");
    assert_eq!(h.take(peer), ["MSG carol den now yes"]);
}

#[test]
fn until_its_list_is_complete_a_peer_gets_every_line() {
    let mut h = Harness::with_defaults();
    let carol = h.member("carol", &["den"]);
    let peer = interested_peer(&mut h, 7000, &["lobby"], false);
    h.say(carol, "MSG carol den still sent");
    assert_eq!(h.take(peer), ["MSG carol den still sent"]);
}

#[test]
fn an_original_peer_gets_every_line_and_no_interest_line() {
    let mut h = Harness::with_defaults();
    let original = h.accept(Listener::Server);
    h.say(original, "MY_ADDR 10.0.0.7 7000");
    h.take(original);
    let carol = h.member("carol", &["den"]);
    h.say(carol, "MSG carol den hello");
    h.say(carol, "PART den");
    assert_eq!(
        h.take(original),
        [
            "SYSTEM den carol joined channel",
            "MSG carol den hello",
            "SYSTEM den carol left channel"
        ]
    );
    // Its interest lines, if it sent any, change nothing.
    h.say(original, "INTEREST_SYNCED");
    let dave = h.member("dave", &["attic"]);
    h.say(dave, "MSG dave attic still everything");
    assert!(
        h.take(original)
            .contains(&"MSG dave attic still everything".to_owned())
    );
}

#[test]
fn the_first_member_announces_the_room_before_its_joined_notice() {
    let mut h = Harness::with_defaults();
    let peer = interested_peer(&mut h, 7000, &["new"], true);
    h.member("alice", &["new"]);
    assert_eq!(
        h.take(peer),
        ["INTEREST_ADD new", "SYSTEM new alice joined channel"]
    );
    // A second member announces nothing more.
    h.member("bob", &["new"]);
    assert_eq!(h.take(peer), ["SYSTEM new bob joined channel"]);
}

#[test]
fn the_last_member_leaving_withdraws_the_room_after_its_notice() {
    let mut h = Harness::with_defaults();
    let peer = interested_peer(&mut h, 7000, &["r", "s"], true);
    let alice = h.member("alice", &["r", "s"]);
    let bob = h.member("bob", &["r"]);
    h.take(peer);
    h.say(alice, "PART r");
    assert_eq!(h.take(peer), ["SYSTEM r alice left channel"]);
    h.close(bob);
    assert_eq!(
        h.take(peer),
        ["SYSTEM r bob left channel", "INTEREST_DEL r"]
    );
    h.close(alice);
    assert_eq!(
        h.take(peer),
        ["SYSTEM s alice left channel", "INTEREST_DEL s"]
    );
}

#[test]
fn interest_lines_from_a_link_that_did_not_agree_are_dropped() {
    let mut h = Harness::with_defaults();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.say(peer, "EXT gossip/1");
    h.say(peer, "INTEREST_SYNCED");
    h.take(peer);
    let carol = h.member("carol", &["den"]);
    h.say(carol, "MSG carol den sent anyway");
    assert_eq!(
        h.take(peer),
        [
            "SYSTEM den carol joined channel",
            "MSG carol den sent anyway"
        ]
    );
}

#[test]
fn a_server_with_interest_routing_off_sends_every_line() {
    let mut cfg = config();
    cfg.extensions = ExtensionSet::all().without(Extension::Interest);
    let mut h = Harness::new(cfg);
    let peer = interested_peer(&mut h, 7000, &["lobby"], true);
    let carol = h.member("carol", &["den"]);
    h.say(carol, "MSG carol den sent anyway");
    assert_eq!(
        h.take(peer),
        [
            "SYSTEM den carol joined channel",
            "MSG carol den sent anyway"
        ]
    );
}
