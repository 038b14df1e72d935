//! The client binary against a real `mchat-server` over TCP, in scripted
//! mode (stdin a pipe) and in a terminal (tmux).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};

use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use testkit::{ServerProc, exit_within};

const CLIENT: &str = env!("CARGO_BIN_EXE_mchat-client");
const DEADLINE: Duration = Duration::from_secs(10);

/// A scripted client: commands to its stdin, its stdout lines collected.
struct Scripted {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Scripted {
    fn start(args: &[&str]) -> Self {
        Self::start_env(args, &[])
    }

    fn start_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(CLIENT)
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }

    fn say(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").unwrap();
    }

    /// The next line, within the deadline.
    fn next(&mut self) -> String {
        self.lines.recv_timeout(DEADLINE).expect("a line")
    }

    /// Waits for a line equal to `want`; returns every line seen before it.
    fn expect(&mut self, want: &str) -> Vec<String> {
        self.expect_within(want, DEADLINE)
    }

    fn expect_within(&mut self, want: &str, within: Duration) -> Vec<String> {
        self.expect_matching(|line| line == want, want, within)
    }

    /// Waits for a line that `wanted` accepts (`what` names it for the
    /// failure); returns every line seen before it.
    fn expect_matching(
        &mut self,
        wanted: impl Fn(&str) -> bool,
        what: &str,
        within: Duration,
    ) -> Vec<String> {
        let want = what;
        let deadline = Instant::now() + within;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => {
                    self.seen.extend(before.iter().cloned());
                    return before;
                }
                Ok(line) => before.push(line),
                Err(_) => panic!("expected {want:?} within {within:?}; got {before:?}"),
            }
        }
    }
}

impl Drop for Scripted {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn two_clients_chat_in_a_public_and_a_private_room_and_a_wrong_password_sees_nothing() {
    let server = ServerProc::local("chat");
    let port = server.client_port.to_string();
    let mut alice = Scripted::start(&["--nick", "alice", "127.0.0.1", &port]);
    let mut bob = Scripted::start(&["--nick", "bob", "127.0.0.1", &port]);
    let mut eve = Scripted::start(&["--nick", "eve", "127.0.0.1", &port]);
    for (c, nick) in [(&mut alice, "alice"), (&mut bob, "bob"), (&mut eve, "eve")] {
        c.expect(&format!("connected to 127.0.0.1 {port}"));
        c.say("join lobby");
        c.expect(&format!("<lobby> SYSTEM: {nick} joined channel"));
    }
    const ALONE: &str = "<sauna*> you are the only one here: others must use the same password";
    alice.say("joinprivate sauna löyly");
    alice.expect("<sauna*> SYSTEM: alice joined channel");
    alice.expect(ALONE);
    bob.say("joinprivate sauna löyly");
    let bob_joined = bob.expect("<sauna*> SYSTEM: bob joined channel");
    eve.say("joinprivate sauna guess");
    eve.expect("<sauna*> SYSTEM: eve joined channel");
    // The wrong password is a room of its own, and eve is told she is alone.
    eve.expect(ALONE);

