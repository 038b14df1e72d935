//! Connecting the load's clients: which room each is in, how big its read
//! buffer is, and joining with its own notice awaited.

use std::time::Duration;

use futures_lite::future;
use smol::Timer;

use crate::connect::Targets;
use crate::lines::Lines;
use crate::stream::Writer;
use crate::wire;

/// How long a client may wait for its join notice.
const JOIN_WITHIN: Duration = Duration::from_secs(10);

/// The room of receiver or sender `i`: round-robin over `rooms`.
pub fn room(i: usize, rooms: usize) -> String {
    format!("load{}", room_index(i, rooms))
}

/// The number of [`room`]'s room.
pub fn room_index(i: usize, rooms: usize) -> usize {
    i % rooms.max(1)
}

/// Read buffer of each of `receivers`: 64 KiB for the fan-out runs, less
/// when there are so many that 64 KiB each would not fit in memory (the
/// buffer still grows for a longer line).
pub fn read_buffer(receivers: usize) -> usize {
    (256 << 20) / receivers.max(1)
}

/// Connects as the `nth` client of server `server` of `targets` (through
/// TLS if the run has it), names itself and joins `room`, waiting for its
/// own notice.
pub async fn join(
    targets: &Targets,
    (server, nth): (usize, usize),
    nick: &str,
    room: &str,
    buffer: usize,
) -> std::io::Result<(Writer, Lines)> {
    let conn = targets.connect_to(server, nth).await?;
    let hello = wire::hello(nick, room).map_err(std::io::Error::other)?;
    conn.writer.send(&hello).await?;
    let mut lines = Lines::with_capacity(conn, buffer.clamp(4 << 10, 64 << 10));
    let want = wire::joined(nick, room).map_err(std::io::Error::other)?;
    let mut joined = false;
    let wait = async {
        let _ = lines
            .until(|line| {
                joined |= wire::parse(line).is_some_and(|m| m == want);
                joined
            })
            .await;
    };
    future::or(wait, async {
        Timer::after(JOIN_WITHIN).await;
    })
    .await;
    if !joined {
        return Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("{nick} never saw its join"),
        ));
    }
    Ok((lines.writer(), lines))
}
