//! `load --spawn-mesh`: the mesh a load runs against, started by the
//! tester, every peer link through a relay that counts what it carries.
//!
//! Each server advertises its relay's port and joins the previous one's
//! network through it; servers dial each other only at the addresses they
//! learn from `ALL_ADDRS` and `MY_ADDR`, all of them relay ports, so no
//! byte between servers goes round the relays. The mesh is ready when the
//! relays see one link per pair of servers and probe clients on every
//! server hear each other.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mchat_core::rng::SeededRng;

use super::carrying::wait_carrying;
use super::links::{Gaps, Links};
use crate::human;
use crate::mesh::relay::Traffic;
use crate::mesh::{Launch, Relays, ServerError, Servers};

/// How long a new mesh has to become whole, and then to carry lines
/// between every two servers.
const WHOLE_WITHIN: Duration = Duration::from_secs(30);

/// The mesh to start.
#[derive(Clone, Debug)]
pub struct Spawn {
    pub servers: usize,
    pub server_bin: PathBuf,
    /// Flags for every server.
    pub server_args: Vec<String>,
}

/// Why the mesh could not be had.
#[derive(Debug, thiserror::Error)]
pub enum MeshError {
    #[error("creating {path}: {source}")]
    Dir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error(
        "the mesh of {servers} servers was not whole within {within}: {gaps} (server logs kept in {logs})"
    )]
    NotWhole {
        servers: usize,
        within: String,
        gaps: Gaps,
        logs: String,
    },
    #[error(
        "the mesh of {servers} servers was linked but did not carry lines within {within}: {why} (server logs kept in {logs})"
    )]
    NotCarrying {
        servers: usize,
        within: String,
        why: String,
        logs: String,
    },
}

/// A running mesh, stopped (by pid) when dropped.
pub struct SpawnedMesh {
    servers: Servers,
    relays: Arc<Relays<Links>>,
    /// The servers' pidfiles and logs, removed at the end unless kept for
    /// a failure.
    dir: PathBuf,
    keep_dir: bool,
}

impl SpawnedMesh {
    /// Starts the relays and the servers, and waits until every server is
    /// linked to every other.
    pub fn start(spawn: &Spawn) -> Result<Self, MeshError> {
        let dir = std::env::temp_dir().join(format!("mchat-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|source| MeshError::Dir {
            path: dir.display().to_string(),
            source,
        })?;
        let launch = Launch {
            server_bin: spawn.server_bin.clone(),
            args: spawn.server_args.clone(),
            dir: dir.clone(),
        };
        let mut rng = SeededRng::new(u64::from(std::process::id()) << 20 ^ 0x10ad);
        let servers = Servers::new(spawn.servers, launch, &mut rng)?;
        let relays = Relays::new(servers.relay_ports(), Links::default());
        let mut mesh = Self {
            servers,
            relays,
            dir,
            keep_dir: false,
        };
        for (i, (listener, server_port)) in
            mesh.servers.take_relay_listeners().into_iter().enumerate()
        {
            mesh.relays.start(i, listener, server_port);
        }
        for i in 0..spawn.servers {
            mesh.servers.start(i, i.checked_sub(1))?;
        }
        if let Err(gaps) = mesh.relays.hooks.wait_whole(spawn.servers, WHOLE_WITHIN) {
            mesh.keep_dir = true;
            return Err(MeshError::NotWhole {
                servers: spawn.servers,
                within: human::duration(WHOLE_WITHIN),
                gaps,
                logs: mesh.dir.display().to_string(),
            });
        }
        if let Err(why) = wait_carrying(&mesh.servers.client_ports(), WHOLE_WITHIN) {
            mesh.keep_dir = true;
            return Err(MeshError::NotCarrying {
                servers: spawn.servers,
                within: human::duration(WHOLE_WITHIN),
                why,
                logs: mesh.dir.display().to_string(),
            });
        }
        Ok(mesh)
    }

    /// The servers' client addresses, `127.0.0.1:PORT`.
    pub fn client_addrs(&self) -> Vec<String> {
        self.servers
            .client_ports()
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect()
    }

    pub fn pids(&self) -> Vec<u32> {
        self.servers.pids()
    }

    /// What the peer links carried, both directions, since the mesh began.
    pub fn traffic(&self) -> &Traffic {
        &self.relays.traffic
    }

    /// The peer links of a whole mesh.
    pub fn links(&self) -> usize {
        let n = self.servers.len();
        n * n.saturating_sub(1) / 2
    }
}

impl Drop for SpawnedMesh {
    fn drop(&mut self) {
        self.servers.kill_all();
        if !self.keep_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
