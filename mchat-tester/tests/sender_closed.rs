//! A load client whose connection the server closes (as a slow consumer,
//! say): the run ends and says so, instead of waiting for ever for lines
//! that will not come.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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

/// Runs the tester, killing it (and failing) if it is still running
/// after `limit`; its `--json` figures.
fn figures_within(limit: Duration, args: &[&str]) -> Vec<(String, f64)> {
    let mut child = Command::new(TESTER)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the run was still going after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    figures(&text)
}

const LOAD: [&str; 10] = [
    "--receivers",
    "1",
    "--senders",
    "1",
    "--messages",
    "1000",
    "--window",
    "100",
    "--json",
    "--server",
];

#[test]
fn a_sender_closed_by_the_server_ends_the_run_and_is_counted() {
    let addr = stand_in(Closes::Sender);
    let args = [&["load"][..], &LOAD[..], &[addr.as_str()][..]].concat();
    let f = figures_within(Duration::from_secs(60), &args);
    assert_eq!(figure(&f, "senders_disconnected"), 1.0, "{f:?}");
    assert_eq!(figure(&f, "delivered"), 0.0);
    assert!(
        figure(&f, "sent") < 200.0,
        "a window of lines, not all: {f:?}"
    );
}

#[test]
fn a_pacing_receiver_closed_by_the_server_holds_its_senders_back_no_longer() {
    let addr = stand_in(Closes::Receiver);
    let args = [&["load"][..], &LOAD[..], &[addr.as_str()][..]].concat();
    let f = figures_within(Duration::from_secs(60), &args);
    assert_eq!(figure(&f, "receivers_disconnected"), 1.0, "{f:?}");
    assert_eq!(figure(&f, "sent"), 1000.0, "past the window: {f:?}");
    assert_eq!(figure(&f, "lost"), 1000.0);
}
