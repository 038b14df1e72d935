//! What every chaos client received, checked against PROTOCOL.md §8 as it
//! arrives: never its own line back, never a line twice, one sender
//! connection's lines in order.

use std::collections::{HashMap, HashSet};
use std::fmt;

/// Who sent a chat line and when, carried in its text as
/// `<kind> <sender> <connection> <seq>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    /// The sending client's index.
    pub sender: usize,
    /// Which of the sender's connections (it reconnects after a crash).
    pub conn: u64,
    /// The line's number on that connection, from 1.
    pub seq: u64,
}

impl Stamp {
    /// The line's text: `<kind> <sender> <conn> <seq>`.
    pub fn text(&self, kind: &str) -> String {
        format!("{kind} {} {} {}", self.sender, self.conn, self.seq)
    }

    /// The kind and stamp of a text made by [`Stamp::text`].
    pub fn parse(text: &str) -> Option<(&str, Stamp)> {
        let mut f = text.split(' ');
        let kind = f.next()?;
        let sender = f.next()?.parse().ok()?;
        let conn = f.next()?.parse().ok()?;
        let seq = f.next()?.parse().ok()?;
        Some((kind, Stamp { sender, conn, seq }))
    }
}

/// One sender connection's lines as one receiver sees them.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Stream {
    receiver: usize,
    sender: usize,
    conn: u64,
}

/// The first rule a delivery broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    OwnLineBack {
        receiver: usize,
        kind: String,
        seq: u64,
    },
    Twice {
        receiver: usize,
        sender: usize,
        kind: String,
        seq: u64,
    },
    OutOfOrder {
        receiver: usize,
        sender: usize,
        seq: u64,
        after: u64,
    },
    NotAMember {
        receiver: usize,
        room: String,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::OwnLineBack {
                receiver,
                kind,
                seq,
            } => write!(f, "client {receiver} got its own {kind} line {seq} back"),
            Violation::Twice {
                receiver,
                sender,
                kind,
                seq,
            } => write!(
                f,
                "client {receiver} got {kind} line {seq} of client {sender} twice"
            ),
            Violation::OutOfOrder {
                receiver,
                sender,
                seq,
                after,
            } => write!(
                f,
                "client {receiver} got line {seq} of client {sender} after {after}"
            ),
            Violation::NotAMember { receiver, room } => {
                write!(
                    f,
                    "client {receiver} got a line of {room}, a room it is not in"
                )
            }
        }
    }
}

/// Every delivery so far, and the first broken rule.
#[derive(Default)]
pub struct Ledger {
    seen: HashSet<(usize, Stamp)>,
    /// The highest sequence number seen per stream.
    last: HashMap<Stream, u64>,
    pub violation: Option<Violation>,
    pub received: u64,
}

impl Ledger {
    /// Records that `receiver` got a chat line of `room`, which it is not in.
    pub fn not_a_member(&mut self, receiver: usize, room: &str) {
        if self.violation.is_none() {
            self.violation = Some(Violation::NotAMember {
                receiver,
                room: room.to_owned(),
            });
        }
    }

    /// Records that `receiver` got a chat line with `text` (ignored unless
    /// it carries a stamp).
    pub fn record(&mut self, receiver: usize, text: &str) {
        let Some((kind, stamp)) = Stamp::parse(text) else {
            return;
        };
        self.received += 1;
        let Stamp { sender, conn, seq } = stamp;
        let broken = if sender == receiver {
            Some(Violation::OwnLineBack {
                receiver,
                kind: kind.to_owned(),
                seq,
            })
        } else if !self.seen.insert((receiver, stamp)) {
            Some(Violation::Twice {
                receiver,
                sender,
                kind: kind.to_owned(),
                seq,
            })
        } else {
            let stream = Stream {
                receiver,
                sender,
                conn,
            };
            let last = self.last.entry(stream).or_insert(0);
            let after = *last;
            *last = after.max(seq);
            (seq < after).then_some(Violation::OutOfOrder {
                receiver,
                sender,
                seq,
                after,
            })
        };
        if self.violation.is_none() {
            self.violation = broken;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Ledger, Stamp, Violation};

    fn line(sender: usize, conn: u64, seq: u64) -> String {
        Stamp { sender, conn, seq }.text("chat")
    }

    #[test]
    fn stamps_read_back_what_they_wrote() {
        let stamp = Stamp {
            sender: 3,
            conn: 2,
            seq: 41,
        };
        assert_eq!(stamp.text("final"), "final 3 2 41");
        assert_eq!(Stamp::parse("final 3 2 41"), Some(("final", stamp)));
        assert_eq!(Stamp::parse("hello there"), None);
    }

    #[test]
    fn a_line_of_a_room_not_joined_is_a_broken_rule() {
        let mut ledger = Ledger::default();
        ledger.not_a_member(2, "room1");
        assert_eq!(
            ledger.violation.map(|v| v.to_string()).as_deref(),
            Some("client 2 got a line of room1, a room it is not in")
        );
    }

    #[test]
    fn in_order_lines_break_no_rule() {
        let mut ledger = Ledger::default();
        for seq in 1..=3 {
            ledger.record(0, &line(1, 1, seq));
        }
        // A new connection starts its numbers again.
        ledger.record(0, &line(1, 2, 1));
        assert_eq!(ledger.violation, None);
        assert_eq!(ledger.received, 4);
    }

    #[test]
    fn the_first_broken_rule_is_kept() {
        let mut ledger = Ledger::default();
        ledger.record(0, &line(1, 1, 2));
        ledger.record(0, &line(1, 1, 1));
        ledger.record(0, &line(1, 1, 1));
        assert_eq!(
            ledger.violation,
            Some(Violation::OutOfOrder {
                receiver: 0,
                sender: 1,
                seq: 1,
                after: 2
            })
        );
        assert_eq!(
            ledger.violation.map(|v| v.to_string()).as_deref(),
            Some("client 0 got line 1 of client 1 after 2")
        );
    }

    #[test]
    fn twice_and_own_lines_are_violations() {
        let mut twice = Ledger::default();
        twice.record(0, &line(1, 1, 1));
        twice.record(0, &line(1, 1, 1));
        assert!(matches!(twice.violation, Some(Violation::Twice { .. })));
        let mut own = Ledger::default();
        own.record(2, &line(2, 1, 5));
        assert_eq!(
            own.violation.map(|v| v.to_string()).as_deref(),
            Some("client 2 got its own chat line 5 back")
        );
    }
}
