//! Connecting, disconnecting and failing to connect (PROTOCOL.md §5).

use mchat_core::client::{ClientEvent, Refusal};

use crate::harness::Harness;

#[test]
fn connecting_sends_the_nick_and_the_default_is_mchatter() {
    let mut h = Harness::new();
    h.type_line("connect 127.0.0.1 6061");
    assert_eq!(h.connects, [("127.0.0.1".to_owned(), 6061)]);
    assert!(h.sent.is_empty(), "nothing before the connection is up");
    h.client.connected("127.0.0.1", 6061, h.now);
    h.drain();
    assert_eq!(h.sent, ["NICK mChatter"]);
    assert!(h.events.contains(&ClientEvent::Connected {
        host: "127.0.0.1".into(),
        port: 6061
    }));
}

#[test]
fn connect_twice_is_refused_and_a_failed_connect_can_be_retried() {
    let mut h = Harness::new();
    h.type_line("connect a 1");
    h.type_line("connect b 2");
    assert_eq!(h.refusals(), [Refusal::AlreadyConnected]);
    h.client.connect_failed("refused");
    h.drain();
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::ConnectFailed {
            host: "a".into(),
            port: 1,
            reason: "refused".into()
        }),
        "the failure says where the connection was to go"
    );
    assert!(!h.client.is_connected());
    h.type_line("connect b 2");
    assert_eq!(h.connects.len(), 2);
}

#[test]
fn closing_forgets_the_rooms_and_quit_disconnects() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.client.handle_close();
    h.drain();
    assert!(h.events.contains(&ClientEvent::ServerLost));
    assert_eq!(h.client.rooms().count(), 0);
    let mut h = Harness::connected();
    h.type_line("quit");
    assert_eq!(h.disconnects, 1);
    assert!(h.events.contains(&ClientEvent::Quit));
}
