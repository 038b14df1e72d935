//! Cutting a byte stream into lines (PROTOCOL.md §1).
//!
//! The framer is fed whatever the socket returned. It yields every complete
//! line, reports a line that is too long or not UTF-8 once, and keeps only
//! the unfinished tail of the stream — at most one line's worth of bytes.
//! The answers never depend on how the stream was cut into chunks.

use std::borrow::Cow;

use bytes::{BufMut, Bytes, BytesMut};

use super::error_code::ErrorCode;
use super::limits::{MAX_LINE_BYTES, MAX_LINE_CHARS};

/// Most characters a line may hold before its `\n`.
const MAX_CONTENT_CHARS: usize = MAX_LINE_CHARS - 1;

/// Most bytes those characters can take; more bytes with fewer characters
/// means the line cannot be valid, and holding them would be unbounded.
const MAX_CONTENT_BYTES: usize = MAX_LINE_BYTES - 4;

/// A line the framer could not deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A line reached 1024 characters without a `\n`; it is dropped through
    /// its `\n`.
    #[error("line longer than {MAX_LINE_CHARS} characters")]
    TooLong,
    /// A line was not valid UTF-8; it is dropped.
    #[error("line is not valid UTF-8")]
    BadUtf8,
}

impl FrameError {
    /// The `ERROR` code that answers this failure (PROTOCOL.md §6).
    pub fn code(self) -> ErrorCode {
        match self {
            FrameError::TooLong => ErrorCode::TooLong,
            FrameError::BadUtf8 => ErrorCode::BadUtf8,
        }
    }
}

/// One complete line: valid UTF-8, without its `\n` and without one `\r`
/// that stood before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'i>(Cow<'i, str>);

impl Line<'_> {
    /// The line's text, ready for [`Message::parse`](super::Message::parse).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The line as it goes out again: its text and a bare `\n`, in one
    /// allocation.
    pub fn to_bytes(&self) -> Bytes {
        let mut out = BytesMut::with_capacity(self.0.len() + 1);
        out.put_slice(self.0.as_bytes());
        out.put_u8(b'\n');
        out.freeze()
    }

    /// The line's text, owned.
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

/// What the framer yields for each line of input.
pub type Frame<'i> = Result<Line<'i>, FrameError>;

/// An incremental line framer for one connection.
///
/// ```
/// use mchat_core::wire::{FrameError, LineFramer};
///
/// let mut framer = LineFramer::new();
/// let mut input: &[u8] = b"JOIN lob";
/// assert!(framer.next_frame(&mut input).is_none()); // waits for the rest
/// let mut input: &[u8] = b"by\r\nHEART\n";
/// let first = framer.next_frame(&mut input).unwrap().unwrap();
/// assert_eq!(first.as_str(), "JOIN lobby");
/// let second = framer.next_frame(&mut input).unwrap().unwrap();
/// assert_eq!(second.as_str(), "HEART");
/// assert_eq!(framer.frames(b"\xff\n").next(), Some(Err(FrameError::BadUtf8)));
/// ```
#[derive(Clone, Debug, Default)]
pub struct LineFramer {
    /// The unfinished line: at most `MAX_CONTENT_BYTES` bytes. `None`
    /// between lines, so an idle connection costs a pointer here.
    pending: Option<Box<Pending>>,
    /// Inside a line already reported too long: skip through its `\n`.
    discarding: bool,
}

/// The start of a line whose `\n` has not come.
#[derive(Clone, Debug, Default)]
struct Pending {
    bytes: Vec<u8>,
    /// Characters in `bytes`.
    chars: usize,
}

/// Characters in UTF-8 bytes: every byte that does not continue a character
/// starts one. Exact for valid UTF-8; for invalid bytes still a bound that
/// grows with the input, which is all the length check needs.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

fn is_too_long(bytes: usize, chars: usize) -> bool {
    chars > MAX_CONTENT_CHARS || bytes > MAX_CONTENT_BYTES
}

impl LineFramer {
    /// A framer at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Bytes of an unfinished line held from earlier input (at most 4092).
    /// For the fuzz targets and tests that check the framer's memory bound.
    #[cfg(feature = "fuzzing")]
    pub fn pending_len(&self) -> usize {
        self.pending.as_ref().map_or(0, |p| p.bytes.len())
    }

