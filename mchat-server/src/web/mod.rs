//! The web listener (`--ws HOST:PORT`): the browser client's page at `/`
//! and the WebSocket upgrade at `/ws`, on one port. Each connection's
//! request is read and answered by a task of its own, bounded in number,
//! size and time; an upgraded connection goes to the hub as a client like
//! any other (`driver::websocket`).

mod origin;
mod page;

use std::cell::{Cell, RefCell};
use std::net::{TcpListener, TcpStream};
use std::rc::{Rc, Weak};
use std::time::Duration;

use futures_lite::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, future};
use smol::{Async, LocalExecutor, Timer};

use crate::driver::Hub;
use crate::http::{self, Request, RequestError, Response};
pub use origin::Origins;

/// Requests being read at once; more connections are closed unanswered.
const MAX_AT_ONCE: usize = 64;
/// Time a request has to arrive whole, and its answer to be taken.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// What the web listener serves with.
pub struct Web {
    pub hub: Weak<RefCell<Hub>>,
    pub origins: Origins,
    /// `--ws-tls`: https and wss, with the server's client certificate.
    pub tls: bool,
}

/// Accepts web connections until dropped.
pub async fn serve(listener: Async<TcpListener>, web: Rc<Web>, ex: Rc<LocalExecutor<'static>>) {
    let busy = Rc::new(Cell::new(0usize));
    loop {
        match listener.accept().await {
            Ok((stream, remote)) if busy.get() < MAX_AT_ONCE => {
                busy.set(busy.get() + 1);
                let (web, busy) = (web.clone(), busy.clone());
                ex.spawn(async move {
                    answer(stream, remote, &web).await;
                    busy.set(busy.get().saturating_sub(1));
                })
                .detach();
            }
            Ok((_, remote)) => {
                log::debug!("web: {remote} turned away, {MAX_AT_ONCE} requests under way");
            }
            Err(e) => {
                log::warn!("web: accept failed: {e}");
                Timer::after(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What a request comes to.
enum Answer {
    /// Send this and close.
    Respond(Response, bool),
    /// Upgrade: send the 101 and hand the socket to the hub.
    Upgrade { accept_key: String },
}

/// Serves one connection: over TLS (`https`, `wss`) with `--ws-tls`, in
/// the clear otherwise.
async fn answer(stream: Async<TcpStream>, remote: std::net::SocketAddr, web: &Web) {
    let (hub, origins) = (&web.hub, &web.origins);
    let tls = web
        .tls
        .then(|| hub.upgrade().and_then(|h| h.borrow().client_tls()))
        .flatten();
    let Some(config) = tls else {
        let mut stream = stream;
        if let Some(rest) = converse(&mut stream, origins).await
            && let Some(hub) = hub.upgrade()
            && let Ok(stream) = stream.into_inner()
        {
            hub.borrow_mut().accept_ws(stream, remote, rest, None);
        }
        return;
    };
    let accept = futures_rustls::TlsAcceptor::from(config).accept(stream);
    let handshake = future::or(async { accept.await.ok() }, async {
        Timer::after(IO_TIMEOUT).await;
        None
    });
    let Some(mut tls) = handshake.await else {
        log::debug!("web: TLS from {remote} failed or took too long");
        return;
    };
    if let Some(rest) = converse(&mut tls, origins).await
        && let Some(hub) = hub.upgrade()
    {
        let (stream, conn) = tls.into_inner();
        if let Ok(stream) = stream.into_inner() {
            hub.borrow_mut().accept_ws(stream, remote, rest, Some(conn));
        }
    }
}

/// Reads one request from `stream` and answers it. For an upgrade the
/// `101` is sent and the bytes after the request head are returned: the
/// connection is the hub's from there.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
    origins: &Origins,
) -> Option<Vec<u8>> {
    let read = future::or(read_head(stream), async {
        Timer::after(IO_TIMEOUT).await;
        None
    });
    let (head, rest) = read.await?;
    let answer = match head.and_then(|head| http::parse(&head)) {
        Ok(request) => route(&request, origins),
        Err(e) => Answer::Respond(e.response(), false),
    };
    let (bytes, upgraded) = match answer {
        Answer::Respond(response, head_only) => (response.to_bytes(head_only), false),
        Answer::Upgrade { accept_key } => (
            format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept_key}\r\n\r\n"
            )
            .into_bytes(),
            true,
        ),
    };
    // A client that takes nothing in time is dropped.
    let sent = future::or(
        async { stream.write_all(&bytes).await.is_ok() && stream.flush().await.is_ok() },
        async {
            Timer::after(IO_TIMEOUT).await;
            false
        },
    )
    .await;
    if upgraded && sent {
        return Some(rest);
    }
    let _ = future::or(async { stream.close().await }, async {
        Timer::after(IO_TIMEOUT).await;
        Ok(())
    })
    .await;
    None
}

/// The request head and the bytes after it; `None` if the client went
/// away first.
async fn read_head<S: AsyncRead + Unpin>(
    stream: &mut S,
) -> Option<(Result<Vec<u8>, RequestError>, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(end) = http::head_end(&buf) {
            let rest = buf.split_off(end);
            return Some((Ok(buf), rest));
        }
        if buf.len() > http::MAX_HEAD {
            return Some((Err(RequestError::TooLarge), Vec::new()));
        }
    }
}

/// The page, its files, or the upgrade.
fn route(request: &Request, origins: &Origins) -> Answer {
    if request.path != "/ws" {
        let response = match page::file(&request.path) {
            Some((content_type, body)) => Response {
                status: 200,
                content_type,
                body: body.to_owned(),
            },
            None => Response::text(404, "not found: the chat is at /\n"),
        };
        return Answer::Respond(response, request.head_only);
    }
    let refuse =
        |status, why: &str| Answer::Respond(Response::text(status, format!("{why}\n")), false);
    if !request.header_has("upgrade", "websocket") || !request.header_has("connection", "upgrade") {
        return refuse(426, "/ws speaks WebSocket only");
    }
    if request.header("sec-websocket-version") != Some("13") {
        return refuse(400, "WebSocket version 13 only");
    }
    let Some(key) = request.header("sec-websocket-key") else {
        return refuse(400, "no Sec-WebSocket-Key");
    };
    if let Some(origin) = request.header("origin")
        && !origins.allows(origin, request.header("host"))
    {
        log::info!("web: refused a WebSocket from origin {origin}");
        return refuse(403, "this page's origin may not connect here");
    }
    Answer::Upgrade {
        accept_key: tungstenite::handshake::derive_accept_key(key.as_bytes()),
    }
}
