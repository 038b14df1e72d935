//! `--ws`: the browser client's page and WebSocket on one port of a real
//! server. A WebSocket client is an ordinary client: one text message is
//! one line, the same answers, the same limits; bad frames are told apart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;

use support::{DEADLINE, LineClient, ServerProc, free_port, scratch};
use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

/// A server with its web listener on a free port.
fn web_server(name: &str) -> (ServerProc, String) {
    let web = format!("127.0.0.1:{}", free_port());
    let server = ServerProc::start(&scratch(name), "127.0.0.1", (0, 0), None, &["--ws", &web]);
    (server, web)
}

fn ws_connect(web: &str, origin: Option<&str>) -> Result<WebSocket<TcpStream>, tungstenite::Error> {
    let mut request = format!("ws://{web}/ws").into_client_request().unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    let stream = TcpStream::connect(web).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    tungstenite::client::client(request, stream)
        .map(|(ws, _)| ws)
        .map_err(|e| match e {
            tungstenite::HandshakeError::Failure(e) => e,
            tungstenite::HandshakeError::Interrupted(_) => panic!("blocking socket"),
        })
}

/// The next text message, skipping `HEART`s (answered).
fn next_text(ws: &mut WebSocket<TcpStream>) -> String {
    loop {
        match ws.read().unwrap() {
            Message::Text(t) if t.as_str() == "HEART" => ws.send(Message::text("BLEED")).unwrap(),
            Message::Text(t) => return t.as_str().to_owned(),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("expected text, got {other:?}"),
        }
    }
}

fn say(ws: &mut WebSocket<TcpStream>, line: &str) {
    ws.send(Message::text(line)).unwrap();
}

fn get(web: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(web).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {web}\r\n\r\n").unwrap();
    let mut reply = String::new();
    let _ = stream.read_to_string(&mut reply);
    reply
}

#[test]
fn the_page_and_its_files_are_served_and_nothing_else() {
    let (_server, web) = web_server("ws-page");
    let page = get(&web, "/");
    assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
    assert!(page.contains("Content-Type: text/html"), "{page}");
    assert!(page.contains("<title>mChat</title>"));
    assert!(get(&web, "/app.js").contains("privateRoomName"));
    assert!(get(&web, "/style.css").starts_with("HTTP/1.1 200 OK"));
    assert!(get(&web, "/secret").starts_with("HTTP/1.1 404"));
    // /ws is WebSocket only.
    assert!(get(&web, "/ws").starts_with("HTTP/1.1 426"));
}

#[test]
fn a_websocket_client_chats_with_a_tcp_client_line_for_line() {
    let (server, web) = web_server("ws-chat");
    let mut wendy = ws_connect(&web, None).unwrap();
    say(&mut wendy, "NICK wendy");
    say(&mut wendy, "JOIN lobby");
    assert_eq!(next_text(&mut wendy), "SYSTEM lobby wendy joined channel");
    let mut bob = LineClient::member(server.client_port, "bob", &["lobby"]);
    assert_eq!(next_text(&mut wendy), "SYSTEM lobby bob joined channel");
    say(
        &mut wendy,
        "MSG wendy lobby hello from a browser <b>&amp;</b>",
    );
    bob.expect("MSG wendy lobby hello from a browser <b>&amp;</b>");
    bob.send("MSG bob lobby hello back");
    assert_eq!(next_text(&mut wendy), "MSG bob lobby hello back");
    // The same answers as over TCP.
    say(&mut wendy, "HEART");
    assert_eq!(next_text(&mut wendy), "BLEED");
    say(&mut wendy, "JOIN");
    assert!(next_text(&mut wendy).starts_with("ERROR malformed "));
    say(&mut wendy, &format!("MSG wendy lobby {}", "x".repeat(2000)));
    assert!(next_text(&mut wendy).starts_with("ERROR too-long "));
    wendy
        .send(Message::binary(b"MSG wendy lobby \xff\xfe".to_vec()))
        .unwrap();
    assert!(next_text(&mut wendy).starts_with("ERROR bad-utf8 "));
    // Still chatting after all that.
    say(&mut wendy, "MSG wendy lobby still here");
    bob.expect("MSG wendy lobby still here");
    drop(wendy);
    bob.expect("SYSTEM lobby wendy left channel");
}

