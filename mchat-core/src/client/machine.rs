//! The client state machine: commands, server bytes and time in; lines to
//! send, connections to open or close and events to show out.

use std::collections::VecDeque;
use std::time::Instant;

use bytes::Bytes;

use super::keepalive::{Due, KeepAlive};
use super::rooms::Rooms;
use super::{ClientConfig, ClientEvent, ClientOutput, Command, CommandError, HELP, Refusal};
use crate::wire::{LineFramer, Message, Nick, Room, private_room_name, split_chat};

/// The connection's state.
#[derive(Clone, Debug)]
enum Link {
    Disconnected,
    /// The driver is opening a connection to here.
    Connecting {
        host: String,
        port: u16,
    },
    Connected(KeepAlive),
}

/// One chat client's protocol state. See the [module docs](super).
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    nick: Nick,
    link: Link,
    rooms: Rooms,
    framer: LineFramer,
    out: VecDeque<ClientOutput>,
    /// `MEMBERS` lines gathered until their room's `MEMBERS_END`.
    listing: Vec<(Room, Vec<String>)>,
    /// The last line refused as a slip of a command (`jion lobby`): sent
    /// again as it is, it is said in the current room.
    last_slip: Option<String>,
}

/// Most nicks of unfinished `MEMBERS` lists kept at once.
const MAX_LISTED_NICKS: usize = 100_000;

const HEART: Bytes = Bytes::from_static(b"HEART\n");
const BLEED: Bytes = Bytes::from_static(b"BLEED\n");

