//! PROTOCOL.md §4: the discovery handshake from both ends, forwarding,
//! gossip, one link per pair, reconnect — against hand-driven fake peers.

use std::time::Duration;

use mchat_core::server::{CloseReason, ConnId, Event, Listener};

use crate::harness::{Harness, addr, config};

/// The local address our dials connect from, in these tests.
fn local() -> std::net::SocketAddr {
    "10.0.0.5:50000".parse().unwrap()
}

/// What the fake servers of ours offer: gossip, not interest, so that these
/// tests see every line.
const EXT: &str = "EXT gossip/1";
/// What this server offers.
const OFFER: &str = "EXT gossip/1 interest/1 presence/1";
/// What an acceptor of ours says after its offer: its own name.
const NAMED: &str = "MY_ADDR 10.0.0.5 6062";

/// A fake server of ours that dialled us, finished the handshake as
/// `host:port` and offered the same extensions.
fn accepted_peer(h: &mut Harness, host: &str, port: u16) -> ConnId {
    let id = accepted_original(h, host, port);
    h.say(id, EXT);
    h.take(id);
    id
}

/// A fake original server that dialled us as `host:port`: no `EXT`.
fn accepted_original(h: &mut Harness, host: &str, port: u16) -> ConnId {
    let id = h.accept(Listener::Server);
    h.say(id, &format!("MY_ADDR {host} {port}"));
    h.take(id);
    id
}

/// What a server of ours joining as `host:port` is sent once it has
/// offered its extensions: the gossip lines.
fn gossip_to_newcomer(h: &mut Harness, host: &str, port: u16) -> Vec<String> {
    let id = accepted_original(h, host, port);
    h.say(id, EXT);
    h.take(id)
}

#[test]
fn acceptor_sends_all_addrs_at_once_and_bare_when_alone() {
    let mut h = Harness::with_defaults();
    let candidate = h.accept(Listener::Server);
    assert_eq!(h.take(candidate), ["ALL_ADDRS", OFFER, NAMED]);
}

#[test]
fn acceptor_lists_its_peers_but_not_itself() {
    let mut h = Harness::with_defaults();
    accepted_peer(&mut h, "10.0.0.7", 7000);
    accepted_peer(&mut h, "10.0.0.8", 8000);
    let candidate = h.accept(Listener::Server);
    assert_eq!(
        h.take(candidate),
        ["ALL_ADDRS 10.0.0.7 7000 10.0.0.8 8000", OFFER, NAMED]
    );
}

#[test]
fn long_peer_list_is_split_over_several_all_addrs_lines() {
    let mut h = Harness::with_defaults();
    for i in 0..120 {
        accepted_peer(&mut h, &format!("peer-number-{i:03}.example.org"), 6062);
    }
    let candidate = h.accept(Listener::Server);
    let mut lines = h.take(candidate);
    assert_eq!(lines.pop().as_deref(), Some(NAMED));
    assert_eq!(lines.pop().as_deref(), Some(OFFER));
    assert!(lines.len() >= 4, "{} lines", lines.len());
    let listed: usize = lines.iter().map(|l| (l.split(' ').count() - 1) / 2).sum();
    assert_eq!(listed, 120);
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("ALL_ADDRS ") && l.chars().count() < 1024)
    );
}

#[test]
fn candidate_is_ignored_until_my_addr() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let candidate = h.accept(Listener::Server);
    h.take(candidate);
    h.say(candidate, "MSG mallory lobby sneaking in");
    h.say(candidate, "HEART");
    assert!(h.take(alice).is_empty());
    assert!(h.take(candidate).is_empty());
    assert_eq!(h.server.peers().count(), 0);
}

#[test]
fn candidate_without_my_addr_is_closed_after_the_handshake_timeout() {
    let mut h = Harness::with_defaults();
    let candidate = h.accept(Listener::Server);
    h.advance(Duration::from_millis(1999));
    assert!(h.closed.is_empty());
    h.advance(Duration::from_millis(1));
    assert_eq!(
        h.closed.get(&candidate),
        Some(&CloseReason::HandshakeTimeout)
    );
}

