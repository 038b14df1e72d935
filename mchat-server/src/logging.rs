//! The log (original document §5): `<host>_<client_port>_server.log`,
//! rotated to `.1` when it reaches its size limit, so 1–2 limits' worth is
//! kept; through `log` + `env_logger`, so `RUST_LOG` is honoured.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::Error;

/// A log file that moves itself to `<name>.1` when full.
/// The size at which the log is rotated to `.1`, unless told otherwise.
pub const DEFAULT_MAX_BYTES: u64 = 5 << 20;

pub struct RotatingFile {
    path: PathBuf,
    backup: PathBuf,
    file: File,
    written: u64,
    limit: u64,
    /// Copy every line to stderr too (the foreground mode).
    echo: bool,
}

impl RotatingFile {
    pub fn open(path: &Path, limit: u64, echo: bool) -> Result<Self, Error> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| Error::Log {
                path: path.to_owned(),
                source,
            })?;
        let written = file.metadata().map(|m| m.len()).unwrap_or(0);
        let mut backup = path.as_os_str().to_owned();
        backup.push(".1");
        Ok(Self {
            path: path.to_owned(),
            backup: PathBuf::from(backup),
            file,
            written,
            limit: limit.max(1),
            echo,
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        std::fs::rename(&self.path, &self.backup)?;
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.written = 0;
        Ok(())
    }
}

impl Write for RotatingFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.limit {
            self.rotate()?;
        }
        self.file.write_all(buf)?;
        self.written += buf.len() as u64;
        if self.echo {
            let _ = io::stderr().write_all(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

/// Sends `log` records to `file`, at `info` unless `RUST_LOG` says
/// otherwise, and logs panics before the process dies.
pub fn init(file: RotatingFile) {
    let mut builder = env_logger::Builder::new();
    builder
        .filter_level(log::LevelFilter::Info)
        .parse_default_env()
        .format_timestamp_millis()
        .target(env_logger::Target::Pipe(Box::new(file)));
    // A second init (tests) keeps the first logger; nothing to do then.
    let _ = builder.try_init();
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log::error!("panic: {info}");
        default_hook(info);
    }));
}
