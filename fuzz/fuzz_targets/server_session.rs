//! Arbitrary event sequences against one server state machine: it must not
//! panic and everything it sends must parse. The body lives in
//! `mchat_core::fuzzing` so that `cargo test` replays the corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mchat_core::fuzzing::server_session(data));
