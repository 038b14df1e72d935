//! PROTOCOL.md §8: a recipient whose unsent output passes its limit is
//! disconnected, and parted with the usual notices; nobody else is slowed.

use mchat_core::server::{CloseReason, ConnId, Output};

use crate::harness::{Busy, Harness, config};

#[test]
fn reader_that_never_flushes_is_disconnected_as_slow_consumer() {
    let Busy {
        mut h,
        sender,
        slow,
        fast,
    } = Busy::new(10_000);
    let line = format!("MSG sender busy {}\n", "x".repeat(80));
    let mut fast_got = 0;
    let mut slow_closed_at = None;
    for i in 0..300 {
        h.server.handle_input(sender, line.as_bytes(), h.now);
        // Only `fast` reports its writes.
        while let Some(output) = h.server.poll_output() {
            match output {
                Output::Send { to, line } if to == fast => {
                    // One output may hold several lines.
                    fast_got += line.iter().filter(|&&b| b == b'\n').count();
                    h.server.handle_flushed(to, line.len(), h.now);
                }
                Output::Close { id, reason } => {
                    assert_eq!((id, reason), (slow, CloseReason::SlowConsumer));
                    slow_closed_at.get_or_insert(i);
                }
                _ => {}
            }
        }
    }
    let closed_at = slow_closed_at.expect("the slow reader was never closed");
    assert!(
        (100..=120).contains(&closed_at),
        "closed after {closed_at} lines"
    );
    assert_eq!(fast_got, 300 + 1, "every line plus the left notice");
    assert!(!h.server.is_open(slow));
    assert!(h.server.is_open(fast));
}

#[test]
fn reader_that_keeps_up_is_never_disconnected() {
    let mut cfg = config();
    cfg.client_queue_limit = 1_000;
    cfg.flood_rate = 0;
    let mut h = Harness::new(cfg);
    let sender = h.member("sender", &["busy"]);
    let reader = h.member("reader", &["busy"]);
    for _ in 0..10_000 {
        h.say(sender, "MSG sender busy a line that is flushed at once");
    }
    assert!(h.server.is_open(reader));
    assert_eq!(h.take(reader).len(), 10_000);
}

#[test]
fn slow_consumer_is_parted_with_notices() {
    let mut cfg = config();
    cfg.client_queue_limit = 100;
    let mut h = Harness::new(cfg);
    let other = h.member("other", &["a"]);
    let slow = h.member("slow", &["a"]);
    h.take_all();
    // `slow` is sent 200 bytes and reports none written.
    h.server.handle_input(
        other,
        format!("MSG other a {}\n", "y".repeat(200)).as_bytes(),
        h.now,
    );
    let outputs: Vec<Output> = std::iter::from_fn(|| h.server.poll_output()).collect();
    let closed: Vec<ConnId> = outputs
        .iter()
        .filter_map(|o| match o {
            Output::Close { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(closed, [slow]);
    let to_other: Vec<String> = outputs
        .iter()
        .filter_map(|o| match o {
            Output::Send { to, line } if *to == other => {
                Some(String::from_utf8_lossy(line).into_owned())
            }
            _ => None,
        })
        .collect();
    assert_eq!(to_other, ["SYSTEM a slow left channel\n"]);
}
