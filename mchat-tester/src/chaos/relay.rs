//! Our TCP relays in front of each server's server port, through which the
//! mesh's links run, so the scenario can cut and heal them.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};

use mchat_core::wire::Message;

use crate::wire;

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The link between two servers, by index, the smaller first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pair {
    low: usize,
    high: usize,
}

impl Pair {
    pub fn new(a: usize, b: usize) -> Self {
        Self {
            low: a.min(b),
            high: a.max(b),
        }
    }

    fn joins(&self, a: usize, b: usize) -> bool {
        *self == Pair::new(a, b)
    }
}

impl fmt::Display for Pair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.low, self.high)
    }
}

/// One connection through a relay.
struct Relayed {
    /// The server whose relay it came through.
    at: usize,
    /// The server that dialled, once its `MY_ADDR` said which.
    peer: Option<usize>,
    /// The dialler's side and ours to the server, to shut down on a cut.
    inbound: TcpStream,
    outbound: TcpStream,
}

/// The links cut, and every relayed connection, shared by all relays.
#[derive(Default)]
pub struct Switchboard {
    cuts: Mutex<BTreeSet<Pair>>,
    links: Mutex<Vec<Relayed>>,
}

/// What [`Switchboard::toggle`] did.
pub enum Toggled {
    Cut,
    Healed,
}

impl Switchboard {
    /// Cuts `pair` (closing its connections, refusing new ones) or, if it
    /// was cut, heals it.
    pub fn toggle(&self, pair: Pair) -> Toggled {
        let mut cuts = lock(&self.cuts);
        if cuts.remove(&pair) {
            return Toggled::Healed;
        }
        cuts.insert(pair);
        for link in lock(&self.links).iter() {
            if link.peer.is_some_and(|peer| pair.joins(link.at, peer)) {
                let _ = link.inbound.shutdown(Shutdown::Both);
                let _ = link.outbound.shutdown(Shutdown::Both);
            }
        }
        Toggled::Cut
    }

    pub fn heal_all(&self) {
        lock(&self.cuts).clear();
    }

    fn is_cut(&self, pair: Pair) -> bool {
        lock(&self.cuts).contains(&pair)
    }

    /// `0-1, 2-4`, or `none`.
    pub fn cuts_text(&self) -> String {
        let cuts = lock(&self.cuts);
        if cuts.is_empty() {
            return "none".into();
        }
        cuts.iter()
            .map(Pair::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Notes that the connection from `dialler` through server `at`'s relay
    /// comes from server `peer`.
    fn identify(&self, at: usize, dialler: &TcpStream, peer: usize) {
        let from = dialler.peer_addr().ok();
        for link in lock(&self.links).iter_mut() {
            if link.at == at && link.peer.is_none() && link.inbound.peer_addr().ok() == from {
                link.peer = Some(peer);
            }
        }
    }
}

/// The server a `MY_ADDR` line names, by the relay port it advertises.
fn announced(line: &[u8], relay_ports: &[u16]) -> Option<usize> {
    let Some(Message::MyAddr(addr)) = wire::parse(line) else {
        return None;
    };
    if addr.host.as_str() != "127.0.0.1" {
        return None;
    }
    relay_ports.iter().position(|&r| r == addr.port.get())
}

/// Starts the relay of server `i`: listens on its relay port and copies
/// each connection to its server port; refuses or cuts links the
/// switchboard has cut.
pub fn start(
    i: usize,
    relay_port: u16,
    server_port: u16,
    relay_ports: &[u16],
    board: &Arc<Switchboard>,
) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", relay_port))?;
    let (relay_ports, board) = (relay_ports.to_vec(), board.clone());
    std::thread::spawn(move || {
        for inbound in listener.incoming().flatten() {
            let Ok(outbound) = TcpStream::connect(("127.0.0.1", server_port)) else {
                continue;
            };
            let clones = (
                inbound.try_clone(),
                inbound.try_clone(),
                inbound.try_clone(),
                outbound.try_clone(),
                outbound.try_clone(),
            );
            let (Ok(in2), Ok(in3), Ok(in4), Ok(out2), Ok(out3)) = clones else {
                continue;
            };
            lock(&board.links).push(Relayed {
                at: i,
                peer: None,
                inbound: in3,
                outbound: out3,
            });
            let (relay_ports, board) = (relay_ports.clone(), board.clone());
            // Dialler → server: copied line by line, watching for MY_ADDR.
            std::thread::spawn(move || {
                let mut out = outbound;
                for line in BufReader::new(inbound).split(b'\n').map_while(Result::ok) {
                    if let Some(j) = announced(&line, &relay_ports) {
                        board.identify(i, &in2, j);
                        if board.is_cut(Pair::new(i, j)) {
                            break;
                        }
                    }
                    if out
                        .write_all(&line)
                        .and_then(|()| out.write_all(b"\n"))
                        .is_err()
                    {
                        break;
                    }
                }
                let _ = out.shutdown(Shutdown::Both);
                let _ = in2.shutdown(Shutdown::Both);
            });
            // Server → dialler: plain copy.
            std::thread::spawn(move || {
                let (mut from, mut to) = (out2, in4);
                let _ = std::io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Both);
            });
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{Pair, Switchboard, Toggled, announced};

    #[test]
    fn a_toggled_pair_is_cut_then_healed() {
        let board = Switchboard::default();
        assert!(matches!(board.toggle(Pair::new(3, 1)), Toggled::Cut));
        assert!(matches!(board.toggle(Pair::new(0, 2)), Toggled::Cut));
        assert!(board.is_cut(Pair::new(1, 3)));
        assert_eq!(board.cuts_text(), "0-2, 1-3");
        assert!(matches!(board.toggle(Pair::new(1, 3)), Toggled::Healed));
        board.heal_all();
        assert_eq!(board.cuts_text(), "none");
    }

    #[test]
    fn my_addr_names_the_server_behind_the_relay_port() {
        let relays = [20_001, 20_002];
        assert_eq!(announced(b"MY_ADDR 127.0.0.1 20002", &relays), Some(1));
        assert_eq!(announced(b"MY_ADDR 127.0.0.1 9", &relays), None);
        assert_eq!(announced(b"MY_ADDR 10.0.0.1 20002", &relays), None);
        assert_eq!(announced(b"MSG a b MY_ADDR", &relays), None);
    }
}
