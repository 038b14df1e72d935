//! Many lines in one read (a burst, which the server hands out as a run):
//! each member gets exactly what it would get line by line, in order, and
//! the limits and counters of §8 and monitoring hold per line.

use mchat_core::server::{CloseReason, Listener, Output};
use mchat_core::wire::MessageKind;

use crate::harness::{Busy, Harness};

#[test]
fn a_burst_reaches_every_other_member_in_order_with_a_notice_in_its_place() {
    let mut h = Harness::with_defaults();
    let sender = h.member("s", &["r"]);
    let a = h.member("a", &["r"]);
    let b = h.member("b", &["r", "q"]);
    h.take_all();
    h.input(
        sender,
        b"MSG s r 1\nMSG s r 2\nNICK t\nMSG t r 3\nMSG t r 4\nJOIN q\nMSG t r 5\n",
    );
    let expected = [
        "MSG s r 1",
        "MSG s r 2",
        "SYSTEM r s changed nickname to t",
        "MSG t r 3",
        "MSG t r 4",
        "MSG t r 5",
    ];
    assert_eq!(h.take(a), expected);
    let mut for_b = expected.to_vec();
    for_b.insert(5, "SYSTEM q t joined channel");
    assert_eq!(h.take(b), for_b);
    assert_eq!(
        h.take(sender),
        [
            "SYSTEM r s changed nickname to t",
            "SYSTEM q t joined channel"
        ]
    );
}

#[test]
fn lines_of_two_rooms_in_one_read_from_a_peer_keep_their_order() {
    let mut h = Harness::with_defaults();
    let both = h.member("both", &["r1", "r2"]);
    let one = h.member("one", &["r1"]);
    let peer = h.accept(Listener::Server);
    h.say(peer, "MY_ADDR 10.0.0.7 7000");
    h.take_all();
    h.input(
        peer,
        b"MSG x r1 a\nMSG x r1 b\nMSG y r2 c\nMSG x r1 d\nMSG y r2 e\nMSG y r2 f\n",
    );
    assert_eq!(
        h.take(both),
        [
            "MSG x r1 a",
            "MSG x r1 b",
            "MSG y r2 c",
            "MSG x r1 d",
            "MSG y r2 e",
            "MSG y r2 f"
        ]
    );
    assert_eq!(h.take(one), ["MSG x r1 a", "MSG x r1 b", "MSG x r1 d"]);
    assert!(h.take(peer).is_empty(), "a peer's lines go no further");
}

#[test]
fn a_burst_past_a_readers_limit_closes_it_and_the_others_get_every_line() {
    let Busy {
        mut h,
        sender,
        slow,
        fast,
    } = Busy::new(1_000);
    let line = format!("MSG sender busy {}\n", "x".repeat(70));
    let burst = line.repeat(10);
    // Ten lines one by one, then ten in one read: `fast` writes all it
    // is sent and stays under its limit; `slow` writes nothing and passes
    // its limit in the burst.
    assert!(burst.len() < 1_000 && 2 * burst.len() > 1_000);
    let (mut fast_got, mut slow_got, mut closed) = (String::new(), 0, vec![]);
    let reads = std::iter::repeat_n(line.clone(), 10).chain([burst.clone()]);
    for read in reads {
        h.server.handle_input(sender, read.as_bytes(), h.now);
        while let Some(output) = h.server.poll_output() {
            match output {
                Output::Send { to, line } if to == fast => {
                    fast_got.push_str(std::str::from_utf8(&line).unwrap());
                    h.server.handle_flushed(to, line.len(), h.now);
                }
                Output::Send { to, line } if to == slow => slow_got += line.len(),
                Output::Close { id, reason } => closed.push((id, reason)),
                _ => {}
            }
        }
        assert!(
            closed.is_empty() || read == burst,
            "closed before the burst"
        );
    }
    assert_eq!(closed, [(slow, CloseReason::SlowConsumer)]);
    assert_eq!(slow_got, burst.len(), "nothing of the burst's round");
    assert_eq!(
        fast_got,
        format!("{burst}{burst}SYSTEM busy slow left channel\n")
    );
}

#[test]
fn a_burst_is_counted_once_per_line_and_recipient() {
    let mut h = Harness::with_defaults();
    let sender = h.member("s", &["r"]);
    for nick in ["a", "b", "c"] {
        h.member(nick, &["r"]);
    }
    h.take_all();
    let before = h.server.counters().clone();
    let line = "MSG s r some text\n";
    h.input(sender, line.repeat(5).as_bytes());
    let after = h.server.counters().clone();
    let msg = |c: &mchat_core::server::Counters| c.lines_sent.get(MessageKind::Msg);
    assert_eq!(msg(&after) - msg(&before), 5 * 3);
    assert_eq!(
        after.bytes_sent - before.bytes_sent,
        (5 * 3 * line.len()) as u64
    );
}

#[test]
fn a_burst_leaves_as_one_send_to_each_member() {
    let mut h = Harness::with_defaults();
    let sender = h.member("s", &["r"]);
    let a = h.member("a", &["r"]);
    let b = h.member("b", &["r"]);
    h.take_all();
    let burst = "MSG s r one\nMSG s r two\nMSG s r three\n";
    h.server.handle_input(sender, burst.as_bytes(), h.now);
    let sends: Vec<_> = std::iter::from_fn(|| h.server.poll_output())
        .filter_map(|output| match output {
            Output::Send { to, line } => Some((to, line)),
            _ => None,
        })
        .collect();
    assert_eq!(sends.len(), 2, "{sends:?}");
    for (to, line) in sends {
        assert!(to == a || to == b);
        assert_eq!(line, burst.as_bytes());
    }
}
