//! Joined rooms: public and private (by digest), and the current room a plain line goes to.

use mchat_core::client::{ClientEvent, Refusal, RoomLabel, RoomListing};
use mchat_core::wire::private_room_name;

use mchat_core::client::ClientConfig;

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
    assert_eq!(h.sent[0], format!("JOIN {digest}"));
    h.sent.clear();
    h.type_line("msg lobby psst");
    assert_eq!(h.sent[0], format!("MSG mChatter {digest} psst"));
    h.receive(&format!("MSG bob {digest} hi there"));
    h.receive(&format!("SYSTEM {digest} bob joined channel"));
    assert!(h.events.contains(&ClientEvent::Message {
        room: RoomLabel::private("lobby"),
        nick: "bob".into(),
        text: "hi there".into()
    }));
    assert!(h.events.contains(&ClientEvent::Notice {
        room: RoomLabel::private("lobby"),
        text: "bob joined channel".into()
    }));
    h.type_line("part lobby");
    assert_eq!(h.sent[1], format!("PART {digest}"));
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::Left(RoomLabel::private("lobby")))
    );
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
    // The client's own question after a private join, answered: not alone.
    h.receive(&format!("MEMBERS {digest} mChatter carol"));
    h.receive(&format!("MEMBERS_END {digest}"));
    h.sent.clear();
    h.events.clear();
    h.type_line("names lobby");
    assert_eq!(h.sent, [format!("NAMES {digest}"), "HEART".to_owned()]);
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
            room: RoomLabel::private("lobby"),
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
        Some(&ClientEvent::Switched(RoomLabel::public("lobby")))
    );
    h.type_line("back in the lobby");
    assert_eq!(
        h.sent.last().unwrap(),
        "MSG mChatter lobby back in the lobby"
    );
    h.type_line("names");
    assert_eq!(h.sent[h.sent.len() - 2..], ["NAMES lobby", "HEART"]);
    h.type_line("switch nowhere");
    assert_eq!(
        h.refusals().last(),
        Some(&Refusal::NotJoined("nowhere".into()))
    );
    assert_eq!(h.client.current_room(), Some("lobby"));
}

#[test]
fn names_unanswered_by_the_heart_after_it_is_told_unsupported() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.advance(ClientConfig::default().heartbeat_interval);
    assert_eq!(h.sent.last().unwrap(), "HEART", "the keep-alive's");
    h.type_line("names");
    h.sent.clear();
    // The keep-alive's HEART answered: NAMES may still be answered.
    h.receive("BLEED");
    assert!(
        h.events
            .iter()
            .all(|e| !matches!(e, ClientEvent::NamesUnanswered(_)))
    );
    // An original server dropped NAMES and answered the fence.
    h.receive("BLEED");
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::NamesUnanswered(RoomLabel::public("lobby")))
    );
    h.receive("BLEED");
    let told = h
        .events
        .iter()
        .filter(|e| matches!(e, ClientEvent::NamesUnanswered(_)))
        .count();
    assert_eq!(told, 1);
    assert!(h.sent.is_empty(), "nothing sent again");
}

#[test]
fn names_answered_before_its_fence_is_shown_and_nothing_more() {
    let mut h = Harness::connected();
    h.type_line("join lobby");
    h.type_line("names");
    h.receive("MEMBERS lobby mChatter");
    h.receive("MEMBERS_END lobby");
    h.receive("BLEED");
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::Members {
            room: RoomLabel::public("lobby"),
            nicks: vec!["mChatter".into()]
        })
    );
}

#[test]
fn joining_a_private_room_with_nobody_in_it_says_so() {
    let mut h = Harness::connected();
    h.type_line("joinprivate vault wrongpw");
    let digest = private_room_name("vault", "wrongpw");
    assert_eq!(
        h.sent,
        [
            format!("JOIN {digest}"),
            format!("NAMES {digest}"),
            "HEART".to_owned()
        ]
    );
    h.receive(&format!("SYSTEM {digest} mChatter joined channel"));
    h.receive(&format!("MEMBERS {digest} mChatter"));
    h.receive(&format!("MEMBERS_END {digest}"));
    assert_eq!(
        h.events.last(),
        Some(&ClientEvent::AloneInPrivateRoom(RoomLabel::private(
            "vault"
        )))
    );
    assert!(
        h.events
            .iter()
            .all(|e| !matches!(e, ClientEvent::Members { .. })),
        "the client's own question shows no list"
    );
}

#[test]
fn joining_a_private_room_with_company_or_on_an_original_server_says_nothing_more() {
    let mut h = Harness::connected();
    h.type_line("joinprivate vault pw");
    h.type_line("joinprivate sauna pw");
    let digest = private_room_name("vault", "pw");
    h.receive(&format!("MEMBERS {digest} mChatter bob"));
    h.receive(&format!("MEMBERS_END {digest}"));
    // sauna gets no answer but the BLEEDs, as on an original server.
    h.receive("BLEED");
    h.receive("BLEED");
    assert_eq!(
        h.events,
        [
            ClientEvent::Joined(RoomLabel::private("vault")),
            ClientEvent::Joined(RoomLabel::private("sauna")),
        ]
    );
}

#[test]
fn a_public_and_a_private_room_of_one_name_are_told_apart_not_merged() {
    let mut h = Harness::connected();
    h.type_line("joinprivate vault pw");
    h.sent.clear();
    h.type_line("join vault");
    h.type_line("joinprivate vault other");
    h.type_line("joinprivate vault pw");
    assert_eq!(
        h.refusals(),
        [
            Refusal::NameInUse(RoomLabel::private("vault")),
            Refusal::NameInUse(RoomLabel::private("vault")),
            Refusal::AlreadyJoined("vault".into()),
        ]
    );
    assert_eq!(
        Refusal::NameInUse(RoomLabel::private("vault")).to_string(),
        "you are in vault* (private), which would look the same; part it first"
    );
    assert!(h.sent.is_empty());
    h.type_line("part vault");
    h.type_line("join vault");
    assert_eq!(h.sent.last().unwrap(), "JOIN vault");
}

#[test]
fn a_private_room_parted_before_the_answer_is_not_called_empty() {
    let mut h = Harness::connected();
    h.type_line("joinprivate vault pw");
    h.type_line("part vault");
    let digest = private_room_name("vault", "pw");
    h.receive(&format!("MEMBERS {digest} mChatter"));
    h.receive(&format!("MEMBERS_END {digest}"));
    assert!(
        h.events
            .iter()
            .all(|e| !matches!(e, ClientEvent::AloneInPrivateRoom(_))),
        "{:?}",
        h.events
    );
}
