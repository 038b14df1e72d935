//! One case of the table and how it is judged: the attack runs beside the
//! probe and a memory watch; the verdict weighs all three.

use std::cell::Cell;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::time::Duration;

use std::future::Future;
use std::pin::Pin;

use smol::{LocalExecutor, Timer};

use super::Plan;
use super::probe::Probe;
use super::verdict::Verdict;
use crate::human;
use crate::stats;

use super::conversation::{self, Failure};

/// What an attack saw when the server held (`Ok`), or how it did not.
pub type Attacked = Result<String, Failure>;

/// An attack, as a function from the plan to its future.
pub type Attack = for<'a> fn(&'a Plan) -> Pin<Box<dyn Future<Output = Attacked> + 'a>>;

/// Which of the server's ports a case attacks.
pub enum Port {
    /// The client port, `--server`: always there.
    Client,
    /// The server port, `--server-port`: the case is skipped without it.
    Server,
    /// The TLS client port, `--tls-port`: the case is skipped without it.
    TlsClient,
    /// The `--ws` listener, `--ws-port`: the case is skipped without it.
    Ws,
}

/// A named case of the table.
pub struct Case {
    pub name: &'static str,
    /// What it checks, in a line.
    pub checks: &'static str,
    pub attacks: Port,
    pub attack: Attack,
}

/// The longest the probe may go without hearing its own chat.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Runs `case` next to a probe and, with `--pid`, a watch on the server's
/// memory.
/// `index` numbers the case in the table; it picks the loopback address
/// its attack comes from.
pub async fn run(ex: &LocalExecutor<'_>, plan: &Plan, case: &Case, index: usize) -> Verdict {
    match case.attacks {
        Port::Server if plan.server_port.is_none() => {
            return Verdict::Skipped(format!("needs --server-port ({})", case.checks));
        }
        Port::TlsClient if plan.tls.is_none() => {
            return Verdict::Skipped(format!("needs --tls-port ({})", case.checks));
        }
        Port::Ws if plan.ws_port.is_none() => {
            return Verdict::Skipped(format!("needs --ws-port ({})", case.checks));
        }
        _ => {}
    }
    conversation::speak_from(Ipv4Addr::new(127, 0, 0, 2));
    let probe = match Probe::start(ex, &plan.server).await {
        Ok(probe) => probe,
        Err(e) => return Verdict::Failed(format!("the probe could not start: {e}")),
    };
    let peak = Rc::new(Cell::new(0u64));
    let watch = plan.pid.map(|pid| {
        let peak = peak.clone();
        ex.spawn(async move {
            loop {
                peak.set(peak.get().max(stats::rss_kib(pid).unwrap_or(0)));
                Timer::after(Duration::from_millis(50)).await;
            }
        })
    });
    let attacker = u8::try_from(10 + index).unwrap_or(u8::MAX);
    conversation::speak_from(Ipv4Addr::new(127, 0, 0, attacker));
    let attacked = (case.attack)(plan).await;
    // Keep the probe going a moment after the attack ends.
    Timer::after(Duration::from_millis(300)).await;
    let pause = probe.stop();
    drop(watch);
    let detail = match attacked {
        Ok(detail) => detail,
        Err(Failure::Skip(why)) => return Verdict::Skipped(format!("{why} ({})", case.checks)),
        Err(why) => return Verdict::Failed(why.to_string()),
    };
    if pause > MAX_PAUSE {
        return Verdict::Failed(format!(
            "the probe paused for {} ({detail})",
            human::duration(pause)
        ));
    }
    if plan.pid.is_some() && peak.get() > plan.max_rss_kib {
        return Verdict::Failed(format!("server RSS reached {} KiB ({detail})", peak.get()));
    }
    let rss = if plan.pid.is_some() {
        format!(", server RSS ≤ {} KiB", peak.get())
    } else {
        String::new()
    };
    Verdict::Passed(format!(
        "{detail}; probe's longest pause {}{rss}",
        human::duration(pause)
    ))
}
