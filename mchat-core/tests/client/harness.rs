//! One `Client` in virtual time, its outputs sorted into sent lines,
//! connects, disconnects and events.

use std::time::{Duration, Instant};

use mchat_core::client::{Client, ClientConfig, ClientEvent, ClientOutput, Refusal};

/// A client in virtual time, its outputs sorted into sent lines and events.
pub struct Harness {
    pub client: Client,
    pub now: Instant,
    pub sent: Vec<String>,
    pub events: Vec<ClientEvent>,
    pub connects: Vec<(String, u16)>,
    pub disconnects: usize,
}

impl Harness {
    pub fn new() -> Self {
        Self::with(ClientConfig::default())
    }

    pub fn with(config: ClientConfig) -> Self {
        Self {
            client: Client::new(config),
            now: Instant::now(),
            sent: Vec::new(),
            events: Vec::new(),
            connects: Vec::new(),
            disconnects: 0,
        }
    }

    pub fn drain(&mut self) {
        while let Some(out) = self.client.poll_output() {
            match out {
                ClientOutput::Send(line) => {
                    let text = std::str::from_utf8(&line).unwrap();
                    assert!(
                        text.ends_with('\n') && text.chars().count() <= 1024,
                        "{text:?}"
                    );
                    self.sent.push(text.trim_end_matches('\n').to_owned());
                }
                ClientOutput::Connect { host, port, .. } => self.connects.push((host, port)),
                ClientOutput::Disconnect => self.disconnects += 1,
                ClientOutput::Event(e) => self.events.push(e),
            }
        }
    }

    /// Connected and past the `NICK` line.
    pub fn connected() -> Self {
        Self::connected_with(ClientConfig::default())
    }

    /// As [`Harness::connected`], configured by `config`.
    pub fn connected_with(config: ClientConfig) -> Self {
        let mut h = Self::with(config);
        h.type_line("connect example.org 6061");
        h.client.connected("example.org", 6061, h.now);
        h.drain();
        h.sent.clear();
        h.events.clear();
        h
    }

    pub fn type_line(&mut self, line: &str) {
        self.client.handle_input_line(line, self.now);
        self.drain();
    }

    pub fn receive(&mut self, line: &str) {
        self.client
            .handle_input(format!("{line}\n").as_bytes(), self.now);
        self.drain();
    }

    pub fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while let Some(at) = self.client.poll_timeout() {
            if at > end {
                break;
            }
            self.now = at;
            self.client.handle_timeout(at);
            self.drain();
        }
        self.now = end;
    }

    pub fn refusals(&self) -> Vec<Refusal> {
        self.events
            .iter()
            .filter_map(|e| match e {
                ClientEvent::Refused(r) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
}
