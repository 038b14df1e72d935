//! The driver's connections, indexed by [`ConnId::slot`]: a lookup on the
//! path of every delivered line is an index and a compare, not a hash.

use mchat_core::server::ConnId;

/// Connections by slot; each entry keeps its full handle, so a stale handle
/// whose slot was reused finds nothing.
pub struct Table<T> {
    slots: Vec<Option<(ConnId, T)>>,
}

impl<T> Table<T> {
    pub fn new() -> Self {
        Self { slots: Vec::new() }
    }

    pub fn insert(&mut self, id: ConnId, value: T) {
        let slot = id.slot();
        if self.slots.len() <= slot {
            self.slots.resize_with(slot + 1, || None);
        }
        if let Some(entry) = self.slots.get_mut(slot) {
            *entry = Some((id, value));
        }
    }

    pub fn get(&self, id: ConnId) -> Option<&T> {
        match self.slots.get(id.slot()) {
            Some(Some((held, value))) if *held == id => Some(value),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, id: ConnId) -> Option<&mut T> {
        match self.slots.get_mut(id.slot()) {
            Some(Some((held, value))) if *held == id => Some(value),
            _ => None,
        }
    }

    /// The handle of the connection in `slot`, if one is there.
    pub fn id_at(&self, slot: usize) -> Option<ConnId> {
        match self.slots.get(slot) {
            Some(Some((id, _))) => Some(*id),
            _ => None,
        }
    }

    pub fn contains(&self, id: ConnId) -> bool {
        self.get(id).is_some()
    }

    pub fn remove(&mut self, id: ConnId) -> Option<T> {
        let entry = self.slots.get_mut(id.slot())?;
        if entry.as_ref().is_some_and(|(held, _)| *held == id) {
            entry.take().map(|(_, value)| value)
        } else {
            None
        }
    }

    pub fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().flatten().map(|(_, value)| value)
    }

    /// Empties the table, handing out every value.
    pub fn drain(&mut self) -> impl Iterator<Item = T> + '_ {
        self.slots.drain(..).flatten().map(|(_, value)| value)
    }
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroU16;
    use std::time::Instant;

    use mchat_core::server::{Listener, Server, ServerConfig};
    use mchat_core::wire::{Host, PeerAddr};

    use super::Table;

    #[test]
    fn a_stale_handle_finds_nothing_once_its_slot_is_reused() {
        let now = Instant::now();
        let port = NonZeroU16::new(6062).unwrap();
        let me = PeerAddr::new(Host::new("127.0.0.1").unwrap(), port);
        let mut server = Server::new(ServerConfig::new(me), now);
        let remote = "127.0.0.1:40000".parse().unwrap();
        let first = server.accept(Listener::Client, remote, now);
        let second = server.accept(Listener::Client, remote, now);

        let mut table = Table::new();
        table.insert(first, "first");
        table.insert(second, "second");
        assert_eq!(table.get(first), Some(&"first"));
        assert_eq!(table.remove(first), Some("first"));

        server.handle_close(first, now);
        let third = server.accept(Listener::Client, remote, now);
        assert_eq!(third.slot(), first.slot());
        table.insert(third, "third");
        assert_eq!(table.get(first), None);
        assert_eq!(table.remove(first), None);
        assert_eq!(table.get(third), Some(&"third"));
        assert!(table.contains(second));
        let mut all: Vec<_> = table.drain().collect();
        all.sort_unstable();
        assert_eq!(all, ["second", "third"]);
        assert_eq!(table.values().count(), 0);
    }
}
