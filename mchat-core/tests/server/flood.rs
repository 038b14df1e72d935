//! PROTOCOL.md §3, flood control, from the attacker's side: a client that
//! sends as fast as it can into a busy room pays for it itself — its
//! lines past the limit are refused and it is disconnected if it keeps
//! on — and no reader is dropped; a person pasting a long text never
//! meets the limit.

use std::time::Duration;

use mchat_core::server::{CloseReason, ConnId, Output};

use crate::harness::{Harness, config};

/// Sends `n` lines from `from` at the current instant; every reader but
/// `unread` flushes at once. Returns how many `MSG` lines each reader got,
/// and how many `ERROR flood` the sender got.
fn flood_at_once(
    h: &mut Harness,
    from: ConnId,
    n: usize,
    unread: ConnId,
) -> (Vec<(ConnId, usize)>, usize) {
    let mut got = std::collections::HashMap::new();
    let mut refused = 0;
    let line = format!("MSG flooder room {}\n", "x".repeat(100));
    for _ in 0..n {
        h.server.handle_input(from, line.as_bytes(), h.now);
        while let Some(output) = h.server.poll_output() {
            match output {
                Output::Send { to, line } => {
                    if to != unread {
                        h.server.handle_flushed(to, line.len(), h.now);
                    }
                    for line in line.split_inclusive(|&b| b == b'\n') {
                        if line.starts_with(b"MSG ") {
                            *got.entry(to).or_insert(0) += 1;
                        }
                        if to == from && line.starts_with(b"ERROR flood ") {
                            refused += 1;
                        }
                    }
                }
                Output::Close { id, reason } => {
                    h.closed.insert(id, reason);
                }
                _ => {}
            }
        }
    }
    (got.into_iter().collect(), refused)
}

/// Every one of `ids` answers the server's heartbeats (what came is taken).
fn answer_hearts(h: &mut Harness, ids: &[ConnId]) -> Vec<Vec<String>> {
    ids.iter()
        .map(|&id| {
            let lines = h.take(id);
            if lines.iter().any(|l| l == "HEART") {
                h.say(id, "BLEED");
            }
            lines.into_iter().filter(|l| l != "HEART").collect()
        })
        .collect()
}

#[test]
fn a_flood_into_a_room_of_twenty_drops_no_reader() {
    let mut h = Harness::with_defaults();
    let flooder = h.member("flooder", &["room"]);
    // Nineteen readers; one of them does not read at all meanwhile.
    let readers: Vec<ConnId> = (0..19)
        .map(|i| h.member(&format!("r{i}"), &["room"]))
        .collect();
    h.take_all();
    let stalled = readers[0];
    let (got, refused) = flood_at_once(&mut h, flooder, 100_000, stalled);
    for r in &readers {
        assert!(h.server.is_open(*r), "reader {r} was dropped");
        assert!(!h.closed.contains_key(r), "reader {r} was closed");
    }
    let burst = config().flood_burst as usize;
    for (to, n) in got {
        assert!(
            n <= burst,
            "{to} got {n} lines of a flood, over the burst of {burst}"
        );
    }
    // The flooder was told, line by line (its NICK and JOIN took two of
    // the burst).
    assert_eq!(refused, 100_000 - (burst - 2));
}

