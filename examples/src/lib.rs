//! Programs that embed `mchat-core`, each in `examples/examples/`:
//!
//! - `threaded_server`: a whole mChat server on `std::net` and threads;
//! - `echo_bot`: a bot answering `!ping` and `!time`, reconnecting;
//! - `bridge`: one room kept in sync across two mChat networks;
//! - `simulate`: a mesh in the simulator, partitioned and healed.
//!
//! Run one with `cargo run -p examples --example <name> -- <args>`.
//!
//! This library holds what the client examples share: [`BlockingClient`],
//! the smallest driver of [`mchat_core::client::Client`] — one blocking
//! socket, no threads, no async runtime.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use mchat_core::client::{Client, ClientConfig, ClientEvent, ClientOutput, ConnectionEnd};

/// A `Client` driven over one blocking `TcpStream`.
pub struct BlockingClient {
    client: Client,
    stream: Option<TcpStream>,
    events: Vec<ClientEvent>,
}

impl BlockingClient {
    /// A disconnected client.
    pub fn new(config: ClientConfig) -> Self {
        Self {
            client: Client::new(config),
            stream: None,
            events: Vec::new(),
        }
    }

    /// The state machine, to read its nick, rooms or state.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Types a line as a user would: `connect h p`, `join r`, `msg r hi`…
    pub fn type_line(&mut self, line: &str) {
        self.client.handle_input_line(line, Instant::now());
        self.carry_out();
    }

    /// Waits up to `max_wait` for something to happen (bytes from the
    /// server, a keep-alive tick) and returns the events to show.
    pub fn wait(&mut self, max_wait: Duration) -> Vec<ClientEvent> {
        let now = Instant::now();
        let until = self
            .client
            .poll_timeout()
            .map_or(now + max_wait, |t| t.min(now + max_wait));
        match self.stream.as_mut() {
            Some(stream) => {
                let timeout = until
                    .saturating_duration_since(now)
                    .max(Duration::from_millis(1));
                let _ = stream.set_read_timeout(Some(timeout));
                let mut buf = [0u8; 16 * 1024];
                match stream.read(&mut buf) {
                    Ok(0) => {
                        self.stream = None;
                        self.client
                            .handle_close(ConnectionEnd::Closed, Instant::now());
                    }
                    Ok(n) => self
                        .client
                        .handle_input(buf.get(..n).unwrap_or_default(), Instant::now()),
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) => {}
                    Err(e) => {
                        self.stream = None;
                        self.client
                            .handle_close(ConnectionEnd::Failed(e.to_string()), Instant::now());
                    }
                }
            }
            None => std::thread::sleep(until.saturating_duration_since(now)),
        }
        if self
            .client
            .poll_timeout()
            .is_some_and(|t| t <= Instant::now())
        {
            self.client.handle_timeout(Instant::now());
        }
        self.carry_out();
        std::mem::take(&mut self.events)
    }

    /// Does what the state machine asks: always drain it after feeding it.
    fn carry_out(&mut self) {
        while let Some(output) = self.client.poll_output() {
            match output {
                ClientOutput::Send(line) => {
                    let written = self.stream.as_mut().map(|s| s.write_all(&line));
                    if let Some(Err(e)) = written {
                        self.stream = None;
                        self.client
                            .handle_close(ConnectionEnd::Failed(e.to_string()), Instant::now());
                    }
                }
                ClientOutput::Connect { tls: true, .. } => self
                    .client
                    .connect_failed("this example speaks plain TCP only", Instant::now()),
                ClientOutput::Connect { host, port, .. } => match connect(&host, port) {
                    Ok(stream) => {
                        self.stream = Some(stream);
                        self.client.connected(&host, port, Instant::now());
                    }
                    Err(e) => self.client.connect_failed(&e.to_string(), Instant::now()),
                },
                ClientOutput::Disconnect => self.stream = None,
                ClientOutput::Event(event) => self.events.push(event),
            }
        }
    }
}

/// Connects to every address of `host` in turn, each within 5 s.
pub fn connect(host: &str, port: u16) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}
