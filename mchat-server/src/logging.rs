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

/// The level kept without `--log-level` or `RUST_LOG`.
pub const DEFAULT_LEVEL: log::LevelFilter = log::LevelFilter::Info;

/// Does `RUST_LOG` decide the levels (and `--log-level` not)?
pub fn env_decides() -> bool {
    std::env::var_os("RUST_LOG").is_some_and(|v| !v.is_empty())
}

/// Sends `log` records to `file`, at `level` unless `RUST_LOG` says
/// otherwise, and logs panics before the process dies.
pub fn init(file: RotatingFile, level: log::LevelFilter) {
    let mut builder = env_logger::Builder::new();
    // Everything passes the logger itself: the level is log's global
    // maximum, which a reload can change.
    builder
        .filter_level(log::LevelFilter::Trace)
        .parse_default_env()
        .format_timestamp_millis()
        .target(env_logger::Target::Pipe(Box::new(file)));
    // A second init (tests) keeps the first logger; nothing to do then.
    let _ = builder.try_init();
    set_level(level);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        log::error!("panic: {info}");
        default_hook(info);
    }));
}

/// Keeps log lines of `level` and more severe from now on, unless
/// `RUST_LOG` decides.
pub fn set_level(level: log::LevelFilter) {
    if !env_decides() {
        log::set_max_level(level);
    }
}
