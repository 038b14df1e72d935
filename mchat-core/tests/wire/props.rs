//! Property tests: round trips, refusals with the right code, and framing
//! that does not depend on chunking.

use std::num::NonZeroU16;

use mchat_core::fuzzing::frame_in_chunks;
use mchat_core::wire::{
    AddrList, AuthHello, AuthProof, ChatLine, ErrorCode, ErrorReply, Host, MemberList, Message,
    Nick, Nonce, Notice, PeerAddr, Proof, Room, Text, is_control,
};
use proptest::prelude::*;

use crate::helpers::outcome;

fn token_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('!', '~'),
        1 => any::<char>().prop_filter("no space or control", |c| *c != ' ' && !is_control(*c)),
    ]
}

fn token(max: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(token_char(), 1..=max).prop_map(String::from_iter)
}

fn text() -> impl Strategy<Value = Text> {
    let ch = prop_oneof![
        6 => proptest::char::range(' ', '~'),
        1 => any::<char>().prop_filter("no newline", |c| *c != '\n'),
    ];
    proptest::collection::vec(ch, 0..300).prop_filter_map("valid text", |cs| {
        let mut s = String::from_iter(cs);
        while s.ends_with('\r') {
            s.pop();
        }
        Text::new(s).ok()
    })
}

fn nick() -> impl Strategy<Value = Nick> {
    token(32).prop_map(|s| Nick::new(s).unwrap())
}

fn room() -> impl Strategy<Value = Room> {
    token(64).prop_map(|s| Room::new(s).unwrap())
}

fn peer_addr() -> impl Strategy<Value = PeerAddr> {
    (token(60), 1..=u16::MAX)
        .prop_map(|(h, p)| PeerAddr::new(Host::new(h).unwrap(), NonZeroU16::new(p).unwrap()))
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        (nick(), room(), text()).prop_filter_map("fits", |(n, r, t)| ChatLine::new(n, r, t)
            .ok()
            .map(Message::Msg)),
        (room(), text())
            .prop_filter_map("fits", |(r, t)| Notice::new(r, t).ok().map(Message::System)),
        room().prop_map(Message::Join),
        room().prop_map(Message::Part),
        nick().prop_map(Message::Nick),
        Just(Message::Heart),
        Just(Message::Bleed),
        proptest::collection::vec(peer_addr(), 0..6)
            .prop_filter_map("fits", |a| AddrList::new(a).ok().map(Message::AllAddrs)),
        peer_addr().prop_map(Message::MyAddr),
        (proptest::sample::select(ErrorCode::ALL.to_vec()), text())
            .prop_filter_map("fits", |(c, t)| ErrorReply::new(c, t)
                .ok()
                .map(Message::Error)),
        room().prop_map(Message::Names),
        (room(), proptest::collection::vec(nick(), 1..8)).prop_filter_map("fits", |(r, n)| {
            MemberList::new(r, n).ok().flatten().map(Message::Members)
        }),
        room().prop_map(Message::MembersEnd),
        (peer_addr(), any::<[u8; 32]>()).prop_map(|(addr, n)| Message::AuthHello(AuthHello {
            addr,
            nonce: Nonce(n)
        })),
        (peer_addr(), any::<[u8; 32]>(), any::<[u8; 32]>()).prop_map(|(addr, n, p)| {
            Message::AuthProof(AuthProof {
                addr,
                nonce: Nonce(n),
                proof: Proof(p),
            })
        }),
        any::<[u8; 32]>().prop_map(|p| Message::AuthOk(Proof(p))),
    ]
}

/// Ways to spoil a valid line, with the code a server must answer.
#[derive(Clone, Debug)]
enum Spoil {
    LowercaseType,
    DoubleSpaceAfterType,
    ExtraField,
    LongNick,
    ControlInRoom(char),
    InvalidUtf8,
    TooLong,
}

