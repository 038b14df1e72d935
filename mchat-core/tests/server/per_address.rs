//! PROTOCOL.md §9, per-address limits, from the attacker's side: one
//! address cannot take every client slot, cannot open connections faster
//! than the rate, and cannot fill the server port with handshakes; other
//! addresses are served meanwhile.

use std::net::SocketAddr;
use std::time::Duration;

use mchat_core::server::{CloseReason, Event, Listener};

use crate::harness::{Harness, config};

fn from(ip: &str, port: u16) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), port)
}

/// The first line `id` was sent since the last take.
fn error_code(h: &mut Harness, id: mchat_core::server::ConnId) -> String {
    h.take(id).first().cloned().unwrap_or_default()
}

#[test]
fn one_address_cannot_take_every_client_slot() {
    let mut cfg = config();
    cfg.max_clients_per_ip = 100;
    cfg.connect_rate_per_ip = 0;
    let mut h = Harness::new(cfg);
    let attacker = "203.0.113.9";
    let mut held = Vec::new();
    for port in 0..100 {
        let id = h.accept_from(Listener::Client, from(attacker, 1000 + port));
        assert!(!h.closed.contains_key(&id), "connection {port} refused");
        held.push(id);
    }
    let refused = h.accept_from(Listener::Client, from(attacker, 2000));
    assert!(
        error_code(&mut h, refused).starts_with("ERROR too-many-connections "),
        "not told why"
    );
    assert_eq!(
        h.closed.get(&refused),
        Some(&CloseReason::TooManyFromAddress)
    );
    assert!(h.events.iter().any(|e| matches!(e,
        Event::Refused { why: CloseReason::TooManyFromAddress, remote, .. } if remote.port() == 2000)));

    // Someone else gets in, and says something.
    let alice = h.accept_from(Listener::Client, from("198.51.100.1", 5000));
    h.say(alice, "NICK alice");
    h.say(alice, "JOIN lobby");
    assert_eq!(h.take(alice), ["SYSTEM lobby alice joined channel"]);

    // One of the attacker's leaves: one more place for that address.
    h.close(held[0]);
    let again = h.accept_from(Listener::Client, from(attacker, 2001));
    assert!(!h.closed.contains_key(&again));
}

#[test]
fn an_ipv6_host_cannot_escape_the_limit_by_changing_address_in_its_64() {
    let mut cfg = config();
    cfg.max_clients_per_ip = 3;
    cfg.connect_rate_per_ip = 0;
    let mut h = Harness::new(cfg);
    for i in 1..=3 {
        let id = h.accept_from(Listener::Client, from(&format!("2001:db8:7:7::{i}"), 1));
        assert!(!h.closed.contains_key(&id));
    }
    let refused = h.accept_from(Listener::Client, from("2001:db8:7:7:ffff::1", 1));
    assert_eq!(
        h.closed.get(&refused),
        Some(&CloseReason::TooManyFromAddress)
    );
    let neighbour = h.accept_from(Listener::Client, from("2001:db8:7:8::1", 1));
    assert!(!h.closed.contains_key(&neighbour));
}

#[test]
fn connections_faster_than_the_rate_are_refused_until_the_bucket_refills() {
    let mut cfg = config();
    cfg.connect_rate_per_ip = 20;
    let mut h = Harness::new(cfg);
    let attacker = "203.0.113.9";
    for port in 0..20 {
        let id = h.accept_from(Listener::Client, from(attacker, 1000 + port));
        assert!(
            !h.closed.contains_key(&id),
            "burst connection {port} refused"
        );
        h.close(id);
    }
    let refused = h.accept_from(Listener::Client, from(attacker, 1100));
    assert!(error_code(&mut h, refused).starts_with("ERROR connecting-too-fast "));
    assert_eq!(
        h.closed.get(&refused),
        Some(&CloseReason::TooFastFromAddress)
    );
    let other = h.accept_from(Listener::Client, from("198.51.100.1", 5000));
    assert!(
        !h.closed.contains_key(&other),
        "another address was throttled"
    );

    // A second later the address may connect again, 20 at once.
    h.advance(Duration::from_secs(1));
    for port in 0..20 {
        let id = h.accept_from(Listener::Client, from(attacker, 1200 + port));
        assert!(
            !h.closed.contains_key(&id),
            "refilled connection {port} refused"
        );
    }
}

#[test]
fn one_address_cannot_fill_the_server_port_with_handshakes() {
    let mut cfg = config();
    cfg.max_candidates_per_ip = 8;
    cfg.connect_rate_per_ip = 0;
    let mut h = Harness::new(cfg);
    let attacker = "203.0.113.9";
    for port in 0..8 {
        let id = h.accept_from(Listener::Server, from(attacker, 1000 + port));
        assert!(!h.closed.contains_key(&id));
    }
    let ninth = h.accept_from(Listener::Server, from(attacker, 1100));
    assert!(
        h.take(ninth).is_empty(),
        "a server-port refusal says nothing"
    );
    assert_eq!(h.closed.get(&ninth), Some(&CloseReason::TooManyFromAddress));

    // A real server elsewhere links meanwhile.
    let peer = h.accept_from(Listener::Server, from("198.51.100.7", 6000));
    h.say(peer, "MY_ADDR 198.51.100.7 6000");
    assert!(
        h.server
            .peers()
            .any(|p| p.to_string() == "198.51.100.7 6000")
    );
}

#[test]
fn linked_peers_do_not_count_against_their_address() {
    // A mesh on one host: every peer comes from 127.0.0.1.
    let mut cfg = config();
    cfg.max_candidates_per_ip = 2;
    cfg.connect_rate_per_ip = 0;
    let mut h = Harness::new(cfg);
    for i in 0..10u16 {
        let id = h.accept_from(Listener::Server, from("127.0.0.1", 50_000 + i));
        assert!(!h.closed.contains_key(&id), "peer {i} refused");
        h.say(id, &format!("MY_ADDR 127.0.0.1 {}", 7000 + i));
    }
    assert_eq!(h.server.peers().count(), 10);
}
