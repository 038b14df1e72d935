//! PROTOCOL.md §3: what a server does with its clients' lines.

use mchat_core::server::Listener;

use crate::harness::Harness;

#[test]
fn new_client_is_called_noname() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    h.say(c, "JOIN lobby");
    assert_eq!(h.take(c), ["SYSTEM lobby NoName joined channel"]);
}

#[test]
fn join_notice_reaches_newcomer_and_members() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.client();
    h.say(bob, "NICK bob");
    h.say(bob, "JOIN lobby");
    assert_eq!(h.take(bob), ["SYSTEM lobby bob joined channel"]);
    assert_eq!(h.take(alice), ["SYSTEM lobby bob joined channel"]);
}

#[test]
fn join_notice_stays_in_its_room() {
    let mut h = Harness::with_defaults();
    let other = h.member("other", &["elsewhere"]);
    let bob = h.member("bob", &[]);
    h.say(bob, "JOIN lobby");
    assert!(h.take(other).is_empty());
}

#[test]
fn part_notice_reaches_the_rest_but_not_the_leaver() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take(alice);
    h.say(bob, "PART lobby");
    assert!(h.take(bob).is_empty());
    assert_eq!(h.take(alice), ["SYSTEM lobby bob left channel"]);
}

#[test]
fn parted_client_no_longer_receives_the_room() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.say(bob, "PART lobby");
    h.say(alice, "MSG alice lobby still there?");
    assert!(h.take(bob).is_empty());
}

#[test]
fn room_exists_while_it_has_members() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby", "rust"]);
    assert_eq!(h.server.room_count(), 2);
    h.say(alice, "PART lobby");
    assert_eq!(h.server.room_count(), 1);
    h.close(alice);
    assert_eq!(h.server.room_count(), 0);
}

#[test]
fn nick_change_is_announced_in_every_room_to_everyone_there_sender_included() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby", "rust"]);
    let bob = h.member("bob", &["lobby"]);
    let carol = h.member("carol", &["rust"]);
    h.take_all();
    h.say(alice, "NICK alicia");
    assert_eq!(
        h.take(alice),
        [
            "SYSTEM lobby alice changed nickname to alicia",
            "SYSTEM rust alice changed nickname to alicia"
        ]
    );
    assert_eq!(
        h.take(bob),
        ["SYSTEM lobby alice changed nickname to alicia"]
    );
    assert_eq!(
        h.take(carol),
        ["SYSTEM rust alice changed nickname to alicia"]
    );
}

#[test]
fn same_nick_changes_nothing() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.say(alice, "NICK alice");
    assert!(h.take(alice).is_empty());
    assert!(h.take(bob).is_empty());
}

#[test]
fn nick_change_outside_any_room_is_silent_but_takes_effect() {
    let mut h = Harness::with_defaults();
    let alice = h.client();
    h.say(alice, "NICK alice");
    assert!(h.take(alice).is_empty());
    h.say(alice, "JOIN lobby");
    assert_eq!(h.take(alice), ["SYSTEM lobby alice joined channel"]);
}

#[test]
fn msg_reaches_every_other_member_but_never_its_sender() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    let carol = h.member("carol", &["lobby"]);
    let outsider = h.member("dave", &["rust"]);
    h.take_all();
    h.say(alice, "MSG alice lobby hello  there ");
    assert!(h.take(alice).is_empty());
    assert_eq!(h.take(bob), ["MSG alice lobby hello  there "]);
    assert_eq!(h.take(carol), ["MSG alice lobby hello  there "]);
    assert!(h.take(outsider).is_empty());
}

#[test]
fn msg_from_netcat_goes_out_with_a_bare_newline() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.input(alice, b"MSG alice lobby hi\r\n");
    assert_eq!(h.take(bob), ["MSG alice lobby hi"]);
}

#[test]
fn msg_with_another_nick_is_a_nick_change_first() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.say(alice, "MSG alicia lobby it is me");
    assert_eq!(
        h.take(alice),
        ["SYSTEM lobby alice changed nickname to alicia"]
    );
    assert_eq!(
        h.take(bob),
        [
            "SYSTEM lobby alice changed nickname to alicia",
            "MSG alicia lobby it is me"
        ]
    );
    h.say(alice, "PART lobby");
    assert_eq!(h.take(bob), ["SYSTEM lobby alicia left channel"]);
}

#[test]
fn msg_with_empty_text_is_relayed() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    h.say(alice, "MSG alice lobby ");
    assert_eq!(h.take(bob), ["MSG alice lobby "]);
}

#[test]
fn closed_client_leaves_all_its_rooms_with_notices() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby", "rust"]);
    let bob = h.member("bob", &["lobby", "rust"]);
    h.take_all();
    h.close(alice);
    assert_eq!(
        h.take(bob),
        [
            "SYSTEM lobby alice left channel",
            "SYSTEM rust alice left channel"
        ]
    );
    assert_eq!(h.server.client_count(), 1);
    // Closing twice, or an unknown handle, changes nothing.
    h.close(alice);
    assert_eq!(h.server.client_count(), 1);
}

#[test]
fn heart_from_client_is_answered_with_bleed() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    h.say(c, "HEART");
    assert_eq!(h.take(c), ["BLEED"]);
}

#[test]
fn lines_split_across_reads_are_handled_whole() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let bob = h.member("bob", &["lobby"]);
    h.take_all();
    for byte in b"MSG alice lobby one\nMSG alice lobby two\n" {
        h.input(alice, &[*byte]);
    }
    assert_eq!(h.take(bob), ["MSG alice lobby one", "MSG alice lobby two"]);
}

#[test]
fn clients_and_servers_are_told_apart_by_their_port() {
    let mut h = Harness::with_defaults();
    let c = h.client();
    let s = h.accept(Listener::Server);
    assert_eq!(h.server.client_count(), 1);
    assert_eq!(
        h.take(s),
        [
            "ALL_ADDRS",
            "EXT gossip/1 interest/1 presence/1",
            "MY_ADDR 10.0.0.5 6062"
        ]
    );
    assert!(h.take(c).is_empty());
}
