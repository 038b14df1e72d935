//! PROTOCOL.md §4, negotiation (EXTENSION): our servers offer their
//! extensions in `EXT` and use only what both ends offer; an original
//! server, which never offers any, gets exactly what an original would send.

use std::time::Duration;

use mchat_core::server::{CloseReason, Event, Listener, ServerConfig};
use mchat_core::wire::{Extension, ExtensionSet};

use crate::harness::{Harness, addr, config};

/// What the fake servers of ours offer here: gossip only (interest routing
/// has tests of its own).
const EXT: &str = "EXT gossip/1";
/// What this server offers.
const OFFER: &str = "EXT gossip/1 interest/1 presence/1";
/// What an acceptor of ours says after its offer: its own name.
const NAMED: &str = "MY_ADDR 10.0.0.5 6062";

#[test]
fn the_acceptor_offers_its_extensions_right_after_its_first_all_addrs() {
    let mut h = Harness::with_defaults();
    let candidate = h.accept(Listener::Server);
    assert_eq!(h.take(candidate), ["ALL_ADDRS", OFFER, NAMED]);
}

#[test]
fn the_dialler_offers_its_extensions_right_after_its_my_addr() {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    let (link, _) = h.dials[0].clone();
    h.server
        .dial_result(link, Some("10.0.0.5:50000".parse().unwrap()), h.now);
    h.drain();
    h.say(link, "ALL_ADDRS");
    assert_eq!(h.take(link), ["MY_ADDR 10.0.0.5 6062", OFFER]);
}

#[test]
fn an_original_peer_is_never_sent_unsolicited_all_addrs() {
    let mut h = Harness::with_defaults();
    let original = h.accept(Listener::Server);
    h.say(original, "MY_ADDR 10.0.0.7 7000");
    h.take_all();
    // Gaining a peer of ours gossips to ours only.
    let ours = h.accept(Listener::Server);
    h.say(ours, "MY_ADDR 10.0.0.8 8000");
    h.say(ours, EXT);
    assert!(h.take(original).is_empty());
    assert_eq!(
        h.take(ours),
        [
            "ALL_ADDRS 10.0.0.7 7000",
            OFFER,
            NAMED,
            "ALL_ADDRS 10.0.0.7 7000"
        ]
    );
    // Periodic gossip (every 30 s) too.
    for _ in 0..20 {
        h.advance(Duration::from_secs(2));
        h.say(original, "BLEED");
        h.say(ours, "BLEED");
    }
    let to_original = h.take(original);
    assert!(to_original.iter().all(|l| l == "HEART"), "{to_original:?}");
    assert!(h.take(ours).contains(&"ALL_ADDRS 10.0.0.7 7000".to_owned()));
    // It still gets the original's answer to its own ALL_ADDRS.
    h.say(original, "ALL_ADDRS");
    assert_eq!(h.take(original), ["MY_ADDR 10.0.0.5 6062"]);
}

#[test]
fn a_link_speaks_what_both_ends_offer_and_ignores_names_it_does_not_know() {
    let mut h = Harness::with_defaults();
    let newer = h.accept(Listener::Server);
    h.say(newer, "MY_ADDR 10.0.0.7 7000");
    h.say(newer, "EXT future-thing/3 gossip/2");
    let other = h.accept(Listener::Server);
    h.say(other, "MY_ADDR 10.0.0.8 8000");
    h.say(other, "EXT future-thing/1");
    let agreed: Vec<ExtensionSet> = h
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Negotiated { agreed, .. } => Some(*agreed),
            _ => None,
        })
        .collect();
    assert_eq!(
        agreed,
        [
            ExtensionSet::NONE.with(Extension::Gossip),
            ExtensionSet::NONE
        ]
    );
    h.take_all();
    // Only the one that agreed on gossip hears of newcomers.
    let third = h.accept(Listener::Server);
    h.say(third, "MY_ADDR 10.0.0.9 9000");
    assert_eq!(h.take(newer), ["ALL_ADDRS 10.0.0.8 8000 10.0.0.9 9000"]);
    assert!(h.take(other).is_empty());
}

