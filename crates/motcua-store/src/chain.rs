//! The tamper-evident log: every stored event carries a *link*, a SHA-256 hash chained to the
//! link of the event before it in its dossier, and a store's *digest* hashes every dossier's
//! last link, in dossier id order.
//!
//! The link of a dossier's event number `n` (see `docs/tamper-evidence.md`):
//!
//! ```text
//! link(n) = SHA-256( LINK_DOMAIN ‖ link(n − 1) ‖ compact(event n) )      link(0) = GENESIS
//! ```
//!
//! - [`LINK_DOMAIN`] is the 16 ASCII bytes `motcua-chain-v1` and a zero byte;
//! - [`GENESIS`] is 32 zero bytes;
//! - `compact(event)` is the event's [`crate::codec::compact`] form, which has exactly one
//!   encoding per event (every field, the UTC offsets of its instants and its metadata
//!   included) and ends where its last field ends, so the concatenation is unambiguous. The
//!   link does not depend on how a store keeps the body (compact bytes, a JSON line).
//!
//! Changing, removing, inserting or swapping any event of a dossier changes the links from
//! there to the dossier's last event, its *head*. Someone who can write the store can also
//! recompute every link after a change, so the chain alone proves nothing against them: the
//! [`Digest`] over every head, recorded outside the store (a province's register, a signed
//! mail), is what makes a rewrite detectable later.
//!
//! ```
//! use motcua_core::{DossierId, Event, EventKind};
//! use motcua_store::chain::{self, GENESIS};
//!
//! let first = Event {
//!     event_id: uuid::Uuid::from_u128(1),
//!     dossier_id: DossierId::new("D"),
//!     sequence: 1,
//!     occurred_at: time::OffsetDateTime::UNIX_EPOCH,
//!     recorded_at: time::OffsetDateTime::UNIX_EPOCH,
//!     kind: EventKind::SupplementSupplied,
//!     metadata: Default::default(),
//! };
//! let links = chain::links(GENESIS, std::slice::from_ref(&first));
//! assert_eq!(links[0], chain::link(&GENESIS, &first));
//! assert!(chain::check(&"D".into(), &[first.clone()], &[Some(links[0])]).is_ok());
//!
//! let mut changed = first;
//! changed.sequence = 2;
//! let err = chain::check(&"D".into(), &[changed], &[Some(links[0])]).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "dossier D, event 1: the event stored there is numbered 2: an event is missing, \
//!      repeated or out of place; the stored log was changed or damaged (`motcua verify` \
//!      checks the whole store)"
//! );
//! ```

use crate::error::StoreError;
use motcua_core::{DossierId, Event};
use sha2::{Digest as _, Sha256};

/// A link: the SHA-256 hash chaining an event to the one before it in its dossier.
pub type Link = [u8; 32];

/// The link before a dossier's first event: 32 zero bytes.
pub const GENESIS: Link = [0; 32];

/// The bytes every link's hash starts with: `motcua-chain-v1` and a zero byte.
pub const LINK_DOMAIN: &[u8; 16] = b"motcua-chain-v1\0";

/// The bytes a store digest's hash starts with: `motcua-digest-v1` and a zero byte.
pub const DIGEST_DOMAIN: &[u8; 17] = b"motcua-digest-v1\0";

/// What is wrong with a stored event (see [`StoreError::Damaged`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Damage {
    /// The event in this place of the stream carries another sequence number.
    #[error(
        "the event stored there is numbered {found}: an event is missing, repeated or out of place"
    )]
    Sequence {
        /// The number the stored event carries.
        found: u64,
    },
    /// The stored event names another dossier.
    #[error("the stored event names dossier {found}")]
    Dossier {
        /// The dossier the event names.
        found: DossierId,
    },
    /// The stored link is not the hash of the event and the link before it.
    #[error(
        "its hash does not chain to the events before it: the event, or one before it, was changed"
    )]
    Link,
    /// The event carries no link.
    #[error("it carries no hash")]
    Unlinked,
    /// The stored body cannot be read.
    #[error("its stored body cannot be read ({0})")]
    Unreadable(String),
    /// The row's event id column is not the id in its body: a repeated id would no longer be
    /// refused.
    #[error("its event id column holds {column}, but the event is {body}")]
    EventId {
        /// The id the column holds.
        column: uuid::Uuid,
        /// The id the stored event carries.
        body: uuid::Uuid,
    },
}

impl Damage {
    /// The [`StoreError`] naming `dossier` and `sequence`.
    ///
    /// ```
    /// use motcua_store::chain::Damage;
    /// let err = Damage::Link.at(&"H26-1".into(), 3);
    /// assert!(err.to_string().starts_with("dossier H26-1, event 3: its hash does not chain"));
    /// ```
    pub fn at(self, dossier: &DossierId, sequence: u64) -> StoreError {
        StoreError::Damaged {
            dossier: dossier.clone(),
            sequence,
            damage: self,
        }
    }
}

