//! The client side of the server: PROTOCOL.md §3, with the `ERROR` answers
//! of §6 and the capacity limits of §9.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;

use super::Server;
use super::conns::{ClientState, Conn, Role};
use super::flood::{self, FloodAccount, Paid};
use super::joined::JoinedRooms;
use super::output::{CloseReason, ConnId, Event, Listener};
use super::run::RunKey;
use crate::wire::{
    ChatFields, ErrorCode, ErrorReply, Frame, Message, MessageKind, Nick, Notice, ParseError, Room,
    Text,
};

/// A new client's nick until it says otherwise (§3).
pub const DEFAULT_NICK: &str = "NoName";

/// `SYSTEM <room> <text>`, encoded. Notice texts are built from validated
/// nicks, so this is always a valid line.
pub(super) fn notice_line(room: &Room, text: &str) -> Option<Bytes> {
    let text = Text::new(text).ok()?;
    let notice = Notice::new(room.clone(), text).ok()?;
    Some(Message::System(notice).encode())
}

/// The notice texts of §3, exactly.
fn joined(nick: &Nick) -> String {
    format!("{nick} joined channel")
}
pub(super) fn left(nick: &Nick) -> String {
    format!("{nick} left channel")
}
fn renamed(old: &Nick, new: &Nick) -> String {
    format!("{old} changed nickname to {new}")
}

impl Server {
    pub(super) fn accept_client(&mut self, remote: SocketAddr, now: Instant) -> ConnId {
        if self.clients >= self.config.max_clients {
            self.release(Listener::Client, remote);
            return self.refuse_connection(Listener::Client, remote, CloseReason::ServerFull);
        }
        let nick = Nick::from_trusted(DEFAULT_NICK.to_owned());
        let id = self.wires.insert(Conn::new(Role::Client(ClientState {
            nick,
            rooms: JoinedRooms::default(),
            remote,
            flood: FloodAccount::new(&self.config, now),
        })));
        self.clients += 1;
        self.event(Event::ClientConnected { id, remote });
        id
    }

    /// One line from a client (§3). Anything refused is answered with one
    /// `ERROR` to that client alone and changes nothing else (§6).
    pub(super) fn on_client_frame(&mut self, id: ConnId, frame: Frame<'_>, now: Instant) {
        let paid = match &frame {
            Ok(line) => self.paid_for(id, line.as_str().split(' ').next().unwrap_or_default(), now),
            Err(_) => self.paid_for(id, "", now),
        };
        if !paid {
            return;
        }
        let line = match frame {
            Ok(line) => line,
            Err(e) => {
                self.wires.counters.lines_malformed += 1;
                return self.refuse(id, e.code(), &e.to_string());
            }
        };
        let word = line.as_str().split(' ').next().unwrap_or_default();
        if let Some(kind) = MessageKind::from_wire(word)
            && !kind.client_may_send()
        {
            let why = format!("{kind} is not a message a client may send");
            return self.refuse(id, ErrorCode::UnknownCommand, &why);
        }
        // Chat, nearly every line, is checked and relayed in place.
        if let Some(chat) = ChatFields::parse(line.as_str()) {
            return match chat {
                Ok(chat) => {
                    self.count_received(id, MessageKind::Msg);
                    self.client_msg(id, chat, line.as_str());
                }
                Err(e) => self.refuse_malformed(id, &e),
            };
        }
        let message = match Message::parse(line.as_str()) {
            Ok(message) => message,
            Err(e) => return self.refuse_malformed(id, &e),
        };
        self.count_received(id, message.kind());
        match message {
            Message::Nick(nick) => self.change_nick(id, nick),
            Message::Join(room) => self.join(id, room),
            Message::Part(room) => self.part(id, room),
            // Taken above; a line that parses as `MSG` is a `MSG` line.
            Message::Msg(_) => {}
            Message::Heart => self.answer_heart(id),
            Message::Bleed => self.heard_bleed(id),
            Message::Names(room) => self.names(id, &room, now),
            // Filtered above: these are not for clients to send.
            Message::System(_)
            | Message::AllAddrs(_)
            | Message::MyAddr(_)
            | Message::Error(_)
            | Message::Ext(_)
            | Message::InterestAdd(_)
            | Message::InterestDel(_)
            | Message::InterestSynced
            | Message::Members(_)
            | Message::MembersEnd(_)
            | Message::AuthHello(_)
            | Message::AuthProof(_)
            | Message::AuthOk(_) => {}
        }
    }

