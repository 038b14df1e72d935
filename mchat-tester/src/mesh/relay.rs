//! Our TCP relays, one in front of each server's server port: the servers
//! advertise the relay's port, so every peer link runs through one, where
//! it is counted and its owner (chaos, load) may watch or cut it.

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::announce::Scanner;

/// Read size of a relay's copy loop.
const CHUNK: usize = 64 * 1024;

/// Bytes and lines the relays carried, both directions, since they started.
#[derive(Default)]
pub struct Traffic {
    bytes: AtomicU64,
    lines: AtomicU64,
}

/// What [`Traffic`] had counted at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carried {
    pub bytes: u64,
    pub lines: u64,
}

impl Traffic {
    fn count(&self, chunk: &[u8]) {
        self.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let lines = memchr::memchr_iter(b'\n', chunk).count();
        self.lines.fetch_add(lines as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Carried {
        Carried {
            bytes: self.bytes.load(Ordering::Relaxed),
            lines: self.lines.load(Ordering::Relaxed),
        }
    }
}

impl Carried {
    /// What was carried between `earlier` and this.
    pub fn since(self, earlier: Carried) -> Carried {
        Carried {
            bytes: self.bytes.saturating_sub(earlier.bytes),
            lines: self.lines.saturating_sub(earlier.lines),
        }
    }
}

/// A connection through a relay, numbered in the order the relays took them.
pub type LinkId = u64;

/// Both ends of a relayed connection: the dialler's, and ours to the server.
pub struct Ends {
    pub dialler: TcpStream,
    pub server: TcpStream,
}

/// What the relays' owner hears about each connection (all of it from the
/// relays' threads).
pub trait Hooks: Send + Sync + 'static {
    /// `link` came through server `at`'s relay.
    fn opened(&self, _link: LinkId, _at: usize, _ends: Ends) {}
    /// The dialler of `link` announced itself as server `peer`; `false`
    /// cuts the link before its announcement goes on.
    fn identified(&self, _link: LinkId, _at: usize, _peer: usize) -> bool {
        true
    }
    /// `link` is closed.
    fn closed(&self, _link: LinkId) {}
}

/// Looks at each chunk read; `Some(offset)` passes on only what comes
/// before `offset` and ends the copy.
type CutAt<'a> = &'a mut dyn FnMut(&[u8]) -> Option<usize>;

/// What every relay of a mesh shares.
pub struct Relays<H> {
    /// Relay `i`'s port, which server `i` advertises.
    relay_ports: Vec<u16>,
    pub traffic: Traffic,
    pub hooks: H,
    next_link: AtomicU64,
}

impl<H: Hooks> Relays<H> {
    pub fn new(relay_ports: Vec<u16>, hooks: H) -> Arc<Self> {
        Arc::new(Self {
            relay_ports,
            traffic: Traffic::default(),
            hooks,
            next_link: AtomicU64::new(0),
        })
    }

    /// Starts relay `at`: takes each connection to `listener` (bound to
    /// its relay port) and carries it to `server_port`.
    pub fn start(self: &Arc<Self>, at: usize, listener: TcpListener, server_port: u16) {
        let relays = self.clone();
        std::thread::spawn(move || {
            for dialler in listener.incoming().flatten() {
                if let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) {
                    let _ = relays.carry(at, dialler, server);
                }
            }
        });
    }

    /// Copies one connection both ways on threads of its own.
    fn carry(
        self: &Arc<Self>,
        at: usize,
        dialler: TcpStream,
        server: TcpStream,
    ) -> std::io::Result<()> {
        // Lines go on as soon as they come, as they would on a direct link.
        dialler.set_nodelay(true)?;
        server.set_nodelay(true)?;
        let link = self.next_link.fetch_add(1, Ordering::Relaxed);
        self.hooks.opened(
            link,
            at,
            Ends {
                dialler: dialler.try_clone()?,
                server: server.try_clone()?,
            },
        );
        let (back_from, back_to) = (server.try_clone()?, dialler.try_clone()?);
        let relays = self.clone();
        std::thread::spawn(move || {
            relays.carry_dialler(link, at, dialler, server);
            relays.hooks.closed(link);
        });
        let relays = self.clone();
        std::thread::spawn(move || relays.copy(back_from, back_to, None));
        Ok(())
    }

