//! Connecting very many clients to one server address, plain or TLS.
//!
//! Every connection from one source address to one server address needs its
//! own ephemeral port, and Linux has about 28 000 of them
//! (`ip_local_port_range`), so 50 000 clients cannot all come from
//! 127.0.0.1. All of 127.0.0.0/8 is local, though: past the first block,
//! clients of a loopback server connect from 127.0.0.2, 127.0.0.3, …

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::sync::Arc;

use nix::errno::Errno;
use nix::sys::socket::{
    AddressFamily, SockFlag, SockType, SockaddrStorage, bind, setsockopt, socket, sockopt,
};
use smol::Async;
use smol::net::TcpStream;

use crate::stream::{Conn, TlsClient};

/// Clients per source address: nine in ten of this machine's ephemeral
/// ports (others may be in use), or 25 000 if the range cannot be read.
fn clients_per_source() -> usize {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| {
            let mut ends = range.split_whitespace().map(str::parse::<usize>);
            let (low, high) = (ends.next()?.ok()?, ends.next()?.ok()?);
            Some(high.saturating_sub(low) * 9 / 10)
        })
        .filter(|&n| n > 0)
        .unwrap_or(25_000)
}

/// Where the `i`-th client to `target` connects from, `per_source` clients
/// to a source: the kernel's choice, except for the clients past the first
/// block of a loopback server.
fn source_for(i: usize, per_source: usize, target: SocketAddr) -> Option<IpAddr> {
    let SocketAddr::V4(v4) = target else {
        return None;
    };
    let block = i / per_source.max(1);
    if !v4.ip().is_loopback() || block == 0 {
        return None;
    }
    let last = u8::try_from(block + 1).ok()?;
    Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
}

/// The servers a run's clients use, resolved once: client `i` goes to
/// server `i` modulo their number, and from the source `source_for` gives.
pub struct Targets {
    servers: Vec<Target>,
    per_source: usize,
}

/// One `--server` address and what it resolved to (or why it did not).
struct Target {
    name: String,
    addr: Result<SocketAddr, String>,
    /// With `--tls`: how to check this server's certificate.
    tls: Option<Result<TlsClient, String>>,
    /// With `--ws`: the address is a `--ws` listener, spoken to by WebSocket.
    ws: bool,
}

impl Targets {
    /// Resolves each `HOST:PORT`; one that does not resolve fails its
    /// clients' connects. With `tls`, clients run TLS over their
    /// connections, checking each server's certificate for its `HOST`.
    pub async fn resolve(
        servers: &[String],
        tls: Option<&Arc<rustls::ClientConfig>>,
        ws: bool,
    ) -> Self {
        let mut resolved = Vec::new();
        for server in servers {
            let addr = match smol::net::resolve(server.as_str()).await {
                Ok(addrs) => addrs
                    .first()
                    .copied()
                    .ok_or_else(|| "no address".to_owned()),
                Err(e) => Err(e.to_string()),
            };
            let host = host_of(server);
            resolved.push(Target {
                name: server.clone(),
                addr,
                tls: tls.map(|config| TlsClient::new(config.clone(), host)),
                ws,
            });
        }
        Self {
            servers: resolved,
            per_source: clients_per_source(),
        }
    }

    /// Connects client `i` (to server `i` modulo their number); an error
    /// names the address it tried.
    pub async fn connect(&self, i: usize) -> io::Result<Conn> {
        let servers = self.servers.len().max(1);
        self.connect_to(i % servers, i / servers).await
    }

    /// Connects the `nth` client of server `server` (counted per server,
    /// for its source address), through TLS if the run has it; an error
    /// names the address it tried.
    pub async fn connect_to(&self, server: usize, nth: usize) -> io::Result<Conn> {
        let server = self
            .servers
            .get(server)
            .ok_or_else(|| io::Error::other(format!("there is no server {server}")))?;
        let target = server.addr.as_ref().map_err(|why| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("resolving {}: {why}", server.name),
            )
        })?;
        let source = source_for(nth, self.per_source, *target);
        let named = |e: io::Error| {
            let from = source.map(|s| format!(" from {s}")).unwrap_or_default();
            io::Error::new(e.kind(), format!("connecting to {target}{from}: {e}"))
        };
        let stream = connect(*target, source).await.map_err(named)?;
        // Lines are small and latency is measured: no Nagle delay.
        stream.set_nodelay(true).map_err(named)?;
        if server.ws {
            return crate::stream::ws_handshake(stream, &server.name)
                .await
                .map_err(named);
        }
        match &server.tls {
            None => Ok(stream.into()),
            Some(Ok(tls)) => tls.handshake(stream).await.map_err(named),
            Some(Err(why)) => Err(io::Error::new(io::ErrorKind::InvalidInput, why.clone())),
        }
    }
}

/// The `HOST` of a `HOST:PORT` address (an IPv6 one keeps its brackets).
pub fn host_of(addr: &str) -> &str {
    addr.rsplit_once(':').map_or(addr, |(host, _)| host)
}

/// Clients that could not connect (or join): how many, and the first
/// reason, which names the address.
#[derive(Default)]
pub struct Failures {
    pub count: u64,
    pub first: Option<io::Error>,
}

impl Failures {
    pub fn note(&mut self, e: io::Error) {
        self.count += 1;
        self.first.get_or_insert(e);
    }
}

/// Connects to `target`, from `source` when given.
pub async fn connect(target: SocketAddr, source: Option<IpAddr>) -> io::Result<TcpStream> {
    let Some(source) = source else {
        return TcpStream::connect(target).await;
    };
    let family = match target {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let fd = socket(
        family,
        SockType::Stream,
        SockFlag::SOCK_NONBLOCK | SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    // The port is then picked at connect time, for the whole address pair.
    setsockopt(&fd, sockopt::IpBindAddressNoPort, &true)?;
    bind(
        fd.as_raw_fd(),
        &SockaddrStorage::from(SocketAddr::new(source, 0)),
    )?;
    match nix::sys::socket::connect(fd.as_raw_fd(), &SockaddrStorage::from(target)) {
        Ok(()) | Err(Errno::EINPROGRESS) => {}
        Err(e) => return Err(e.into()),
    }
    let stream = Async::new(std::net::TcpStream::from(fd))?;
    stream.writable().await?;
    if let Some(e) = stream.get_ref().take_error()? {
        return Err(e);
    }
    Ok(TcpStream::from(stream))
}

#[cfg(test)]
mod tests {
    use super::{connect, source_for};
    use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

    #[test]
    fn loopback_clients_past_the_first_block_get_their_own_source() {
        let per = 1000;
        let local: SocketAddr = "127.0.0.1:6061".parse().unwrap();
        assert_eq!(source_for(0, per, local), None);
        assert_eq!(source_for(per - 1, per, local), None);
        assert_eq!(
            source_for(per, per, local),
            Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        );
        assert_eq!(
            source_for(2 * per + 7, per, local),
            Some(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)))
        );
        // Elsewhere the kernel chooses.
        let remote: SocketAddr = "192.0.2.1:6061".parse().unwrap();
        assert_eq!(source_for(3 * per, per, remote), None);
        let v6: SocketAddr = "[::1]:6061".parse().unwrap();
        assert_eq!(source_for(3 * per, per, v6), None);
    }

    #[test]
    fn a_client_connects_from_the_source_it_is_given() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let target = listener.local_addr().unwrap();
        let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        let stream = smol::block_on(connect(target, Some(source))).unwrap();
        let (_accepted, remote) = listener.accept().unwrap();
        assert_eq!(remote.ip(), source);
        assert_eq!(stream.local_addr().unwrap(), remote);
    }
}
