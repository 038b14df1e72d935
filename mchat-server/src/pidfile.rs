//! The pidfile: one running server per host and client port, and `stop`.
//!
//! The file is locked (`flock`) for the server's whole life, so a second
//! `start` is refused while the first runs, and a pidfile whose lock nobody
//! holds is known to be stale.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::error::Error;

/// A locked pidfile, removed when the server shuts down.
#[derive(Debug)]
pub struct Pidfile {
    path: PathBuf,
    file: Flock<File>,
}

fn pidfile_error(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Pidfile {
        path: path.to_owned(),
        source,
    }
}

fn open(path: &Path) -> Result<File, Error> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(pidfile_error(path))
}

/// The whole file: the pid on the first line, then `monitor HOST:PORT`
/// if the server has one.
fn read_text(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.seek(SeekFrom::Start(0));
    let _ = file.read_to_string(&mut text);
    text
}

fn read_pid(file: &mut File) -> String {
    read_text(file)
        .lines()
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

/// The monitoring address the server holding `path` wrote, if any.
pub fn monitor_of(path: &Path) -> Result<Option<std::net::SocketAddr>, Error> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotRunning(path.to_owned()));
        }
        Err(source) => return Err(pidfile_error(path)(source)),
    };
    Ok(read_text(&mut file)
        .lines()
        .find_map(|l| l.strip_prefix("monitor "))
        .and_then(|addr| addr.trim().parse().ok()))
}

impl Pidfile {
    /// Takes the pidfile, or says which server holds it.
    pub fn acquire(path: &Path) -> Result<Self, Error> {
        let file = open(path)?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(file) => Ok(Self {
                path: path.to_owned(),
                file,
            }),
            Err((mut file, Errno::EWOULDBLOCK)) => Err(Error::AlreadyRunning {
                pid: read_pid(&mut file),
                path: path.to_owned(),
            }),
            Err((_, errno)) => Err(Error::Pidfile {
                path: path.to_owned(),
                source: errno.into(),
            }),
        }
    }

    /// Records this process's pid (after daemonizing, the daemon's) and
    /// where its monitoring endpoints are, for `status`.
    pub fn write_pid(&mut self, monitor: Option<std::net::SocketAddr>) -> Result<(), Error> {
        let pid = std::process::id();
        let file: &mut File = &mut self.file;
        let monitor = monitor
            .map(|m| format!("monitor {m}\n"))
            .unwrap_or_default();
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)).map(drop))
            .and_then(|()| write!(file, "{pid}\n{monitor}"))
            .and_then(|()| file.flush())
            .map_err(pidfile_error(&self.path))
    }

    /// Removes the file; the lock goes when the handle does.
    pub fn remove(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// `stop`: signals the server holding `path` with SIGTERM and waits up to
/// `wait` for it to exit. Returns its pid.
/// How long `stop` waits for the server to exit, unless told otherwise.
pub const DEFAULT_STOP_WAIT: Duration = Duration::from_secs(10);

pub fn stop(path: &Path, wait: Duration) -> Result<i32, Error> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::NotRunning(path.to_owned()));
        }
        Err(source) => {
            return Err(Error::Pidfile {
                path: path.to_owned(),
                source,
            });
        }
    };
    let text = read_pid(&mut file);
    // Nobody holds the lock: the server is gone and left its pidfile behind.
    if let Ok(lock) = Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        drop(lock);
        let _ = std::fs::remove_file(path);
        return Err(Error::Stale(path.to_owned()));
    }
    let pid: i32 = text.parse().map_err(|_| Error::Invalid {
        what: "pidfile content",
        value: text.clone(),
        why: "not a process id".into(),
    })?;
    kill(Pid::from_raw(pid), Signal::SIGTERM).map_err(|source| Error::Signal { pid, source })?;
    let deadline = Instant::now() + wait;
    // Polling the process table is the only portable way to wait for a
    // process that is not our child.
    while Instant::now() < deadline {
        match kill(Pid::from_raw(pid), None) {
            Err(Errno::ESRCH) => return Ok(pid),
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    Err(Error::StillRunning {
        pid,
        secs: wait.as_secs(),
    })
}
