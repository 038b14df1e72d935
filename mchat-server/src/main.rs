//! `mchat-server`: the mChat server binary. `start` runs a server (as a
//! daemon unless `--non-daemon`), `stop` stops one through its pidfile,
//! `status` tells how one is doing through its monitor.
//! This file only parses the command line and dispatches.

mod cli;
mod config_file;
mod daemon;
mod driver;
mod error;
mod http;
mod listen;
mod logging;
mod monitor;
mod pidfile;
mod secret;
mod start;
mod status;
mod tls;
mod web;

use std::process::ExitCode;

use cli::{Cli, Command, Stop, default_pidfile};
use error::Error;

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    if cli.version {
        println!("mchat-server {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let result = match cli.command {
        Some(Command::Start(start)) => start::start_server(start),
        Some(Command::Stop(stop)) => stop_server(&stop),
        Some(Command::Status(status)) => status::show(&status),
        None => Err(Error::NoCommand),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mchat-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn stop_server(stop: &Stop) -> Result<(), Error> {
    let path = stop
        .pidfile
        .clone()
        .unwrap_or_else(|| default_pidfile(&stop.host, stop.client_port));
    let pid = pidfile::stop(&path, stop.wait())?;
    println!("mchat-server: stopped the server (pid {pid})");
    Ok(())
}
