//! Tests of the wire codec through its public API (PROTOCOL.md §1–§2).

// Test code: a panic is how a test fails.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod cases;
mod fields;
mod framer;
mod fuzz_corpus;
mod helpers;
mod message;
mod parse;
mod private_rooms;
mod props;
