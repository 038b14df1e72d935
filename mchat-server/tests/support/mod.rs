//! Real `mchat-server` processes and real TCP clients on loopback, with
//! deadlines instead of sleeps.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mchat-server");
pub const DEADLINE: Duration = Duration::from_secs(10);

#[allow(unused_imports)] // each test file uses some of them
pub use testkit::{ServerProc, free_port, scratch};

/// A line-oriented test client.
pub struct Client {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(host: &str, port: u16) -> Self {
        let stream = TcpStream::connect((host, port)).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::new(),
        }
    }

    /// Connects, sets a nick and joins rooms, consuming its own notices.
    pub fn member(port: u16, nick: &str, rooms: &[&str]) -> Self {
        Self::member_at("127.0.0.1", port, nick, rooms)
    }

    /// As [`Client::member`], on a given host.
    pub fn member_at(host: &str, port: u16, nick: &str, rooms: &[&str]) -> Self {
        let mut c = Self::connect(host, port);
        c.send(&format!("NICK {nick}"));
        for room in rooms {
            c.send(&format!("JOIN {room}"));
            c.expect(&format!("SYSTEM {room} {nick} joined channel"));
        }
        c
    }

    pub fn send(&mut self, line: &str) {
        self.stream
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// The next line, or `None` at the deadline or end of stream. HEARTs
    /// are answered and skipped unless `keep_hearts`.
    pub fn next_line_until(&mut self, deadline: Instant, keep_hearts: bool) -> Option<String> {
        loop {
            if let Some(at) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=at).collect();
                let line = String::from_utf8_lossy(&line[..line.len() - 1]).into_owned();
                if line == "HEART" && !keep_hearts {
                    self.send("BLEED");
                    continue;
                }
                return Some(line);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return None;
                }
                Err(_) => return None,
            }
        }
    }

    pub fn next_line(&mut self) -> Option<String> {
        self.next_line_until(Instant::now() + DEADLINE, false)
    }

    /// Reads until `want` arrives; fails at the deadline, with what came.
    pub fn expect(&mut self, want: &str) {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        while let Some(line) = self.next_line_until(deadline, false) {
            if line == want {
                return;
            }
            seen.push(line);
        }
        panic!("expected {want:?}, got {seen:?}");
    }

    /// Lines that arrive within `quiet` of each other, until a pause.
    pub fn drain(&mut self, quiet: Duration) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(line) = self.next_line_until(Instant::now() + quiet, false) {
            lines.push(line);
        }
        lines
    }

    /// Waits for the server to close the connection.
    pub fn expect_closed(&mut self) -> Vec<String> {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
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
