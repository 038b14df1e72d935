//! `--report-every`: one line per interval of a long run, for watching a
//! server hold steady (docs/performance.md, the endurance run): what was
//! delivered in the interval, its latency, and each server's memory and CPU.
//!
//! ```text
//! every  t_s=60 delivered=12000000 deliveries_per_s=200000 p99_ms=1.234 rss_kib=12300,11800,11900 cpu_pct=35.1,20.2,19.8
//! ```

use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use smol::{LocalExecutor, Task, Timer};

use super::Plan;
use super::tally::Tally;
use crate::stats;

/// Prints a line every `every` until dropped: on stdout, or on stderr when
/// stdout is the run's JSON.
pub fn spawn(
    ex: &LocalExecutor<'_>,
    plan: &Plan,
    every: Duration,
    json: bool,
    tally: &Rc<Tally>,
    start: Instant,
) -> Task<()> {
    let (tally, pids) = (tally.clone(), plan.pids.clone());
    ex.spawn(async move {
        let mut last = Interval::now(&tally, &pids);
        loop {
            Timer::after(every).await;
            let now = Interval::now(&tally, &pids);
            let line = now.line_since(&last, start);
            let _ = if json {
                writeln!(std::io::stderr(), "{line}")
            } else {
                writeln!(std::io::stdout(), "{line}")
            };
            last = now;
        }
    })
}

/// What the run and the servers stood at, at one moment.
struct Interval {
    at: Instant,
    delivered: u64,
    latency: hdrhistogram::Histogram<u64>,
    cpu: Vec<Option<f64>>,
    rss: Vec<Option<u64>>,
}

impl Interval {
    fn now(tally: &Tally, pids: &[u32]) -> Self {
        Self {
            at: Instant::now(),
            delivered: tally.delivered.get(),
            latency: tally.latency.borrow().clone(),
            cpu: pids.iter().map(|&p| stats::cpu_seconds(p)).collect(),
            rss: pids.iter().map(|&p| stats::rss_kib(p)).collect(),
        }
    }

    /// The report line of the interval from `before` to this.
    fn line_since(&self, before: &Interval, start: Instant) -> String {
        let secs = self.at.duration_since(before.at).as_secs_f64().max(1e-9);
        let delivered = self.delivered.saturating_sub(before.delivered);
        let mut latency = self.latency.clone();
        // Only this interval's deliveries: the run's histogram so far, less
        // the one at the interval's start.
        let p99 = match latency.subtract(&before.latency) {
            Ok(()) if !latency.is_empty() => {
                format!("{:.3}", latency.value_at_quantile(0.99) as f64 / 1000.0)
            }
            _ => "-".to_owned(),
        };
        let cpu: Vec<String> = self
            .cpu
            .iter()
            .zip(&before.cpu)
            .map(|(now, then)| match (now, then) {
                (Some(now), Some(then)) => format!("{:.1}", (now - then) / secs * 100.0),
                _ => "-".to_owned(),
            })
            .collect();
        let rss: Vec<String> = self
            .rss
            .iter()
            .map(|r| r.map_or_else(|| "-".to_owned(), |r| r.to_string()))
            .collect();
        let mut line = format!(
            "every  t_s={:.0} delivered={delivered} deliveries_per_s={:.0} p99_ms={p99}",
            self.at.duration_since(start).as_secs_f64(),
            delivered as f64 / secs,
        );
        if !rss.is_empty() {
            line.push_str(&format!(
                " rss_kib={} cpu_pct={}",
                rss.join(","),
                cpu.join(",")
            ));
        }
        line
    }
}
