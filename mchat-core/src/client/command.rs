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
    /// `names <room>`: who is in a room joined (EXTENSION: an original
    /// server does not answer).
    Names(String),
    /// `help`
    Help,
    /// `quit`
    Quit,
}

/// Why an input line is not a command.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// The first word is no command.
    #[error("unknown command '{0}'; type help for the list")]
    Unknown(String),
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
commands:
  connect <host> <port>          connect to a server (DNS name, IPv4 or IPv6)
  connect tls://<host>:<port>    the same over TLS (IPv6 as tls://[::1]:6443)
  disconnect                     leave the server
  join <room>                    join a room
  joinprivate <room> <password>  join a private room: only those with the password see it
  part <room>                    leave a room
  msg <room> <message>           say something in a room (long messages are split)
  nick <new_nick>                change your nick
  names <room>                   who is in a room you are in, on every server
  help                           this text
  quit                           leave the program
a line that is not a command is said in the current room";

fn usage(command: &'static str, usage: &'static str) -> CommandError {
    CommandError::Usage { command, usage }
}

impl Command {
    /// Parses one input line. A line whose first word is no command is
    /// [`CommandError::Unknown`]; the terminal client says such a line in
    /// the current room.
    pub fn parse(line: &str) -> Result<Command, CommandError> {
        let line = line.trim_start();
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let rest = rest.trim_start_matches(' ');
        let one = |command, u| {
            let arg = rest.trim_end();
            if arg.is_empty() || arg.contains(' ') {
                Err(usage(command, u))
            } else {
                Ok(arg.to_owned())
            }
        };
        match word {
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
            "names" => Ok(Command::Names(one("names", "names <room>")?)),
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
            Command::Names(room) => write!(f, "names {room}"),
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
    fn commands_are_lower_case_and_anything_else_is_unknown() {
        assert_eq!(
            Command::parse("JOIN lobby"),
            Err(CommandError::Unknown("JOIN".into()))
        );
        assert_eq!(
            Command::parse(""),
            Err(CommandError::Unknown(String::new()))
        );
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
