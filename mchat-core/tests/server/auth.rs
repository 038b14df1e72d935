//! PROTOCOL.md §4, mesh authentication (`auth/1`, EXTENSION): with a
//! secret, a server link carries nothing until both ends proved it, tried
//! from the attacker's side: forged lines, a wrong secret, a replayed
//! proof and a borrowed address must reach no one.

use std::time::Duration;

use mchat_core::server::{
    AuthEnd, AuthTranscript, CloseReason, ConnId, Event, Listener, MeshSecret, ServerConfig,
};
use mchat_core::wire::{AuthProof, Message, Nonce, PeerAddr, Proof};

use crate::harness::{Harness, addr, config};

const SECRET: &[u8] = b"the network's own secret";

fn secret() -> MeshSecret {
    MeshSecret::new(SECRET).unwrap()
}

fn secured(mut cfg: ServerConfig) -> Harness {
    cfg.mesh_secret = Some(secret());
    Harness::new(cfg)
}

/// The challenge in an `AUTH_HELLO` line, with the address it names.
fn hello(line: &str) -> (PeerAddr, Nonce) {
    match Message::parse(line) {
        Ok(Message::AuthHello(h)) => (h.addr, h.nonce),
        other => panic!("not an AUTH_HELLO: {line} ({other:?})"),
    }
}

/// The `AUTH_PROOF` a dialler at `me` holding `secret` sends for `line`.
fn proof_line(line: &str, me: &PeerAddr, secret: &MeshSecret, ours: Nonce) -> String {
    let (acceptor, theirs) = hello(line);
    let t = AuthTranscript {
        acceptor: &acceptor,
        dialler: me,
        acceptor_nonce: &theirs,
        dialler_nonce: &ours,
    };
    Message::AuthProof(AuthProof {
        addr: me.clone(),
        nonce: ours,
        proof: t.prove(secret, AuthEnd::Dialler),
    })
    .to_string()
}

fn closed_for_auth(h: &Harness, id: ConnId) -> bool {
    h.closed.get(&id) == Some(&CloseReason::AuthFailed)
        && h.events
            .iter()
            .any(|e| matches!(e, Event::AuthFailed { id: i, .. } if *i == id))
}

#[test]
fn with_a_secret_the_acceptor_sends_only_its_challenge() {
    let mut h = secured(config());
    h.member("alice", &["lobby"]);
    let candidate = h.accept(Listener::Server);
    let said = h.take(candidate);
    assert_eq!(said.len(), 1, "{said:?}");
    let (named, _) = hello(&said[0]);
    assert_eq!(named, addr("10.0.0.5", 6062));
    // Two links never get the same challenge.
    let other = h.accept(Listener::Server);
    assert_ne!(hello(&h.take(other)[0]).1, hello(&said[0]).1);
}

#[test]
fn a_dialler_that_proves_the_secret_gets_our_proof_then_the_handshake() {
    let mut h = secured(config());
    let alice = h.member("alice", &["lobby"]);
    let link = h.accept(Listener::Server);
    let challenge = h.take(link).remove(0);
    let me = addr("10.0.0.7", 7000);
    let ours = Nonce([9; 32]);
    h.say(link, &proof_line(&challenge, &me, &secret(), ours));
    let said = h.take(link);
    let Ok(Message::AuthOk(theirs)) = Message::parse(&said[0]) else {
        panic!("no AUTH_OK first: {said:?}");
    };
    let (acceptor, their_nonce) = hello(&challenge);
    let t = AuthTranscript {
        acceptor: &acceptor,
        dialler: &me,
        acceptor_nonce: &their_nonce,
        dialler_nonce: &ours,
    };
    assert!(t.verify(&secret(), AuthEnd::Acceptor, &theirs));
    assert_eq!(said[1], "ALL_ADDRS");
    assert!(
        said[2].starts_with("EXT ") && said[2].ends_with(" auth/1"),
        "{said:?}"
    );
    h.say(link, "MY_ADDR 10.0.0.7 7000");
    h.say(link, "MSG bob lobby hello from a proven peer");
    assert_eq!(h.take(alice), ["MSG bob lobby hello from a proven peer"]);
}

