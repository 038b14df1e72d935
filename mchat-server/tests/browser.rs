//! The browser client in a real browser: headless Chromium driven by
//! Selenium through chromedriver (Debian's `chromium`, `chromium-driver`
//! and `python3-selenium`, which `.ci/run` installs), the scenario in
//! tests/support/browser.py; a screenshot of the chat is left at
//! target/tmp/browser-chat.png.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::process::Command;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/browser.py");

#[test]
fn two_browsers_and_a_terminal_chat_across_a_mesh_and_the_pages_come_back_after_a_restart() {
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-chat.png");
    let _ = std::fs::remove_file(&screenshot);
    let out = Command::new("/usr/bin/python3")
        .arg(SCRIPT)
        .env("MCHAT_SERVER", support::BIN)
        .env("MCHAT_CLIENT", testkit::workspace_bin("mchat-client"))
        .env("SCREENSHOT", &screenshot)
        .env("WORK", support::scratch("browser"))
        .output()
        .expect("python3 runs the browser test (apt-get install chromium chromium-driver python3-selenium)");
    let said = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert!(
        out.status.success(),
        "the browser scenario failed:\n{}\n{}",
        said(&out.stdout),
        said(&out.stderr)
    );
    assert!(
        said(&out.stdout).contains("\"ok\": true"),
        "{}",
        said(&out.stdout)
    );
    let png = std::fs::read(&screenshot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG"),
        "no screenshot at {}",
        screenshot.display()
    );
}

#[test]
fn the_pages_protocol_arithmetic_matches_the_shared_vectors_under_node() {
    let test = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/support/protocol.test.js"
    );
    let out = Command::new("node")
        .arg(test)
        .output()
        .expect("node runs the web client's protocol tests");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
