//! One room kept in sync across two mChat networks: what is said in the
//! room on one network is said on the other by the bridge, as
//! `<nick> text`. Joins and parts are passed on as text too.
//!
//! Run with two servers that are *not* in the same mesh:
//! `cargo run -p examples --bin bridge -- 127.0.0.1 6061 127.0.0.1 7061 lobby`

use std::time::Duration;

use examples::BlockingClient;
use mchat_core::client::{ClientConfig, ClientEvent};
use mchat_core::wire::Nick;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host_a, port_a, host_b, port_b, room] = args.as_slice() else {
        eprintln!("usage: bridge <host_a> <port_a> <host_b> <port_b> <room>");
        std::process::exit(2);
    };
    let mut sides = [side(host_a, port_a, room), side(host_b, port_b, room)];
    loop {
        for from in 0..2 {
            let events = sides[from].wait(Duration::from_millis(50));
            for event in events {
                let line = match event {
                    ClientEvent::Message {
                        room: r,
                        nick,
                        text,
                    } if r == *room => format!("<{nick}> {text}"),
                    ClientEvent::Notice { room: r, text }
                        if r == *room && !text.starts_with("bridge ") =>
                    {
                        format!("* {text}")
                    }
                    ClientEvent::ServerLost => {
                        eprintln!("side {from} lost its server; reconnecting");
                        sides[from] = side(
                            if from == 0 { host_a } else { host_b },
                            if from == 0 { port_a } else { port_b },
                            room,
                        );
                        continue;
                    }
                    _ => continue,
                };
                sides[1 - from].type_line(&format!("msg {room} {line}"));
            }
        }
    }
}

/// A client named `bridge`, connected and in `room`.
fn side(host: &str, port: &str, room: &str) -> BlockingClient {
    let mut config = ClientConfig::default();
    config.nick = Nick::new("bridge").unwrap_or(config.nick);
    let mut client = BlockingClient::new(config);
    client.type_line(&format!("connect {host} {port}"));
    client.type_line(&format!("join {room}"));
    client
}