    alice.say("msg lobby hello everyone");
    bob.expect("<lobby> alice: hello everyone");
    alice.say("msg sauna only for bob");
    let bob_saw = bob.expect("<sauna*> alice: only for bob");
    assert!(
        !bob_joined.iter().chain(&bob_saw).any(|l| l == ALONE),
        "bob is not alone: {bob_saw:?}"
    );
    bob.say("msg sauna got it");
    alice.expect("<sauna*> bob: got it");
    // Per-sender order: the marker follows anything alice said before it.
    alice.say("msg lobby marker");
    let eve_saw = eve.expect("<lobby> alice: marker");
    assert!(
        eve_saw
            .iter()
            .all(|l| !l.contains("only for bob") && !l.contains("got it")),
        "{eve_saw:?}"
    );
    assert!(eve_saw.contains(&"<lobby> alice: hello everyone".to_owned()));
}

#[test]
fn refusals_and_server_errors_are_shown() {
    let server = ServerProc::local("refusals");
    let port = server.client_port.to_string();
    let mut c = Scripted::start(&[]);
    c.say("join lobby");
    c.expect("refused: not connected; use connect <host> <port>");
    c.say(&format!("connect 127.0.0.1 {port}"));
    c.expect(&format!("connected to 127.0.0.1 {port}"));
    c.say("msg lobby hi");
    c.expect("refused: you have not joined lobby");
    c.say("frobnicate");
    c.expect("refused: no current room; join one first (type help for commands)");
}

#[test]
fn a_refused_connect_says_where_to_and_why() {
    // A port nothing listens on: bound, then closed again.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut c = Scripted::start(&["127.0.0.1", &port.to_string()]);
    c.expect(&format!(
        "could not connect to 127.0.0.1:{port}: Connection refused"
    ));
}

/// A server with a TLS client port, its certificate from a CA made here;
/// returns the server, the TLS port and the CA's file.
fn tls_server(name: &str) -> (ServerProc, u16, std::path::PathBuf) {
    let dir = testkit::scratch(name);
    let ca = testkit::TestCa::new(&dir, "site");
    let cert = ca.issue("server");
    let tls_port = testkit::free_port();
    let flags = cert.client_port_flags(tls_port);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let server = ServerProc::start(
        &dir,
        "127.0.0.1",
        (testkit::free_port(), testkit::free_port()),
        None,
        &flags,
    );
    (server, tls_port, ca.ca_pem.clone())
}

#[test]
fn a_client_connecting_over_tls_chats_with_a_plain_one() {
    let (server, tls_port, ca) = tls_server("client-tls");
    let plain = server.client_port.to_string();
    let mut alice = Scripted::start(&["--nick", "alice", "--ca", ca.to_str().unwrap()]);
    alice.say(&format!("connect tls://127.0.0.1:{tls_port}"));
    alice.expect(&format!("connected to 127.0.0.1 {tls_port}"));
    alice.say("join lobby");
    alice.expect("<lobby> SYSTEM: alice joined channel");
    let mut bob = Scripted::start(&["--nick", "bob", "127.0.0.1", &plain]);
    bob.expect(&format!("connected to 127.0.0.1 {plain}"));
    bob.say("join lobby");
    alice.expect("<lobby> SYSTEM: bob joined channel");
    alice.say("msg lobby sealed in TLS");
    bob.expect("<lobby> alice: sealed in TLS");
    bob.say("msg lobby and back");
    alice.expect("<lobby> bob: and back");
}

#[test]
fn a_server_whose_certificate_the_client_does_not_trust_is_refused_with_the_reason() {
    let (_server, tls_port, _ca) = tls_server("client-tls-untrusted");
    let dir = testkit::scratch("client-tls-other-ca");
    let other = testkit::TestCa::new(&dir, "other");
    let mut c = Scripted::start(&["--ca", other.ca_pem.to_str().unwrap()]);
    c.say(&format!("connect tls://127.0.0.1:{tls_port}"));
    c.expect(&format!(
        "could not connect to 127.0.0.1:{tls_port}: invalid peer certificate: UnknownIssuer"
    ));
}

#[test]
fn version_is_printed_and_the_client_exits() {
    let out = Command::new(CLIENT).arg("--version").output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("mchat-client {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn wrong_server_arguments_are_told_plainly_and_fail() {
    let out = Command::new(CLIENT)
        .args(["127.0.0.1"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "mchat-client: give the server as <host> <port>, got: 127.0.0.1\n"
    );
}

#[test]
fn killed_server_is_reported_lost_within_six_seconds() {
    let mut server = ServerProc::local("killed");
    let port = server.client_port.to_string();
    let mut c = Scripted::start(&["--no-reconnect", "127.0.0.1", &port]);
    c.expect(&format!("connected to 127.0.0.1 {port}"));
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // Closed or reset, as the kernel ends a killed process's socket.
    c.expect_matching(
        |l| l.starts_with("server lost! the ") && l.ends_with("; disconnected"),
        "server lost! …; disconnected",
        Duration::from_secs(6),
    );
}

#[test]
fn a_restarted_server_gets_the_client_back_into_all_its_rooms_by_itself() {
    let dir = testkit::scratch("reconnect");
    let ports = (testkit::free_port(), testkit::free_port());
    let mut server = ServerProc::start(&dir, "127.0.0.1", ports, None, &[]);
    let port = ports.0.to_string();
    let mut alice = Scripted::start(&["--nick", "alice", "127.0.0.1", &port]);
    alice.expect(&format!("connected to 127.0.0.1 {port}"));
    alice.say("join lobby");
    alice.say("joinprivate vault hunter2");
    alice.expect("<vault*> SYSTEM: alice joined channel");

    server.kill9();
    alice.expect_matching(
        |l| l.starts_with("server lost! the ") && l.contains("; reconnecting in "),
        "server lost! …; reconnecting in …",
        Duration::from_secs(6),
    );
    let _server = ServerProc::start(&dir, "127.0.0.1", ports, None, &[]);
    // Back by itself within its backoff (1 s, then 2 s, with jitter).
    alice.expect_within(
        &format!("reconnected to 127.0.0.1 {port}; rejoined <lobby> <vault*>"),
        Duration::from_secs(10),
    );

    // Bob sees her in both rooms, the private one included.
    let digest = mchat_core::wire::private_room_name("vault", "hunter2");
    let mut bob = testkit::LineClient::member(ports.0, "bob", &["lobby", digest.as_str()]);
    for room in ["lobby", digest.as_str()] {
        bob.send(&format!("NAMES {room}"));
        let members = bob
            .wait_for(|l| l.starts_with(&format!("MEMBERS {room} ")), DEADLINE)
            .unwrap();
        assert!(members.split(' ').any(|n| n == "alice"), "{members}");
    }
    alice.say("msg vault still here");
    bob.expect(&format!("MSG alice {digest} still here"));
}

#[test]
fn silent_server_is_given_up_by_the_keep_alive() {
    // A "server" that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut c = Scripted::start(&["--no-reconnect", "127.0.0.1", &port]);
    let (mut silent, _) = listener.accept().unwrap();
    c.expect(&format!("connected to 127.0.0.1 {port}"));
    let started = Instant::now();
    c.expect_within(
        "server lost! the server stopped answering; disconnected",
        Duration::from_secs(7),
    );
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "lost after {:?}",
        started.elapsed()
    );
    let mut heard = String::new();
    silent
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let _ = silent.read_to_string(&mut heard);
    assert!(
        heard.starts_with("NICK mChatter\nHEART\nHEART\n"),
        "{heard:?}"
    );
}

/// A stand-in for the original Python server, as far as `names` goes: it
/// answers `HEART` with `BLEED` and a `JOIN` with its notice, and drops
/// `NAMES` without a word, as the original does.
fn original_server_standin() -> (u16, std::thread::JoinHandle<Vec<String>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let serve = std::thread::spawn(move || {
        let (conn, _) = listener.accept().unwrap();
        conn.set_read_timeout(Some(DEADLINE)).unwrap();
        let mut out = conn.try_clone().unwrap();
        let mut heard = Vec::new();
        for line in BufReader::new(conn).lines() {
            let Ok(line) = line else { break };
            match line.split(' ').collect::<Vec<_>>()[..] {
                ["HEART"] => out.write_all(b"BLEED\n").unwrap(),
                ["JOIN", room] => {
                    writeln!(out, "SYSTEM {room} mChatter joined channel").unwrap();
                }
                _ => {}
            }
            heard.push(line);
        }
        heard
    });
    (port, serve)
}

#[test]
fn names_on_a_server_without_it_is_told_unsupported() {
    let (port, server) = original_server_standin();
    let mut c = Scripted::start(&["127.0.0.1", &port.to_string()]);
    c.expect(&format!("connected to 127.0.0.1 {port}"));
    c.say("join lobby");
    c.expect("<lobby> SYSTEM: mChatter joined channel");
    c.say("names");
    c.expect("<lobby> names: no answer from this server (an original mChat server has no names)");
    c.say("quit");
    let heard = server.join().unwrap();
    assert!(heard.contains(&"NAMES lobby".to_owned()), "{heard:?}");
}

/// tmux, for a real terminal.
fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is needed for this test (.ci/run installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn wait_for_screen(session: &str, what: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let screen = tmux(&["capture-pane", "-p", "-t", session]);
        if what(&screen) {
            return screen;
        }
        assert!(Instant::now() < deadline, "screen never matched:\n{screen}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client in a tmux terminal of 100 × 20, killed with the session.
struct Tty {
    session: String,
}

impl Tty {
    /// `mchat-client --nick <nick> 127.0.0.1 <port>`, uncoloured and
    /// keeping no history; waits until it is connected and its editor
    /// shows the prompt.
    fn start(name: &str, nick: &str, port: u16) -> Tty {
        Self::start_with(name, nick, port, "--no-history")
    }

    /// As [`Tty::start`], with `options` instead of `--no-history`.
    fn start_with(name: &str, nick: &str, port: u16, options: &str) -> Tty {
        let tty = Self::launch(
            name,
            &format!("{CLIENT} {options} --nick {nick} 127.0.0.1 {port}"),
        );
        tty.wait_for(|s| s.contains("connected to 127.0.0.1"));
        tty.wait_for_prompt(&format!("{nick}>"));
        tty
    }

    /// Runs `command` uncoloured in a new session.
    fn launch(name: &str, command: &str) -> Tty {
        let session = format!("mchat-test-{}-{name}", std::process::id());
        let command = format!("env NO_COLOR=1 {command}");
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "100",
            "-y",
            "20",
            &command,
        ]);
        Tty { session }
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool) -> String {
        wait_for_screen(&self.session, what)
    }

    /// Type only once the editor shows its prompt (it is reading then).
    fn wait_for_prompt(&self, prompt: &str) -> String {
        self.wait_for(|s| s.lines().any(|l| l.trim_end().ends_with(prompt)))
    }

    /// The last line that is not blank: where the editor is.
    fn last_line(screen: &str) -> &str {
        screen
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_end()
    }

    /// Presses the keys named (tmux's names: `C-c`, `Up`).
    fn keys(&self, keys: &str) {
        tmux(&["send-keys", "-t", &self.session, keys]);
    }

    /// Types `text` without pressing Enter.
    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.session, "-l", text]);
    }

