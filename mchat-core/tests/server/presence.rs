//! PROTOCOL.md §4, presence (`presence/1`, EXTENSION) and §3 `NAMES`: each
//! server knows who its peers have in its rooms, announces the members of a
//! peer lost for good as gone, once, and lists a room's members on request.

use std::collections::HashMap;
use std::time::Duration;

use mchat_core::server::{ConnId, Event, Listener, ServerConfig};

use crate::harness::{Harness, addr, config};

const ALL: &str = "EXT gossip/1 interest/1 presence/1";

/// A fake server of ours on `port` that agreed on every extension and
/// listed `rooms` as the ones it wants.
fn peer_of_ours(h: &mut Harness, port: u16, rooms: &[&str]) -> ConnId {
    let id = h.accept(Listener::Server);
    h.say(id, &format!("MY_ADDR 10.0.0.7 {port}"));
    h.say(id, ALL);
    if !rooms.is_empty() {
        h.say(id, &format!("INTEREST_ADD {}", rooms.join(" ")));
    }
    h.say(id, "INTEREST_SYNCED");
    h.take(id);
    id
}

/// Lines each connection received, with the heartbeats answered and left out.
#[derive(Default)]
struct Seen(HashMap<ConnId, Vec<String>>);

impl Seen {
    /// Advances time by `by` in steps of `step`; every connection in `alive`
    /// answers its `HEART`s, so only the ones left out can time out.
    fn advance(&mut self, h: &mut Harness, alive: &[ConnId], by: Duration) {
        let step = Duration::from_millis(500);
        let mut gone = Duration::ZERO;
        while gone < by {
            h.advance(step);
            gone += step;
            for &id in alive {
                for line in h.take(id) {
                    if line == "HEART" {
                        h.say(id, "BLEED");
                    } else {
                        self.0.entry(id).or_default().push(line);
                    }
                }
            }
        }
    }

    fn take(&mut self, h: &mut Harness, id: ConnId) -> Vec<String> {
        let mut lines = self.0.remove(&id).unwrap_or_default();
        lines.extend(h.take(id).into_iter().filter(|l| l != "HEART"));
        lines
    }
}

/// The heartbeat timeout with the defaults: 2 s × (3 missed + 1).
const TIMEOUT: Duration = Duration::from_secs(8);

#[test]
fn a_peer_lost_for_good_has_each_member_announced_gone_once_per_room() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby", "den"]);
    let peer = peer_of_ours(&mut h, 7000, &[]);
    let other = peer_of_ours(&mut h, 7001, &[]);
    h.say(peer, "SYSTEM lobby bob joined channel");
    h.say(peer, "SYSTEM lobby carol joined channel");
    h.say(peer, "SYSTEM den carol joined channel");
    h.take_all();
    h.close(peer);
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice, other], TIMEOUT - Duration::from_secs(1));
    assert_eq!(seen.take(&mut h, alice), Vec::<String>::new());
    seen.advance(&mut h, &[alice, other], Duration::from_secs(2));
    assert_eq!(
        seen.take(&mut h, alice),
        [
            "SYSTEM den carol left channel",
            "SYSTEM lobby bob left channel",
            "SYSTEM lobby carol left channel"
        ]
    );
    // Told to local members only: the other peer's server tells its own.
    assert_eq!(seen.take(&mut h, other), Vec::<String>::new());
    seen.advance(&mut h, &[alice, other], Duration::from_secs(30));
    assert_eq!(seen.take(&mut h, alice), Vec::<String>::new());
    assert!(h.events.iter().any(|e| matches!(
        e,
        Event::PeerMembersGone { addr: a, members: 3 } if *a == addr("10.0.0.7", 7000)
    )));
}

#[test]
fn members_who_left_or_changed_nick_are_not_announced_again() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let peer = peer_of_ours(&mut h, 7000, &[]);
    h.say(peer, "SYSTEM lobby bob joined channel");
    h.say(peer, "SYSTEM lobby carol joined channel");
    h.say(peer, "SYSTEM lobby carol left channel");
    h.say(peer, "SYSTEM lobby bob changed nickname to rob");
    // Two members may share a nick: both leave.
    h.say(peer, "SYSTEM lobby dee joined channel");
    h.say(peer, "SYSTEM lobby dee joined channel");
    h.take_all();
    h.close(peer);
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice], TIMEOUT + Duration::from_secs(1));
    assert_eq!(
        seen.take(&mut h, alice),
        [
            "SYSTEM lobby dee left channel",
            "SYSTEM lobby dee left channel",
            "SYSTEM lobby rob left channel"
        ]
    );
}

