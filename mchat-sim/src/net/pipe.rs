//! One pipe: what is at each end, whether it is open, when its bytes in flight arrive.

use std::time::{Duration, Instant};

use mchat_core::server::ConnId;

use crate::pair::ServerPair;

/// One side of a pipe: where something sent on it arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The end that opened the pipe: a dialling server, or a client.
    Opener,
    /// The end that accepted it: always a server.
    Acceptor,
}

impl Side {
    /// Both sides, opener first.
    pub(super) const BOTH: [Side; 2] = [Side::Opener, Side::Acceptor];

    /// The side across the pipe from this one.
    pub(super) fn other(self) -> Self {
        match self {
            Side::Opener => Side::Acceptor,
            Side::Acceptor => Side::Opener,
        }
    }
}

/// A server's end of a connection, as the server names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct ServerConn {
    pub(super) server: usize,
    pub(super) conn: ConnId,
}

/// What is at one end of a pipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum End {
    /// A server's connection.
    Server(ServerConn),
    /// A server that has not accepted the dialled connection (yet).
    Unaccepted(usize),
    /// A client.
    Client(usize),
}

impl End {
    /// The server at this end, accepted or not.
    pub(super) fn server(self) -> Option<usize> {
        match self {
            End::Server(sc) => Some(sc.server),
            End::Unaccepted(server) => Some(server),
            End::Client(_) => None,
        }
    }
}

/// One end and its state.
#[derive(Debug)]
struct PipeEnd {
    end: End,
    /// False once this end closed, or the other end's close reached it.
    open: bool,
    /// The latest arrival scheduled toward this end, to keep order.
    last_arrival: Instant,
}

/// A TCP-like pipe: in order, after a fixed one-way delay.
#[derive(Debug)]
pub(super) struct Pipe {
    opener: PipeEnd,
    acceptor: PipeEnd,
    delay: Duration,
}

impl Pipe {
    /// A pipe opened `now` from `opener` to `acceptor`, both ends open.
    pub(super) fn new(opener: End, acceptor: End, delay: Duration, now: Instant) -> Self {
        let end = |end| PipeEnd {
            end,
            open: true,
            last_arrival: now,
        };
        Self {
            opener: end(opener),
            acceptor: end(acceptor),
            delay,
        }
    }

    fn side(&self, side: Side) -> &PipeEnd {
        match side {
            Side::Opener => &self.opener,
            Side::Acceptor => &self.acceptor,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut PipeEnd {
        match side {
            Side::Opener => &mut self.opener,
            Side::Acceptor => &mut self.acceptor,
        }
    }

    /// What is at `side`.
    pub(super) fn end(&self, side: Side) -> End {
        self.side(side).end
    }

    /// Records that the server at the acceptor side accepted, as `conn`.
    pub(super) fn accepted(&mut self, conn: ServerConn) {
        self.acceptor.end = End::Server(conn);
    }

    /// Is `side` still open?
    pub(super) fn is_open(&self, side: Side) -> bool {
        self.side(side).open
    }

    /// Closes `side`.
    pub(super) fn close(&mut self, side: Side) {
        self.side_mut(side).open = false;
    }

    /// Are both sides closed?
    pub(super) fn is_gone(&self) -> bool {
        !self.opener.open && !self.acceptor.open
    }

    /// The side that what `from` sends arrives at: the acceptor if `from`
    /// opened the pipe, else the opener.
    pub(super) fn toward_other_than(&self, from: End) -> Side {
        if self.opener.end == from {
            Side::Acceptor
        } else {
            Side::Opener
        }
    }

    /// When something sent `now` toward `side` arrives: after the delay,
    /// and never before what was sent earlier.
    pub(super) fn arrival(&mut self, side: Side, now: Instant) -> Instant {
        let delay = self.delay;
        let end = self.side_mut(side);
        let at = (now + delay).max(end.last_arrival);
        end.last_arrival = at;
        at
    }

    /// The pair of servers it links, if both ends are servers.
    pub(super) fn servers(&self) -> Option<ServerPair> {
        let a = self.opener.end.server()?;
        let b = self.acceptor.end.server()?;
        Some(ServerPair::new(a, b))
    }

    /// Does it link `a` and `b` (either way round), accepted or not?
    pub(super) fn links(&self, a: usize, b: usize) -> bool {
        self.servers() == Some(ServerPair::new(a, b))
    }

    /// Does either end belong to `server`?
    pub(super) fn touches(&self, server: usize) -> bool {
        self.opener.end.server() == Some(server) || self.acceptor.end.server() == Some(server)
    }

    /// Closes every side that belongs to `server`, at once and silently.
    pub(super) fn close_ends_of(&mut self, server: usize) {
        for side in Side::BOTH {
            let end = self.side_mut(side);
            if end.end.server() == Some(server) {
                end.open = false;
            }
        }
    }

    /// Is it an established server link: accepted, and open at both ends?
    pub(super) fn is_established(&self) -> bool {
        self.opener.open && self.acceptor.open && matches!(self.acceptor.end, End::Server(_))
    }
}
