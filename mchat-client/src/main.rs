//! `mchat-client`: the mChat terminal client.
//!
//! On a terminal it is interactive: a line editor keeps what you are typing
//! intact while messages arrive above it. With stdin from a file or a pipe
//! it is scripted: one command per line, one plain line per event on
//! stdout; `wait <seconds>` pauses the script while events keep printing,
//! and the client exits at the end of the script.

mod connect;
mod display;
mod input;
mod session;

use std::io::IsTerminal;
use std::process::ExitCode;

use argh::FromArgs;
use input::Mode;
use mchat_core::client::{ClientConfig, Command};
use mchat_core::wire::Nick;

/// The mChat terminal client.
#[derive(FromArgs, Debug)]
struct Cli {
    /// print nothing (for scripted testing, as the original's -d)
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
    let mut config = ClientConfig::default();
    if let Some(nick) = &cli.nick {
        match Nick::new(nick.as_str()) {
            Ok(nick) => config.nick = nick,
            Err(e) => {
                eprintln!("mchat-client: bad nick {nick:?}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let connect = match cli.server.as_slice() {
        [] => None,
        [host, port] => match Command::parse(&format!("connect {host} {port}")) {
            Ok(command) => Some(command),
            Err(e) => {
                eprintln!("mchat-client: {e}");
                return ExitCode::FAILURE;
            }
        },
        other => {
            eprintln!("mchat-client: give the server as <host> <port>, got {other:?}");
            return ExitCode::FAILURE;
        }
    };
    let mode = if std::io::stdin().is_terminal() {
        Mode::Terminal
    } else {
        Mode::Script
    };
    let (lines, printer) = match input::start(mode, cli.quiet) {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("mchat-client: cannot read the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    smol::block_on(session::run(config, connect, lines, printer));
    ExitCode::SUCCESS
}
