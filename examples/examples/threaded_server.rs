//! A complete mChat server on `std::net` and plain threads — no async
//! runtime — to show that `mchat_core::server::Server` does not care how
//! its bytes move. It meshes with `mchat-server` and the original.
//!
//! Run: `cargo run -p examples --example threaded_server -- 127.0.0.1 6071 6072 [127.0.0.1 6062]`
//! (the optional pair is a server to join, e.g. an `mchat-server`).
//!
//! One mutex guards the state machine; each connection has a reader thread
//! feeding it and a writer thread draining a channel of lines; a timer
//! thread runs its timeouts. After every call into the state machine, its
//! outputs are drained — the one rule of embedding it.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::num::NonZeroU16;
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use mchat_core::server::{ConnId, Listener, Output, Server, ServerConfig};
use mchat_core::wire::{Host, PeerAddr};

/// The state machine and a way to reach every connection.
struct Hub {
    server: Server,
    conns: HashMap<ConnId, (TcpStream, Sender<Bytes>)>,
}

type Shared = Arc<Mutex<Hub>>;

fn lock(shared: &Shared) -> MutexGuard<'_, Hub> {
    // A thread that panicked left the hub as it was: keep serving.
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (host, client_port, server_port, join) = match args.as_slice() {
        [h, c, s] => (h, c, s, None),
        [h, c, s, ph, pp] => (h, c, s, Some((ph, pp))),
        _ => fail(
            "usage: threaded_server <host> <client_port> <server_port> [<peer_host> <peer_port>]",
        ),
    };
    let clients = TcpListener::bind((host.as_str(), port(client_port)))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let servers = TcpListener::bind((host.as_str(), port(server_port)))
        .unwrap_or_else(|e| fail(&e.to_string()));
    let (cport, sport) = (local_port(&clients), local_port(&servers));
    let advertised = PeerAddr::new(
        Host::new(host.as_str()).unwrap_or_else(|e| fail(&e.to_string())),
        nonzero(sport),
    );
    let mut config = ServerConfig::new(advertised);
    config.join = join.map(|(h, p)| {
        PeerAddr::new(
            Host::new(h.as_str()).unwrap_or_else(|e| fail(&e.to_string())),
            nonzero(port(p)),
        )
    });
    println!(
        "threaded_server: listening for clients on {host} port {cport}, for servers on port {sport}"
    );

    let shared: Shared = Arc::new(Mutex::new(Hub {
        server: Server::new(config, Instant::now()),
        conns: HashMap::new(),
    }));
    drain(&shared, &mut lock(&shared));
    for (listener, kind) in [(clients, Listener::Client), (servers, Listener::Server)] {
        let shared = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let remote = stream
                    .peer_addr()
                    .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)));
                let mut hub = lock(&shared);
                let id = hub.server.accept(kind, remote, Instant::now());
                attach(&shared, &mut hub, id, stream);
                drain(&shared, &mut hub);
            }
        });
    }
    // The timer: wakes for the state machine's next deadline.
    loop {
        let wait = {
            let mut hub = lock(&shared);
            let now = Instant::now();
            if hub.server.poll_timeout().is_some_and(|t| t <= now) {
                hub.server.handle_timeout(now);
                drain(&shared, &mut hub);
            }
            hub.server
                .poll_timeout()
                .map_or(Duration::from_millis(100), |t| {
                    t.saturating_duration_since(now)
                })
        };
        std::thread::sleep(wait.min(Duration::from_millis(100)));
    }
}

/// Gives a connection its writer and reader threads.
fn attach(shared: &Shared, hub: &mut Hub, id: ConnId, stream: TcpStream) {
    let (Ok(reader), Ok(mut writer)) = (stream.try_clone(), stream.try_clone()) else {
        return;
    };
    let (tx, rx) = channel::<Bytes>();
    hub.conns.insert(id, (stream, tx));
    let flushed = shared.clone();
    std::thread::spawn(move || {
        for line in rx {
            if writer.write_all(&line).is_err() {
                break;
            }
            // Tell the state machine, so it can judge slow readers (§8).
            let mut hub = lock(&flushed);
            hub.server.handle_flushed(id, line.len(), Instant::now());
        }
    });
    let input = shared.clone();
    std::thread::spawn(move || read_loop(&input, id, reader));
}

fn read_loop(shared: &Shared, id: ConnId, mut stream: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).unwrap_or(0);
        let mut hub = lock(shared);
        if !hub.conns.contains_key(&id) {
            return; // closed by the state machine
        }
        match buf.get(..n) {
            Some(bytes) if n > 0 => hub.server.handle_input(id, bytes, Instant::now()),
            _ => {
                hub.conns.remove(&id);
                hub.server.handle_close(id, Instant::now());
                drain(shared, &mut hub);
                return;
            }
        }
        drain(shared, &mut hub);
    }
}

/// Carries out every output of the state machine.
fn drain(shared: &Shared, hub: &mut Hub) {
    while let Some(output) = hub.server.poll_output() {
        match output {
            Output::Send { to, line } => {
                if let Some((_, tx)) = hub.conns.get(&to) {
                    let _ = tx.send(line);
                }
            }
            Output::Close { id, reason } => {
                if let Some((stream, _)) = hub.conns.remove(&id) {
                    println!("closing {id}: {reason}");
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
            Output::Dial { id, addr } => {
                let shared = shared.clone();
                std::thread::spawn(move || {
                    let stream = examples::connect(addr.host.as_str(), addr.port.get());
                    let mut hub = lock(&shared);
                    match stream {
                        Ok(stream) => {
                            let local = stream.local_addr().ok();
                            attach(&shared, &mut hub, id, stream);
                            hub.server.dial_result(id, local, Instant::now());
                        }
                        Err(_) => hub.server.dial_result(id, None, Instant::now()),
                    }
                    drain(&shared, &mut hub);
                });
            }
            Output::Event(event) => println!("{event}"),
        }
    }
}

fn port(text: &str) -> u16 {
    text.parse()
        .unwrap_or_else(|_| fail(&format!("{text:?} is not a port")))
}

fn nonzero(port: u16) -> NonZeroU16 {
    NonZeroU16::new(port).unwrap_or_else(|| fail("port 0 was not replaced by a real one"))
}

fn local_port(listener: &TcpListener) -> u16 {
    listener.local_addr().map_or(0, |a| a.port())
}

fn fail(why: &str) -> ! {
    eprintln!("threaded_server: {why}");
    std::process::exit(2)
}
