//! `mchat-client`: the mChat terminal client.

use std::process::ExitCode;

use argh::FromArgs;

/// The mChat terminal client.
#[derive(FromArgs, Debug)]
struct Cli {
    /// print nothing (for scripted testing)
    #[argh(switch, short = 'd')]
    quiet: bool,
    /// nick to use (default mChatter)
    #[argh(option)]
    nick: Option<String>,
    /// server to connect to at start: its host (DNS name, IPv4 or IPv6) and client port
    #[argh(positional, arg_name = "host port")]
    server: Vec<String>,
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    if !cli.quiet {
        eprintln!(
            "mchat-client: the terminal client is not built yet (nick {:?}, server {:?})",
            cli.nick, cli.server
        );
    }
    ExitCode::FAILURE
}