#[test]
fn a_client_that_keeps_flooding_is_disconnected() {
    let mut h = Harness::with_defaults();
    let flooder = h.member("flooder", &["room"]);
    let reader = h.member("reader", &["room"]);
    h.take_all();
    let mut disconnected_after = None;
    let mut first_refused = None;
    let mut heard = Vec::new();
    for tick in 0..300 {
        let [to_flooder, to_reader] =
            <[Vec<String>; 2]>::try_from(answer_hearts(&mut h, &[flooder, reader])).unwrap();
        if to_flooder.iter().any(|l| l.starts_with("ERROR flood ")) {
            first_refused.get_or_insert(tick);
        }
        heard.extend(to_reader);
        // Ten times the rate: 200 lines a second, 10 every 50 ms.
        for _ in 0..10 {
            h.say(flooder, "MSG flooder room spam");
        }
        if h.closed.get(&flooder) == Some(&CloseReason::Flood) {
            disconnected_after = Some(tick);
            break;
        }
        h.advance(Duration::from_millis(50));
    }
    let ticks = disconnected_after.expect("the flooder was never disconnected");
    // Refusals start once the burst is spent (about a second in); the
    // disconnect comes flood_disconnect after the first.
    let first = first_refused.expect("never refused") - 1;
    let secs = config().flood_disconnect.as_secs_f64();
    let flooding = f64::from(ticks - first) * 0.05;
    assert!(
        flooding >= secs && flooding <= secs + 0.1,
        "disconnected after {flooding} s of refusals"
    );
    assert!(h.server.is_open(reader));
    let heard = h.take(reader);
    assert!(
        heard
            .iter()
            .any(|l| l == "SYSTEM room flooder left channel"),
        "{heard:?}"
    );
}

#[test]
fn a_person_pasting_a_long_text_is_never_refused() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["room"]);
    let bob = h.member("bob", &["room"]);
    h.take_all();
    // 150 lines pasted at once, then typing: a line a second for a minute.
    for i in 0..150 {
        h.say(alice, &format!("MSG alice room pasted line {i}"));
    }
    let mut heard = Vec::new();
    let mut said = Vec::new();
    for i in 0..60 {
        h.advance(Duration::from_secs(1));
        let [to_alice, to_bob] =
            <[Vec<String>; 2]>::try_from(answer_hearts(&mut h, &[alice, bob])).unwrap();
        said.extend(to_alice);
        heard.extend(to_bob);
        h.say(alice, &format!("MSG alice room typed line {i}"));
    }
    said.extend(h.take(alice));
    heard.extend(h.take(bob));
    assert!(said.iter().all(|l| !l.starts_with("ERROR")), "{said:?}");
    assert_eq!(
        heard
            .iter()
            .filter(|l| l.starts_with("MSG alice room "))
            .count(),
        210
    );
}

#[test]
fn a_nick_change_costs_a_token_a_room_and_heartbeats_cost_nothing() {
    let mut cfg = config();
    cfg.flood_burst = 40;
    cfg.max_rooms_per_client = 0;
    let mut h = Harness::new(cfg);
    let rooms: Vec<String> = (0..30).map(|i| format!("r{i}")).collect();
    let rooms: Vec<&str> = rooms.iter().map(String::as_str).collect();
    // 1 NICK + 30 JOINs = 31 of the 40.
    let c = h.member("c", &rooms);
    // Heartbeats are free, however many.
    for _ in 0..1000 {
        h.say(c, "BLEED");
        h.say(c, "HEART");
    }
    assert!(h.take(c).iter().all(|l| l == "BLEED"));
    // A NICK in 30 rooms costs 30: more than the 9 left.
    h.say(c, "NICK renamed");
    assert_eq!(h.error_code(c), "flood");
    // Two seconds at 20 a second refill it.
    h.advance(Duration::from_secs(2));
    h.take(c);
    h.say(c, "NICK renamed");
    assert!(h.take(c).iter().all(|l| !l.starts_with("ERROR")));
}

#[test]
fn a_client_may_be_in_at_most_its_share_of_rooms_and_others_still_create_rooms() {
    let mut cfg = config();
    cfg.max_rooms_per_client = 50;
    cfg.flood_rate = 0;
    let mut h = Harness::new(cfg);
    let hog = h.member("hog", &[]);
    for i in 0..50 {
        h.say(hog, &format!("JOIN room{i}"));
    }
    h.take(hog);
    h.say(hog, "JOIN one-too-many");
    assert_eq!(h.error_code(hog), "too-many-rooms");
    let other = h.member("other", &[]);
    h.say(other, "JOIN brandnew");
    assert_eq!(h.take(other), ["SYSTEM brandnew other joined channel"]);
}
