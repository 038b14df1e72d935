//! Which server dialled a link: the first `MY_ADDR` it sends through a
//! relay names it, by the relay port it advertises.

use mchat_core::wire::Message;

use crate::wire;

/// The longest line worth keeping while looking for `MY_ADDR` (a protocol
/// line is at most 4096 bytes); the rest of a longer one is skipped.
const LONGEST: usize = 4096;

/// The server a `MY_ADDR` line names, by the relay port it advertises.
pub fn announced(line: &[u8], relay_ports: &[u16]) -> Option<usize> {
    let Some(Message::MyAddr(addr)) = wire::parse(line) else {
        return None;
    };
    if addr.host.as_str() != "127.0.0.1" {
        return None;
    }
    relay_ports.iter().position(|&r| r == addr.port.get())
}

/// Where the announcement was found in the bytes fed last.
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    /// The server the dialler is.
    pub server: usize,
    /// Where its `MY_ADDR` line begins in that chunk (0 if it began in an
    /// earlier one): what comes before may still be passed on.
    pub line_start: usize,
}

/// The dialler's bytes, chunk by chunk as read, until a line announces it.
#[derive(Default)]
pub struct Scanner {
    /// The unfinished line of the chunks so far.
    partial: Vec<u8>,
    /// The unfinished line is too long to be `MY_ADDR`: skip to its end.
    skipping: bool,
}

impl Scanner {
    /// Looks through the next `chunk` for an announcing `MY_ADDR`.
    pub fn feed(&mut self, chunk: &[u8], relay_ports: &[u16]) -> Option<Found> {
        let mut line_start = 0;
        for end in memchr::memchr_iter(b'\n', chunk) {
            let line = chunk.get(line_start..end).unwrap_or_default();
            let began = if self.partial.is_empty() {
                line_start
            } else {
                0
            };
            let named = if self.skipping {
                None
            } else if self.partial.is_empty() {
                announced(line, relay_ports)
            } else {
                self.partial.extend_from_slice(line);
                announced(&self.partial, relay_ports)
            };
            self.partial.clear();
            self.skipping = false;
            if let Some(server) = named {
                return Some(Found {
                    server,
                    line_start: began,
                });
            }
            line_start = end + 1;
        }
        let rest = chunk.get(line_start..).unwrap_or_default();
        if !self.skipping {
            self.partial.extend_from_slice(rest);
            if self.partial.len() > LONGEST {
                self.partial.clear();
                self.skipping = true;
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{Found, Scanner, announced};

    const RELAYS: [u16; 2] = [20_001, 20_002];

    #[test]
    fn my_addr_names_the_server_behind_the_relay_port() {
        assert_eq!(announced(b"MY_ADDR 127.0.0.1 20002", &RELAYS), Some(1));
        assert_eq!(announced(b"MY_ADDR 127.0.0.1 9", &RELAYS), None);
        assert_eq!(announced(b"MY_ADDR 10.0.0.1 20002", &RELAYS), None);
        assert_eq!(announced(b"MSG a b MY_ADDR", &RELAYS), None);
    }

    #[test]
    fn the_announcement_is_found_where_its_line_begins() {
        let mut scan = Scanner::default();
        let found = scan.feed(b"HEART\nMY_ADDR 127.0.0.1 20001\nMSG a b c\n", &RELAYS);
        assert_eq!(
            found,
            Some(Found {
                server: 0,
                line_start: 6
            })
        );
    }

    #[test]
    fn an_announcement_split_over_reads_is_found_in_the_last() {
        let mut scan = Scanner::default();
        assert_eq!(scan.feed(b"HEART\nMY_ADDR 127.0", &RELAYS), None);
        assert_eq!(scan.feed(b".0.1 2000", &RELAYS), None);
        assert_eq!(
            scan.feed(b"2\nHEART\n", &RELAYS),
            Some(Found {
                server: 1,
                line_start: 0
            })
        );
    }

    #[test]
    fn a_line_too_long_for_the_protocol_is_skipped_not_kept() {
        let mut scan = Scanner::default();
        assert_eq!(scan.feed(&[b'x'; 5000], &RELAYS), None);
        assert!(scan.partial.is_empty());
        // Its tail does not make an announcement of what follows.
        assert_eq!(scan.feed(b"MY_ADDR 127.0.0.1 20001\n", &RELAYS), None);
        assert_eq!(
            scan.feed(b"MY_ADDR 127.0.0.1 20001\n", &RELAYS),
            Some(Found {
                server: 0,
                line_start: 0
            })
        );
    }
}
