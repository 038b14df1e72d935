//! A deterministic simulator for mChat: several `mchat_core::server::Server`s
//! and scripted clients wired through an in-memory network with per-link
//! delays, in virtual time, driven by one seed.
//!
//! - [`net::Sim`] is the network: pipes, crashes, link cuts and heals.
//! - [`check::Checker`] verifies the delivery guarantees of PROTOCOL.md §8
//!   and the notices of §3 over what happened.
//! - [`scenario::run_seed`] runs one random scenario and checks it; a
//!   failing seed replays identically.

pub mod check;
pub mod client;
pub mod history;
pub mod mix;
pub mod net;
pub mod pair;
pub mod scenario;
pub mod sim_time;
pub mod starts;
