//! Which server each client of a load run uses.
//!
//! Without a spread, receivers go round-robin over the servers and senders
//! all use the first. With `--room-spread K` over N servers, room `i`'s
//! receivers are dealt round-robin over servers `i, i+1, … i+K-1` (mod N),
//! and sender `s` (in room `s mod rooms`) sits on server
//! `(s + s div N) mod N`: every server has senders, and over N² senders
//! each sits at every offset from its room's first server, so K in N of
//! them share a server with their room's receivers and the rest do not.

use super::clients::room_index;

/// Where the plan's clients sit, over `servers` servers.
pub struct Placement {
    servers: usize,
    rooms: usize,
    spread: Option<usize>,
}

impl Placement {
    pub fn new(servers: usize, rooms: usize, spread: Option<usize>) -> Self {
        Self {
            servers: servers.max(1),
            rooms: rooms.max(1),
            spread: spread.map(|k| k.clamp(1, servers.max(1))),
        }
    }

    /// The server of receiver `r`.
    pub fn receiver(&self, r: usize) -> usize {
        match self.spread {
            None => r % self.servers,
            Some(k) => {
                // Its place among its room's receivers picks one of the
                // room's servers.
                let nth = r / self.rooms;
                (room_index(r, self.rooms) + nth % k) % self.servers
            }
        }
    }

    /// The server of sender `s`.
    pub fn sender(&self, s: usize) -> usize {
        match self.spread {
            None => 0,
            Some(_) => (s + s / self.servers) % self.servers,
        }
    }
}

/// How many clients each server has been given so far: a client's number
/// on its server picks its source address (`connect.rs`).
pub struct Seats(Vec<usize>);

impl Seats {
    pub fn new(servers: usize) -> Self {
        Self(vec![0; servers.max(1)])
    }

    /// The number of the next client of `server`, from 0.
    pub fn take(&mut self, server: usize) -> usize {
        self.0.get_mut(server).map_or(0, |n| {
            *n += 1;
            *n - 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{Placement, Seats};

    #[test]
    fn without_a_spread_receivers_go_round_robin_and_senders_first() {
        let p = Placement::new(3, 2, None);
        let receivers: Vec<usize> = (0..6).map(|r| p.receiver(r)).collect();
        assert_eq!(receivers, [0, 1, 2, 0, 1, 2]);
        assert!((0..5).all(|s| p.sender(s) == 0));
    }

    #[test]
    fn a_spread_room_has_its_receivers_on_its_k_servers() {
        // 5 servers, 7 rooms, spread 2: room i on servers i and i+1 mod 5.
        let p = Placement::new(5, 7, Some(2));
        for room in 0..7 {
            let mut servers: Vec<usize> = (0..70)
                .filter(|r| r % 7 == room)
                .map(|r| p.receiver(r))
                .collect();
            servers.sort_unstable();
            servers.dedup();
            let mut want = vec![room % 5, (room + 1) % 5];
            want.sort_unstable();
            assert_eq!(servers, want, "room {room}");
        }
    }

    #[test]
    fn spread_senders_are_on_every_server_at_every_offset_from_their_room() {
        let (n, k, rooms) = (5, 2, 100);
        let p = Placement::new(n, rooms, Some(k));
        let senders: Vec<usize> = (0..n).map(|s| p.sender(s)).collect();
        assert_eq!(senders, [0, 1, 2, 3, 4]);
        assert_eq!(p.sender(5), 1);
        // Over 100 senders, one per room: each offset from the room's
        // first server 20 times, so 40 of them on one of its 2 servers.
        let mut offsets = [0; 5];
        for s in 0..rooms {
            let offset = (p.sender(s) + n - s % n) % n;
            offsets[offset] += 1;
        }
        assert_eq!(offsets, [20; 5]);
    }

    #[test]
    fn a_spread_wider_than_the_servers_is_all_of_them() {
        let p = Placement::new(2, 1, Some(5));
        assert_eq!(
            (0..4).map(|r| p.receiver(r)).collect::<Vec<_>>(),
            [0, 1, 0, 1]
        );
    }

    #[test]
    fn seats_count_each_server_apart() {
        let mut seats = Seats::new(2);
        assert_eq!(
            [seats.take(0), seats.take(0), seats.take(1), seats.take(0)],
            [0, 1, 0, 2]
        );
        // A server that does not exist does not panic.
        assert_eq!(seats.take(9), 0);
    }
}
