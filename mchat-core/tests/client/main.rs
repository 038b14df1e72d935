//! The client state machine (PROTOCOL.md §5) through its public API.

// Test code: a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::time::{Duration, Instant};

use mchat_core::client::{
    Client, ClientConfig, ClientEvent, ClientOutput, Command, CommandError, Refusal,
};
use mchat_core::wire::{ErrorCode, Nick, private_room_name};

/// A client in virtual time, its outputs sorted into sent lines and events.
struct Harness {
    client: Client,
    now: Instant,
    sent: Vec<String>,
    events: Vec<ClientEvent>,
    connects: Vec<(String, u16)>,
    disconnects: usize,
}

impl Harness {
    fn new() -> Self {
        Self::with(ClientConfig::default())
    }

    fn with(config: ClientConfig) -> Self {
        Self {
            client: Client::new(config),
            now: Instant::now(),
            sent: Vec::new(),
            events: Vec::new(),
            connects: Vec::new(),
            disconnects: 0,
        }
    }

    fn drain(&mut self) {
        while let Some(out) = self.client.poll_output() {
            match out {
                ClientOutput::Send(line) => {
                    let text = std::str::from_utf8(&line).unwrap();
                    assert!(
                        text.ends_with('\n') && text.chars().count() <= 1024,
                        "{text:?}"
                    );
                    self.sent.push(text.trim_end_matches('\n').to_owned());
                }
                ClientOutput::Connect { host, port } => self.connects.push((host, port)),
                ClientOutput::Disconnect => self.disconnects += 1,
                ClientOutput::Event(e) => self.events.push(e),
            }
        }
    }

    /// Connected and past the `NICK` line.
    fn connected() -> Self {
        let mut h = Self::new();
        h.type_line("connect example.org 6061");
        h.client.connected("example.org", 6061, h.now);
        h.drain();
        h.sent.clear();
        h.events.clear();
        h
    }

    fn type_line(&mut self, line: &str) {
        self.client.handle_input_line(line, self.now);
        self.drain();
    }

    fn receive(&mut self, line: &str) {
        self.client
            .handle_input(format!("{line}\n").as_bytes(), self.now);
        self.drain();
    }

    fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.client.poll_timeout() {
            if at > end {
                break;
            }
            self.now = at;
            self.client.handle_timeout(at);
            self.drain();
        }
        self.now = end;
    }

    fn refusals(&self) -> Vec<Refusal> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Refused(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
}

#[test]
fn connecting_sends_the_nick_and_the_default_is_mchatter() {
    let mut h = Harness::new();
    h.type_line("connect 127.0.0.1 6061");
    assert_eq!(h.connects, [("127.0.0.1".to_owned(), 6061)]);
    assert!(h.sent.is_empty(), "nothing before the connection is up");
    h.client.connected("127.0.0.1", 6061, h.now);
    h.drain();
    assert_eq!(h.sent, ["NICK mChatter"]);
    assert!(h.events.contains(&ClientEvent::Connected {
        host: "127.0.0.1".into(),
        port: 6061
    }));
}

#[test]
fn every_command_parses() {
    let cases = [
        (
            "connect ::1 6061",
            Command::Connect {
                host: "::1".into(),
                port: 6061,
            },
        ),
        ("disconnect", Command::Disconnect),
        ("join lobby", Command::Join("lobby".into())),
        (
            "joinprivate sauna hot stones",
            Command::JoinPrivate {
                room: "sauna".into(),
                password: "hot stones".into(),
            },
        ),
        ("part lobby", Command::Part("lobby".into())),
        (
            "msg lobby hello  there",
            Command::Msg {
                room: "lobby".into(),
                text: "hello  there".into(),
            },
        ),
        ("nick alice", Command::Nick("alice".into())),
        ("help", Command::Help),
        ("quit", Command::Quit),
    ];
    for (line, want) in cases {
        assert_eq!(Command::parse(line), Ok(want), "{line}");
    }
    for line in [
        "connect host",
        "connect host 99999",
        "join a b",
        "joinprivate room",
    ] {
        assert!(
            matches!(Command::parse(line), Err(CommandError::Usage { .. })),
            "{line}"
        );
    }
    assert!(matches!(
        Command::parse("frobnicate"),
        Err(CommandError::Unknown(_))
    ));
}