    /// Waits until the client has exited and its session is gone.
    fn wait_gone(&self) {
        let deadline = Instant::now() + DEADLINE;
        while Command::new("tmux")
            .args(["has-session", "-t", &self.session])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(Instant::now() < deadline, "the client did not leave");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `line` and presses Enter.
    fn enter(&self, line: &str) {
        tmux(&["send-keys", "-t", &self.session, "-l", line]);
        tmux(&["send-keys", "-t", &self.session, "Enter"]);
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        tmux(&["kill-session", "-t", &self.session]);
    }
}

#[test]
fn message_arriving_while_typing_is_shown_above_and_the_half_line_survives() {
    let server = ServerProc::local("tty");
    let alice = Tty::start("typing", "alice", server.client_port);
    let session = alice.session.clone();
    alice.enter("join lobby");
    alice.wait_for(|s| s.contains("SYSTEM: alice joined channel"));
    alice.wait_for_prompt("[lobby] alice>");

    let mut bob = TcpStream::connect(("127.0.0.1", server.client_port)).unwrap();
    bob.write_all(b"NICK bob\nJOIN lobby\n").unwrap();
    wait_for_screen(&session, |s| s.contains("SYSTEM: bob joined channel"));

    // Half a line typed, then a message arrives.
    tmux(&["send-keys", "-t", &session, "-l", "half a li"]);
    wait_for_screen(&session, |s| s.contains("alice> half a li"));
    bob.write_all(b"MSG bob lobby incoming while you type\n")
        .unwrap();
    let screen = wait_for_screen(&session, |s| {
        s.contains("<lobby> bob: incoming while you type")
    });
    let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.last().unwrap().ends_with("[lobby] alice> half a li"),
        "the typed half line moved:\n{screen}"
    );
    let message_at = lines
        .iter()
        .position(|l| l.contains("incoming while you type"))
        .unwrap();
    assert!(
        message_at < lines.len() - 1,
        "the message is not above the prompt:\n{screen}"
    );

