//! The progress bar a long load run shows on a terminal.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use smol::{LocalExecutor, Task, Timer};

use super::Plan;
use super::tally::Tally;

/// Redraws `[####....]  35 %  sent …  delivered …  N deliveries/s` on
/// stderr every 500 ms, if stderr is a terminal.
pub fn spawn(
    ex: &LocalExecutor<'_>,
    plan: &Plan,
    tally: &Rc<Tally>,
    sent: &Rc<Cell<u64>>,
    start: Instant,
) -> Option<Task<()>> {
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let (tally, sent, duration) = (tally.clone(), sent.clone(), plan.duration);
    let total = (plan.senders as u64).saturating_mul(plan.messages);
    Some(ex.spawn(async move {
        let mut last = (Instant::now(), 0u64);
        loop {
            Timer::after(Duration::from_millis(500)).await;
            let delivered = tally.delivered.get();
            let rate = (delivered - last.1) as f64 / last.0.elapsed().as_secs_f64();
            last = (Instant::now(), delivered);
            // The share of the run done: by time with --duration, else by
            // lines sent.
            let done = match duration {
                Some(d) => start.elapsed().as_secs_f64() / d.as_secs_f64().max(1e-9),
                None => sent.get() as f64 / total.max(1) as f64,
            };
            eprint!(
                "\r  {}  sent {:>10}  delivered {:>12}  {:>10.0} deliveries/s ",
                bar(done),
                sent.get(),
                delivered,
                rate
            );
        }
    }))
}

/// `[#######.............]  35 %` for a share between 0 and 1.
fn bar(done: f64) -> String {
    const WIDTH: usize = 20;
    let done = done.clamp(0.0, 1.0);
    let filled = (done * WIDTH as f64).round() as usize;
    format!(
        "[{}{}] {:>3.0} %",
        "#".repeat(filled),
        ".".repeat(WIDTH - filled.min(WIDTH)),
        done * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn progress_bar_fills_with_the_share_done() {
        assert_eq!(bar(0.0), "[....................]   0 %");
        assert_eq!(bar(0.35), "[#######.............]  35 %");
        assert_eq!(bar(1.0), "[####################] 100 %");
        // Past the end (a late last line) stays full.
        assert_eq!(bar(1.7), "[####################] 100 %");
    }
}
