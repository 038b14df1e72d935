//! The probe: two well-behaved clients that keep chatting through every
//! attack, timing the gaps between arrivals.

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_lite::AsyncWriteExt;
use mchat_core::wire::Message;
use smol::{LocalExecutor, Timer};

use super::conversation::{Failure, client};
use crate::wire;

/// The room the probe chats in, which several attacks also use.
pub const ROOM: &str = "probe";

/// One client says a line every 20 ms, the other times the gaps.
pub struct Probe {
    longest: Rc<Cell<Duration>>,
    tasks: Vec<smol::Task<()>>,
}

impl Probe {
    pub async fn start(ex: &LocalExecutor<'_>, server: &str) -> Result<Self, Failure> {
        let (mut talker, _) = client(server, "probetalk", Some(ROOM)).await?;
        let (_, mut listener) = client(server, "probelisten", Some(ROOM)).await?;
        let tick = wire::msg_line("probetalk", ROOM, "tick".into())?;
        let longest = Rc::new(Cell::new(Duration::ZERO));
        let speak = ex.spawn(async move {
            while talker.write_all(&tick).await.is_ok() {
                Timer::after(Duration::from_millis(20)).await;
            }
        });
        let gaps = longest.clone();
        let hear = ex.spawn(async move {
            let mut last = Instant::now();
            let _ = listener
                .for_each(|line| {
                    if let Some(Message::Msg(chat)) = wire::parse(line)
                        && chat.nick().as_str() == "probetalk"
                    {
                        gaps.set(gaps.get().max(last.elapsed()));
                        last = Instant::now();
                    }
                })
                .await;
        });
        Ok(Self {
            longest,
            tasks: vec![speak, hear],
        })
    }

    /// Stops both clients; the longest gap the listener saw.
    pub fn stop(self) -> Duration {
        drop(self.tasks);
        self.longest.get()
    }
}

/// Does `lines` (a peer link, or a member of [`ROOM`]) hear the probe's
/// chat within `within`?
pub async fn hears_the_probe(lines: &mut crate::lines::Lines, within: Duration) -> bool {
    let said = format!("MSG probetalk {ROOM} ");
    let mut heard = false;
    futures_lite::future::or(
        async {
            heard = lines
                .until(|l| l.starts_with(said.as_bytes()))
                .await
                .unwrap_or(false);
        },
        async {
            Timer::after(within).await;
        },
    )
    .await;
    heard
}
