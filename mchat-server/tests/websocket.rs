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
