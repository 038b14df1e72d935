//! The size limits of PROTOCOL.md §1, in one place.

/// Longest line in characters (Unicode scalar values), counting its `\n`.
pub const MAX_LINE_CHARS: usize = 1024;

/// Longest line in bytes: every character may take four bytes in UTF-8.
pub const MAX_LINE_BYTES: usize = MAX_LINE_CHARS * 4;

/// Longest nick in characters.
pub const MAX_NICK_CHARS: usize = 32;

/// Longest room name in characters.
pub const MAX_ROOM_CHARS: usize = 64;

/// Longest host field (`MY_ADDR`, `ALL_ADDRS`) in characters: a DNS name
/// is at most 253, an IPv6 literal with a zone fits easily.
pub const MAX_HOST_CHARS: usize = 255;
