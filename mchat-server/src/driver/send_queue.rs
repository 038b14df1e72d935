//! A connection's send queue: the lines the state machine sent, not yet
//! taken by the socket (or by TLS), handed out as gather lists.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::Bytes;

/// Lines gathered into one vectored write.
const SLICES_PER_WRITE: usize = 1024; // IOV_MAX on Linux
/// The gather list for short queues.
const FEW_SLICES: usize = 8;
/// A drained queue this small is freed rather than kept (idle clients).
const IDLE_CAPACITY: usize = 8;

#[derive(Default)]
pub struct SendQueue {
    lines: VecDeque<Bytes>,
    /// How much of the front line is written already.
    front_written: usize,
}

impl SendQueue {
    /// Queues what the state machine sent: one or more whole lines.
    pub fn push(&mut self, lines: Bytes) {
        self.lines.push_back(lines);
    }

    /// Queues whole lines one entry each, for a transport that frames
    /// every line on its own (a WebSocket message a line).
    pub fn push_each_line(&mut self, mut lines: Bytes) {
        while let Some(end) = memchr::memchr(b'\n', &lines) {
            self.lines.push_back(lines.split_to(end + 1));
        }
        if !lines.is_empty() {
            self.lines.push_back(lines);
        }
    }

    /// The first entry, none of it taken yet (a WebSocket takes lines
    /// whole, queued by [`push_each_line`](Self::push_each_line)), if any.
    pub fn front_line(&self) -> Option<&Bytes> {
        self.lines.front().filter(|_| self.front_written == 0)
    }

    /// Takes the first entry off, whole.
    pub fn pop_line(&mut self) {
        self.lines.pop_front();
        self.front_written = 0;
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Bytes not yet taken.
    pub fn unsent(&self) -> usize {
        self.lines.iter().map(Bytes::len).sum::<usize>() - self.front_written
    }

    /// Calls `write` with the unsent lines as one gather list, as many as
    /// one vectored write takes, and takes off what it reports written.
    pub fn write_with(
        &mut self,
        write: impl FnOnce(&[IoSlice<'_>]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        // A quiet room's line goes out alone: a small gather list, since
        // filling the big one costs more than the line itself.
        let written = if self.lines.len() <= FEW_SLICES {
            self.gathered::<FEW_SLICES>(write)
        } else {
            self.gathered::<SLICES_PER_WRITE>(write)
        }?;
        self.take(written);
        Ok(written)
    }

    fn gathered<const N: usize>(
        &self,
        write: impl FnOnce(&[IoSlice<'_>]) -> std::io::Result<usize>,
    ) -> std::io::Result<usize> {
        let mut slices = [IoSlice::new(&[]); N];
        let mut used = 0;
        for (slot, (i, line)) in slices.iter_mut().zip(self.lines.iter().enumerate()) {
            let skip = if i == 0 { self.front_written } else { 0 };
            *slot = IoSlice::new(line.get(skip..).unwrap_or_default());
            used += 1;
        }
        write(slices.get(..used).unwrap_or_default())
    }

    fn take(&mut self, written: usize) {
        let mut left = written + self.front_written;
        self.front_written = 0;
        while let Some(front) = self.lines.front() {
            if left >= front.len() {
                left -= front.len();
                self.lines.pop_front();
            } else {
                self.front_written = left;
                break;
            }
        }
    }

    /// Frees an emptied small queue: an idle client's heartbeat would
    /// otherwise keep one allocated for good; a busy connection keeps its
    /// bigger one.
    pub fn shrink_if_idle(&mut self) {
        if self.lines.is_empty() && self.lines.capacity() <= IDLE_CAPACITY {
            self.lines = VecDeque::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_queued_one_entry_each_come_off_whole_in_order() {
        let mut queue = SendQueue::default();
        queue.push_each_line(Bytes::from_static(b"one\ntwo\n"));
        queue.push_each_line(Bytes::from_static(b"three\n"));
        let mut seen = Vec::new();
        while let Some(line) = queue.front_line() {
            seen.push(line.clone());
            queue.pop_line();
        }
        assert_eq!(seen, ["one\n", "two\n", "three\n"]);
    }

    #[test]
    fn a_partial_write_resumes_inside_the_line_it_stopped_in() {
        let mut queue = SendQueue::default();
        for line in ["one\n", "two\n", "three\n"] {
            queue.push(Bytes::from_static(line.as_bytes()));
        }
        assert_eq!(queue.unsent(), 14);
        let written = queue.write_with(|slices| {
            assert_eq!(slices.len(), 3);
            Ok(6)
        });
        assert_eq!(written.unwrap(), 6);
        assert_eq!(queue.unsent(), 8);
        let mut seen = Vec::new();
        queue
            .write_with(|slices| {
                seen = slices.iter().map(|s| s.to_vec()).collect();
                Ok(8)
            })
            .unwrap();
        assert_eq!(seen, [b"o\n".to_vec(), b"three\n".to_vec()]);
        assert!(queue.is_empty());
    }
}