#[test]
fn many_candidates_are_handled_at_once() {
    let mut h = Harness::with_defaults();
    let candidates: Vec<ConnId> = (0..50).map(|_| h.accept(Listener::Server)).collect();
    for (i, c) in candidates.iter().enumerate().rev() {
        h.say(*c, &format!("MY_ADDR 10.1.0.{i} 6062"));
    }
    assert_eq!(h.server.peers().count(), 50);
}

#[test]
fn my_addr_makes_a_peer_and_gossips_it_to_every_peer() {
    let mut h = Harness::with_defaults();
    let first = accepted_peer(&mut h, "10.0.0.7", 7000);
    h.take_all();
    let second = h.accept(Listener::Server);
    h.say(second, "MY_ADDR 10.0.0.8 8000");
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::ServerConnected { .. }))
    );
    // Each is told of the others, never of itself; the newcomer once it
    // has offered gossip too.
    assert_eq!(h.take(first), ["ALL_ADDRS 10.0.0.8 8000"]);
    assert_eq!(h.take(second), ["ALL_ADDRS 10.0.0.7 7000", OFFER, NAMED]);
    h.say(second, EXT);
    assert_eq!(h.take(second), ["ALL_ADDRS 10.0.0.7 7000"]);
}

#[test]
fn joining_server_dials_its_peer_and_answers_all_addrs_with_my_addr() {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    assert_eq!(h.dials.len(), 1);
    let (link, target) = h.dials[0].clone();
    assert_eq!(target, addr("10.0.0.1", 6062));
    h.server.dial_result(link, Some(local()), h.now);
    h.drain();
    assert!(
        h.take(link).is_empty(),
        "the dialler waits for the acceptor"
    );
    h.say(link, "ALL_ADDRS 10.0.0.2 6062 10.0.0.5 6062 10.0.0.7 6064");
    let said = h.take(link);
    assert_eq!(said[0], "MY_ADDR 10.0.0.5 6062");
    // It dials the listed servers, never itself (10.0.0.5 6062).
    let dialled: Vec<String> = h.dials[1..].iter().map(|(_, a)| a.to_string()).collect();
    assert_eq!(dialled, ["10.0.0.7 6064"], "lower addresses are deferred");
    h.advance(Duration::from_secs(1));
    let dialled: Vec<String> = h.dials[1..].iter().map(|(_, a)| a.to_string()).collect();
    assert_eq!(dialled, ["10.0.0.7 6064", "10.0.0.2 6062"]);
}

#[test]
fn every_all_addrs_line_gets_its_own_my_addr() {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    let link = h.dials[0].0;
    h.server.dial_result(link, Some(local()), h.now);
    h.input(link, b"ALL_ADDRS 10.0.0.9 1\nALL_ADDRS 10.0.0.9 2\n");
    let my_addrs = h
        .take(link)
        .iter()
        .filter(|l| l.starts_with("MY_ADDR"))
        .count();
    assert_eq!(my_addrs, 2);
}

#[test]
fn server_never_dials_itself_or_a_peer_it_has() {
    let mut h = Harness::with_defaults();
    let peer = accepted_peer(&mut h, "10.0.0.7", 7000);
    h.say(peer, "ALL_ADDRS 10.0.0.5 6062 10.0.0.7 7000");
    h.advance(Duration::from_secs(5));
    assert!(h.dials.is_empty(), "{:?}", h.dials);
}

#[test]
fn client_msg_goes_to_every_peer_once_and_peer_msg_to_local_members_only() {
    let mut h = Harness::with_defaults();
    let p1 = accepted_peer(&mut h, "10.0.0.7", 7000);
    let p2 = accepted_peer(&mut h, "10.0.0.8", 8000);
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.say(alice, "MSG alice lobby from a client");
    assert_eq!(h.take(p1), ["MSG alice lobby from a client"]);
    assert_eq!(h.take(p2), ["MSG alice lobby from a client"]);
    h.take_all();
    h.say(p1, "MSG remote lobby from a peer");
    assert_eq!(h.take(alice), ["MSG remote lobby from a peer"]);
    assert_eq!(h.take(bob), ["MSG remote lobby from a peer"]);
    assert!(h.take(p1).is_empty(), "never back to its peer");
    assert!(h.take(p2).is_empty(), "nothing is relayed twice");
}

