//! What the server sends that is no chat: ERROR lines and lines the client does not know.

use mchat_core::client::ClientEvent;
use mchat_core::wire::ErrorCode;

use crate::harness::Harness;

#[test]
fn server_errors_and_unknown_lines_are_shown() {
    let mut h = Harness::connected();
    h.receive("ERROR not-joined you are not in rust");
    h.receive("ALL_ADDRS");
    h.client.handle_input(b"\xff\n", h.now);
    h.drain();
    assert_eq!(
        h.events[0],
        ClientEvent::ServerError {
            code: ErrorCode::NotJoined,
            text: "you are not in rust".into()
        }
    );
    assert_eq!(h.events[1], ClientEvent::Unknown("ALL_ADDRS".into()));
    assert!(matches!(h.events[2], ClientEvent::Unknown(_)));
}
