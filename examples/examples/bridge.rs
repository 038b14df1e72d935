//! One room kept in sync across two mChat networks: what is said in the
//! room on one network is said on the other by the bridge, as
//! `<nick> text`. Joins and parts are passed on as text too.
//!
//! Run with two servers that are *not* in the same mesh:
//! `cargo run -p examples --example bridge -- 127.0.0.1 6061 127.0.0.1 7061 lobby`

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
    let mut a = side(host_a, port_a, room);
    let mut b = side(host_b, port_b, room);
    loop {
        pass(&mut a, &mut b, room, (host_a, port_a));
        pass(&mut b, &mut a, room, (host_b, port_b));
    }
}

/// Says on `to` what happened in `room` on `from`; rebuilds `from` if its
/// server went away.
fn pass(
    from: &mut BlockingClient,
    to: &mut BlockingClient,
    room: &str,
    (host, port): (&str, &str),
) {
    for event in from.wait(Duration::from_millis(50)) {
        let line = match event {
            ClientEvent::Message {
                room: r,
                nick,
                text,
            } if r.name == room => format!("<{nick}> {text}"),
            ClientEvent::Notice { room: r, text }
                if r.name == room && !text.starts_with("bridge ") =>
            {
                format!("* {text}")
            }
            ClientEvent::ServerLost { .. } | ClientEvent::ConnectFailed { .. } => {
                eprintln!("lost {host} {port}; reconnecting");
                std::thread::sleep(Duration::from_secs(1));
                *from = side(host, port, room);
                continue;
            }
            _ => continue,
        };
        to.type_line(&format!("msg {room} {line}"));
    }
}

/// A client named `bridge`, connected and in `room`.
fn side(host: &str, port: &str, room: &str) -> BlockingClient {
    let mut config = ClientConfig::default();
    // This program reconnects by itself, to show how.
    config.reconnect = None;
    config.nick = Nick::new("bridge").unwrap_or(config.nick);
    let mut client = BlockingClient::new(config);
    client.type_line(&format!("connect {host} {port}"));
    client.type_line(&format!("join {room}"));
    client
}
