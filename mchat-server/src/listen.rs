//! Turning `<host> <port>` into listening sockets: every address the name
//! resolves to, so `localhost` serves both 127.0.0.1 and ::1.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use crate::error::Error;

/// Every address `host` resolves to, with `port`, without duplicates.
pub fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, Error> {
    let mut addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|source| Error::Resolve {
            host: host.to_owned(),
            source,
        })?
        .collect();
    let mut seen = std::collections::HashSet::new();
    addrs.retain(|a| seen.insert(*a));
    if addrs.is_empty() {
        return Err(Error::NoAddress(host.to_owned()));
    }
    Ok(addrs)
}

/// Binds every address of `host` on `port`. With port 0 the first bind
/// picks a free port and the others take the same one.
pub fn bind_all(host: &str, port: u16) -> Result<Vec<TcpListener>, Error> {
    let mut listeners = Vec::new();
    let mut port = port;
    for mut addr in resolve(host, port)? {
        addr.set_port(port);
        let listener = TcpListener::bind(addr).map_err(|source| Error::Bind { addr, source })?;
        listener
            .set_nonblocking(true)
            .map_err(|source| Error::Bind { addr, source })?;
        // std listens with a backlog of 128: a crowd of clients connecting at
        // once overflows it while the hub is busy with the ones it took, and
        // every SYN dropped costs its client a one-second retransmit.
        nix::sys::socket::listen(&listener, nix::sys::socket::Backlog::MAXCONN).map_err(
            |errno| Error::Bind {
                addr,
                source: errno.into(),
            },
        )?;
        if port == 0 {
            port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        }
        listeners.push(listener);
    }
    Ok(listeners)
}

/// The port a set of listeners shares.
pub fn port_of(listeners: &[TcpListener]) -> u16 {
    listeners
        .first()
        .and_then(|l| l.local_addr().ok())
        .map_or(0, |a| a.port())
}

/// Binds the `HOST:PORT` of option `flag` (`--monitor`, `--ws`): the
/// first address it resolves to.
pub fn bind_one(flag: &'static str, addr: &str) -> Result<TcpListener, Error> {
    let (host, port) = addr
        .rsplit_once(':')
        .and_then(|(h, p)| {
            Some((
                h.trim_start_matches('[').trim_end_matches(']'),
                p.parse().ok()?,
            ))
        })
        .ok_or_else(|| Error::Invalid {
            what: flag,
            value: addr.to_owned(),
            why: "give HOST:PORT, e.g. 127.0.0.1:9100".into(),
        })?;
    let first = resolve(host, port)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NoAddress(host.to_owned()))?;
    let listener = TcpListener::bind(first).map_err(|source| Error::Bind {
        addr: first,
        source,
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|source| Error::Bind {
            addr: first,
            source,
        })?;
    Ok(listener)
}
