//! After healing: the mesh must carry a round of lines to every client,
//! and then exactly once.

use std::collections::HashMap;
use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::ledger::{Ledger, Stamp};
use super::talk::on_texts;
use super::trace;
use crate::human;
use crate::locked::lock;
use crate::wire;

/// The room of the final rounds.
const ROOM: &str = "final";

/// The connection number of final-round lines, apart from any chat one.
const FINAL_CONN: u64 = 1_000_000;

/// One client's copy of one sender's line of one round.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Arrival {
    receiver: usize,
    sender: usize,
    round: u64,
}

/// Every client says a `final` line per round until one round reaches
/// everyone; no line of any round may have arrived twice.
pub fn run(
    ports: &[u16],
    per_server: usize,
    ledger: &Arc<Mutex<Ledger>>,
    within: Duration,
) -> Result<(), String> {
    let clients = ports.len() * per_server;
    let mut streams = Vec::new();
    let got: Arc<Mutex<HashMap<Arrival, u32>>> = Arc::default();
    for c in 0..clients {
        let port = ports.get(c % ports.len()).copied().unwrap_or(0);
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .map_err(|e| format!("final client {c}: connecting to 127.0.0.1:{port}: {e}"))?;
        let hello = wire::hello(&format!("f{c}"), ROOM).map_err(|e| e.to_string())?;
        let _ = s.write_all(&hello);
        let (r, got, ledger) = (
            s.try_clone().map_err(|e| e.to_string())?,
            got.clone(),
            ledger.clone(),
        );
        on_texts(r, move |_room, text| {
            if let Some((_, stamp)) = Stamp::parse(text) {
                let arrival = Arrival {
                    receiver: c,
                    sender: stamp.sender,
                    round: stamp.seq,
                };
                *lock(&got).entry(arrival).or_insert(0) += 1;
            }
            lock(&ledger).record(c, text);
        });
        streams.push(s);
    }
    let deadline = Instant::now() + within;
    for round in 1u64.. {
        if Instant::now() > deadline {
            return Err(format!(
                "the mesh did not carry a round to everyone within {}",
                human::duration(within)
            ));
        }
        for (c, s) in streams.iter_mut().enumerate() {
            let stamp = Stamp {
                sender: c,
                conn: FINAL_CONN,
                seq: round,
            };
            if let Ok(line) = wire::msg_line(&format!("f{c}"), ROOM, stamp.text("final")) {
                let _ = s.write_all(&line);
            }
        }
        std::thread::sleep(Duration::from_secs(2));
        let g = lock(&got);
        trace(&format!(
            "final round {round}: {} (receiver, sender, round) seen",
            g.len()
        ));
        let everyone = (0..clients).all(|receiver| {
            (0..clients).all(|sender| {
                sender == receiver
                    || g.contains_key(&Arrival {
                        receiver,
                        sender,
                        round,
                    })
            })
        });
        if everyone {
            // That round, and every earlier one, exactly once.
            let twice = g.iter().find(|(_, n)| **n > 1);
            return match twice {
                Some((a, n)) => Err(format!(
                    "client {} got final round {} of {} {n} times",
                    a.receiver, a.round, a.sender
                )),
                None => Ok(()),
            };
        }
    }
    Ok(())
}
