//! Where commands come from, and where events go: a line editor on a
//! terminal, plain lines otherwise. Input is read on its own thread.

use std::io::BufRead;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustyline::{Config, DefaultEditor, ExternalPrinter};

use crate::display::Style;

/// What the input thread sends: a line, or the end of input.
pub enum Input {
    Line(String),
    End,
}

/// Prints events without disturbing the line being typed.
pub struct Printer {
    sink: Sink,
    pub style: Style,
    /// The prompt the editor shows next, e.g. `[lobby] alice> `.
    pub prompt: Arc<Mutex<String>>,
}

enum Sink {
    Quiet,
    Plain,
    Editor(Box<dyn ExternalPrinter + Send>),
}

impl Printer {
    pub fn print(&mut self, line: String) {
        match &mut self.sink {
            Sink::Quiet => {}
            Sink::Plain => println!("{line}"),
            Sink::Editor(printer) => {
                if printer.print(line.clone()).is_err() {
                    println!("{line}");
                }
            }
        }
    }

    pub fn set_prompt(&self, prompt: String) {
        if let Ok(mut current) = self.prompt.lock() {
            *current = prompt;
        }
    }
}

/// Starts reading input; returns the lines and the printer for events.
pub fn start(
    interactive: bool,
    quiet: bool,
) -> rustyline::Result<(async_channel::Receiver<Input>, Printer)> {
    let (tx, rx) = async_channel::unbounded();
    let prompt = Arc::new(Mutex::new("> ".to_owned()));
    let colour = interactive && std::env::var_os("NO_COLOR").is_none();
    if !interactive {
        std::thread::spawn(move || read_script(&tx));
        let sink = if quiet { Sink::Quiet } else { Sink::Plain };
        return Ok((
            rx,
            Printer {
                sink,
                style: Style { colour: false },
                prompt,
            },
        ));
    }
    let mut editor = DefaultEditor::with_config(Config::builder().auto_add_history(true).build())?;
    let sink = if quiet {
        Sink::Quiet
    } else {
        Sink::Editor(Box::new(editor.create_external_printer()?))
    };
    let shown = prompt.clone();
    std::thread::spawn(move || {
        loop {
            let prompt = shown
                .lock()
                .map(|p| p.clone())
                .unwrap_or_else(|_| "> ".to_owned());
            match editor.readline(&prompt) {
                Ok(line) => {
                    if tx.send_blocking(Input::Line(line)).is_err() {
                        return;
                    }
                }
                Err(_) => {
                    let _ = tx.send_blocking(Input::End);
                    return;
                }
            }
        }
    });
    Ok((
        rx,
        Printer {
            sink,
            style: Style { colour },
            prompt,
        },
    ))
}

/// Scripted mode: one command per line; `wait <seconds>` pauses here while
/// the session keeps printing what arrives.
fn read_script(tx: &async_channel::Sender<Input>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Some(secs) = line
            .trim()
            .strip_prefix("wait ")
            .and_then(|s| s.trim().parse::<f64>().ok())
        {
            std::thread::sleep(Duration::from_secs_f64(secs.clamp(0.0, 3600.0)));
            continue;
        }
        if tx.send_blocking(Input::Line(line)).is_err() {
            return;
        }
    }
    let _ = tx.send_blocking(Input::End);
}
