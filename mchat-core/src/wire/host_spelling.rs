//! One spelling per host (PROTOCOL.md §4, names): the many ways to write
//! one IPv4 address that resolvers accept (`127.1`, `2130706433`, `0x7f.1`,
//! `127.000.000.001`, …) become its dotted quad, an IPv6 literal its
//! shortest form, and a DNS name its lower case, so that two spellings of
//! one server are never taken for two servers. Nothing is looked up.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::fields::{Host, PeerAddr};

/// One part of a numeric IPv4 spelling: decimal, octal after a leading
/// `0`, hexadecimal after `0x`.
fn number(part: &str) -> Option<u32> {
    let (digits, radix) =
        if let Some(hex) = part.strip_prefix("0x").or_else(|| part.strip_prefix("0X")) {
            (hex, 16)
        } else if part.len() > 1 && part.starts_with('0') {
            (&part[1..], 8)
        } else {
            (part, 10)
        };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u32::from_str_radix(digits, radix).ok()
}

/// An IPv4 address in any of the spellings `inet_aton` takes: one to four
/// parts, the last filling the bytes the others leave.
fn loose_ipv4(s: &str) -> Option<Ipv4Addr> {
    let parts: Vec<u32> = s.split('.').map(number).collect::<Option<_>>()?;
    let (&last, leading) = parts.split_last()?;
    let room_for_last: u32 = match leading.len() {
        0 => u32::MAX,
        1 => 0x00ff_ffff,
        2 => 0xffff,
        3 => 0xff,
        _ => return None,
    };
    if last > room_for_last || leading.iter().any(|&p| p > 0xff) {
        return None;
    }
    let high = leading
        .iter()
        .enumerate()
        .fold(0u32, |acc, (i, &p)| acc | p << (24 - 8 * i));
    Some(Ipv4Addr::from(high | last))
}

impl Host {
    /// The one spelling of this host (PROTOCOL.md §4): the IPv4 spellings
    /// resolvers accept become the dotted quad, an IPv6 literal its
    /// shortest form, a DNS name its lower case. Nothing is looked up.
    ///
    /// ```
    /// use mchat_core::wire::Host;
    ///
    /// for spelling in ["127.1", "2130706433", "0x7f.1", "127.000.000.001", "127.0.0.01"] {
    ///     assert_eq!(Host::new(spelling).unwrap().canonical().as_str(), "127.0.0.1");
    /// }
    /// assert_eq!(Host::new("0:0::1").unwrap().canonical().as_str(), "::1");
    /// assert_eq!(Host::new("Chat.Example.ORG").unwrap().canonical().as_str(), "chat.example.org");
    /// ```
    pub fn canonical(&self) -> Host {
        let s = self.as_str();
        let spelled = if let Some(v4) = loose_ipv4(s) {
            v4.to_string()
        } else if let Ok(v6) = s.parse::<Ipv6Addr>() {
            v6.to_string()
        } else {
            s.to_ascii_lowercase()
        };
        if spelled == s {
            return self.clone();
        }
        // The canonical spelling is never longer and holds no space or
        // control character: it is a valid host.
        Host::new(spelled).unwrap_or_else(|_| self.clone())
    }
}

impl Host {
    /// Is this an IP address, not a name to look up? (Canonical spellings
    /// only: `127.1` is not, `127.0.0.1` is.)
    pub fn is_ip_literal(&self) -> bool {
        self.as_str().parse::<std::net::IpAddr>().is_ok()
    }
}

impl PeerAddr {
    /// The address with its host in its one spelling ([`Host::canonical`]).
    pub fn canonical(&self) -> PeerAddr {
        PeerAddr::new(self.host.canonical(), self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_spellings_that_are_not_addresses_stay_names() {
        for name in [
            "256.1.1.1",
            "1.2.3.4.5",
            "0x",
            "1e100.net",
            "1.0x1g",
            "",
            "4294967296",
        ] {
            assert_eq!(loose_ipv4(name), None, "{name}");
        }
        assert_eq!(loose_ipv4("10.258"), Some(Ipv4Addr::new(10, 0, 1, 2)));
        assert_eq!(loose_ipv4("0"), Some(Ipv4Addr::UNSPECIFIED));
    }
}
