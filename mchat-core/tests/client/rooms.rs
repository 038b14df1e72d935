//! Joined rooms: public and private (by digest), and the current room a plain line goes to.

use mchat_core::client::{ClientEvent, Refusal, RoomListing};
use mchat_core::wire::private_room_name;

use crate::harness::Harness;

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

#[test]
fn names_asks_for_the_wire_room_and_shows_the_whole_list_under_its_name() {
    let mut h = Harness::connected();
    h.type_line("names lobby");
    assert_eq!(h.refusals(), [Refusal::NotJoined("lobby".into())]);
    h.type_line("joinprivate lobby hunter2");
    let digest = private_room_name("lobby", "hunter2");
    h.type_line("names lobby");
    assert_eq!(h.sent.last().unwrap(), &format!("NAMES {digest}"));
    h.receive(&format!("MEMBERS {digest} mChatter bob"));
    h.receive(&format!("MEMBERS {digest} bob"));
    assert!(
        !h.events
            .iter()
            .any(|e| matches!(e, ClientEvent::Members { .. })),
        "shown before its end"
    );
    h.receive(&format!("MEMBERS_END {digest}"));
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::Members {
            room: "lobby".into(),
            nicks: vec!["mChatter".into(), "bob".into(), "bob".into()]
        })
    );
}

#[test]
fn rooms_lists_what_is_joined_and_switch_moves_the_current_room() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.type_line("joinprivate vault pw");
    h.type_line("rooms");
    let listing = |name: &str, private, current| RoomListing {
        name: name.into(),
        private,
        current,
    };
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::Rooms(vec![
            listing("lobby", false, false),
            listing("vault", true, true),
        ]))
    );
    h.type_line("switch lobby");
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::Switched("lobby".into()))
    );
    h.type_line("back in the lobby");
    assert_eq!(
        h.sent.last().unwrap(),
        "MSG mChatter lobby back in the lobby"
    );
    h.type_line("names");
    assert_eq!(h.sent.last().unwrap(), "NAMES lobby");
    h.type_line("switch nowhere");
    assert_eq!(
        h.refusals().last(),
        Some(&Refusal::NotJoined("nowhere".into()))
    );
    assert_eq!(h.client.current_room(), Some("lobby"));
}
