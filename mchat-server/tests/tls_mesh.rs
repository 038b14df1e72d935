//! Mutual TLS on mesh links (`--tls-mesh`) with real processes and
//! certificates made at test time: servers of one CA link and chat; a
//! server with another CA's certificate, and a plain script on the server
//! port, are refused and nothing they send reaches anyone; SIGHUP reads
//! the certificates again without dropping a link.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::path::Path;
use std::time::Duration;

use support::{
    LineClient, ServerProc, chat_exactly_once, free_port, intruder_reaches_no_one, lobby_members,
    log_says, reload, scratch,
};
use testkit::{TestCa, TestCert};

fn tls_server(
    dir: &Path,
    cert: &TestCert,
    ca: &Path,
    peer: Option<u16>,
    extra: &[&str],
) -> ServerProc {
    let mut flags = cert.mesh_flags(ca);
    flags.extend(extra.iter().map(|s| (*s).to_owned()));
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let ports = (free_port(), free_port());
    ServerProc::start(
        dir,
        "127.0.0.1",
        ports,
        peer.map(|p| ("127.0.0.1", p)),
        &flags,
    )
}

#[test]
fn three_servers_of_one_ca_carry_chat_and_one_of_another_ca_is_refused() {
    let dir = scratch("tls-mesh");
    let net = TestCa::new(&dir, "net");
    let a = tls_server(&dir, &net.issue("a"), &net.ca_pem, None, &[]);
    let b = tls_server(&dir, &net.issue("b"), &net.ca_pem, Some(a.server_port), &[]);
    let c = tls_server(&dir, &net.issue("c"), &net.ca_pem, Some(a.server_port), &[]);
    let nicks = ["a1", "b1", "c1"];
    let mut clients = lobby_members(&[a.client_port, b.client_port, c.client_port], &nicks);
    chat_exactly_once(&mut clients, &nicks, "over-tls", 10);

    // Another CA's server, which trusts ours, tries to join through A.
    let other = TestCa::new(&dir, "other");
    let both = dir.join("both-cas.pem");
    let bundle = std::fs::read_to_string(&net.ca_pem).unwrap()
        + &std::fs::read_to_string(&other.ca_pem).unwrap();
    std::fs::write(&both, bundle).unwrap();
    let intruder = tls_server(
        &dir,
        &other.issue("mallory"),
        &both,
        Some(a.server_port),
        &[],
    );
    log_says(&a, "peer failed authentication over TLS (from 127.0.0.1:");
    intruder_reaches_no_one(&intruder, &mut clients);
}

#[test]
fn a_plain_script_on_a_tls_server_port_reaches_no_one() {
    let dir = scratch("tls-plain");
    let net = TestCa::new(&dir, "net");
    let a = tls_server(&dir, &net.issue("a"), &net.ca_pem, None, &[]);
    let mut alice = LineClient::member(a.client_port, "alice", &["lobby"]);
    let mut forger = LineClient::connect("127.0.0.1", a.server_port);
    forger.send("MY_ADDR 127.0.0.1 47999");
    forger.send("MSG bob lobby I am bob, send me your password");
    // The server answers clear text with a TLS alert at most, and closes.
    let answer = forger.expect_closed();
    assert!(
        answer.iter().all(|l| !l.contains("ALL_ADDRS")),
        "{answer:?}"
    );
    log_says(&a, "peer failed authentication over TLS (from 127.0.0.1:");
    let heard = alice.drain(Duration::from_millis(500));
    assert!(heard.is_empty(), "{heard:?}");

    // Nor does a plain server link.
    let plain = ServerProc::start(
        &dir,
        "127.0.0.1",
        (free_port(), free_port()),
        Some(("127.0.0.1", a.server_port)),
        &[],
    );
    let mut pat = LineClient::member(plain.client_port, "pat", &["lobby"]);
    pat.send("MSG pat lobby in clear text");
    let heard = alice.drain(Duration::from_secs(2));
    assert!(heard.iter().all(|l| !l.contains("pat")), "{heard:?}");
}

