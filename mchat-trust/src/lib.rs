//! Which servers a TLS client of mChat trusts, in one place for every
//! binary that dials one (`mchat-client`'s `connect tls://`, the tester's
//! `--tls`): the CA certificates in a PEM file (`--ca PATH`), or, without
//! one, the system's store of roots.
//!
//! ```
//! // Without --ca: the system's roots (an unreadable store trusts nothing,
//! // so every handshake fails and says why).
//! let config = mchat_trust::client_config(None).unwrap();
//! assert!(config.alpn_protocols.is_empty());
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why a client's TLS settings could not be made.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("{path}: {why}")]
    Ca { path: PathBuf, why: String },
    #[error("{path}: no certificate in it")]
    EmptyCa { path: PathBuf },
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// The client side of TLS (1.2 and 1.3, ring) that checks a server's
/// certificate against `ca`'s certificates, or the system's when `None`.
pub fn client_config(ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, TrustError> {
    let roots = match ca {
        Some(path) => roots_in(path)?,
        None => system_roots(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Every certificate in the PEM file at `path`.
fn roots_in(path: &Path) -> Result<rustls::RootCertStore, TrustError> {
    let why = |why: String| TrustError::Ca {
        path: path.to_owned(),
        why,
    };
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(path).map_err(|e| why(e.to_string()))? {
        roots
            .add(cert.map_err(|e| why(e.to_string()))?)
            .map_err(|e| why(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(TrustError::EmptyCa {
            path: path.to_owned(),
        });
    }
    Ok(roots)
}

/// The system's roots; those it cannot read or parse are left out.
fn system_roots() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::{TrustError, client_config};

    #[test]
    fn a_ca_file_is_read_and_a_missing_or_empty_one_is_named() {
        let dir = testkit::scratch("trust");
        let ca = testkit::TestCa::new(&dir, "t");
        assert!(client_config(Some(&ca.ca_pem)).is_ok());

        let missing = dir.join("missing.pem");
        let err = client_config(Some(&missing)).unwrap_err();
        assert!(matches!(err, TrustError::Ca { .. }), "{err}");
        assert!(err.to_string().contains("missing.pem"), "{err}");

        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = client_config(Some(&empty)).unwrap_err();
        assert!(matches!(err, TrustError::EmptyCa { .. }), "{err}");
    }
}
