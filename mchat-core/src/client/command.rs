//! The user's commands (PROTOCOL.md §5), parsed from one input line.

use std::fmt;

/// One user command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `connect <host> <port>`, or `connect tls://<host>:<port>`
    Connect {
        /// DNS name or IP literal.
        host: String,
        /// The server's client port.
        port: u16,
        /// Over TLS: written `connect tls://<host>:<port>`.
        tls: bool,
    },
    /// `disconnect`
    Disconnect,
    /// `join <room>`
    Join(String),
    /// `joinprivate <room> <password>`; the password is the rest of the line.
    JoinPrivate {
        /// The name the users type and see.
        room: String,
        /// The password (may hold spaces).
        password: String,
    },
    /// `part <room>`
    Part(String),
    /// `msg <room> <message>`; the message is the rest of the line.
    Msg {
        /// The room as the user knows it.
        room: String,
        /// The text, any length.
        text: String,
    },
    /// `nick <new_nick>`
    Nick(String),
    /// `names [room]`: who is in a room joined, the current one without a
    /// name (EXTENSION: an original server does not answer).
    Names(Option<String>),
    /// `rooms`: the rooms joined, private ones marked, the current one
    /// named.
    Rooms,
    /// `switch <room>`: make a joined room the current one.
    Switch(String),
    /// `help`
    Help,
    /// `quit`
    Quit,
}

/// Why an input line is not a command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The first word is no command: the terminal client says the line in
    /// the current room.
    #[error("unknown command '{0}'; type help for the list")]
    Unknown(String),
    /// The line starts with `/` but names no command: refused, never said
    /// in a room.
    #[error("no command /{0}; commands: {list}", list = command_list())]
    NotACommand(String),
    /// The first word is one typing slip from a command and the rest of
    /// the line fits that command: asked about, never said in a room.
    #[error("did you mean {command}? nothing was sent; send the same line again to say it")]
    DidYouMean {
        /// The word typed.
        typed: String,
        /// The command it is one slip from.
        command: &'static str,
    },
    /// The command lacks an argument.
    #[error("{command} needs: {usage}")]
    Usage {
        /// The command word.
        command: &'static str,
        /// How to use it.
        usage: &'static str,
    },
}

/// The `help` text.
pub const HELP: &str = "\
commands (with or without a leading /, in any case):
  connect <host> <port>          connect to a server (DNS name, IPv4 or IPv6)
  connect tls://<host>:<port>    the same over TLS (IPv6 as tls://[::1]:6443)
  disconnect                     leave the server
  join <room>                    join a room
  joinprivate <room> <password>  join a private room: only those with the password see it
  part <room>                    leave a room
  switch <room>                  make a room you are in the current one
  rooms                          the rooms you are in (* private)
  msg <room> <message>           say something in a room (long messages are split)
  nick <new_nick>                change your nick
  names [room]                   who is in a room you are in (default: the current one)
  help                           this text
  quit                           leave the program
a line that is not a command is said in the current room; //text says /text";

/// How many words follow a command, which tells a typing slip of it from
/// chat that merely starts with a similar word.
#[derive(Clone, Copy, Debug)]
enum Arity {
    /// Nothing: `rooms`.
    None,
    /// One word: `join <room>`.
    One,
    /// Nothing or one word: `names [room]`.
    NoneOrOne,
    /// Two words or more: `msg <room> <text>`.
    TwoOrMore,
    /// `connect <host> <port>` or `connect tls://…`.
    Address,
}

/// Every command word and what follows it, in `help`'s order.
const COMMANDS: [(&str, Arity); 12] = [
    ("connect", Arity::Address),
    ("disconnect", Arity::None),
    ("join", Arity::One),
    ("joinprivate", Arity::TwoOrMore),
    ("part", Arity::One),
    ("switch", Arity::One),
    ("rooms", Arity::None),
    ("msg", Arity::TwoOrMore),
    ("nick", Arity::One),
    ("names", Arity::NoneOrOne),
    ("help", Arity::None),
    ("quit", Arity::None),
];

/// Other words for a command, taken as it.
const ALIASES: [(&str, &str); 1] = [("exit", "quit")];

/// The command words, for the refusal of a `/word` that is none.
fn command_list() -> String {
    let names: Vec<&str> = COMMANDS.iter().map(|(name, _)| *name).collect();
    names.join(" ")
}

impl Arity {
    fn fits(self, rest: &str) -> bool {
        let words = rest.split_whitespace().count();
        match self {
            Arity::None => words == 0,
            Arity::One => words == 1,
            Arity::NoneOrOne => words <= 1,
            Arity::TwoOrMore => words >= 2,
            Arity::Address => words == 2 || (words == 1 && rest.trim().starts_with("tls://")),
        }
    }
}

