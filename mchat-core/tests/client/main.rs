//! Scenario tests of the client state machine (PROTOCOL.md §5), through
//! its public API.

// Test code: a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod commands;
mod connection;
mod harness;
mod keepalive;
mod received;
mod rooms;
mod splitting;
