//! Virtual time as people read it: an offset from the run's start.

use std::fmt;
use std::time::{Duration, Instant};

/// A moment of a run, shown as `t=12.345s` from its start, to the nearest
/// millisecond as the trace shows it. (An `Instant` means nothing to a
/// reader: the simulator's start is an arbitrary one.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SimTime(Duration);

impl SimTime {
    /// The moment `at` of a run that began at `start`.
    pub fn at(start: Instant, at: Instant) -> Self {
        Self(at.saturating_duration_since(start))
    }

    /// The moment `elapsed` into a run.
    pub fn after(elapsed: Duration) -> Self {
        Self(elapsed)
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = (self.0.as_micros() + 500) / 1000;
        write!(f, "t={}.{:03}s", millis / 1000, millis % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_seconds_to_the_nearest_millisecond() {
        let start = Instant::now();
        let at = start + Duration::from_micros(12_345_678);
        assert_eq!(SimTime::at(start, at).to_string(), "t=12.346s");
        assert_eq!(
            SimTime::after(Duration::from_micros(12_345_499)).to_string(),
            "t=12.345s"
        );
        assert_eq!(
            SimTime::after(Duration::from_micros(59_999_600)).to_string(),
            "t=60.000s"
        );
        assert_eq!(SimTime::after(Duration::ZERO).to_string(), "t=0.000s");
        assert_eq!(
            SimTime::after(Duration::from_millis(7)).to_string(),
            "t=0.007s"
        );
    }

    #[test]
    fn a_moment_before_the_start_shows_as_the_start() {
        let start = Instant::now() + Duration::from_secs(1);
        assert_eq!(SimTime::at(start, Instant::now()).to_string(), "t=0.000s");
    }
}