#[test]
fn commands_needing_a_connection_are_refused_locally_without_one() {
    let mut h = Harness::new();
    for line in [
        "join lobby",
        "joinprivate s p",
        "part lobby",
        "msg lobby hi",
        "disconnect",
    ] {
        h.type_line(line);
    }
    assert_eq!(h.refusals(), vec![Refusal::NotConnected; 5]);
    assert!(h.sent.is_empty());
}

#[test]
fn nick_changes_locally_when_not_connected_and_is_sent_when_connected() {
    let mut h = Harness::new();
    h.type_line("nick alice");
    assert!(h.sent.is_empty());
    assert_eq!(h.client.nick(), &Nick::new("alice").unwrap());
    h.type_line("connect h 1");
    h.client.connected("h", 1, h.now);
    h.drain();
    assert_eq!(h.sent, ["NICK alice"]);
    h.type_line("nick bob");
    assert_eq!(h.sent, ["NICK alice", "NICK bob"]);
}

#[test]
fn bad_nicks_and_rooms_are_refused_locally() {
    let mut h = Harness::connected();
    h.type_line(&format!("nick {}", "n".repeat(33)));
    h.type_line(&format!("join {}", "r".repeat(65)));
    h.type_line(&format!("joinprivate {} pw", "r".repeat(65)));
    let r = h.refusals();
    assert!(matches!(r[0], Refusal::BadNick(_)));
    assert!(matches!(r[1], Refusal::BadRoom(_)));
    assert!(matches!(r[2], Refusal::BadRoom(_)));
    assert!(h.sent.is_empty());
}

#[test]
fn join_twice_part_and_msg_of_unjoined_rooms_are_refused_locally() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.type_line("join lobby");
    h.type_line("part rust");
    h.type_line("msg rust hi");
    assert_eq!(
        h.refusals(),
        [
            Refusal::AlreadyJoined("lobby".into()),
            Refusal::NotJoined("rust".into()),
            Refusal::NotJoined("rust".into())
        ]
    );
    assert_eq!(h.sent, ["JOIN lobby"]);
}

#[test]
fn private_room_goes_out_as_its_digest_and_comes_back_under_its_name() {
    let mut h = Harness::connected();
    h.type_line("joinprivate lobby hunter2");
    let digest = private_room_name("lobby", "hunter2");
    assert_eq!(h.sent, [format!("JOIN {digest}")]);
    h.type_line("msg lobby psst");
    assert_eq!(h.sent[1], format!("MSG mChatter {digest} psst"));
    h.receive(&format!("MSG bob {digest} hi there"));
    h.receive(&format!("SYSTEM {digest} bob joined channel"));
    assert!(h.events.contains(&ClientEvent::Message {
        room: "lobby".into(),
        nick: "bob".into(),
        text: "hi there".into()
    }));
    assert!(h.events.contains(&ClientEvent::Notice {
        room: "lobby".into(),
        text: "bob joined channel".into()
    }));
    h.type_line("part lobby");
    assert_eq!(h.sent[2], format!("PART {digest}"));
}

#[test]
fn lines_that_are_not_commands_go_to_the_current_room() {
    let mut h = Harness::connected();
    h.type_line("hello?");
    assert_eq!(h.refusals(), [Refusal::NoCurrentRoom]);
    h.type_line("join lobby");
    h.type_line("join rust");
    h.type_line("borrow checker says hi");
    assert_eq!(
        h.sent.last().unwrap(),
        "MSG mChatter rust borrow checker says hi"
    );
    h.type_line("msg lobby back here");
    h.type_line("and again");
    assert_eq!(h.sent.last().unwrap(), "MSG mChatter lobby and again");
    assert_eq!(h.client.current_room(), Some("lobby"));
}

fn msg_lines(h: &Harness) -> Vec<&String> {
    h.sent.iter().filter(|l| l.starts_with("MSG ")).collect()
}

