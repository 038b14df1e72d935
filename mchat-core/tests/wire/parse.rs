//! The parser: one test per rule of PROTOCOL.md §1–§2 and per error code.

use mchat_core::wire::{ErrorCode, Malformation, Message, MessageKind, ParseError};

use crate::helpers::{outcome, refusal};

#[test]
fn msg_without_text_separator_is_malformed() {
    assert_eq!(refusal("MSG n r"), ErrorCode::Malformed);
}

#[test]
fn msg_with_separator_and_nothing_after_carries_empty_text() {
    let Ok(Message::Msg(chat)) = outcome(b"MSG n r ") else {
        panic!()
    };
    assert_eq!(chat.text().as_str(), "");
}

#[test]
fn text_keeps_every_space() {
    let Ok(Message::Msg(chat)) = outcome(b"MSG n r   a  b  ") else {
        panic!()
    };
    assert_eq!(chat.text().as_str(), "  a  b  ");
}

#[test]
fn types_are_case_sensitive() {
    assert_eq!(refusal("Heart"), ErrorCode::UnknownCommand);
    assert_eq!(refusal("join lobby"), ErrorCode::UnknownCommand);
}

#[test]
fn unknown_type_names_itself_in_the_error() {
    let err = Message::parse("WHO is there").unwrap_err();
    assert_eq!(err, ParseError::UnknownCommand("WHO".into()));
    assert_eq!(err.to_string(), "unknown message type \"WHO\"");
}

#[test]
fn empty_line_is_malformed() {
    assert_eq!(refusal(""), ErrorCode::Malformed);
}

#[test]
fn fields_are_separated_by_exactly_one_space() {
    assert_eq!(refusal("JOIN  lobby"), ErrorCode::Malformed);
    assert_eq!(refusal("MSG a  r t"), ErrorCode::Malformed);
}

#[test]
fn exact_field_counts_are_enforced_for_every_type() {
    let too_few = [
        "MSG a",
        "SYSTEM r",
        "JOIN",
        "PART",
        "NICK",
        "MY_ADDR h",
        "ALL_ADDRS h",
        "ERROR malformed",
    ];
    for line in too_few {
        assert_eq!(refusal(line), ErrorCode::Malformed, "{line}");
    }
    let too_many = [
        "JOIN a b",
        "PART a b",
        "NICK a b",
        "HEART x",
        "BLEED x",
        "MY_ADDR h 1 x",
        "ALL_ADDRS h 1 x",
    ];
    for line in too_many {
        assert_eq!(refusal(line), ErrorCode::Malformed, "{line}");
    }
}

#[test]
fn malformed_error_says_which_type_and_what() {
    let err = Message::parse("JOIN a b").unwrap_err();
    assert_eq!(
        err,
        ParseError::Malformed {
            kind: Some(MessageKind::Join),
            reason: Malformation::ExtraField
        }
    );
    assert_eq!(
        err.to_string(),
        "malformed line (JOIN): there are too many fields"
    );
}

#[test]
fn structure_is_judged_before_field_content() {
    // A bad nick on a line that also lacks its text: the line is malformed.
    assert_eq!(refusal("MSG bad\u{1}nick r"), ErrorCode::Malformed);
}

#[test]
fn long_or_illegal_nick_is_bad_nick() {
    assert_eq!(
        refusal(&format!("NICK {}", "n".repeat(33))),
        ErrorCode::BadNick
    );
    assert_eq!(refusal("NICK a\u{1b}[31m"), ErrorCode::BadNick);
    assert_eq!(
        refusal(&format!("MSG {} r t", "n".repeat(33))),
        ErrorCode::BadNick
    );
}

#[test]
fn long_or_illegal_room_is_bad_room() {
    assert_eq!(
        refusal(&format!("JOIN {}", "r".repeat(65))),
        ErrorCode::BadRoom
    );
    assert_eq!(refusal("PART r\u{7f}"), ErrorCode::BadRoom);
    assert_eq!(refusal("SYSTEM r\u{0} t"), ErrorCode::BadRoom);
}

#[test]
fn bad_address_fields_are_malformed() {
    assert_eq!(refusal("MY_ADDR host 0"), ErrorCode::Malformed);
    assert_eq!(refusal("ALL_ADDRS host port"), ErrorCode::Malformed);
    assert_eq!(refusal("MY_ADDR h\u{1}st 1"), ErrorCode::Malformed);
}

#[test]
fn error_line_with_unknown_code_is_malformed() {
    let err = Message::parse("ERROR teapot short and stout").unwrap_err();
    assert_eq!(err.code(), ErrorCode::Malformed);
}

#[test]
fn too_long_string_given_to_parse_directly_is_too_long() {
    // Lines from the framer never exceed the limit; a caller's string might.
    let err = Message::parse(&format!("MSG a b {}", "x".repeat(1016))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TooLong);
}

#[test]
fn every_error_code_of_the_parser_is_reachable() {
    let codes = ["", "X", "NICK \u{1}", "JOIN \u{1}", "\u{ff}"]
        .iter()
        .map(|l| refusal(l))
        .collect::<Vec<_>>();
    assert_eq!(
        codes,
        [
            ErrorCode::Malformed,
            ErrorCode::UnknownCommand,
            ErrorCode::BadNick,
            ErrorCode::BadRoom,
            ErrorCode::UnknownCommand
        ]
    );
    assert_eq!(
        crate::helpers::outcome(b"\xff").unwrap_err(),
        ErrorCode::BadUtf8
    );
    assert_eq!(
        crate::helpers::outcome("x".repeat(2000).as_bytes()).unwrap_err(),
        ErrorCode::TooLong
    );
}

#[test]
fn message_kinds_know_what_a_client_may_send() {
    let allowed: Vec<_> = MessageKind::ALL
        .into_iter()
        .filter(|k| k.client_may_send())
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        allowed,
        ["MSG", "JOIN", "PART", "NICK", "HEART", "BLEED", "NAMES"]
    );
}

#[test]
fn from_str_parses_like_parse() {
    let m: Message = "JOIN lobby".parse().unwrap();
    assert_eq!(m.kind(), MessageKind::Join);
}
