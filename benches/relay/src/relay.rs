//! The readiness loop: accept, read, copy to every other connection.

use std::io::{self, Read};
use std::net::TcpListener;

use nix::sys::epoll::{Epoll, EpollCreateFlags, EpollEvent, EpollFlags, EpollTimeout};

use crate::conn::{Conn, Sent};
use crate::hello::Step;

/// Bytes read from one socket in one go (the server's own figure).
const READ_CHUNK: usize = 64 * 1024;
/// Bytes taken from one socket before the others get a turn (likewise).
const READ_BUDGET: usize = 256 * 1024;
/// The listener's token; connections are their slot.
const LISTENER: u64 = u64::MAX;

pub struct Relay {
    listener: TcpListener,
    epoll: Epoll,
    conns: Vec<Option<Conn>>,
    free: Vec<usize>,
    buf: Box<[u8]>,
}

impl Relay {
    pub fn new(listener: TcpListener) -> io::Result<Self> {
        listener.set_nonblocking(true)?;
        let epoll = Epoll::new(EpollCreateFlags::EPOLL_CLOEXEC)?;
        epoll.add(&listener, EpollEvent::new(EpollFlags::EPOLLIN, LISTENER))?;
        Ok(Self {
            listener,
            epoll,
            conns: Vec::new(),
            free: Vec::new(),
            buf: vec![0; READ_CHUNK].into_boxed_slice(),
        })
    }

    /// Runs until the process is stopped.
    pub fn run(&mut self) -> io::Result<()> {
        let mut events = vec![EpollEvent::empty(); 1024];
        loop {
            let n = match self.epoll.wait(&mut events, EpollTimeout::NONE) {
                Ok(n) => n,
                Err(nix::errno::Errno::EINTR) => continue,
                Err(e) => return Err(e.into()),
            };
            for event in events.iter().take(n) {
                match event.data() {
                    LISTENER => self.accept(),
                    slot => {
                        let Ok(slot) = usize::try_from(slot) else {
                            continue;
                        };
                        let flags = event.events();
                        if flags.contains(EpollFlags::EPOLLOUT) {
                            self.writable(slot);
                        }
                        if flags.intersects(
                            EpollFlags::EPOLLIN | EpollFlags::EPOLLHUP | EpollFlags::EPOLLERR,
                        ) {
                            self.readable(slot);
                        }
                    }
                }
            }
        }
    }