#[test]
fn client_notices_go_to_every_peer() {
    let mut h = Harness::with_defaults();
    let p1 = accepted_peer(&mut h, "10.0.0.7", 7000);
    let alice = h.member("alice", &[]);
    h.take_all();
    h.say(alice, "JOIN lobby");
    h.say(alice, "NICK alicia");
    h.say(alice, "PART lobby");
    assert_eq!(
        h.take(p1),
        [
            "SYSTEM lobby alice joined channel",
            "SYSTEM lobby alice changed nickname to alicia",
            "SYSTEM lobby alicia left channel"
        ]
    );
}

#[test]
fn peer_system_goes_to_local_members_of_its_room_only() {
    let mut h = Harness::with_defaults();
    let p1 = accepted_peer(&mut h, "10.0.0.7", 7000);
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["rust"]);
    h.take_all();
    h.say(p1, "SYSTEM lobby remote joined channel");
    assert_eq!(h.take(alice), ["SYSTEM lobby remote joined channel"]);
    assert!(h.take(bob).is_empty());
}

#[test]
fn peer_heart_is_answered_with_bleed() {
    let mut h = Harness::with_defaults();
    let p1 = accepted_peer(&mut h, "10.0.0.7", 7000);
    h.say(p1, "HEART");
    assert_eq!(h.take(p1), ["BLEED"]);
}

#[test]
fn all_addrs_on_an_established_link_is_answered_and_gaps_are_dialled() {
    let mut h = Harness::with_defaults();
    let p1 = accepted_peer(&mut h, "10.0.0.7", 7000);
    h.say(p1, "ALL_ADDRS 10.0.0.9 9000");
    assert_eq!(h.take(p1), ["MY_ADDR 10.0.0.5 6062"]);
    assert_eq!(
        h.dials
            .iter()
            .map(|(_, a)| a.to_string())
            .collect::<Vec<_>>(),
        ["10.0.0.9 9000"]
    );
}

fn keeps(h: &Harness, id: ConnId) -> bool {
    h.server.is_open(id) && !h.closed.contains_key(&id)
}

#[test]
fn second_link_to_a_higher_peer_keeps_the_one_we_dialled() {
    // We are 10.0.0.5:6062; 10.0.0.9 sorts higher, so our dial wins.
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.9", 6062));
    let mut h = Harness::new(cfg);
    let ours = h.dials[0].0;
    let theirs = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.server.dial_result(ours, Some(local()), h.now);
    h.say(ours, "ALL_ADDRS");
    assert!(keeps(&h, ours));
    assert_eq!(h.closed.get(&theirs), Some(&CloseReason::DuplicateLink));
    assert_eq!(h.server.peers().count(), 1);
    // The loser's close does not start a reconnect.
    h.advance(Duration::from_secs(5));
    assert_eq!(h.dials.len(), 1);
}

#[test]
fn second_link_to_a_lower_peer_keeps_the_one_it_dialled() {
    // 10.0.0.1 sorts lower than us: its dial wins, ours is closed.
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    let ours = h.dials[0].0;
    h.server.dial_result(ours, Some(local()), h.now);
    h.say(ours, "ALL_ADDRS");
    h.say(ours, EXT);
    let theirs = accepted_peer(&mut h, "10.0.0.1", 6062);
    assert!(keeps(&h, theirs));
    assert_eq!(h.closed.get(&ours), Some(&CloseReason::DuplicateLink));
    assert_eq!(h.server.peers().count(), 1);
}

#[test]
fn second_link_to_a_peer_that_never_sent_ext_leaves_the_first_in_place() {
    // 10.0.0.1 sorts lower, but it may be an original, which keeps both
    // links and sends on both: switching would deliver its lines twice.
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = Harness::new(cfg);
    let alice = h.member("alice", &["lobby"]);
    let ours = h.dials[0].0;
    h.server.dial_result(ours, Some(local()), h.now);
    h.say(ours, "ALL_ADDRS");
    let theirs = accepted_original(&mut h, "10.0.0.1", 6062);
    assert!(keeps(&h, ours));
    assert_eq!(h.closed.get(&theirs), Some(&CloseReason::DuplicateLink));
    h.take_all();
    // The original sends its line on both; alice gets it once.
    h.say(ours, "MSG olga lobby once");
    h.say(theirs, "MSG olga lobby once");
    assert_eq!(h.take(alice), ["MSG olga lobby once"]);
}