fn spoil(message: &Message, how: &Spoil) -> Option<(Vec<u8>, ErrorCode)> {
    let line = message.to_string();
    let (word, rest) = line.split_once(' ').unwrap_or((&line, ""));
    let has_fields = !rest.is_empty()
        || matches!(
            message,
            Message::Msg(_) | Message::System(_) | Message::Error(_)
        );
    Some(match how {
        Spoil::LowercaseType => (
            format!("{}{}", word.to_lowercase(), &line[word.len()..]).into(),
            ErrorCode::UnknownCommand,
        ),
        Spoil::DoubleSpaceAfterType if has_fields => {
            (format!("{word}  {rest}").into(), ErrorCode::Malformed)
        }
        Spoil::DoubleSpaceAfterType => (format!("{word} ").into(), ErrorCode::Malformed),
        Spoil::ExtraField => match message {
            // Text takes the rest; a member list takes one more nick.
            Message::Msg(_) | Message::System(_) | Message::Error(_) | Message::Members(_) => {
                return None;
            }
            _ => (format!("{line} x").into(), ErrorCode::Malformed),
        },
        Spoil::LongNick => match message {
            Message::Nick(_) => (
                format!("NICK {}", "n".repeat(33)).into(),
                ErrorCode::BadNick,
            ),
            Message::Msg(c) => (
                format!("MSG {} {} {}", "n".repeat(33), c.room(), c.text()).into(),
                ErrorCode::BadNick,
            ),
            _ => return None,
        },
        Spoil::ControlInRoom(c) => match message {
            Message::Join(r) => (format!("JOIN {r}{c}").into(), ErrorCode::BadRoom),
            Message::Part(r) => (format!("PART {c}{r}").into(), ErrorCode::BadRoom),
            Message::Msg(m) => (
                format!("MSG {} {r}{c} {}", m.nick(), m.text(), r = m.room()).into(),
                ErrorCode::BadRoom,
            ),
            _ => return None,
        },
        Spoil::InvalidUtf8 => {
            let mut bytes = line.into_bytes();
            bytes.push(0xff);
            (bytes, ErrorCode::BadUtf8)
        }
        Spoil::TooLong => {
            let pad = 1024 - line.chars().count();
            (
                format!("{line}{}", "\u{e9}".repeat(pad)).into(),
                ErrorCode::TooLong,
            )
        }
    })
}

fn spoiler() -> impl Strategy<Value = Spoil> {
    prop_oneof![
        Just(Spoil::LowercaseType),
        Just(Spoil::DoubleSpaceAfterType),
        Just(Spoil::ExtraField),
        Just(Spoil::LongNick),
        prop_oneof![proptest::char::range('\0', '\u{1f}'), Just('\u{7f}')]
            // \n would end the line and a final \r is stripped: both tested elsewhere.
            .prop_filter("not a line break", |c| *c != '\n' && *c != '\r')
            .prop_map(Spoil::ControlInRoom),
        Just(Spoil::InvalidUtf8),
        Just(Spoil::TooLong),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parse_of_encode_is_identity(m in message()) {
        let encoded = m.encode();
        prop_assert_eq!(encoded.last(), Some(&b'\n'));
        prop_assert!(std::str::from_utf8(&encoded).unwrap().chars().count() <= 1024);
        prop_assert_eq!(encoded.len(), m.encoded_len());
        prop_assert_eq!(outcome(&encoded[..encoded.len() - 1]), Ok(m));
    }

    #[test]
    fn spoiled_lines_are_refused_with_the_right_code(m in message(), how in spoiler()) {
        if let Some((line, code)) = spoil(&m, &how) {
            prop_assert_eq!(outcome(&line), Err(code), "{:?}", String::from_utf8_lossy(&line));
        }
    }

    #[test]
    fn framing_does_not_depend_on_chunking(
        parts in proptest::collection::vec(prop_oneof![
            4 => message().prop_map(|m| m.encode().to_vec()),
            1 => proptest::collection::vec(any::<u8>(), 0..64),
            1 => (1usize..6000, any::<u8>()).prop_map(|(n, b)| vec![b; n]),
            1 => Just(b"\r\n".to_vec()),
        ], 0..40),
        sizes in proptest::collection::vec(1usize..=65536, 1..8),
        small in proptest::collection::vec(1usize..=16, 1..8),
    ) {
        let stream: Vec<u8> = parts.concat();
        let whole = frame_in_chunks(&stream, &[stream.len().max(1)]);
        prop_assert_eq!(&frame_in_chunks(&stream, &[1]), &whole);
        prop_assert_eq!(&frame_in_chunks(&stream, &sizes), &whole);
        prop_assert_eq!(&frame_in_chunks(&stream, &small), &whole);
    }
}