    /// Dialler → server, looking for the dialler's announcement on the way.
    fn carry_dialler(&self, link: LinkId, at: usize, from: TcpStream, to: TcpStream) {
        let mut scanner = Scanner::default();
        let mut announced = false;
        self.copy(
            from,
            to,
            Some(&mut |chunk: &[u8]| {
                if announced {
                    return None;
                }
                let found = scanner.feed(chunk, &self.relay_ports)?;
                announced = true;
                (!self.hooks.identified(link, at, found.server)).then_some(found.line_start)
            }),
        );
    }

    /// Copies `from` to `to`, counted, until either closes; `cut_at` may
    /// end it at an offset of the chunk just read. Closes both.
    fn copy(&self, mut from: TcpStream, mut to: TcpStream, mut cut_at: Option<CutAt<'_>>) {
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let chunk = buf.get(..n).unwrap_or_default();
            let cut = cut_at.as_mut().and_then(|f| f(chunk));
            let pass = chunk.get(..cut.unwrap_or(n)).unwrap_or_default();
            self.traffic.count(pass);
            if to.write_all(pass).is_err() || cut.is_some() {
                break;
            }
        }
        let _ = from.shutdown(Shutdown::Both);
        let _ = to.shutdown(Shutdown::Both);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::Mutex;
    use std::sync::mpsc::{Sender, channel};
    use std::time::Duration;

    use super::{Carried, Ends, Hooks, LinkId, Relays, Traffic};

    /// Passes on what the relay tells its owner.
    struct Told(Mutex<Sender<String>>);

    impl Hooks for Told {
        fn opened(&self, link: LinkId, at: usize, _ends: Ends) {
            let _ = self
                .0
                .lock()
                .unwrap()
                .send(format!("{link} opened at {at}"));
        }
        fn identified(&self, link: LinkId, _at: usize, peer: usize) -> bool {
            let _ = self.0.lock().unwrap().send(format!("{link} is {peer}"));
            true
        }
        fn closed(&self, link: LinkId) {
            let _ = self.0.lock().unwrap().send(format!("{link} closed"));
        }
    }

    #[test]
    fn a_relay_carries_counts_and_names_a_link_both_ways() {
        // A stand-in server that answers every line with BLEED.
        let server = TcpListener::bind("127.0.0.1:0").unwrap();
        let server_port = server.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (s, _) = server.accept().unwrap();
            let mut out = s.try_clone().unwrap();
            for _ in BufReader::new(s).lines().map_while(Result::ok) {
                out.write_all(b"BLEED\n").unwrap();
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let relay_port = listener.local_addr().unwrap().port();
        let (tx, told) = channel();
        // Relay 0, in front of the server; 7 is server 1's relay port.
        let relays = Relays::new(vec![relay_port, 7], Told(Mutex::new(tx)));
        relays.start(0, listener, server_port);
        let mut dialler = TcpStream::connect(("127.0.0.1", relay_port)).unwrap();
        dialler.write_all(b"HEART\nMY_ADDR 127.0.0.1 7\n").unwrap();
        let mut answers = BufReader::new(dialler.try_clone().unwrap());
        for _ in 0..2 {
            let mut line = String::new();
            answers.read_line(&mut line).unwrap();
            assert_eq!(line, "BLEED\n");
        }
        let within = Duration::from_secs(10);
        assert_eq!(told.recv_timeout(within).unwrap(), "0 opened at 0");
        assert_eq!(told.recv_timeout(within).unwrap(), "0 is 1");
        // Counted before they were passed on: 26 bytes there, 12 back.
        assert_eq!(
            relays.traffic.snapshot(),
            Carried {
                bytes: 38,
                lines: 4
            }
        );
        drop(answers);
        dialler.shutdown(std::net::Shutdown::Both).unwrap();
        assert_eq!(told.recv_timeout(within).unwrap(), "0 closed");
    }

    #[test]
    fn traffic_counts_bytes_and_lines_and_differences() {
        let traffic = Traffic::default();
        traffic.count(b"HEART\nMSG a b c");
        let before = traffic.snapshot();
        assert_eq!(
            before,
            Carried {
                bytes: 15,
                lines: 1
            }
        );
        traffic.count(b"\nBLEED\n");
        assert_eq!(
            traffic.snapshot().since(before),
            Carried { bytes: 7, lines: 2 }
        );
    }
}