#[test]
fn a_link_to_ourselves_is_closed() {
    let mut h = Harness::with_defaults();
    let me = h.accept(Listener::Server);
    h.say(me, "MY_ADDR 10.0.0.5 6062");
    assert_eq!(h.closed.get(&me), Some(&CloseReason::SelfConnection));
}

#[test]
fn peer_dialled_by_another_name_is_renamed_by_its_my_addr() {
    let mut cfg = config();
    cfg.join = Some(addr("localhost", 6062));
    let mut h = Harness::new(cfg);
    let link = h.dials[0].0;
    h.server.dial_result(link, Some(local()), h.now);
    h.say(link, "ALL_ADDRS");
    // Our gossip makes it answer with the name it advertises.
    h.say(link, "MY_ADDR 10.0.0.9 6062");
    assert_eq!(
        h.server.peers().map(|a| a.to_string()).collect::<Vec<_>>(),
        ["10.0.0.9 6062"]
    );
    // Gossip from elsewhere naming either spelling dials nothing new.
    let other = accepted_peer(&mut h, "10.0.0.7", 7000);
    h.say(other, "ALL_ADDRS 10.0.0.9 6062 localhost 6062");
    h.advance(Duration::from_secs(5));
    assert_eq!(h.dials.len(), 1);
}

#[test]
fn lost_peer_is_redialled_with_doubling_backoff_then_given_up() {
    let mut cfg = config();
    cfg.reconnect_give_up = Duration::from_secs(120);
    let mut h = Harness::new(cfg);
    // 10.0.0.9 sorts above us, so we re-dial it without the defer.
    let peer = accepted_peer(&mut h, "10.0.0.9", 6062);
    let lost_at = h.now;
    h.close(peer);
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::ServerDisconnected { .. }))
    );
    let mut attempts = Vec::new();
    for _ in 0..3000 {
        h.advance(Duration::from_millis(100));
        while let Some((id, target)) = h.dials.pop() {
            assert_eq!(target, addr("10.0.0.9", 6062));
            attempts.push(h.now.duration_since(lost_at));
            h.server.dial_result(id, None, h.now);
            h.drain();
        }
    }
    assert!(h.events.iter().any(|e| matches!(e, Event::GaveUp { .. })));
    let gaps: Vec<Duration> = attempts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        attempts[0] >= Duration::from_secs(1) && attempts[0] <= Duration::from_millis(1600),
        "{attempts:?}"
    );
    for pair in gaps.windows(2) {
        // Each delay is the doubled base plus up to half of it in jitter.
        assert!(pair[1] + Duration::from_millis(200) >= pair[0], "{gaps:?}");
    }
    assert!(
        gaps.iter().all(|g| *g <= Duration::from_secs(91)),
        "capped near 60 s: {gaps:?}"
    );
    assert!(*attempts.last().unwrap() <= Duration::from_secs(120 + 91));
}

#[test]
fn redial_that_succeeds_restores_the_link() {
    let mut h = Harness::with_defaults();
    let peer = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.close(peer);
    h.advance(Duration::from_secs(2));
    let (id, _) = h.dials.pop().expect("a redial");
    h.server.dial_result(id, Some(local()), h.now);
    h.say(id, "ALL_ADDRS");
    assert_eq!(h.server.peers().count(), 1);
    for _ in 0..60 {
        h.advance(Duration::from_secs(2));
        h.say(id, "BLEED");
    }
    assert!(h.dials.is_empty(), "no more dials once linked");
    assert!(h.server.is_open(id));
}

#[test]
fn dialled_link_without_all_addrs_counts_as_a_failed_dial() {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.9", 6062));
    let mut h = Harness::new(cfg);
    let (link, _) = h.dials[0].clone();
    h.server.dial_result(link, Some(local()), h.now);
    h.advance(Duration::from_secs(11));
    assert_eq!(h.closed.get(&link), Some(&CloseReason::HandshakeTimeout));
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::DialFailed { .. }))
    );
    h.advance(Duration::from_secs(5));
    assert!(h.dials.len() >= 2, "it tries again");
}

