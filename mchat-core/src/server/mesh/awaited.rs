//! `NAMES` that wait for the member lists asked of peers (§3, §4
//! presence): a room just gained, or a link just agreed, has its peers'
//! lists on the way, and an answer given before they are in would leave
//! out every member elsewhere (a private room's "you are the only one
//! here" would be wrong). A list that is in, a link that ends, or
//! [`NAMES_WAIT`] passing lets the waiting questions be answered.
//!
//! Answers keep the order of the client's lines: a `HEART` sent after a
//! waiting `NAMES` is answered after it (a client tells a server that
//! drops `NAMES` by a `BLEED` that comes first).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use super::super::output::ConnId;
use super::super::{BLEED, Server};
use crate::wire::{Room, members_lines};

/// The longest a `NAMES` waits for lists: a peer slow to list is answered
/// for as far as known, well within a client's keep-alive patience.
pub(in crate::server) const NAMES_WAIT: Duration = Duration::from_secs(1);

/// Most questions one client may have waiting for one room; more are
/// answered at once with what is known.
const MAX_WAITING_PER_CLIENT: usize = 4;

/// The lists asked and not yet in, and who waits for them.
#[derive(Debug, Default)]
pub(in crate::server) struct AwaitedLists {
    /// For each room, the links whose `MEMBERS_END` is still to come.
    asked: HashMap<Room, Vec<ConnId>>,
    /// For each room, the clients whose `NAMES` waits, once per question
    /// (answers keep the order of the questions), and until when.
    waiting: HashMap<Room, Vec<(ConnId, Instant)>>,
    /// `BLEED`s owed to clients with questions waiting, sent after the
    /// answers.
    held_bleeds: HashMap<ConnId, u32>,
}

impl AwaitedLists {
    /// Link `link` was asked for its list of `room` (`INTEREST_ADD`).
    fn asked(&mut self, room: &Room, link: ConnId) {
        let links = self.asked.entry(room.clone()).or_default();
        if !links.contains(&link) {
            links.push(link);
        }
    }

    /// `client` asks about `room` at `now`: true if it is to wait (lists
    /// are on the way, and it has not too many questions waiting), false
    /// to answer now.
    fn wait(&mut self, room: &Room, client: ConnId, now: Instant) -> bool {
        if !self.asked.contains_key(room) {
            return false;
        }
        let clients = self.waiting.entry(room.clone()).or_default();
        if clients.iter().filter(|&&(c, _)| c == client).count() >= MAX_WAITING_PER_CLIENT {
            return false;
        }
        clients.push((client, now + NAMES_WAIT));
        true
    }

    /// Does `client` have a question waiting?
    fn is_waiting(&self, client: ConnId) -> bool {
        self.waiting
            .values()
            .any(|clients| clients.iter().any(|&(c, _)| c == client))
    }

    /// When the first waiting question is to be answered anyway.
    pub(in crate::server) fn next_deadline(&self) -> Option<Instant> {
        self.waiting
            .values()
            .flat_map(|clients| clients.iter().map(|&(_, due)| due))
            .min()
    }

    /// The questions past their wait at `now`, taken out, oldest first.
    fn expired(&mut self, now: Instant) -> Vec<(Room, ConnId)> {
        let mut due = Vec::new();
        for (room, clients) in &mut self.waiting {
            clients.retain(|&(client, until)| {
                let expired = until <= now;
                if expired {
                    due.push((until, room.clone(), client));
                }
                !expired
            });
        }
        self.waiting.retain(|_, clients| !clients.is_empty());
        due.sort_by_key(|(until, _, _)| *until);
        due.into_iter()
            .map(|(_, room, client)| (room, client))
            .collect()
    }

    /// `link`'s list of `room` is in: the clients to answer now, if it was
    /// the last one awaited.
    fn arrived(&mut self, room: &Room, link: ConnId) -> Vec<ConnId> {
        let Some(links) = self.asked.get_mut(room) else {
            return Vec::new();
        };
        links.retain(|&l| l != link);
        if !links.is_empty() {
            return Vec::new();
        }
        self.asked.remove(room);
        let clients = self.waiting.remove(room).unwrap_or_default();
        clients.into_iter().map(|(client, _)| client).collect()
    }

    /// `link` ended: its lists will not come. The rooms and clients to
    /// answer now.
    fn link_gone(&mut self, link: ConnId) -> Vec<(Room, Vec<ConnId>)> {
        let rooms: Vec<Room> = self
            .asked
            .iter()
            .filter(|(_, links)| links.contains(&link))
            .map(|(room, _)| room.clone())
            .collect();
        rooms
            .into_iter()
            .map(|room| {
                let clients = self.arrived(&room, link);
                (room, clients)
            })
            .filter(|(_, clients)| !clients.is_empty())
            .collect()
    }

    /// `room` has no local member: nobody waits, and its lists no longer
    /// matter.
    fn room_lost(&mut self, room: &Room) {
        self.asked.remove(room);
        self.waiting.remove(room);
    }

    /// A client's connection is gone: it is owed nothing.
    fn client_gone(&mut self, client: ConnId) {
        self.held_bleeds.remove(&client);
        for clients in self.waiting.values_mut() {
            clients.retain(|&(c, _)| c != client);
        }
        self.waiting.retain(|_, clients| !clients.is_empty());
    }
}

