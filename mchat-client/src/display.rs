//! How events look: `<room> nick: text`, `<room> SYSTEM: text`, errors
//! marked; control characters escaped; colour only on a terminal without
//! `NO_COLOR`.

use mchat_core::client::ClientEvent;

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

    /// The line that shows `event`, if any.
    pub fn render(self, event: &ClientEvent) -> Option<String> {
        let room = |r: &str| self.paint("36", &format!("<{}>", escape(r)));
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
            ClientEvent::ServerError { code, text } => {
                self.paint("31", &format!("error: {code}: {}", escape(text)))
            }
            ClientEvent::Unknown(line) => format!("unidentified message: {}", escape(line)),
            ClientEvent::Connected { host, port } => format!("connected to {host} {port}"),
            ClientEvent::ConnectFailed { reason } => {
                self.paint("31", &format!("could not connect: {reason}"))
            }
            ClientEvent::Disconnected => "disconnected".to_owned(),
            ClientEvent::ServerLost => self.paint("31", "server lost! disconnected"),
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
