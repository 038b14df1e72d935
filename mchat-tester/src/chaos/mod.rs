//! `mchat-tester chaos`: a mesh of real `mchat-server` processes, each
//! behind a TCP relay of ours so links can be cut and healed; servers are
//! killed (SIGKILL) and restarted while clients on every server chat. It
//! checks PROTOCOL.md §8 on what every client receives — never twice,
//! never back to the sender, in order per sender connection — and, once
//! everything is healed, that the mesh is whole again and carries every
//! line to everyone exactly once.

mod failure;
mod final_round;
mod ledger;
mod switchboard;
mod talk;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::human;
use crate::locked::lock;
use crate::mesh::{Launch, Relays, Servers};
use failure::Failure;
use ledger::Ledger;
use mchat_core::rng::SeededRng;
use switchboard::{Switchboard, Toggled};

#[derive(Clone, Debug)]
pub struct Plan {
    pub server_bin: PathBuf,
    pub servers: usize,
    pub clients_per_server: usize,
    /// Rooms the clients are dealt over (1: all in `lobby`).
    pub rooms: usize,
    pub duration: Duration,
    pub seed: u64,
}

/// What a run came to: a summary when every rule held, else the first
/// broken one.
pub type Verdict = Result<String, String>;

/// How long the healed mesh has to carry a round to everyone.
const HEAL_WITHIN: Duration = Duration::from_secs(180);

pub fn run(plan: &Plan) -> Verdict {
    let dir =
        std::env::temp_dir().join(format!("mchat-chaos-{}-{}", std::process::id(), plan.seed));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut ports_rng = SeededRng::new(u64::from(std::process::id()) << 20 ^ plan.seed);
    // Dropped on every return: no server outlives the run.
    let launch = Launch {
        server_bin: plan.server_bin.clone(),
        // Healed links come back quickly.
        args: vec!["--reconnect-ms".into(), "500".into()],
        dir,
    };
    let mut mesh = Servers::new(plan.servers, launch, &mut ports_rng).map_err(|e| e.to_string())?;
    let relays = Relays::new(mesh.relay_ports(), Switchboard::default());
    let board = &relays.hooks;
    for (i, (listener, server_port)) in mesh.take_relay_listeners().into_iter().enumerate() {
        relays.start(i, listener, server_port);
    }
    for i in 0..plan.servers {
        mesh.start(i, (i > 0).then_some(0))
            .map_err(|e| e.to_string())?;
        trace(&format!("server {i} started"));
    }
    // Let the mesh form before the clients chat.
    std::thread::sleep(Duration::from_secs(2));

    let ledger: Arc<Mutex<Ledger>> = Arc::default();
    let ports = mesh.client_ports();
    let stop = Arc::new(AtomicBool::new(false));
    let mut talkers = Vec::new();
    for c in 0..plan.servers * plan.clients_per_server {
        let port = ports.get(c % plan.servers).copied().unwrap_or(0);
        let (ledger, stop) = (ledger.clone(), stop.clone());
        let room = talk::room_of(c, plan.rooms);
        talkers.push(std::thread::spawn(move || {
            talk::talk(c, port, &room, &ledger, &stop);
        }));
    }

    let failures = inject_failures(plan, &mut mesh, board, &ledger);
    let failures = match failures {
        Ok(n) => n,
        Err(violation) => {
            stop.store(true, Ordering::Relaxed);
            return Err(violation);
        }
    };
    trace("failures over; healing");
    board.heal_all();
    if let Some(i) = mesh.down() {
        let via = (0..plan.servers).find(|&j| j != i);
        mesh.start(i, via).map_err(|e| e.to_string())?;
    }
    stop.store(true, Ordering::Relaxed);
    for t in talkers {
        let _ = t.join();
    }
    trace("talkers stopped");
    let healed = Instant::now();
    let result = final_round::run(&ports, plan.clients_per_server, &ledger, HEAL_WITHIN);
    // Read the ledger once: a guard held across the match would deadlock.
    let (violation, received) = {
        let l = lock(&ledger);
        (l.violation.clone(), l.received)
    };
    match (result, violation) {
        (_, Some(v)) => Err(v.to_string()),
        (Err(e), None) => Err(e),
        (Ok(()), None) => Ok(format!(
            "{failures} failures over {}, {received} lines received, mesh whole again {} after the last heal",
            human::duration(plan.duration),
            human::duration(healed.elapsed())
        )),
    }
}

/// Kills, restarts, cuts and heals for the plan's duration, one server
/// down at a time; the failures injected (heals not counted), or the first
/// broken rule.
fn inject_failures(
    plan: &Plan,
    mesh: &mut Servers,
    board: &Switchboard,
    ledger: &Mutex<Ledger>,
) -> Result<u64, String> {
    let mut rng = SeededRng::new(plan.seed);
    let deadline = Instant::now() + plan.duration;
    let mut failures = 0;
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1000 + rng.below(2000)));
        let down = mesh.down();
        let counted = match Failure::draw(&mut rng, plan.servers, down) {
            Failure::Kill(i) => {
                mesh.kill(i);
                true
            }
            Failure::Restart(i) => {
                let via = (0..plan.servers).find(|&j| j != i && mesh.is_up(j));
                mesh.start(i, via).map_err(|e| e.to_string())?;
                true
            }
            Failure::Toggle(pair) => matches!(board.toggle(pair), Toggled::Cut),
        };
        if counted {
            failures += 1;
            let down = down.map_or("none".to_owned(), |i| format!("server {i}"));
            trace(&format!(
                "event {failures}: down {down}, cuts {}",
                board.cuts_text()
            ));
        }
        if let Some(v) = lock(ledger).violation.clone() {
            return Err(v.to_string());
        }
    }
    Ok(failures)
}

/// Progress on stderr with `MCHAT_CHAOS_TRACE=1`.
fn trace(what: &str) {
    if std::env::var_os("MCHAT_CHAOS_TRACE").is_some() {
        eprintln!("chaos: {what}");
    }
}