/// The command `word` is one typing slip from (one letter wrong, missing,
/// extra, or two neighbours swapped), if the rest of the line fits it.
/// Words under three letters are too short to guess from.
fn slip_of(word: &str, rest: &str) -> Option<&'static str> {
    if word.chars().count() < 3 {
        return None;
    }
    COMMANDS
        .iter()
        .find(|(name, arity)| one_slip(word, name) && arity.fits(rest))
        .map(|(name, _)| *name)
}

/// Are `a` and `b` one edit apart (substitution, insertion, deletion or
/// adjacent transposition)?
fn one_slip(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a == b {
        return false;
    }
    let (long, short) = if a.len() >= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    match long.len() - short.len() {
        0 => {
            let differ: Vec<usize> = (0..long.len())
                .filter(|&i| long.get(i) != short.get(i))
                .collect();
            match differ.as_slice() {
                [_] => true,
                [i, j] => {
                    *j == i + 1 && long.get(*i) == short.get(*j) && long.get(*j) == short.get(*i)
                }
                _ => false,
            }
        }
        1 => {
            // Skip the first letter where they part; the rest must agree.
            let at = (0..short.len())
                .find(|&i| long.get(i) != short.get(i))
                .unwrap_or(short.len());
            long.get(at + 1..) == short.get(at..)
        }
        _ => false,
    }
}

fn usage(command: &'static str, usage: &'static str) -> CommandError {
    CommandError::Usage { command, usage }
}

