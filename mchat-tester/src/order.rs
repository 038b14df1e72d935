//! Per-sender sequence numbers as a receiver sees them: next, a second
//! copy, or late (first seen after a later one). TCP and PROTOCOL.md §8 keep
//! one sender's lines in order, so anything but `Next` is a server's fault.

/// How a sequence number relates to those already seen from its sender.
#[derive(Debug, PartialEq, Eq)]
pub enum Order {
    Next,
    Duplicate,
    /// First seen after a later one.
    Late,
}

/// The sequence numbers seen from one sender: the highest, and which of the
/// 128 below it arrived, so a late line and a second copy can be told apart.
#[derive(Clone, Copy, Default)]
pub struct Seen {
    last: u64,
    /// Bit `i`: `last - i` was seen.
    window: u128,
}

impl Seen {
    pub fn note(&mut self, seq: u64) -> Order {
        if seq > self.last {
            let ahead = seq - self.last;
            self.window = if ahead >= 128 {
                0
            } else {
                self.window << ahead
            } | 1;
            self.last = seq;
            return Order::Next;
        }
        let behind = self.last - seq;
        if behind >= 128 {
            // Too far back to tell a copy from a first arrival.
            return Order::Late;
        }
        let bit = 1u128 << behind;
        if self.window & bit != 0 {
            Order::Duplicate
        } else {
            self.window |= bit;
            Order::Late
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Order, Seen};

    #[test]
    fn seen_tells_copies_from_late_arrivals() {
        let mut seen = Seen::default();
        assert_eq!(seen.note(1), Order::Next);
        assert_eq!(seen.note(3), Order::Next);
        assert_eq!(seen.note(3), Order::Duplicate);
        assert_eq!(seen.note(2), Order::Late);
        assert_eq!(seen.note(2), Order::Duplicate);
        assert_eq!(seen.note(1), Order::Duplicate);
        assert_eq!(seen.note(4), Order::Next);
        // A jump past the window forgets what is below it.
        assert_eq!(seen.note(300), Order::Next);
        assert_eq!(seen.note(4), Order::Late);
        assert_eq!(seen.note(299), Order::Late);
        assert_eq!(seen.note(299), Order::Duplicate);
    }
}
