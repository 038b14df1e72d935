//! The command line itself: `--version`, and the refusals that keep a bare
//! invocation from attacking whatever server happens to listen.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

fn tester(args: &[&str]) -> Output {
    Command::new(TESTER).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn version_prints_the_package_version() {
    let out = tester(&["--version"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!("mchat-tester {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_subcommand_is_required_without_version() {
    let out = tester(&[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("a subcommand is required"), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn load_and_idle_refuse_to_run_without_a_server() {
    for subcommand in ["load", "idle"] {
        let out = tester(&[subcommand]);
        assert!(!out.status.success(), "{subcommand} ran without --server");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("{subcommand}: --server HOST:PORT is required")),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}

#[test]
fn abuse_refuses_to_run_without_a_server() {
    let out = tester(&["abuse"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("--server"), "{err}");
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
}

#[test]
fn load_refuses_a_text_size_whose_lines_the_server_must_refuse() {
    // Port 1: were the plan not refused first, the connect would fail.
    let out = tester(&["load", "--server", "127.0.0.1:1", "--text-size", "2000"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("--text-size 2000 makes lines the server must refuse"),
        "{err}"
    );
    assert!(!err.contains("connecting to"), "{err}");
}

#[test]
fn load_refuses_spawn_mesh_flags_that_do_not_go_together() {
    for (args, says) in [
        (
            &["load", "--server", "127.0.0.1:1", "--spawn-mesh", "3"][..],
            "--server and --spawn-mesh exclude each other",
        ),
        (
            &["load", "--spawn-mesh", "3"],
            "--spawn-mesh needs --server-bin PATH",
        ),
        (
            &["load", "--server", "127.0.0.1:1", "--server-arg", "--x"],
            "--server-bin and --server-arg are for --spawn-mesh",
        ),
        (
            &[
                "load",
                "--spawn-mesh",
                "2",
                "--server-bin",
                "/nonexistent",
                "--room-spread",
                "3",
            ],
            "--room-spread 3 needs 1 to 2",
        ),
        (
            &["load", "--server", "127.0.0.1:1", "--room-spread", "0"],
            "--room-spread 0 needs 1 to 1",
        ),
    ] {
        let out = tester(args);
        assert!(!out.status.success(), "{args:?} ran");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}

#[test]
fn tls_flags_that_do_not_go_together_are_refused_before_any_connect() {
    // Port 1: were the plan not refused first, the connect would fail.
    for (args, says) in [
        (
            &["load", "--server", "127.0.0.1:1", "--ca", "ca.pem"][..],
            "load: --ca is for --tls",
        ),
        (
            &["idle", "--server", "127.0.0.1:1", "--ca", "ca.pem"],
            "idle: --ca is for --tls",
        ),
        (
            &["abuse", "--server", "127.0.0.1:1", "--ca", "ca.pem"],
            "abuse: --ca is for --tls-port",
        ),
        (
            &["load", "--spawn-mesh", "2", "--server-bin", "/x", "--tls"],
            "--tls is for --server",
        ),
        (
            &[
                "idle",
                "--server",
                "127.0.0.1:1",
                "--tls",
                "--ca",
                "/nonexistent.pem",
            ],
            "idle: --ca /nonexistent.pem: ",
        ),
    ] {
        let out = tester(args);
        assert!(!out.status.success(), "{args:?} ran");
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("connecting to"), "{err}");
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}

#[test]
fn negative_times_are_taken_as_none_not_a_panic() {
    // Nothing listens on port 1: the run ends at its first connect.
    for flag in ["--duration", "--report-every"] {
        let out = tester(&[
            "load",
            "--server",
            "127.0.0.1:1",
            flag,
            "-1",
            "--messages",
            "1",
        ]);
        let err = text(&out.stderr);
        assert!(!err.contains("panicked"), "{flag} -1: {err}");
        assert!(err.contains("could connect"), "{flag} -1: {err}");
    }
}