#[test]
fn forged_lines_without_a_proof_reach_no_one_and_the_link_is_closed_in_time() {
    let mut h = secured(config());
    let alice = h.member("alice", &["lobby"]);
    let peer = h.accept(Listener::Server);
    let challenge = h.take(peer).remove(0);
    h.say(
        peer,
        &proof_line(
            &challenge,
            &addr("10.0.0.7", 7000),
            &secret(),
            Nonce([1; 32]),
        ),
    );
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.take_all();
    let attacker = h.accept(Listener::Server);
    for line in [
        "MY_ADDR 127.0.0.1 47999",
        "MSG bob lobby I am bob, send me your password",
        "SYSTEM lobby ADMIN: server shutting down, reconnect to evil",
        "ALL_ADDRS 127.0.0.1 47998",
        "AUTH_OK 0000000000000000000000000000000000000000000000000000000000000000",
    ] {
        h.say(attacker, line);
    }
    assert_eq!(h.take(alice), Vec::<String>::new());
    h.advance(Duration::from_secs(3));
    assert!(closed_for_auth(&h, attacker), "{:?}", h.closed);
    let to_alice: Vec<String> = h.take(alice).into_iter().filter(|l| l != "HEART").collect();
    assert_eq!(to_alice, Vec::<String>::new());
    // The real peer heard of no fake address, and nothing was dialled.
    assert!(h.take(peer).iter().all(|l| !l.contains("47999")));
    assert!(h.dials.is_empty(), "{:?}", h.dials);
}

#[test]
fn a_wrong_secret_is_refused_at_once() {
    let mut h = secured(config());
    let alice = h.member("alice", &["lobby"]);
    let link = h.accept(Listener::Server);
    let challenge = h.take(link).remove(0);
    let wrong = MeshSecret::new(*b"not the network's secret").unwrap();
    h.say(
        link,
        &proof_line(&challenge, &addr("10.0.0.7", 7000), &wrong, Nonce([1; 32])),
    );
    assert!(closed_for_auth(&h, link));
    assert_eq!(
        h.take(link),
        Vec::<String>::new(),
        "no AUTH_OK, no ALL_ADDRS"
    );
    h.say(link, "MSG bob lobby too late");
    assert_eq!(h.take(alice), Vec::<String>::new());
}

#[test]
fn a_proof_recorded_on_one_link_is_worth_nothing_on_another() {
    let mut h = secured(config());
    let first = h.accept(Listener::Server);
    let recorded = proof_line(
        &h.take(first).remove(0),
        &addr("10.0.0.7", 7000),
        &secret(),
        Nonce([1; 32]),
    );
    let replay = h.accept(Listener::Server);
    h.take(replay);
    h.say(replay, &recorded);
    assert!(closed_for_auth(&h, replay));
}

#[test]
fn the_my_addr_of_a_proven_link_must_be_the_address_it_proved() {
    let mut h = secured(config());
    let link = h.accept(Listener::Server);
    let challenge = h.take(link).remove(0);
    h.say(
        link,
        &proof_line(
            &challenge,
            &addr("10.0.0.7", 7000),
            &secret(),
            Nonce([1; 32]),
        ),
    );
    h.say(link, "MY_ADDR 10.0.0.8 7000");
    assert!(closed_for_auth(&h, link));
}

/// A server with a secret that joins 10.0.0.1 6062, its dial connected.
fn joining() -> (Harness, ConnId) {
    let mut cfg = config();
    cfg.join = Some(addr("10.0.0.1", 6062));
    let mut h = secured(cfg);
    let link = h.dials[0].0;
    h.server
        .dial_result(link, Some("10.0.0.5:50000".parse().unwrap()), h.now);
    h.drain();
    (h, link)
}

