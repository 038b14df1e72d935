//! The round: every line sent since the outputs were last polled, each
//! written once however many connections it goes to, and which part of it
//! each connection gets.
//!
//! A fan-out to fifty members appends its line once and extends fifty
//! parts; a burst of lines to the same members keeps extending the same
//! parts, since each line lands right after the last. When the round is
//! sealed it is frozen into one shared buffer and every part leaves as one
//! `Output::Send` of a slice of it: a burst reaches each socket as one
//! contiguous write, and the driver handles one output per connection
//! rather than one per line.

use bytes::Bytes;

use super::output::ConnId;

/// A round this big is sealed at once (offsets are `u32`, and the driver
/// should not wait for a huge one).
const ROUND_LIMIT: usize = 1 << 20;
/// The least a new round reserves.
const MIN_RESERVE: usize = 512;

/// Where a connection's last part of the round is, if it has one (kept
/// in the connection; stale after a seal, which `give` detects).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PartAt(Option<u32>);

/// A span of the round's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    end: u32,
}

impl Span {
    /// Bytes it covers.
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    /// Where it ends, as an offset into the round.
    pub fn end_offset(self) -> u32 {
        self.end
    }

    /// This span and `next`, which follows it, as one.
    pub fn through(self, next: Span) -> Span {
        Span {
            start: self.start,
            end: next.end,
        }
    }
}

#[derive(Debug)]
struct Part {
    to: ConnId,
    span: Span,
}

#[derive(Debug, Default)]
pub(crate) struct Round {
    bytes: Vec<u8>,
    parts: Vec<Part>,
    /// How big the last round was: the next reserves that much at once
    /// rather than growing to it by copies.
    last_len: usize,
}

impl Round {
    /// Writes a line, given in `pieces`, into the round, for
    /// [`give`](Self::give) to hand out.
    pub fn append(&mut self, pieces: &[&[u8]]) -> Span {
        let len = pieces.iter().map(|p| p.len()).sum::<usize>();
        if self.bytes.capacity() == 0 {
            let want = self.last_len.clamp(MIN_RESERVE, ROUND_LIMIT);
            self.bytes.reserve(want.max(len));
        }
        let start = self.bytes.len();
        for piece in pieces {
            self.bytes.extend_from_slice(piece);
        }
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(self.bytes.len()).unwrap_or(u32::MAX),
        }
    }

    /// Where the next line will start.
    pub fn end_offset(&self) -> u32 {
        u32::try_from(self.bytes.len()).unwrap_or(u32::MAX)
    }

    /// Should the round be sealed before more is appended?
    pub fn is_full(&self) -> bool {
        self.bytes.len() >= ROUND_LIMIT
    }

    /// Gives `span` to `to`, whose last part is `at`: the part grows when
    /// the span follows it, else a new part starts.
    pub fn give(&mut self, to: ConnId, at: &mut PartAt, span: Span) {
        if let Some(part) = at.0.and_then(|i| self.parts.get_mut(i as usize))
            && part.to == to
            && part.span.end == span.start
        {
            part.span.end = span.end;
            return;
        }
        *at = PartAt(u32::try_from(self.parts.len()).ok());
        self.parts.push(Part { to, span });
    }

    /// Ends the round: each part, in the order the parts began, with its
    /// slice of the round's bytes frozen into one shared buffer.
    pub fn seal(&mut self) -> impl Iterator<Item = (ConnId, Bytes)> + '_ {
        let shared = if self.parts.is_empty() {
            self.bytes.clear();
            Bytes::new()
        } else {
            self.last_len = self.bytes.len();
            Bytes::from(std::mem::take(&mut self.bytes))
        };
        self.parts.drain(..).filter_map(move |part| {
            let (start, end) = (part.span.start as usize, part.span.end as usize);
            (start < end && end <= shared.len()).then(|| (part.to, shared.slice(start..end)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::conns::Wires;

    /// Two handles from a real connection table.
    fn two() -> (ConnId, ConnId) {
        let mut wires = Wires::new(100, 100);
        let conn = || crate::server::conns::Conn::new(crate::server::conns::Role::Refused);
        (wires.insert(conn()), wires.insert(conn()))
    }

    #[test]
    fn a_burst_to_the_same_members_leaves_as_one_slice_each() {
        let (a, b) = two();
        let (mut at_a, mut at_b) = (PartAt::default(), PartAt::default());
        let mut round = Round::default();
        for line in [&b"one\n"[..], b"two\n", b"three\n"] {
            let span = round.append(&[line]);
            round.give(a, &mut at_a, span);
            round.give(b, &mut at_b, span);
        }
        let sent: Vec<(ConnId, Bytes)> = round.seal().collect();
        assert_eq!(
            sent,
            [
                (a, "one\ntwo\nthree\n".into()),
                (b, "one\ntwo\nthree\n".into())
            ]
        );
    }

    #[test]
    fn a_line_to_someone_else_between_starts_a_new_part() {
        let (a, b) = two();
        let (mut at_a, mut at_b) = (PartAt::default(), PartAt::default());
        let mut round = Round::default();
        let first = round.append(&[b"first\n"]);
        round.give(a, &mut at_a, first);
        let other = round.append(&[b"for b", b"\n"]);
        round.give(b, &mut at_b, other);
        let second = round.append(&[b"second\n"]);
        round.give(a, &mut at_a, second);
        let sent: Vec<(ConnId, Bytes)> = round.seal().collect();
        assert_eq!(
            sent,
            [
                (a, "first\n".into()),
                (b, "for b\n".into()),
                (a, "second\n".into())
            ]
        );
        // The next round starts empty.
        assert_eq!(round.seal().count(), 0);
    }
}
