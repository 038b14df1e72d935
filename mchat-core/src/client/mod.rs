//! The client as a sans-IO state machine (PROTOCOL.md §5).
//!
//! A [`Client`] is fed the user's [`Command`]s, the bytes its connection
//! reads and the time; it answers with [`ClientOutput`]s: lines to send,
//! connections to open or close, and [`ClientEvent`]s to show. It owns the
//! nick, the joined rooms (private ones by their digest, shown by the name
//! the user typed), long-message splitting and keep-alive.

mod command;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bytes::Bytes;

pub use command::{Command, CommandError, HELP};

use crate::wire::{
    ErrorCode, FieldError, LineFramer, Message, Nick, Room, private_room_name, split_chat,
};

/// A new client's nick (PROTOCOL.md §5).
pub const DEFAULT_NICK: &str = "mChatter";

/// Timing of the client's keep-alive (PROTOCOL.md §5).
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// The nick to start with.
    pub nick: Nick,
    /// How often `HEART` goes to the server.
    pub heartbeat_interval: Duration,
    /// The server is lost after this long without `BLEED`.
    pub server_lost_after: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            nick: Nick::from_trusted(DEFAULT_NICK.to_owned()),
            heartbeat_interval: Duration::from_secs(2),
            server_lost_after: Duration::from_secs(5),
        }
    }
}

/// What the client asks its driver to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientOutput {
    /// Write this line (`\n` included) to the server.
    Send(Bytes),
    /// Open a connection and report with [`Client::connected`] or
    /// [`Client::connect_failed`].
    Connect {
        /// DNS name or IP literal.
        host: String,
        /// Client port.
        port: u16,
    },
    /// Close the connection (nothing more will be sent on it).
    Disconnect,
    /// Show this to the user.
    Event(ClientEvent),
}

/// Something to show the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientEvent {
    /// `<room> nick: text`
    Message {
        /// The room as the user knows it.
        room: String,
        /// The sender.
        nick: String,
        /// The text, as received (escape control characters to show it).
        text: String,
    },
    /// `<room> SYSTEM: text`
    Notice {
        /// The room as the user knows it.
        room: String,
        /// The notice.
        text: String,
    },
    /// The server refused something (`ERROR <code> <text>`).
    ServerError {
        /// The code.
        code: ErrorCode,
        /// The server's words.
        text: String,
    },
    /// A line the client does not understand (shown as is).
    Unknown(String),
    /// Connected to a server.
    Connected {
        /// Where.
        host: String,
        /// Which port.
        port: u16,
    },
    /// Could not connect.
    ConnectFailed {
        /// Why.
        reason: String,
    },
    /// Disconnected, as the user asked.
    Disconnected,
    /// The server closed the connection, or sent no `BLEED` for too long:
    /// it is lost, and the client disconnected.
    ServerLost,
    /// Joined a room (sent the `JOIN`).
    Joined(String),
    /// Left a room (sent the `PART`).
    Left(String),
    /// The nick changed.
    NickChanged(String),
    /// A command refused here, without asking the server.
    Refused(Refusal),
    /// The help text.
    Help(&'static str),
    /// The user quits.
    Quit,
}

/// Why a command was refused locally.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The command needs a connection.
    #[error("not connected; use connect <host> <port>")]
    NotConnected,
    /// Already connected.
    #[error("already connected; disconnect first")]
    AlreadyConnected,
    /// Not a member of that room.
    #[error("you have not joined {0}")]
    NotJoined(String),
    /// Already a member of that room.
    #[error("you are already in {0}")]
    AlreadyJoined(String),
    /// The nick is empty, too long or holds illegal characters.
    #[error("bad nick: {0}")]
    BadNick(FieldError),
    /// The room name is empty, too long or holds illegal characters.
    #[error("bad room name: {0}")]
    BadRoom(FieldError),
    /// The message cannot be sent (a newline, or a trailing carriage return).
    #[error("bad message: {0}")]
    BadText(FieldError),
    /// No current room for a line that is not a command.
    #[error("no current room; join one first (type help for commands)")]
    NoCurrentRoom,
    /// The input was not a command.
    #[error("{0}")]
    Command(CommandError),
}

/// A joined room: the name the user typed and the name on the wire.
#[derive(Clone, Debug)]
struct JoinedRoom {
    display: String,
    wire: Room,
}

/// The connection's state.
#[derive(Clone, Debug)]
enum Link {
    Disconnected,
    Connecting,
    Connected {
        next_heart: Instant,
        last_bleed: Instant,
    },
}

/// One chat client's protocol state. See the [module docs](self).
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    nick: Nick,
    link: Link,
    rooms: Vec<JoinedRoom>,
    current: Option<String>,
    framer: LineFramer,
    out: VecDeque<ClientOutput>,
}

const HEART: Bytes = Bytes::from_static(b"HEART\n");
const BLEED: Bytes = Bytes::from_static(b"BLEED\n");

impl Client {
    /// A disconnected client.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            nick: config.nick.clone(),
            config,
            link: Link::Disconnected,
            rooms: Vec::new(),
            current: None,
            framer: LineFramer::new(),
            out: VecDeque::new(),
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

    /// The room a line that is not a command goes to: the last one joined
    /// or messaged.
    pub fn current_room(&self) -> Option<&str> {
        self.current.as_deref()
    }

    /// The rooms joined, by the names the user typed.
    pub fn rooms(&self) -> impl Iterator<Item = &str> {
        self.rooms.iter().map(|r| r.display.as_str())
    }

