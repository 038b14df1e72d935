//! The `mchat-server` processes of a mesh: their ports, and starting,
//! killing and restarting them.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use mchat_core::rng::SeededRng;

/// The flags that lift a server's per-address limits (PROTOCOL.md §9) and
/// its flood control (§3): every client and relay of the tester comes from
/// loopback, and load senders send as fast as they can.
pub const LIFT_LIMITS: [&str; 8] = [
    "--max-clients-per-ip",
    "0",
    "--max-candidates-per-ip",
    "0",
    "--connect-rate-per-ip",
    "0",
    "--flood-rate",
    "0",
];

/// Why a server of the mesh could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("no free port in 20000-31999")]
    NoFreePort,
    #[error("there is no server {0}")]
    NoSuchServer(usize),
    #[error("starting {bin}: {source}")]
    Spawn { bin: String, source: std::io::Error },
    #[error(
        "server {index} did not start (client port {client_port}, server port {server_port}){said}"
    )]
    NotListening {
        index: usize,
        client_port: u16,
        server_port: u16,
        /// `: <its last words on stderr>`, or nothing.
        said: String,
    },
}

/// One server of the mesh; `child` is `None` while it is down.
pub struct Node {
    pub client_port: u16,
    pub server_port: u16,
    /// The port of our relay in front of its server port, which it
    /// advertises instead.
    pub relay_port: u16,
    /// The client and server ports, held until the server starts so that
    /// nothing else takes them meanwhile.
    held: Vec<TcpListener>,
    /// The relay port, bound, until the relay takes it.
    relay: Option<TcpListener>,
    child: Option<Child>,
}

/// How to run the servers.
pub struct Launch {
    pub server_bin: PathBuf,
    /// Flags given to every server, before its addresses.
    pub args: Vec<String>,
    /// Where the servers keep their pidfiles and logs.
    pub dir: PathBuf,
}

/// The servers, by index.
pub struct Servers {
    pub nodes: Vec<Node>,
    launch: Launch,
}

/// A free port below the kernel's ephemeral range (which starts at 32768
/// by default): a killed server restarts on its ports, and an ephemeral
/// one could meanwhile be taken by some outgoing connection. It comes
/// bound, so that no later pick (nor anyone else) gets it too.
fn free_port(rng: &mut SeededRng) -> Result<(u16, TcpListener), ServerError> {
    for _ in 0..1000 {
        let port = 20_000 + rng.below(12_000) as u16;
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            return Ok((port, listener));
        }
    }
    Err(ServerError::NoFreePort)
}

impl Servers {
    /// `servers` nodes with their ports chosen; none started yet.
    pub fn new(servers: usize, launch: Launch, rng: &mut SeededRng) -> Result<Self, ServerError> {
        let mut nodes = Vec::new();
        for _ in 0..servers {
            let (client_port, client) = free_port(rng)?;
            let (server_port, server) = free_port(rng)?;
            let (relay_port, relay) = free_port(rng)?;
            nodes.push(Node {
                client_port,
                server_port,
                relay_port,
                held: vec![client, server],
                relay: Some(relay),
                child: None,
            });
        }
        Ok(Self { nodes, launch })
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

    /// Each server's relay port, bound, with its server port, for the
    /// relays to listen on (once: later calls find none).
    pub fn take_relay_listeners(&mut self) -> Vec<(TcpListener, u16)> {
        self.nodes
            .iter_mut()
            .filter_map(|n| Some((n.relay.take()?, n.server_port)))
            .collect()
    }

    /// The process ids of the servers that are up.
    pub fn pids(&self) -> Vec<u32> {
        self.nodes
            .iter()
            .filter_map(|n| n.child.as_ref().map(Child::id))
            .collect()
    }

    /// The server that is down, if any (chaos has one at most).
    pub fn down(&self) -> Option<usize> {
        self.nodes.iter().position(|n| n.child.is_none())
    }

    pub fn is_up(&self, i: usize) -> bool {
        self.nodes.get(i).is_some_and(|n| n.child.is_some())
    }

    /// Starts server `i`, joining the mesh through server `via`'s relay if
    /// given; returns once it listens.
    pub fn start(&mut self, i: usize, via: Option<usize>) -> Result<(), ServerError> {
        let peer = via.and_then(|v| self.nodes.get(v)).map(|n| n.relay_port);
        let launch = &self.launch;
        let node = self.nodes.get_mut(i).ok_or(ServerError::NoSuchServer(i))?;
        // Its ports are its own from here.
        node.held.clear();
        let mut cmd = Command::new(&launch.server_bin);
        cmd.args(["start", "--non-daemon", "--advertise-port"])
            .arg(node.relay_port.to_string())
            .arg("--pidfile")
            .arg(launch.dir.join(format!("{i}.pid")))
            .arg("--log-dir")
            .arg(&launch.dir)
            // Lifted, as for any load run (see the constant).
            .args(LIFT_LIMITS)
            .args(&launch.args)
            .args([
                "127.0.0.1",
                &node.client_port.to_string(),
                &node.server_port.to_string(),
            ]);
        if let Some(peer) = peer {
            cmd.args(["127.0.0.1", &peer.to_string()]);
        }
        // Its stderr goes to a file rather than a pipe nobody reads on.
        let stderr_path = launch.dir.join(format!("{i}.stderr"));
        let stderr =
            std::fs::File::create(&stderr_path).map_or_else(|_| Stdio::null(), Stdio::from);
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|source| ServerError::Spawn {
                bin: launch.server_bin.display().to_string(),
                source,
            })?;
        // Wait for its "listening" line.
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        if !line.contains("listening") {
            let _ = child.wait();
            let said = std::fs::read_to_string(&stderr_path).unwrap_or_default();
            let said = said.lines().find(|l| !l.trim().is_empty());
            return Err(ServerError::NotListening {
                index: i,
                client_port: node.client_port,
                server_port: node.server_port,
                said: said.map(|l| format!(": {}", l.trim())).unwrap_or_default(),
            });
        }
        node.child = Some(child);
        Ok(())
    }

    /// Kills server `i` (SIGKILL, to its own pid) and reaps it.
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

impl Drop for Servers {
    /// No server outlives the run, whatever way it ends.
    fn drop(&mut self) {
        self.kill_all();
    }
}