    /// Is the framer between lines, holding nothing? For tests.
    #[cfg(feature = "fuzzing")]
    pub fn is_idle(&self) -> bool {
        self.pending.is_none() && !self.discarding
    }

    /// Takes the next line out of `input`, advancing it past what was used.
    ///
    /// Returns `None` once `input` holds no further complete line; the
    /// unfinished rest is then kept for the next call.
    pub fn next_frame<'i>(&mut self, input: &mut &'i [u8]) -> Option<Frame<'i>> {
        loop {
            if input.is_empty() {
                return None;
            }
            let newline = memchr::memchr(b'\n', input);
            if self.discarding {
                match newline {
                    Some(at) => {
                        *input = input.get(at + 1..).unwrap_or_default();
                        self.discarding = false;
                        continue;
                    }
                    None => {
                        *input = &[];
                        return None;
                    }
                }
            }
            let Some(at) = newline else {
                return self.stash(input);
            };
            let (segment, after) = input.split_at(at);
            *input = after.get(1..).unwrap_or_default();
            return Some(self.finish_line(segment));
        }
    }

    /// Iterates over the lines in `input`, keeping an unfinished tail.
    pub fn frames<'f, 'i>(&'f mut self, input: &'i [u8]) -> Frames<'f, 'i> {
        Frames {
            framer: self,
            input,
        }
    }

    /// Bytes and characters of the unfinished line held.
    fn held(&self) -> (usize, usize) {
        self.pending
            .as_ref()
            .map_or((0, 0), |p| (p.bytes.len(), p.chars))
    }

    /// Keeps `input`, which has no `\n`, as part of the unfinished line,
    /// unless that makes the line too long.
    fn stash<'i>(&mut self, input: &mut &'i [u8]) -> Option<Frame<'i>> {
        let rest = std::mem::take(input);
        let (held_bytes, held_chars) = self.held();
        let chars = held_chars + count_chars(rest);
        let bytes = held_bytes + rest.len();
        if is_too_long(bytes, chars) {
            // Free the buffer: a flood without newlines must not pin memory.
            self.pending = None;
            self.discarding = true;
            return Some(Err(FrameError::TooLong));
        }
        let pending = self.pending.get_or_insert_with(Box::default);
        pending.bytes.extend_from_slice(rest);
        pending.chars = chars;
        None
    }

    /// Completes the line whose last bytes before `\n` are `segment`.
    fn finish_line<'i>(&mut self, segment: &'i [u8]) -> Frame<'i> {
        let (held_bytes, held_chars) = self.held();
        let bytes = held_bytes + segment.len();
        // A character takes a byte at least: a line of few bytes is short
        // without counting (the common case, on the path of every line).
        let too_long =
            bytes > MAX_CONTENT_CHARS && is_too_long(bytes, held_chars + count_chars(segment));
        let pending = self.pending.take();
        if too_long {
            return Err(FrameError::TooLong);
        }
        let Some(pending) = pending else {
            let text = std::str::from_utf8(strip_cr(segment)).map_err(|_| FrameError::BadUtf8)?;
            return Ok(Line(Cow::Borrowed(text)));
        };
        let mut whole = pending.bytes;
        whole.extend_from_slice(segment);
        if whole.last() == Some(&b'\r') {
            whole.pop();
        }
        String::from_utf8(whole)
            .map(|text| Line(Cow::Owned(text)))
            .map_err(|_| FrameError::BadUtf8)
    }
}

fn strip_cr(segment: &[u8]) -> &[u8] {
    segment.strip_suffix(b"\r").unwrap_or(segment)
}

/// The lines of one chunk of input; see [`LineFramer::frames`].
#[derive(Debug)]
pub struct Frames<'f, 'i> {
    framer: &'f mut LineFramer,
    input: &'i [u8],
}

impl<'i> Iterator for Frames<'_, 'i> {
    type Item = Frame<'i>;

    fn next(&mut self) -> Option<Frame<'i>> {
        self.framer.next_frame(&mut self.input)
    }
}
