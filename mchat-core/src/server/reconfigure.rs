//! Changing a running server's configuration (a driver's reload): what can
//! change at once does, from the next use on; what would need the server
//! to start again is left as it is and named.

use std::time::Instant;

use super::Server;
use super::config::ServerConfig;
use super::heartbeat::phase_length;

/// One setting a [`Server::reconfigure`] looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The [`ServerConfig`] field.
    pub field: &'static str,
    /// Its value before, as `Debug` shows it.
    pub from: String,
    /// The value asked for.
    pub to: String,
}

/// What [`Server::reconfigure`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reconfigured {
    /// Settings changed, in force from now on.
    pub applied: Vec<Change>,
    /// Settings that differ but take a restart; left as they were.
    pub need_restart: Vec<Change>,
}

impl Reconfigured {
    /// Nothing differed.
    pub fn is_empty(&self) -> bool {
        self.applied.is_empty() && self.need_restart.is_empty()
    }
}

/// Compares `$field`s of `$old` and `$new`; pushes each difference onto
/// `$into`, and with `apply` takes the new value.
macro_rules! compare {
    ($old:expr, $new:expr, $into:expr, apply: $apply:literal, $($field:ident),+ $(,)?) => {
        $(
            if $old.$field != $new.$field {
                $into.push(Change {
                    field: stringify!($field),
                    from: format!("{:?}", $old.$field),
                    to: format!("{:?}", $new.$field),
                });
                if $apply {
                    $old.$field = $new.$field.clone();
                }
            }
        )+
    };
}

impl Server {
    /// Takes from `new` every setting that can change while the server
    /// runs: timing (heartbeats, handshakes, gossip, reconnects), limits
    /// (connections, rooms, members, per address, floods, queues). The
    /// others (its address, the peer it joined, extensions, the mesh
    /// secret, the transport's authentication) are kept and reported.
    /// Connections stay up; a shorter heartbeat interval takes effect at
    /// the next phase.
    pub fn reconfigure(&mut self, new: &ServerConfig, now: Instant) -> Reconfigured {
        let mut done = Reconfigured::default();
        let old = &mut self.config;
        compare!(old, new, done.applied, apply: true,
            heartbeat_interval, max_missed_heartbeats, handshake_timeout, open_timeout,
            gossip_interval, reconnect_initial, reconnect_max, reconnect_give_up, dial_defer,
            max_gossiped_addrs, max_dials_per_s, max_clients, max_servers, max_candidates,
            max_rooms, max_room_members, client_queue_limit, max_clients_per_ip,
            max_candidates_per_ip, connect_rate_per_ip, flood_rate, flood_burst,
            flood_disconnect, max_rooms_per_client, peer_queue_limit,
        );
        compare!(old, new, done.need_restart, apply: false,
            advertised, join, extensions, mesh_upkeep, links_authenticated_by_transport,
        );
        if old.mesh_secret != new.mesh_secret {
            // Never shown: a secret stays in the process.
            let shown = |s: &Option<_>| if s.is_some() { "(a secret)" } else { "none" };
            done.need_restart.push(Change {
                field: "mesh_secret",
                from: shown(&old.mesh_secret).into(),
                to: shown(&new.mesh_secret).into(),
            });
        }
        self.wires.client_queue_limit = self.config.client_queue_limit;
        self.wires.peer_queue_limit = self.config.peer_queue_limit;
        self.peer_members
            .set_limits(self.config.max_room_members, self.config.max_rooms);
        // A shorter interval must not wait out the longer one it replaces.
        let next = now + phase_length(self.config.heartbeat_interval);
        self.next_heartbeat = self.next_heartbeat.min(next);
        done
    }
}
