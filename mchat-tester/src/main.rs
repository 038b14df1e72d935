//! `mchat-tester`: load, failure and abuse testing for mChat servers.
//!
//! `load` measures throughput, loss and latency; `idle` measures what idle
//! clients cost; `abuse` attacks a server with bad clients; `chaos` runs a
//! mesh through crashes and cut links and checks every delivery.

mod abuse;
mod chaos;
mod connect;
mod idle;
mod lines;
mod load;
mod order;
mod report;
mod stats;

use std::process::ExitCode;
use std::time::Duration;

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

/// Drive chat traffic through servers and measure throughput, loss and latency.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "load")]
struct Load {
    /// client address of a server, HOST:PORT (repeatable: receivers spread over them, senders on the first)
    #[argh(option)]
    server: Vec<String>,
    /// receiving clients (default 50)
    #[argh(option, default = "50")]
    receivers: usize,
    /// sending clients (default 1)
    #[argh(option, default = "1")]
    senders: usize,
    /// rooms (default 1)
    #[argh(option, default = "1")]
    rooms: usize,
    /// lines per sender (default 100000)
    #[argh(option, default = "100_000")]
    messages: u64,
    /// stop sending after this many seconds
    #[argh(option)]
    duration: Option<f64>,
    /// lines per second per sender (default 0: as fast as the window allows)
    #[argh(option, default = "0.0")]
    rate: f64,
    /// lines a sender may be ahead of its room's first receiver (default 1000; 0: no window)
    #[argh(option, default = "1000")]
    window: u64,
    /// bytes of text per line (default 86)
    #[argh(option, default = "86")]
    text_size: usize,
    /// pid of the server, to report its CPU time and memory
    #[argh(option)]
    pid: Option<u32>,
    /// print JSON
    #[argh(switch)]
    json: bool,
}

/// Hold many idle clients and measure what they cost the server.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "idle")]
struct Idle {
    /// client address of a server, HOST:PORT (repeatable)
    #[argh(option)]
    server: Vec<String>,
    /// clients (default 1000)
    #[argh(option, default = "1000")]
    clients: usize,
    /// rooms they join (default 10)
    #[argh(option, default = "10")]
    rooms: usize,
    /// seconds to hold them (default 10)
    #[argh(option, default = "10.0")]
    hold: f64,
    /// pid of the server, to report its memory
    #[argh(option)]
    pid: Option<u32>,
    /// print JSON
    #[argh(switch)]
    json: bool,
}

/// Start a mesh of mchat-server processes behind relays, cut and heal links,
/// kill and restart servers while clients chat, and check every delivery.
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "chaos")]
struct Chaos {
    /// the mchat-server binary to run
    #[argh(option)]
    server_bin: String,
    /// servers in the mesh (default 5)
    #[argh(option, default = "5")]
    servers: usize,
    /// chatting clients on each server (default 2)
    #[argh(option, default = "2")]
    clients_per_server: usize,
    /// seconds of failures (default 60)
    #[argh(option, default = "60.0")]
    duration: f64,
    /// random seed of the scenario (default 1)
    #[argh(option, default = "1")]
    seed: u64,
    /// print the verdict as JSON
    #[argh(switch)]
    json: bool,
}

/// Attack a live server with malicious and buggy clients, next to a probe
/// that keeps chatting; one line per case, then "N passed, N failed".
#[derive(FromArgs, Debug)]
#[argh(subcommand, name = "abuse")]
struct Abuse {
    /// client address of the server, HOST:PORT
    #[argh(option)]
    server: Vec<String>,
    /// the server's server port, for the cases that pose as servers
    #[argh(option)]
    server_port: Option<u16>,
    /// pid of the server, to watch its memory
    #[argh(option)]
    pid: Option<u32>,
    /// the memory the server may reach, MiB (default 256)
    #[argh(option, default = "256")]
    max_rss_mib: u64,
    /// print the cases as JSON (the last line stays "N passed, N failed")
    #[argh(switch)]
    json: bool,
}

fn servers_or_default(servers: Vec<String>) -> Vec<String> {
    if servers.is_empty() {
        vec!["127.0.0.1:6061".to_owned()]
    } else {
        servers
    }
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    let (report, json) = match cli.command {
        Command::Load(a) => {
            let plan = load::Plan {
                servers: servers_or_default(a.server),
                receivers: a.receivers,
                senders: a.senders,
                rooms: a.rooms.max(1),
                messages: if a.duration.is_some() && a.messages == 100_000 {
                    u64::MAX
                } else {
                    a.messages
                },
                duration: a.duration.map(Duration::from_secs_f64),
                rate: a.rate,
                window: a.window,
                text_size: a.text_size,
                pid: a.pid,
            };
            (load::run(&plan), a.json)
        }
        Command::Idle(a) => {
            let plan = idle::Plan {
                servers: servers_or_default(a.server),
                clients: a.clients,
                rooms: a.rooms.max(1),
                hold: Duration::from_secs_f64(a.hold.max(0.0)),
                pid: a.pid,
            };
            (idle::run(&plan), a.json)
        }
        Command::Chaos(c) => {
            let plan = chaos::Plan {
                server_bin: c.server_bin.into(),
                servers: c.servers.max(2),
                clients_per_server: c.clients_per_server.max(1),
                duration: Duration::from_secs_f64(c.duration.max(0.0)),
                seed: c.seed,
            };
            let verdict = chaos::run(&plan);
            let (pass, detail) = match &verdict {
                Ok(summary) => (true, summary.clone()),
                Err(violation) => (false, violation.clone()),
            };
            if c.json {
                let detail = detail.replace('\\', "\\\\").replace('"', "\\\"");
                println!(
                    "{{\"test\": \"chaos\", \"seed\": {}, \"pass\": {pass}, \"detail\": \"{detail}\"}}",
                    c.seed
                );
            } else {
                println!(
                    "{} seed {}: {detail}",
                    if pass { "PASS" } else { "FAIL" },
                    c.seed
                );
            }
            return if pass {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        Command::Abuse(a) => {
            let plan = abuse::Plan {
                server: servers_or_default(a.server).swap_remove(0),
                server_port: a.server_port,
                pid: a.pid,
                max_rss_kib: a.max_rss_mib * 1024,
                json: a.json,
            };
            return if abuse::run(&plan) == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    if json {
        println!("{}", report.json());
    } else {
        print!("{}", report.table());
    }
    ExitCode::SUCCESS
}
