//! Flood control (PROTOCOL.md §3, flood control): every line a client
//! sends is paid for from a token bucket of its own, refilled in the
//! caller's time, so the sender pays for a flood and its readers do not.
//! A line that cannot be paid for is not carried out; a client that keeps
//! flooding is disconnected.

use std::time::{Duration, Instant};

use super::bucket::TokenBucket;
use super::config::ServerConfig;

/// A refusal more than this after the last one starts a new episode.
const CALM: Duration = Duration::from_secs(1);

/// One client's account.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FloodAccount {
    bucket: TokenBucket,
    /// The first refusal of the current episode, and the latest.
    over: Option<(Instant, Instant)>,
}

/// What to do with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Paid {
    /// Carry it out.
    Yes,
    /// Refuse it with `ERROR flood`.
    No,
    /// Refuse it and disconnect: over the limit for the configured time.
    Disconnect,
}

/// What a line costs in tokens, by its type word (read before the line is
/// parsed, so a refused line costs no parsing): a nick change is announced
/// in every room of the client, so it costs one a room. Heartbeats are
/// free both ways: a client that pasted too much must not be taken for a
/// dead one, nor take the server for dead (a `HEART` is answered to the
/// sender alone, so it harms no one else).
pub(crate) fn cost(type_word: &str, rooms: usize) -> u32 {
    match type_word {
        "BLEED" | "HEART" => 0,
        "NICK" => u32::try_from(rooms.max(1)).unwrap_or(u32::MAX),
        _ => 1,
    }
}

impl FloodAccount {
    pub fn new(config: &ServerConfig, now: Instant) -> Self {
        Self {
            bucket: TokenBucket::full(config.flood_burst, now),
            over: None,
        }
    }

    /// Pays `tokens` for a line at `now`, or says why not.
    pub fn pay(&mut self, tokens: u32, config: &ServerConfig, now: Instant) -> Paid {
        if config.flood_rate == 0 || tokens == 0 {
            return Paid::Yes;
        }
        // A cost above the burst could never be paid: it takes the burst.
        let tokens = tokens.min(config.flood_burst.max(1));
        let capacity = config.flood_burst.max(1);
        if self.bucket.take(tokens, config.flood_rate, capacity, now) {
            return Paid::Yes;
        }
        let first = match self.over {
            Some((first, last)) if now.saturating_duration_since(last) <= CALM => first,
            _ => now,
        };
        self.over = Some((first, now));
        if now.saturating_duration_since(first) >= config.flood_disconnect {
            Paid::Disconnect
        } else {
            Paid::No
        }
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU16;

    use super::*;
    use crate::wire::{Host, PeerAddr};

    fn config(rate: u32, burst: u32) -> ServerConfig {
        let me = PeerAddr::new(Host::new("10.0.0.5").unwrap(), NonZeroU16::MIN);
        let mut config = ServerConfig::new(me);
        config.flood_rate = rate;
        config.flood_burst = burst;
        config.flood_disconnect = Duration::from_secs(10);
        config
    }

    #[test]
    fn the_burst_is_free_then_lines_are_refused_until_the_rate_refills() {
        let cfg = config(10, 5);
        let t0 = Instant::now();
        let mut account = FloodAccount::new(&cfg, t0);
        for _ in 0..5 {
            assert_eq!(account.pay(1, &cfg, t0), Paid::Yes);
        }
        assert_eq!(account.pay(1, &cfg, t0), Paid::No);
        assert_eq!(
            account.pay(0, &cfg, t0),
            Paid::Yes,
            "heartbeat answers are free"
        );
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(account.pay(1, &cfg, t1), Paid::Yes);
        assert_eq!(account.pay(1, &cfg, t1), Paid::No);
    }

    #[test]
    fn flooding_without_a_calm_second_for_the_configured_time_disconnects() {
        let cfg = config(10, 5);
        let t0 = Instant::now();
        let mut account = FloodAccount::new(&cfg, t0);
        for _ in 0..5 {
            account.pay(1, &cfg, t0);
        }
        let mut verdict = Paid::Yes;
        let mut at = t0;
        // Twenty lines a second, twice the rate, for 11 seconds.
        for _ in 0..220 {
            at += Duration::from_millis(50);
            verdict = account.pay(1, &cfg, at);
            if verdict == Paid::Disconnect {
                break;
            }
        }
        assert_eq!(verdict, Paid::Disconnect);
        assert!(at - t0 >= Duration::from_secs(10), "after {:?}", at - t0);
    }

    #[test]
    fn a_calm_second_starts_the_count_again() {
        let cfg = config(10, 5);
        let t0 = Instant::now();
        let mut account = FloodAccount::new(&cfg, t0);
        let mut at = t0;
        for round in 0..4 {
            // Over the limit for 5 s, then quiet for 2 s.
            for _ in 0..100 {
                at += Duration::from_millis(50);
                assert_ne!(account.pay(2, &cfg, at), Paid::Disconnect, "round {round}");
            }
            at += Duration::from_secs(2);
        }
    }

    #[test]
    fn a_nick_change_costs_one_token_a_room_and_off_means_off() {
        assert_eq!(cost("NICK", 30), 30);
        assert_eq!(cost("NICK", 0), 1);
        assert_eq!(cost("BLEED", 3), 0);
        assert_eq!(cost("HEART", 3), 0);
        assert_eq!(cost("MSG", 3), 1);
        assert_eq!(cost("", 3), 1);
        let off = config(0, 5);
        let t0 = Instant::now();
        let mut account = FloodAccount::new(&off, t0);
        for _ in 0..10_000 {
            assert_eq!(account.pay(1, &off, t0), Paid::Yes);
        }
    }
}
