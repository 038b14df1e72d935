//! The bodies of the cargo-fuzz targets in `fuzz/`.
//!
//! They live here, not in `fuzz/`, so that `cargo test` on stable replays
//! every checked-in corpus file through exactly the code the fuzzer runs.
//! Each function panics when it finds a bug; that is how a fuzzer learns of
//! one. Not part of the protocol API.

#![allow(clippy::panic)]

use crate::wire::{Frame, LineFramer, Message};

/// `wire_parse`: arbitrary bytes through the framer and the parser. Every
/// line accepted must encode back to exactly itself, and parse again to the
/// same message.
pub fn wire_parse(data: &[u8]) {
    let mut framer = LineFramer::new();
    for frame in framer.frames(data) {
        let Ok(line) = frame else { continue };
        let Ok(message) = Message::parse(line.as_str()) else {
            continue;
        };
        let encoded = message.encode();
        if encoded != line.to_bytes() {
            panic!("{:?} re-encoded as {:?}", line.as_str(), encoded);
        }
        if encoded.len() != message.encoded_len() {
            panic!("encoded_len disagrees for {:?}", line.as_str());
        }
        match std::str::from_utf8(&encoded) {
            Ok(text) if text.chars().count() <= crate::wire::limits::MAX_LINE_CHARS => {}
            _ => panic!("encoded line out of limits: {encoded:?}"),
        }
    }
}

/// What a framer made of a stream, owned so two runs can be compared.
pub type Framed = Vec<Result<String, crate::wire::FrameError>>;

/// Frames `stream` fed in chunks of the given sizes (cycled; 0 counts as 1),
/// checking after every chunk that the framer holds at most one line's bytes.
pub fn frame_in_chunks(stream: &[u8], sizes: &[usize]) -> Framed {
    let mut framer = LineFramer::new();
    let mut out = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().copied().cycle();
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(rest.len()).max(1).min(rest.len());
        let (chunk, after) = rest.split_at(size);
        rest = after;
        out.extend(framer.frames(chunk).map(owned));
        if framer.pending_len() > crate::wire::limits::MAX_LINE_BYTES {
            panic!("framer holds {} bytes", framer.pending_len());
        }
    }
    out
}

fn owned(frame: Frame<'_>) -> Result<String, crate::wire::FrameError> {
    frame.map(|line| line.into_string())
}

/// `line_framer`: the input's first bytes choose chunk sizes, the rest is the
/// stream. Framing it whole, byte by byte and in those chunks must agree.
pub fn line_framer(data: &[u8]) {
    let (header, stream) = data.split_at(data.len().min(8));
    let sizes: Vec<usize> = header
        .iter()
        .map(|&b| usize::from(b) * 37 % 4099 + 1)
        .collect();
    let whole = frame_in_chunks(stream, &[stream.len().max(1)]);
    let bytewise = frame_in_chunks(stream, &[1]);
    let chunked = frame_in_chunks(stream, &sizes);
    if whole != bytewise || whole != chunked {
        panic!("framing depends on chunking: sizes {sizes:?}");
    }
}
