//! Server-to-server dials: the dial, its acceptance, and the answer to the dialler.

use mchat_core::server::{ConnId, Listener};
use mchat_core::wire::PeerAddr;

use super::config::dial_local;
use super::pipe::{End, ServerConn, Side};
use super::{Action, Sim};

impl Sim {
    /// Server `i` dials `addr` as its connection `id`: the pipe reaches the
    /// other end after one delay, and the answer comes back after another.
    pub(super) fn dial(&mut self, i: usize, id: ConnId, addr: &PeerAddr) {
        // An address no server has stands for a server that never accepts.
        let target = self
            .addrs
            .iter()
            .position(|a| a == addr)
            .unwrap_or(usize::MAX);
        let conn = ServerConn {
            server: i,
            conn: id,
        };
        let delay = self.pipe_delay();
        let pipe = self
            .pipes
            .open(End::Server(conn), End::Unaccepted(target), delay, self.now);
        self.pipes.bind(conn, pipe);
        self.after(delay, Action::Accept(pipe));
        self.after(delay * 2, Action::DialDone(pipe));
    }

    /// The dialled server sees `pipe` arrive, if it is up and reachable.
    pub(super) fn accept(&mut self, pipe: u64) {
        let now = self.now;
        let Some(p) = self.pipes.get(pipe) else {
            return;
        };
        let (End::Server(from), End::Unaccepted(to)) = (p.end(Side::Opener), p.end(Side::Acceptor))
        else {
            return;
        };
        let reachable = p.is_open(Side::Opener) && self.is_up(to) && !self.is_cut(from.server, to);
        let Some(p) = self.pipes.get_mut(pipe) else {
            return;
        };
        if !reachable {
            p.close(Side::Acceptor);
            return;
        }
        let Some(node) = self.nodes.get_mut(to).and_then(Option::as_mut) else {
            return;
        };
        let id = node.accept(Listener::Server, dial_local(pipe), now);
        let conn = ServerConn {
            server: to,
            conn: id,
        };
        p.accepted(conn);
        self.pipes.bind(conn, pipe);
        self.history.disturb(from.server, to, now);
        self.drain(to);
    }

    /// The dialler learns whether `pipe` connected.
    pub(super) fn dial_done(&mut self, pipe: u64) {
        let now = self.now;
        let Some(p) = self.pipes.get(pipe) else {
            return;
        };
        let End::Server(dialler) = p.end(Side::Opener) else {
            return;
        };
        if !p.is_open(Side::Opener) {
            return;
        }
        let connected = p.is_established();
        if !connected {
            self.pipes.unbind(dialler);
            self.pipes.remove(pipe);
        }
        if let Some(node) = self.node_mut(dialler.server) {
            node.dial_result(dialler.conn, connected.then(|| dial_local(pipe)), now);
        }
        self.drain(dialler.server);
    }
}
