//! Per-address limits (PROTOCOL.md §9): how many connections one source
//! address holds open on each port, and how fast it may open new ones (a
//! token bucket, refilled in the caller's time). An IPv6 /64 is one
//! address, since one host is given a whole /64 to pick from.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::time::Instant;

use super::bucket::TokenBucket;
use super::output::{CloseReason, Listener};

/// Where a connection comes from, as the limits count it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Source(IpAddr);

impl Source {
    pub fn of(remote: SocketAddr) -> Source {
        match remote.ip() {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Source(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !u128::from(u64::MAX);
                    Source(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
            v4 => Source(v4),
        }
    }
}

/// The limits of one port: `0` lifts either.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Connections one source may hold open at once.
    pub max_open: usize,
    /// New connections a second, sustained; as many may come at once.
    pub per_second: u32,
}

#[derive(Debug)]
struct Entry {
    open: usize,
    /// New connections it may open now.
    bucket: TokenBucket,
}

/// Every source with a connection open or a bucket not yet full.
#[derive(Debug, Default)]
pub(crate) struct PerAddress {
    entries: HashMap<(Listener, Source), Entry>,
}

impl PerAddress {
    /// Takes a new connection from `source` on `listener`, or says why not.
    /// A connection taken must be [`release`](Self::release)d when it ends
    /// (or, on the server port, when it becomes a peer).
    pub fn admit(
        &mut self,
        listener: Listener,
        source: Source,
        limits: Limits,
        now: Instant,
    ) -> Result<(), CloseReason> {
        let entry = self
            .entries
            .entry((listener, source))
            .or_insert_with(|| Entry {
                open: 0,
                bucket: TokenBucket::full(limits.per_second, now),
            });
        if limits.max_open != 0 && entry.open >= limits.max_open {
            return Err(CloseReason::TooManyFromAddress);
        }
        let rate = limits.per_second;
        if rate != 0 && !entry.bucket.take(1, rate, rate, now) {
            return Err(CloseReason::TooFastFromAddress);
        }
        entry.open += 1;
        Ok(())
    }

    /// A connection [`admit`](Self::admit)ted from `source` ended.
    pub fn release(&mut self, listener: Listener, source: Source) {
        if let Some(entry) = self.entries.get_mut(&(listener, source)) {
            entry.open = entry.open.saturating_sub(1);
        }
    }

    /// Forgets sources with nothing open once there are more than `keep`
    /// entries (their buckets start full again): the map stays as small
    /// as the connections it counts, whatever the number of sources.
    pub fn prune(&mut self, keep: usize) {
        if self.entries.len() > keep {
            self.entries.retain(|_, entry| entry.open > 0);
        }
    }

    /// Sources tracked now (for tests of the bound).
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn remote(s: &str) -> SocketAddr {
        s.parse().unwrap()
    }

    #[test]
    fn one_ipv6_slash_64_is_one_source_and_a_mapped_ipv4_is_the_ipv4() {
        assert_eq!(
            Source::of(remote("[2001:db8:1:2:aaaa::1]:5")),
            Source::of(remote("[2001:db8:1:2:bbbb::9]:6"))
        );
        assert_ne!(
            Source::of(remote("[2001:db8:1:2::1]:5")),
            Source::of(remote("[2001:db8:1:3::1]:5"))
        );
        assert_eq!(
            Source::of(remote("[::ffff:192.0.2.7]:5")),
            Source::of(remote("192.0.2.7:9"))
        );
    }

    #[test]
    fn a_burst_of_the_rate_is_taken_then_one_a_tick() {
        let mut limits = PerAddress::default();
        let source = Source::of(remote("192.0.2.7:1"));
        let rate = Limits {
            max_open: 0,
            per_second: 20,
        };
        let t0 = Instant::now();
        for _ in 0..20 {
            assert_eq!(limits.admit(Listener::Client, source, rate, t0), Ok(()));
        }
        assert_eq!(
            limits.admit(Listener::Client, source, rate, t0),
            Err(CloseReason::TooFastFromAddress)
        );
        // 50 ms buys one more at 20 a second.
        let t1 = t0 + Duration::from_millis(50);
        assert_eq!(limits.admit(Listener::Client, source, rate, t1), Ok(()));
        assert!(limits.admit(Listener::Client, source, rate, t1).is_err());
        // The other port has a bucket of its own.
        assert_eq!(limits.admit(Listener::Server, source, rate, t1), Ok(()));
    }

    #[test]
    fn the_open_limit_counts_releases_and_the_map_is_pruned() {
        let mut limits = PerAddress::default();
        let two = Limits {
            max_open: 2,
            per_second: 0,
        };
        let now = Instant::now();
        let source = Source::of(remote("192.0.2.7:1"));
        assert!(limits.admit(Listener::Client, source, two, now).is_ok());
        assert!(limits.admit(Listener::Client, source, two, now).is_ok());
        assert_eq!(
            limits.admit(Listener::Client, source, two, now),
            Err(CloseReason::TooManyFromAddress)
        );
        limits.release(Listener::Client, source);
        assert!(limits.admit(Listener::Client, source, two, now).is_ok());

        for i in 0..100u8 {
            let other = Source::of(remote(&format!("198.51.100.{i}:1")));
            assert!(limits.admit(Listener::Client, other, two, now).is_ok());
            limits.release(Listener::Client, other);
        }
        limits.prune(10);
        assert_eq!(limits.len(), 1, "only the source with connections open");
    }
}
