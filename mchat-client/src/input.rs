//! Where commands come from, and where events go: a line editor on a
//! terminal, plain lines otherwise. Input is read on its own thread.

use std::io::BufRead;
use std::sync::mpsc;
use std::time::Duration;

use rustyline::{Config, DefaultEditor, ExternalPrinter};

use crate::display::Style;

/// What the input thread sends: a line, or the end of input.
pub enum Input {
    Line(String),
    End,
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
}

enum Sink {
    Plain,
    Editor {
        printer: Box<dyn ExternalPrinter + Send>,
        prompts: mpsc::Sender<String>,
        editing: bool,
    },
}

impl Printer {
    pub fn print(&mut self, line: String) {
        if self.quiet {
            return;
        }
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

/// Where the commands come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A person at a terminal: a line editor, colour unless `NO_COLOR`.
    Terminal,
    /// A file or a pipe: plain lines in and out.
    Script,
}

/// Starts reading input; returns the lines and the printer for events
/// (which prints nothing if `quiet`).
pub fn start(
    mode: Mode,
    quiet: bool,
) -> rustyline::Result<(async_channel::Receiver<Input>, Printer)> {
    let (tx, rx) = async_channel::unbounded();
    if mode == Mode::Script {
        std::thread::spawn(move || read_script(&tx));
        return Ok((
            rx,
            Printer {
                sink: Sink::Plain,
                style: Style { colour: false },
                quiet,
            },
        ));
    }
    let colour = std::env::var_os("NO_COLOR").is_none();
    let mut editor = DefaultEditor::with_config(Config::builder().auto_add_history(true).build())?;
    let (prompts, prompt_rx) = mpsc::channel::<String>();
    let sink = Sink::Editor {
        printer: Box::new(editor.create_external_printer()?),
        prompts,
        editing: false,
    };
    std::thread::spawn(move || {
        while let Ok(prompt) = prompt_rx.recv() {
            let input = match editor.readline(&prompt) {
                Ok(line) => Input::Line(line),
                Err(_) => Input::End,
            };
            let end = matches!(input, Input::End);
            if tx.send_blocking(input).is_err() || end {
                return;
            }
        }
    });
    Ok((
        rx,
        Printer {
            sink,
            style: Style { colour },
            quiet,
        },
    ))
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
}
