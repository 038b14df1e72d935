//! The failure texts of the checks, as a person reads them.

// Test code: a panic is how a test fails.
#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use mchat_sim::check::Checker;
use mchat_sim::history::{HeartbeatClose, History};

#[test]
fn a_heartbeat_close_is_reported_at_its_offset_from_the_start() {
    let start = Instant::now();
    let mut history = History::new(start, 0, 2);
    history.heartbeat_closes.push(HeartbeatClose {
        server: 1,
        at: start + Duration::from_millis(1500),
    });
    let err = Checker::for_delay(Duration::from_millis(50))
        .check(&history)
        .expect_err("a heartbeat close is a violation");
    assert_eq!(
        err,
        "server 1 closed a connection for missed heartbeats at t=1.500s although every end answers"
    );
}
