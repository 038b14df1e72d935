//! `mchat-tester abuse`: malicious and buggy clients against a live server,
//! each next to a probe pair that keeps chatting. A case passes when the
//! probe never pauses for more than a second, the server answers as
//! PROTOCOL.md §6 says, and its memory stays bounded.

mod bad_lines;
mod case;
mod conversation;
mod fake_servers;
mod floods;
mod handshakes;
mod probe;
mod table;
mod tls;
mod verdict;
mod websocket;

use smol::LocalExecutor;

use crate::report::json_string;
use verdict::{Totals, Verdict};

#[derive(Clone, Debug)]
pub struct Plan {
    pub server: String,
    /// The server port, for the cases that pose as servers.
    pub server_port: Option<u16>,
    /// The TLS client port, for the TLS cases.
    pub tls: Option<Tls>,
    /// The `--ws` listener's port, for the WebSocket cases.
    pub ws_port: Option<u16>,
    pub pid: Option<u32>,
    /// The network's mesh secret, to pose as a real server.
    pub mesh_secret: Option<mchat_core::server::MeshSecret>,
    pub max_rss_kib: u64,
    /// Print the cases as one JSON line before the totals.
    pub json: bool,
}

/// The server's TLS client port (on `server`'s host) and the roots its
/// certificate is checked against.
#[derive(Clone, Debug)]
pub struct Tls {
    pub port: u16,
    pub roots: std::sync::Arc<rustls::ClientConfig>,
}

/// Runs every case; prints a line each, then `N passed, N failed, N skipped`.
pub fn run(plan: &Plan) -> Totals {
    let ex = LocalExecutor::new();
    smol::block_on(ex.run(run_on(&ex, plan)))
}

async fn run_on(ex: &LocalExecutor<'_>, plan: &Plan) -> Totals {
    let mut totals = Totals::default();
    let mut json = Vec::new();
    for (index, case) in table::CASES.iter().enumerate() {
        let verdict = case::run(ex, plan, case, index).await;
        totals.count(&verdict);
        if plan.json {
            json.push(format!(
                "{{\"case\": \"{}\", \"verdict\": \"{}\", \"pass\": {}, \"detail\": {}}}",
                case.name,
                verdict.word(),
                matches!(verdict, Verdict::Passed(_)),
                json_string(verdict.detail())
            ));
        } else {
            println!("{} {}: {}", verdict.label(), case.name, verdict.detail());
        }
    }
    if plan.json {
        println!(
            "{{\"test\": \"abuse\", \"passed\": {}, \"failed\": {}, \"skipped\": {}, \"cases\": [{}]}}",
            totals.passed,
            totals.failed,
            totals.skipped,
            json.join(", ")
        );
    }
    println!("{totals}");
    totals
}
