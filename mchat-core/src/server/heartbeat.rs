//! Keep-alive (PROTOCOL.md §7): `HEART` to every client and peer each
//! interval; a connection that leaves too many unanswered in a row is closed.

use super::output::{CloseReason, ConnId};
use super::{HEART, Server};

impl Server {
    /// One heartbeat interval has passed.
    pub(super) fn heartbeat_tick(&mut self) {
        let limit = self.config.max_missed_heartbeats;
        for id in self.wires.ids() {
            let Some(conn) = self.wires.get_mut(id) else {
                continue;
            };
            if !conn.beats() || conn.doomed {
                continue;
            }
            if conn.missed_beats >= limit {
                self.doom(id, CloseReason::Heartbeat);
                continue;
            }
            conn.missed_beats += 1;
            self.wires.send(id, &HEART);
        }
    }

    /// A `BLEED` answers every `HEART` sent so far.
    pub(super) fn heard_bleed(&mut self, id: ConnId) {
        if let Some(conn) = self.wires.get_mut(id) {
            conn.missed_beats = 0;
        }
    }
}
