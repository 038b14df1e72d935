//! Building `ALL_ADDRS` lines for an address list of any length (PROTOCOL.md §4).

use super::fields::PeerAddr;
use super::message::{AddrList, Message};
use super::pack::pack_into_lines;

/// The `ALL_ADDRS` lines announcing `addrs`: as few lines as fit them, each
/// within 1024 characters, in order. An empty list is one bare `ALL_ADDRS`.
///
/// ```
/// use mchat_core::wire::{all_addrs_lines, Host, Message, PeerAddr};
/// use std::num::NonZeroU16;
///
/// let addr = |i: u16| PeerAddr::new(
///     Host::new(format!("server-{i}.example.org")).unwrap(),
///     NonZeroU16::new(6062).unwrap(),
/// );
/// let addrs: Vec<PeerAddr> = (0..100).map(addr).collect();
/// let lines = all_addrs_lines(&addrs);
/// assert!(lines.len() > 1);
/// assert!(lines.iter().all(|m| m.encode().len() <= 1024));
/// let back: Vec<PeerAddr> = lines.into_iter()
///     .flat_map(|m| match m { Message::AllAddrs(l) => l.into_vec(), _ => vec![] })
///     .collect();
/// assert_eq!(back, addrs);
/// ```
pub fn all_addrs_lines(addrs: &[PeerAddr]) -> Vec<Message> {
    let mut lines = pack_into_lines(addrs, AddrList::EMPTY_LINE_CHARS, PeerAddr::wire_chars);
    if lines.is_empty() {
        lines.push(Vec::new()); // the bare `ALL_ADDRS`
    }
    lines
        .into_iter()
        .filter_map(|chunk| AddrList::new(chunk).ok())
        .map(Message::AllAddrs)
        .collect()
}
