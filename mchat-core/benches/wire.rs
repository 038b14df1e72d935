//! Wire codec throughput: framing + parsing a realistic stream, and encoding.
//!
//! Run: `cargo bench -p mchat-core --bench wire`

// The benchmark's inputs are its own; a panic here is a broken benchmark.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mchat_core::wire::{LineFramer, Message, private_room_name};

const LINES: usize = 100_000;

/// A deterministic mix like a busy server's input: mostly chat with
/// 86-byte texts, some non-ASCII, private rooms, joins, parts, nicks and
/// keep-alives.
fn realistic_stream() -> Vec<u8> {
    let private = private_room_name("sauna", "löyly");
    let rooms = ["lobby", "rust", "random", "ops-alerts", private.as_str()];
    let text =
        "the quick brown fox jumps over the lazy dog while the server relays it to everyone!!";
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = String::new();
    for i in 0..LINES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let room = rooms[(state % rooms.len() as u64) as usize];
        let nick = format!("user{}", state % 997);
        match state % 100 {
            0..=79 => out.push_str(&format!("MSG {nick} {room} {i:02} {text}\n")),
            80..=84 => out.push_str(&format!("MSG {nick} {room} hyvää päivää 🌞 {text}\n")),
            85..=87 => out.push_str(&format!("JOIN {room}\n")),
            88..=89 => out.push_str(&format!("PART {room}\n")),
            90 => out.push_str(&format!("NICK {nick}\n")),
            91..=94 => out.push_str("HEART\n"),
            95..=97 => out.push_str("BLEED\n"),
            _ => out.push_str(&format!("SYSTEM {room} {nick} joined channel\n")),
        }
    }
    out.into_bytes()
}

fn frame_and_parse(stream: &[u8]) -> usize {
    let mut framer = LineFramer::new();
    let mut parsed = 0;
    for chunk in stream.chunks(64 * 1024) {
        for line in framer.frames(chunk).flatten() {
            if Message::parse(line.as_str()).is_ok() {
                parsed += 1;
            }
        }
    }
    parsed
}

fn bench(c: &mut Criterion) {
    let stream = realistic_stream();
    assert_eq!(frame_and_parse(&stream), LINES);
    let messages: Vec<Message> = stream
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| Message::parse(std::str::from_utf8(l).unwrap()).unwrap())
        .collect();

    let mut group = c.benchmark_group("wire");
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("frame+parse 100k lines (bytes)", |b| {
        b.iter(|| frame_and_parse(std::hint::black_box(&stream)))
    });
    group.throughput(Throughput::Elements(LINES as u64));
    group.bench_function("frame+parse 100k lines (lines)", |b| {
        b.iter(|| frame_and_parse(std::hint::black_box(&stream)))
    });
    group.bench_function("encode 100k lines (lines)", |b| {
        b.iter(|| messages.iter().map(|m| m.encode().len()).sum::<usize>())
    });
    group.throughput(Throughput::Bytes(stream.len() as u64));
    group.bench_function("encode 100k lines (bytes)", |b| {
        b.iter(|| messages.iter().map(|m| m.encode().len()).sum::<usize>())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
