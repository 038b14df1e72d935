//! The server side of the server (PROTOCOL.md §4). The mesh's state is
//! [`Mesh`] (`state.rs`); what the server does with it:
//! - `handshake.rs`: the discovery handshake from both ends (§4 steps 1–4),
//!   and finding that a dial reached this server itself;
//! - `links.rs`: established links: peer lines delivered locally and never
//!   relayed, the one-link-per-pair rule, renaming by `MY_ADDR`, a lost link;
//! - `dialing.rs`: addresses learnt from `ALL_ADDRS`, gossip, dial plans,
//!   reconnect with backoff and giving up;
//! - `interest.rs`: room-interest routing (`interest/1`): which rooms each
//!   peer wants, and what we tell them of ours;
//! - `presence.rs` (with its record in `members.rs`): who each peer has in
//!   our rooms, `MEMBERS` lists, and the departures of a peer lost for good;
//! - `awaited.rs`: `NAMES` that wait for the lists asked of peers.

mod awaited;
mod dialing;
mod handshake;
mod interest;
mod links;
mod members;
mod presence;
mod state;

pub(super) use awaited::AwaitedLists;
pub(super) use interest::Wants;
pub(super) use members::PeerMembers;
pub(super) use state::{Mesh, Vouched};
