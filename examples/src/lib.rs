//! Programs that embed `mchat-core`; see the `examples/` folder beside this
//! file and run one with `cargo run -p examples --example <name>`.
