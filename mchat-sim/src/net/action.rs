//! What can be scheduled to happen: network events, client actions and faults.

use bytes::Bytes;

use super::pipe::Side;

/// Something scheduled to happen.
#[derive(Clone, Debug)]
pub enum Action {
    /// The accepting server sees a dialled connection arrive.
    Accept(u64),
    /// The dialling server learns whether its dial connected.
    DialDone(u64),
    /// Bytes arrive at one side of a pipe.
    Deliver(u64, Side, Bytes),
    /// The other side's close arrives at this side.
    Fin(u64, Side),
    /// A client does something.
    Client(usize, ClientAction),
    /// A server process dies.
    Crash(usize),
    /// A crashed server starts again, joining through a server that is up
    /// at that moment (chosen at random), or alone if none is.
    Restart(usize),
    /// The link between two servers is cut.
    Cut(usize, usize),
    /// The link between two servers heals.
    Heal(usize, usize),
}

/// What a simulated client can be told to do.
#[derive(Clone, Debug)]
pub enum ClientAction {
    /// Connect to a server and set its nick.
    Connect(usize),
    /// Close its connection.
    Disconnect,
    /// Join a room.
    Join(String),
    /// Part a room.
    Part(String),
    /// Send a numbered chat line to a room.
    Msg(String),
    /// Take a new nick.
    Nick,
}
