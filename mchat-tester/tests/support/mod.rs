//! What the tester's tests share: reading the figures of a `--json` report.

#![allow(dead_code, reason = "each test file uses some of it")]

/// The numeric figures of a `--json` report, by name.
pub fn figures(json: &str) -> Vec<(String, f64)> {
    json.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .split(", ")
        .filter_map(|kv| {
            let (k, v) = kv.split_once(": ")?;
            Some((k.trim_matches('"').to_owned(), v.parse().ok()?))
        })
        .collect()
}

/// Runs a tester command that must succeed and reads its `--json`
/// figures; a failure shows what it printed on both streams.
#[allow(clippy::unwrap_used, clippy::panic, reason = "test support")]
pub fn figures_of(command: &mut std::process::Command) -> Vec<(String, f64)> {
    let out = command.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    figures(&text)
}

/// One figure; the test fails if the report lacks it.
pub fn figure(figures: &[(String, f64)], key: &str) -> f64 {
    figures
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {figures:?}"))
        .1
}
