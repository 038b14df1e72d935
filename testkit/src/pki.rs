//! Certificates made at test time (rcgen): a network's CA and the
//! certificates it signs, written as PEM files into a scratch directory.
//! No private key is ever committed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

/// A certificate authority whose certificate is in `ca_pem`.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    dir: PathBuf,
    name: String,
    /// The CA's certificate, for `--tls-ca`.
    pub ca_pem: PathBuf,
}

/// A certificate and its key, for `--tls-cert` and `--tls-key`.
pub struct TestCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    /// A new CA called `name`, its files in `dir`.
    pub fn new(dir: &Path, name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{name} test CA"));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        let ca_pem = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&ca_pem, issuer.pem()).unwrap();
        TestCa {
            issuer,
            dir: dir.to_owned(),
            name: name.to_owned(),
            ca_pem,
        }
    }

    /// A certificate for a server at 127.0.0.1 (and `localhost`), usable
    /// at both ends of a link, written as `<ca>-<who>.pem` and `-key.pem`.
    pub fn issue(&self, who: &str) -> TestCert {
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, who);
        params.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        let base = format!("{}-{who}", self.name);
        let cert_path = self.dir.join(format!("{base}.pem"));
        let key_path = self.dir.join(format!("{base}-key.pem"));
        std::fs::write(&cert_path, cert.pem()).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600)).unwrap();
        TestCert {
            cert: cert_path,
            key: key_path,
        }
    }
}

impl TestCert {
    /// The flags that make a server serve TLS clients on `port` with this
    /// certificate.
    pub fn client_port_flags(&self, port: u16) -> Vec<String> {
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        vec![
            "--tls-cert".to_owned(),
            path(&self.cert),
            "--tls-key".to_owned(),
            path(&self.key),
            "--tls-client-port".to_owned(),
            port.to_string(),
        ]
    }

    /// The flags that make a server link over mutual TLS with this
    /// certificate, trusting `ca_pem`.
    pub fn mesh_flags(&self, ca_pem: &Path) -> Vec<String> {
        let path = |p: &Path| p.to_str().unwrap().to_owned();
        vec![
            "--tls-mesh".to_owned(),
            "--tls-cert".to_owned(),
            path(&self.cert),
            "--tls-key".to_owned(),
            path(&self.key),
            "--tls-ca".to_owned(),
            path(ca_pem),
        ]
    }
}
