//! The command line: the options the client takes, and the configuration
//! and first command they make.

use argh::FromArgs;
use mchat_core::client::{ClientConfig, Command, CommandError};
use mchat_core::wire::{FieldError, Nick};

use crate::display::escape;
use crate::input::Options;

/// The mChat terminal client.
#[derive(FromArgs, Debug)]
pub struct Cli {
    /// print nothing (for scripted testing, as the original's -d)
    #[argh(switch, short = 'd')]
    pub quiet: bool,
    /// nick to use (default mChatter)
    #[argh(option)]
    nick: Option<String>,
    /// print the version and exit
    #[argh(switch)]
    pub version: bool,
    /// PEM file of the CA certificate(s) that `connect tls://` checks the
    /// server against (default: the system's roots)
    #[argh(option)]
    pub ca: Option<std::path::PathBuf>,
    /// do not reconnect by itself when the server is lost (by default it
    /// tries again after 1 s, doubling to 30 s, and joins its rooms again)
    #[argh(switch)]
    no_reconnect: bool,
    /// put the local time (HH:MM) before each line shown; the default on a
    /// terminal unless NO_TIMESTAMPS is set
    #[argh(switch)]
    timestamps: bool,
    /// no times before the lines shown
    #[argh(switch)]
    no_timestamps: bool,
    /// file that keeps the lines typed between runs (default on a terminal:
    /// mchat/history in $XDG_DATA_HOME or ~/.local/share); joinprivate
    /// lines, which hold a password, are never kept
    #[argh(option)]
    history: Option<std::path::PathBuf>,
    /// keep no history of typed lines
    #[argh(switch)]
    no_history: bool,
    /// server to connect to at start: its host (DNS name, IPv4 or IPv6) and client port
    #[argh(positional, arg_name = "host port")]
    server: Vec<String>,
}

/// Why the command line cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ArgsError {
    /// `--nick` is no valid nick.
    #[error("the nick '{}' {source}", escape(.nick))]
    BadNick { nick: String, source: FieldError },
    /// Not exactly a host and a port.
    #[error("give the server as <host> <port>, got: {}", escape(&.0.join(" ")))]
    ServerArgs(Vec<String>),
    /// A host and a port that make no `connect` command.
    #[error("{0}")]
    BadServer(CommandError),
}

impl Cli {
    /// How lines are shown and kept, on a terminal or not.
    pub fn options(&self, terminal: bool) -> Options {
        let timestamps = if self.timestamps || self.no_timestamps {
            self.timestamps && !self.no_timestamps
        } else {
            terminal && std::env::var_os("NO_TIMESTAMPS").is_none_or(|v| v.is_empty())
        };
        let history = match &self.history {
            _ if self.no_history || !terminal => None,
            Some(path) => Some(path.clone()),
            None => default_history(),
        };
        Options {
            quiet: self.quiet,
            timestamps,
            history,
        }
    }

    /// The client's configuration: the default, with `--nick` if given,
    /// and no reconnect with `--no-reconnect`.
    pub fn config(&self) -> Result<ClientConfig, ArgsError> {
        let mut config = ClientConfig::default();
        match &mut config.reconnect {
            Some(_) if self.no_reconnect => config.reconnect = None,
            // Clients of one server lost together spread their returns.
            Some(policy) => policy.jitter_seed = jitter_seed(),
            None => {}
        }
        if let Some(nick) = &self.nick {
            config.nick = Nick::new(nick.as_str()).map_err(|source| ArgsError::BadNick {
                nick: nick.clone(),
                source,
            })?;
        }
        Ok(config)
    }

    /// The `connect` the server arguments ask for, if they are there.
    pub fn connect(&self) -> Result<Option<Command>, ArgsError> {
        match self.server.as_slice() {
            [] => Ok(None),
            [host, port] => Command::parse(&format!("connect {host} {port}"))
                .map(Some)
                .map_err(ArgsError::BadServer),
            other => Err(ArgsError::ServerArgs(other.to_vec())),
        }
    }
}

/// `mchat/history` in the user's data directory: `$XDG_DATA_HOME`, or
/// `~/.local/share`.
fn default_history() -> Option<std::path::PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(std::path::PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data =
        absolute("XDG_DATA_HOME").or_else(|| absolute("HOME").map(|h| h.join(".local/share")))?;
    Some(data.join("mchat").join("history"))
}

/// A seed of this process's own: the clock's nanoseconds and the pid.
fn jitter_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    u64::from(nanos) << 32 ^ u64::from(std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        Cli::from_args(&["mchat-client"], args).unwrap()
    }

    #[test]
    fn no_arguments_make_a_default_client_that_connects_nowhere() {
        let c = cli(&[]);
        assert!(!c.quiet && !c.version);
        assert_eq!(c.config().unwrap().nick.as_str(), "mChatter");
        assert_eq!(c.connect().unwrap(), None);
    }

    #[test]
    fn host_and_port_make_the_first_command() {
        let c = cli(&["-d", "--nick", "alice", "::1", "6061"]);
        assert!(c.quiet);
        assert_eq!(c.config().unwrap().nick.as_str(), "alice");
        assert_eq!(
            c.connect().unwrap(),
            Some(Command::Connect {
                host: "::1".into(),
                port: 6061,
                tls: false,
            })
        );
    }

    #[test]
    fn timestamps_are_on_at_a_terminal_and_the_switches_win() {
        assert!(cli(&[]).options(true).timestamps);
        assert!(!cli(&[]).options(false).timestamps);
        assert!(cli(&["--timestamps"]).options(false).timestamps);
        assert!(!cli(&["--no-timestamps"]).options(true).timestamps);
    }

    #[test]
    fn history_is_kept_only_at_a_terminal_unless_refused() {
        let path = |args: &[&str], terminal| cli(args).options(terminal).history;
        assert_eq!(path(&["--history", "/tmp/h"], true), Some("/tmp/h".into()));
        assert_eq!(path(&["--history", "/tmp/h"], false), None);
        assert_eq!(path(&["--history", "/tmp/h", "--no-history"], true), None);
        assert!(path(&[], false).is_none());
    }

    #[test]
    fn version_is_a_switch() {
        assert!(cli(&["--version"]).version);
    }

    #[test]
    fn wrong_arguments_are_told_plainly() {
        let text = |c: Cli| match (c.config(), c.connect()) {
            (Err(e), _) | (_, Err(e)) => e.to_string(),
            _ => panic!("accepted"),
        };
        assert_eq!(
            text(cli(&["--nick", "a b"])),
            "the nick 'a b' contains a space"
        );
        assert_eq!(
            text(cli(&["127.0.0.1"])),
            "give the server as <host> <port>, got: 127.0.0.1"
        );
        assert_eq!(
            text(cli(&["h", "1", "2"])),
            "give the server as <host> <port>, got: h 1 2"
        );
        assert_eq!(
            text(cli(&["h", "port"])),
            "connect needs: connect <host> <port> (port 1-65535)"
        );
    }
}
