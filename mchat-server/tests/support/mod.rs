//! Real `mchat-server` processes and real TCP clients on loopback, with
//! deadlines instead of sleeps.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mchat-server");
pub const DEADLINE: Duration = Duration::from_secs(10);

/// A scratch directory for one test's pidfiles and logs.
pub fn scratch(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "mchat-test-{}-{}-{name}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A port that was free a moment ago (for tests that restart a server on
/// the same port).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running server in the foreground; killed when dropped.
pub struct ServerProc {
    pub child: Child,
    pub client_port: u16,
    pub server_port: u16,
    pub dir: PathBuf,
    pub host: String,
    _stdout: BufReader<ChildStdout>,
}

impl ServerProc {
    /// Starts `mchat-server start --non-daemon <host> <cport> <sport> [peer]`
    /// with `extra` flags, and waits for it to listen.
    pub fn start(
        dir: &std::path::Path,
        host: &str,
        ports: (u16, u16),
        peer: Option<(&str, u16)>,
        extra: &[&str],
    ) -> Self {
        let mut cmd = Command::new(BIN);
        cmd.arg("start")
            .arg("--non-daemon")
            .arg("--pidfile")
            .arg(dir.join(format!("{}-{}.pid", host.replace(':', "_"), ports.0)))
            .arg("--log-dir")
            .arg(dir)
            .args(extra)
            .arg(host)
            .arg(ports.0.to_string())
            .arg(ports.1.to_string());
        if let Some((peer_host, peer_port)) = peer {
            cmd.arg(peer_host).arg(peer_port.to_string());
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        // "mchat-server: listening for clients on H port P, for servers on port Q; log …"
        let port_after = |marker: &str| -> u16 {
            let rest = &line[line
                .find(marker)
                .unwrap_or_else(|| panic!("no {marker:?} in {line:?}"))
                + marker.len()..];
            rest.split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap()
        };
        let client_port = port_after(" port ");
        let server_port = port_after("servers on port ");
        Self {
            child,
            client_port,
            server_port,
            dir: dir.to_owned(),
            host: host.to_owned(),
            _stdout: stdout,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a crash.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The server's resident memory now, in KiB (from /proc).
    pub fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// The log file's text.
    pub fn log(&self) -> String {
        std::fs::read_to_string(
            self.dir
                .join(format!("{}_{}_server.log", self.host, self.client_port)),
        )
        .unwrap_or_default()
    }
}

impl Drop for ServerProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
