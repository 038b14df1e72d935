//! The quickest way to see the protocol work: five servers and twenty
//! clients in the deterministic simulator (no sockets, virtual time), a
//! network partition and its heal, and what each client saw.
//!
//! Run: `cargo run -p examples --example simulate -- [seed]`

use std::time::Duration;

use mchat_sim::check::Checker;
use mchat_sim::net::{Action, ClientAction, Sim, SimConfig};

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut sim = Sim::new(SimConfig::new(5, 20, seed));
    // The mesh grows from server 0, every newcomer joining through it.
    sim.start_server(0, None);
    for i in 1..5 {
        sim.start_server(i, Some(0));
    }
    sim.run_for(Duration::from_secs(3));
    println!(
        "{:>5.1} s  mesh full: {}",
        sim.elapsed().as_secs_f64(),
        sim.mesh_is_full().is_ok()
    );
    // Four clients on each server, all in the lobby.
    for c in 0..20 {
        sim.after(
            Duration::ZERO,
            Action::Client(c, ClientAction::Connect(c % 5)),
        );
        sim.after(
            Duration::from_millis(100),
            Action::Client(c, ClientAction::Join("lobby".into())),
        );
    }
    sim.run_for(Duration::from_secs(2));
    chat(&mut sim, "before the partition");
    // Servers 0 and 1 lose their links to 2, 3 and 4.
    for a in [0, 1] {
        for b in [2, 3, 4] {
            sim.after(Duration::ZERO, Action::Cut(a, b));
        }
    }
    sim.run_for(Duration::from_secs(1));
    println!(
        "{:>5.1} s  partitioned: mesh full: {}",
        sim.elapsed().as_secs_f64(),
        sim.mesh_is_full().is_ok()
    );
    chat(&mut sim, "during the partition");
    for a in [0, 1] {
        for b in [2, 3, 4] {
            sim.after(Duration::ZERO, Action::Heal(a, b));
        }
    }
    sim.run_for(Duration::from_secs(10));
    println!(
        "{:>5.1} s  healed: mesh full: {}",
        sim.elapsed().as_secs_f64(),
        sim.mesh_is_full().is_ok()
    );
    chat(&mut sim, "after the heal");

    for c in [0, 2, 10] {
        println!("\nclient {c} (on server {}) saw:", c % 5);
        let lines: Vec<&str> = sim
            .history
            .received
            .iter()
            .filter(|r| r.client == c)
            .map(|r| r.line.as_str())
            .collect();
        for line in lines.iter().take(6) {
            println!("  {line}");
        }
        println!("  … {} lines in all", lines.len());
    }
    match Checker::for_delay(sim.config().max_delay).check(&sim.history) {
        Ok(()) => println!("\nevery guarantee of PROTOCOL.md §8 held"),
        Err(e) => println!("\nviolation: {e}"),
    }
}

/// Every client says one line, then time passes for it to arrive.
fn chat(sim: &mut Sim, when: &str) {
    for c in 0..20 {
        sim.after(
            Duration::from_millis(10 * c as u64),
            Action::Client(c, ClientAction::Msg("lobby".into())),
        );
    }
    sim.run_for(Duration::from_secs(2));
    let received = sim
        .history
        .received
        .iter()
        .filter(|r| r.line.starts_with("MSG "))
        .count();
    println!(
        "{:>5.1} s  chat {when}: {received} chat lines delivered so far",
        sim.elapsed().as_secs_f64()
    );
}