#[test]
fn a_member_that_only_spoke_is_known_too() {
    // An original peer sends no EXT and no list: what it relays is all we know.
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let original = h.accept(Listener::Server);
    h.say(original, "MY_ADDR 10.0.0.7 7000");
    h.say(original, "MSG dave lobby hello from before you came");
    h.take_all();
    h.close(original);
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice], TIMEOUT + Duration::from_secs(1));
    assert_eq!(seen.take(&mut h, alice), ["SYSTEM lobby dave left channel"]);
}

#[test]
fn a_link_back_within_the_timeout_announces_only_who_left_meanwhile() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let peer = peer_of_ours(&mut h, 7000, &[]);
    h.say(peer, "SYSTEM lobby bob joined channel");
    h.say(peer, "SYSTEM lobby carol joined channel");
    h.take_all();
    h.close(peer);
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice], Duration::from_secs(3));
    // Back, by a new link: we list our rooms, it answers with its members.
    let back = h.accept(Listener::Server);
    h.say(back, "MY_ADDR 10.0.0.7 7000");
    h.say(back, ALL);
    let ours = h.take(back);
    assert!(ours.contains(&"INTEREST_ADD lobby".to_owned()), "{ours:?}");
    h.say(back, "MEMBERS lobby bob erin");
    h.say(back, "MEMBERS_END lobby");
    assert_eq!(
        seen.take(&mut h, alice),
        ["SYSTEM lobby carol left channel"]
    );
    seen.advance(&mut h, &[alice, back], TIMEOUT * 2);
    assert_eq!(seen.take(&mut h, alice), Vec::<String>::new());
    h.say(alice, "NAMES lobby");
    assert_eq!(
        h.take(alice),
        ["MEMBERS lobby alice bob erin", "MEMBERS_END lobby"]
    );
}

#[test]
fn a_ghost_that_joins_again_elsewhere_is_announced_gone_first() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let lost = peer_of_ours(&mut h, 7000, &[]);
    let other = peer_of_ours(&mut h, 7001, &["lobby"]);
    h.say(lost, "SYSTEM lobby bob joined channel");
    h.take_all();
    h.close(lost);
    h.say(other, "SYSTEM lobby bob joined channel");
    assert_eq!(
        h.take(alice),
        [
            "SYSTEM lobby bob left channel",
            "SYSTEM lobby bob joined channel"
        ]
    );
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice, other], TIMEOUT * 2);
    assert_eq!(seen.take(&mut h, alice), Vec::<String>::new());
    // And coming back through this very server is the same.
    let lost = peer_of_ours(&mut h, 7002, &[]);
    h.say(lost, "SYSTEM lobby carol joined channel");
    h.take_all();
    h.close(lost);
    h.member("carol", &["lobby"]);
    assert_eq!(
        h.take(alice),
        [
            "SYSTEM lobby carol left channel",
            "SYSTEM lobby carol joined channel"
        ]
    );
}

#[test]
fn a_peer_that_adds_rooms_is_sent_our_members_of_each() {
    let mut h = Harness::with_defaults();
    h.member("alice", &["lobby"]);
    h.member("bob", &["lobby", "den"]);
    let peer = peer_of_ours(&mut h, 7000, &[]);
    h.say(peer, "INTEREST_ADD lobby attic");
    assert_eq!(
        h.take(peer),
        [
            "MEMBERS lobby alice bob",
            "MEMBERS_END lobby",
            "MEMBERS_END attic"
        ]
    );
    // A link that did not agree on presence is sent no lists.
    let plain = h.accept(Listener::Server);
    h.say(plain, "MY_ADDR 10.0.0.7 7001");
    h.say(plain, "EXT gossip/1 interest/1");
    h.take(plain);
    h.say(plain, "INTEREST_ADD lobby");
    assert_eq!(h.take(plain), Vec::<String>::new());
}

