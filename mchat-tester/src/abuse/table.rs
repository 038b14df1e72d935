//! The abuse cases, by name, in the order they run.

use super::case::{Case, Port};
use super::{bad_lines, fake_servers, floods, handshakes, tls, websocket};

pub const CASES: [Case; 30] = [
    Case {
        name: "dribbled-line",
        checks: "a line sent one byte every 25 ms is read whole",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::dribbled_line(plan)),
    },
    Case {
        name: "ten-megabytes-without-newline",
        checks: "10 MiB without a newline is one too-long error, not memory",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::ten_megabytes_without_newline(plan)),
    },
    Case {
        name: "invalid-utf8",
        checks: "lines that are not UTF-8 are refused as bad-utf8",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::invalid_utf8(plan)),
    },
    Case {
        name: "control-characters",
        checks: "control characters in nicks and rooms are refused",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::control_characters(plan)),
    },
    Case {
        name: "malformed-lines",
        checks: "each malformed line gets its own ERROR code",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::malformed_lines(plan)),
    },
    Case {
        name: "unallowed-actions",
        checks: "JOIN twice, PART and MSG of an unjoined room are refused",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::unallowed_actions(plan)),
    },
    Case {
        name: "join-part-storm",
        checks: "10,000 JOIN/PART in one burst leave the server answering",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::join_part_storm(plan)),
    },
    Case {
        name: "slow-reader-in-busy-room",
        checks: "a member that never reads is disconnected, not buffered for (or the flood refused)",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::slow_reader_in_busy_room(plan)),
    },
    Case {
        name: "flood-into-room-of-20",
        checks: "a client flooding a room of 20 is refused (ERROR flood) and no reader is dropped",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::flood_into_a_room_of_twenty(plan)),
    },
    Case {
        name: "thirty-thousand-joins",
        checks: "one client joining 30,000 rooms gets its share; others still create rooms",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::thirty_thousand_joins(plan)),
    },
    Case {
        name: "five-hundred-from-one-address",
        checks: "500 connections from one address: at most its share is served",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::five_hundred_from_one_address(plan)),
    },
    Case {
        name: "connect-disconnect-storm",
        checks: "2,000 connections opened and dropped do not stall the probe",
        attacks: Port::Client,
        attack: |plan| Box::pin(floods::connect_disconnect_storm(plan)),
    },
    Case {
        name: "plain-text-on-tls-port",
        checks: "plain text on the TLS client port is cut off and reaches no room",
        attacks: Port::TlsClient,
        attack: |plan| Box::pin(tls::plain_text_on_tls_port(plan)),
    },
    Case {
        name: "tls-on-plain-port",
        checks: "a TLS client on the plain port fails at once, not held in silence",
        attacks: Port::TlsClient,
        attack: |plan| Box::pin(tls::tls_on_plain_port(plan)),
    },
    Case {
        name: "stalled-tls-handshakes",
        checks: "15 TLS handshakes never finished are closed; TLS clients chat meanwhile",
        attacks: Port::TlsClient,
        attack: |plan| Box::pin(tls::stalled_tls_handshakes(plan)),
    },
    Case {
        name: "server-port-garbage",
        checks: "garbage on the server port is closed at the handshake timeout",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::garbage(plan)),
    },
    Case {
        name: "server-port-silent-handshakes",
        checks: "300 handshakes never finished are closed by the timeout",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::silent_handshakes(plan)),
    },
    Case {
        name: "server-port-huge-all-addrs",
        checks: "1,200 announced addresses and an over-long ALL_ADDRS are survived",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::huge_all_addrs(plan)),
    },
    Case {
        name: "server-port-forged-lines",
        checks: "lines forged on the server port reach no one (needs a mesh secret)",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::forged_lines(plan)),
    },
    Case {
        name: "server-port-address-spellings",
        checks: "six spellings of the server's own address do not make it churn",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::address_spellings(plan)),
    },
    Case {
        name: "server-port-hijack-claim",
        checks: "a link claiming a live peer's address is refused; the peer keeps its link",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::hijack_claim(plan)),
    },
    Case {
        name: "server-port-20000-addresses",
        checks: "20,000 gossiped addresses make a bounded number of dials",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::twenty_thousand_addresses(plan)),
    },
    Case {
        name: "server-port-600-my-addrs",
        checks: "600 fake peers saying MY_ADDR are sent a bounded amount",
        attacks: Port::Server,
        attack: |plan| Box::pin(fake_servers::six_hundred_my_addrs(plan)),
    },
    Case {
        name: "server-port-replayed-handshake",
        checks: "a proof of the mesh secret replayed on a new link is refused and reaches no one",
        attacks: Port::Server,
        attack: |plan| Box::pin(handshakes::replayed_handshake(plan)),
    },
    Case {
        name: "server-port-60-half-open",
        checks: "60 half-open handshakes, renewed, do not keep a real server from linking",
        attacks: Port::Server,
        attack: |plan| Box::pin(handshakes::sixty_half_open(plan)),
    },
    Case {
        name: "many-errors-unread",
        checks: "100,000 refused lines whose ERRORs are never read are survived",
        attacks: Port::Client,
        attack: |plan| Box::pin(bad_lines::many_errors_unread(plan)),
    },
    Case {
        name: "websocket-wrong-origin",
        checks: "a page of another site may not open the WebSocket",
        attacks: Port::Ws,
        attack: |plan| Box::pin(websocket::wrong_origin(plan)),
    },
    Case {
        name: "websocket-bad-frames",
        checks: "an unmasked frame is closed with 1002 and reaches no room; bad UTF-8 is bad-utf8",
        attacks: Port::Ws,
        attack: |plan| Box::pin(websocket::bad_frames(plan)),
    },
    Case {
        name: "websocket-huge-frame",
        checks: "a frame bigger than any line is closed with 1009, not read",
        attacks: Port::Ws,
        attack: |plan| Box::pin(websocket::huge_frame(plan)),
    },
    Case {
        name: "websocket-unfinished-upgrades",
        checks: "upgrades never finished are closed; WebSocket clients chat meanwhile",
        attacks: Port::Ws,
        attack: |plan| Box::pin(websocket::unfinished_upgrades(plan)),
    },
];
