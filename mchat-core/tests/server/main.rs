//! Scenario tests of the server state machine, one per rule of
//! PROTOCOL.md §3, §4, §6, §7, §8 and §9, through the public API.

// Test code: a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod auth;
mod bursts;
mod capacity;
mod clients;
mod errors;
mod flood;
mod gossip_hygiene;
mod harness;
mod hijack;
mod interest;
mod keepalive;
mod mesh;
mod negotiation;
mod per_address;
mod presence;
mod queues;
mod reconfigure;
mod stats;