impl Command {
    /// Parses one input line. The command word may start with `/` and is
    /// read in any case. A line whose first word is no command is
    /// [`CommandError::Unknown`] (the terminal client says it in the
    /// current room), unless it starts with `/`
    /// ([`CommandError::NotACommand`]) or its first word is one slip from
    /// a command whose arguments the rest fits
    /// ([`CommandError::DidYouMean`]).
    pub fn parse(line: &str) -> Result<Command, CommandError> {
        let line = line.trim_start();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim_start_matches(' ');
        let slashed = word.strip_prefix('/');
        let mut lowered = slashed.unwrap_or(word).to_lowercase();
        if let Some((_, command)) = ALIASES.iter().find(|(alias, _)| *alias == lowered) {
            lowered = (*command).to_owned();
        }
        if !COMMANDS.iter().any(|(name, _)| *name == lowered) {
            let shown: String = slashed.unwrap_or(word).chars().take(32).collect();
            return Err(match (slashed, slip_of(&lowered, rest)) {
                (_, Some(command)) => CommandError::DidYouMean {
                    typed: shown,
                    command,
                },
                (Some(_), None) => CommandError::NotACommand(shown),
                (None, None) => CommandError::Unknown(shown),
            });
        }
        let one = |command, u| {
            let arg = rest.trim_end();
            if arg.is_empty() || arg.contains(' ') {
                Err(usage(command, u))
            } else {
                Ok(arg.to_owned())
            }
        };
        match lowered.as_str() {
            "connect" if rest.starts_with("tls://") => {
                let usage_tls = || usage("connect", "connect tls://<host>:<port>");
                let authority = rest.trim_start_matches("tls://");
                let (host, port) = authority.rsplit_once(':').ok_or_else(usage_tls)?;
                // An IPv6 literal is written in brackets: tls://[::1]:6443.
                let host = host
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(host);
                if host.is_empty() || host.contains(char::is_whitespace) {
                    return Err(usage_tls());
                }
                let port = crate::wire::parse_port(port)
                    .map(std::num::NonZeroU16::get)
                    .map_err(|_| usage_tls())?;
                Ok(Command::Connect {
                    host: host.to_owned(),
                    port,
                    tls: true,
                })
            }
            "connect" => {
                let mut parts = rest.split_whitespace();
                let (Some(host), Some(port), None) = (parts.next(), parts.next(), parts.next())
                else {
                    return Err(usage("connect", "connect <host> <port>"));
                };
                let port = crate::wire::parse_port(port)
                    .map(std::num::NonZeroU16::get)
                    .ok()
                    .ok_or_else(|| usage("connect", "connect <host> <port> (port 1-65535)"))?;
                Ok(Command::Connect {
                    host: host.to_owned(),
                    port,
                    tls: false,
                })
            }
            "disconnect" => Ok(Command::Disconnect),
            "join" => Ok(Command::Join(one("join", "join <room>")?)),
            "joinprivate" => {
                let (room, password) = rest.split_once(' ').unwrap_or((rest, ""));
                if room.is_empty() || password.is_empty() {
                    return Err(usage("joinprivate", "joinprivate <room> <password>"));
                }
                Ok(Command::JoinPrivate {
                    room: room.to_owned(),
                    password: password.to_owned(),
                })
            }
            "part" => Ok(Command::Part(one("part", "part <room>")?)),
            "msg" => {
                let (room, text) = rest.split_once(' ').unwrap_or((rest, ""));
                if room.is_empty() {
                    return Err(usage("msg", "msg <room> <message>"));
                }
                Ok(Command::Msg {
                    room: room.to_owned(),
                    text: text.to_owned(),
                })
            }
            "nick" => Ok(Command::Nick(one("nick", "nick <new_nick>")?)),
            "names" if rest.trim().is_empty() => Ok(Command::Names(None)),
            "names" => Ok(Command::Names(Some(one("names", "names [room]")?))),
            "rooms" => Ok(Command::Rooms),
            "switch" => Ok(Command::Switch(one("switch", "switch <room>")?)),
            "help" => Ok(Command::Help),
            "quit" => Ok(Command::Quit),
            other => Err(CommandError::Unknown(other.chars().take(32).collect())),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Connect {
                host,
                port,
                tls: false,
            } => write!(f, "connect {host} {port}"),
            Command::Connect {
                host,
                port,
                tls: true,
            } if host.contains(':') => write!(f, "connect tls://[{host}]:{port}"),
            Command::Connect {
                host,
                port,
                tls: true,
            } => write!(f, "connect tls://{host}:{port}"),
            Command::Disconnect => f.write_str("disconnect"),
            Command::Join(room) => write!(f, "join {room}"),
            Command::JoinPrivate { room, .. } => write!(f, "joinprivate {room} ***"),
            Command::Part(room) => write!(f, "part {room}"),
            Command::Msg { room, text } => write!(f, "msg {room} {text}"),
            Command::Nick(nick) => write!(f, "nick {nick}"),
            Command::Names(Some(room)) => write!(f, "names {room}"),
            Command::Names(None) => f.write_str("names"),
            Command::Rooms => f.write_str("rooms"),
            Command::Switch(room) => write!(f, "switch {room}"),
            Command::Help => f.write_str("help"),
            Command::Quit => f.write_str("quit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(line: &str) -> Command {
        Command::parse(line).unwrap_or_else(|e| panic!("{line:?}: {e}"))
    }

    #[test]
    fn spaces_around_the_command_word_and_a_single_argument_do_not_count() {
        assert_eq!(parsed("   join   lobby  "), Command::Join("lobby".into()));
        assert_eq!(parsed("nick alice "), Command::Nick("alice".into()));
        assert_eq!(parsed("  quit"), Command::Quit);
    }

    #[test]
    fn a_port_follows_the_protocol_rule_and_zero_is_refused() {
        assert_eq!(
            parsed("connect ::1 6061"),
            Command::Connect {
                host: "::1".into(),
                port: 6061,
                tls: false,
            }
        );
        for bad in [
            "connect h 0",
            "connect h 65536",
            "connect h -1",
            "connect h 6061x",
            "connect tls://h:0",
            "connect tls://h",
            "connect tls://:6443",
            "connect tls://h h:6443",
        ] {
            assert!(Command::parse(bad).is_err(), "{bad} was taken");
        }
    }

    #[test]
    fn a_tls_address_is_host_colon_port_with_ipv6_in_brackets_and_prints_back() {
        for (line, host, port) in [
            ("connect tls://chat.example:6443", "chat.example", 6443),
            ("connect tls://127.0.0.1:6443", "127.0.0.1", 6443),
            ("connect tls://[::1]:6443", "::1", 6443),
        ] {
            let command = parsed(line);
            assert_eq!(
                command,
                Command::Connect {
                    host: host.into(),
                    port,
                    tls: true,
                }
            );
            assert_eq!(command.to_string(), line);
        }
    }

    #[test]
    fn a_password_is_every_character_after_the_room() {
        // The digest covers each byte, so spaces in it, even trailing, stay.
        assert_eq!(
            parsed("joinprivate sauna  hot stones "),
            Command::JoinPrivate {
                room: "sauna".into(),
                password: " hot stones ".into(),
            }
        );
    }

    #[test]
    fn message_text_is_kept_as_typed_and_may_be_empty() {
        assert_eq!(
            parsed("msg lobby  two  spaces "),
            Command::Msg {
                room: "lobby".into(),
                text: " two  spaces ".into(),
            }
        );
        assert_eq!(
            parsed("msg lobby"),
            Command::Msg {
                room: "lobby".into(),
                text: String::new(),
            }
        );
    }

    #[test]
    fn missing_or_extra_arguments_say_how_to_use_the_command() {
        for (line, command) in [
            ("connect", "connect"),
            ("connect h 1 2", "connect"),
            ("connect h 65536", "connect"),
            ("connect h -1", "connect"),
            ("join", "join"),
            ("join  ", "join"),
            ("part a b", "part"),
            ("nick", "nick"),
            ("joinprivate", "joinprivate"),
            ("joinprivate sauna ", "joinprivate"),
            ("msg", "msg"),
        ] {
            match Command::parse(line) {
                Err(CommandError::Usage { command: c, .. }) => assert_eq!(c, command, "{line:?}"),
                other => panic!("{line:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_command_is_read_with_or_without_a_slash_in_any_case() {
        for line in ["join lobby", "/join lobby", "JOIN lobby", "/Join lobby"] {
            assert_eq!(parsed(line), Command::Join("lobby".into()), "{line}");
        }
        assert_eq!(parsed("/QUIT"), Command::Quit);
        assert_eq!(parsed("exit"), Command::Quit);
        assert_eq!(parsed("/names"), Command::Names(None));
        assert_eq!(parsed("names rust"), Command::Names(Some("rust".into())));
        assert_eq!(parsed("rooms"), Command::Rooms);
        assert_eq!(parsed("/switch rust"), Command::Switch("rust".into()));
        assert_eq!(
            Command::parse(""),
            Err(CommandError::Unknown(String::new()))
        );
    }

    #[test]
    fn a_slash_word_that_is_no_command_is_refused_with_the_list() {
        let refused = Command::parse("/shrug so it goes").unwrap_err();
        assert_eq!(refused, CommandError::NotACommand("shrug".into()));
        let said = refused.to_string();
        assert!(
            said.starts_with("no command /shrug; commands: connect "),
            "{said}"
        );
        assert!(said.contains(" switch rooms "), "{said}");
    }

    #[test]
    fn a_slip_of_a_command_is_asked_about_when_its_arguments_fit() {
        for (line, command) in [
            ("jion lobby", "join"),
            ("/jion lobby", "join"),
            ("JION lobby", "join"),
            ("jon lobby", "join"),
            ("joinn lobby", "join"),
            ("prat lobby", "part"),
            ("nmaes", "names"),
            ("quiet", "quit"),
            ("mgs lobby hi there", "msg"),
            ("conect 127.0.0.1 6061", "connect"),
            ("disconect", "disconnect"),
        ] {
            assert_eq!(
                Command::parse(line),
                Err(CommandError::DidYouMean {
                    typed: line
                        .trim_start_matches('/')
                        .split(' ')
                        .next()
                        .unwrap()
                        .into(),
                    command,
                }),
                "{line}"
            );
        }
    }

    #[test]
    fn chat_that_merely_starts_like_a_command_is_chat() {
        for line in [
            "jion the party tonight", // join takes one word
            "partly true",            // two letters more than part
            "quite so",               // quit takes none
            "hi",                     // too short to guess from
            "helpful advice",         // help takes none
            "joining later",
        ] {
            assert!(
                matches!(Command::parse(line), Err(CommandError::Unknown(_))),
                "{line}: {:?}",
                Command::parse(line)
            );
        }
    }

    #[test]
    fn one_slip_is_one_letter_changed_added_dropped_or_two_swapped() {
        for (a, b) in [
            ("join", "jion"),
            ("join", "joim"),
            ("join", "jon"),
            ("join", "joins"),
            ("join", "ojin"),
            ("names", "nmaes"),
        ] {
            assert!(one_slip(a, b) && one_slip(b, a), "{a} {b}");
        }
        for (a, b) in [
            ("join", "join"),
            ("join", "jnio"),
            ("join", "jo"),
            ("part", "trap"),
            ("msg", "gsm"),
        ] {
            assert!(!one_slip(a, b), "{a} {b}");
        }
    }

    #[test]
    fn an_unknown_word_is_kept_to_32_characters() {
        let word = "\u{e9}".repeat(40);
        assert_eq!(
            Command::parse(&word),
            Err(CommandError::Unknown("\u{e9}".repeat(32)))
        );
        assert_eq!(
            CommandError::Unknown("frob".into()).to_string(),
            "unknown command 'frob'; type help for the list"
        );
    }

    #[test]
    fn a_command_shown_back_parses_to_itself_but_hides_a_password() {
        for line in [
            "connect ::1 6061",
            "disconnect",
            "join lobby",
            "part lobby",
            "msg lobby hi  there",
            "nick bob",
            "help",
            "quit",
        ] {
            assert_eq!(parsed(line).to_string(), line);
        }
        assert_eq!(
            parsed("joinprivate sauna hunter2").to_string(),
            "joinprivate sauna ***"
        );
    }
}
