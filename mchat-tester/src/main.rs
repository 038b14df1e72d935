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
mod locked;
mod mesh;
mod order;
mod report;
mod stats;
mod stream;
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
    #[error(transparent)]
    Idle(#[from] idle::IdleError),
}

fn run(command: &Command) -> Result<ExitCode, Failure> {
    Ok(match command {
        Command::Load(a) => print_report(&load::run(&a.plan()?)?, a.json),
        Command::Idle(a) => print_report(&idle::run(&a.plan()?)?, a.json),
        Command::Chaos(c) => print_chaos(c.seed, &chaos::run(&c.plan()), c.json),
        // Skipped cases are reported, not failures.
        Command::Abuse(a) => success_if(abuse::run(&a.plan()?).failed == 0),
    })
}

fn success_if(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_report(report: &report::Report, json: bool) -> ExitCode {
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    ExitCode::SUCCESS
}

/// `PASS seed 7: …` or `FAIL seed 7: …`, or the same as one JSON line.
fn print_chaos(seed: u64, verdict: &chaos::Verdict, json: bool) -> ExitCode {
    let (pass, detail) = match verdict {
        Ok(summary) => (true, summary),
        Err(violation) => (false, violation),
    };
    if json {
        println!(
            "{{\"test\": \"chaos\", \"seed\": {seed}, \"pass\": {pass}, \"detail\": {}}}",
            report::json_string(detail)
        );
    } else {
        let label = if pass { "PASS" } else { "FAIL" };
        println!("{label} seed {seed}: {detail}");
    }
    success_if(pass)
}
