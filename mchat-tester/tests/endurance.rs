//! The endurance run of docs/performance.md, scaled to 30 seconds for CI:
//! a 3-server mesh under steady chat loses and duplicates nothing, and
//! every server's memory holds still once the run has warmed up.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;

use support::{figure, figures};

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

/// The `every` lines' `rss_kib=a,b,c`, one row per line.
fn rss_rows(lines: &str) -> Vec<Vec<u64>> {
    lines
        .lines()
        .filter(|l| l.starts_with("every "))
        .map(|l| {
            let field = l
                .split_whitespace()
                .find_map(|f| f.strip_prefix("rss_kib="))
                .unwrap_or_else(|| panic!("no rss_kib in {l:?}"));
            field.split(',').map(|v| v.parse().unwrap()).collect()
        })
        .collect()
}

#[test]
fn a_mesh_under_steady_chat_loses_nothing_and_holds_its_memory() {
    // A tenth of the hour-long run: 1 000 clients in 100 rooms, 20 of
    // them chatting at 100 lines a second each.
    let out = Command::new(TESTER)
        .args(["load", "--spawn-mesh", "3", "--server-bin"])
        .arg(testkit::workspace_bin("mchat-server"))
        .args(["--receivers", "980", "--senders", "20", "--rooms", "100"])
        .args(["--rate", "100", "--duration", "30", "--report-every", "10"])
        .arg("--json")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}{stderr}");
    let f = figures(&stdout);
    assert!(figure(&f, "expected") > 500_000.0, "{stdout}");
    assert_eq!(figure(&f, "delivered"), figure(&f, "expected"));
    for key in [
        "lost",
        "duplicated",
        "out_of_order",
        "receivers_disconnected",
    ] {
        assert_eq!(figure(&f, key), 0.0, "{key}: {stdout}");
    }
    // A line at 10, 20 and 30 s, each with the three servers' memory.
    let rows = rss_rows(&stderr);
    assert!(rows.len() >= 3, "interval lines: {stderr}");
    assert!(rows.iter().all(|r| r.len() == 3), "{stderr}");
    let (first, last) = (&rows[0], &rows[rows.len() - 1]);
    for (server, (&then, &now)) in first.iter().zip(last).enumerate() {
        assert!(
            now * 100 <= then * 105,
            "server {server} grew from {then} KiB to {now} KiB: {stderr}"
        );
    }
}