    // Finishing the line sends it whole.
    tmux(&["send-keys", "-t", &session, "-l", "ne"]);
    tmux(&["send-keys", "-t", &session, "Enter"]);
    bob.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut reader = BufReader::new(bob);
    let deadline = Instant::now() + DEADLINE;
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line.starts_with("MSG alice") {
            break;
        }
    }
    assert_eq!(line, "MSG alice lobby half a line\n");
}

#[test]
fn a_slash_command_and_a_typo_are_not_said_in_the_room() {
    let server = ServerProc::local("tty-commands");
    let alice = Tty::start("commands", "alice", server.client_port);
    let mut bob = TcpStream::connect(("127.0.0.1", server.client_port)).unwrap();
    bob.write_all(b"NICK bob\nJOIN lobby\nJOIN #rust\n")
        .unwrap();
    alice.enter("join lobby");
    alice.wait_for_prompt("[lobby] alice>");
    alice.enter("/join #rust");
    alice.wait_for(|s| s.contains("<#rust> SYSTEM: alice joined channel"));
    alice.wait_for_prompt("[#rust] alice>");
    alice.enter("jion lobby");
    alice.wait_for(|s| s.contains("refused: did you mean join? nothing was sent"));
    alice.enter("/frobnicate");
    alice.wait_for(|s| s.contains("refused: no command /frobnicate; commands: connect"));
    alice.enter("/SWITCH lobby");
    alice.wait_for_prompt("[lobby] alice>");
    alice.enter("rooms");
    alice.wait_for(|s| s.contains("rooms ([current], * private): [lobby] #rust"));
    alice.enter("only this is chat");

    // Bob, in both rooms, hears the joins and the one line of chat: never
    // the command or the typo.
    bob.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut reader = BufReader::new(bob);
    let mut heard = Vec::new();
    let deadline = Instant::now() + DEADLINE;
    while Instant::now() < deadline {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        heard.push(line.clone());
        if line.starts_with("MSG alice") {
            break;
        }
    }
    let said: Vec<&String> = heard.iter().filter(|l| l.starts_with("MSG")).collect();
    assert_eq!(said, ["MSG alice lobby only this is chat\n"], "{heard:?}");
}

