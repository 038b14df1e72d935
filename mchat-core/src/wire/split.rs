//! Splitting long chat text over several `MSG` lines (PROTOCOL.md §5).

use super::fields::{FieldError, Nick, Room, Text};
use super::limits::MAX_LINE_CHARS;
use super::message::ChatLine;

/// The text that fits in one `MSG` line from `nick` to `room`, in characters.
pub fn chat_text_budget(nick: &Nick, room: &Room) -> usize {
    MAX_LINE_CHARS
        - ChatLine::OVERHEAD_CHARS
        - nick.as_str().chars().count()
        - room.as_str().chars().count()
}

/// Splits `text` into as many `MSG` lines as it needs, each within 1024
/// characters, cut on character boundaries, in order. `room` is the wire
/// name, so a private room's digest counts, as the protocol requires.
///
/// Empty text gives one line with empty text. A `\r` is never left at the
/// end of a piece (a receiver would strip it): the `\r`s there start the
/// next one; a piece of nothing but `\r`s cannot be sent
/// ([`FieldError::TrailingCarriageReturn`]).
///
/// ```
/// use mchat_core::wire::{split_chat, Nick, Room};
///
/// let nick = Nick::new("alice").unwrap();
/// let room = Room::new("lobby").unwrap();
/// let text = "é".repeat(3000); // 1007 characters fit per line
/// let lines = split_chat(&nick, &room, &text).unwrap();
/// assert_eq!(lines.len(), 3);
/// let joined: String = lines.iter().map(|l| l.text().as_str()).collect();
/// assert_eq!(joined, text);
/// ```
pub fn split_chat(nick: &Nick, room: &Room, text: &str) -> Result<Vec<ChatLine>, FieldError> {
    if text.contains('\n') {
        return Err(FieldError::Newline);
    }
    if text.ends_with('\r') {
        return Err(FieldError::TrailingCarriageReturn);
    }
    let budget = chat_text_budget(nick, room);
    let mut lines = Vec::with_capacity(text.len() / budget + 1);
    let mut rest = text;
    loop {
        let cut = rest
            .char_indices()
            .nth(budget)
            .map_or(rest.len(), |(at, _)| at);
        let (mut piece, _) = rest.split_at_checked(cut).unwrap_or((rest, ""));
        if piece.len() < rest.len() {
            // Keep trailing '\r's for the next piece.
            piece = piece.trim_end_matches('\r');
            if piece.is_empty() {
                return Err(FieldError::TrailingCarriageReturn);
            }
        }
        let chunk = Text::new(piece)?;
        let line = ChatLine::new(nick.clone(), room.clone(), chunk)
            .map_err(|_| FieldError::TooLong { max: budget })?;
        lines.push(line);
        rest = rest.get(piece.len()..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(lines);
        }
    }
}
