//! The client state machine: commands, server bytes and time in; lines to
//! send, connections to open or close and events to show out.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::keepalive::{Due, KeepAlive};
use super::names::{Asker, Names};
use super::rooms::Rooms;
use super::{
    ClientConfig, ClientEvent, ClientOutput, Command, CommandError, HELP, LostHow, Refusal,
    RoomLabel,
};
use crate::backoff::{Jitter, doubled};
use crate::wire::{LineFramer, Message, Nick, Room, private_room_name, split_chat};

/// Where the client connects: what `connect` named.
#[derive(Clone, Debug)]
struct Target {
    host: String,
    port: u16,
    tls: bool,
}

/// The connection's state.
#[derive(Clone, Debug)]
enum Link {
    Disconnected,
    /// The driver is opening a connection to `target`; `after` is the
    /// reconnect delay this attempt waited, `None` for the user's connect.
    Connecting {
        target: Target,
        after: Option<Duration>,
    },
    Connected {
        target: Target,
        keepalive: KeepAlive,
    },
    /// The server was lost: dialling it again at `at`, having waited
    /// `delay` (before jitter) since the last attempt.
    Reconnecting {
        target: Target,
        at: Instant,
        delay: Duration,
    },
}

/// How a connection ended without the user asking, as the driver saw it
/// (for [`Client::handle_close`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionEnd {
    /// The server closed it (end of stream).
    Closed,
    /// Reading or writing failed; the reason in words.
    Failed(String),
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
    /// `NAMES` asked on this connection, and their answers coming in.
    names: Names,
    /// The last line refused as a slip of a command (`jion lobby`): sent
    /// again as it is, it is said in the current room.
    last_slip: Option<String>,
    jitter: Jitter,
}

const HEART: Bytes = Bytes::from_static(b"HEART\n");
const BLEED: Bytes = Bytes::from_static(b"BLEED\n");

impl Client {
    /// A disconnected client.
    pub fn new(config: ClientConfig) -> Self {
        let seed = config.reconnect.as_ref().map_or(0, |r| r.jitter_seed);
        Self {
            jitter: Jitter::new(seed),
            nick: config.nick.clone(),
            config,
            link: Link::Disconnected,
            rooms: Rooms::default(),
            framer: LineFramer::new(),
            out: VecDeque::new(),
            names: Names::default(),
            last_slip: None,
        }
    }

    /// The current nick.
    pub fn nick(&self) -> &Nick {
        &self.nick
    }

    /// Is a connection up?
    pub fn is_connected(&self) -> bool {
        matches!(self.link, Link::Connected { .. })
    }

    /// Is the client dialling a lost server again (or waiting to)?
    pub fn is_reconnecting(&self) -> bool {
        matches!(
            self.link,
            Link::Reconnecting { .. } | Link::Connecting { after: Some(_), .. }
        )
    }

    /// The room a line that is not a command goes to: the last one joined
    /// or messaged.
    pub fn current_room(&self) -> Option<&str> {
        self.rooms.current()
    }

