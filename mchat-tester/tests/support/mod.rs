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

/// One figure; the test fails if the report lacks it.
pub fn figure(figures: &[(String, f64)], key: &str) -> f64 {
    figures
        .iter()
        .find(|(k, _)| k == key)
        .unwrap_or_else(|| panic!("no {key} in {figures:?}"))
        .1
}
