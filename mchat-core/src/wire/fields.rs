//! Validated field types: a value of these types always obeys PROTOCOL.md §1,
//! so a line built from them always frames correctly.

use std::borrow::Borrow;
use std::fmt;
use std::num::NonZeroU16;
use std::str::FromStr;

use super::limits::{MAX_HOST_CHARS, MAX_LINE_CHARS, MAX_NICK_CHARS, MAX_ROOM_CHARS};

/// Why a string is not a valid field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The field is empty, but only a text field may be.
    #[error("is empty")]
    Empty,
    /// The field has more characters than its limit.
    #[error("is longer than {max} characters")]
    TooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// The field holds a space, but only a text field may.
    #[error("contains a space")]
    Space,
    /// The field holds a control character (U+0000–U+001F, U+007F).
    #[error("contains the control character U+{:04X}", u32::from(*.0))]
    Control(char),
    /// A text field holds a `\n`, which would end the line.
    #[error("contains a newline")]
    Newline,
    /// A text field ends in `\r`, which a receiver would strip (§1).
    #[error("ends with a carriage return")]
    TrailingCarriageReturn,
    /// A port is not a decimal number from 1 to 65535 without leading zeros.
    #[error("is not a port number (1-65535)")]
    BadPort,
}

/// Is `c` a control character in the sense of PROTOCOL.md §1?
pub const fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}')
}

/// Checks a non-text field: 1..=`max` characters, no space, no control character.
fn check_token(s: &str, max: usize) -> Result<(), FieldError> {
    if s.is_empty() {
        return Err(FieldError::Empty);
    }
    let mut chars = 0usize;
    for c in s.chars() {
        if c == ' ' {
            return Err(FieldError::Space);
        }
        if is_control(c) {
            return Err(FieldError::Control(c));
        }
        chars += 1;
    }
    if chars > max {
        return Err(FieldError::TooLong { max });
    }
    Ok(())
}

/// Defines a newtype over `String` for a non-text field with a length limit.
macro_rules! token_field {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            // Public as `wire::limits`, the one name of each limit.
            const MAX_CHARS: usize = $max;

            /// Validates `value` (PROTOCOL.md §1): 1 to `MAX_CHARS`
            /// characters, no space, no control character.
            pub fn new(value: impl Into<String>) -> Result<Self, FieldError> {
                let value = value.into();
                Self::check(&value)?;
                Ok(Self(value))
            }

            /// What [`new`](Self::new) checks, without taking the value.
            pub(crate) fn check(value: &str) -> Result<(), FieldError> {
                check_token(value, Self::MAX_CHARS)
            }

            /// Wraps a value this crate built and knows to be valid.
            #[allow(dead_code)]
            pub(crate) fn from_trusted(value: String) -> Self {
                debug_assert!(check_token(&value, Self::MAX_CHARS).is_ok(), "{value:?}");
                Self(value)
            }

            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The value as an owned string.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = FieldError;
            fn from_str(s: &str) -> Result<Self, FieldError> {
                Self::new(s)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = FieldError;
            fn try_from(s: &str) -> Result<Self, FieldError> {
                Self::new(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(s: String) -> Result<Self, FieldError> {
                Self::new(s)
            }
        }
    };
}

token_field!(
    /// A nickname: 1–32 characters, no space, no control character.
    Nick,
    MAX_NICK_CHARS
);

token_field!(
    /// A room name as it travels on the wire: 1–64 characters, no space, no
    /// control character. For a private room this is the SHA-1 digest name
    /// (see [`private_room_name`](super::private_room_name)).
    Room,
    MAX_ROOM_CHARS
);

token_field!(
    /// The host part of a server address in `MY_ADDR` and `ALL_ADDRS`: a DNS
    /// name or an IP literal, 1–255 characters, no space, no control character.
    Host,
    MAX_HOST_CHARS
);

/// The free text at the end of `MSG`, `SYSTEM` and `ERROR`.
///
/// It may be empty and may hold spaces and control characters, but no `\n`
/// (it would end the line) and no trailing `\r` (a receiver strips one `\r`
/// before `\n`, so it would not survive the trip).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    /// The longest text, in characters, that could ever fit on a line.
    const MAX_CHARS: usize = MAX_LINE_CHARS - 1;

    /// Validates `value` as a text field.
    pub fn new(value: impl Into<String>) -> Result<Self, FieldError> {
        let value = value.into();
        Self::check(&value)?;
        Ok(Self(value))
    }

    /// What [`new`](Self::new) checks, without taking the value.
    pub(crate) fn check(value: &str) -> Result<(), FieldError> {
        if value.contains('\n') {
            return Err(FieldError::Newline);
        }
        if value.ends_with('\r') {
            return Err(FieldError::TrailingCarriageReturn);
        }
        // Counted only if its bytes could be too many characters.
        if value.len() > Self::MAX_CHARS && value.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::TooLong {
                max: Self::MAX_CHARS,
            });
        }
        Ok(())
    }

    /// Wraps a text this crate checked.
    pub(crate) fn from_trusted(value: String) -> Self {
        debug_assert!(Self::check(&value).is_ok(), "{value:?}");
        Self(value)
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for Text {
    type Err = FieldError;
    fn from_str(s: &str) -> Result<Self, FieldError> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Text {
    type Error = FieldError;
    fn try_from(s: &str) -> Result<Self, FieldError> {
        Self::new(s)
    }
}

/// Parses a port field: decimal, 1–65535, no sign and no leading zero (so that
/// every accepted port re-encodes to the same digits).
pub fn parse_port(s: &str) -> Result<NonZeroU16, FieldError> {
    let canonical = !s.is_empty()
        && s.len() <= 5
        && s.bytes().all(|b| b.is_ascii_digit())
        && !s.starts_with('0');
    if !canonical {
        return Err(FieldError::BadPort);
    }
    s.parse::<u16>()
        .ok()
        .and_then(NonZeroU16::new)
        .ok_or(FieldError::BadPort)
}

/// The address a server accepts **server** connections on, as carried by
/// `MY_ADDR` and `ALL_ADDRS` (PROTOCOL.md §2).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerAddr {
    /// The advertised host: a DNS name or an IP literal.
    pub host: Host,
    /// The server-listen port.
    pub port: NonZeroU16,
}

impl PeerAddr {
    /// An address from its parts.
    pub fn new(host: Host, port: NonZeroU16) -> Self {
        Self { host, port }
    }

    /// Characters this address takes on the wire: `host port`.
    pub(crate) fn wire_chars(&self) -> usize {
        self.host.as_str().chars().count() + 1 + port_digits(self.port)
    }
}

impl fmt::Display for PeerAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.host, self.port)
    }
}

/// How many decimal digits a port takes.
pub(crate) fn port_digits(port: NonZeroU16) -> usize {
    match port.get() {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        1000..=9999 => 4,
        _ => 5,
    }
}
