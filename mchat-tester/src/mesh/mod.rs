//! A mesh of real `mchat-server` processes on loopback, each behind a relay
//! of ours through which every peer link runs (used by `chaos` and `load`).

mod announce;
pub mod pair;
pub mod relay;
pub mod servers;

pub use pair::Pair;
pub use relay::{Carried, Ends, Hooks, LinkId, Relays};
pub use servers::{Launch, ServerError, Servers};
