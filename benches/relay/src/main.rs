//! `mchat-relay`: the floor `mchat-server` is measured against (issue 20).
//!
//! One thread and one epoll set; every socket is read, and each complete
//! line read is written to every other socket as it is, without parsing.
//! The kernel's copies are the work both pay; what the server spends beyond
//! them is what `scripts/perf.sh` shows as its ratio to this.
//!
//! To be driven by `mchat-tester load`, a new connection's first lines are
//! its hello (`NICK`, then `JOIN`), answered with the join notice the tester
//! waits for; from then on the relay knows no protocol: there is one room,
//! no heartbeat, nothing refused.
//!
//! ```sh
//! cargo build --release -p mchat-relay
//! target/release/mchat-relay --port 19081
//! ```

mod conn;
mod hello;
mod relay;

use std::net::TcpListener;
use std::process::ExitCode;

use argh::FromArgs;

/// A one-thread relay of lines to every other socket: the benchmark floor.
#[derive(FromArgs)]
struct Cli {
    /// the address to listen on (default 127.0.0.1)
    #[argh(option, default = "String::from(\"127.0.0.1\")")]
    host: String,
    /// the port to listen on (0: any free one, printed)
    #[argh(option)]
    port: u16,
}

fn main() -> ExitCode {
    let cli: Cli = argh::from_env();
    let listener = match TcpListener::bind((cli.host.as_str(), cli.port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!(
                "mchat-relay: cannot listen on {}:{}: {e}",
                cli.host, cli.port
            );
            return ExitCode::FAILURE;
        }
    };
    match listener.local_addr() {
        Ok(addr) => println!("mchat-relay listening on {addr}"),
        Err(e) => eprintln!("mchat-relay: {e}"),
    }
    match relay::Relay::new(listener).and_then(|mut relay| relay.run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mchat-relay: {e}");
            ExitCode::FAILURE
        }
    }
}
