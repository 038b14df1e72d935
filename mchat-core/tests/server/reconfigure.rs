//! Reconfiguring a running server: timing and limits change at once for
//! the connections that are up; its identity and mesh rules need a restart.

use std::time::Duration;

use mchat_core::server::Listener;

use crate::harness::{Harness, addr, config};

#[test]
fn a_shorter_heartbeat_interval_reaches_the_clients_already_connected() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &[]);
    let mut faster = config();
    faster.heartbeat_interval = Duration::from_millis(200);
    let done = h.server.reconfigure(&faster, h.now);
    assert_eq!(done.applied.len(), 1, "{done:?}");
    assert_eq!(done.applied[0].field, "heartbeat_interval");
    assert_eq!(done.applied[0].from, "2s");
    assert_eq!(done.applied[0].to, "200ms");
    assert!(done.need_restart.is_empty());
    // Within two new intervals alice is asked for a heartbeat, not after
    // the old 2 s.
    h.advance(Duration::from_millis(400));
    assert!(h.take(alice).contains(&"HEART".to_owned()));
}

#[test]
fn new_limits_hold_for_what_comes_next() {
    let mut h = Harness::with_defaults();
    let _alice = h.member("alice", &[]);
    let mut tighter = config();
    tighter.max_clients = 1;
    let done = h.server.reconfigure(&tighter, h.now);
    assert_eq!(done.applied[0].field, "max_clients");
    let bob = h.accept(Listener::Client);
    assert_eq!(h.take(bob).len(), 1, "refused with one ERROR");
    assert!(h.closed.contains_key(&bob));
}

#[test]
fn who_the_server_is_needs_a_restart_and_is_kept() {
    let mut h = Harness::with_defaults();
    let mut moved = config();
    moved.advertised = addr("10.9.9.9", 6062);
    moved.extensions = mchat_core::wire::ExtensionSet::NONE;
    let done = h.server.reconfigure(&moved, h.now);
    assert!(done.applied.is_empty(), "{done:?}");
    let fields: Vec<&str> = done.need_restart.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["advertised", "extensions"]);
    assert_eq!(h.server.config().advertised, config().advertised);
    assert!(h.server.reconfigure(&config(), h.now).is_empty());
}