#[test]
fn sighup_reads_the_certificates_again_and_keeps_the_links_up() {
    let dir = scratch("tls-reload");
    let old = TestCa::new(&dir, "old");
    let new = TestCa::new(&dir, "new");
    // A's files, rewritten in place below.
    let a_files = old.issue("a");
    let a_ca = dir.join("a-ca.pem");
    std::fs::copy(&old.ca_pem, &a_ca).unwrap();
    let a = tls_server(&dir, &a_files, &a_ca, None, &[]);
    let b = tls_server(&dir, &old.issue("b"), &old.ca_pem, Some(a.server_port), &[]);
    let mut ab = lobby_members(&[a.client_port, b.client_port], &["a1", "b1"]);

    // C belongs to the new CA only: it refuses A's certificate.
    let fast_redial = ["--reconnect-ms", "200"];
    let c = tls_server(
        &dir,
        &new.issue("c"),
        &new.ca_pem,
        Some(a.server_port),
        &fast_redial,
    );
    log_says(&c, "peer failed authentication over TLS (server 127.0.0.1 ");

    // A moves to the new CA, trusting both while B is on the old one.
    let moved = new.issue("a");
    std::fs::copy(&moved.cert, &a_files.cert).unwrap();
    std::fs::copy(&moved.key, &a_files.key).unwrap();
    let bundle = std::fs::read_to_string(&old.ca_pem).unwrap()
        + &std::fs::read_to_string(&new.ca_pem).unwrap();
    std::fs::write(&a_ca, bundle).unwrap();
    reload(&a);

    // C's next dial links, with A's new certificate.
    let mut ac = lobby_members(&[a.client_port, c.client_port], &["a2", "c2"]);
    chat_exactly_once(&mut ac, &["a2", "c2"], "after-reload", 5);
    // The link made before is the same link, still carrying chat.
    chat_exactly_once(&mut ab, &["a1", "b1"], "kept", 5);
    assert!(!b.log().contains("disconnected ("), "{}", b.log());
}

#[test]
fn bad_tls_files_and_flags_get_one_clear_line_before_anything_listens() {
    let dir = scratch("tls-badargs");
    let net = TestCa::new(&dir, "net");
    let cert = net.issue("a");
    let s = |p: &Path| p.to_str().unwrap().to_owned();
    let (cert_pem, key_pem, ca_pem) = (s(&cert.cert), s(&cert.key), s(&net.ca_pem));
    let missing = s(&dir.join("missing.pem"));
    let other_key = s(&net.issue("b").key);
    let cases: [(Vec<&str>, &str); 8] = [
        (
            vec!["--tls-mesh", "--tls-cert", &cert_pem, "--tls-key", &key_pem],
            "--tls-mesh needs --tls-cert, --tls-key and --tls-ca",
        ),
        (vec!["--tls-cert", &cert_pem], "used only with --tls-mesh"),
        (
            vec![
                "--tls-mesh",
                "--tls-cert",
                &missing,
                "--tls-key",
                &key_pem,
                "--tls-ca",
                &ca_pem,
            ],
            "missing.pem",
        ),
        (
            // A certificate where the key should be.
            vec![
                "--tls-mesh",
                "--tls-cert",
                &cert_pem,
                "--tls-key",
                &cert_pem,
                "--tls-ca",
                &ca_pem,
            ],
            "TLS file",
        ),
        (
            // Another server's key for this certificate.
            vec![
                "--tls-mesh",
                "--tls-cert",
                &cert_pem,
                "--tls-key",
                &other_key,
                "--tls-ca",
                &ca_pem,
            ],
            "TLS file",
        ),
        (vec!["--no-plain"], "--no-plain needs --tls-client-port"),
        (
            vec!["--tls-client-port", "0"],
            "--tls-client-port needs --tls-cert and --tls-key",
        ),
        (
            vec![
                "--tls-cert",
                &cert_pem,
                "--tls-key",
                &key_pem,
                "--tls-client-port",
                "0",
                "--tls-ca",
                &ca_pem,
            ],
            "--tls-ca is used only with --tls-mesh",
        ),
    ];
    for (flags, says) in cases {
        let pidfile = dir.join("x.pid");
        let out = std::process::Command::new(support::BIN)
            .args(["start", "--non-daemon", "--log-dir"])
            .arg(&dir)
            .arg("--pidfile")
            .arg(&pidfile)
            .args(&flags)
            .args(["127.0.0.1", "0", "0"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "{flags:?} started");
        assert!(err.contains(says), "{flags:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{flags:?}: {err}");
        assert!(!stdout.contains("listening"), "{flags:?}: {stdout}");
    }
}
