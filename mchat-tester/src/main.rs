//! `mchat-tester`: load, failure and abuse testing for mChat servers.
// The command line is declared ahead of its implementation (issues 5 and 7).
#![allow(dead_code)]

use std::process::ExitCode;

use argh::FromArgs;

/// Load, failure and abuse testing for mChat servers.
#[derive(FromArgs, Debug)]
struct Cli {
    #[argh(subcommand)]
    command: Command,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
enum Command {
    Load(Load),
    Idle(Idle),
    Chaos(Chaos),
    Abuse(Abuse),
}

/// Drive chat traffic through servers and measure throughput and latency.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "load")]
struct Load {
    /// client address of a server, HOST:PORT (repeatable)
    #[argh(option)]
    server: Vec<String>,
}

/// Hold many idle clients and measure what they cost the server.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "idle")]
struct Idle {
    /// client address of the server, HOST:PORT
    #[argh(option)]
    server: Vec<String>,
}

/// Run a mesh of servers through crashes and link cuts, checking delivery.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "chaos")]
struct Chaos {
    /// random seed of the scenario
    #[argh(option, default = "1")]
    seed: u64,
}

/// Attack a live server with malicious and buggy clients.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "abuse")]
struct Abuse {
    /// client address of the server, HOST:PORT
    #[argh(option)]
    server: Vec<String>,
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    eprintln!("mchat-tester: {:?} is not built yet", cli.command);
    ExitCode::FAILURE
}
