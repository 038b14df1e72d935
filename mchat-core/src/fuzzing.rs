//! The bodies of the cargo-fuzz targets in `fuzz/`.
//!
//! They live here, not in `fuzz/`, so that `cargo test` on stable replays
//! every checked-in corpus file through exactly the code the fuzzer runs.
//! Each function panics when it finds a bug; that is how a fuzzer learns of
//! one. Not part of the protocol API.

#![allow(clippy::panic)]

use crate::wire::{Frame, LineFramer, Message};

/// `wire_parse`: arbitrary bytes through the framer and the parser. Every
/// line accepted must encode back to exactly itself, and parse again to the
/// same message.
pub fn wire_parse(data: &[u8]) {
    let mut framer = LineFramer::new();
    for frame in framer.frames(data) {
        let Ok(line) = frame else { continue };
        let Ok(message) = Message::parse(line.as_str()) else {
            continue;
        };
        let encoded = message.encode();
        if encoded != line.to_bytes() {
            panic!("{:?} re-encoded as {:?}", line.as_str(), encoded);
        }
        if encoded.len() != message.encoded_len() {
            panic!("encoded_len disagrees for {:?}", line.as_str());
        }
        match std::str::from_utf8(&encoded) {
            Ok(text) if text.chars().count() <= crate::wire::limits::MAX_LINE_CHARS => {}
            _ => panic!("encoded line out of limits: {encoded:?}"),
        }
    }
}

/// What a framer made of a stream, owned so two runs can be compared.
pub type Framed = Vec<Result<String, crate::wire::FrameError>>;

/// Frames `stream` fed in chunks of the given sizes (cycled; 0 counts as 1),
/// checking after every chunk that the framer holds at most one line's bytes.
pub fn frame_in_chunks(stream: &[u8], sizes: &[usize]) -> Framed {
    let mut framer = LineFramer::new();
    let mut out = Vec::new();
    let mut rest = stream;
    let mut sizes = sizes.iter().copied().cycle();
    while !rest.is_empty() {
        let size = sizes.next().unwrap_or(rest.len()).max(1).min(rest.len());
        let (chunk, after) = rest.split_at(size);
        rest = after;
        out.extend(framer.frames(chunk).map(owned));
        if framer.pending_len() > crate::wire::limits::MAX_LINE_BYTES {
            panic!("framer holds {} bytes", framer.pending_len());
        }
    }
    out
}

fn owned(frame: Frame<'_>) -> Result<String, crate::wire::FrameError> {
    frame.map(|line| line.into_string())
}

/// `line_framer`: the input's first bytes choose chunk sizes, the rest is the
/// stream. Framing it whole, byte by byte and in those chunks must agree.
pub fn line_framer(data: &[u8]) {
    let (header, stream) = data.split_at(data.len().min(8));
    let sizes: Vec<usize> = header
        .iter()
        .map(|&b| usize::from(b) * 37 % 4099 + 1)
        .collect();
    let whole = frame_in_chunks(stream, &[stream.len().max(1)]);
    let bytewise = frame_in_chunks(stream, &[1]);
    let chunked = frame_in_chunks(stream, &sizes);
    if whole != bytewise || whole != chunked {
        panic!("framing depends on chunking: sizes {sizes:?}");
    }
}

