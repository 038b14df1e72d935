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
    // Each is beaten in its own phase of the interval, so the notice may
    // come before or after alive's fourth HEART.
    let lines = h.take(alive);
    assert_eq!(lines.iter().filter(|l| *l == "HEART").count(), 4);
    assert_eq!(
        lines.iter().filter(|l| *l != "HEART").collect::<Vec<_>>(),
        ["SYSTEM lobby silent left channel"]
    );
}

#[test]
fn heartbeats_of_many_clients_are_spread_over_the_interval() {
    let mut h = Harness::with_defaults();
    let clients: Vec<_> = (0..2000).map(|_| h.client()).collect();
    h.take_all();
    // The core cuts an interval in 1 000 phases.
    let phase = BEAT / 1000;
    let mut beaten = vec![0; clients.len()];
    for _ in 0..1000 {
        h.advance(phase);
        let mut now_beaten = 0;
        for (i, &c) in clients.iter().enumerate() {
            let hearts = h.take(c).len();
            beaten[i] += hearts;
            now_beaten += hearts;
        }
        // Never everybody at once: a thousandth of them.
        assert!(now_beaten <= clients.len() / 1000, "{now_beaten} at once");
    }
    // Still one HEART each per interval.
    assert!(beaten.iter().all(|&n| n == 1), "{beaten:?}");
}

#[test]
fn a_quiet_server_wakes_once_per_interval_not_once_per_phase() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    h.take_all();
    let mut wakeups = 0;
    let start = h.now;
    while h.now < start + BEAT * 10 {
        let at = h.server.poll_timeout().unwrap();
        h.advance(at - h.now);
        wakeups += 1;
        if !h.take(c).is_empty() {
            h.say(c, "BLEED");
        }
    }
    // One client: its phase only (gossip and the like may add a few).
    assert!(wakeups <= 12, "{wakeups} wake-ups in ten intervals");
    assert!(h.closed.is_empty());
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