fn dials_itself_under_another_name(accept_first: bool) {
    let mut cfg = config();
    cfg.join = Some(addr("localhost", 6062));
    let mut h = Harness::new(cfg);
    let (dial, _) = h.dials[0].clone();
    let from: std::net::SocketAddr = "127.0.0.1:51000".parse().unwrap();
    let candidate = if accept_first {
        let c = h.server.accept(Listener::Server, from, h.now);
        h.server.dial_result(dial, Some(from), h.now);
        c
    } else {
        h.server.dial_result(dial, Some(from), h.now);
        h.server.accept(Listener::Server, from, h.now)
    };
    h.drain();
    assert_eq!(h.closed.get(&dial), Some(&CloseReason::SelfConnection));
    assert_eq!(h.closed.get(&candidate), Some(&CloseReason::SelfConnection));
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::SelfAlias { .. }))
    );
    // Never dialled again, not even when gossip names it.
    let peer = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.say(peer, "ALL_ADDRS localhost 6062");
    for _ in 0..60 {
        h.advance(Duration::from_secs(2));
        h.say(peer, "BLEED");
    }
    assert_eq!(h.dials.len(), 1, "{:?}", h.dials);
}

#[test]
fn dial_that_reaches_ourselves_is_recognized_when_the_accept_comes_first() {
    dials_itself_under_another_name(true);
}

#[test]
fn dial_that_reaches_ourselves_is_recognized_when_the_connect_comes_first() {
    dials_itself_under_another_name(false);
}

#[test]
fn peers_unreachable_for_long_are_no_longer_gossiped() {
    let mut h = Harness::with_defaults();
    let lost = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.close(lost);
    let other = accepted_peer(&mut h, "10.0.0.7", 7000);
    // Being re-dialled, 10.0.0.9 is still passed on at first…
    assert_eq!(
        gossip_to_newcomer(&mut h, "10.0.0.3", 6062),
        ["ALL_ADDRS 10.0.0.7 7000 10.0.0.9 6062"]
    );
    // …but not once it has been out of reach for two maximum backoffs.
    let mut answered = 0;
    for _ in 0..70 {
        h.advance(Duration::from_secs(2));
        h.say(other, "BLEED");
        while let Some((id, _)) = h.dials.pop() {
            h.server.dial_result(id, None, h.now);
            h.drain();
            answered += 1;
        }
    }
    assert!(answered > 3);
    h.take_all();
    assert_eq!(
        gossip_to_newcomer(&mut h, "10.0.0.4", 6062),
        ["ALL_ADDRS 10.0.0.7 7000"],
        "10.0.0.3, silent since, is out of reach too"
    );
}

#[test]
fn gossip_never_revives_a_peer_given_up_on_but_the_peer_itself_can() {
    let mut cfg = config();
    cfg.reconnect_give_up = Duration::from_secs(60);
    let give_up = cfg.reconnect_give_up;
    let mut h = Harness::new(cfg);
    let dead = addr("10.0.0.9", 6062);
    let peer = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.close(peer);
    // Every re-dial of it fails until the server gives up.
    while !h.events.iter().any(|e| matches!(e, Event::GaveUp { .. })) {
        h.advance(Duration::from_millis(100));
        while let Some((id, _)) = h.dials.pop() {
            h.server.dial_result(id, None, h.now);
            h.drain();
        }
    }
    let given_up_at = h.now;
    // A peer that still lists the dead server does not make us dial it.
    let gossiper = accepted_peer(&mut h, "10.0.0.5", 7000);
    h.say(gossiper, "ALL_ADDRS 10.0.0.9 6062");
    h.advance(Duration::from_secs(5));
    assert!(
        h.dials.iter().all(|(_, to)| *to != dead),
        "revived by gossip: {:?}",
        h.dials
    );
    // Nor after another give-up period: hearsay alone never does.
    h.advance(give_up - h.now.duration_since(given_up_at));
    let gossiper = accepted_peer(&mut h, "10.0.0.6", 7000);
    h.say(gossiper, "ALL_ADDRS 10.0.0.9 6062");
    h.advance(Duration::from_secs(5));
    assert!(
        h.dials.iter().all(|(_, to)| *to != dead),
        "revived by gossip: {:?}",
        h.dials
    );
    // The server itself linking to us again makes it a peer again, and
    // one that is re-dialled when lost.
    let back = accepted_peer(&mut h, "10.0.0.9", 6062);
    h.close(back);
    h.advance(Duration::from_secs(5));
    assert!(
        h.dials.iter().any(|(_, to)| *to == dead),
        "not re-dialled after it came back: {:?}",
        h.dials
    );
}
