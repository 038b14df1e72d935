//! Random scenarios: a mesh of servers of ours and original stand-ins that
//! grows by simultaneous joins, chats, and suffers crashes, restarts, link
//! cuts and heals, then heals as far as its servers' kinds allow.

use std::time::Duration;

use mchat_core::rng::SeededRng;

use crate::check::Checker;
use crate::mix::{flavours, kinds};
use crate::net::{Action, ClientAction, Sim, SimConfig};
use crate::starts::OriginalStarts;

/// The rooms clients use.
pub const ROOMS: [&str; 3] = ["lobby", "rust", "a9e52f505286f4bfd736a98595a5c8b87fc4b532"];

/// The `i`-th room, cycling.
fn room(i: usize) -> String {
    ROOMS
        .get(i % ROOMS.len())
        .copied()
        .unwrap_or("lobby")
        .to_owned()
}

/// How long, after the last heal, the mesh has to become full again: the
/// longest reconnect delay with its jitter, twice, and a margin.
pub const HEAL_BOUND: Duration = Duration::from_secs(200);

/// The outcome of one seed.
#[derive(Debug)]
pub struct Outcome {
    /// The seed.
    pub seed: u64,
    /// Lines sent by clients.
    pub sent: usize,
    /// Lines received by clients.
    pub received: usize,
}

/// Runs one random scenario and checks it; the error names the seed.
pub fn run_seed(seed: u64) -> Result<Outcome, String> {
    let mut sim = random_run(seed);
    let checker = Checker::for_delay(sim.config().max_delay);
    let kinds = kinds(sim.config());
    checker
        .check(&sim.history)
        .map_err(|e| format!("seed {seed} ({kinds}): {e}"))?;
    sim.mesh_is_healed()
        .map_err(|e| format!("seed {seed} ({kinds}): mesh not healed: {e}"))?;
    let outcome = Outcome {
        seed,
        sent: sim.history.sent.len(),
        received: sim.history.received.len(),
    };
    sim.history = Default::default();
    Ok(outcome)
}

/// Builds and runs the scenario of `seed`, returning the finished network.
pub fn random_run(seed: u64) -> Sim {
    let mut setup = SeededRng::new(seed);
    let servers = setup.between(2, 6) as usize;
    let clients = setup.between(3, 16) as usize;
    let flavours = flavours(&mut setup, servers);
    let mut sim = Sim::new(SimConfig::new(servers, clients, seed).with_flavours(flavours));
    let s = |ms: u64| Duration::from_millis(ms);

    // Growth: server 0 first; the others join through random earlier ones,
    // several of them at nearly the same moment (originals kept apart).
    let mut starts = OriginalStarts::default();
    sim.start_server(0, None);
    if !sim.config().flavour(0).keeps_mesh() {
        starts.take(sim.now);
    }
    for i in 1..servers {
        let at = s(sim.rng.between(0, 1500));
        restart_after(&mut sim, &mut starts, i, at);
    }
    // Clients arrive, pick a nick and rooms.
    for c in 0..clients {
        let at = s(sim.rng.between(2000, 3000));
        let server = sim.rng.index(servers);
        sim.after(at, Action::Client(c, ClientAction::Connect(server)));
        for room in ROOMS {
            if sim.rng.chance(60) {
                sim.after(
                    at + s(100),
                    Action::Client(c, ClientAction::Join(room.to_owned())),
                );
            }
        }
    }
    sim.run_for(s(5000));

    // Turbulence: chat with random failures.
    let chaos_until = sim.now + s(sim.rng.between(20_000, 60_000));
    while sim.now < chaos_until {
        let step = s(sim.rng.between(5, 60));
        sim.run_for(step);
        random_action(&mut sim, &mut starts);
    }

    // Calm: heal every link, restart every server, reconnect every client.
    for a in 0..servers {
        for b in a + 1..servers {
            sim.after(Duration::ZERO, Action::Heal(a, b));
        }
    }
    // Down servers restart one after another, each through a live one.
    for i in 0..servers {
        if !sim.is_up(i) {
            let after = Duration::from_millis(10 * i as u64);
            restart_after(&mut sim, &mut starts, i, after);
        }
    }
    sim.run_for(HEAL_BOUND);
    // Everyone back on a server, in every room, chatting: all of it must arrive.
    for c in 0..clients {
        let server = sim.rng.index(servers);
        sim.after(
            Duration::ZERO,
            Action::Client(c, ClientAction::Connect(server)),
        );
        for room in ROOMS {
            sim.after(
                s(200),
                Action::Client(c, ClientAction::Join(room.to_owned())),
            );
        }
    }
    sim.run_for(s(3000));
    for round in 0..5 {
        for c in 0..clients {
            let room = room(c + round);
            let at = s(sim.rng.between(0, 500));
            sim.after(at, Action::Client(c, ClientAction::Msg(room)));
        }
        sim.run_for(s(600));
    }
    sim.run_for(s(3000));
    sim
}

/// (Re)starts server `i` after `delay`, joining through a running server;
/// an original no sooner than [`OriginalStarts`] allows.
fn restart_after(sim: &mut Sim, starts: &mut OriginalStarts, i: usize, delay: Duration) {
    let mut at = sim.now + delay;
    if !sim.config().flavour(i).keeps_mesh() {
        at = starts.take(at);
    }
    sim.schedule(at, Action::Restart(i));
}

fn random_action(sim: &mut Sim, starts: &mut OriginalStarts) {
    let servers = sim.config().servers;
    let clients = sim.config().clients;
    let c = sim.rng.index(clients);
    let room = room(sim.rng.index(ROOMS.len()));
    let roll = sim.rng.below(1000);
    let action = match roll {
        0..=699 => Action::Client(c, ClientAction::Msg(room)),
        700..=779 => Action::Client(c, ClientAction::Join(room)),
        780..=839 => Action::Client(c, ClientAction::Part(room)),
        840..=869 => Action::Client(c, ClientAction::Nick),
        870..=899 => Action::Client(c, ClientAction::Disconnect),
        900..=949 => Action::Client(c, ClientAction::Connect(sim.rng.index(servers))),
        // A crash only while every server is up and every one of ours knows
        // every other: if servers crash before they learned of each other,
        // what they alone knew of the mesh is lost, and no protocol can
        // find it again.
        950..=964 if servers > 1 && sim.knowledge_is_complete() => {
            let i = sim.rng.index(servers);
            let down_for = Duration::from_millis(sim.rng.between(500, 15_000));
            restart_after(sim, starts, i, down_for);
            Action::Crash(i)
        }
        965..=994 if servers > 1 => {
            let a = sim.rng.index(servers);
            let b = (a + 1 + sim.rng.index(servers - 1)) % servers;
            let cut_for = Duration::from_millis(sim.rng.between(100, 20_000));
            sim.after(cut_for, Action::Heal(a, b));
            Action::Cut(a, b)
        }
        _ => Action::Client(c, ClientAction::Msg(room)),
    };
    sim.after(Duration::ZERO, action);
}
