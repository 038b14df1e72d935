//! A load client whose connection the server closes (as a slow consumer,
//! say): the run ends and says so, instead of waiting for ever for lines
//! that will not come.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::exit_within;

use support::{figure, figures};

const TESTER: &str = env!("CARGO_BIN_EXE_mchat-tester");

/// Whom the stand-in server closes.
#[derive(Clone, Copy)]
enum Closes {
    /// A sender (nick `s…`), after ten of its lines.
    Sender,
    /// A receiver (nick `r…`), right after its join notice.
    Receiver,
}

/// A stand-in server: answers each client's `JOIN` with its join notice,
/// relays nothing, and closes whom `closes` says.
fn stand_in(closes: Closes) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(stream) = stream else { return };
            std::thread::spawn(move || serve(stream, closes));
        }
    });
    addr
}

fn serve(stream: TcpStream, closes: Closes) {
    let mut out = stream.try_clone().unwrap();
    let (mut nick, mut chat) = (String::new(), 0);
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["NICK", n] => nick = (*n).to_owned(),
            ["JOIN", room] => {
                let _ = writeln!(out, "SYSTEM {room} {nick} joined channel");
                if let Closes::Receiver = closes
                    && nick.starts_with('r')
                {
                    let _ = out.shutdown(Shutdown::Both);
                    return;
                }
            }
            ["MSG", ..] => {
                chat += 1;
                if let Closes::Sender = closes
                    && nick.starts_with('s')
                    && chat == 10
                {
                    let _ = out.shutdown(Shutdown::Both);
                    return;
                }
            }
            _ => {}
        }
    }
}

/// One sender and one receiver, 1 000 lines with a window of 100, against
/// a stand-in that closes whom `closes` says; the run's `--json` figures
/// (it fails if the run is still going after a minute).
fn load_against(closes: Closes) -> Vec<(String, f64)> {
    let addr = stand_in(closes);
    let mut child = Command::new(TESTER)
        .args([
            "load",
            "--receivers",
            "1",
            "--senders",
            "1",
            "--messages",
            "1000",
        ])
        .args(["--window", "100", "--json", "--server", &addr])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    exit_within(&mut child, Duration::from_secs(60), "the load run");
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    figures(&text)
}

#[test]
fn a_sender_closed_by_the_server_ends_the_run_and_is_counted() {
    let f = load_against(Closes::Sender);
    assert_eq!(figure(&f, "senders_disconnected"), 1.0, "{f:?}");
    assert_eq!(figure(&f, "delivered"), 0.0);
    assert!(
        figure(&f, "sent") < 200.0,
        "a window of lines, not all: {f:?}"
    );
}

#[test]
fn a_pacing_receiver_closed_by_the_server_holds_its_senders_back_no_longer() {
    let f = load_against(Closes::Receiver);
    assert_eq!(figure(&f, "receivers_disconnected"), 1.0, "{f:?}");
    assert_eq!(figure(&f, "sent"), 1000.0, "past the window: {f:?}");
    assert_eq!(figure(&f, "lost"), 1000.0);
}
