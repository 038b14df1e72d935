//! Reading protocol lines from a connection (plain or TLS) without a copy
//! per line, answering `HEART` on the way.
//!
//! Lines are handed on as bytes, not framed and parsed by the core: `load`
//! reads millions a second through here, and UTF-8 checking and parsing
//! each one was a third of the tester's time (see `load/stamp.rs`).

use std::time::Instant;

use mchat_core::wire::{Message, MessageKind};

use crate::stream::{Conn, Reader, Writer};

/// A keep-alive probe, which a reader answers itself.
const HEART: &[u8] = MessageKind::Heart.as_str().as_bytes();

/// A buffered line reader over one connection.
pub struct Lines {
    reader: Reader,
    writer: Writer,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// When the buffered bytes were read: their arrival time, within a
    /// syscall, and one clock reading per read rather than per line.
    read_at: Instant,
}

impl Lines {
    /// A reader with a 64 KiB buffer, for connections that carry traffic.
    pub fn new(conn: impl Into<Conn>) -> Self {
        Self::with_capacity(conn, 64 * 1024)
    }

    /// A reader with a buffer of `bytes` (it grows for a longer line): idle
    /// connections by the thousand want a small one.
    pub fn with_capacity(conn: impl Into<Conn>, bytes: usize) -> Self {
        let Conn { reader, writer } = conn.into();
        Self {
            reader,
            writer,
            buf: vec![0; bytes.max(64)],
            start: 0,
            end: 0,
            read_at: Instant::now(),
        }
    }

    /// The writer of the same connection.
    pub fn writer(&self) -> Writer {
        self.writer.clone()
    }

    /// Calls `each` with every complete line read (without `\n`) until the
    /// connection closes; answers `HEART` itself.
    pub async fn for_each(&mut self, mut each: impl FnMut(&[u8])) -> std::io::Result<()> {
        self.for_each_timed(|line, _| each(line)).await
    }

    /// As [`Lines::for_each`], with the time the line was read.
    pub async fn for_each_timed(
        &mut self,
        mut each: impl FnMut(&[u8], Instant),
    ) -> std::io::Result<()> {
        self.read(|line, at| {
            each(line, at);
            false
        })
        .await
        .map(drop)
    }

    /// Reads lines until `stop` returns true for one (`Ok(true)`) or the
    /// connection closes (`Ok(false)`); later lines stay buffered.
    pub async fn until(&mut self, mut stop: impl FnMut(&[u8]) -> bool) -> std::io::Result<bool> {
        self.read(|line, _| stop(line)).await
    }

    async fn read(
        &mut self,
        mut stop: impl FnMut(&[u8], Instant) -> bool,
    ) -> std::io::Result<bool> {
        loop {
            // Lines already buffered first.
            let mut hearts = 0;
            let mut stopped = false;
            while let Some(at) = memchr::memchr(
                b'\n',
                self.buf.get(self.start..self.end).unwrap_or_default(),
            ) {
                let line = self
                    .buf
                    .get(self.start..self.start + at)
                    .unwrap_or_default();
                self.start += at + 1;
                if line == HEART {
                    hearts += 1;
                } else if stop(line, self.read_at) {
                    stopped = true;
                    break;
                }
            }
            if hearts > 0 {
                let bleed = Message::Bleed.encode();
                for _ in 0..hearts {
                    self.writer.send(&bleed).await?;
                }
            }
            if stopped {
                return Ok(true);
            }
            if !self.fill().await? {
                return Ok(false);
            }
        }
    }

    /// Reads more bytes; `false` at the end of the stream.
    async fn fill(&mut self) -> std::io::Result<bool> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.end == self.buf.len() {
            // Move the unfinished line to the front, or grow for a long one.
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let room = self.buf.get_mut(self.end..).unwrap_or_default();
        let n = self.reader.read(room).await?;
        self.read_at = Instant::now();
        self.end += n;
        Ok(n > 0)
    }
}
