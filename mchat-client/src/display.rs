//! How events look: `<room> nick: text`, `<room> SYSTEM: text`, errors
//! marked; control characters escaped; colour only on a terminal without
//! `NO_COLOR`.

use mchat_core::client::{ClientEvent, LostHow, RoomLabel, RoomListing};

/// Shows control characters as `\xNN`, so received text can never move
/// the cursor or change the terminal.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Colours, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// A line's time (`HH:MM`), dimmed.
    pub fn stamp(self, time: &str) -> String {
        self.paint("2", time)
    }

    /// The line that shows `event`, if any.
    pub fn render(self, event: &ClientEvent) -> Option<String> {
        let room = |r: &RoomLabel| self.paint("36", &format!("<{}>", labelled(r)));
        Some(match event {
            ClientEvent::Message {
                room: r,
                nick,
                text,
            } => {
                format!(
                    "{} {}: {}",
                    room(r),
                    self.paint("1", &escape(nick)),
                    escape(text)
                )
            }
            ClientEvent::Notice { room: r, text } => {
                format!(
                    "{} {}: {}",
                    room(r),
                    self.paint("33", "SYSTEM"),
                    escape(text)
                )
            }
            ClientEvent::Members { room: r, nicks } => {
                let nicks: Vec<String> = nicks.iter().map(|n| escape(n)).collect();
                format!("{} members ({}): {}", room(r), nicks.len(), nicks.join(" "))
            }
            ClientEvent::NamesUnanswered(r) => format!(
                "{} names: no answer from this server (an original mChat server has no names)",
                room(r)
            ),
            ClientEvent::AloneInPrivateRoom(r) => format!(
                "{} you are the only one here: others must use the same password",
                room(r)
            ),
            ClientEvent::ServerError { code, text } => {
                self.paint("31", &format!("error: {code}: {}", escape(text)))
            }
            ClientEvent::Unknown(line) => format!("unidentified message: {}", escape(line)),
            ClientEvent::Connected { host, port } => format!("connected to {host} {port}"),
            ClientEvent::ConnectFailed { host, port, reason } => self.paint(
                "31",
                &format!("could not connect to {}: {reason}", address(host, *port)),
            ),
            ClientEvent::Disconnected => "disconnected".to_owned(),
            ClientEvent::ServerLost { how, retry_in } => {
                let how = match how {
                    LostHow::Closed => "the server closed the connection".to_owned(),
                    LostHow::Failed(why) => format!("the connection failed: {why}"),
                    LostHow::Silent => "the server stopped answering".to_owned(),
                };
                let next = match retry_in {
                    Some(wait) => format!("reconnecting in {:.1} s", wait.as_secs_f64()),
                    None => "disconnected".to_owned(),
                };
                self.paint("31", &format!("server lost! {how}; {next}"))
            }
            ClientEvent::Reconnected { host, port, rooms } => {
                let rooms: Vec<String> = rooms
                    .iter()
                    .map(|r| self.paint("36", &format!("<{}>", listed(r))))
                    .collect();
                let rejoined = if rooms.is_empty() {
                    String::new()
                } else {
                    format!("; rejoined {}", rooms.join(" "))
                };
                format!("reconnected to {host} {port}{rejoined}")
            }
            ClientEvent::Rooms(rooms) if rooms.is_empty() => "rooms: none joined".to_owned(),
            ClientEvent::Rooms(rooms) => {
                let listed: Vec<String> = rooms
                    .iter()
                    .map(|r| {
                        let name = listed(r);
                        if r.current { format!("[{name}]") } else { name }
                    })
                    .collect();
                format!("rooms ([current], * private): {}", listed.join(" "))
            }
            ClientEvent::Switched(r) => format!("now talking in {}", room(r)),
            ClientEvent::Joined(r) => format!("joined {}", room(r)),
            ClientEvent::Left(r) => format!("left {}", room(r)),
            ClientEvent::NickChanged(nick) => format!("nick is now {}", escape(nick)),
            ClientEvent::Refused(refusal) => self.paint("31", &format!("refused: {refusal}")),
            ClientEvent::Help(text) => (*text).to_owned(),
            ClientEvent::Quit => return None,
            // An event this client does not know yet has no look: not shown.
            _ => return None,
        })
    }
}

/// A room's name as every line shows it: escaped, private ones starred.
pub fn labelled(room: &RoomLabel) -> String {
    let star = if room.private { "*" } else { "" };
    format!("{}{star}", escape(&room.name))
}

/// A room of a list, as [`labelled`].
fn listed(room: &RoomListing) -> String {
    labelled(&RoomLabel {
        name: room.name.clone(),
        private: room.private,
    })
}

/// `host:port`, with an IPv6 literal in brackets so the port stands apart.
fn address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Style = Style { colour: false };

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        assert_eq!(
            escape("a\x1b[2Jb\tc\u{7f}\u{85}"),
            "a\\x1b[2Jb\\x09c\\x7f\\x85"
        );
        assert_eq!(escape("löyly 🌞"), "löyly 🌞");
    }

    #[test]
    fn received_text_is_escaped_in_every_part_of_a_message() {
        let event = ClientEvent::Message {
            room: RoomLabel::public("r\x07"),
            nick: "n\x1b".into(),
            text: "t\r".into(),
        };
        assert_eq!(PLAIN.render(&event).unwrap(), "<r\\x07> n\\x1b: t\\x0d");
    }

    #[test]
    fn a_failed_connect_says_where_to() {
        let failed = |host: &str| ClientEvent::ConnectFailed {
            host: host.into(),
            port: 6061,
            reason: "Connection refused".into(),
        };
        assert_eq!(
            PLAIN.render(&failed("127.0.0.1")).unwrap(),
            "could not connect to 127.0.0.1:6061: Connection refused"
        );
        assert_eq!(
            PLAIN.render(&failed("::1")).unwrap(),
            "could not connect to [::1]:6061: Connection refused"
        );
    }

    #[test]
    fn rooms_are_listed_with_the_current_one_in_brackets_and_private_ones_starred() {
        let listing = |name: &str, private, current| mchat_core::client::RoomListing {
            name: name.into(),
            private,
            current,
        };
        let rooms = ClientEvent::Rooms(vec![
            listing("lobby", false, false),
            listing("vault", true, true),
        ]);
        assert_eq!(
            PLAIN.render(&rooms).unwrap(),
            "rooms ([current], * private): lobby [vault*]"
        );
        assert_eq!(
            PLAIN.render(&ClientEvent::Rooms(Vec::new())).unwrap(),
            "rooms: none joined"
        );
    }

    #[test]
    fn colour_wraps_the_text_only_when_asked() {
        let lost = ClientEvent::ServerLost {
            how: LostHow::Silent,
            retry_in: None,
        };
        assert_eq!(
            PLAIN.render(&lost).unwrap(),
            "server lost! the server stopped answering; disconnected"
        );
        assert_eq!(
            Style { colour: true }.render(&lost).unwrap(),
            "\x1b[31mserver lost! the server stopped answering; disconnected\x1b[0m"
        );
        assert_eq!(PLAIN.render(&ClientEvent::Quit), None);
    }
}
