//! One real server over TCP: PROTOCOL.md §3, §6, §7 end to end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::time::{Duration, Instant};

use support::{LineClient, ServerProc, scratch};

fn server(name: &str, extra: &[&str]) -> ServerProc {
    ServerProc::start(&scratch(name), "127.0.0.1", (0, 0), None, extra)
}

#[test]
fn clients_join_chat_and_part_with_notices() {
    let s = server("chat", &[]);
    let mut alice = LineClient::member(s.client_port, "alice", &["lobby"]);
    let mut bob = LineClient::member(s.client_port, "bob", &["lobby"]);
    alice.expect("SYSTEM lobby bob joined channel");
    alice.send("MSG alice lobby hello bob");
    bob.expect("MSG alice lobby hello bob");
    bob.send("NICK robert");
    alice.expect("SYSTEM lobby bob changed nickname to robert");
    bob.expect("SYSTEM lobby bob changed nickname to robert");
    bob.send("PART lobby");
    alice.expect("SYSTEM lobby robert left channel");
    bob.send("JOIN lobby");
    bob.expect("SYSTEM lobby robert joined channel");
    bob.close();
    alice.expect("SYSTEM lobby robert left channel");
}

#[test]
fn refused_lines_are_answered_with_error_and_the_connection_stays() {
    let s = server("errors", &[]);
    let mut alice = LineClient::member(s.client_port, "alice", &["lobby"]);
    let cases: [(&[u8], &str); 8] = [
        (b"PART rust\n", "ERROR not-joined "),
        (b"MSG alice rust hi\n", "ERROR not-joined "),
        (b"JOIN lobby\n", "ERROR already-joined "),
        (b"msg alice lobby hi\n", "ERROR unknown-command "),
        (b"SYSTEM lobby fake\n", "ERROR unknown-command "),
        (b"MSG alice lobby\n", "ERROR malformed "),
        (b"JOIN \xff\n", "ERROR bad-utf8 "),
        (
            b"NICK aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
            "ERROR bad-nick ",
        ),
    ];
    for (line, prefix) in cases {
        alice.send_raw(line);
        let got = alice.next_line().unwrap();
        assert!(got.starts_with(prefix), "{line:?} got {got:?}");
    }
    let mut long = b"MSG alice lobby ".to_vec();
    long.extend(std::iter::repeat_n(b'x', 2000));
    long.push(b'\n');
    alice.send_raw(&long);
    assert!(alice.next_line().unwrap().starts_with("ERROR too-long "));
    alice.send("HEART");
    assert_eq!(alice.next_line().unwrap(), "BLEED");
}

#[test]
fn server_sends_heart_and_drops_a_silent_client() {
    let s = server("heartbeat", &["--heartbeat-ms", "100"]);
    let mut silent = LineClient::member(s.client_port, "silent", &["lobby"]);
    let mut alive = LineClient::member(s.client_port, "alive", &["lobby"]);
    // `alive` answers every HEART (LineClient does); `silent` reads nothing more.
    let started = Instant::now();
    alive.expect("SYSTEM lobby silent left channel");
    let waited = started.elapsed();
    // Three unanswered beats, closed at the fourth: 0.3 to 0.4 s with 100 ms beats.
    assert!(
        waited >= Duration::from_millis(250),
        "dropped after {waited:?}"
    );
    let seen = silent.expect_closed();
    assert_eq!(seen.concat().matches("HEART").count(), 3, "{seen:?}");
}

#[test]
fn client_dribbling_a_line_without_newline_does_not_delay_others() {
    let s = server("dribble", &[]);
    let mut slowpoke = LineClient::member(s.client_port, "slowpoke", &["lobby"]);
    let mut alice = LineClient::member(s.client_port, "alice", &["lobby"]);
    let mut bob = LineClient::member(s.client_port, "bob", &["lobby"]);
    slowpoke.send_raw(b"MSG slowpoke lobby this line never ends");
    for i in 0..20 {
        alice.send(&format!("MSG alice lobby line {i}"));
        bob.expect(&format!("MSG alice lobby line {i}"));
    }
    slowpoke.send_raw(b"\n");
    bob.expect("MSG slowpoke lobby this line never ends");
}

#[test]
fn client_over_the_limit_is_told_the_server_is_full() {
    let s = server("full", &["--max-clients", "1"]);
    let _first = LineClient::member(s.client_port, "first", &[]);
    let mut second = LineClient::connect("127.0.0.1", s.client_port);
    let got = second.next_line().unwrap();
    assert!(got.starts_with("ERROR server-full "), "{got}");
    second.expect_closed();
}

#[test]
fn a_crowd_connecting_while_the_server_is_busy_waits_in_the_listen_queue() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;

    /// Lets the server run again however the test ends.
    struct Resume(Pid);
    impl Drop for Resume {
        fn drop(&mut self) {
            let _ = kill(self.0, Signal::SIGCONT);
        }
    }

    // 500 connections from one address: the per-address limits lifted.
    let s = server("crowd", &testkit::UNLIMITED);
    let pid = Pid::from_raw(i32::try_from(s.pid()).unwrap());
    // A stopped server accepts nothing: every connection below must wait in
    // the kernel's listen queue. A SYN the queue cannot hold is dropped and
    // retried after a second, so each connect gets half of that.
    kill(pid, Signal::SIGSTOP).unwrap();
    let resume = Resume(pid);
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], s.client_port));
    let crowd: Vec<_> = (0..500)
        .map(|i| {
            std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500))
                .unwrap_or_else(|e| panic!("connection {i} of 500 was not queued: {e}"))
        })
        .collect();
    drop(resume);
    // Every queued connection is then served, the last as well as the first.
    let mut last = LineClient::member(s.client_port, "last", &["lobby"]);
    for (i, stream) in crowd.iter().enumerate() {
        use std::io::Write;
        (&*stream)
            .write_all(format!("NICK crowd{i}\nJOIN lobby\n").as_bytes())
            .unwrap();
    }
    last.expect("SYSTEM lobby crowd499 joined channel");
}
