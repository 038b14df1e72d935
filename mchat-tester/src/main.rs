//! `mchat-tester`: load, failure and abuse testing for mChat servers.
//!
//! `load` measures throughput, loss and latency; `idle` measures what idle
//! clients cost; `abuse` attacks a server with bad clients; `chaos` runs a
//! mesh through crashes and cut links and checks every delivery.

mod abuse;
mod chaos;
mod cli;
mod connect;
mod human;
mod idle;
mod lines;
mod load;
mod order;
mod report;
mod rng;
mod stats;
mod wire;

use std::process::ExitCode;

use cli::{Cli, Command};

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    if cli.version {
        println!("mchat-tester {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let Some(command) = cli.command else {
        eprintln!(
            "mchat-tester: a subcommand is required: load, idle, abuse or chaos (see mchat-tester --help)"
        );
        return ExitCode::FAILURE;
    };
    match run(&command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mchat-tester {e}");
            ExitCode::FAILURE
        }
    }
}

/// Why a subcommand did not run or had nothing to report.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Usage(#[from] cli::UsageError),
    #[error(transparent)]
    Load(#[from] load::LoadError),
}

fn run(command: &Command) -> Result<ExitCode, Failure> {
    let (report, json) = match command {
        Command::Load(a) => (load::run(&a.plan()?)?, a.json),
        Command::Idle(a) => (idle::run(&a.plan()?), a.json),
        Command::Chaos(c) => {
            let verdict = chaos::run(&c.plan());
            let (pass, detail) = match &verdict {
                Ok(summary) => (true, summary),
                Err(violation) => (false, violation),
            };
            if c.json {
                println!(
                    "{{\"test\": \"chaos\", \"seed\": {}, \"pass\": {pass}, \"detail\": {}}}",
                    c.seed,
                    report::json_string(detail)
                );
            } else {
                let label = if pass { "PASS" } else { "FAIL" };
                println!("{label} seed {}: {detail}", c.seed);
            }
            return Ok(if pass {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
        Command::Abuse(a) => {
            // Skipped cases are reported, not failures.
            return Ok(if abuse::run(&a.plan()).failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            });
        }
    };
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    Ok(ExitCode::SUCCESS)
}
