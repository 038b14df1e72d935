//! A line-oriented TCP client for tests: sends lines, reads them with
//! deadlines (never sleeps), and answers the server's `HEART` with `BLEED`
//! so that a slow test is not taken for a dead client.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// How long a test waits for a line it expects before it fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// One connection to a server's client (or server) port.
pub struct LineClient {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Where the unread part of `buf` begins: lines are taken by moving
    /// this, and the buffer is compacted once per read, not once per line,
    /// so a test reader keeps up with a server sending tens of MiB.
    start: usize,
}

impl LineClient {
    pub fn connect(host: &str, port: u16) -> Self {
        let stream = TcpStream::connect((host, port))
            .unwrap_or_else(|e| panic!("connecting to {host} port {port}: {e}"));
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// Connects to 127.0.0.1 `port` from the loopback address `source`
    /// (any of 127.0.0.0/8): another user, as the server's per-address
    /// limits see it.
    pub fn connect_from(source: std::net::Ipv4Addr, port: u16) -> Self {
        use nix::sys::socket::{
            AddressFamily, SockFlag, SockType, SockaddrIn, bind, connect, socket,
        };
        use std::os::fd::AsRawFd;
        let fd = socket(
            AddressFamily::Inet,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap();
        bind(
            fd.as_raw_fd(),
            &SockaddrIn::from(std::net::SocketAddrV4::new(source, 0)),
        )
        .unwrap();
        let target = std::net::SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, port);
        connect(fd.as_raw_fd(), &SockaddrIn::from(target))
            .unwrap_or_else(|e| panic!("connecting to port {port} from {source}: {e}"));
        let stream = TcpStream::from(fd);
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// [`connect_from`](Self::connect_from), then a nick.
    pub fn member_at_from(source: std::net::Ipv4Addr, port: u16, nick: &str) -> Self {
        let mut c = Self::connect_from(source, port);
        c.send(&format!("NICK {nick}"));
        c
    }

    /// Connects to 127.0.0.1, sets a nick and joins rooms, consuming its
    /// own `joined channel` notices.
    pub fn member(port: u16, nick: &str, rooms: &[&str]) -> Self {
        Self::member_at("127.0.0.1", port, nick, rooms)
    }

    /// As [`LineClient::member`], on a given host.
    pub fn member_at(host: &str, port: u16, nick: &str, rooms: &[&str]) -> Self {
        let mut c = Self::connect(host, port);
        c.send(&format!("NICK {nick}"));
        for room in rooms {
            c.send(&format!("JOIN {room}"));
            c.expect(&format!("SYSTEM {room} {nick} joined channel"));
        }
        c
    }

    /// Sends one line (the `\n` is added).
    pub fn send(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// The next line, or `None` at the deadline or end of stream. `HEART`s
    /// are answered and skipped unless `keep_hearts`.
    pub fn next_line_until(&mut self, deadline: Instant, keep_hearts: bool) -> Option<String> {
        loop {
            let unread = &self.buf[self.start..];
            if let Some(at) = unread.iter().position(|&b| b == b'\n') {
                let line = String::from_utf8_lossy(&unread[..at]).into_owned();
                self.start += at + 1;
                if line == "HEART" && !keep_hearts {
                    self.send("BLEED");
                    continue;
                }
                return Some(line);
            }
            self.buf.drain(..self.start);
            self.start = 0;
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// The next line within [`DEADLINE`], `HEART`s answered and skipped.
    pub fn next_line(&mut self) -> Option<String> {
        self.next_line_until(Instant::now() + DEADLINE, false)
    }

    /// Reads until `want` arrives; fails at the deadline, with what came.
    pub fn expect(&mut self, want: &str) {
        self.expect_within(want, DEADLINE);
    }

    /// Reads until `want` arrives within `within`; fails with what came.
    pub fn expect_within(&mut self, want: &str, within: Duration) {
        if let Err(seen) = self.wait_for(|line| line == want, within) {
            panic!("expected {want:?} within {within:?}, got {seen:?}");
        }
    }

    /// Reads until a line satisfies `wanted`, for at most `within`: the
    /// line, or every line that came instead.
    pub fn wait_for(
        &mut self,
        wanted: impl Fn(&str) -> bool,
        within: Duration,
    ) -> Result<String, Vec<String>> {
        let deadline = Instant::now() + within;
        let mut seen = Vec::new();
        while let Some(line) = self.next_line_until(deadline, false) {
            if wanted(&line) {
                return Ok(line);
            }
            seen.push(line);
        }
        Err(seen)
    }

    /// Lines that arrive within `quiet` of each other, until a pause.
    pub fn drain(&mut self, quiet: Duration) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.next_line_until(Instant::now() + quiet, false) {
            lines.push(line);
        }
        lines
    }

    /// Waits for the server to close the connection; what came before,
    /// starting with what an earlier read took in but no line returned.
    pub fn expect_closed(&mut self) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        let unread = self.buf.split_off(self.start);
        self.buf.clear();
        self.start = 0;
        if !unread.is_empty() {
            seen.push(String::from_utf8_lossy(&unread).into_owned());
        }
        loop {
            self.stream
                .set_read_timeout(Some(Duration::from_millis(50)))
                .unwrap();
            let mut chunk = [0u8; 4096];
            match self.stream.read(&mut chunk) {
                Ok(0) => return seen,
                Ok(n) => seen.push(String::from_utf8_lossy(&chunk[..n]).into_owned()),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return seen,
            }
            assert!(
                Instant::now() < deadline,
                "connection still open; got {seen:?}"
            );
        }
    }

    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}
