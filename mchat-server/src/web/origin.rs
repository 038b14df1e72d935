//! Which pages may open a WebSocket here (`--ws-allowed-origin`): a
//! browser says the page's origin, and a page of another site must not
//! chat in its visitors' names. Clients that are no browser send none and
//! are not asked.

/// The origins allowed: those given, or (none given) the page's own host.
#[derive(Clone, Debug, Default)]
pub struct Origins {
    allowed: Vec<String>,
}

impl Origins {
    /// `allowed` as given on the command line (`https://chat.example.org`).
    pub fn new(allowed: &[String]) -> Self {
        Self {
            allowed: allowed
                .iter()
                .map(|o| o.trim_end_matches('/').to_ascii_lowercase())
                .collect(),
        }
    }

    /// May a page of `origin` connect, the request naming `host`?
    pub fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        if !self.allowed.is_empty() {
            return self.allowed.contains(&origin);
        }
        // Same host: the origin's authority is the Host the page asked.
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"));
        matches!((authority, host), (Some(a), Some(h)) if a == h.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_default_only_the_page_of_the_same_host_may_connect() {
        let same = Origins::default();
        assert!(same.allows("http://127.0.0.1:6090", Some("127.0.0.1:6090")));
        assert!(same.allows("https://Chat.Example.org", Some("chat.example.org")));
        assert!(!same.allows("http://evil.example", Some("127.0.0.1:6090")));
        assert!(!same.allows("http://127.0.0.1:6091", Some("127.0.0.1:6090")));
        assert!(!same.allows("null", Some("127.0.0.1:6090")));
        assert!(!same.allows("http://127.0.0.1:6090", None));
    }

    #[test]
    fn given_origins_are_the_only_ones() {
        let given = Origins::new(&["https://chat.example.org/".into()]);
        assert!(given.allows("https://chat.example.org", Some("anything")));
        assert!(!given.allows("http://127.0.0.1:6090", Some("127.0.0.1:6090")));
    }
}
