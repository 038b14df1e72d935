//! Becoming a daemon as the original does (a double fork and a new
//! session), but with a pipe back to the process the user started, so that
//! `start` returns only once the daemon runs — or says why it could not.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;

use nix::unistd::{ForkResult, fork, setsid};

use crate::error::Error;

/// The daemon's end of the pipe: say "ready" or why not.
pub struct Ready(File);

impl Ready {
    /// Tells the waiting `start` that the daemon runs.
    pub fn ok(mut self) {
        let _ = self.0.write_all(b"ok");
    }

    /// Tells the waiting `start` why the daemon gives up.
    pub fn fail(mut self, why: &str) {
        let _ = self.0.write_all(why.as_bytes());
    }
}

/// Forks into the background. Only the daemon returns; the process the user
/// started waits for its word and exits with it. Call before any thread
/// exists.
pub fn daemonize() -> Result<Ready, Error> {
    let (read, write): (OwnedFd, OwnedFd) = nix::unistd::pipe().map_err(Error::Daemon)?;
    // SAFETY: called from `main` before any other thread exists, so the
    // child is a complete copy of a single-threaded process.
    #[allow(unsafe_code)]
    match unsafe { fork() }.map_err(Error::Daemon)? {
        ForkResult::Parent { .. } => {
            drop(write);
            let mut word = String::new();
            let _ = File::from(read).read_to_string(&mut word);
            // Exit without running destructors: the pidfile lock and the
            // sockets now belong to the daemon.
            if word == "ok" {
                std::process::exit(0);
            }
            let why = if word.is_empty() {
                "the daemon died while starting".to_owned()
            } else {
                word
            };
            eprintln!("mchat-server: {why}");
            std::process::exit(1);
        }
        ForkResult::Child => {}
    }
    drop(read);
    setsid().map_err(Error::Daemon)?;
    // SAFETY: as above; still a single thread.
    #[allow(unsafe_code)]
    if let ForkResult::Parent { .. } = unsafe { fork() }.map_err(Error::Daemon)? {
        // The session leader goes; its child can never regain a terminal.
        std::process::exit(0);
    }
    let null = File::options().read(true).write(true).open("/dev/null")?;
    nix::unistd::dup2_stdin(&null).map_err(Error::Daemon)?;
    nix::unistd::dup2_stdout(&null).map_err(Error::Daemon)?;
    nix::unistd::dup2_stderr(&null).map_err(Error::Daemon)?;
    Ok(Ready(File::from(write)))
}
