//! `mchat-client`: the mChat terminal client.
//!
//! On a terminal it is interactive: a line editor keeps what you are typing
//! intact while messages arrive above it. With stdin from a file or a pipe
//! it is scripted: one command per line, one plain line per event on
//! stdout; `wait <seconds>` pauses the script while events keep printing,
//! and the client exits at the end of the script: with status 1 if any
//! command of the script was refused.

mod args;
mod connect;
mod display;
mod input;
mod prompt;
mod session;

use std::io::IsTerminal;
use std::process::ExitCode;

use args::Cli;
use input::Mode;

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    if cli.version {
        println!("mchat-client {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let (config, connect) = match cli.config().and_then(|c| Ok((c, cli.connect()?))) {
        Ok(start) => start,
        Err(e) => {
            eprintln!("mchat-client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let trust = match connect::Trust::load(cli.ca.as_deref()) {
        Ok(trust) => trust,
        Err(e) => {
            eprintln!("mchat-client: --ca {e}");
            return ExitCode::FAILURE;
        }
    };
    let mode = if std::io::stdin().is_terminal() {
        Mode::Terminal
    } else {
        Mode::Script
    };
    let (lines, printer) = match input::start(mode, cli.options(mode == Mode::Terminal)) {
        Ok(pair) => pair,
        Err(e) => {
            eprintln!("mchat-client: cannot read the terminal: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = smol::block_on(session::run(config, connect, trust, lines, printer));
    if mode == Mode::Script && outcome.refused > 0 {
        eprintln!(
            "mchat-client: {} command(s) of the script refused",
            outcome.refused
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
