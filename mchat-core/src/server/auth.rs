//! Mesh authentication (PROTOCOL.md §4, `auth/1`): the network's secret,
//! the proofs both ends of a link make of it, and the challenges they make
//! them over. Pure functions and values; the handshake that uses them is in
//! `mesh/handshake.rs`.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::wire::{AUTH_BYTES, Nonce, PeerAddr, Proof};

type HmacSha256 = Hmac<Sha256>;

/// The secret every server of one network is given (`--mesh-secret-file`).
/// It never leaves the process: links prove they know it.
#[derive(Clone, PartialEq, Eq)]
pub struct MeshSecret(Vec<u8>);

/// Why bytes are not a usable secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Shorter than [`MeshSecret::MIN_BYTES`]: guessable.
    #[error("a mesh secret needs at least {min} bytes, this one has {got}", min = MeshSecret::MIN_BYTES)]
    TooShort {
        /// Its length.
        got: usize,
    },
}

impl MeshSecret {
    /// The shortest secret taken: 16 bytes, 128 bits if they are random.
    pub const MIN_BYTES: usize = 16;

    /// A secret of these bytes, if long enough.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, SecretError> {
        let bytes = bytes.into();
        if bytes.len() < Self::MIN_BYTES {
            return Err(SecretError::TooShort { got: bytes.len() });
        }
        Ok(Self(bytes))
    }

    /// The secret a secret file holds: its bytes, less one trailing
    /// newline (`\n` or `\r\n`), so that `echo` and editors may write it.
    pub fn from_file_contents(mut bytes: Vec<u8>) -> Result<Self, SecretError> {
        if bytes.ends_with(b"\n") {
            bytes.pop();
            if bytes.ends_with(b"\r") {
                bytes.pop();
            }
        }
        Self::new(bytes)
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC takes a key of any length: this cannot fail.
        match HmacSha256::new_from_slice(&self.0) {
            Ok(mac) => mac,
            Err(_) => unreachable_hmac(),
        }
    }
}

#[cold]
fn unreachable_hmac() -> ! {
    unreachable!("HMAC accepts keys of every length")
}

/// Never shows the secret, not even in a debug log.
impl fmt::Debug for MeshSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MeshSecret({} bytes)", self.0.len())
    }
}

/// Which end of a link a proof is from: the two proofs over the same
/// challenges differ, so one cannot be sent back as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthEnd {
    /// The server that accepted the link (sends `AUTH_OK`).
    Acceptor,
    /// The server that dialled it (sends `AUTH_PROOF`).
    Dialler,
}

/// What a proof of `auth/1` is over: both advertised addresses and both
/// challenges, so that a proof made for one link is worth nothing on
/// another. Public so that tools (a test peer, `mchat-tester`) can speak
/// the handshake.
///
/// ```
/// use mchat_core::server::{AuthEnd, AuthTranscript, MeshSecret};
/// use mchat_core::wire::{Host, Nonce, PeerAddr};
///
/// let secret = MeshSecret::new(*b"a secret of the network").unwrap();
/// let addr = |port| PeerAddr::new(Host::new("10.0.0.1").unwrap(), std::num::NonZeroU16::new(port).unwrap());
/// let (acceptor, dialler) = (addr(7000), addr(7001));
/// let (na, nd) = (Nonce([1; 32]), Nonce([2; 32]));
/// let t = AuthTranscript { acceptor: &acceptor, dialler: &dialler, acceptor_nonce: &na, dialler_nonce: &nd };
/// let proof = t.prove(&secret, AuthEnd::Dialler);
/// assert!(t.verify(&secret, AuthEnd::Dialler, &proof));
/// assert!(!t.verify(&secret, AuthEnd::Acceptor, &proof));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AuthTranscript<'a> {
    /// The acceptor's advertised address, as its `AUTH_HELLO` says.
    pub acceptor: &'a PeerAddr,
    /// The dialler's advertised address, as its `AUTH_PROOF` says.
    pub dialler: &'a PeerAddr,
    /// The acceptor's challenge.
    pub acceptor_nonce: &'a Nonce,
    /// The dialler's challenge.
    pub dialler_nonce: &'a Nonce,
}

