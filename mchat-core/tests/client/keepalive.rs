//! Keep-alive: HEART every two seconds, BLEED for HEART, the server lost after five seconds without BLEED.

use std::time::Duration;

use mchat_core::client::{ClientConfig, ClientEvent, LostHow};

use crate::harness::Harness;

#[test]
fn keep_alive_sends_heart_every_two_seconds_and_answers_heart() {
    let mut h = Harness::connected();
    h.advance(Duration::from_millis(1999));
    assert!(h.sent.is_empty());
    h.advance(Duration::from_millis(1));
    assert_eq!(h.sent, ["HEART"]);
    h.receive("BLEED");
    h.receive("HEART");
    assert_eq!(h.sent, ["HEART", "BLEED"]);
    for _ in 0..50 {
        h.advance(Duration::from_secs(2));
        h.receive("BLEED");
    }
    assert!(
        h.client.is_connected(),
        "a server that answers is never lost"
    );
}

#[test]
fn server_is_lost_after_five_seconds_without_bleed() {
    let no_reconnect = ClientConfig {
        reconnect: None,
        ..ClientConfig::default()
    };
    let mut h = Harness::connected_with(no_reconnect);
    h.advance(Duration::from_millis(4999));
    assert!(h.client.is_connected());
    h.advance(Duration::from_millis(1));
    assert!(!h.client.is_connected());
    assert!(h.events.contains(&ClientEvent::ServerLost {
        how: LostHow::Silent,
        retry_in: None
    }));
    assert_eq!(h.disconnects, 1);
    assert_eq!(h.sent, ["HEART", "HEART"]);
    assert_eq!(h.client.poll_timeout(), None);
}
