//! Building and encoding messages; ALL_ADDRS splitting; private room names;
//! long-text splitting (PROTOCOL.md §2, §4, §5).

use std::num::NonZeroU16;

use mchat_core::wire::{
    AddrList, ChatLine, ErrorCode, ErrorReply, Host, Message, Nick, Notice, PeerAddr, Room, Text,
    all_addrs_lines, chat_text_budget, private_room_name, split_chat,
};

fn nick(s: &str) -> Nick {
    Nick::new(s).unwrap()
}
fn room(s: &str) -> Room {
    Room::new(s).unwrap()
}
fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}
fn addr(host: &str, port: u16) -> PeerAddr {
    PeerAddr::new(Host::new(host).unwrap(), NonZeroU16::new(port).unwrap())
}
fn chars(bytes: &[u8]) -> usize {
    std::str::from_utf8(bytes).unwrap().chars().count()
}

#[test]
fn every_type_encodes_to_its_line() {
    let cases = [
        (
            Message::msg(nick("al"), room("lobby"), text("hi there")).unwrap(),
            "MSG al lobby hi there\n",
        ),
        (
            Message::system(room("lobby"), text("al joined channel")).unwrap(),
            "SYSTEM lobby al joined channel\n",
        ),
        (Message::Join(room("r")), "JOIN r\n"),
        (Message::Part(room("r")), "PART r\n"),
        (Message::Nick(nick("bob")), "NICK bob\n"),
        (Message::Heart, "HEART\n"),
        (Message::Bleed, "BLEED\n"),
        (Message::AllAddrs(AddrList::default()), "ALL_ADDRS\n"),
        (
            Message::AllAddrs(AddrList::new(vec![addr("::1", 7), addr("h", 65535)]).unwrap()),
            "ALL_ADDRS ::1 7 h 65535\n",
        ),
        (
            Message::MyAddr(addr("10.0.0.1", 6062)),
            "MY_ADDR 10.0.0.1 6062\n",
        ),
        (
            Message::Error(ErrorReply::new(ErrorCode::NotJoined, text("not in lobby")).unwrap()),
            "ERROR not-joined not in lobby\n",
        ),
    ];
    for (message, line) in cases {
        let encoded = message.encode();
        assert_eq!(std::str::from_utf8(&encoded).unwrap(), line);
        assert_eq!(message.encoded_len(), line.len());
        assert_eq!(format!("{message}\n"), line);
        assert_eq!(
            Message::parse(line.trim_end_matches('\n')).unwrap(),
            message
        );
    }
}

#[test]
fn encode_into_appends_to_a_buffer() {
    let mut buf = bytes::BytesMut::from(&b"HEART\n"[..]);
    Message::Bleed.encode_into(&mut buf);
    assert_eq!(&buf[..], b"HEART\nBLEED\n");
}

#[test]
fn chat_line_longer_than_1024_characters_cannot_be_built() {
    let budget = 1024 - ChatLine::OVERHEAD_CHARS - 1 - 1;
    assert!(ChatLine::new(nick("a"), room("b"), text(&"x".repeat(budget))).is_ok());
    let err = ChatLine::new(nick("a"), room("b"), text(&"x".repeat(budget + 1))).unwrap_err();
    assert_eq!(err.chars, 1025);
}

#[test]
fn notice_and_error_longer_than_1024_characters_cannot_be_built() {
    // "SYSTEM r " is 9 characters, "ERROR malformed " 16; the \n is one more.
    assert!(Notice::new(room("r"), text(&"x".repeat(1014))).is_ok());
    assert!(Notice::new(room("r"), text(&"x".repeat(1015))).is_err());
    assert!(ErrorReply::new(ErrorCode::Malformed, text(&"x".repeat(1007))).is_ok());
    assert!(ErrorReply::new(ErrorCode::Malformed, text(&"x".repeat(1008))).is_err());
}

#[test]
fn truncated_error_reply_always_fits() {
    let reply = ErrorReply::truncated(
        ErrorCode::UnknownCommand,
        &format!("{}\n\r", "é".repeat(3000)),
    );
    let line = Message::Error(reply).encode();
    assert_eq!(chars(&line), 1024);
}

#[test]
fn error_codes_are_spelled_and_ordered_as_the_table_of_protocol_md_section_6() {
    let spec = include_str!("../../../PROTOCOL.md");
    let section = spec
        .split("## 6. Errors")
        .nth(1)
        .and_then(|rest| rest.split("\n## 7.").next())
        .expect("PROTOCOL.md has §6");
    // The codes in the first column of each table row, in order.
    let documented: Vec<&str> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|row| {
            let first = row.split(" | ").next().unwrap_or_default();
            first
                .split('`')
                .step_by(2)
                .filter(|c| !c.trim_matches([',', ' ']).is_empty())
        })
        .map(|c| c.trim_matches([',', ' ']))
        .collect();
    let spelled: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(spelled, documented);
    assert!(spelled.contains(&"too-many-connections"), "{spelled:?}");
    for code in ErrorCode::ALL {
        assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
    }
}

#[test]
fn too_many_addresses_for_one_line_cannot_be_built() {
    let many: Vec<PeerAddr> = (1..=200).map(|p| addr("server.example.org", p)).collect();
    assert!(AddrList::new(many).is_err());
}

#[test]
fn empty_address_list_is_one_bare_all_addrs_line() {
    let lines = all_addrs_lines(&[]);
    assert_eq!(lines.len(), 1);
    assert_eq!(&lines[0].encode()[..], b"ALL_ADDRS\n");
}

