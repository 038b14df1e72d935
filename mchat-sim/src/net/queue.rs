//! The action queue: scheduled actions in time order, ties in scheduling order.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::Instant;

use super::action::Action;

/// An action and when it is due.
#[derive(Debug)]
pub(super) struct Scheduled {
    pub(super) at: Instant,
    /// Scheduling order, to break ties between actions due at once.
    seq: u64,
    pub(super) action: Action,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    // Reversed: the heap pops the earliest first, ties in scheduling order.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The actions still to happen.
#[derive(Debug, Default)]
pub(super) struct ActionQueue {
    heap: BinaryHeap<Scheduled>,
    seq: u64,
}

impl ActionQueue {
    /// Adds `action`, due at `at`.
    pub(super) fn push(&mut self, at: Instant, action: Action) {
        self.seq += 1;
        self.heap.push(Scheduled {
            at,
            seq: self.seq,
            action,
        });
    }

    /// When the next action is due, if any is scheduled.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.heap.peek().map(|s| s.at)
    }

    /// Takes the next action.
    pub(super) fn pop(&mut self) -> Option<Scheduled> {
        self.heap.pop()
    }
}