/// `server_session`: an arbitrary sequence of events — connections on both
/// ports, bytes, flushes, closes, dial results, time passing — fed to one
/// [`Server`](crate::server::Server) with small limits. It must never panic,
/// every line it sends must be a valid protocol line, and its timer must
/// always move forward.
pub fn server_session(data: &[u8]) {
    use std::time::{Duration, Instant};

    use crate::server::{ConnId, Listener, Output, Server, ServerConfig};
    use crate::wire::{Host, PeerAddr};

    const CANNED: [&str; 25] = [
        "NICK alice",
        "JOIN lobby",
        "JOIN rust",
        "PART lobby",
        "MSG alice lobby hello",
        "MSG bob lobby nick change first",
        "HEART",
        "BLEED",
        "MY_ADDR 10.0.0.9 6062",
        "MY_ADDR 10.0.0.5 6062",
        "ALL_ADDRS 10.0.0.7 7000 10.0.0.8 8000",
        "ALL_ADDRS",
        "SYSTEM lobby x joined channel",
        "MSG remote rust from a peer",
        "EXT gossip/1 interest/1 presence/1",
        "INTEREST_ADD lobby rust",
        "INTEREST_SYNCED",
        "MEMBERS lobby x y x",
        "MEMBERS_END lobby",
        "NAMES lobby",
        "SYSTEM lobby x left channel",
        "SYSTEM rust x changed nickname to y",
        "AUTH_HELLO 10.0.0.1 6062 0101010101010101010101010101010101010101010101010101010101010101",
        "AUTH_PROOF 10.0.0.9 6062 0202020202020202020202020202020202020202020202020202020202020202 0303030303030303030303030303030303030303030303030303030303030303",
        "AUTH_OK 0404040404040404040404040404040404040404040404040404040404040404",
    ];
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next();
    let Some(first) = next() else { return };
    let port = std::num::NonZeroU16::MIN.saturating_add(6061);
    let Ok(host) = Host::new("10.0.0.5") else {
        return;
    };
    let mut config = ServerConfig::new(PeerAddr::new(host, port));
    config.max_clients = 6;
    config.max_servers = 4;
    config.max_rooms = 3;
    config.max_room_members = 3;
    config.client_queue_limit = 600;
    config.peer_queue_limit = 2_000;
    if first & 1 == 1
        && let Ok(peer) = Host::new("10.0.0.1")
    {
        config.join = Some(PeerAddr::new(peer, port));
    }
    let flush_all = first & 2 == 2;
    if first & 4 == 4 {
        config.mesh_secret = crate::server::MeshSecret::new(*b"the fuzzed network's secret").ok();
    }
    let mut now = Instant::now();
    let mut server = Server::new(config, now);
    let mut conns: Vec<ConnId> = Vec::new();
    let mut dials: Vec<ConnId> = Vec::new();
    let remote = std::net::SocketAddr::from(([192, 0, 2, 1], 40000));
    let pick = |conns: &[ConnId], b: u8| conns.get(usize::from(b) % conns.len().max(1)).copied();
    loop {
        while let Some(output) = server.poll_output() {
            match output {
                Output::Send { to, line } => {
                    let text = match std::str::from_utf8(&line) {
                        Ok(text) => text,
                        Err(_) => panic!("sent invalid UTF-8: {line:?}"),
                    };
                    if !text.ends_with('\n') {
                        panic!("sent a partial line: {text:?}");
                    }
                    for line in text.split_inclusive('\n') {
                        let body = line.trim_end_matches('\n');
                        if line.chars().count() > crate::wire::limits::MAX_LINE_CHARS {
                            panic!("sent a line over the limit: {line:?}");
                        }
                        if let Err(e) = Message::parse(body) {
                            panic!("sent an invalid line {line:?}: {e}");
                        }
                    }
                    if flush_all {
                        server.handle_flushed(to, line.len(), now);
                    }
                }
                Output::Close { id, .. } => conns.retain(|c| *c != id),
                Output::Dial { id, .. } => dials.push(id),
                Output::Event(_) => {}
            }
        }
        let Some(op) = next() else { return };
        match op % 9 {
            0 => conns.push(server.accept(Listener::Client, remote, now)),
            1 => {
                // Sometimes from the address one of our own dials left from.
                let Some(b) = next() else { return };
                let from = std::net::SocketAddr::from(([127, 0, 0, 1], u16::from(b) + 1000));
                conns.push(server.accept(
                    Listener::Server,
                    if b & 1 == 1 { from } else { remote },
                    now,
                ));
            }
            2 => {
                let (Some(k), Some(len)) = (next(), next()) else {
                    return;
                };
                let chunk: Vec<u8> = (0..len).map_while(|_| next()).collect();
                if let Some(id) = pick(&conns, k) {
                    server.handle_input(id, &chunk, now);
                }
            }
            3 => {
                let Some(k) = next() else { return };
                if let Some(id) = pick(&conns, k) {
                    server.handle_close(id, now);
                    conns.retain(|c| *c != id);
                }
            }
            4 => {
                let Some(step) = next() else { return };
                now += Duration::from_millis(u64::from(step) * 100);
                server.handle_timeout(now);
                if server.poll_timeout().is_some_and(|t| t <= now) {
                    panic!("poll_timeout did not move past now");
                }
            }
            5 => {
                let Some(b) = next() else { return };
                if !dials.is_empty() {
                    let id = dials.remove(usize::from(b) % dials.len());
                    let local = std::net::SocketAddr::from(([127, 0, 0, 1], u16::from(b) + 1000));
                    server.dial_result(id, (b & 1 == 1).then_some(local), now);
                    if b & 1 == 1 {
                        conns.push(id);
                    }
                }
            }
            6 => {
                let (Some(k), Some(n)) = (next(), next()) else {
                    return;
                };
                if let Some(id) = pick(&conns, k) {
                    server.handle_flushed(id, usize::from(n) * 16, now);
                }
            }
            _ => {
                let (Some(k), Some(which)) = (next(), next()) else {
                    return;
                };
                let line = CANNED
                    .get(usize::from(which) % CANNED.len())
                    .copied()
                    .unwrap_or("HEART");
                if let Some(id) = pick(&conns, k) {
                    server.handle_input(id, format!("{line}\n").as_bytes(), now);
                }
            }
        }
    }
}
