//! Where commands come from, and where events go: a line editor on a
//! terminal, plain lines otherwise. Input is read on its own thread.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use rustyline::error::ReadlineError;
use rustyline::history::{DefaultHistory, History as _};
use rustyline::{ColorMode, Config, Editor, ExternalPrinter};

use crate::display::Style;
use crate::prompt::{LivePrompt, PromptHelper};

/// What the input thread sends.
pub enum Input {
    /// A line typed (or read from the script).
    Line(String),
    /// Ctrl-C: the half-typed line is gone; a second one in a row leaves.
    Interrupted,
    /// The end of input (Ctrl-D, a second Ctrl-C, the script's end).
    End,
}

/// How the user wants to see and keep things (from the command line).
pub struct Options {
    /// `-d`: show nothing.
    pub quiet: bool,
    /// Put the local time before each line shown.
    pub timestamps: bool,
    /// Where typed lines are kept between runs (terminal only).
    pub history: Option<PathBuf>,
}

/// Prints events without disturbing the line being typed.
///
/// The editor thread reads a line only after the session hands it the
/// prompt ([`Printer::ready`]); so the session knows whether the editor is
/// inside `readline` (print above the prompt through the editor) or
/// waiting (print plainly).
pub struct Printer {
    sink: Sink,
    pub style: Style,
    /// `-d`: show nothing.
    quiet: bool,
    timestamps: bool,
}

enum Sink {
    Plain,
    Editor {
        printer: Box<dyn ExternalPrinter + Send>,
        prompts: mpsc::Sender<String>,
        /// The prompt as it should read now, for a redraw mid-line.
        live: LivePrompt,
        editing: bool,
    },
}

impl Printer {
    /// Prints one line, after the time if timestamps are on and `stamp`.
    pub fn print(&mut self, line: String, stamp: bool) {
        if self.quiet {
            return;
        }
        let line = if stamp && self.timestamps {
            format!("{} {line}", self.style.stamp(&now_hh_mm()))
        } else {
            line
        };
        match &mut self.sink {
            Sink::Plain => println!("{line}"),
            Sink::Editor {
                printer,
                editing: true,
                ..
            } => {
                // With its newline: between two reads the editor writes the
                // text as it is, and the prompt would overwrite a bare line.
                if printer.print(format!("{line}\n")).is_err() {
                    println!("{line}");
                }
            }
            Sink::Editor { editing: false, .. } => println!("{line}"),
        }
    }

    /// The prompt should now read `prompt` (the connection changed): the
    /// editor shows it at its next redraw, within the width it has.
    pub fn set_prompt(&mut self, prompt: &str, compact: &str) {
        if let Sink::Editor { live, .. } = &self.sink {
            live.set(prompt, compact);
        }
    }

    /// The session handled the last line: let the editor read the next.
    pub fn ready(&mut self, prompt: String) {
        if let Sink::Editor {
            prompts, editing, ..
        } = &mut self.sink
            && !*editing
        {
            *editing = prompts.send(prompt).is_ok();
        }
    }

    /// The editor returned a line and waits for the next prompt.
    pub fn line_taken(&mut self) {
        if let Sink::Editor { editing, .. } = &mut self.sink {
            *editing = false;
        }
    }
}

/// The local time as `HH:MM`.
fn now_hh_mm() -> String {
    let now = jiff::ZonedDateTime::now();
    format!("{:02}:{:02}", now.hour(), now.minute())
}

/// Where the commands come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A person at a terminal: a line editor, colour unless `NO_COLOR`.
    Terminal,
    /// A file or a pipe: plain lines in and out.
    Script,
}

/// Starts reading input; returns the lines and the printer for events.
pub fn start(
    mode: Mode,
    options: Options,
) -> rustyline::Result<(async_channel::Receiver<Input>, Printer)> {
    let (tx, rx) = async_channel::unbounded();
    if mode == Mode::Script {
        std::thread::spawn(move || read_script(&tx));
        return Ok((
            rx,
            Printer {
                sink: Sink::Plain,
                style: Style { colour: false },
                quiet: options.quiet,
                timestamps: options.timestamps,
            },
        ));
    }
    let colour = std::env::var_os("NO_COLOR").is_none();
    // Forced: the helper redraws the prompt, which the editor does only
    // with colour on; the helper itself adds none.
    let config = Config::builder().color_mode(ColorMode::Forced).build();
    let mut editor = Editor::<PromptHelper, DefaultHistory>::with_config(config)?;
    let live = LivePrompt::default();
    editor.set_helper(Some(PromptHelper::new(live.clone())));
    let history = options
        .history
        .and_then(|path| History::open(&mut editor, path));
    let (prompts, prompt_rx) = mpsc::channel::<String>();
    let sink = Sink::Editor {
        printer: Box::new(editor.create_external_printer()?),
        prompts,
        live,
        editing: false,
    };
    std::thread::spawn(move || edit_lines(editor, history, &prompt_rx, &tx));
    Ok((
        rx,
        Printer {
            sink,
            style: Style { colour },
            quiet: options.quiet,
            timestamps: options.timestamps,
        },
    ))
}