#[test]
fn names_lists_the_room_across_the_mesh_in_lines_within_the_limit() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let peer = peer_of_ours(&mut h, 7000, &["lobby"]);
    // What a peer knew before we asked comes in its list.
    let many: Vec<String> = (0..120).map(|i| format!("member-{i:03}")).collect();
    h.say(peer, &format!("MEMBERS lobby {}", many[..60].join(" ")));
    h.say(peer, &format!("MEMBERS lobby {}", many[60..].join(" ")));
    h.say(peer, "MEMBERS_END lobby");
    h.take_all();
    h.say(alice, "NAMES lobby");
    let lines = h.take(alice);
    assert!(lines.len() > 2, "{lines:?}");
    assert_eq!(lines.last().map(String::as_str), Some("MEMBERS_END lobby"));
    let mut listed: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("MEMBERS lobby "))
        .flat_map(|l| l.split(' '))
        .collect();
    assert_eq!(listed.first(), Some(&"alice"));
    listed.remove(0);
    assert_eq!(listed, many.iter().map(String::as_str).collect::<Vec<_>>());
    // Only for a member of the room.
    h.say(alice, "NAMES elsewhere");
    assert_eq!(h.error_code(alice), "not-joined");
}

#[test]
fn lists_from_a_link_that_did_not_agree_are_dropped() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let plain = h.accept(Listener::Server);
    h.say(plain, "MY_ADDR 10.0.0.7 7000");
    h.say(plain, "EXT gossip/1 interest/1");
    h.say(plain, "MEMBERS lobby mallory");
    h.say(plain, "MEMBERS_END lobby");
    h.say(alice, "NAMES lobby");
    assert_eq!(h.take(alice), ["MEMBERS lobby alice", "MEMBERS_END lobby"]);
    assert!(
        h.events
            .iter()
            .any(|e| matches!(e, Event::PeerLineDropped { .. }))
    );
}

#[test]
fn a_stand_in_original_announces_no_departures() {
    let mut h = Harness::new(ServerConfig::original(config().advertised));
    let alice = h.member("alice", &["lobby"]);
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.say(peer, "SYSTEM lobby bob joined channel");
    h.take_all();
    h.close(peer);
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice], TIMEOUT * 2);
    assert_eq!(seen.take(&mut h, alice), Vec::<String>::new());
}

#[test]
fn a_room_gained_later_starts_with_what_a_peer_sending_everything_relayed() {
    let mut h = Harness::with_defaults();
    let original = h.accept(Listener::Server);
    h.say(original, "MY_ADDR 10.0.0.7 7000");
    h.say(original, "SYSTEM den bob joined channel");
    let filtering = peer_of_ours(&mut h, 7001, &["den"]);
    // A peer that routes by interest would not send this: it is not kept.
    h.say(filtering, "SYSTEM den carol joined channel");
    let alice = h.member("alice", &["den"]);
    h.take_all();
    h.say(alice, "NAMES den");
    // Answered once the list asked of the filtering peer is in (it has
    // nobody there).
    assert_eq!(h.take(alice), Vec::<String>::new());
    h.say(filtering, "MEMBERS_END den");
    assert_eq!(h.take(alice), ["MEMBERS den alice bob", "MEMBERS_END den"]);
}

#[test]
fn one_join_elsewhere_takes_back_one_ghost_of_that_nick() {
    let mut h = Harness::with_defaults();
    let alice = h.member("alice", &["lobby"]);
    let lost = peer_of_ours(&mut h, 7000, &[]);
    let other = peer_of_ours(&mut h, 7001, &["lobby"]);
    // Two members that kept the default nick.
    h.say(lost, "SYSTEM lobby mChatter joined channel");
    h.say(lost, "SYSTEM lobby mChatter joined channel");
    h.take_all();
    h.close(lost);
    h.say(other, "SYSTEM lobby mChatter joined channel");
    assert_eq!(
        h.take(alice),
        [
            "SYSTEM lobby mChatter left channel",
            "SYSTEM lobby mChatter joined channel"
        ]
    );
    // The other one is announced gone when its server's time is up.
    let mut seen = Seen::default();
    seen.advance(&mut h, &[alice, other], TIMEOUT + Duration::from_secs(1));
    assert_eq!(
        seen.take(&mut h, alice),
        ["SYSTEM lobby mChatter left channel"]
    );
}