#[test]
fn message_filling_1024_characters_exactly_stays_one_line() {
    let mut h = Harness::connected();
    h.type_line("join r");
    // "MSG mChatter r " is 15 characters; with the newline, 1008 more make 1024.
    h.type_line(&format!("msg r {}", "x".repeat(1008)));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].chars().count() + 1, 1024);
}

#[test]
fn message_one_character_over_is_split_in_two() {
    let mut h = Harness::connected();
    h.type_line("join r");
    h.type_line(&format!("msg r {}", "x".repeat(1009)));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1].as_str(), "MSG mChatter r x");
}

#[test]
fn multibyte_message_splits_on_characters_and_counts_the_private_digest() {
    let mut h = Harness::connected();
    h.type_line("joinprivate r pw");
    let text = "🌞ä".repeat(700);
    h.type_line(&format!("msg r {text}"));
    let lines = msg_lines(&h);
    assert_eq!(lines.len(), 2);
    let prefix = format!("MSG mChatter {} ", private_room_name("r", "pw"));
    let mut rejoined = String::new();
    for line in &lines {
        assert!(line.chars().count() < 1024);
        rejoined.push_str(line.strip_prefix(&prefix).unwrap());
    }
    assert_eq!(rejoined, text);
}

#[test]
fn keep_alive_sends_heart_every_two_seconds_and_answers_heart() {
    let mut h = Harness::connected();
    h.advance(Duration::from_millis(1999));
    assert!(h.sent.is_empty());
    h.advance(Duration::from_millis(1));
    assert_eq!(h.sent, ["HEART"]);
    h.receive("BLEED");
    h.receive("HEART");
    assert_eq!(h.sent, ["HEART", "BLEED"]);
    for _ in 0..50 {
        h.advance(Duration::from_secs(2));
        h.receive("BLEED");
    }
    assert!(
        h.client.is_connected(),
        "a server that answers is never lost"
    );
}

#[test]
fn server_is_lost_after_five_seconds_without_bleed() {
    let mut h = Harness::connected();
    h.advance(Duration::from_millis(4999));
    assert!(h.client.is_connected());
    h.advance(Duration::from_millis(1));
    assert!(!h.client.is_connected());
    assert!(h.events.contains(&ClientEvent::ServerLost));
    assert_eq!(h.disconnects, 1);
    assert_eq!(h.sent, ["HEART", "HEART"]);
    assert_eq!(h.client.poll_timeout(), None);
}

#[test]
fn server_errors_and_unknown_lines_are_shown() {
    let mut h = Harness::connected();
    h.receive("ERROR not-joined you are not in rust");
    h.receive("ALL_ADDRS");
    h.client.handle_input(b"\xff\n", h.now);
    h.drain();
    assert_eq!(
        h.events[0],
        ClientEvent::ServerError {
            code: ErrorCode::NotJoined,
            text: "you are not in rust".into()
        }
    );
    assert_eq!(h.events[1], ClientEvent::Unknown("ALL_ADDRS".into()));
    assert!(matches!(h.events[2], ClientEvent::Unknown(_)));
}

#[test]
fn closing_forgets_the_rooms_and_quit_disconnects() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.client.handle_close();
    h.drain();
    assert!(h.events.contains(&ClientEvent::ServerLost));
    assert_eq!(h.client.rooms().count(), 0);
    let mut h = Harness::connected();
    h.type_line("quit");
    assert_eq!(h.disconnects, 1);
    assert!(h.events.contains(&ClientEvent::Quit));
}

#[test]
fn connect_twice_is_refused_and_a_failed_connect_can_be_retried() {
    let mut h = Harness::new();
    h.type_line("connect a 1");
    h.type_line("connect b 2");
    assert_eq!(h.refusals(), [Refusal::AlreadyConnected]);
    h.client.connect_failed("refused");
    h.drain();
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::ConnectFailed {
            host: "a".into(),
            port: 1,
            reason: "refused".into()
        }),
        "the failure says where the connection was to go"
    );
    assert!(!h.client.is_connected());
    h.type_line("connect b 2");
    assert_eq!(h.connects.len(), 2);
}