/// The editor's thread: a line for each prompt the session hands over.
fn edit_lines(
    mut editor: Editor<PromptHelper, DefaultHistory>,
    mut history: Option<History>,
    prompts: &mpsc::Receiver<String>,
    tx: &async_channel::Sender<Input>,
) {
    let mut interrupted = false;
    while let Ok(prompt) = prompts.recv() {
        let input = match editor.readline(&prompt) {
            Ok(line) => {
                if let Some(history) = &mut history {
                    history.keep(&mut editor, &line);
                }
                Input::Line(line)
            }
            Err(ReadlineError::Interrupted) if !interrupted => Input::Interrupted,
            Err(_) => Input::End,
        };
        interrupted = matches!(input, Input::Interrupted);
        let end = matches!(input, Input::End);
        if tx.send_blocking(input).is_err() || end {
            return;
        }
    }
}

/// Typed lines kept in a file between runs.
struct History {
    path: PathBuf,
    /// Whether a failed write was told already (it is told once).
    failed: bool,
}

impl History {
    /// Loads the file, made (readable by the user alone) if it is not
    /// there; `None`, told on stderr, if it cannot be used.
    fn open(editor: &mut Editor<PromptHelper, DefaultHistory>, path: PathBuf) -> Option<Self> {
        if let Err(e) = create_private(&path) {
            eprintln!("mchat-client: history not kept: {}: {e}", path.display());
            return None;
        }
        if let Err(e) = editor.load_history(&path) {
            eprintln!("mchat-client: history not read: {}: {e}", path.display());
        }
        Some(Self {
            path,
            failed: false,
        })
    }

    /// Adds a typed line, unless it holds a password or is blank, and
    /// appends it to the file.
    fn keep(&mut self, editor: &mut Editor<PromptHelper, DefaultHistory>, line: &str) {
        if !worth_keeping(line) {
            return;
        }
        if !matches!(editor.history_mut().add(line), Ok(true)) {
            return;
        }
        // Between two reads: the terminal is the session's to print on.
        if let Err(e) = editor.append_history(&self.path)
            && !self.failed
        {
            self.failed = true;
            eprintln!(
                "mchat-client: history not saved: {}: {e}",
                self.path.display()
            );
        }
    }
}

/// A line worth finding again: not blank, and no `joinprivate` (its
/// password must never reach the disk).
fn worth_keeping(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    !first.is_empty()
        && !first
            .trim_start_matches('/')
            .eq_ignore_ascii_case("joinprivate")
}

/// Makes `path` and its directory if missing, the file readable and
/// writable by its owner only.
fn create_private(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map(drop)
}

/// Scripted mode: one command per line; `wait <seconds>` pauses here while
/// the session keeps printing what arrives.
fn read_script(tx: &async_channel::Sender<Input>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Some(pause) = script_pause(&line) {
            std::thread::sleep(pause);
            continue;
        }
        if tx.send_blocking(Input::Line(line)).is_err() {
            return;
        }
    }
    let _ = tx.send_blocking(Input::End);
}

/// The pause a `wait <seconds>` line asks for, at most an hour; `None` if
/// the line is no such wait (it is then a command like any other).
fn script_pause(line: &str) -> Option<Duration> {
    let secs: f64 = line.trim().strip_prefix("wait ")?.trim().parse().ok()?;
    // Not a number ("nan") is no duration: from_secs_f64 would panic.
    Duration::try_from_secs_f64(secs.clamp(0.0, 3600.0)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_line_pauses_for_its_seconds_within_an_hour() {
        assert_eq!(script_pause("wait 1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(script_pause("  wait  2 "), Some(Duration::from_secs(2)));
        assert_eq!(script_pause("wait -3"), Some(Duration::ZERO));
        assert_eq!(script_pause("wait 1e9"), Some(Duration::from_secs(3600)));
        assert_eq!(script_pause("wait inf"), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn anything_else_is_a_command_line() {
        for line in [
            "wait",
            "wait a bit",
            "wait nan",
            "msg lobby wait 1",
            "waiting 1",
        ] {
            assert_eq!(script_pause(line), None, "{line:?}");
        }
    }

    #[test]
    fn passwords_and_blank_lines_stay_out_of_the_history() {
        for line in ["joinprivate vault pw", "/JoinPrivate vault pw", "  ", ""] {
            assert!(!worth_keeping(line), "{line:?}");
        }
        for line in ["join vault", "hello", "msg lobby joinprivate is a command"] {
            assert!(worth_keeping(line), "{line:?}");
        }
    }
}
