//! The relay as `mchat-tester load` uses it, over real TCP: the hello is
//! answered, and every whole line reaches every other joined socket once,
//! in order, and never its sender.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use testkit::LineClient;

struct Relay {
    child: Child,
    port: u16,
}

impl Relay {
    fn start() -> Relay {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mchat-relay"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let port = banner.trim().rsplit(':').next().unwrap().parse().unwrap();
        Relay { child, port }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn whole_lines_reach_every_other_joined_socket_and_not_the_sender() {
    let relay = Relay::start();
    let mut ann = LineClient::member(relay.port, "ann", &["load0"]);
    let mut bob = LineClient::member(relay.port, "bob", &["load0"]);
    let mut cat = LineClient::member(relay.port, "cat", &["load0"]);
    // A line's start is held until its end comes.
    ann.send_raw(b"MSG ann load0 one\nMSG ann load0 tw");
    ann.send_raw(b"o\n");
    for reader in [&mut bob, &mut cat] {
        reader.expect("MSG ann load0 one");
        reader.expect("MSG ann load0 two");
    }
    bob.send("MSG bob load0 three");
    cat.expect("MSG bob load0 three");
    ann.expect("MSG bob load0 three");
    assert_eq!(bob.drain(Duration::from_millis(200)), Vec::<String>::new());
}

#[test]
fn a_socket_still_in_its_hello_is_sent_nothing() {
    let relay = Relay::start();
    let mut ann = LineClient::member(relay.port, "ann", &["load0"]);
    let mut early = LineClient::connect("127.0.0.1", relay.port);
    let mut bob = LineClient::member(relay.port, "bob", &["load0"]);
    ann.send("MSG ann load0 before");
    bob.expect("MSG ann load0 before");
    early.send("NICK early");
    early.send("JOIN load0");
    // Its first line is its notice: "before" never came to it.
    assert_eq!(
        early.next_line().as_deref(),
        Some("SYSTEM load0 early joined channel")
    );
    ann.send("MSG ann load0 after");
    early.expect("MSG ann load0 after");
}