    /// Answers a line that did not parse (§6), and counts it.
    fn refuse_malformed(&mut self, id: ConnId, e: &ParseError) {
        self.wires.counters.lines_malformed += 1;
        self.refuse(id, e.code(), &e.to_string());
    }

    /// Answers a refused line with `ERROR <code> <why>` (§6).
    /// Flood control (§3): pays for a line of type `word` from the client's
    /// account. `false`: it was refused with `ERROR flood` (and the client
    /// disconnected if it kept flooding); it must not be carried out.
    fn paid_for(&mut self, id: ConnId, word: &str, now: Instant) -> bool {
        let config = &self.config;
        let Some(Conn {
            role: Role::Client(state),
            ..
        }) = self.wires.get_mut(id)
        else {
            return true;
        };
        let tokens = flood::cost(word, state.rooms.len());
        match state.flood.pay(tokens, config, now) {
            Paid::Yes => true,
            Paid::No => {
                let why = format!(
                    "slow down: at most {} lines a second, {} at once; this one was not carried out",
                    config.flood_rate, config.flood_burst
                );
                self.refuse(id, ErrorCode::Flood, &why);
                false
            }
            Paid::Disconnect => {
                let why = format!(
                    "flooding for {} s: disconnected",
                    config.flood_disconnect.as_secs()
                );
                self.refuse(id, ErrorCode::Flood, &why);
                self.doom(id, CloseReason::Flood);
                false
            }
        }
    }

    pub(super) fn refuse(&mut self, id: ConnId, code: ErrorCode, why: &str) {
        self.wires.counters.errors_sent.add(code, 1);
        let line = Message::Error(ErrorReply::truncated(code, why)).encode();
        self.wires.send(id, &line);
    }

    fn client(&mut self, id: ConnId) -> Option<&mut ClientState> {
        match &mut self.wires.get_mut(id)?.role {
            Role::Client(state) => Some(state),
            _ => None,
        }
    }

    /// `NICK` (§3): a real change is announced in every room of the client.
    fn change_nick(&mut self, id: ConnId, new: Nick) {
        let Some(state) = self.client(id) else { return };
        if state.nick == new {
            return;
        }
        let old = std::mem::replace(&mut state.nick, new.clone());
        let rooms: Vec<Room> = state.rooms.iter().cloned().collect();
        let remote = state.remote;
        let text = renamed(&old, &new);
        self.event(Event::Renamed {
            id,
            remote,
            from: old.clone(),
            to: new.clone(),
        });
        for room in rooms {
            self.notify(&room, &text);
        }
    }