impl AuthTranscript<'_> {
    fn mac(&self, secret: &MeshSecret, end: AuthEnd) -> HmacSha256 {
        let mut mac = secret.mac();
        mac.update(b"mchat auth/1\n");
        mac.update(match end {
            AuthEnd::Acceptor => &b"acceptor\n"[..],
            AuthEnd::Dialler => &b"dialler\n"[..],
        });
        for addr in [self.acceptor, self.dialler] {
            mac.update(addr.host.as_str().as_bytes());
            mac.update(b" ");
            mac.update(addr.port.to_string().as_bytes());
            mac.update(b"\n");
        }
        mac.update(&self.acceptor_nonce.0);
        mac.update(&self.dialler_nonce.0);
        mac
    }

    /// The proof that `end` sends.
    pub fn prove(&self, secret: &MeshSecret, end: AuthEnd) -> Proof {
        Proof(self.mac(secret, end).finalize().into_bytes().into())
    }

    /// Is `proof` the one `end` should have sent? In constant time.
    pub fn verify(&self, secret: &MeshSecret, end: AuthEnd, proof: &Proof) -> bool {
        self.mac(secret, end).verify_slice(&proof.0).is_ok()
    }
}

/// Fresh challenges: HMAC-SHA-256 of a counter under a key from the
/// driver's randomness, so none repeats and none can be foreseen by
/// someone who does not know the key.
#[derive(Clone)]
pub(crate) struct Nonces {
    key: HmacSha256,
    counter: u64,
}

impl Nonces {
    pub fn new(entropy: &[u8; AUTH_BYTES]) -> Self {
        let key = match HmacSha256::new_from_slice(entropy) {
            Ok(key) => key,
            Err(_) => unreachable_hmac(),
        };
        Self { key, counter: 0 }
    }

    pub fn next(&mut self) -> Nonce {
        self.counter += 1;
        let mut mac = self.key.clone();
        mac.update(b"mchat nonce\n");
        mac.update(&self.counter.to_be_bytes());
        Nonce(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for Nonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nonces({} drawn)", self.counter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Host;

    fn addr(port: u16) -> PeerAddr {
        PeerAddr::new(
            Host::new("127.0.0.1").unwrap(),
            std::num::NonZeroU16::new(port).unwrap(),
        )
    }

    #[test]
    fn a_proof_holds_only_for_its_secret_end_addresses_and_challenges() {
        let secret = MeshSecret::new(*b"sixteen bytes ok").unwrap();
        let other = MeshSecret::new(*b"sixteen bytes no").unwrap();
        let (a, d) = (addr(7000), addr(7001));
        let mut nonces = Nonces::new(&[7; 32]);
        let (na, nd) = (nonces.next(), nonces.next());
        assert_ne!(na, nd);
        let t = AuthTranscript {
            acceptor: &a,
            dialler: &d,
            acceptor_nonce: &na,
            dialler_nonce: &nd,
        };
        let proof = t.prove(&secret, AuthEnd::Dialler);
        assert!(t.verify(&secret, AuthEnd::Dialler, &proof));
        assert!(!t.verify(&other, AuthEnd::Dialler, &proof));
        assert!(!t.verify(&secret, AuthEnd::Acceptor, &proof));
        let swapped = AuthTranscript {
            acceptor: &d,
            dialler: &a,
            ..t
        };
        assert!(!swapped.verify(&secret, AuthEnd::Dialler, &proof));
        let replayed = AuthTranscript {
            acceptor_nonce: &nd,
            ..t
        };
        assert!(!replayed.verify(&secret, AuthEnd::Dialler, &proof));
        assert_eq!(
            MeshSecret::new(*b"short"),
            Err(SecretError::TooShort { got: 5 })
        );
        assert_eq!(format!("{secret:?}"), "MeshSecret(16 bytes)");
    }
}
