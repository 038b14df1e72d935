//! A bot on `mchat_core::client::Client`: it joins a room and answers
//! `!ping` with `pong` and `!time` with the time; when the server goes
//! away it reconnects.
//!
//! Run against a server: `cargo run -p examples --example echo_bot -- 127.0.0.1 6061 lobby`

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use examples::BlockingClient;
use mchat_core::client::{ClientConfig, ClientEvent};
use mchat_core::wire::Nick;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, room] = args.as_slice() else {
        eprintln!("usage: echo_bot <host> <port> <room>");
        std::process::exit(2);
    };
    let mut config = ClientConfig::default();
    // This program reconnects by itself, to show how.
    config.reconnect = None;
    config.nick = Nick::new("echobot").unwrap_or(config.nick);
    let mut bot = BlockingClient::new(config);
    let mut backoff = Duration::from_secs(1);
    loop {
        if !bot.client().is_connected() {
            bot.type_line(&format!("connect {host} {port}"));
            bot.type_line(&format!("join {room}"));
        }
        for event in bot.wait(Duration::from_secs(1)) {
            match event {
                ClientEvent::Connected { .. } => {
                    backoff = Duration::from_secs(1);
                    println!("connected to {host} {port}");
                }
                ClientEvent::Message { room, nick, text } => {
                    let answer = match text.trim() {
                        "!ping" => Some("pong".to_owned()),
                        "!time" => Some(now_utc()),
                        _ => None,
                    };
                    if let Some(answer) = answer {
                        bot.type_line(&format!("msg {room} {nick}: {answer}"));
                    }
                }
                ClientEvent::ServerLost { .. } | ClientEvent::ConnectFailed { .. } => {
                    println!("server gone; trying again in {} s", backoff.as_secs());
                    std::thread::sleep(backoff);
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
                _ => {}
            }
        }
    }
}

/// The time of day in UTC, without a date library.
fn now_utc() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02} UTC",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}