#[test]
fn long_address_list_is_split_over_lines_within_the_limit() {
    let addrs: Vec<PeerAddr> = (1..=1000)
        .map(|i| addr(&format!("host-{i}.example.org"), 6000 + i))
        .collect();
    let lines = all_addrs_lines(&addrs);
    let entry_chars: usize = addrs
        .iter()
        .map(|a| 1 + a.to_string().chars().count())
        .sum();
    assert!(
        lines.len() >= entry_chars.div_ceil(1024 - 10),
        "{} lines",
        lines.len()
    );
    let mut back = Vec::new();
    for line in &lines {
        let encoded = line.encode();
        assert!(chars(&encoded) <= 1024);
        let Message::AllAddrs(list) =
            Message::parse(std::str::from_utf8(&encoded[..encoded.len() - 1]).unwrap()).unwrap()
        else {
            panic!("not ALL_ADDRS");
        };
        back.extend(list.into_vec());
    }
    assert_eq!(back, addrs);
    // Greedy: no line could have taken the first address of the next one.
    for pair in lines.windows(2) {
        let (Message::AllAddrs(a), Message::AllAddrs(b)) = (&pair[0], &pair[1]) else {
            panic!()
        };
        let mut more = a.addrs().to_vec();
        more.push(b.addrs()[0].clone());
        assert!(AddrList::new(more).is_err());
    }
}

#[test]
fn widest_addresses_still_split_correctly() {
    let wide = Host::new("h".repeat(255)).unwrap();
    let addrs: Vec<PeerAddr> = (1..=10)
        .map(|_| PeerAddr::new(wide.clone(), NonZeroU16::new(65535).unwrap()))
        .collect();
    let lines = all_addrs_lines(&addrs);
    assert_eq!(lines.len(), 4); // three 262-character entries fit on a line
    assert!(lines.iter().all(|l| chars(&l.encode()) <= 1024));
}

#[test]
fn private_room_name_matches_the_reference_vectors() {
    assert_eq!(
        private_room_name("lobby", "hunter2").as_str(),
        "a9e52f505286f4bfd736a98595a5c8b87fc4b532"
    );
    assert_eq!(
        private_room_name("sauna", "löyly🔥").as_str(),
        "5a3931452698a8b1c2d529e3978687618773d8d8"
    );
}

#[test]
fn private_room_name_joins_name_and_password_without_separator() {
    assert_eq!(private_room_name("ab", "c"), private_room_name("a", "bc"));
    assert_ne!(
        private_room_name("lobby", "x"),
        private_room_name("lobby", "y")
    );
}

#[test]
fn text_that_fits_stays_one_line() {
    let lines = split_chat(&nick("al"), &room("r"), "hello").unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].text().as_str(), "hello");
    let empty = split_chat(&nick("al"), &room("r"), "").unwrap();
    assert_eq!(empty.len(), 1);
}

#[test]
fn split_lines_are_exactly_at_the_limit_and_rejoin_to_the_text() {
    let (n, r) = (nick("alice"), room("lobby"));
    let budget = chat_text_budget(&n, &r);
    assert_eq!(budget, 1024 - 7 - 5 - 5);
    for len in [budget, budget + 1, 2 * budget, 2 * budget + 1, 5000] {
        let original: String = "aé🌞".chars().cycle().take(len).collect();
        let lines = split_chat(&n, &r, &original).unwrap();
        assert_eq!(lines.len(), len.div_ceil(budget), "length {len}");
        for line in &lines[..lines.len() - 1] {
            assert_eq!(chars(&Message::Msg(line.clone()).encode()), 1024);
        }
        let rejoined: String = lines.iter().map(|l| l.text().as_str()).collect();
        assert_eq!(rejoined, original);
    }
}

#[test]
fn split_counts_the_private_room_digest_not_the_typed_name() {
    let n = nick("al");
    let digest = private_room_name("x", "pw");
    assert_eq!(chat_text_budget(&n, &digest), 1024 - 7 - 2 - 40);
    let lines = split_chat(&n, &digest, &"y".repeat(1000)).unwrap();
    assert_eq!(lines.len(), 2);
    assert!(
        lines
            .iter()
            .all(|l| chars(&Message::Msg(l.clone()).encode()) <= 1024)
    );
}

#[test]
fn split_never_leaves_a_carriage_return_at_the_end_of_a_piece() {
    let (n, r) = (nick("alice"), room("lobby"));
    let budget = chat_text_budget(&n, &r);
    for crs in 1..=3 {
        let original = format!(
            "{}{}{}",
            "x".repeat(budget - 1),
            "\r".repeat(crs),
            "y".repeat(10)
        );
        let lines = split_chat(&n, &r, &original).unwrap();
        assert!(lines.iter().all(|l| !l.text().as_str().ends_with('\r')));
        assert_eq!(
            lines.len(),
            2,
            "{crs} carriage returns move to the second piece"
        );
        let rejoined: String = lines.iter().map(|l| l.text().as_str()).collect();
        assert_eq!(rejoined, original);
    }
}

#[test]
fn split_refuses_text_that_no_line_can_carry() {
    let (n, r) = (nick("a"), room("b"));
    assert!(split_chat(&n, &r, "two\nlines").is_err());
    assert!(split_chat(&n, &r, "ends in cr\r").is_err());
    // A piece would be nothing but carriage returns.
    assert!(split_chat(&n, &r, &format!("{}end", "\r".repeat(1100))).is_err());
}
