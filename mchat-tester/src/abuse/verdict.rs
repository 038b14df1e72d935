//! What one case came to, and the totals of a run.

use std::fmt;

/// The outcome of one case, with what it saw or why.
#[derive(Debug)]
pub enum Verdict {
    Passed(String),
    Failed(String),
    /// Not run: the plan lacks what the case needs.
    Skipped(String),
}

impl Verdict {
    /// The case's line prefix: `PASS`, `FAIL` or `SKIP`.
    pub fn label(&self) -> &'static str {
        match self {
            Verdict::Passed(_) => "PASS",
            Verdict::Failed(_) => "FAIL",
            Verdict::Skipped(_) => "SKIP",
        }
    }

    /// The verdict in the JSON output: `passed`, `failed` or `skipped`.
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::Passed(_) => "passed",
            Verdict::Failed(_) => "failed",
            Verdict::Skipped(_) => "skipped",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Verdict::Passed(d) | Verdict::Failed(d) | Verdict::Skipped(d) => d,
        }
    }
}

/// Cases by verdict; shown as `N passed, N failed, N skipped`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    pub fn count(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Passed(_) => self.passed += 1,
            Verdict::Failed(_) => self.failed += 1,
            Verdict::Skipped(_) => self.skipped += 1,
        }
    }
}

impl fmt::Display for Totals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{Totals, Verdict};

    #[test]
    fn totals_count_each_verdict_apart() {
        let mut totals = Totals::default();
        for verdict in [
            Verdict::Passed("ok".into()),
            Verdict::Skipped("no --server-port".into()),
            Verdict::Passed("ok".into()),
            Verdict::Failed("slow".into()),
        ] {
            totals.count(&verdict);
        }
        assert_eq!(totals.to_string(), "2 passed, 1 failed, 1 skipped");
    }
}
