//! The server's counters and gauges (for monitoring): each counts exactly
//! what happened, by kind, code and reason.

use mchat_core::server::{CloseReason, LinkState, Listener};
use mchat_core::wire::{ErrorCode, MessageKind};

use crate::harness::Harness;

#[test]
fn a_scripted_session_is_counted_line_by_line() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby", "den"]);
    h.say(alice, "MSG alice lobby hello");
    h.say(alice, "MSG alice den not a member");
    h.say(bob, "JOIN");
    let c = h.server.counters().clone();
    assert_eq!(c.clients_accepted, 2);
    assert_eq!(c.lines_received.get(MessageKind::Nick), 2);
    assert_eq!(c.lines_received.get(MessageKind::Join), 3);
    assert_eq!(c.lines_received.get(MessageKind::Msg), 2);
    assert_eq!(c.lines_malformed, 1, "the JOIN without a room");
    // alice's join to alice; bob's two joins to bob and, in the lobby, to
    // alice; her message to bob.
    assert_eq!(c.lines_sent.get(MessageKind::System), 4);
    assert_eq!(c.lines_sent.get(MessageKind::Msg), 1);
    assert_eq!(c.errors_sent.get(ErrorCode::NotJoined), 1);
    assert_eq!(c.errors_sent.get(ErrorCode::Malformed), 1);
    assert_eq!(c.lines_sent.get(MessageKind::Error), 2);
    let typed = "NICK alice\nJOIN lobby\nNICK bob\nJOIN lobby\nJOIN den\n\
                 MSG alice lobby hello\nMSG alice den not a member\nJOIN\n";
    assert_eq!(c.bytes_received, typed.len() as u64);

    let g = h.server.gauges();
    assert_eq!((g.clients, g.rooms, g.members), (2, 2, 3));
    h.close(bob);
    let g = h.server.gauges();
    assert_eq!((g.clients, g.rooms, g.members), (1, 1, 1));
}

#[test]
fn closes_are_counted_by_reason_and_refusals_apart() {
    let mut config = crate::harness::config();
    config.max_clients = 1;
    let mut h = Harness::new(config);
    let _alice = h.member("alice", &[]);
    let _turned_away = h.client();
    let c = h.server.counters();
    assert_eq!(c.connections_refused, 1);
    assert_eq!(c.closed.get(CloseReason::ServerFull), 1);
    assert_eq!(c.closed.total(), 1);
    assert_eq!(c.errors_sent.get(ErrorCode::ServerFull), 1);
    assert_eq!(c.clients_accepted, 1);
}

#[test]
fn a_peer_link_has_its_own_traffic_and_state() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.say(peer, "MSG bob lobby hi");
    h.take_all();
    h.say(alice, "MSG alice lobby back");
    let links = h.server.peer_links();
    let [link] = links.as_slice() else {
        panic!("{links:?}")
    };
    assert_eq!(link.addr.to_string(), "10.0.0.7 7000");
    assert_eq!(link.state, LinkState::Established);
    let traffic = link.traffic.unwrap();
    // Counted from the handshake's end: MY_ADDR came before.
    assert_eq!(traffic.lines_in, 1);
    assert_eq!(traffic.bytes_in, "MSG bob lobby hi\n".len() as u64);
    assert!(traffic.lines_out >= 1, "alice's message went to it");
    h.close(peer);
    let links = h.server.peer_links();
    assert!(
        matches!(
            links.as_slice(),
            [l] if matches!(l.state, LinkState::BackingOff { .. } | LinkState::Dialling)
        ),
        "{links:?}"
    );
    assert_eq!(h.server.counters().links_lost, 1);
}