#[test]
fn a_room_asked_for_twice_is_listed_once() {
    let mut h = Harness::with_defaults();
    h.member("alice", &["lobby"]);
    let peer = peer_of_ours(&mut h, 7000, &[]);
    h.say(peer, "INTEREST_ADD lobby");
    assert_eq!(h.take(peer), ["MEMBERS lobby alice", "MEMBERS_END lobby"]);
    h.say(peer, "INTEREST_ADD lobby lobby");
    assert_eq!(h.take(peer), Vec::<String>::new());
}

#[test]
fn names_as_a_room_is_gained_waits_for_the_lists_asked_of_peers() {
    let mut h = Harness::with_defaults();
    let first = peer_of_ours(&mut h, 7000, &[]);
    let second = peer_of_ours(&mut h, 7001, &[]);
    let alice = h.member("alice", &["vault"]);
    let told = h.take(first);
    assert!(told.contains(&"INTEREST_ADD vault".to_owned()), "{told:?}");
    h.take_all();
    h.say(alice, "NAMES vault");
    assert_eq!(
        h.take(alice),
        Vec::<String>::new(),
        "answered before the lists"
    );
    h.say(first, "MEMBERS vault bob");
    h.say(first, "MEMBERS_END vault");
    assert_eq!(
        h.take(alice),
        Vec::<String>::new(),
        "one list still to come"
    );
    // Asked again meanwhile: it waits too, and the answers keep the order.
    h.say(alice, "NAMES vault");
    assert_eq!(h.take(alice), Vec::<String>::new());
    // The other link ends without its list: both questions are answered.
    h.close(second);
    let answer = ["MEMBERS vault alice bob", "MEMBERS_END vault"];
    assert_eq!(h.take(alice), [answer, answer].concat());
    h.say(alice, "NAMES vault");
    assert_eq!(
        h.take(alice),
        ["MEMBERS vault alice bob", "MEMBERS_END vault"]
    );
}

#[test]
fn names_waiting_when_the_asker_leaves_is_never_answered_to_a_stranger() {
    let mut h = Harness::with_defaults();
    let peer = peer_of_ours(&mut h, 7000, &[]);
    let alice = h.member("alice", &["vault", "lobby"]);
    h.take_all();
    h.say(alice, "NAMES vault");
    h.say(alice, "PART vault");
    h.say(peer, "MEMBERS vault bob");
    h.say(peer, "MEMBERS_END vault");
    assert_eq!(h.take(alice), Vec::<String>::new());
}

#[test]
fn a_heart_after_a_waiting_names_is_answered_after_it() {
    let mut h = Harness::with_defaults();
    let peer = peer_of_ours(&mut h, 7000, &[]);
    let alice = h.member("alice", &["vault"]);
    h.take_all();
    h.say(alice, "NAMES vault");
    h.say(alice, "HEART");
    assert_eq!(h.take(alice), Vec::<String>::new(), "the BLEED waits too");
    h.say(peer, "MEMBERS vault bob");
    h.say(peer, "MEMBERS_END vault");
    assert_eq!(
        h.take(alice),
        ["MEMBERS vault alice bob", "MEMBERS_END vault", "BLEED"]
    );
    h.say(alice, "HEART");
    assert_eq!(h.take(alice), ["BLEED"], "nothing waits: at once");
}

#[test]
fn a_peer_slow_to_list_holds_names_for_a_second_at_most() {
    let mut h = Harness::with_defaults();
    let _silent_peer = peer_of_ours(&mut h, 7000, &[]);
    let alice = h.member("alice", &["vault"]);
    h.take_all();
    h.say(alice, "NAMES vault");
    h.say(alice, "HEART");
    let answered = |h: &mut Harness| -> Vec<String> {
        h.take(alice).into_iter().filter(|l| l != "HEART").collect()
    };
    h.advance(Duration::from_millis(999));
    assert_eq!(answered(&mut h), Vec::<String>::new());
    h.advance(Duration::from_millis(1));
    assert_eq!(
        answered(&mut h),
        ["MEMBERS vault alice", "MEMBERS_END vault", "BLEED"]
    );
}
