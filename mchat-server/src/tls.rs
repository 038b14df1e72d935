//! TLS: this server's certificate and key, and for mesh links
//! (`--tls-mesh`) the network's CA, made into rustls configs — both ends
//! of a mesh link present a certificate and check it chains to the CA;
//! clients on `--tls-client-port` check the server's as they see fit.
//! Read again on SIGHUP, for the connections made after.
//!
//! The CA is the network's credential, as the mesh secret is: a peer's
//! certificate is not matched against the address it was dialled at,
//! since addresses travel by gossip and one server may be reached under
//! several.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig,
    SignatureScheme,
};

use crate::error::Error;

/// The files of `--tls-cert`, `--tls-key` and `--tls-ca`, and what they
/// are for.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// The network's CA: given exactly when the mesh runs TLS.
    pub ca: Option<PathBuf>,
    /// A TLS client port is served.
    pub clients: bool,
}

/// Everything TLS the server runs with.
#[derive(Clone)]
pub struct TlsConfigs {
    /// With `--tls-mesh`.
    pub mesh: Option<MeshTls>,
    /// With `--tls-client-port`: TLS 1.2 and 1.3, no client certificate.
    pub clients: Option<Arc<ServerConfig>>,
}

/// The configs a mesh link is made with: `accept` for connections on the
/// server port, `dial` for the ones this server makes.
#[derive(Clone)]
pub struct MeshTls {
    pub accept: Arc<ServerConfig>,
    pub dial: Arc<ClientConfig>,
}

fn tls_error(path: &Path, why: impl ToString) -> Error {
    Error::Tls {
        path: path.to_owned(),
        why: why.to_string(),
    }
}

impl TlsFiles {
    /// Reads the files and builds the configs they are for (ring).
    pub fn load(&self) -> Result<TlsConfigs, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let chain = certificates(&self.cert)?;
        let key = PrivateKeyDer::from_pem_file(&self.key).map_err(|e| tls_error(&self.key, e))?;
        let clients = if self.clients {
            let config = ServerConfig::builder_with_provider(provider.clone())
                .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
                .map_err(|e| tls_error(&self.cert, e))?
                .with_no_client_auth()
                .with_single_cert(chain.clone(), key.clone_key())
                .map_err(|e| tls_error(&self.key, e))?;
            Some(Arc::new(config))
        } else {
            None
        };
        let mesh = match &self.ca {
            Some(ca) => Some(mesh_configs(
                &provider, chain, key, ca, &self.cert, &self.key,
            )?),
            None => None,
        };
        Ok(TlsConfigs { mesh, clients })
    }
}

/// Both ends of a mesh link: TLS 1.3 only, a certificate each, checked
/// against the network's CA.
fn mesh_configs(
    provider: &Arc<rustls::crypto::CryptoProvider>,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    ca: &Path,
    cert_path: &Path,
    key_path: &Path,
) -> Result<MeshTls, Error> {
    let mut roots = RootCertStore::empty();
    for ca_cert in certificates(ca)? {
        roots.add(ca_cert).map_err(|e| tls_error(ca, e))?;
    }
    let roots = Arc::new(roots);

    let peers = WebPkiClientVerifier::builder_with_provider(roots.clone(), provider.clone())
        .build()
        .map_err(|e| tls_error(ca, e))?;
    let accept = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| tls_error(cert_path, e))?
        .with_client_cert_verifier(peers)
        .with_single_cert(chain.clone(), key.clone_key())
        .map_err(|e| tls_error(key_path, e))?;

    let chain_check = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
        .build()
        .map_err(|e| tls_error(ca, e))?;
    let dial = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(|e| tls_error(cert_path, e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NetworkCa(chain_check)))
        .with_client_auth_cert(chain, key)
        .map_err(|e| tls_error(key_path, e))?;
    Ok(MeshTls {
        accept: Arc::new(accept),
        dial: Arc::new(dial),
    })
}

/// Every certificate in a PEM file; at least one.
fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| tls_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_error(path, e))?;
    if certs.is_empty() {
        return Err(tls_error(path, "no PEM certificate in the file"));
    }
    Ok(certs)
}

/// Checks a dialled peer's certificate chain against the network's CA,
/// everything webpki checks but the name (see the module's docs).
#[derive(Debug)]
struct NetworkCa(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for NetworkCa {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The name a dialled peer is asked for (SNI): its host, whatever it is.
pub fn server_name(host: &str) -> Option<ServerName<'static>> {
    ServerName::try_from(host.to_owned()).ok()
}
