//! Connecting, disconnecting and failing to connect (PROTOCOL.md §5).

use std::time::Duration;

use mchat_core::client::{ClientConfig, ClientEvent, ConnectionEnd, LostHow, Refusal};

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
    h.client.connect_failed("refused", h.now);
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
fn closing_without_reconnect_forgets_the_rooms_and_quit_disconnects() {
    let no_reconnect = ClientConfig {
        reconnect: None,
        ..ClientConfig::default()
    };
    let mut h = Harness::connected_with(no_reconnect);
    h.type_line("join lobby");
    h.client.handle_close(ConnectionEnd::Closed, h.now);
    h.drain();
    assert!(h.events.contains(&ClientEvent::ServerLost {
        how: LostHow::Closed,
        retry_in: None
    }));
    assert_eq!(h.client.rooms().count(), 0);
    assert_eq!(h.client.poll_timeout(), None, "nothing more to do");
    let mut h = Harness::connected();
    h.type_line("quit");
    assert_eq!(h.disconnects, 1);
    assert!(h.events.contains(&ClientEvent::Quit));
}

/// The reconnect delays of a client whose every redial fails: the waits
/// between the loss and each `Connect`.
fn redial_waits(h: &mut Harness, attempts: usize) -> Vec<Duration> {
    let mut waits = Vec::new();
    let mut since = h.now;
    for _ in 0..attempts {
        let at = h.client.poll_timeout().expect("a redial is due");
        waits.push(at - since);
        let dials = h.connects.len();
        h.advance(at - h.now);
        assert_eq!(h.connects.len(), dials + 1, "no redial at its time");
        since = h.now;
        h.client.connect_failed("refused", h.now);
        h.drain();
    }
    waits
}

#[test]
fn a_lost_server_is_dialled_again_with_doubling_jittered_delays_up_to_30_s() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.client
        .handle_close(ConnectionEnd::Failed("reset by peer".into()), h.now);
    h.drain();
    let Some(ClientEvent::ServerLost {
        how: LostHow::Failed(why),
        retry_in: Some(first),
    }) = h.events.last().cloned()
    else {
        panic!("{:?}", h.events);
    };
    assert_eq!(why, "reset by peer");
    assert!(h.client.is_reconnecting());
    let waits = redial_waits(&mut h, 8);
    assert_eq!(waits[0], first);
    let secs = |s: f64| Duration::from_secs_f64(s);
    for (wait, base) in waits
        .iter()
        .zip([1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0])
    {
        assert!(
            *wait >= secs(base) && *wait <= secs(base * 1.5).min(secs(30.0)).max(secs(base)),
            "{waits:?}"
        );
    }
    // One line for the loss, none for the failed redials.
    let lost = h
        .events
        .iter()
        .filter(|e| matches!(e, ClientEvent::ServerLost { .. }))
        .count();
    assert_eq!(lost, 1);
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, ClientEvent::ConnectFailed { .. }))
    );
    // Meanwhile a line is refused for the true reason.
    h.type_line("hello?");
    assert_eq!(h.refusals().last(), Some(&Refusal::Reconnecting));
}

#[test]
fn a_reconnect_sends_the_nick_and_joins_every_room_again_private_ones_by_digest() {
    let mut h = Harness::connected();
    h.type_line("nick carol");
    h.type_line("join lobby");
    h.type_line("joinprivate vault hunter2");
    let digest = mchat_core::wire::private_room_name("vault", "hunter2");
    h.advance(Duration::from_secs(6));
    assert!(
        matches!(
            h.events.last(),
            Some(ClientEvent::ServerLost {
                how: LostHow::Silent,
                retry_in: Some(_)
            })
        ),
        "{:?}",
        h.events
    );
    assert!(h.client.is_reconnecting());
    h.sent.clear();
    let at = h.client.poll_timeout().unwrap();
    h.advance(at - h.now);
    assert_eq!(h.connects.last(), Some(&("example.org".to_owned(), 6061)));
    h.client.connected("example.org", 6061, h.now);
    h.drain();
    assert_eq!(
        h.sent,
        [
            "NICK carol".to_owned(),
            "JOIN lobby".to_owned(),
            format!("JOIN {digest}")
        ]
    );
    let Some(ClientEvent::Reconnected { rooms, .. }) = h.events.last() else {
        panic!("{:?}", h.events);
    };
    let names: Vec<(&str, bool)> = rooms.iter().map(|r| (r.name.as_str(), r.private)).collect();
    assert_eq!(names, [("lobby", false), ("vault", true)]);
    assert_eq!(h.client.current_room(), Some("vault"));
    h.type_line("back");
    assert_eq!(h.sent.last().unwrap(), &format!("MSG carol {digest} back"));
}

#[test]
fn connect_or_disconnect_while_reconnecting_gives_the_reconnect_up() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.client.handle_close(ConnectionEnd::Closed, h.now);
    h.drain();
    h.type_line("disconnect");
    assert!(!h.client.is_reconnecting());
    assert_eq!(h.client.poll_timeout(), None);
    assert_eq!(h.client.rooms().count(), 0);

    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.client.handle_close(ConnectionEnd::Closed, h.now);
    h.drain();
    h.type_line("connect other.example 7061");
    assert_eq!(h.connects.last(), Some(&("other.example".to_owned(), 7061)));
    h.client.connected("other.example", 7061, h.now);
    h.drain();
    assert!(h.events.contains(&ClientEvent::Connected {
        host: "other.example".into(),
        port: 7061
    }));
    assert_eq!(
        h.client.rooms().count(),
        0,
        "a fresh start on the other server"
    );
    // A failed connect of the user's own is told, not retried.
    let mut h = Harness::new();
    h.type_line("connect a 1");
    h.client.connect_failed("refused", h.now);
    h.drain();
    assert_eq!(h.client.poll_timeout(), None);
}