/// Computes links, reusing one buffer for the events' compact form.
#[derive(Debug, Default)]
pub struct Linker {
    buffer: Vec<u8>,
}

impl Linker {
    /// The link of `event` after `previous`.
    ///
    /// ```
    /// # use motcua_core::{Event, EventKind};
    /// # let event = Event { event_id: uuid::Uuid::nil(), dossier_id: "D".into(), sequence: 1,
    /// #     occurred_at: time::OffsetDateTime::UNIX_EPOCH, recorded_at: time::OffsetDateTime::UNIX_EPOCH,
    /// #     kind: EventKind::SupplementSupplied, metadata: Default::default() };
    /// use motcua_store::chain::{link, Linker, GENESIS};
    /// assert_eq!(Linker::default().link(&GENESIS, &event), link(&GENESIS, &event));
    /// ```
    pub fn link(&mut self, previous: &Link, event: &Event) -> Link {
        self.buffer.clear();
        crate::codec::compact::encode_into(&mut self.buffer, event);
        let mut hasher = Sha256::new();
        hasher.update(LINK_DOMAIN);
        hasher.update(previous);
        hasher.update(&self.buffer);
        hasher.finalize().into()
    }
}

/// The link of `event` after `previous`.
///
/// ```
/// # use motcua_core::{Event, EventKind};
/// # let event = Event { event_id: uuid::Uuid::nil(), dossier_id: "D".into(), sequence: 1,
/// #     occurred_at: time::OffsetDateTime::UNIX_EPOCH, recorded_at: time::OffsetDateTime::UNIX_EPOCH,
/// #     kind: EventKind::SupplementSupplied, metadata: Default::default() };
/// use motcua_store::chain::{link, GENESIS};
/// assert_ne!(link(&GENESIS, &event), link(&link(&GENESIS, &event), &event));
/// ```
pub fn link(previous: &Link, event: &Event) -> Link {
    Linker::default().link(previous, event)
}

/// The links of `events`, chained from `previous` (a stream's head, or [`GENESIS`]).
///
/// ```
/// use motcua_store::chain::{links, GENESIS};
/// assert!(links(GENESIS, &[]).is_empty());
/// ```
pub fn links(previous: Link, events: &[Event]) -> Vec<Link> {
    let mut linker = Linker::default();
    let mut head = previous;
    events
        .iter()
        .map(|event| {
            head = linker.link(&head, event);
            head
        })
        .collect()
}

/// Checks a stream read from a store: its events belong to `dossier` and are numbered 1, 2, …
/// without a gap. The check every read makes, and the only one scans make (see
/// `docs/tamper-evidence.md`).
///
/// # Errors
/// [`StoreError::Damaged`] naming the first event out of place.
///
/// ```
/// use motcua_store::chain::check_sequence;
/// assert!(check_sequence(&"D".into(), &[]).is_ok());
/// ```
pub fn check_sequence(dossier: &DossierId, events: &[Event]) -> Result<(), StoreError> {
    for (expected, event) in (1u64..).zip(events) {
        check_place(dossier, expected, event)?;
    }
    Ok(())
}

/// Checks that `event` is event number `expected` of `dossier`.
fn check_place(dossier: &DossierId, expected: u64, event: &Event) -> Result<(), StoreError> {
    if &event.dossier_id != dossier {
        return Err(Damage::Dossier {
            found: event.dossier_id.clone(),
        }
        .at(dossier, expected));
    }
    if event.sequence != expected {
        return Err(Damage::Sequence {
            found: event.sequence,
        }
        .at(dossier, expected));
    }
    Ok(())
}

/// Checks a stream and its stored links: [`check_sequence`], then every link recomputed from
/// [`GENESIS`] (`links[i]` is the link stored with `events[i]`; a missing one is
/// [`Damage::Unlinked`]). Returns the stream's head (its last link; [`GENESIS`] when empty).
///
/// # Errors
/// [`StoreError::Damaged`] naming the first event out of place or whose link does not chain.
///
/// ```
/// use motcua_store::chain::{check, GENESIS};
/// assert_eq!(check(&"D".into(), &[], &[]), Ok(GENESIS));
/// ```
pub fn check(
    dossier: &DossierId,
    events: &[Event],
    links: &[Option<Link>],
) -> Result<Link, StoreError> {
    check_sequence(dossier, events)?;
    let mut linker = Linker::default();
    let mut head = GENESIS;
    for (i, event) in events.iter().enumerate() {
        let stored = links
            .get(i)
            .copied()
            .flatten()
            .ok_or_else(|| Damage::Unlinked.at(dossier, event.sequence))?;
        let computed = linker.link(&head, event);
        if stored != computed {
            return Err(Damage::Link.at(dossier, event.sequence));
        }
        head = computed;
    }
    Ok(head)
}

