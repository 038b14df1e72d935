//! The monitoring listener (`--monitor HOST:PORT`): `/metrics`,
//! `/healthz` and `/status` over plain HTTP/1.1, one request a
//! connection. It runs on the server's own thread: each answer takes one
//! snapshot of the state machine (a short borrow) and encodes it after;
//! a bounded number of requests are served at once, each within a time
//! and a size, so neither a scraper nor an attacker can slow chat down.

pub mod metrics;
pub mod snapshot;
pub mod status;

use std::cell::{Cell, RefCell};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::time::Duration;

use futures_lite::{AsyncReadExt, AsyncWriteExt, future};
use smol::{Async, LocalExecutor, Timer};

use crate::http::{self, RequestError, Response};
use snapshot::{Health, Snapshot};

/// Requests served at once; more connections are closed unanswered.
const MAX_AT_ONCE: usize = 16;
/// Time a request has to arrive whole, and its answer to be taken.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// Takes a snapshot (with the room list or not); `None` once the server
/// is gone.
pub type Source = Rc<dyn Fn(bool) -> Option<Snapshot>>;

/// What the endpoints answer from.
#[derive(Clone)]
pub struct Endpoints {
    pub source: Source,
    pub health: Rc<RefCell<Health>>,
}

/// Accepts monitoring requests until dropped.
pub async fn serve(
    listener: Async<TcpListener>,
    endpoints: Endpoints,
    ex: Rc<LocalExecutor<'static>>,
) {
    let busy = Rc::new(Cell::new(0usize));
    loop {
        match listener.accept().await {
            Ok((stream, _)) if busy.get() < MAX_AT_ONCE => {
                busy.set(busy.get() + 1);
                let (endpoints, busy) = (endpoints.clone(), busy.clone());
                ex.spawn(async move {
                    answer(stream, &endpoints).await;
                    busy.set(busy.get().saturating_sub(1));
                })
                .detach();
            }
            Ok((stream, remote)) => {
                log::debug!("monitor: {remote} turned away, {MAX_AT_ONCE} requests under way");
                drop(stream);
            }
            Err(e) => {
                log::warn!("monitor: accept failed: {e}");
                Timer::after(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Why no answer is given at all.
enum Silent {
    TimedOut,
    Closed,
}

/// Reads one request, answers it, closes.
async fn answer(mut stream: Async<TcpStream>, endpoints: &Endpoints) {
    let response = match within(read_head(&mut stream)).await {
        Ok(Ok(head)) => match http::parse(&head) {
            Ok(request) => (route(&request.path, endpoints), request.head_only),
            Err(e) => (e.response(), false),
        },
        Ok(Err(e)) => (e.response(), false),
        Err(Silent::TimedOut | Silent::Closed) => return,
    };
    let (response, head_only) = response;
    let bytes = response.to_bytes(head_only);
    let _ = within(async {
        stream.write_all(&bytes).await.map_err(|_| Silent::Closed)?;
        stream.flush().await.map_err(|_| Silent::Closed)
    })
    .await;
    let _ = stream.get_ref().shutdown(std::net::Shutdown::Both);
}

/// `work`, or [`Silent::TimedOut`] after [`IO_TIMEOUT`].
async fn within<T>(work: impl Future<Output = Result<T, Silent>>) -> Result<T, Silent> {
    future::or(work, async {
        Timer::after(IO_TIMEOUT).await;
        Err(Silent::TimedOut)
    })
    .await
}

/// The request head, up to its blank line.
async fn read_head(stream: &mut Async<TcpStream>) -> Result<Result<Vec<u8>, RequestError>, Silent> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|_| Silent::Closed)?;
        if n == 0 {
            return Err(Silent::Closed);
        }
        head.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(end) = http::head_end(&head) {
            head.truncate(end);
            return Ok(Ok(head));
        }
        if head.len() > http::MAX_HEAD {
            return Ok(Err(RequestError::TooLarge));
        }
    }
}

/// The answer for `path`.
fn route(path: &str, endpoints: &Endpoints) -> Response {
    match path {
        "/healthz" => match &*endpoints.health.borrow() {
            Health::Up => Response::text(200, "ok\n"),
            Health::ShuttingDown(why) => Response::text(503, format!("shutting down: {why}\n")),
        },
        "/metrics" => match (endpoints.source)(false).map(|s| metrics::render(&s)) {
            Some(Ok(body)) => Response {
                status: 200,
                content_type: metrics::CONTENT_TYPE,
                body,
            },
            _ => Response::text(503, "the server is gone\n"),
        },
        "/status" => match (endpoints.source)(true) {
            Some(snapshot) => Response {
                status: 200,
                content_type: "application/json",
                body: status::render(&snapshot) + "\n",
            },
            None => Response::text(503, "the server is gone\n"),
        },
        _ => Response::text(404, "not found: try /metrics, /healthz or /status\n"),
    }
}
