//! What the workspace's integration tests share: starting a real
//! `mchat-server` (found beside the test's own binary, where
//! `cargo test --workspace` builds it), a line client that answers `HEART`,
//! scratch directories and free ports, and a deadline for a child's exit.

// Test support: a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod exit;
mod line_client;
mod paths;
mod pki;
mod server;

pub use exit::exit_within;
pub use line_client::{DEADLINE, LineClient};
pub use paths::{example_bin, free_port, scratch, workspace_bin};
pub use pki::{TestCa, TestCert};
pub use server::{ServerProc, UNLIMITED, ports_from_banner, spawn_listening};