/// A store's digest: one SHA-256 over every dossier's number of events and head link, in
/// dossier id order (byte order), so that recording it elsewhere anchors the whole log.
///
/// The bytes hashed: [`DIGEST_DOMAIN`], then for each dossier the length of its id (8 bytes,
/// little-endian), the id in UTF-8, its number of events (8 bytes, little-endian) and its head
/// link (32 bytes), then the number of dossiers (8 bytes, little-endian).
///
/// ```
/// use motcua_store::chain::{hex, Digest, GENESIS};
/// let mut digest = Digest::default();
/// digest.add(&"D1".into(), 3, &GENESIS);
/// assert_eq!(digest.dossiers(), 1);
/// assert_eq!(hex(&digest.finish()).len(), 64);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Digest {
    hasher: Option<Sha256>,
    dossiers: u64,
}

impl Digest {
    /// Adds the next dossier (callers add dossiers in id order).
    pub fn add(&mut self, dossier: &DossierId, events: u64, head: &Link) {
        let hasher = self.hasher.get_or_insert_with(|| {
            let mut h = Sha256::new();
            h.update(DIGEST_DOMAIN);
            h
        });
        let id = dossier.as_str().as_bytes();
        hasher.update((id.len() as u64).to_le_bytes());
        hasher.update(id);
        hasher.update(events.to_le_bytes());
        hasher.update(head);
        self.dossiers += 1;
    }

    /// How many dossiers were added.
    pub fn dossiers(&self) -> u64 {
        self.dossiers
    }

    /// The digest.
    pub fn finish(self) -> Link {
        let mut hasher = self.hasher.unwrap_or_else(|| {
            let mut h = Sha256::new();
            h.update(DIGEST_DOMAIN);
            h
        });
        hasher.update(self.dossiers.to_le_bytes());
        hasher.finalize().into()
    }
}

/// A link or digest in lowercase hexadecimal (64 characters).
///
/// ```
/// assert_eq!(&motcua_store::chain::hex(&[0xAB; 32])[..4], "abab");
/// ```
pub fn hex(link: &Link) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in link {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A link read back from a store column: `None` unless exactly 32 bytes.
///
/// ```
/// assert_eq!(motcua_store::chain::from_bytes(&[0; 32]), Some([0; 32]));
/// assert_eq!(motcua_store::chain::from_bytes(&[0; 31]), None);
/// ```
pub fn from_bytes(bytes: &[u8]) -> Option<Link> {
    Link::try_from(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::EventKind;

    fn event(sequence: u64) -> Event {
        Event {
            event_id: uuid::Uuid::from_u128(u128::from(sequence)),
            dossier_id: DossierId::new("D"),
            sequence,
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            recorded_at: time::OffsetDateTime::UNIX_EPOCH,
            kind: EventKind::Rated { satisfied: true },
            metadata: Default::default(),
        }
    }

    #[test]
    fn the_genesis_link_is_documented_bytes() {
        // SHA-256("motcua-chain-v1\0" ‖ 32 zero bytes ‖ compact(event 1)), fixed here so that a
        // change of the encoding cannot go unnoticed.
        let mut h = Sha256::new();
        h.update(b"motcua-chain-v1\0");
        h.update([0u8; 32]);
        h.update(crate::codec::compact::encode(&event(1)));
        let expected: Link = h.finalize().into();
        assert_eq!(link(&GENESIS, &event(1)), expected);
    }

    #[test]
    fn every_change_is_named() {
        let events: Vec<Event> = (1..=3).map(event).collect();
        let links: Vec<Option<Link>> = links(GENESIS, &events).into_iter().map(Some).collect();
        let d = DossierId::new("D");
        assert!(check(&d, &events, &links).is_ok());

        let mut edited = events.clone();
        edited[1].kind = EventKind::Rated { satisfied: false };
        assert_eq!(check(&d, &edited, &links), Err(Damage::Link.at(&d, 2)));

        let swapped = vec![events[0].clone(), events[2].clone(), events[1].clone()];
        assert_eq!(
            check(&d, &swapped, &links),
            Err(Damage::Sequence { found: 3 }.at(&d, 2))
        );
        assert_eq!(
            check(&d, &events[1..], &links[1..]),
            Err(Damage::Sequence { found: 2 }.at(&d, 1))
        );
        assert_eq!(
            check(&d, &events, &[links[0], None, links[2]]),
            Err(Damage::Unlinked.at(&d, 2))
        );
    }

    #[test]
    fn digests_depend_on_every_head_and_count() {
        let digest = |entries: &[(&str, u64, Link)]| {
            let mut d = Digest::default();
            for (id, n, head) in entries {
                d.add(&DossierId::new(*id), *n, head);
            }
            d.finish()
        };
        let a = digest(&[("A", 1, [1; 32]), ("B", 2, [2; 32])]);
        assert_ne!(a, digest(&[("A", 1, [1; 32]), ("B", 1, [2; 32])]));
        assert_ne!(a, digest(&[("A", 1, [1; 32]), ("B", 2, [3; 32])]));
        assert_ne!(a, digest(&[("A", 1, [1; 32])]));
        assert_ne!(digest(&[]), a);
    }
}