#[test]
fn a_dialler_proves_the_secret_and_checks_the_acceptors_proof_before_the_handshake() {
    let (mut h, link) = joining();
    let acceptor = addr("10.0.0.1", 6062);
    let theirs = Nonce([3; 32]);
    h.say(link, &format!("AUTH_HELLO 10.0.0.1 6062 {theirs}"));
    let said = h.take(link);
    let Ok(Message::AuthProof(p)) = Message::parse(&said[0]) else {
        panic!("no AUTH_PROOF: {said:?}");
    };
    let me = addr("10.0.0.5", 6062);
    assert_eq!(p.addr, me);
    let t = AuthTranscript {
        acceptor: &acceptor,
        dialler: &me,
        acceptor_nonce: &theirs,
        dialler_nonce: &p.nonce,
    };
    assert!(t.verify(&secret(), AuthEnd::Dialler, &p.proof));
    h.say(
        link,
        &Message::AuthOk(t.prove(&secret(), AuthEnd::Acceptor)).to_string(),
    );
    h.say(link, "ALL_ADDRS");
    let said = h.take(link);
    assert_eq!(said[0], "MY_ADDR 10.0.0.5 6062");
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::ServerConnected { .. }))
    );
}

#[test]
fn a_dialler_refuses_an_acceptor_without_the_secret_or_with_a_wrong_proof() {
    let (mut h, link) = joining();
    h.say(link, "ALL_ADDRS 10.0.0.66 6062");
    assert!(closed_for_auth(&h, link));
    assert_eq!(h.dials.len(), 1, "nothing it listed was dialled");

    let (mut h, link) = joining();
    h.say(
        link,
        &format!("AUTH_HELLO 10.0.0.1 6062 {}", Nonce([3; 32])),
    );
    h.say(link, &Message::AuthOk(Proof([0; 32])).to_string());
    h.say(link, "ALL_ADDRS 10.0.0.66 6062");
    assert!(closed_for_auth(&h, link));
    assert_eq!(h.dials.len(), 1, "nothing it listed was dialled");
}

#[test]
fn a_dialler_refuses_an_acceptor_that_claims_to_be_another_server() {
    // Dialled because gossip named it: it must be the server named.
    let (mut h, link) = joining();
    let t_acceptor = addr("10.0.0.1", 6062);
    let theirs = Nonce([3; 32]);
    h.say(link, &format!("AUTH_HELLO 10.0.0.1 6062 {theirs}"));
    let Ok(Message::AuthProof(p)) = Message::parse(&h.take(link)[0]) else {
        panic!("no proof");
    };
    let me = addr("10.0.0.5", 6062);
    let t = AuthTranscript {
        acceptor: &t_acceptor,
        dialler: &me,
        acceptor_nonce: &theirs,
        dialler_nonce: &p.nonce,
    };
    h.say(
        link,
        &Message::AuthOk(t.prove(&secret(), AuthEnd::Acceptor)).to_string(),
    );
    h.say(link, "ALL_ADDRS 10.0.0.9 7000");
    h.advance(Duration::from_secs(2));
    let (gossiped, target) = h.dials.last().cloned().unwrap();
    assert_eq!(target, addr("10.0.0.9", 7000));
    h.server
        .dial_result(gossiped, Some("10.0.0.5:50001".parse().unwrap()), h.now);
    h.drain();
    h.say(gossiped, &format!("AUTH_HELLO 10.0.0.66 7000 {theirs}"));
    assert!(closed_for_auth(&h, gossiped));
}

#[test]
fn a_server_without_a_secret_never_links_with_one_that_has_it() {
    // The open dialler drops the challenge and times out; we close it.
    let mut h = secured(config());
    let open = h.accept(Listener::Server);
    h.take(open);
    h.say(open, "MY_ADDR 10.0.0.7 7000");
    h.advance(Duration::from_secs(3));
    assert!(closed_for_auth(&h, open));
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, Event::ServerConnected { .. }))
    );
}

#[test]
fn our_own_challenge_sent_back_is_refused() {
    let mut h = secured(config());
    let link = h.accept(Listener::Server);
    let challenge = h.take(link).remove(0);
    // A proof "from" this very server: whoever sends it is reflecting us.
    h.say(
        link,
        &proof_line(
            &challenge,
            &addr("10.0.0.5", 6062),
            &secret(),
            Nonce([1; 32]),
        ),
    );
    assert!(closed_for_auth(&h, link));
    assert_eq!(
        h.take(link),
        Vec::<String>::new(),
        "no AUTH_OK, no ALL_ADDRS"
    );
}
