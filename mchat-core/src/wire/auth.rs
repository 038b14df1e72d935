//! The lines of mesh authentication (PROTOCOL.md §4, `auth/1`, EXTENSION):
//! a challenge from the acceptor, the dialler's proof with its own
//! challenge, and the acceptor's proof. Each proof is an HMAC-SHA-256 that
//! only a holder of the network's secret can make; the secret itself never
//! crosses the wire.

use std::fmt;

use super::fields::PeerAddr;

/// Bytes in a [`Nonce`] and in a [`Proof`].
pub const AUTH_BYTES: usize = 32;

/// A fresh random challenge: 32 bytes, 64 lower-case hex digits on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nonce(pub [u8; AUTH_BYTES]);

/// An HMAC-SHA-256 proof of the secret: 32 bytes, 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Proof(pub [u8; AUTH_BYTES]);

/// 64 lower-case hex digits into 32 bytes; `None` for anything else.
fn from_hex(s: &str) -> Option<[u8; AUTH_BYTES]> {
    let digits = s.as_bytes();
    if digits.len() != AUTH_BYTES * 2 {
        return None;
    }
    let nibble = |d: u8| match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'a'..=b'f' => Some(d - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; AUTH_BYTES];
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let &[hi, lo] = pair else {
            return None;
        };
        *byte = nibble(hi)? << 4 | nibble(lo)?;
    }
    Some(out)
}

fn write_hex(bytes: &[u8], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

macro_rules! hex_value {
    ($name:ident) => {
        impl $name {
            /// Parses 64 lower-case hex digits.
            pub fn from_hex(s: &str) -> Option<Self> {
                from_hex(s).map(Self)
            }
        }

        impl fmt::Display for $name {
            /// The 64 hex digits of the wire.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_hex(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                write_hex(&self.0, f)?;
                f.write_str(")")
            }
        }
    };
}
hex_value!(Nonce);
hex_value!(Proof);

/// `AUTH_HELLO <host> <port> <nonce>`: the acceptor's advertised address
/// and its challenge, the first line on a link to a server with a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthHello {
    /// The acceptor's advertised server address.
    pub addr: PeerAddr,
    /// Its challenge.
    pub nonce: Nonce,
}

/// `AUTH_PROOF <host> <port> <nonce> <proof>`: the dialler's advertised
/// address, its own challenge, and its proof over both challenges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthProof {
    /// The dialler's advertised server address.
    pub addr: PeerAddr,
    /// Its challenge to the acceptor.
    pub nonce: Nonce,
    /// Its proof of the secret.
    pub proof: Proof,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_reads_back_what_it_wrote_and_nothing_else() {
        let nonce = Nonce([0xab; AUTH_BYTES]);
        let text = nonce.to_string();
        assert_eq!(text.len(), 64);
        assert_eq!(Nonce::from_hex(&text), Some(nonce));
        assert_eq!(Nonce::from_hex(&text.to_uppercase()), None);
        assert_eq!(Nonce::from_hex(&text[1..]), None);
        assert_eq!(Nonce::from_hex(&format!("{}g", &text[1..])), None);
        assert_eq!(Proof::from_hex("é".repeat(32).as_str()), None);
    }
}
