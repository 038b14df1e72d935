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

impl Traffic {
    fn count(&self, chunk: &[u8]) {
        self.bytes.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        let lines = memchr::memchr_iter(b'\n', chunk).count();
        self.lines.fetch_add(lines as u64, Ordering::Relaxed);
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

    /// Starts relay `at`: listens on its relay port and carries each
    /// connection to `server_port`.
    pub fn start(self: &Arc<Self>, at: usize, server_port: u16) -> std::io::Result<()> {
        let port = self.relay_ports.get(at).copied().ok_or_else(|| {
            std::io::Error::new(ErrorKind::NotFound, format!("there is no relay {at}"))
        })?;
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let relays = self.clone();
        std::thread::spawn(move || {
            for dialler in listener.incoming().flatten() {
                if let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) {
                    let _ = relays.carry(at, dialler, server);
                }
            }
        });
        Ok(())
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