#[test]
fn a_second_ext_on_one_link_changes_nothing() {
    let mut h = Harness::with_defaults();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.say(peer, EXT);
    h.say(peer, "EXT future-thing/1");
    let negotiated = h
        .events
        .iter()
        .filter(|e| matches!(e, Event::Negotiated { .. }))
        .count();
    assert_eq!(negotiated, 1);
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::PeerLineDropped { .. }))
    );
}

#[test]
fn a_malformed_ext_is_dropped_and_the_link_stays_original() {
    let mut h = Harness::with_defaults();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    for bad in [
        "EXT",
        "EXT gossip",
        "EXT Gossip/1",
        "EXT gossip/0",
        "EXT  gossip/1",
    ] {
        h.say(peer, bad);
    }
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, Event::Negotiated { .. }))
    );
    h.take_all();
    let third = h.accept(Listener::Server);
    h.say(third, "MY_ADDR 10.0.0.9 9000");
    assert!(
        h.take(peer).is_empty(),
        "gossip went to a link that never agreed"
    );
}

#[test]
fn clients_may_not_send_ext() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    h.say(c, EXT);
    assert_eq!(h.error_code(c), "unknown-command");
}

/// The stand-in for an original server (no extensions, no mesh upkeep).
fn original() -> Harness {
    let cfg = ServerConfig::original(addr("10.0.0.5", 6062));
    assert!(!cfg.extensions.contains(Extension::Gossip));
    Harness::new(cfg)
}

#[test]
fn a_stand_in_original_sends_no_ext_and_no_gossip() {
    let mut h = original();
    let first = h.accept(Listener::Server);
    assert_eq!(h.take(first), ["ALL_ADDRS"]);
    h.say(first, "MY_ADDR 10.0.0.7 7000");
    h.say(first, EXT);
    h.take_all();
    let second = h.accept(Listener::Server);
    h.say(second, "MY_ADDR 10.0.0.8 8000");
    assert_eq!(h.take(second), ["ALL_ADDRS 10.0.0.7 7000"]);
    assert!(h.take(first).is_empty());
}

#[test]
fn a_stand_in_original_keeps_a_second_link_to_one_peer_and_sends_on_both() {
    let mut h = original();
    let alice = h.member("alice", &["lobby"]);
    let one = h.accept(Listener::Server);
    h.say(one, "MY_ADDR 10.0.0.7 7000");
    let two = h.accept(Listener::Server);
    h.say(two, "MY_ADDR 10.0.0.7 7000");
    assert!(h.closed.is_empty(), "{:?}", h.closed);
    h.take_all();
    h.say(alice, "MSG alice lobby hi");
    assert_eq!(h.take(one), ["MSG alice lobby hi"]);
    assert_eq!(h.take(two), ["MSG alice lobby hi"]);
    // And it does not reconnect a lost peer.
    h.close(one);
    h.close(two);
    h.advance(Duration::from_secs(30));
    assert!(h.dials.is_empty(), "{:?}", h.dials);
    assert!(!h.closed.values().any(|r| *r == CloseReason::DuplicateLink));
}

#[test]
fn the_handshake_lists_a_peer_being_dialled_as_the_original_would() {
    // The original counts a peer from the moment it dials it; a newcomer
    // that is never gossiped to must hear of it now or never.
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    let (dial, _) = h.dials[0].clone();
    let early = h.accept(Listener::Server);
    assert_eq!(h.take(early), ["ALL_ADDRS 10.0.0.1 6062", OFFER, NAMED]);
    // Once the dial failed, it is waiting to re-dial: not listed.
    h.server.dial_result(dial, None, h.now);
    h.drain();
    let late = h.accept(Listener::Server);
    assert_eq!(h.take(late), ["ALL_ADDRS", OFFER, NAMED]);
}
