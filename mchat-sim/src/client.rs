//! A scripted chat client: sends what it is told, answers `HEART`, and
//! records every line it receives.

use std::collections::BTreeSet;
use std::time::Instant;

use mchat_core::wire::LineFramer;

use crate::history::{Change, History, Membership, Received, SentMsg};
use crate::net::ClientAction;

/// One simulated client.
#[derive(Debug)]
pub struct SimClient {
    /// Its index.
    pub idx: usize,
    /// Its current nick.
    pub nick: String,
    /// Its pipe, while connected.
    pub pipe: Option<u64>,
    /// The server it is connected to.
    pub server: Option<usize>,
    /// Rooms it joined on this connection.
    pub rooms: BTreeSet<String>,
    framer: LineFramer,
    next_seq: u64,
    renames: u32,
}

impl SimClient {
    /// A disconnected client.
    pub fn new(idx: usize) -> Self {
        Self {
            idx,
            nick: format!("c{idx}"),
            pipe: None,
            server: None,
            rooms: BTreeSet::new(),
            framer: LineFramer::new(),
            next_seq: 0,
            renames: 0,
        }
    }

    /// Connected through `pipe`; returns the line to send first.
    pub fn attach(&mut self, pipe: u64, server: usize) -> String {
        self.pipe = Some(pipe);
        self.server = Some(server);
        self.rooms.clear();
        self.framer = LineFramer::new();
        format!("NICK {}", self.nick)
    }

    /// The connection is gone; the server forgot its rooms.
    pub fn detach(&mut self) {
        self.pipe = None;
        self.server = None;
        self.rooms.clear();
    }

    /// Bytes from the server; returns the lines to answer with.
    pub fn receive(&mut self, bytes: &[u8], now: Instant, history: &mut History) -> Vec<String> {
        let mut replies = Vec::new();
        for line in self.framer.frames(bytes).flatten() {
            if line.as_str() == "HEART" {
                replies.push("BLEED".to_owned());
                continue;
            }
            if line.as_str() == "BLEED" {
                continue;
            }
            history.received.push(Received {
                client: self.idx,
                at: now,
                line: line.into_string(),
            });
        }
        replies
    }

    /// Notes a `JOIN` or `PART` this client sends.
    fn record(
        &self,
        history: &mut History,
        room: &str,
        change: Change,
        server: usize,
        now: Instant,
    ) {
        history.memberships.push(Membership {
            client: self.idx,
            room: room.to_owned(),
            nick: self.nick.clone(),
            at: now,
            change,
            server,
            linked: Vec::new(),
        });
    }

    /// Carries out a chat action; returns the line to send, if any.
    pub fn act(
        &mut self,
        action: ClientAction,
        now: Instant,
        history: &mut History,
    ) -> Option<String> {
        let server = self.server?;
        match action {
            ClientAction::Join(room) => {
                if !self.rooms.insert(room.clone()) {
                    return None;
                }
                self.record(history, &room, Change::Join, server, now);
                Some(format!("JOIN {room}"))
            }
            ClientAction::Part(room) => {
                if !self.rooms.remove(&room) {
                    return None;
                }
                self.record(history, &room, Change::Part, server, now);
                Some(format!("PART {room}"))
            }
            ClientAction::Msg(room) => {
                if !self.rooms.contains(&room) {
                    return None;
                }
                self.next_seq += 1;
                history.sent.push(SentMsg {
                    sender: self.idx,
                    seq: self.next_seq,
                    room: room.clone(),
                    at: now,
                    server,
                    conn: history
                        .connected
                        .get(self.idx)
                        .map_or(0, |spans| spans.len().saturating_sub(1)),
                    linked: Vec::new(),
                });
                Some(format!(
                    "MSG {} {room} from c{} #{}",
                    self.nick, self.idx, self.next_seq
                ))
            }
            ClientAction::Nick => {
                self.renames += 1;
                self.nick = format!("c{}n{}", self.idx, self.renames);
                Some(format!("NICK {}", self.nick))
            }
            ClientAction::Connect(_) | ClientAction::Disconnect => None,
        }
    }
}
