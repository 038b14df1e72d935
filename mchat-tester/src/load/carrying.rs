//! Waiting until a new mesh carries lines between every two servers, not
//! only links them: a probe client on each server says a numbered line per
//! round, until one round reaches every other probe.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use mchat_core::wire::Message;

use crate::locked::lock;
use crate::mesh::{Pair, pair};
use crate::wire;

/// The probes' room, apart from the load's.
const ROOM: &str = "mesh-probe";

/// How long to wait for a round before saying the next (the first often
/// misses probes still joining; a slow round may still complete later).
const ROUND: Duration = Duration::from_millis(250);

/// Which probe heard which probe's line of which round.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Heard {
    by: usize,
    from: usize,
    round: u64,
}

#[derive(Default)]
struct Ears {
    heard: Mutex<HashSet<Heard>>,
    changed: Condvar,
}

/// Pairs of servers between which no line of the last round went (either
/// way); empty once the mesh carries everything.
fn silent(heard: &HashSet<Heard>, servers: usize, round: u64) -> Vec<Pair> {
    Pair::all(servers)
        .filter(|p| {
            let (a, b) = p.ends();
            !(heard.contains(&Heard {
                by: a,
                from: b,
                round,
            }) && heard.contains(&Heard {
                by: b,
                from: a,
                round,
            }))
        })
        .collect()
}

/// Probes on `client_ports` until a round reaches all of them; the pairs
/// still silent if `within` runs out.
pub fn wait_carrying(client_ports: &[u16], within: Duration) -> Result<(), String> {
    let ears = Arc::new(Ears::default());
    let mut probes = Vec::new();
    let mut readers = Vec::new();
    let result = (|| {
        for (i, port) in client_ports.iter().enumerate() {
            let mut s = TcpStream::connect(("127.0.0.1", *port))
                .map_err(|e| format!("probe {i}: connecting to 127.0.0.1:{port}: {e}"))?;
            let hello = wire::hello(&format!("probe{i}"), ROOM).map_err(|e| e.to_string())?;
            s.write_all(&hello).map_err(|e| e.to_string())?;
            let reader = s.try_clone().map_err(|e| e.to_string())?;
            let ears = ears.clone();
            readers.push(std::thread::spawn(move || listen(i, reader, &ears)));
            probes.push(s);
        }
        let deadline = Instant::now() + within;
        for round in 1u64.. {
            for (i, s) in probes.iter_mut().enumerate() {
                let line = wire::msg_line(&format!("probe{i}"), ROOM, format!("round {round}"))
                    .map_err(|e| e.to_string())?;
                s.write_all(&line).map_err(|e| e.to_string())?;
            }
            let round_ends = (Instant::now() + ROUND).min(deadline);
            let mut heard = lock(&ears.heard);
            loop {
                if (1..=round).any(|r| silent(&heard, client_ports.len(), r).is_empty()) {
                    return Ok(());
                }
                let gaps = silent(&heard, client_ports.len(), round);
                let left = round_ends.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    if Instant::now() >= deadline {
                        return Err(format!("no line went between {}", pair::list(gaps)));
                    }
                    break;
                }
                heard = ears
                    .changed
                    .wait_timeout(heard, left)
                    .map_or_else(|p| p.into_inner().0, |(guard, _)| guard);
            }
        }
        Ok(())
    })();
    for s in &probes {
        let _ = s.shutdown(Shutdown::Both);
    }
    for r in readers {
        let _ = r.join();
    }
    result
}

/// Probe `by`'s reader: notes each round line it hears, answers HEART.
fn listen(by: usize, stream: TcpStream, ears: &Ears) {
    let mut answer = stream.try_clone().ok();
    for line in BufReader::new(stream).split(b'\n').map_while(Result::ok) {
        match wire::parse(&line) {
            Some(Message::Heart) => {
                if let Some(a) = answer.as_mut() {
                    let _ = a.write_all(&Message::Bleed.encode());
                }
            }
            Some(Message::Msg(chat)) => {
                let from = chat.nick().as_str().strip_prefix("probe");
                let round = chat.text().as_str().strip_prefix("round ");
                if let (Some(Ok(from)), Some(Ok(round))) =
                    (from.map(str::parse), round.map(str::parse))
                {
                    lock(&ears.heard).insert(Heard { by, from, round });
                    ears.changed.notify_all();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::{Heard, silent};
    use crate::mesh::Pair;

    #[test]
    fn a_pair_is_silent_until_its_round_went_both_ways() {
        let mut heard = HashSet::new();
        assert_eq!(silent(&heard, 2, 1), [Pair::new(0, 1)]);
        heard.insert(Heard {
            by: 0,
            from: 1,
            round: 1,
        });
        assert_eq!(silent(&heard, 2, 1), [Pair::new(0, 1)]);
        heard.insert(Heard {
            by: 1,
            from: 0,
            round: 1,
        });
        assert!(silent(&heard, 2, 1).is_empty());
        // An earlier round does not count for a later one.
        assert_eq!(silent(&heard, 2, 2), [Pair::new(0, 1)]);
    }
}