impl Server {
    /// `room`'s list was asked of link `id`, which sends lists.
    pub(in crate::server) fn list_asked(&mut self, room: &Room, id: ConnId) {
        self.awaited.asked(room, id);
    }

    /// `NAMES` from a member: answered now, or once the lists asked are in.
    pub(in crate::server) fn names_when_listed(
        &mut self,
        client: ConnId,
        room: &Room,
        now: Instant,
    ) {
        if !self.awaited.wait(room, client, now) {
            self.answer_names(client, room);
        }
    }

    /// `HEART` from a client: `BLEED` now, or after the answers it waits for.
    pub(in crate::server) fn answer_heart(&mut self, client: ConnId) {
        if self.awaited.is_waiting(client) {
            *self.awaited.held_bleeds.entry(client).or_default() += 1;
        } else {
            self.wires.send(client, &BLEED);
        }
    }

    /// Link `id`'s list of `room` is in.
    pub(in crate::server) fn list_arrived(&mut self, room: &Room, id: ConnId) {
        for client in self.awaited.arrived(room, id) {
            self.answer_names(client, room);
        }
    }

    /// Link `id` ended, with whatever lists it still owed.
    pub(in crate::server) fn lists_link_gone(&mut self, id: ConnId) {
        for (room, clients) in self.awaited.link_gone(id) {
            for client in clients {
                self.answer_names(client, &room);
            }
        }
    }

    /// Questions waited for as long as they may: answered as far as known.
    pub(in crate::server) fn expire_waiting_names(&mut self, now: Instant) {
        for (room, client) in self.awaited.expired(now) {
            self.answer_names(client, &room);
        }
    }

    /// `room` has no local member left.
    pub(in crate::server) fn lists_room_lost(&mut self, room: &Room) {
        self.awaited.room_lost(room);
    }

    /// A client left: nothing is kept for it.
    pub(in crate::server) fn names_client_gone(&mut self, client: ConnId) {
        self.awaited.client_gone(client);
    }

    /// The room's members as far as this server knows them, to `client`
    /// if it is still a member: its own in join order, then each peer's.
    /// Once the client waits for nothing more, the `BLEED`s held for it.
    fn answer_names(&mut self, client: ConnId, room: &Room) {
        if self.rooms.is_member(room.as_str(), client) {
            let mut nicks = self.local_nicks(room);
            nicks.extend(self.peer_members.of_room(room).cloned());
            for message in members_lines(room, &nicks) {
                self.wires.send(client, &message.encode());
            }
        }
        if !self.awaited.is_waiting(client)
            && let Some(held) = self.awaited.held_bleeds.remove(&client)
        {
            for _ in 0..held {
                self.wires.send(client, &BLEED);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room(name: &str) -> Room {
        Room::new(name).unwrap()
    }

    #[test]
    fn a_question_waits_for_every_list_asked_of_its_room() {
        let now = Instant::now();
        let mut awaited = AwaitedLists::default();
        let (a, b, alice) = (ConnId::new(1, 0), ConnId::new(2, 0), ConnId::new(10, 0));
        assert!(
            !awaited.wait(&room("r"), alice, now),
            "nothing asked: answer now"
        );
        awaited.asked(&room("r"), a);
        awaited.asked(&room("r"), b);
        for _ in 0..MAX_WAITING_PER_CLIENT {
            assert!(awaited.wait(&room("r"), alice, now));
        }
        assert!(
            !awaited.wait(&room("r"), alice, now),
            "too many: answer now"
        );
        assert!(awaited.arrived(&room("r"), a).is_empty());
        assert_eq!(
            awaited.arrived(&room("r"), b),
            [alice; MAX_WAITING_PER_CLIENT]
        );
        assert!(!awaited.wait(&room("r"), alice, now), "all in");
    }

    #[test]
    fn a_link_that_ends_owes_nothing_more() {
        let now = Instant::now();
        let mut awaited = AwaitedLists::default();
        let (a, alice, bob) = (ConnId::new(1, 0), ConnId::new(10, 0), ConnId::new(11, 0));
        awaited.asked(&room("r"), a);
        awaited.asked(&room("s"), a);
        awaited.wait(&room("r"), alice, now);
        awaited.wait(&room("s"), bob, now);
        let mut answered = awaited.link_gone(a);
        answered.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(answered, [(room("r"), vec![alice]), (room("s"), vec![bob])]);
        assert!(awaited.asked.is_empty() && awaited.waiting.is_empty());
    }

    #[test]
    fn a_question_is_answered_anyway_once_its_wait_is_over() {
        let now = Instant::now();
        let mut awaited = AwaitedLists::default();
        let (a, alice) = (ConnId::new(1, 0), ConnId::new(10, 0));
        awaited.asked(&room("r"), a);
        awaited.wait(&room("r"), alice, now);
        assert_eq!(awaited.next_deadline(), Some(now + NAMES_WAIT));
        assert!(awaited.expired(now).is_empty());
        assert_eq!(awaited.expired(now + NAMES_WAIT), [(room("r"), alice)]);
        assert_eq!(awaited.next_deadline(), None);
        assert!(!awaited.is_waiting(alice));
    }
}
