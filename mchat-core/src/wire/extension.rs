//! Mesh extensions and the `EXT` line that offers them (PROTOCOL.md §4,
//! "Negotiation", EXTENSION). Each extension is a name and a version; a
//! server offers every one it speaks, and a link uses those both ends offered.

use std::fmt;
use std::num::NonZeroU16;

/// A mesh extension this implementation speaks. A later one is one more
/// variant, with its name and version below.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Extension {
    /// Unsolicited `ALL_ADDRS`: on a new peer and periodically (§4, gossip).
    Gossip,
    /// Room-interest routing: `MSG` and `SYSTEM` go to a peer only for rooms
    /// it has local members in (§4, interest).
    Interest,
    /// Presence: a server answers a peer's `INTEREST_ADD` with its members
    /// of those rooms (`MEMBERS`), so that each server knows who is where
    /// (§4, presence).
    Presence,
    /// Authentication: the link proved the network's secret before anything
    /// else (§4, `auth/1`). Offered only by a server that has a secret; the
    /// proof itself comes before `EXT`, in the `AUTH_*` lines.
    Auth,
}

impl Extension {
    /// Every extension this implementation speaks.
    pub const ALL: [Extension; 4] = [
        Extension::Gossip,
        Extension::Interest,
        Extension::Presence,
        Extension::Auth,
    ];

    /// Its name in an `EXT` line.
    pub const fn name(self) -> &'static str {
        match self {
            Extension::Gossip => "gossip",
            Extension::Interest => "interest",
            Extension::Presence => "presence",
            Extension::Auth => "auth",
        }
    }

    /// The version of it that this implementation speaks.
    pub const fn version(self) -> u16 {
        match self {
            Extension::Gossip | Extension::Interest | Extension::Presence | Extension::Auth => 1,
        }
    }

    const fn bit(self) -> u8 {
        match self {
            Extension::Gossip => 1,
            Extension::Interest => 2,
            Extension::Presence => 4,
            Extension::Auth => 8,
        }
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.name(), self.version())
    }
}

/// A set of [`Extension`]s: those a server offers, or those a link agreed on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExtensionSet(u8);

impl ExtensionSet {
    /// No extension: a server that behaves as the original does.
    pub const NONE: ExtensionSet = ExtensionSet(0);

    /// Every extension this implementation speaks.
    pub fn all() -> Self {
        Extension::ALL.into_iter().collect()
    }

    /// Is `extension` in the set?
    pub fn contains(self, extension: Extension) -> bool {
        self.0 & extension.bit() != 0
    }

    /// The set with `extension` added.
    pub fn with(self, extension: Extension) -> Self {
        Self(self.0 | extension.bit())
    }

    /// The set with `extension` taken out.
    pub fn without(self, extension: Extension) -> Self {
        Self(self.0 & !extension.bit())
    }

    /// Is the set empty?
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The extensions in the set, in a fixed order.
    pub fn iter(self) -> impl Iterator<Item = Extension> {
        Extension::ALL
            .into_iter()
            .filter(move |e| self.contains(*e))
    }

    /// What a link speaks: the extensions of this set that `offer` names
    /// with this implementation's version or a later one. (A later version
    /// of an extension is bound to speak the earlier ones.)
    pub fn agreed_with(self, offer: &ExtOffer) -> ExtensionSet {
        self.iter()
            .filter(|e| {
                offer
                    .version_of(e.name())
                    .is_some_and(|v| v.get() >= e.version())
            })
            .collect()
    }
}

impl FromIterator<Extension> for ExtensionSet {
    fn from_iter<I: IntoIterator<Item = Extension>>(iter: I) -> Self {
        iter.into_iter()
            .fold(ExtensionSet::NONE, ExtensionSet::with)
    }
}

impl fmt::Display for ExtensionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            write!(f, "{e}")?;
            first = false;
        }
        if first {
            f.write_str("none")?;
        }
        Ok(())
    }
}

/// The payload of `EXT <name>/<version> …`: the extensions a server offers,
/// at least one. Names this implementation does not know are kept (they
/// encode back as received) and ignored when agreeing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtOffer(Vec<(String, NonZeroU16)>);

/// Longest extension name, in characters.
const MAX_NAME_CHARS: usize = 32;

impl ExtOffer {
    /// The offer of every extension in `set`; `None` for an empty set (an
    /// `EXT` line names at least one).
    pub fn of(set: ExtensionSet) -> Option<Self> {
        let items = set
            .iter()
            .filter_map(|e| Some((e.name().to_owned(), NonZeroU16::new(e.version())?)))
            .collect();
        Self::from_items(items)
    }

    /// Parses one `<name>/<version>` token: a name of lower-case letters,
    /// digits and `-`, starting with a letter; a version 1–65535 without
    /// leading zeros.
    pub(crate) fn parse_item(token: &str) -> Option<(String, NonZeroU16)> {
        let (name, version) = token.split_once('/')?;
        let name_ok = name.len() <= MAX_NAME_CHARS
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !name_ok {
            return None;
        }
        let version = super::fields::parse_port(version).ok()?;
        Some((name.to_owned(), version))
    }

    /// An offer of parsed tokens; `None` if there are none.
    pub(crate) fn from_items(items: Vec<(String, NonZeroU16)>) -> Option<Self> {
        (!items.is_empty()).then_some(Self(items))
    }

    /// The version offered of the extension called `name`.
    pub fn version_of(&self, name: &str) -> Option<NonZeroU16> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    /// Every `(name, version)` offered, in the order sent.
    pub fn items(&self) -> impl Iterator<Item = (&str, NonZeroU16)> {
        self.0.iter().map(|(n, v)| (n.as_str(), *v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_agrees_on_what_both_ends_offer_at_our_version_or_later() {
        let ours = ExtensionSet::all();
        let offer = |tokens: &[&str]| {
            ExtOffer::from_items(
                tokens
                    .iter()
                    .filter_map(|t| ExtOffer::parse_item(t))
                    .collect(),
            )
            .unwrap()
        };
        let gossip = ExtensionSet::NONE.with(Extension::Gossip);
        assert_eq!(ours.agreed_with(&offer(&["gossip/1"])), gossip);
        assert_eq!(
            ours.agreed_with(&offer(&["interest/1", "auth/1", "presence/1", "gossip/1"])),
            ours
        );
        assert_eq!(
            ours.agreed_with(&offer(&[
                "gossip/7",
                "later-thing/2",
                "interest/3",
                "presence/1",
                "auth/2"
            ])),
            ours
        );
        assert_eq!(
            ours.agreed_with(&offer(&["later-thing/1"])),
            ExtensionSet::NONE
        );
        assert_eq!(
            ExtensionSet::NONE.agreed_with(&offer(&["gossip/1"])),
            ExtensionSet::NONE
        );
    }

    #[test]
    fn tokens_follow_the_name_and_version_rules() {
        assert!(ExtOffer::parse_item("gossip/1").is_some());
        assert!(ExtOffer::parse_item("a-2/65535").is_some());
        for bad in [
            "gossip",
            "gossip/",
            "/1",
            "Gossip/1",
            "gossip/0",
            "gossip/01",
            "2x/1",
            "g_s/1",
        ] {
            assert!(ExtOffer::parse_item(bad).is_none(), "{bad} was taken");
        }
        assert!(ExtOffer::of(ExtensionSet::NONE).is_none());
        assert_eq!(
            ExtensionSet::all().to_string(),
            "gossip/1 interest/1 presence/1 auth/1"
        );
        assert_eq!(ExtensionSet::NONE.to_string(), "none");
    }
}
