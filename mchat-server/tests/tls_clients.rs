//! Clients over TLS (`--tls-client-port`), with real processes and
//! certificates made at test time: a TLS client and a plain one chat in
//! one room; `--no-plain` leaves only TLS; clear text on the TLS port and
//! a client that trusts another CA reach no one; SIGHUP swaps the
//! certificate for new connections while connected clients stay.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use support::{DEADLINE, LineClient, ServerProc, free_port, log_says, reload, scratch};
use testkit::{TestCa, TestCert};

/// A client of the TLS port, trusting the CA in `ca_pem`.
struct TlsClient {
    tls: rustls::StreamOwned<rustls::ClientConnection, TcpStream>,
    buf: Vec<u8>,
}

impl TlsClient {
    fn connect(port: u16, ca_pem: &Path) -> Result<TlsClient, std::io::Error> {
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(ca_pem).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let name = ServerName::try_from("127.0.0.1").unwrap();
        let conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
        let socket = TcpStream::connect(("127.0.0.1", port))?;
        socket.set_read_timeout(Some(Duration::from_millis(100)))?;
        let mut tls = rustls::StreamOwned::new(conn, socket);
        // Completes the handshake, so a refused certificate shows here.
        while tls.conn.is_handshaking() {
            tls.conn.complete_io(&mut tls.sock)?;
        }
        Ok(TlsClient {
            tls,
            buf: Vec::new(),
        })
    }

    fn member(port: u16, ca_pem: &Path, nick: &str, room: &str) -> TlsClient {
        let mut c = TlsClient::connect(port, ca_pem).unwrap();
        c.send(&format!("NICK {nick}"));
        c.send(&format!("JOIN {room}"));
        c.expect(&format!("SYSTEM {room} {nick} joined channel"));
        c
    }

    fn send(&mut self, line: &str) {
        self.tls.write_all(format!("{line}\n").as_bytes()).unwrap();
        self.tls.flush().unwrap();
    }

    /// Reads until `want`, answering `HEART`s; fails at the deadline.
    fn expect(&mut self, want: &str) {
        let deadline = Instant::now() + DEADLINE;
        let mut seen = Vec::new();
        loop {
            while let Some(at) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=at).collect();
                let line = String::from_utf8_lossy(&line[..at]).into_owned();
                if line == want {
                    return;
                }
                if line == "HEART" {
                    self.send("BLEED");
                }
                seen.push(line);
            }
            assert!(Instant::now() < deadline, "never got {want:?}: {seen:?}");
            let mut chunk = [0u8; 4096];
            match self.tls.read(&mut chunk) {
                Ok(0) => panic!("closed before {want:?}: {seen:?}"),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading: {e}; before {want:?}: {seen:?}"),
            }
        }
    }
}

fn tls_server(dir: &Path, cert: &TestCert, tls_port: u16, extra: &[&str]) -> ServerProc {
    let mut flags = cert.client_port_flags(tls_port);
    flags.extend(extra.iter().map(|s| (*s).to_owned()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    ServerProc::start(dir, "127.0.0.1", (free_port(), free_port()), None, &flags)
}

#[test]
fn a_tls_client_and_a_plain_client_chat_in_one_room() {
    let dir = scratch("tls-clients");
    let ca = TestCa::new(&dir, "site");
    let tls_port = free_port();
    let s = tls_server(&dir, &ca.issue("server"), tls_port, &[]);
    let mut alice = TlsClient::member(tls_port, &ca.ca_pem, "alice", "lobby");
    let mut bob = LineClient::member(s.client_port, "bob", &["lobby"]);
    alice.expect("SYSTEM lobby bob joined channel");
    alice.send("MSG alice lobby hello over TLS");
    bob.expect("MSG alice lobby hello over TLS");
    bob.send("MSG bob lobby hello in clear text");
    alice.expect("MSG bob lobby hello in clear text");
}

#[test]
fn with_no_plain_only_tls_clients_get_in() {
    let dir = scratch("tls-no-plain");
    let ca = TestCa::new(&dir, "site");
    let cert = ca.issue("server");
    let (plain_port, tls_port) = (free_port(), free_port());
    let mut flags = cert.client_port_flags(tls_port);
    flags.push("--no-plain".to_owned());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let s = ServerProc::start(&dir, "127.0.0.1", (plain_port, free_port()), None, &flags);
    // The banner names the TLS port as the clients' port.
    assert_eq!(s.client_port, tls_port);
    let mut alice = TlsClient::member(tls_port, &ca.ca_pem, "alice", "lobby");
    alice.send("HEART");
    alice.expect("BLEED");
    let refused = TcpStream::connect(("127.0.0.1", plain_port));
    assert!(refused.is_err(), "the plain port {plain_port} answers");
}

#[test]
fn clear_text_on_the_tls_port_and_a_client_of_another_ca_reach_no_one() {
    let dir = scratch("tls-clear");
    let ca = TestCa::new(&dir, "site");
    let tls_port = free_port();
    let s = tls_server(&dir, &ca.issue("server"), tls_port, &[]);
    let mut alice = LineClient::member(s.client_port, "alice", &["lobby"]);

    let mut plain = LineClient::connect("127.0.0.1", tls_port);
    // In one write: the server cuts the connection at the first bytes, so
    // a second write could meet a closed socket.
    plain.send_raw(
        b"NICK mallory\nJOIN lobby\nMSG mallory lobby forged in clear text on the TLS port\n",
    );
    let answer = plain.expect_closed();
    assert!(
        answer.iter().all(|l| !l.contains("joined channel")),
        "{answer:?}"
    );

    // A client that trusts another CA refuses the server: no connection.
    let other = TestCa::new(&dir, "other");
    assert!(TlsClient::connect(tls_port, &other.ca_pem).is_err());

    let heard = alice.drain(Duration::from_millis(500));
    assert!(heard.iter().all(|l| !l.contains("mallory")), "{heard:?}");
    // The operator reads what happened: a client, not a mesh peer.
    log_says(&s, "client TLS failed (from 127.0.0.1:");
}

#[test]
fn sighup_swaps_the_client_certificate_and_connected_clients_stay() {
    let dir = scratch("tls-client-reload");
    let old = TestCa::new(&dir, "old");
    let new = TestCa::new(&dir, "new");
    let files = old.issue("server");
    let tls_port = free_port();
    let s = tls_server(&dir, &files, tls_port, &[]);
    let mut before = TlsClient::member(tls_port, &old.ca_pem, "before", "lobby");
    assert!(TlsClient::connect(tls_port, &new.ca_pem).is_err());

    let moved = new.issue("server");
    std::fs::copy(&moved.cert, &files.cert).unwrap();
    std::fs::copy(&moved.key, &files.key).unwrap();
    reload(&s);
    let mut after = TlsClient::member(tls_port, &new.ca_pem, "after", "lobby");
    before.expect("SYSTEM lobby after joined channel");
    after.send("MSG after lobby the old session still carries this");
    before.expect("MSG after lobby the old session still carries this");
    assert!(TlsClient::connect(tls_port, &old.ca_pem).is_err());
}
