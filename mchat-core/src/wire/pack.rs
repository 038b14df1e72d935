//! Packing a list of fields into as few lines as hold them, each within
//! 1024 characters: shared by `ALL_ADDRS` and the interest lines.

use super::limits::MAX_LINE_CHARS;

/// `items` cut into runs, in order, each of which fits on one line whose
/// type word and `\n` take `empty_line_chars` and each item one space and
/// `item_chars` more. An item too long for any line still gets a run of its
/// own (the caller's line check refuses it). No items, no runs.
pub(super) fn pack_into_lines<T: Clone>(
    items: &[T],
    empty_line_chars: usize,
    item_chars: impl Fn(&T) -> usize,
) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut current: Vec<T> = Vec::new();
    let mut chars = empty_line_chars;
    for item in items {
        let extra = 1 + item_chars(item);
        if chars + extra > MAX_LINE_CHARS && !current.is_empty() {
            runs.push(std::mem::take(&mut current));
            chars = empty_line_chars;
        }
        current.push(item.clone());
        chars += extra;
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}