#[test]
fn ctrl_c_clears_the_half_line_and_only_a_second_one_leaves() {
    let server = ServerProc::local("tty-ctrl-c");
    let alice = Tty::start("ctrl-c", "alice", server.client_port);
    let mut bob = testkit::LineClient::member(server.client_port, "bob", &["lobby"]);
    alice.enter("join lobby");
    alice.wait_for_prompt("[lobby] alice>");
    alice.type_text("never sent");
    alice.wait_for(|s| Tty::last_line(s).ends_with("alice> never sent"));
    alice.keys("C-c");
    let screen = alice.wait_for(|s| s.contains("(line cleared: Ctrl-C again or quit to leave)"));
    assert!(!screen.contains("quit") || screen.contains("or quit to leave"));
    alice.wait_for(|s| Tty::last_line(s).ends_with("[lobby] alice>"));
    alice.enter("still here");
    bob.expect("MSG alice lobby still here");
    alice.keys("C-c");
    alice.wait_for(|s| s.matches("(line cleared").count() == 2);
    alice.keys("C-c");
    alice.wait_gone();
    bob.expect("SYSTEM lobby alice left channel");
}

#[test]
fn typed_lines_are_kept_between_runs_but_never_a_password() {
    let server = ServerProc::local("tty-history");
    let history = testkit::scratch("tty-history").join("history");
    let options = format!("--history {}", history.display());
    let alice = Tty::start_with("history-1", "alice", server.client_port, &options);
    alice.enter("join lobby");
    alice.wait_for_prompt("[lobby] alice>");
    alice.enter("joinprivate vault hunter2");
    alice.wait_for_prompt("[vault*] alice>");
    alice.enter("said in the vault");
    alice.enter("quit");
    alice.wait_gone();
    let kept = std::fs::read_to_string(&history).unwrap();
    assert!(
        kept.contains("join lobby") && kept.contains("said in the vault"),
        "{kept}"
    );
    assert!(
        !kept.contains("hunter2"),
        "a password reached the disk: {kept}"
    );
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(&history).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "readable by others: {mode:o}");

    let again = Tty::start_with("history-2", "alice", server.client_port, &options);
    again.keys("Up");
    again.wait_for(|s| Tty::last_line(s).ends_with("alice> quit"));
    again.keys("Up");
    again.wait_for(|s| Tty::last_line(s).ends_with("alice> said in the vault"));
}

#[test]
fn timestamps_put_the_local_time_before_each_line() {
    let server = ServerProc::local("timestamps");
    let port = server.client_port.to_string();
    let mut c = Scripted::start_env(&["--timestamps", "127.0.0.1", &port], &[("TZ", "UTC")]);
    let utc_hh_mm = |at: std::time::SystemTime| {
        let secs = at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() % 86_400;
        format!("{:02}:{:02}", secs / 3600, secs / 60 % 60)
    };
    let before = utc_hh_mm(std::time::SystemTime::now());
    let line = c.next();
    let after = utc_hh_mm(std::time::SystemTime::now());
    let (stamp, rest) = line.split_once(' ').unwrap();
    assert!(
        stamp == before || stamp == after,
        "{line:?}, not at {before}-{after}"
    );
    assert_eq!(rest, format!("connected to 127.0.0.1 {port}"));
}

