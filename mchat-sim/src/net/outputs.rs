//! Carrying out what a server asks of the network: sends, closes, dials.

use mchat_core::server::{CloseReason, Output};

use super::Sim;
use super::pipe::{End, ServerConn};
use crate::history::HeartbeatClose;

impl Sim {
    /// Carries out server `i`'s outputs until it has none.
    pub(super) fn drain(&mut self, i: usize) {
        loop {
            let Some(node) = self.node_mut(i) else {
                return;
            };
            let Some(output) = node.poll_output() else {
                return;
            };
            match output {
                Output::Send { to, line } => {
                    let len = line.len();
                    let conn = ServerConn {
                        server: i,
                        conn: to,
                    };
                    if let Some(pipe) = self.pipes.of(conn) {
                        self.send_on(pipe, End::Server(conn), line);
                    }
                    // The pipe takes any amount at once.
                    let now = self.now;
                    if let Some(node) = self.node_mut(i) {
                        node.handle_flushed(to, len, now);
                    }
                }
                Output::Close { id, reason } => {
                    if reason == CloseReason::Heartbeat {
                        self.history.heartbeat_closes.push(HeartbeatClose {
                            server: i,
                            at: self.now,
                        });
                    }
                    let conn = ServerConn {
                        server: i,
                        conn: id,
                    };
                    if let Some(pipe) = self.pipes.unbind(conn) {
                        self.close_from(pipe, End::Server(conn));
                    }
                }
                Output::Dial { id, addr } => {
                    if self.trace {
                        eprintln!("{:>10.3?} s{i}: dial {id} to {addr}", self.elapsed());
                    }
                    self.dial(i, id, &addr)
                }
                Output::Event(event) => {
                    if self.trace {
                        eprintln!("{:>10.3?} s{i}: {event}", self.elapsed());
                    }
                }
            }
        }
    }
}
