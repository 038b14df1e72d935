//! What the user types: every command parses, and what needs a connection or a valid name is refused here.

use mchat_core::client::{Command, CommandError, Refusal};
use mchat_core::wire::Nick;

use crate::harness::Harness;

#[test]
fn every_command_parses() {
    let cases = [
        (
            "connect ::1 6061",
            Command::Connect {
                host: "::1".into(),
                port: 6061,
                tls: false,
            },
        ),
        (
            "connect tls://[::1]:6443",
            Command::Connect {
                host: "::1".into(),
                port: 6443,
                tls: true,
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
        ("names", Command::Names(None)),
        ("names lobby", Command::Names(Some("lobby".into()))),
        ("rooms", Command::Rooms),
        ("switch lobby", Command::Switch("lobby".into())),
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
fn a_slash_command_or_a_typo_is_never_said_in_the_room() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.sent.clear();
    h.type_line("/join #rust");
    h.type_line("JOIN rust");
    assert_eq!(h.sent, ["JOIN #rust", "JOIN rust"]);
    h.sent.clear();
    h.type_line("/frobnicate now");
    h.type_line("jion lobby");
    assert!(h.sent.is_empty(), "{:?}", h.sent);
    let refused = h.refusals();
    assert!(
        matches!(&refused[..], [
            Refusal::Command(CommandError::NotACommand(word)),
            Refusal::Command(CommandError::DidYouMean { command: "join", .. }),
        ] if word == "frobnicate"),
        "{refused:?}"
    );
}

#[test]
fn a_slip_sent_again_unchanged_is_said_and_a_double_slash_says_a_slash() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.sent.clear();
    h.type_line("nice one");
    assert!(h.sent.is_empty(), "asked first: {:?}", h.sent);
    h.type_line("nice one");
    assert_eq!(h.sent, ["MSG mChatter lobby nice one"]);
    // Asked again after another line.
    h.type_line("nice one");
    assert_eq!(h.sent.len(), 1);
    h.type_line("//join is a command");
    assert_eq!(
        h.sent.last().unwrap(),
        "MSG mChatter lobby /join is a command"
    );
}

#[test]
fn refusals_say_why_not_connected_comes_first_and_an_empty_message_is_not_sent() {
    let mut h = Harness::new();
    h.type_line("hello?");
    h.type_line("names");
    assert_eq!(h.refusals(), [Refusal::NotConnected, Refusal::NotConnected]);
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.sent.clear();
    h.type_line("msg lobby");
    h.type_line("msg lobby    ");
    assert_eq!(h.refusals(), [Refusal::EmptyMessage, Refusal::EmptyMessage]);
    assert!(h.sent.is_empty(), "{:?}", h.sent);
}
