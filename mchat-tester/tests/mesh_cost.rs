//! `load --spawn-mesh`: the tester starts a mesh of real servers, every
//! peer link through its counting relays, and reports what the links carry.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;

use support::{figure, figures_of};

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

#[test]
fn a_spawned_mesh_reports_what_its_peer_links_carry() {
    let server = testkit::workspace_bin("mchat-server");
    let f = figures_of(
        Command::new(TESTER)
            .args(["load", "--spawn-mesh", "3", "--server-bin"])
            .arg(&server)
            .args(["--room-spread", "2", "--rooms", "3", "--receivers", "6"])
            .args(["--senders", "3", "--messages", "200", "--json"]),
    );
    // One sender and two receivers (on two servers) per room: 3 × 200 × 2.
    assert_eq!(figure(&f, "expected"), 1200.0);
    assert_eq!(figure(&f, "delivered"), 1200.0);
    assert_eq!(figure(&f, "lost"), 0.0);
    assert_eq!(figure(&f, "duplicated"), 0.0);
    assert_eq!(figure(&f, "room_spread"), 2.0);
    assert_eq!(figure(&f, "mesh_servers"), 3.0);
    assert_eq!(figure(&f, "peer_links"), 3.0);
    // Sender s sits on server s, room s's receivers on servers s and s+1:
    // each of the 600 lines crosses at least the link to server s+1,
    // whether the servers send it to every peer or only to interested ones.
    let lines = figure(&f, "peer_link_lines");
    assert!(lines >= 600.0, "{f:?}");
    // A line on a link is at least the MSG itself, about 100 bytes here.
    assert!(figure(&f, "peer_link_bytes") >= lines * 50.0, "{f:?}");
    let per_delivery = figure(&f, "peer_lines_per_delivery");
    assert!((per_delivery - lines / 1200.0).abs() < 1e-3, "{f:?}");
    assert!(
        figure(&f, "peer_bytes_per_delivery") > per_delivery,
        "{f:?}"
    );
    // The mesh's own servers are measured.
    assert!(figure(&f, "server_rss_kib") > 0.0, "{f:?}");
}

#[test]
fn spawned_servers_get_the_extra_flags_and_a_bad_one_is_reported() {
    let server = testkit::workspace_bin("mchat-server");
    let out = Command::new(TESTER)
        .args(["load", "--spawn-mesh", "2", "--server-bin"])
        .arg(&server)
        .args(["--server-arg", "--no-such-flag", "--messages", "10"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("load: --spawn-mesh: server 0 did not start"),
        "{err}"
    );
    assert!(err.contains("--no-such-flag"), "{err}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn a_room_spread_over_given_servers_delivers_everything_without_peer_figures() {
    // One server named twice: two "servers" for the placement, one process.
    let server = testkit::ServerProc::local_unlimited("spread");
    let addr = format!("127.0.0.1:{}", server.client_port);
    let f = figures_of(
        Command::new(TESTER)
            .args(["load", "--server", &addr, "--server", &addr])
            .args(["--room-spread", "2", "--rooms", "2", "--receivers", "4"])
            .args(["--senders", "4", "--messages", "100", "--json"]),
    );
    // 2 senders and 2 receivers per room: 4 × 100 × 2.
    assert_eq!(figure(&f, "delivered"), 800.0);
    assert_eq!(figure(&f, "lost"), 0.0);
    assert_eq!(figure(&f, "room_spread"), 2.0);
    // Nothing counted the links of servers the tester did not start.
    assert!(f.iter().all(|(k, _)| !k.starts_with("peer_")), "{f:?}");
}
