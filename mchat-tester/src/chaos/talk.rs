//! The chaos clients: each chats in its room through the failures,
//! reconnecting when its server dies, and hands what it hears to the ledger.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use mchat_core::wire::Message;

use super::ledger::{Ledger, Stamp};
use crate::locked::lock;
use crate::wire;

/// The room client `c` chats in, with `rooms` rooms in all: `lobby` when
/// there is one; else `room0`, `room1`, … dealt round-robin, so that with
/// as many rooms as clients per server or more, a server lacks some rooms
/// and room-interest routing has lines to hold back.
pub fn room_of(c: usize, rooms: usize) -> String {
    if rooms <= 1 {
        "lobby".to_owned()
    } else {
        format!("room{}", c % rooms)
    }
}

/// Client `c` on the server at `port`, in `room`: says a stamped line
/// every 100 ms until `stop`, reconnecting (a new connection number) when
/// cut off. A line of another room is a broken rule.
pub fn talk(c: usize, port: u16, room: &str, ledger: &Arc<Mutex<Ledger>>, stop: &AtomicBool) {
    let nick = format!("c{c}");
    let Ok(hello) = wire::hello(&nick, room) else {
        return;
    };
    let mut conn = 0u64;
    while !stop.load(Ordering::Relaxed) {
        conn += 1;
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
            // Its server is down: try again until it is back.
            std::thread::sleep(Duration::from_millis(200));
            continue;
        };
        let _ = stream.write_all(&hello);
        let (ledger, mine) = (ledger.clone(), room.to_owned());
        let reader = stream.try_clone().ok().map(|s| {
            on_texts(s, move |room, text| {
                let mut ledger = lock(&ledger);
                if room == mine {
                    ledger.record(c, text);
                } else {
                    ledger.not_a_member(c, room);
                }
            })
        });
        let mut seq = 0;
        while !stop.load(Ordering::Relaxed) {
            seq += 1;
            let stamp = Stamp {
                sender: c,
                conn,
                seq,
            };
            let Ok(line) = wire::msg_line(&nick, room, stamp.text("chat")) else {
                break;
            };
            if stream.write_all(&line).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = stream.shutdown(Shutdown::Both);
        if let Some(reader) = reader {
            let _ = reader.join();
        }
    }
}

/// Reads a client's lines on a thread of their own, answering HEART, and
/// hands each chat line's room and text to `each`.
pub fn on_texts(
    stream: TcpStream,
    mut each: impl FnMut(&str, &str) + Send + 'static,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut answer = stream.try_clone().ok();
        let bleed = Message::Bleed.encode();
        for line in BufReader::new(stream).split(b'\n').map_while(Result::ok) {
            match wire::parse(&line) {
                Some(Message::Heart) => {
                    if let Some(a) = answer.as_mut() {
                        let _ = a.write_all(&bleed);
                    }
                }
                Some(Message::Msg(chat)) => each(chat.room().as_str(), chat.text().as_str()),
                _ => {}
            }
        }
    })
}
