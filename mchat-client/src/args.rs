//! The command line: the options the client takes, and the configuration
//! and first command they make.

use argh::FromArgs;
use mchat_core::client::{ClientConfig, Command, CommandError};
use mchat_core::wire::{FieldError, Nick};

use crate::display::escape;

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