impl Client {
    /// A disconnected client.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            nick: config.nick.clone(),
            config,
            link: Link::Disconnected,
            rooms: Rooms::default(),
            framer: LineFramer::new(),
            out: VecDeque::new(),
            listing: Vec::new(),
            last_slip: None,
        }
    }

    /// The current nick.
    pub fn nick(&self) -> &Nick {
        &self.nick
    }

    /// Is a connection up?
    pub fn is_connected(&self) -> bool {
        matches!(self.link, Link::Connected(_))
    }

    /// The room a line that is not a command goes to: the last one joined
    /// or messaged.
    pub fn current_room(&self) -> Option<&str> {
        self.rooms.current()
    }

    /// The rooms joined, by the names the user typed.
    pub fn rooms(&self) -> impl Iterator<Item = &str> {
        self.rooms.names()
    }

    /// The next thing for the driver to do. Call it after every `handle_*`,
    /// [`connected`](Self::connected) and
    /// [`connect_failed`](Self::connect_failed), until it returns `None`.
    #[must_use = "outputs left in the queue are lines never sent and events never shown"]
    pub fn poll_output(&mut self) -> Option<ClientOutput> {
        self.out.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run; ask
    /// again after draining [`poll_output`](Self::poll_output), as any
    /// input may move it. `None` while no connection is up.
    #[must_use = "without handle_timeout at this instant there is no keep-alive"]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.link {
            Link::Connected(keepalive) => Some(keepalive.deadline()),
            _ => None,
        }
    }

    fn event(&mut self, event: ClientEvent) {
        self.out.push_back(ClientOutput::Event(event));
    }

    fn refuse(&mut self, refusal: Refusal) {
        self.event(ClientEvent::Refused(refusal));
    }

    fn send(&mut self, message: &Message) {
        self.out.push_back(ClientOutput::Send(message.encode()));
    }

    /// An input line as the user typed it: a command, or else text for the
    /// current room. `//text` says `/text`; a line refused as a slip of a
    /// command and sent again unchanged is said as it is.
    pub fn handle_input_line(&mut self, line: &str, now: Instant) {
        let slip = self.last_slip.take();
        if let Some(text) = line.strip_prefix("//") {
            return self.say_here(&format!("/{text}"));
        }
        match Command::parse(line) {
            Ok(command) => self.handle_command(command, now),
            Err(CommandError::DidYouMean { .. }) if slip.as_deref() == Some(line) => {
                self.say_here(line);
            }
            Err(CommandError::Unknown(_)) if !line.trim().is_empty() => self.say_here(line),
            Err(CommandError::Unknown(_)) => {}
            Err(e) => {
                if matches!(e, CommandError::DidYouMean { .. }) {
                    self.last_slip = Some(line.to_owned());
                }
                self.refuse(Refusal::Command(e));
            }
        }
    }

    /// Says `text` in the current room: first of all, there must be a
    /// connection to say it on.
    fn say_here(&mut self, text: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        match self.rooms.current().map(str::to_owned) {
            Some(room) => self.say(&room, text),
            None => self.refuse(Refusal::NoCurrentRoom),
        }
    }

    /// One user command.
    pub fn handle_command(&mut self, command: Command, now: Instant) {
        let _ = now;
        match command {
            Command::Connect { host, port, tls } => {
                if !matches!(self.link, Link::Disconnected) {
                    return self.refuse(Refusal::AlreadyConnected);
                }
                self.link = Link::Connecting {
                    host: host.clone(),
                    port,
                };
                self.out
                    .push_back(ClientOutput::Connect { host, port, tls });
            }
            Command::Disconnect => {
                if matches!(self.link, Link::Disconnected) {
                    return self.refuse(Refusal::NotConnected);
                }
                self.drop_link();
                self.out.push_back(ClientOutput::Disconnect);
                self.event(ClientEvent::Disconnected);
            }
            Command::Join(room) => match Room::new(room.as_str()) {
                Ok(wire) => self.join(room, wire, false),
                Err(e) => self.refuse(Refusal::BadRoom(e)),
            },
            Command::JoinPrivate { room, password } => match Room::new(room.as_str()) {
                Ok(_) => {
                    let wire = private_room_name(&room, &password);
                    self.join(room, wire, true);
                }
                Err(e) => self.refuse(Refusal::BadRoom(e)),
            },
            Command::Part(room) => self.part(&room),
            Command::Names(Some(room)) => self.names(&room),
            Command::Names(None) => match self.rooms.current().map(str::to_owned) {
                Some(room) => self.names(&room),
                None if !self.is_connected() => self.refuse(Refusal::NotConnected),
                None => self.refuse(Refusal::NoCurrentRoom),
            },
            Command::Rooms => {
                let listing = self.rooms.listing();
                self.event(ClientEvent::Rooms(listing));
            }
            Command::Switch(room) => match self.rooms.make_current(&room) {
                Ok(()) => self.event(ClientEvent::Switched(room)),
                Err(refusal) => self.refuse(refusal),
            },
            Command::Msg { room, text } => self.say(&room, &text),
            Command::Nick(nick) => match Nick::new(nick) {
                Ok(nick) => {
                    // Changes locally even when not connected, as the original.
                    self.nick = nick.clone();
                    if self.is_connected() {
                        self.send(&Message::Nick(nick.clone()));
                    }
                    self.event(ClientEvent::NickChanged(nick.into_string()));
                }
                Err(e) => self.refuse(Refusal::BadNick(e)),
            },
            Command::Help => self.event(ClientEvent::Help(HELP)),
            Command::Quit => {
                if !matches!(self.link, Link::Disconnected) {
                    self.drop_link();
                    self.out.push_back(ClientOutput::Disconnect);
                }
                self.event(ClientEvent::Quit);
            }
        }
    }

    fn join(&mut self, display: String, wire: Room, private: bool) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        let message = Message::Join(wire.clone());
        match self.rooms.join(display.clone(), wire, private) {
            Ok(()) => {
                self.send(&message);
                self.event(ClientEvent::Joined(display));
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn part(&mut self, display: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        match self.rooms.part(display) {
            Ok(wire) => {
                self.send(&Message::Part(wire));
                self.event(ClientEvent::Left(display.to_owned()));
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn names(&mut self, display: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        match self.rooms.wire_of(display) {
            Ok(wire) => {
                let message = Message::Names(wire.clone());
                self.send(&message);
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn say(&mut self, display: &str, text: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        if text.trim().is_empty() {
            return self.refuse(Refusal::EmptyMessage);
        }
        let lines = self
            .rooms
            .wire_of(display)
            .and_then(|wire| split_chat(&self.nick, wire, text).map_err(Refusal::BadText));
        match lines {
            Ok(lines) => {
                for line in lines {
                    self.send(&Message::Msg(line));
                }
                // Joined: wire_of found it.
                let _ = self.rooms.make_current(display);
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn drop_link(&mut self) {
        self.link = Link::Disconnected;
        self.rooms = Rooms::default();
        self.framer = LineFramer::new();
        self.listing.clear();
    }

    /// The connection the driver opened is up: say who we are.
    pub fn connected(&mut self, host: &str, port: u16, now: Instant) {
        if !matches!(self.link, Link::Connecting { .. }) {
            return;
        }
        self.link = Link::Connected(KeepAlive::start(&self.config, now));
        self.send(&Message::Nick(self.nick.clone()));
        self.event(ClientEvent::Connected {
            host: host.to_owned(),
            port,
        });
    }

    /// The connection could not be opened; `reason` is shown to the user
    /// with where the connection was to go.
    pub fn connect_failed(&mut self, reason: &str) {
        let Link::Connecting { host, port } = &self.link else {
            return;
        };
        let event = ClientEvent::ConnectFailed {
            host: host.clone(),
            port: *port,
            reason: reason.to_owned(),
        };
        self.link = Link::Disconnected;
        self.event(event);
    }

    /// The server closed the connection, or it failed: the server is lost.
    pub fn handle_close(&mut self) {
        if !matches!(self.link, Link::Disconnected) {
            self.drop_link();
            self.event(ClientEvent::ServerLost);
        }
    }

    /// Time passed: send `HEART`, or give the server up (PROTOCOL.md §5).
    pub fn handle_timeout(&mut self, now: Instant) {
        let Link::Connected(keepalive) = &mut self.link else {
            return;
        };
        match keepalive.on_timeout(now) {
            Due::Nothing => {}
            Due::Heart => self.out.push_back(ClientOutput::Send(HEART)),
            Due::ServerLost => {
                self.drop_link();
                self.out.push_back(ClientOutput::Disconnect);
                self.event(ClientEvent::ServerLost);
            }
        }
    }

    /// Bytes read from the server.
    pub fn handle_input(&mut self, bytes: &[u8], now: Instant) {
        if !self.is_connected() {
            return;
        }
        let mut framer = std::mem::take(&mut self.framer);
        let mut rest = bytes;
        while let Some(frame) = framer.next_frame(&mut rest) {
            match frame {
                Ok(line) => self.handle_line(line.as_str(), now),
                Err(e) => self.event(ClientEvent::Unknown(format!(
                    "(a line the server sent was dropped: {e})"
                ))),
            }
        }
        if self.is_connected() {
            self.framer = framer;
        }
    }

    fn handle_line(&mut self, line: &str, now: Instant) {
        match Message::parse(line) {
            Ok(Message::Msg(chat)) => {
                let room = self.rooms.display_of(chat.room());
                self.event(ClientEvent::Message {
                    room,
                    nick: chat.nick().as_str().to_owned(),
                    text: chat.text().as_str().to_owned(),
                });
            }
            Ok(Message::System(notice)) => {
                let room = self.rooms.display_of(notice.room());
                self.event(ClientEvent::Notice {
                    room,
                    text: notice.text().as_str().to_owned(),
                });
            }
            Ok(Message::Error(reply)) => self.event(ClientEvent::ServerError {
                code: reply.code(),
                text: reply.text().as_str().to_owned(),
            }),
            Ok(Message::Heart) => self.out.push_back(ClientOutput::Send(BLEED)),
            Ok(Message::Bleed) => {
                if let Link::Connected(keepalive) = &mut self.link {
                    keepalive.bleed(now);
                }
            }
            Ok(Message::Members(list)) => {
                let (room, nicks) = list.into_parts();
                // A server that never ends its list must not fill our memory.
                let held: usize = self.listing.iter().map(|(_, n)| n.len()).sum();
                let room_left = MAX_LISTED_NICKS.saturating_sub(held);
                let nicks = nicks.into_iter().take(room_left).map(Nick::into_string);
                match self.listing.iter_mut().find(|(r, _)| *r == room) {
                    Some((_, gathered)) => gathered.extend(nicks),
                    None => self.listing.push((room, nicks.collect())),
                }
            }
            Ok(Message::MembersEnd(room)) => {
                let at = self.listing.iter().position(|(r, _)| *r == room);
                let nicks = at.map(|at| self.listing.swap_remove(at).1);
                self.event(ClientEvent::Members {
                    room: self.rooms.display_of(&room),
                    nicks: nicks.unwrap_or_default(),
                });
            }
            _ => self.event(ClientEvent::Unknown(line.to_owned())),
        }
    }
}
