//! Clients on the network: connecting, acting, sending, and losing the connection.

use bytes::Bytes;
use mchat_core::server::Listener;

use super::config::client_remote;
use super::pipe::{End, ServerConn};
use super::{ClientAction, Sim};
use crate::history::{Change, Connection, Membership, Span};

impl Sim {
    /// Client `c` sends `line` to its server, if connected.
    pub(super) fn client_send(&mut self, c: usize, line: String) {
        let Some(pipe) = self.clients.get(c).and_then(|cl| cl.pipe) else {
            return;
        };
        let mut bytes = line.into_bytes();
        bytes.push(b'\n');
        self.send_on(pipe, End::Client(c), Bytes::from(bytes));
    }

    /// Client `c`'s connection is gone.
    pub(super) fn client_lost(&mut self, c: usize) {
        let now = self.now;
        // Its server parts it from every room, with the usual notices (§3).
        if let Some(client) = self.clients.get(c)
            && let Some(server) = client.server
        {
            let linked = self.linked_with(server);
            for room in &client.rooms {
                self.history.memberships.push(Membership {
                    client: c,
                    room: room.clone(),
                    nick: client.nick.clone(),
                    at: now,
                    change: Change::Part,
                    server,
                    linked: linked.clone(),
                });
            }
        }
        if let Some(client) = self.clients.get_mut(c) {
            client.detach();
        }
        if let Some(conn) = self.history.connected.get_mut(c).and_then(|s| s.last_mut())
            && conn.span.end.is_none()
        {
            conn.span.end = Some(now);
        }
    }

    /// Client `c` does `action`.
    pub(super) fn client_action(&mut self, c: usize, action: ClientAction) {
        let Some(client) = self.clients.get(c) else {
            return;
        };
        let connected = client.pipe.is_some();
        match action {
            ClientAction::Connect(server) => {
                if !connected {
                    self.client_connect(c, server);
                }
            }
            ClientAction::Disconnect => {
                if let Some(pipe) = client.pipe {
                    self.close_from(pipe, End::Client(c));
                    self.client_lost(c);
                }
            }
            other => self.client_chat(c, other),
        }
    }

    /// Client `c` connects to `server`, if it is up, and sends its nick.
    fn client_connect(&mut self, c: usize, server: usize) {
        let now = self.now;
        let Some(node) = self.node_mut(server) else {
            return;
        };
        let id = node.accept(Listener::Client, client_remote(c), now);
        let conn = ServerConn { server, conn: id };
        let delay = self.pipe_delay();
        let pipe = self
            .pipes
            .open(End::Client(c), End::Server(conn), delay, now);
        self.pipes.bind(conn, pipe);
        if let Some(spans) = self.history.connected.get_mut(c) {
            spans.push(Connection {
                server,
                span: Span {
                    start: now,
                    end: None,
                },
            });
        }
        let line = self.clients.get_mut(c).map(|cl| cl.attach(pipe, server));
        self.drain(server);
        if let Some(line) = line {
            self.client_send(c, line);
        }
    }

    /// Client `c` joins, parts, chats or renames.
    fn client_chat(&mut self, c: usize, action: ClientAction) {
        let now = self.now;
        let sent_before = self.history.sent.len();
        let memberships_before = self.history.memberships.len();
        let line = self
            .clients
            .get_mut(c)
            .and_then(|cl| cl.act(action, now, &mut self.history));
        // Note which servers were linked both ways with the sender's.
        if let Some(server) = self.clients.get(c).and_then(|cl| cl.server) {
            let linked = self.linked_with(server);
            if self.history.sent.len() > sent_before
                && let Some(sent) = self.history.sent.last_mut()
            {
                sent.linked = linked.clone();
            }
            if self.history.memberships.len() > memberships_before
                && let Some(m) = self.history.memberships.last_mut()
            {
                m.linked = linked;
            }
        }
        if let Some(line) = line {
            self.client_send(c, line);
        }
    }
}
