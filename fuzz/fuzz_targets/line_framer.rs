//! Arbitrary chunkings of an arbitrary stream must frame alike. The body
//! lives in `mchat_core::fuzzing` so that `cargo test` replays the corpus.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mchat_core::fuzzing::line_framer(data));
