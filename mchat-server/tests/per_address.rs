//! Per-address limits (PROTOCOL.md §9) with a real server, from the
//! attacker's side: one address cannot hold every client slot or open
//! connections faster than the rate, and cannot fill the server port with
//! handshakes; a user at another address is served meanwhile.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use support::{DEADLINE, LineClient, ServerProc, free_port, scratch};

fn server(name: &str, flags: &[&str]) -> ServerProc {
    let dir = scratch(name);
    ServerProc::start(&dir, "127.0.0.1", (free_port(), free_port()), None, flags)
}

/// The one line a refused connection gets before it is closed.
fn refusal(c: &mut LineClient) -> String {
    let said = c.expect_closed().concat();
    said.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn one_address_holds_at_most_its_share_of_clients_and_others_still_chat() {
    let s = server("per-ip-clients", &["--max-clients-per-ip", "3"]);
    let attacker = Ipv4Addr::new(127, 0, 0, 1);
    let held: Vec<LineClient> = (0..3)
        .map(|i| {
            let mut c = LineClient::connect_from(attacker, s.client_port);
            c.send(&format!("NICK held{i}"));
            c.send("JOIN lobby");
            c.expect(&format!("SYSTEM lobby held{i} joined channel"));
            c
        })
        .collect();
    let mut fourth = LineClient::connect_from(attacker, s.client_port);
    let said = refusal(&mut fourth);
    assert!(said.starts_with("ERROR too-many-connections "), "{said:?}");

    let mut alice = LineClient::connect_from(Ipv4Addr::new(127, 0, 0, 2), s.client_port);
    alice.send("NICK alice");
    alice.send("JOIN lobby");
    alice.expect("SYSTEM lobby alice joined channel");
    alice.send("MSG alice lobby hello from another address");
    let mut held = held;
    held[0].expect("SYSTEM lobby alice joined channel");
    held[0].expect("MSG alice lobby hello from another address");
    let log = s.log();
    assert!(
        log.contains("refused client 127.0.0.1:")
            && log.contains("too many connections from its address"),
        "{log}"
    );
}

#[test]
fn an_address_connecting_faster_than_the_rate_is_refused() {
    let s = server("per-ip-rate", &["--connect-rate-per-ip", "5"]);
    let attacker = Ipv4Addr::new(127, 0, 0, 1);
    // Five at once are the burst; the sixth within the second is refused.
    let burst: Vec<LineClient> = (0..5)
        .map(|_| LineClient::connect_from(attacker, s.client_port))
        .collect();
    let mut sixth = LineClient::connect_from(attacker, s.client_port);
    let said = refusal(&mut sixth);
    assert!(said.starts_with("ERROR connecting-too-fast "), "{said:?}");
    drop(burst);
    // Another address is not throttled.
    let mut other = LineClient::member_at_from(Ipv4Addr::new(127, 0, 0, 3), s.client_port, "ok");
    other.send("JOIN lobby");
    other.expect("SYSTEM lobby ok joined channel");
    // And the attacker's bucket refills: one connection a fifth of a second.
    let deadline = Instant::now() + DEADLINE;
    loop {
        use std::io::Write;
        let mut again = LineClient::connect_from(attacker, s.client_port);
        // A refused connection may be closed before these are written.
        let _ = again.stream.write_all(b"NICK back\nJOIN lobby\n");
        let answer = again.wait_for(
            |l| l.starts_with("SYSTEM lobby back") || l.starts_with("ERROR "),
            DEADLINE,
        );
        match answer {
            Ok(line) if line == "SYSTEM lobby back joined channel" => break,
            Ok(line) => assert!(line.starts_with("ERROR connecting-too-fast "), "{line}"),
            Err(seen) => assert!(seen.is_empty(), "{seen:?}"),
        }
        assert!(
            Instant::now() < deadline,
            "the rate never let the address back in"
        );
    }
}

#[test]
fn one_address_cannot_fill_the_server_port_with_handshakes() {
    // A long handshake timeout: what closes the third is the limit.
    let s = server(
        "per-ip-candidates",
        &[
            "--max-candidates-per-ip",
            "2",
            "--handshake-timeout-ms",
            "30000",
        ],
    );
    let attacker = Ipv4Addr::new(127, 0, 0, 1);
    let _half_open: Vec<LineClient> = (0..2)
        .map(|_| LineClient::connect_from(attacker, s.server_port))
        .collect();
    let started = Instant::now();
    let mut third = LineClient::connect_from(attacker, s.server_port);
    let said = third.expect_closed();
    assert!(
        said.is_empty(),
        "a server-port refusal says nothing: {said:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "closed by the timeout, not the limit"
    );
    // A server at another address still gets its handshake answered.
    let mut peer = LineClient::connect_from(Ipv4Addr::new(127, 0, 0, 4), s.server_port);
    peer.send("MY_ADDR 127.0.0.4 47044");
    peer.wait_for(|l| l.starts_with("ALL_ADDRS"), DEADLINE)
        .unwrap();
    let log = s.log();
    assert!(
        log.contains("refused server 127.0.0.1:")
            && log.contains("too many connections from its address"),
        "{log}"
    );
}
