//! PROTOCOL.md §4, gossip hygiene, from the attacker's side: one link's
//! gossip adds a bounded number of addresses, dials start at a bounded
//! rate, and addresses only heard of are never passed on.

use std::collections::HashSet;
use std::time::Duration;

use mchat_core::server::{ConnId, Event, Listener};

use crate::harness::{Harness, config};

/// A fake server of ours linked as 10.0.0.7 7000, with gossip agreed.
fn gossiping_peer(h: &mut Harness) -> ConnId {
    let id = h.accept(Listener::Server);
    h.say(id, "MY_ADDR 10.0.0.7 7000");
    h.say(id, "EXT gossip/1");
    h.take(id);
    id
}

/// `ALL_ADDRS` lines listing `n` made-up addresses on 127.0.0.1.
fn made_up(n: u16) -> Vec<String> {
    (0..n)
        .collect::<Vec<u16>>()
        .chunks(50)
        .map(|chunk| {
            let addrs: Vec<String> = chunk
                .iter()
                .map(|p| format!("127.0.0.1 {}", 20_000 + p))
                .collect();
            format!("ALL_ADDRS {}", addrs.join(" "))
        })
        .collect()
}

/// Advances `secs` seconds, failing every dial as it starts.
fn failing_dials_for(h: &mut Harness, secs: u64) -> HashSet<String> {
    let mut targets = HashSet::new();
    for _ in 0..secs * 10 {
        h.advance(Duration::from_millis(100));
        while let Some((id, to)) = h.dials.pop() {
            targets.insert(to.to_string());
            h.server.dial_result(id, None, h.now);
            h.drain();
        }
    }
    targets
}

#[test]
fn one_links_gossip_makes_us_dial_a_bounded_number_of_addresses() {
    let mut h = Harness::with_defaults();
    let peer = gossiping_peer(&mut h);
    for line in made_up(2000) {
        h.say(peer, &line);
    }
    // (The peer itself, which answers no heartbeat here, is re-dialled too.)
    let dialled: Vec<String> = failing_dials_for(&mut h, 20)
        .into_iter()
        .filter(|to| to.starts_with("127.0.0.1 "))
        .collect();
    assert_eq!(
        dialled.len(),
        config().max_gossiped_addrs,
        "{}",
        dialled.len()
    );
    assert!(h.events.iter().any(|e| matches!(
        e,
        Event::PeerLineDropped { why, .. } if why.contains("limit")
    )));
}

#[test]
fn dials_start_at_a_bounded_rate() {
    let mut h = Harness::with_defaults();
    let peer = gossiping_peer(&mut h);
    for line in made_up(60) {
        h.say(peer, &line);
    }
    let per_second = config().max_dials_per_s as usize;
    assert_eq!(h.dials.len(), per_second, "at once");
    let started: Vec<_> = h.dials.drain(..).collect();
    for (id, _) in started {
        h.server.dial_result(id, None, h.now);
    }
    h.drain();
    h.advance(Duration::from_millis(999));
    assert_eq!(h.dials.len(), 0, "before the second is over");
    h.advance(Duration::from_millis(2));
    assert_eq!(h.dials.len(), per_second, "in the next second");
}

#[test]
fn an_address_only_heard_of_is_never_passed_on() {
    let mut h = Harness::with_defaults();
    let peer = gossiping_peer(&mut h);
    h.say(peer, "ALL_ADDRS 10.0.0.99 6062");
    assert_eq!(h.dials.len(), 1, "it is dialled");
    // Neither a newcomer's handshake nor periodic gossip lists it.
    let newcomer = h.accept(Listener::Server);
    let said = h.take(newcomer);
    assert!(said.iter().all(|l| !l.contains("10.0.0.99")), "{said:?}");
    h.say(newcomer, "MY_ADDR 10.0.0.8 8000");
    h.say(newcomer, "EXT gossip/1");
    h.advance(Duration::from_secs(31));
    for id in [peer, newcomer] {
        let said = h.take(id);
        assert!(said.iter().all(|l| !l.contains("10.0.0.99")), "{said:?}");
    }
}

#[test]
fn links_that_come_and_go_cannot_grow_the_plans_without_bound() {
    let mut cfg = config();
    cfg.max_servers = 100;
    let mut h = Harness::new(cfg);
    // Each fake peer teaches its 64 addresses, then goes; a new one comes.
    let mut made_up = made_up(2000).into_iter();
    for _ in 0..10 {
        let peer = gossiping_peer(&mut h);
        for line in made_up.by_ref().take(2) {
            h.say(peer, &line);
        }
        h.close(peer);
    }
    let dialled = failing_dials_for(&mut h, 60);
    let heard: Vec<&String> = dialled
        .iter()
        .filter(|to| to.starts_with("127.0.0.1 "))
        .collect();
    assert!(
        heard.len() <= 100,
        "{} addresses only heard of were dialled",
        heard.len()
    );
    assert!(heard.len() >= 64, "only {}", heard.len());
}

/// What a peer's `ALL_ADDRS` naming a host and an IP address makes a
/// server of `cfg` dial within a few seconds.
fn dialled_after_names_and_literals(
    cfg: mchat_core::server::ServerConfig,
) -> (HashSet<String>, Vec<Event>) {
    let mut h = Harness::new(cfg);
    let peer = gossiping_peer(&mut h);
    h.say(
        peer,
        "ALL_ADDRS evil.example 6000 10.0.0.9 6000 Intranet.Example 6001",
    );
    let dialled = failing_dials_for(&mut h, 3);
    (dialled, std::mem::take(&mut h.events))
}

#[test]
fn names_in_gossip_are_not_looked_up_on_an_open_server_port() {
    let (dialled, events) = dialled_after_names_and_literals(config());
    assert!(dialled.contains("10.0.0.9 6000"), "{dialled:?}");
    assert!(
        dialled.iter().all(|to| !to.contains("example")),
        "a stranger's names were dialled: {dialled:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::PeerLineDropped { why, .. }
            if why.contains("named 2 host(s), not looked up"))),
        "{events:?}"
    );
}

#[test]
fn names_in_gossip_are_dialled_when_every_link_is_authenticated() {
    let mut cfg = config();
    cfg.links_authenticated_by_transport = true;
    let (dialled, _) = dialled_after_names_and_literals(cfg);
    for to in [
        "evil.example 6000",
        "10.0.0.9 6000",
        "intranet.example 6001",
    ] {
        assert!(dialled.contains(to), "{to} not dialled: {dialled:?}");
    }
}
