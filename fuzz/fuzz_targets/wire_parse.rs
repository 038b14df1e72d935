//! Arbitrary bytes through the framer and the parser; every accepted line
//! must re-encode to itself. The body lives in `mchat_core::fuzzing` so that
//! `cargo test` replays this target's corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mchat_core::fuzzing::wire_parse(data));
