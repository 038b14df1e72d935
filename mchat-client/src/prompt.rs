//! The prompt, kept true while a line is being typed: when the connection
//! changes mid-line, the line editor redraws it from [`LivePrompt`].
//!
//! The editor measures the prompt once, when the read starts, so a redraw
//! must keep that width: the new prompt is padded to it, or, if longer,
//! its compact form (`[lobby] alice! `) is shown instead.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rustyline::Helper;
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use unicode_width::UnicodeWidthStr as _;

/// The prompt as it should read now, set by the session.
#[derive(Clone, Debug, Default)]
pub struct LivePrompt(Arc<Mutex<Texts>>);

#[derive(Debug, Default)]
struct Texts {
    full: String,
    compact: String,
}

impl LivePrompt {
    /// The prompt now reads `full`; `compact` says the same in the width of
    /// a connected prompt.
    pub fn set(&self, full: &str, compact: &str) {
        if let Ok(mut texts) = self.0.lock()
            && texts.full != full
        {
            full.clone_into(&mut texts.full);
            compact.clone_into(&mut texts.compact);
        }
    }

    /// What to draw in place of `started`, the prompt the read began with:
    /// the live prompt or its compact form, padded to `started`'s width;
    /// `None` if neither fits (or nothing was set).
    fn fitted(&self, started: &str) -> Option<String> {
        let texts = self.0.lock().ok()?;
        let width = started.width();
        [&texts.full, &texts.compact]
            .into_iter()
            .find(|t| !t.is_empty() && t.width() <= width)
            .map(|t| format!("{t}{}", " ".repeat(width - t.width())))
    }
}

/// The editor's helper: only the prompt; no completion, hints or checks.
pub struct PromptHelper {
    live: LivePrompt,
}

impl PromptHelper {
    pub fn new(live: LivePrompt) -> Self {
        Self { live }
    }
}

impl Highlighter for PromptHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        default: bool,
    ) -> Cow<'b, str> {
        // Not the default prompt: the editor's own (history search).
        match self.live.fitted(prompt) {
            Some(now) if default => Cow::Owned(now),
            _ => Cow::Borrowed(prompt),
        }
    }
}

impl Completer for PromptHelper {
    type Candidate = String;
}

impl Hinter for PromptHelper {
    type Hint = String;
}

impl Validator for PromptHelper {}

impl Helper for PromptHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(full: &str, compact: &str) -> LivePrompt {
        let live = LivePrompt::default();
        live.set(full, compact);
        live
    }

    #[test]
    fn a_prompt_of_the_same_width_is_drawn_as_it_is() {
        let lost = live("[lobby] alice (reconnecting)> ", "[lobby] alice! ");
        assert_eq!(
            lost.fitted("[lobby] alice> ").as_deref(),
            Some("[lobby] alice! ")
        );
    }

    #[test]
    fn a_shorter_prompt_is_padded_to_the_width_the_editor_measured() {
        let back = live("[lobby] alice> ", "[lobby] alice> ");
        assert_eq!(
            back.fitted("[lobby] alice (reconnecting)> ").as_deref(),
            Some("[lobby] alice>                ")
        );
    }

    #[test]
    fn nothing_fits_or_nothing_set_keeps_the_prompt() {
        let lost = live("[lobby] alice (reconnecting)> ", "[lobby] alice! ");
        assert_eq!(lost.fitted("> "), None);
        assert_eq!(LivePrompt::default().fitted("[lobby] alice> "), None);
    }
}
