//! PROTOCOL.md §4, one link per pair and names, from the attacker's side:
//! a link that claims a live peer's address is refused, never swapped in,
//! and other spellings of a linked address are not dialled.

use std::time::Duration;

use mchat_core::server::{CloseReason, ConnId, Listener};

use crate::harness::{Harness, addr, config};

/// A server of ours at 10.0.0.5 that dialled its peer 10.0.0.2 7000 (an
/// address below ours, so the one-link rule prefers links the peer dials)
/// and finished the handshake with it.
fn linked_to_lower_peer() -> (Harness, ConnId) {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.2", 7000));
    let mut h = Harness::new(cfg);
    let link = h.dials[0].0;
    h.server
        .dial_result(link, Some("10.0.0.5:50000".parse().unwrap()), h.now);
    h.drain();
    h.say(link, "ALL_ADDRS");
    h.say(link, "EXT gossip/1");
    h.take(link);
    (h, link)
}

#[test]
fn a_link_that_claims_a_live_peers_address_is_refused_not_swapped_in() {
    let (mut h, real) = linked_to_lower_peer();
    let alice = h.member("alice", &["lobby"]);
    // Linked for longer than a handshake: no crossing dial any more.
    h.advance(Duration::from_secs(3));
    h.say(real, "BLEED");
    let attacker = h.accept(Listener::Server);
    h.say(attacker, "MY_ADDR 10.0.0.2 7000");
    h.say(attacker, "EXT gossip/1");
    h.say(attacker, "MSG bob lobby the attacker speaking");
    assert_eq!(h.closed.get(&attacker), Some(&CloseReason::DuplicateLink));
    assert!(h.server.is_open(real), "the real link was dropped");
    h.say(real, "MSG carol lobby the real peer speaking");
    let heard: Vec<String> = h.take(alice).into_iter().filter(|l| l != "HEART").collect();
    assert_eq!(heard, ["MSG carol lobby the real peer speaking"]);
    // What alice says still goes to the real peer.
    h.say(alice, "MSG alice lobby to the real peer");
    assert!(
        h.take(real)
            .contains(&"MSG alice lobby to the real peer".to_owned())
    );
}

#[test]
fn other_spellings_of_a_linked_address_are_not_dialled() {
    let mut h = Harness::with_defaults();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.say(peer, "EXT gossip/1");
    h.take(peer);
    h.say(
        peer,
        "ALL_ADDRS 10.7 7000 167772167 7000 0xa.0.0.7 7000 10.000.000.007 7000 10.0.0.07 7000 0XA.0.0.7 7000",
    );
    h.advance(Duration::from_secs(2));
    assert!(h.dials.is_empty(), "dialled {:?}", h.dials);
    // The same goes for our own address in another spelling.
    h.say(peer, "ALL_ADDRS 10.5 6062 0x0a000005 6062");
    h.advance(Duration::from_secs(2));
    assert!(h.dials.is_empty(), "dialled {:?}", h.dials);
}