    /// The current room as the user knows it, marked if private.
    pub fn current_room_label(&self) -> Option<RoomLabel> {
        self.rooms.current().map(|room| self.rooms.label_of(room))
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
    /// input may move it. `None` while there is neither a connection to
    /// keep alive nor a reconnect to make.
    #[must_use = "without handle_timeout at this instant there is no keep-alive or reconnect"]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.link {
            Link::Connected { keepalive, .. } => Some(keepalive.deadline()),
            Link::Reconnecting { at, .. } => Some(*at),
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
            Err(slip @ CommandError::DidYouMean { .. }) => {
                self.last_slip = Some(line.to_owned());
                self.refuse(Refusal::Command(slip));
            }
            Err(e) => self.refuse(Refusal::Command(e)),
        }
    }

    /// Says `text` in the current room.
    fn say_here(&mut self, text: &str) {
        if let Some(room) = self.current_room_or_refuse() {
            self.say(&room, text);
        }
    }

    /// The current room, for a command that names none; without one the
    /// command is refused, and first of all for want of a connection.
    fn current_room_or_refuse(&mut self) -> Option<String> {
        if !self.is_connected() {
            self.refuse(self.not_connected());
            return None;
        }
        let room = self.rooms.current().map(str::to_owned);
        if room.is_none() {
            self.refuse(Refusal::NoCurrentRoom);
        }
        room
    }

    /// One user command.
    pub fn handle_command(&mut self, command: Command, now: Instant) {
        let _ = now;
        match command {
            Command::Connect { host, port, tls } => {
                match self.link {
                    Link::Disconnected => {}
                    // Another server (or the same one, now): the reconnect
                    // is given up, and its rooms with it.
                    Link::Reconnecting { .. } => self.drop_link(),
                    Link::Connecting { .. } | Link::Connected { .. } => {
                        return self.refuse(Refusal::AlreadyConnected);
                    }
                }
                self.dial(Target { host, port, tls }, None);
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
            Command::Names(None) => {
                if let Some(room) = self.current_room_or_refuse() {
                    self.names(&room);
                }
            }
            Command::Rooms => {
                let listing = self.rooms.listing();
                self.event(ClientEvent::Rooms(listing));
            }
            Command::Switch(room) => match self.rooms.make_current(&room) {
                Ok(()) => {
                    let label = self.rooms.label_of(&room);
                    self.event(ClientEvent::Switched(label));
                }
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
            return self.refuse(self.not_connected());
        }
        match self.rooms.join(display.clone(), wire.clone(), private) {
            Ok(()) => {
                self.send(&Message::Join(wire.clone()));
                self.event(ClientEvent::Joined(self.rooms.label_of(&display)));
                if private {
                    // A wrong password makes a room of its own: say so
                    // if nobody is there.
                    self.ask_names(wire, Asker::AloneCheck);
                }
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn part(&mut self, display: &str) {
        if !self.is_connected() {
            return self.refuse(self.not_connected());
        }
        match self.rooms.part(display) {
            Ok((wire, label)) => {
                self.send(&Message::Part(wire));
                self.event(ClientEvent::Left(label));
            }
            Err(refusal) => self.refuse(refusal),
        }
    }

    fn names(&mut self, display: &str) {
        if !self.is_connected() {
            return self.refuse(self.not_connected());
        }
        match self.rooms.wire_of(display) {
            Ok(wire) => self.ask_names(wire.clone(), Asker::User),
            Err(refusal) => self.refuse(refusal),
        }
    }

    /// Sends `NAMES` and its fence, a `HEART` (see `names.rs`).
    fn ask_names(&mut self, wire: Room, asker: Asker) {
        self.send(&Message::Names(wire.clone()));
        self.out.push_back(ClientOutput::Send(HEART));
        self.names.ask(wire, asker);
    }

    fn say(&mut self, display: &str, text: &str) {
        if !self.is_connected() {
            return self.refuse(self.not_connected());
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

    /// Why a command that needs the server cannot be carried out now.
    fn not_connected(&self) -> Refusal {
        if self.is_reconnecting() {
            Refusal::Reconnecting
        } else {
            Refusal::NotConnected
        }
    }

    /// Asks the driver for a connection to `target`.
    fn dial(&mut self, target: Target, after: Option<Duration>) {
        self.out.push_back(ClientOutput::Connect {
            host: target.host.clone(),
            port: target.port,
            tls: target.tls,
        });
        self.link = Link::Connecting { target, after };
    }

    /// Forgets the connection and the rooms: the user is off the server.
    fn drop_link(&mut self) {
        self.link = Link::Disconnected;
        self.rooms = Rooms::default();
        self.framer = LineFramer::new();
        self.names = Names::default();
    }

    /// Schedules the next dial of `target`: the policy's first delay
    /// after a loss (`failed` is `None`), else twice the delay that
    /// `failed`, up to the longest; stretched by jitter (never past the
    /// longest). Returns the wait, or `None` without a reconnect policy.
    fn schedule_redial(
        &mut self,
        target: Target,
        failed: Option<Duration>,
        now: Instant,
    ) -> Option<Duration> {
        let policy = self.config.reconnect.as_ref()?;
        let delay = failed.map_or(policy.first_delay, |d| doubled(d, policy.max_delay));
        let wait = self.jitter.spread(delay).min(policy.max_delay.max(delay));
        self.link = Link::Reconnecting {
            target,
            at: now + wait,
            delay,
        };
        Some(wait)
    }

    /// The server at `target` is lost: dial it again later, keeping the
    /// rooms, or (without a reconnect policy) forget them.
    fn lose(&mut self, target: Target, how: LostHow, now: Instant) {
        self.framer = LineFramer::new();
        self.names = Names::default();
        let retry_in = self.schedule_redial(target, None, now);
        if retry_in.is_none() {
            self.drop_link();
        }
        self.event(ClientEvent::ServerLost { how, retry_in });
    }

    /// The connection the driver opened is up: say who we are, and after
    /// a loss join every room again.
    pub fn connected(&mut self, host: &str, port: u16, now: Instant) {
        let Link::Connecting { target, after } = &self.link else {
            return;
        };
        let reconnected = after.is_some();
        self.link = Link::Connected {
            target: target.clone(),
            keepalive: KeepAlive::start(&self.config, now),
        };
        self.send(&Message::Nick(self.nick.clone()));
        if !reconnected {
            return self.event(ClientEvent::Connected {
                host: host.to_owned(),
                port,
            });
        }
        let joins: Vec<Message> = self.rooms.wires().cloned().map(Message::Join).collect();
        for join in &joins {
            self.send(join);
        }
        let rooms = self.rooms.listing();
        self.event(ClientEvent::Reconnected {
            host: host.to_owned(),
            port,
            rooms,
        });
    }

    /// The connection could not be opened. After the user's `connect`,
    /// `reason` is shown with where it was to go; while reconnecting, the
    /// next attempt waits twice as long (up to the policy's longest).
    pub fn connect_failed(&mut self, reason: &str, now: Instant) {
        let Link::Connecting { target, after } = &self.link else {
            return;
        };
        let (target, after) = (target.clone(), *after);
        if after.is_some() && self.schedule_redial(target.clone(), after, now).is_some() {
            return;
        }
        self.link = Link::Disconnected;
        self.event(ClientEvent::ConnectFailed {
            host: target.host,
            port: target.port,
            reason: reason.to_owned(),
        });
    }

    /// The connection ended without the user asking: the server is lost.
    pub fn handle_close(&mut self, end: ConnectionEnd, now: Instant) {
        let Link::Connected { target, .. } = &self.link else {
            return;
        };
        let target = target.clone();
        let how = match end {
            ConnectionEnd::Closed => LostHow::Closed,
            ConnectionEnd::Failed(why) => LostHow::Failed(why),
        };
        self.lose(target, how, now);
    }

    /// Time passed: send `HEART`, give the server up (PROTOCOL.md §5), or
    /// dial a lost one again.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &mut self.link {
            Link::Connected { keepalive, target } => match keepalive.on_timeout(now) {
                Due::Nothing => {}
                Due::Heart => {
                    self.out.push_back(ClientOutput::Send(HEART));
                    self.names.heart_sent();
                }
                Due::ServerLost => {
                    let target = target.clone();
                    self.out.push_back(ClientOutput::Disconnect);
                    self.lose(target, LostHow::Silent, now);
                }
            },
            Link::Reconnecting { target, at, delay } if *at <= now => {
                let (target, delay) = (target.clone(), *delay);
                self.dial(target, Some(delay));
            }
            _ => {}
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
                let room = self.rooms.label_of_wire(chat.room());
                self.event(ClientEvent::Message {
                    room,
                    nick: chat.nick().as_str().to_owned(),
                    text: chat.text().as_str().to_owned(),
                });
            }
            Ok(Message::System(notice)) => {
                let room = self.rooms.label_of_wire(notice.room());
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
                if let Link::Connected { keepalive, .. } = &mut self.link {
                    keepalive.bleed(now);
                }
                for (room, asker) in self.names.bleed() {
                    if asker == Asker::User {
                        let label = self.rooms.label_of_wire(&room);
                        self.event(ClientEvent::NamesUnanswered(label));
                    }
                }
            }
            Ok(Message::Members(list)) => {
                let (room, nicks) = list.into_parts();
                self.names
                    .members(room, nicks.into_iter().map(Nick::into_string));
            }
            Ok(Message::MembersEnd(room)) => {
                let answer = self.names.end(&room);
                let room = self.rooms.label_of_wire(&room);
                match answer.asker {
                    Some(Asker::User) | None => self.event(ClientEvent::Members {
                        room,
                        nicks: answer.nicks,
                    }),
                    // Only this client in it, and still there.
                    Some(Asker::AloneCheck) if answer.nicks.len() <= 1 && room.private => {
                        self.event(ClientEvent::AloneInPrivateRoom(room));
                    }
                    Some(Asker::AloneCheck) => {}
                }
            }
            _ => self.event(ClientEvent::Unknown(line.to_owned())),
        }
    }
}