    fn accept(&mut self) {
        loop {
            let stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    eprintln!("mchat-relay: accept: {e}");
                    return;
                }
            };
            if stream.set_nonblocking(true).is_err() {
                continue;
            }
            let _ = stream.set_nodelay(true);
            let slot = self.free.pop().unwrap_or(self.conns.len());
            let token = EpollEvent::new(EpollFlags::EPOLLIN, slot as u64);
            if self.epoll.add(&stream, token).is_err() {
                continue;
            }
            let conn = Some(Conn::new(stream));
            match self.conns.get_mut(slot) {
                Some(entry) => *entry = conn,
                None => self.conns.push(conn),
            }
        }
    }

    fn readable(&mut self, slot: usize) {
        let mut budget = READ_BUDGET;
        while budget > 0 {
            let Some(conn) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
                return;
            };
            let n = match conn.stream.read(&mut self.buf) {
                Ok(0) => return self.drop_conn(slot),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => return self.drop_conn(slot),
            };
            budget = budget.saturating_sub(n);
            self.input(slot, n);
            if n < READ_CHUNK {
                return;
            }
        }
    }

    /// The `n` bytes just read into the buffer from `slot`.
    fn input(&mut self, slot: usize, n: usize) {
        let Self {
            conns, epoll, buf, ..
        } = self;
        let Some(conn) = conns.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let read = buf.get(..n).unwrap_or_default();
        if conn.hello.is_some() {
            conn.partial.extend_from_slice(read);
            return self.hello(slot);
        }
        for slot in chat(conns, epoll, slot, read) {
            self.drop_conn(slot);
        }
    }

    /// Works through a connection's hello lines; once it joined, what
    /// follows them is chat.
    fn hello(&mut self, slot: usize) {
        let Some(conn) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let Some(hello) = conn.hello.as_mut() else {
            return;
        };
        let mut used = 0;
        let mut notice = None;
        for line in conn.partial.split_inclusive(|&b| b == b'\n') {
            let Some(line) = line.strip_suffix(b"\n") else {
                break;
            };
            used += line.len() + 1;
            if let Step::Joined(text) = hello.line(line) {
                notice = Some(text);
                break;
            }
        }
        conn.partial.drain(..used);
        let Some(notice) = notice else { return };
        conn.hello = None;
        if !sent(&self.epoll, slot, conn, &notice) {
            return self.drop_conn(slot);
        }
        // Lines sent right behind the JOIN.
        let rest = std::mem::take(&mut conn.partial);
        for slot in chat(&mut self.conns, &self.epoll, slot, &rest) {
            self.drop_conn(slot);
        }
    }

    fn writable(&mut self, slot: usize) {
        let Some(conn) = self.conns.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        match conn.flush() {
            Sent::All => {
                let mut want = EpollEvent::new(EpollFlags::EPOLLIN, slot as u64);
                if self.epoll.modify(&conn.stream, &mut want).is_err() {
                    self.drop_conn(slot);
                }
            }
            Sent::Waiting | Sent::Behind => {}
            Sent::Failed => self.drop_conn(slot),
        }
    }

    fn drop_conn(&mut self, slot: usize) {
        if let Some(conn) = self.conns.get_mut(slot).and_then(Option::take) {
            let _ = self.epoll.delete(&conn.stream);
            self.free.push(slot);
        }
    }
}

/// Chat bytes from `from`: its whole lines go on at once (after the start
/// of a line held from before), the start of a line waits for its end.
/// Returns the connections to drop.
fn chat(conns: &mut [Option<Conn>], epoll: &Epoll, from: usize, read: &[u8]) -> Vec<usize> {
    let Some(conn) = conns.get_mut(from).and_then(Option::as_mut) else {
        return Vec::new();
    };
    let Some(end) = memchr::memrchr(b'\n', read) else {
        conn.partial.extend_from_slice(read);
        return Vec::new();
    };
    let (lines, rest) = read.split_at(end + 1);
    if conn.partial.is_empty() {
        conn.partial.extend_from_slice(rest);
        // Relayed from the bytes as read: no copy.
        relay(conns, epoll, from, lines)
    } else {
        let mut whole = std::mem::take(&mut conn.partial);
        whole.extend_from_slice(lines);
        conn.partial.extend_from_slice(rest);
        relay(conns, epoll, from, &whole)
    }
}

/// Sends a chunk of whole lines to every joined connection but `from`;
/// returns those to drop.
fn relay(conns: &mut [Option<Conn>], epoll: &Epoll, from: usize, lines: &[u8]) -> Vec<usize> {
    let mut failed = Vec::new();
    for (slot, entry) in conns.iter_mut().enumerate() {
        let Some(conn) = entry else { continue };
        if slot == from || conn.hello.is_some() {
            continue;
        }
        if !sent(epoll, slot, conn, lines) {
            failed.push(slot);
        }
    }
    failed
}

/// Writes `bytes` to `conn`, watching its socket for writability when some
/// has to wait; `false`: drop it.
fn sent(epoll: &Epoll, slot: usize, conn: &mut Conn, bytes: &[u8]) -> bool {
    match conn.send(bytes) {
        Sent::All | Sent::Behind => true,
        Sent::Waiting => {
            let mut want = EpollEvent::new(EpollFlags::EPOLLIN | EpollFlags::EPOLLOUT, slot as u64);
            epoll.modify(&conn.stream, &mut want).is_ok()
        }
        Sent::Failed => false,
    }
}
