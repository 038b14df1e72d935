//! A real `mchat-server` process (or any server binary printing the same
//! start line), started on loopback and killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::paths::{scratch, workspace_bin};

/// The client and server ports in a server's start line:
/// "… listening for clients on HOST port P, for servers on port Q …".
pub fn ports_from_banner(line: &str) -> (u16, u16) {
    let after = |marker: &str| -> u16 {
        let at = line
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker:?} in {line:?}"));
        let rest = line.get(at + marker.len()..).unwrap_or_default();
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap_or_default()
            .parse()
            .unwrap()
    };
    (after(" port "), after("servers on port "))
}

/// Spawns a server command (stdout piped, stderr dropped) and returns once
/// it has printed its start line, with the ports read from it; the rest of
/// its output stays in the reader.
pub fn spawn_listening(cmd: &mut Command) -> (Child, BufReader<ChildStdout>, (u16, u16)) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    (child, stdout, ports_from_banner(&line))
}

/// The flags that lift a server's per-address limits (PROTOCOL.md §9) and
/// its flood control (§3).
pub const UNLIMITED: [&str; 8] = [
    "--max-clients-per-ip",
    "0",
    "--max-candidates-per-ip",
    "0",
    "--connect-rate-per-ip",
    "0",
    "--flood-rate",
    "0",
];

/// A running `mchat-server` in the foreground; killed when dropped.
pub struct ServerProc {
    pub child: Child,
    pub client_port: u16,
    pub server_port: u16,
    pub dir: PathBuf,
    pub host: String,
    _stdout: BufReader<ChildStdout>,
}

impl ServerProc {
    /// `mchat-server start --non-daemon [extra] <host> <cport> <sport> [peer]`
    /// with its pidfile and log in `dir`; returns once it listens.
    pub fn start(
        dir: &Path,
        host: &str,
        ports: (u16, u16),
        peer: Option<(&str, u16)>,
        extra: &[&str],
    ) -> Self {
        let mut cmd = Command::new(workspace_bin("mchat-server"));
        cmd.args(["start", "--non-daemon", "--pidfile"])
            .arg(dir.join(format!("{}-{}.pid", host.replace(':', "_"), ports.0)))
            .arg("--log-dir")
            .arg(dir)
            .args(extra)
            .args([host, &ports.0.to_string(), &ports.1.to_string()]);
        if let Some((peer_host, peer_port)) = peer {
            cmd.args([peer_host, &peer_port.to_string()]);
        }
        let (child, stdout, (client_port, server_port)) = spawn_listening(&mut cmd);
        Self {
            child,
            client_port,
            server_port,
            dir: dir.to_owned(),
            host: host.to_owned(),
            _stdout: stdout,
        }
    }

    /// A server on 127.0.0.1 with ports picked by the system.
    pub fn local(name: &str) -> Self {
        Self::start(&scratch(name), "127.0.0.1", (0, 0), None, &[])
    }

    /// [`local`](Self::local), with the per-address limits (PROTOCOL.md §9)
    /// and flood control (§3) lifted: for tests that open many connections
    /// from 127.0.0.1 or send as fast as they can.
    pub fn local_unlimited(name: &str) -> Self {
        Self::start(&scratch(name), "127.0.0.1", (0, 0), None, &UNLIMITED)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL, as a crash.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits for the process to exit by itself; fails after `within`.
    pub fn wait_exit(&mut self, within: std::time::Duration) -> std::process::ExitStatus {
        crate::exit_within(&mut self.child, within, "the server")
    }

    /// The server's resident memory now, in KiB.
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