    /// `JOIN` (§3), within the capacity limits (§9).
    fn join(&mut self, id: ConnId, room: Room) {
        if self.rooms.is_member(room.as_str(), id) {
            let why = format!("you are already in {room}");
            return self.refuse(id, ErrorCode::AlreadyJoined, &why);
        }
        let limit = self.config.max_rooms_per_client;
        if limit != 0
            && self
                .client(id)
                .is_some_and(|state| state.rooms.len() >= limit)
        {
            let why = format!("you are in {limit} rooms, as many as one client may be");
            return self.refuse(id, ErrorCode::TooManyRooms, &why);
        }
        if !self.rooms.exists(room.as_str()) && self.rooms.len() >= self.config.max_rooms {
            return self.refuse(
                id,
                ErrorCode::TooManyRooms,
                "the server holds as many rooms as it can",
            );
        }
        if self.rooms.member_count(room.as_str()) >= self.config.max_room_members {
            let why = format!("{room} has as many members as it can");
            return self.refuse(id, ErrorCode::RoomFull, &why);
        }
        let Some(state) = self.client(id) else { return };
        state.rooms.add(room.clone());
        let (nick, remote) = (state.nick.clone(), state.remote);
        let text = joined(&nick);
        self.event(Event::Joined {
            id,
            remote,
            nick: nick.clone(),
            room: room.clone(),
        });
        self.ghosts_rejoined(&room, &nick);
        self.rooms.join(room.clone(), id);
        if self.rooms.member_count(room.as_str()) == 1 {
            // Before the notice: a peer that sees it already sends us the
            // room's lines (§4, interest).
            self.room_gained(&room);
        }
        self.notify(&room, &text);
    }

    /// `PART` (§3): the leaver is not told; the rest of the room is.
    fn part(&mut self, id: ConnId, room: Room) {
        if !self.rooms.is_member(room.as_str(), id) {
            let why = format!("you are not in {room}");
            return self.refuse(id, ErrorCode::NotJoined, &why);
        }
        let Some(state) = self.client(id) else { return };
        state.rooms.remove(room.as_str());
        let text = left(&state.nick);
        let (nick, remote) = (state.nick.clone(), state.remote);
        self.event(Event::Parted {
            id,
            remote,
            nick,
            room: room.clone(),
        });
        self.rooms.part(room.as_str(), id);
        self.notify(&room, &text);
        if !self.rooms.exists(room.as_str()) {
            self.room_lost(&room);
        }
    }

    /// `NAMES` (§3, EXTENSION): the room's members as far as this server
    /// knows them — its own, then each peer's — for a member of the room.
    fn names(&mut self, id: ConnId, room: &Room, now: Instant) {
        if !self.rooms.is_member(room.as_str(), id) {
            let why = format!("you are not in {room}");
            return self.refuse(id, ErrorCode::NotJoined, &why);
        }
        self.names_when_listed(id, room, now);
    }

    /// `MSG` (§3): members only; a different nick is a nick change first;
    /// then the line itself goes to the other members and every peer.
    fn client_msg(&mut self, id: ConnId, chat: ChatFields<'_>, text: &str) {
        let room = chat.room;
        if !self.rooms.is_member(room, id) {
            let why = format!("you are not in {room}");
            return self.refuse(id, ErrorCode::NotJoined, &why);
        }
        if self
            .client(id)
            .is_some_and(|state| state.nick.as_str() != chat.nick)
        {
            self.change_nick(id, Nick::from_trusted(chat.nick.to_owned()));
        }
        // The line as it came, with a bare `\n`: relayed without being
        // encoded again.
        let key = RunKey {
            room,
            except: Some(id),
            epoch: self.rooms.epoch(),
        };
        let pieces = [text.as_bytes(), b"\n"];
        let line = self
            .wires
            .send_to_room(&key, || self.rooms.members(room), &pieces);
        self.send_to_peers_in(room, &line);
    }

    /// A client left, however: it leaves every room, with the `left channel`
    /// notice for each (§3).
    pub(super) fn client_departed(&mut self, id: ConnId, state: ClientState) {
        self.names_client_gone(id);
        let text = left(&state.nick);
        for room in state.rooms {
            self.rooms.part(room.as_str(), id);
            self.notify(&room, &text);
            if !self.rooms.exists(room.as_str()) {
                self.room_lost(&room);
            }
        }
    }

    /// `SYSTEM <room> <text>` to the room's local members and every peer
    /// that wants the room.
    fn notify(&mut self, room: &Room, text: &str) {
        let Some(line) = notice_line(room, text) else {
            return;
        };
        let line = self
            .wires
            .send_each(self.rooms.members(room.as_str()), &line);
        self.send_to_peers_in(room.as_str(), &line);
    }
}
