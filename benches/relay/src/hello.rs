//! A new connection's hello, the one thing the relay reads: `NICK <nick>`
//! then `JOIN <room>`, answered with the notice `mchat-tester` waits for.

/// Where a connection is in its hello.
#[derive(Debug, Default)]
pub struct Hello {
    nick: Option<Vec<u8>>,
}

/// What a hello line came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// Not done yet.
    More,
    /// Joined: write this notice back; every later line is chat.
    Joined(Vec<u8>),
}

impl Hello {
    /// One hello line, without its `\n`.
    pub fn line(&mut self, line: &[u8]) -> Step {
        if let Some(nick) = line.strip_prefix(b"NICK ") {
            self.nick = Some(nick.to_vec());
        } else if let Some(room) = line.strip_prefix(b"JOIN ") {
            let nick = self.nick.as_deref().unwrap_or(b"anonymous");
            let mut notice = b"SYSTEM ".to_vec();
            for part in [room, b" ", nick, b" joined channel\n"] {
                notice.extend_from_slice(part);
            }
            return Step::Joined(notice);
        }
        Step::More
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_after_nick_is_answered_with_the_join_notice() {
        let mut hello = Hello::default();
        assert_eq!(hello.line(b"NICK r1"), Step::More);
        assert_eq!(
            hello.line(b"JOIN load0"),
            Step::Joined(b"SYSTEM load0 r1 joined channel\n".to_vec())
        );
    }
}
