//! PROTOCOL.md §9: capacity limits, each answered per §6 when hit.

use mchat_core::server::{CloseReason, Event, Listener};

use crate::harness::{Harness, config};

#[test]
fn client_over_the_limit_is_told_server_full_and_closed() {
    let mut cfg = config();
    cfg.max_clients = 2;
    let mut h = Harness::new(cfg);
    h.client();
    h.client();
    let third = h.client();
    assert_eq!(
        h.take(third)[0].split(' ').take(2).collect::<Vec<_>>(),
        ["ERROR", "server-full"]
    );
    assert_eq!(h.closed.get(&third), Some(&CloseReason::ServerFull));
    assert_eq!(h.server.client_count(), 2);
    assert!(h.events.iter().any(|e| matches!(
        e,
        Event::Refused {
            listener: Listener::Client,
            ..
        }
    )));
}

#[test]
fn a_freed_place_can_be_taken_again() {
    let mut cfg = config();
    cfg.max_clients = 1;
    let mut h = Harness::new(cfg);
    let first = h.client();
    h.close(first);
    let second = h.client();
    assert!(!h.closed.contains_key(&second));
}

#[test]
fn server_over_the_limit_is_closed_without_error() {
    let mut cfg = config();
    cfg.max_servers = 1;
    let mut h = Harness::new(cfg);
    let first = h.accept(Listener::Server);
    h.say(first, "MY_ADDR 10.0.0.7 7000");
    let second = h.accept(Listener::Server);
    assert!(h.take(second).is_empty());
    assert_eq!(h.closed.get(&second), Some(&CloseReason::ServerFull));
    assert!(h.events.iter().any(|e| matches!(
        e,
        Event::Refused {
            listener: Listener::Server,
            ..
        }
    )));
}

#[test]
fn room_over_the_member_limit_is_refused_room_full() {
    let mut cfg = config();
    cfg.max_room_members = 2;
    let mut h = Harness::new(cfg);
    h.member("a", &["lobby"]);
    h.member("b", &["lobby"]);
    let c = h.member("c", &[]);
    h.say(c, "JOIN lobby");
    assert_eq!(h.error_code(c), "room-full");
    h.say(c, "JOIN other");
    assert_eq!(h.take(c), ["SYSTEM other c joined channel"]);
}

#[test]
fn room_over_the_room_limit_is_refused_too_many_rooms() {
    let mut cfg = config();
    cfg.max_rooms = 2;
    let mut h = Harness::new(cfg);
    let a = h.member("a", &["one", "two"]);
    h.say(a, "JOIN three");
    assert_eq!(h.error_code(a), "too-many-rooms");
    // Joining an existing room is still fine.
    let b = h.member("b", &[]);
    h.say(b, "JOIN one");
    assert_eq!(h.take(b), ["SYSTEM one b joined channel"]);
}

#[test]
fn connection_slots_are_small_distinct_while_live_and_reused_after_close() {
    let mut h = Harness::with_defaults();
    let ids: Vec<_> = (0..5).map(|_| h.client()).collect();
    let mut slots: Vec<usize> = ids.iter().map(|id| id.slot()).collect();
    slots.sort_unstable();
    assert_eq!(slots, [0, 1, 2, 3, 4]);
    let gone = ids[2];
    h.close(gone);
    let next = h.client();
    // The slot comes back, the handle does not.
    assert_eq!(next.slot(), gone.slot());
    assert_ne!(next, gone);
}

#[test]
fn half_open_handshakes_cannot_keep_a_real_server_out() {
    let mut cfg = config();
    cfg.max_servers = 2;
    cfg.max_candidates = 4;
    let mut h = Harness::new(cfg);
    // An attacker opens many more handshakes than either limit, and never
    // finishes one; a real server connects among them.
    let mut half_open = Vec::new();
    for _ in 0..20 {
        half_open.push(h.accept(Listener::Server));
    }
    let real = h.accept(Listener::Server);
    for _ in 0..3 {
        half_open.push(h.accept(Listener::Server));
    }
    h.say(real, "MY_ADDR 10.0.0.7 7000");
    assert!(h.server.is_open(real), "{:?}", h.closed.get(&real));
    assert!(h.server.peers().any(|p| p.to_string() == "10.0.0.7 7000"));
    let still_open = half_open.iter().filter(|&&id| h.server.is_open(id)).count();
    assert!(still_open <= 4, "{still_open} half-open handshakes kept");
}