    /// The next thing for the driver to do.
    pub fn poll_output(&mut self) -> Option<ClientOutput> {
        self.out.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next run.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.link {
            Link::Connected {
                next_heart,
                last_bleed,
            } => Some(next_heart.min(last_bleed + self.config.server_lost_after)),
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
    /// current room.
    pub fn handle_input_line(&mut self, line: &str, now: Instant) {
        match Command::parse(line) {
            Ok(command) => self.handle_command(command, now),
            Err(CommandError::Unknown(_)) if !line.trim().is_empty() => {
                match self.current.clone() {
                    Some(room) => self.handle_command(
                        Command::Msg {
                            room,
                            text: line.to_owned(),
                        },
                        now,
                    ),
                    None => self.refuse(Refusal::NoCurrentRoom),
                }
            }
            Err(CommandError::Unknown(_)) => {}
            Err(e) => self.refuse(Refusal::Command(e)),
        }
    }

    /// One user command.
    pub fn handle_command(&mut self, command: Command, now: Instant) {
        let _ = now;
        match command {
            Command::Connect { host, port } => {
                if !matches!(self.link, Link::Disconnected) {
                    return self.refuse(Refusal::AlreadyConnected);
                }
                self.link = Link::Connecting;
                self.out.push_back(ClientOutput::Connect { host, port });
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
                Ok(wire) => self.join(room, wire),
                Err(e) => self.refuse(Refusal::BadRoom(e)),
            },
            Command::JoinPrivate { room, password } => match Room::new(room.as_str()) {
                Ok(_) => {
                    let wire = private_room_name(&room, &password);
                    self.join(room, wire);
                }
                Err(e) => self.refuse(Refusal::BadRoom(e)),
            },
            Command::Part(room) => self.part(&room),
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

    fn join(&mut self, display: String, wire: Room) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        if self
            .rooms
            .iter()
            .any(|r| r.display == display || r.wire == wire)
        {
            return self.refuse(Refusal::AlreadyJoined(display));
        }
        self.send(&Message::Join(wire.clone()));
        self.rooms.push(JoinedRoom {
            display: display.clone(),
            wire,
        });
        self.current = Some(display.clone());
        self.event(ClientEvent::Joined(display));
    }

    fn part(&mut self, display: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        let Some(at) = self.rooms.iter().position(|r| r.display == display) else {
            return self.refuse(Refusal::NotJoined(display.to_owned()));
        };
        let room = self.rooms.remove(at);
        self.send(&Message::Part(room.wire));
        if self.current.as_deref() == Some(display) {
            self.current = self.rooms.last().map(|r| r.display.clone());
        }
        self.event(ClientEvent::Left(room.display));
    }

    fn say(&mut self, display: &str, text: &str) {
        if !self.is_connected() {
            return self.refuse(Refusal::NotConnected);
        }
        let Some(room) = self.rooms.iter().find(|r| r.display == display) else {
            return self.refuse(Refusal::NotJoined(display.to_owned()));
        };
        match split_chat(&self.nick, &room.wire, text) {
            Ok(lines) => {
                for line in lines {
                    self.send(&Message::Msg(line));
                }
                self.current = Some(display.to_owned());
            }
            Err(e) => self.refuse(Refusal::BadText(e)),
        }
    }

    fn drop_link(&mut self) {
        self.link = Link::Disconnected;
        self.rooms.clear();
        self.current = None;
        self.framer = LineFramer::new();
    }

    /// The connection the driver opened is up: say who we are.
    pub fn connected(&mut self, host: &str, port: u16, now: Instant) {
        if !matches!(self.link, Link::Connecting) {
            return;
        }
        self.link = Link::Connected {
            next_heart: now + self.config.heartbeat_interval,
            last_bleed: now,
        };
        self.send(&Message::Nick(self.nick.clone()));
        self.event(ClientEvent::Connected {
            host: host.to_owned(),
            port,
        });
    }

    /// The connection could not be opened.
    pub fn connect_failed(&mut self, reason: &str) {
        if matches!(self.link, Link::Connecting) {
            self.link = Link::Disconnected;
            self.event(ClientEvent::ConnectFailed {
                reason: reason.to_owned(),
            });
        }
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
        let Link::Connected {
            next_heart,
            last_bleed,
        } = self.link
        else {
            return;
        };
        if now >= last_bleed + self.config.server_lost_after {
            self.drop_link();
            self.out.push_back(ClientOutput::Disconnect);
            self.event(ClientEvent::ServerLost);
            return;
        }
        if now >= next_heart {
            let mut next = next_heart + self.config.heartbeat_interval;
            if next <= now {
                next = now + self.config.heartbeat_interval;
            }
            self.link = Link::Connected {
                next_heart: next,
                last_bleed,
            };
            self.out.push_back(ClientOutput::Send(HEART));
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

    fn display_of(&self, wire: &Room) -> String {
        self.rooms
            .iter()
            .find(|r| r.wire == *wire)
            .map_or_else(|| wire.as_str().to_owned(), |r| r.display.clone())
    }

    fn handle_line(&mut self, line: &str, now: Instant) {
        match Message::parse(line) {
            Ok(Message::Msg(chat)) => {
                let room = self.display_of(chat.room());
                self.event(ClientEvent::Message {
                    room,
                    nick: chat.nick().as_str().to_owned(),
                    text: chat.text().as_str().to_owned(),
                });
            }
            Ok(Message::System(notice)) => {
                let room = self.display_of(notice.room());
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
                if let Link::Connected { next_heart, .. } = self.link {
                    self.link = Link::Connected {
                        next_heart,
                        last_bleed: now,
                    };
                }
            }
            _ => self.event(ClientEvent::Unknown(line.to_owned())),
        }
    }
}