#[test]
fn a_message_longer_than_any_line_is_closed_with_1009() {
    let (_server, web) = web_server("ws-huge");
    let mut ws = ws_connect(&web, None).unwrap();
    say(&mut ws, &"y".repeat(10_000));
    loop {
        match ws.read() {
            Ok(Message::Close(Some(frame))) => {
                assert_eq!(frame.code, CloseCode::Size);
                break;
            }
            Ok(Message::Text(t)) if t.as_str() == "HEART" => {}
            Ok(other) => panic!("expected a close, got {other:?}"),
            Err(e) => panic!("expected a close frame, got {e}"),
        }
    }
}

#[test]
fn a_page_of_another_origin_may_not_connect() {
    let (_server, web) = web_server("ws-origin");
    let refused = ws_connect(&web, Some("http://evil.example")).err().unwrap();
    match refused {
        tungstenite::Error::Http(response) => assert_eq!(response.status(), 403),
        other => panic!("expected a 403, got {other}"),
    }
    // The page's own origin may.
    let own = format!("http://{web}");
    ws_connect(&web, Some(&own)).unwrap();
}

/// A TLS connection to 127.0.0.1:`port` trusting `ca_pem`, handshake done.
fn tls_to(
    port: u16,
    ca_pem: &std::path::Path,
) -> rustls::StreamOwned<rustls::ClientConnection, TcpStream> {
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls::pki_types::CertificateDer::pem_file_iter(ca_pem).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
    let conn = rustls::ClientConnection::new(std::sync::Arc::new(config), name).unwrap();
    let socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
    socket.set_read_timeout(Some(DEADLINE)).unwrap();
    let mut tls = rustls::StreamOwned::new(conn, socket);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock).unwrap();
    }
    tls
}

#[test]
fn with_a_certificate_the_page_and_the_websocket_speak_tls() {
    let dir = scratch("wss");
    let ca = testkit::TestCa::new(&dir, "web");
    let cert = ca.issue("server");
    let web_port = free_port();
    let web = format!("127.0.0.1:{web_port}");
    let (cert_path, key_path) = (
        cert.cert.display().to_string(),
        cert.key.display().to_string(),
    );
    let server = ServerProc::start(
        &dir,
        "127.0.0.1",
        (0, 0),
        None,
        &[
            "--ws",
            &web,
            "--ws-tls",
            "--tls-cert",
            &cert_path,
            "--tls-key",
            &key_path,
        ],
    );
    // https: the page.
    let mut page = tls_to(web_port, &ca.ca_pem);
    write!(page, "GET / HTTP/1.1\r\nHost: {web}\r\n\r\n").unwrap();
    let mut reply = Vec::new();
    let _ = page.read_to_end(&mut reply);
    let reply = String::from_utf8_lossy(&reply);
    assert!(
        reply.starts_with("HTTP/1.1 200 OK") && reply.contains("<title>mChat</title>"),
        "{reply}"
    );
    // wss: a client chatting with a TCP one.
    let request = format!("wss://{web}/ws").into_client_request().unwrap();
    let (mut wendy, _) =
        tungstenite::client::client(request, tls_to(web_port, &ca.ca_pem)).unwrap();
    let mut bob = LineClient::member(server.client_port, "bob", &["lobby"]);
    wendy.send(Message::text("NICK wendy")).unwrap();
    wendy.send(Message::text("JOIN lobby")).unwrap();
    bob.expect("SYSTEM lobby wendy joined channel");
    wendy
        .send(Message::text("MSG wendy lobby over wss"))
        .unwrap();
    bob.expect("MSG wendy lobby over wss");
    bob.send("MSG bob lobby and back");
    loop {
        match wendy.read().unwrap() {
            Message::Text(t) if t.as_str() == "MSG bob lobby and back" => break,
            Message::Text(_) | Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("{other:?}"),
        }
    }
    // Clear text on the TLS listener gets no page.
    let plain = get(&web, "/");
    assert!(!plain.contains("<title>mChat</title>"), "{plain}");
}
