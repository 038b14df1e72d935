//! The table of pipes, by number, and which pipe carries each server connection.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::pipe::{End, Pipe, ServerConn};

/// Every pipe not yet closed at both ends.
#[derive(Debug, Default)]
pub(super) struct Pipes {
    by_id: HashMap<u64, Pipe>,
    next_id: u64,
    /// The pipe behind each server connection still known to its server.
    of_conn: HashMap<ServerConn, u64>,
}

impl Pipes {
    /// A new pipe from `opener` to `acceptor`; returns its number.
    pub(super) fn open(
        &mut self,
        opener: End,
        acceptor: End,
        delay: Duration,
        now: Instant,
    ) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.by_id
            .insert(id, Pipe::new(opener, acceptor, delay, now));
        id
    }

    pub(super) fn get(&self, id: u64) -> Option<&Pipe> {
        self.by_id.get(&id)
    }

    pub(super) fn get_mut(&mut self, id: u64) -> Option<&mut Pipe> {
        self.by_id.get_mut(&id)
    }

    pub(super) fn remove(&mut self, id: u64) {
        self.by_id.remove(&id);
    }

    /// Notes that `conn` is carried by pipe `id`.
    pub(super) fn bind(&mut self, conn: ServerConn, id: u64) {
        self.of_conn.insert(conn, id);
    }

    /// The pipe carrying `conn`.
    pub(super) fn of(&self, conn: ServerConn) -> Option<u64> {
        self.of_conn.get(&conn).copied()
    }

    /// Forgets which pipe carries `conn`; returns it.
    pub(super) fn unbind(&mut self, conn: ServerConn) -> Option<u64> {
        self.of_conn.remove(&conn)
    }

    /// The connections of `server` that have a pipe.
    pub(super) fn conns_of(&self, server: usize) -> Vec<ServerConn> {
        self.of_conn
            .keys()
            .filter(|sc| sc.server == server)
            .copied()
            .collect()
    }

    /// The pipes, in number order, for which `hit` holds.
    pub(super) fn matching(&self, hit: impl Fn(&Pipe) -> bool) -> Vec<u64> {
        let mut ids: Vec<u64> = self
            .by_id
            .iter()
            .filter(|(_, p)| hit(p))
            .map(|(&id, _)| id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// How many established links join servers `a` and `b`.
    pub(super) fn established_between(&self, a: usize, b: usize) -> usize {
        self.by_id
            .values()
            .filter(|p| p.is_established() && p.links(a, b))
            .count()
    }
}
