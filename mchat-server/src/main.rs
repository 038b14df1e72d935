//! `mchat-server`: the mChat server binary.
// The command line is declared ahead of its implementation (issues 5 and 7).
#![allow(dead_code)]

use std::process::ExitCode;

use argh::FromArgs;

/// The mChat server: relays room messages to its clients and across a full
/// mesh of servers.
#[derive(FromArgs, Debug)]
struct Cli {
    #[argh(subcommand)]
    command: Command,
}

#[derive(FromArgs, Debug)]
#[argh(subcommand)]
enum Command {
    Start(Start),
    Stop(Stop),
}

/// Start a server; with a peer address it joins that server's network.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "start")]
struct Start {
    /// stay in the foreground instead of becoming a daemon, logging to stderr too
    #[argh(switch)]
    non_daemon: bool,
    /// host to listen on: a DNS name or an IPv4/IPv6 literal
    #[argh(positional)]
    host: String,
    /// port for client connections
    #[argh(positional)]
    client_port: u16,
    /// port for server connections
    #[argh(positional)]
    server_port: u16,
    /// an existing server to join: its host and server port
    #[argh(positional, arg_name = "peer_host peer_port")]
    peer: Vec<String>,
}

/// Stop the server started with this host and client port.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "stop")]
struct Stop {
    /// host the server was started with
    #[argh(positional)]
    host: String,
    /// client port the server was started with
    #[argh(positional)]
    client_port: u16,
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    match cli.command {
        Command::Start(start) => {
            eprintln!(
                "mchat-server: cannot start {}:{}: the socket driver is not built yet",
                start.host, start.client_port
            );
            ExitCode::FAILURE
        }
        Command::Stop(stop) => {
            eprintln!(
                "mchat-server: no server runs for {}:{}",
                stop.host, stop.client_port
            );
            ExitCode::FAILURE
        }
    }
}
