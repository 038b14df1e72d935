//! What each load line carries after `MSG <nick> <room> `: its sender,
//! sequence number and send time, `<sender> <seq> <micros> <pad>`.
//!
//! Lines are encoded through the core (`send.rs`), but read back by hand
//! here: at 10 M deliveries a second, `perf record` of the tester found
//! 33 % of its time in `from_utf8` + `str::parse` (docs/performance.md,
//! step 2), and this decoder took fan-out 50/1 from 9.2–10.0 M to
//! 13.8–14.2 M deliveries/s. It is the one place the tester reads protocol
//! lines without the core's parser.

/// The fields of one load line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// The sending client's index.
    pub sender: usize,
    /// The line's number from its sender, from 1.
    pub seq: u64,
    /// When it was sent, in µs since the run began.
    pub micros: u64,
}

impl Stamp {
    /// The text of its `MSG` line: `<sender> <seq> <micros> <pad>`.
    pub fn text(&self, pad: &str) -> String {
        format!("{} {} {} {pad}", self.sender, self.seq, self.micros)
    }

    /// `MSG <nick> <room> <sender> <seq> <micros> …` → its stamp, byte by
    /// byte (see the module comment for why not through the core).
    pub fn decode(line: &[u8]) -> Option<Stamp> {
        let mut rest = line.strip_prefix(b"MSG ")?;
        for _ in 0..2 {
            let space = memchr::memchr(b' ', rest)?;
            rest = rest.get(space + 1..)?;
        }
        let mut number = || -> Option<u64> {
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let (field, tail) = rest.split_at_checked(digits)?;
            rest = tail.strip_prefix(b" ").unwrap_or(tail);
            (1..=19)
                .contains(&digits)
                .then(|| field.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
        };
        Some(Stamp {
            sender: usize::try_from(number()?).ok()?,
            seq: number()?,
            micros: number()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Stamp;
    use crate::wire;

    #[test]
    fn decode_reads_sender_sequence_and_time() {
        assert_eq!(
            Stamp::decode(b"MSG s3 load1 3 42 1234567 xxxx"),
            Some(Stamp {
                sender: 3,
                seq: 42,
                micros: 1_234_567
            })
        );
        // The text may be empty, leaving the time last.
        assert_eq!(
            Stamp::decode(b"MSG s0 r 0 1 2"),
            Some(Stamp {
                sender: 0,
                seq: 1,
                micros: 2
            })
        );
    }

    #[test]
    fn decode_reads_what_the_core_encodes() {
        let stamp = Stamp {
            sender: 7,
            seq: 123_456,
            micros: 98_765_432,
        };
        let line = wire::msg_line("s7", "load3", stamp.text("xxxx")).unwrap();
        let line = line.strip_suffix(b"\n").unwrap();
        assert_eq!(Stamp::decode(line), Some(stamp));
    }

    #[test]
    fn decode_refuses_what_the_load_did_not_send() {
        for line in [
            &b"SYSTEM load0 r1 joined channel"[..],
            b"MSG s0 load0 x 1 2 pad",
            b"MSG s0 load0 1 -2 3 pad",
            b"MSG s0 load0 1 2",
            b"MSG s0 load0 1 99999999999999999999 3",
            b"MSG s0",
        ] {
            assert_eq!(
                Stamp::decode(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
