//! PROTOCOL.md §8 on a real server: a member that never reads is cut off,
//! the others keep receiving without a pause, and memory stays bounded.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::io::{Read, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use support::{LineClient, ServerProc, scratch};

const TOTAL: usize = 50 * 1024 * 1024;

#[test]
fn slow_reader_is_disconnected_while_the_room_flows_and_rss_stays_small() {
    // The sender floods on purpose: this is about the slow reader's queue,
    // so flood control is off.
    let s = ServerProc::start(
        &scratch("slow"),
        "127.0.0.1",
        (0, 0),
        None,
        &["--flood-rate", "0"],
    );
    let mut slow = LineClient::member(s.client_port, "slow", &["busy"]);
    let mut fast = LineClient::member(s.client_port, "fast", &["busy"]);
    let sender = LineClient::member(s.client_port, "sender", &["busy"]);
    fast.drain(Duration::from_millis(200));

    let text = "y".repeat(1000);
    let line = format!("MSG sender busy {text}\n");
    let lines = TOTAL / line.len();
    let done = Arc::new(AtomicBool::new(false));
    // The sender answers its HEARTs from a second handle while it writes.
    let mut sender_reader = sender.stream.try_clone().unwrap();
    let mut sender_writer = sender.stream.try_clone().unwrap();
    let answering = {
        let done = done.clone();
        std::thread::spawn(move || {
            sender_reader
                .set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let mut buf = [0u8; 4096];
            while !done.load(Ordering::Relaxed) {
                if let Ok(n) = sender_reader.read(&mut buf)
                    && buf[..n].windows(5).any(|w| w == b"HEART")
                {
                    let _ = sender_writer.write_all(b"BLEED\n");
                }
            }
        })
    };
    let writer = {
        let mut stream = sender.stream.try_clone().unwrap();
        let line = line.clone();
        std::thread::spawn(move || {
            let batch = line.repeat(64);
            for _ in 0..lines / 64 {
                stream.write_all(batch.as_bytes()).unwrap();
            }
        })
    };

    let mut received = 0;
    let mut max_gap = Duration::ZERO;
    let mut max_rss = 0;
    let mut last = Instant::now();
    let want = lines / 64 * 64;
    while received < want {
        let line = fast
            .next_line_until(Instant::now() + Duration::from_secs(10), false)
            .expect("the room stalled");
        if line.starts_with("MSG sender busy ") {
            received += 1;
            max_gap = max_gap.max(last.elapsed());
            last = Instant::now();
            if received % 2000 == 0 {
                max_rss = max_rss.max(s.rss_kib());
            }
        }
    }
    writer.join().unwrap();
    done.store(true, Ordering::Relaxed);
    answering.join().unwrap();

    eprintln!(
        "{} MiB relayed: longest pause {max_gap:?}, peak server RSS {max_rss} KiB",
        TOTAL >> 20
    );
    assert!(
        max_gap < Duration::from_secs(1),
        "a pause of {max_gap:?} in the room"
    );
    assert!(
        max_rss > 0 && max_rss < 64 * 1024,
        "server RSS peaked at {max_rss} KiB"
    );
    // The slow reader was cut off (its unread bytes are drained to reach the close).
    slow.expect_closed();
    assert!(s.log().contains("slow consumer"), "{}", s.log());
}
