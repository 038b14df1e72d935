//! The client's one loop: user input, server bytes and timers into the
//! `Client` state machine; its outputs onto the socket and the screen.

use std::time::Instant;

use futures_lite::{AsyncReadExt, AsyncWriteExt, future};
use mchat_core::client::{Client, ClientConfig, ClientEvent, ClientOutput, Command, ConnectionEnd};
use smol::Timer;

use crate::connect::{self, Stream, Trust};
use crate::display::labelled;
use crate::input::{Input, Printer};

enum Wake {
    Input(Input),
    Read(std::io::Result<usize>),
    Timer,
}

/// How a session went, for the exit status of a script.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
    /// Commands refused: here, by the server (`ERROR`), or a connect that
    /// failed.
    pub refused: usize,
}

/// Runs until the user quits or input ends.
pub async fn run(
    config: ClientConfig,
    connect: Option<Command>,
    trust: Trust,
    lines: async_channel::Receiver<Input>,
    mut printer: Printer,
) -> Outcome {
    let mut outcome = Outcome::default();
    let mut client = Client::new(config);
    let mut stream: Option<Box<dyn Stream>> = None;
    let mut buf = vec![0u8; 16 * 1024];
    if let Some(command) = connect {
        client.handle_command(command, Instant::now());
    }
    loop {
        if carry_out(&mut client, &mut stream, &trust, &mut printer, &mut outcome).await
            == Next::Quit
        {
            return outcome;
        }
        printer.ready(prompt(&client).full);
        let input = async { Wake::Input(lines.recv().await.unwrap_or(Input::End)) };
        let timer = async {
            match client.poll_timeout() {
                Some(at) => Timer::at(at).await,
                None => future::pending().await,
            };
            Wake::Timer
        };
        let wake = match stream.as_mut() {
            Some(s) => {
                future::or(
                    input,
                    future::or(async { Wake::Read(s.read(&mut buf).await) }, timer),
                )
                .await
            }
            None => future::or(input, timer).await,
        };
        let now = Instant::now();
        match wake {
            Wake::Input(Input::Line(line)) => {
                printer.line_taken();
                client.handle_input_line(&line, now);
            }
            Wake::Input(Input::Interrupted) => {
                printer.line_taken();
                printer.print(
                    "(line cleared: Ctrl-C again or quit to leave)".to_owned(),
                    false,
                );
            }
            Wake::Input(Input::End) => client.handle_command(Command::Quit, now),
            Wake::Read(Ok(0)) => {
                stream = None;
                client.handle_close(ConnectionEnd::Closed, now);
            }
            Wake::Read(Err(e)) => {
                stream = None;
                client.handle_close(ConnectionEnd::Failed(connect::reason(&e)), now);
            }
            Wake::Read(Ok(n)) => client.handle_input(buf.get(..n).unwrap_or_default(), now),
            Wake::Timer => client.handle_timeout(now),
        }
    }
}

/// The prompt: the current room, the nick, and the connection if it is
/// not up (`full`); `compact` says the same in a connected prompt's width,
/// for a redraw while a line is half typed.
struct Prompt {
    full: String,
    compact: String,
}

fn prompt(client: &Client) -> Prompt {
    let (state, mark) = if client.is_connected() {
        ("", '>')
    } else if client.is_reconnecting() {
        (" (reconnecting)", '!')
    } else {
        (" (not connected)", '!')
    };
    let room = client
        .current_room_label()
        .map(|room| format!("[{}] ", labelled(&room)))
        .unwrap_or_default();
    let nick = client.nick();
    Prompt {
        full: format!("{room}{nick}{state}> "),
        compact: format!("{room}{nick}{mark} "),
    }
}

/// What the loop does once the client's outputs are carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    Continue,
    Quit,
}

/// Does what the client asks, until it asks nothing more.
async fn carry_out(
    client: &mut Client,
    stream: &mut Option<Box<dyn Stream>>,
    trust: &Trust,
    printer: &mut Printer,
    outcome: &mut Outcome,
) -> Next {
    let mut next = Next::Continue;
    while let Some(output) = client.poll_output() {
        match output {
            ClientOutput::Send(line) => {
                if let Some(s) = stream.as_mut()
                    && let Err(e) = s.write_all(&line).await
                {
                    *stream = None;
                    client.handle_close(ConnectionEnd::Failed(connect::reason(&e)), Instant::now());
                }
            }
            ClientOutput::Connect { host, port, tls } => {
                let opened = if tls {
                    connect::open_tls(&host, port, trust).await
                } else {
                    connect::open(&host, port)
                        .await
                        .map(|s| Box::new(s) as Box<dyn Stream>)
                };
                match opened {
                    Ok(s) => {
                        *stream = Some(s);
                        client.connected(&host, port, Instant::now());
                    }
                    Err(e) => client.connect_failed(&connect::reason(&e), Instant::now()),
                }
            }
            ClientOutput::Disconnect => {
                if let Some(mut s) = stream.take() {
                    let _ = s.flush().await;
                    let _ = s.close().await;
                }
            }
            ClientOutput::Event(ClientEvent::Quit) => next = Next::Quit,
            ClientOutput::Event(event) => {
                if matches!(
                    event,
                    ClientEvent::Refused(_)
                        | ClientEvent::ServerError { .. }
                        | ClientEvent::ConnectFailed { .. }
                ) {
                    outcome.refused += 1;
                }
                // First, so that the redraw after this line shows it.
                let now = prompt(client);
                printer.set_prompt(&now.full, &now.compact);
                if let Some(line) = printer.style.render(&event) {
                    printer.print(line, !matches!(event, ClientEvent::Help(_)));
                }
            }
        }
    }
    next
}
