//! A run: chat lines of one room, one after another in the round, each to
//! the same members. The members are handed the run's lines once, however
//! many lines it grows to, instead of once a line.
//!
//! A sender's burst comes as many lines in one read, each for the same
//! members. The first line is given to each member as any line is; while
//! nothing else is written into the round and the room's membership stays
//! as it was, each next line only lengthens the run's *pending* span.
//! Anything else written into the round settles the run first (each member
//! is given the pending span in one go), so a member's lines stay in the
//! order they were sent; so do a seal and the end of every input, so a run
//! never outlives the call that made it.

use super::output::ConnId;
use super::round::Span;
use crate::wire::MessageKind;

/// What makes two lines go to the same members: the same room, the same
/// sender left out, and no join or part anywhere in between.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunKey<'a> {
    pub room: &'a str,
    /// The sender, who does not get its own line.
    pub except: Option<ConnId>,
    /// [`Rooms::epoch`](super::rooms::Rooms::epoch) when the line was sent.
    pub epoch: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Run {
    open: Option<Open>,
    /// The open run's room (kept while closed, for its capacity).
    room: String,
    /// Who gets the pending span: the room's members but the sender, as
    /// they were when the run's second line came (kept while closed).
    members: Vec<ConnId>,
}

#[derive(Debug)]
struct Open {
    except: Option<ConnId>,
    epoch: u64,
    kind: Option<MessageKind>,
    /// Where the run's last line ends in the round.
    end: u32,
    /// Lines after the first, not yet given to anyone.
    pending: Option<Pending>,
}

#[derive(Clone, Copy, Debug)]
struct Pending {
    span: Span,
    lines: u64,
}

/// A settled run's pending lines, to give to each of its members.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Settled {
    pub span: Span,
    pub lines: u64,
    pub kind: Option<MessageKind>,
}

impl Run {
    /// Could a line of `kind` for `key`, written at `at` in the round,
    /// lengthen the open run?
    pub fn continues(&self, key: &RunKey<'_>, kind: Option<MessageKind>, at: u32) -> bool {
        self.open.as_ref().is_some_and(|open| {
            open.end == at
                && open.epoch == key.epoch
                && open.except == key.except
                && open.kind == kind
                && self.room == key.room
        })
    }

    /// Has the open run no pending lines yet (so its members are to be
    /// taken down before [`lengthen`](Self::lengthen))?
    pub fn wants_members(&self) -> bool {
        self.open
            .as_ref()
            .is_some_and(|open| open.pending.is_none())
    }

    /// Takes down who gets the pending lines.
    pub fn take_members(&mut self, members: impl IntoIterator<Item = ConnId>) {
        self.members.clear();
        self.members.extend(members);
    }

    /// Adds a line, at `span` of the round, to the open run.
    pub fn lengthen(&mut self, span: Span) {
        if let Some(open) = &mut self.open {
            open.end = span.end_offset();
            open.pending = Some(match open.pending {
                Some(pending) => Pending {
                    span: pending.span.through(span),
                    lines: pending.lines + 1,
                },
                None => Pending { span, lines: 1 },
            });
        }
    }

    /// Opens a run whose first line, of `kind`, ends at `end` and was
    /// given to its members already.
    pub fn open(&mut self, key: &RunKey<'_>, kind: Option<MessageKind>, end: u32) {
        self.room.clear();
        self.room.push_str(key.room);
        self.open = Some(Open {
            except: key.except,
            epoch: key.epoch,
            kind,
            end,
            pending: None,
        });
    }

    /// Closes the open run: its pending lines, if any (who gets them is
    /// [`members`](Self::members)).
    #[must_use]
    pub fn settle(&mut self) -> Option<Settled> {
        let open = self.open.take()?;
        let pending = open.pending?;
        Some(Settled {
            span: pending.span,
            lines: pending.lines,
            kind: open.kind,
        })
    }

    /// Who gets the pending lines, taken out to be walked while the table
    /// is changed; put back with [`put_members`](Self::put_members).
    pub fn members(&mut self) -> Vec<ConnId> {
        std::mem::take(&mut self.members)
    }

    /// Puts the list back, keeping its capacity for the next run.
    pub fn put_members(&mut self, mut members: Vec<ConnId>) {
        members.clear();
        self.members = members;
    }
}