#[test]
fn a_script_exits_with_failure_when_a_command_was_refused() {
    let server = ServerProc::local("script-status");
    let port = server.client_port.to_string();
    let run = |script: &str| {
        let mut child = Command::new(CLIENT)
            .args(["127.0.0.1", &port])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        let status = exit_within(&mut child, DEADLINE, "the scripted client");
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        (status.code(), stderr)
    };
    assert_eq!(run("join lobby\nmsg lobby hi\n"), (Some(0), String::new()));
    let (code, stderr) = run("join lobby\nmsg rust hi\npart rust\nmsg lobby hi\n");
    assert_eq!(code, Some(1));
    assert_eq!(stderr, "mchat-client: 2 command(s) of the script refused\n");
}

#[test]
fn a_restarted_server_gets_a_terminal_client_back_and_its_rooms_see_it_rejoin() {
    // alice on A, bob on B; A is killed and restarted on its ports.
    let dir = testkit::scratch("tty-reconnect");
    let b = ServerProc::start(&dir, "127.0.0.1", (0, 0), None, &[]);
    let ports = (testkit::free_port(), testkit::free_port());
    let peer = Some(("127.0.0.1", b.server_port));
    let mut a = ServerProc::start(&dir, "127.0.0.1", ports, peer, &[]);
    let digest = mchat_core::wire::private_room_name("vault", "hunter2");
    let mut bob = testkit::LineClient::member(b.client_port, "bob", &["lobby", digest.as_str()]);
    let alice = Tty::start("reconnect", "alice", ports.0);
    alice.enter("join lobby");
    bob.expect("SYSTEM lobby alice joined channel");
    alice.enter("joinprivate vault hunter2");
    bob.expect(&format!("SYSTEM {digest} alice joined channel"));
    alice.wait_for_prompt("[vault*] alice>");
    // Bob, on the other server, is in the vault: alice is not told she is
    // alone. Her own names, answered after the client's question, shows it.
    alice.enter("names");
    let screen = alice.wait_for(|s| s.contains("<vault*> members (2): alice bob"));
    assert!(!screen.contains("you are the only one here"), "{screen}");
    let listed = screen.matches("members (").count();
    assert_eq!(
        listed, 1,
        "the client's own question is never shown:\n{screen}"
    );
    alice.wait_for_prompt("[vault*] alice>");
    alice.type_text("half typed");
    alice.wait_for(|s| Tty::last_line(s).ends_with("[vault*] alice> half typed"));

    a.kill9();
    // Told at once, the prompt redrawn with the half line kept.
    let screen = alice.wait_for(|s| s.contains("server lost! the "));
    assert!(screen.contains("; reconnecting in "), "{screen}");
    alice.wait_for(|s| Tty::last_line(s).ends_with("[vault*] alice! half typed"));

    let _a = ServerProc::start(&dir, "127.0.0.1", ports, peer, &[]);
    alice.wait_for(|s| {
        s.contains(&format!(
            "reconnected to 127.0.0.1 {}; rejoined <lobby> <vault*>",
            ports.0
        ))
    });
    alice.wait_for(|s| Tty::last_line(s).ends_with("[vault*] alice> half typed"));
    // bob, on the other server, sees her come back to both rooms.
    let mut rejoined = Vec::new();
    for _ in 0..2 {
        let line = bob
            .wait_for(|l| l.ends_with(" alice joined channel"), DEADLINE)
            .unwrap();
        rejoined.push(line);
    }
    rejoined.sort();
    let mut want = vec![
        "SYSTEM lobby alice joined channel".to_owned(),
        format!("SYSTEM {digest} alice joined channel"),
    ];
    want.sort();
    assert_eq!(rejoined, want);
    alice.keys("Enter");
    bob.expect(&format!("MSG alice {digest} half typed"));
    let screen = tmux(&["capture-pane", "-p", "-t", &alice.session]);
    println!("{screen}");
}
