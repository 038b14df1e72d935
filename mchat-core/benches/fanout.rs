//! The server state machine alone: one chat line fanned out to 10 000 local
//! members of a room and 50 peer servers.
//!
//! Run: `cargo bench -p mchat-core --bench fanout`

// The benchmark's inputs are its own; a panic here is a broken benchmark.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::SocketAddr;
use std::num::NonZeroU16;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mchat_core::server::{Listener, Output, Server, ServerConfig};
use mchat_core::wire::{Host, PeerAddr};

const MEMBERS: usize = 10_000;
const PEERS: usize = 50;

fn bench(c: &mut Criterion) {
    let now = Instant::now();
    let port = NonZeroU16::new(6062).unwrap();
    let mut config = ServerConfig::new(PeerAddr::new(Host::new("10.0.0.1").unwrap(), port));
    config.max_clients = MEMBERS + 1;
    config.max_room_members = MEMBERS + 1;
    // Nobody reports flushes here: measure the decisions, not a socket.
    config.client_queue_limit = usize::MAX;
    config.peer_queue_limit = usize::MAX;
    let mut server = Server::new(config, now);
    let remote: SocketAddr = "192.0.2.1:40000".parse().unwrap();
    let mut members = Vec::new();
    for i in 0..MEMBERS {
        let id = server.accept(Listener::Client, remote, now);
        server.handle_input(id, format!("NICK user{i}\nJOIN lobby\n").as_bytes(), now);
        while server.poll_output().is_some() {}
        members.push(id);
    }
    for i in 0..PEERS {
        let id = server.accept(Listener::Server, remote, now);
        server.handle_input(id, format!("MY_ADDR 10.1.0.{i} 6062\n").as_bytes(), now);
        while server.poll_output().is_some() {}
    }
    let sender = members[0];
    let line = b"MSG user0 lobby the quick brown fox jumps over the lazy dog while the server relays it!!\n";
    let deliveries = (MEMBERS - 1 + PEERS) as u64;

    let mut group = c.benchmark_group("fanout");
    group.throughput(Throughput::Elements(deliveries));
    group.bench_function("1 line to 9 999 members + 50 peers", |b| {
        b.iter(|| {
            server.handle_input(sender, line, now);
            let mut sent = 0u64;
            while let Some(output) = server.poll_output() {
                if let Output::Send { line, .. } = output {
                    sent += 1;
                    std::hint::black_box(line);
                }
            }
            assert_eq!(sent, deliveries);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
