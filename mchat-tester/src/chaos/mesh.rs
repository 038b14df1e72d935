//! The `mchat-server` processes of the mesh: their ports, and starting,
//! killing and restarting them.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use mchat_core::rng::SeededRng;

/// One server of the mesh; `child` is `None` while it is down.
pub struct Node {
    pub client_port: u16,
    pub server_port: u16,
    /// The port of our relay in front of its server port, which it
    /// advertises instead.
    pub relay_port: u16,
    child: Option<Child>,
}

/// The servers, by index.
pub struct Mesh {
    pub nodes: Vec<Node>,
    server_bin: PathBuf,
    /// Where the servers keep their pidfiles and logs.
    dir: PathBuf,
}

/// A free port below the kernel's ephemeral range (which starts at 32768
/// by default): a killed server restarts on its ports, and an ephemeral
/// one could meanwhile be taken by some outgoing connection.
fn free_port(rng: &mut SeededRng) -> Result<u16, String> {
    for _ in 0..1000 {
        let port = 20_000 + rng.below(12_000) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free port in 20000-31999".into())
}

impl Mesh {
    /// `servers` nodes with their ports chosen; none started yet.
    pub fn new(
        servers: usize,
        server_bin: &Path,
        dir: PathBuf,
        rng: &mut SeededRng,
    ) -> Result<Self, String> {
        let mut nodes = Vec::new();
        for _ in 0..servers {
            nodes.push(Node {
                client_port: free_port(rng)?,
                server_port: free_port(rng)?,
                relay_port: free_port(rng)?,
                child: None,
            });
        }
        Ok(Self {
            nodes,
            server_bin: server_bin.to_owned(),
            dir,
        })
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn client_ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|n| n.client_port).collect()
    }

    pub fn relay_ports(&self) -> Vec<u16> {
        self.nodes.iter().map(|n| n.relay_port).collect()
    }

    /// The server that is down, if any (the scenario has one at most).
    pub fn down(&self) -> Option<usize> {
        self.nodes.iter().position(|n| n.child.is_none())
    }

    pub fn is_up(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.child.is_some())
    }

    /// Starts server `i`, joining the mesh through server `via`'s relay if
    /// given; returns once it listens.
    pub fn start(&mut self, i: usize, via: Option<usize>) -> Result<(), String> {
        let peer = via.and_then(|v| self.nodes.get(v)).map(|n| n.relay_port);
        let node = self
            .nodes
            .get_mut(i)
            .ok_or_else(|| format!("there is no server {i}"))?;
        let mut cmd = Command::new(&self.server_bin);
        cmd.args([
            "start",
            "--non-daemon",
            "--reconnect-ms",
            "500",
            "--advertise-port",
        ])
        .arg(node.relay_port.to_string())
        .arg("--pidfile")
        .arg(self.dir.join(format!("{i}.pid")))
        .arg("--log-dir")
        .arg(&self.dir)
        .args([
            "127.0.0.1",
            &node.client_port.to_string(),
            &node.server_port.to_string(),
        ]);
        if let Some(peer) = peer {
            cmd.args(["127.0.0.1", &peer.to_string()]);
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting {}: {e}", self.server_bin.display()))?;
        // Wait for its "listening" line.
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if !line.contains("listening") {
            let _ = child.wait();
            return Err(format!(
                "server {i} did not start (ports {} {})",
                node.client_port, node.server_port
            ));
        }
        node.child = Some(child);
        Ok(())
    }

    /// Kills server `i` (SIGKILL) and reaps it.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut child) = self.nodes.get_mut(i).and_then(|n| n.child.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Kills every server still up.
    pub fn kill_all(&mut self) {
        for i in 0..self.len() {
            self.kill(i);
        }
    }
}

impl Drop for Mesh {
    /// No server outlives the run, whatever way it ends.
    fn drop(&mut self) {
        self.kill_all();
    }
}
