//! PROTOCOL.md §7: HEART every interval; three unanswered in a row close
//! the connection; BLEED answers them all.

use std::time::Duration;

use mchat_core::server::{CloseReason, Listener};

use crate::harness::{Harness, config};

const BEAT: Duration = Duration::from_secs(2);

#[test]
fn heart_goes_to_every_client_and_peer_each_interval() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.9 6062");
    h.take_all();
    h.advance(BEAT);
    assert_eq!(h.take(c), ["HEART"]);
    assert_eq!(h.take(peer), ["HEART"]);
    h.advance(BEAT);
    assert_eq!(h.take(c), ["HEART"]);
}

#[test]
fn candidates_get_no_heart() {
    let mut h = Harness::new({
        let mut c = config();
        c.handshake_timeout = Duration::from_secs(60);
        c
    });
    let candidate = h.accept(Listener::Server);
    h.take(candidate);
    h.advance(BEAT * 3);
    assert!(h.take(candidate).is_empty());
}

#[test]
fn silent_client_is_closed_after_three_unanswered_hearts_with_notices() {
    let mut h = Harness::with_defaults();
    let silent = h.member("silent", &["lobby"]);
    let alive = h.member("alive", &["lobby"]);
    h.take_all();
    for _ in 0..3 {
        h.advance(BEAT);
        h.say(alive, "BLEED");
        assert!(!h.closed.contains_key(&silent));
    }
    assert_eq!(h.take(silent), ["HEART", "HEART", "HEART"]);
    h.advance(BEAT);
    assert_eq!(h.closed.get(&silent), Some(&CloseReason::Heartbeat));
    assert!(!h.closed.contains_key(&alive));
    assert_eq!(
        h.take(alive),
        [
            "HEART",
            "HEART",
            "HEART",
            "HEART",
            "SYSTEM lobby silent left channel"
        ]
    );
}

#[test]
fn client_that_answers_is_never_closed() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    for _ in 0..100 {
        h.advance(BEAT);
        assert_eq!(h.take(c), ["HEART"]);
        h.say(c, "BLEED");
    }
    assert!(h.closed.is_empty());
}

#[test]
fn late_bleed_still_counts() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    for _ in 0..10 {
        h.advance(BEAT * 3);
        h.say(c, "BLEED");
    }
    assert!(h.closed.is_empty());
}

#[test]
fn other_traffic_is_no_answer_to_heart() {
    let mut h = Harness::with_defaults();
    let c = h.member("chatty", &["lobby"]);
    for _ in 0..4 {
        h.advance(BEAT);
        h.say(c, "MSG chatty lobby busy, not bleeding");
    }
    assert_eq!(h.closed.get(&c), Some(&CloseReason::Heartbeat));
}

#[test]
fn silent_peer_is_closed_too() {
    let mut h = Harness::with_defaults();
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.9 6062");
    h.advance(BEAT * 4);
    assert_eq!(h.closed.get(&peer), Some(&CloseReason::Heartbeat));
    assert_eq!(h.server.peers().count(), 0);
}

#[test]
fn intervals_are_configuration() {
    let mut cfg = config();
    cfg.heartbeat_interval = Duration::from_millis(100);
    cfg.max_missed_heartbeats = 1;
    let mut h = Harness::new(cfg);
    let c = h.client();
    h.advance(Duration::from_millis(100));
    assert_eq!(h.take(c), ["HEART"]);
    h.advance(Duration::from_millis(100));
    assert_eq!(h.closed.get(&c), Some(&CloseReason::Heartbeat));
}

#[test]
fn poll_timeout_always_moves_forward() {
    // `Harness::advance` asserts it after every handle_timeout.
    let mut h = Harness::with_defaults();
    h.client();
    h.accept(Listener::Server);
    h.advance(Duration::from_secs(600));
}
