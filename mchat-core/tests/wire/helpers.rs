//! Small helpers shared by the wire tests.

use mchat_core::wire::{ErrorCode, LineFramer, Message};

/// What one line of input comes to: a message, or the code a server answers.
pub type Outcome = Result<Message, ErrorCode>;

/// Frames `bytes` in one go and parses every line.
pub fn outcomes(bytes: &[u8]) -> Vec<Outcome> {
    let mut framer = LineFramer::new();
    framer
        .frames(bytes)
        .map(|frame| {
            let line = frame.map_err(|e| e.code())?;
            Message::parse(line.as_str()).map_err(|e| e.code())
        })
        .collect()
}

/// The one outcome of a single line; fails the test if there is not one.
pub fn outcome(line: &[u8]) -> Outcome {
    let mut input = line.to_vec();
    input.push(b'\n');
    let mut all = outcomes(&input);
    assert_eq!(
        all.len(),
        1,
        "{:?} framed as {} lines",
        String::from_utf8_lossy(line),
        all.len()
    );
    all.remove(0)
}

/// The code a line is refused with; fails the test if it is accepted.
pub fn refusal(line: &str) -> ErrorCode {
    match outcome(line.as_bytes()) {
        Ok(m) => panic!("{line:?} was accepted as {m:?}"),
        Err(code) => code,
    }
}
