//! What this crate's tests share beyond `testkit`: the binary under test.

#![allow(unused_imports, dead_code, reason = "each test file uses some of them")]

pub const BIN: &str = env!("CARGO_BIN_EXE_mchat-server");

pub use testkit::{DEADLINE, LineClient, ServerProc, free_port, scratch};
