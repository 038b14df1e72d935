//! The mesh secret, read from its file (`--mesh-secret-file`), and the
//! randomness the core's challenges are drawn with.

use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use mchat_core::server::MeshSecret;
use mchat_core::wire::AUTH_BYTES;

use crate::error::Error;

/// The secret in `path`: its bytes, less one trailing newline. A file that
/// others may read is taken, with a warning.
pub fn read(path: &Path) -> Result<MeshSecret, Error> {
    let file_error = |source| Error::SecretFile {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::read(path).map_err(file_error)?;
    let mode = std::fs::metadata(path)
        .map_err(file_error)?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        eprintln!(
            "mchat-server: warning: {} can be read by other users; chmod 600 it",
            path.display()
        );
    }
    MeshSecret::from_file_contents(bytes).map_err(|e| Error::Secret {
        path: path.to_owned(),
        why: e.to_string(),
    })
}

/// Fresh randomness from the operating system, for the challenges.
pub fn entropy() -> Result<[u8; AUTH_BYTES], Error> {
    let mut bytes = [0u8; AUTH_BYTES];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(Error::Io)?;
    Ok(bytes)
}
