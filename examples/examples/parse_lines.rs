//! Shows the wire codec on its own: reads protocol lines on stdin and prints
//! how `mchat-core` parses each one, with the `ERROR` code a server would
//! answer for a bad one.
//!
//! Run: `printf 'JOIN lobby\nmsg x\n' | cargo run -p examples --example parse_lines`

use std::io::Read;

use mchat_core::wire::{LineFramer, Message};

fn main() -> std::io::Result<()> {
    let mut input = Vec::new();
    std::io::stdin().read_to_end(&mut input)?;
    let mut framer = LineFramer::new();
    for frame in framer.frames(&input) {
        match frame
            .map_err(|e| e.code())
            .and_then(|line| Message::parse(line.as_str()).map_err(|e| e.code()))
        {
            Ok(message) => println!("ok    {:?}", message),
            Err(code) => println!("ERROR {code}"),
        }
    }
    Ok(())
}
