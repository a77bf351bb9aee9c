//! Errors from event stores.

use crate::store::ExpectedVersion;
use motcua_core::DossierId;
use uuid::Uuid;

/// Why a store refused or failed an operation. A refused append stores nothing.
///
/// ```
/// use motcua_store::{ExpectedVersion, StoreError};
/// let err = StoreError::Conflict { dossier: "H26-0001".into(), expected: ExpectedVersion::Exactly(2), actual: 3 };
/// assert_eq!(
///     err.to_string(),
///     "dossier H26-0001: expected the stream at version 2, but it is at version 3; read it again and retry"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The stream is not at the expected version: someone else appended first.
    #[error("dossier {dossier}: expected the stream at {expected}, but it is at version {actual}; read it again and retry")]
    Conflict {
        /// The dossier.
        dossier: DossierId,
        /// What the caller expected.
        expected: ExpectedVersion,
        /// The stream's actual version.
        actual: u64,
    },
    /// An event in the batch belongs to another dossier.
    #[error("dossier {dossier}: event {sequence} ({event_id}) names dossier {found}; every event of a batch must belong to the batch's dossier")]
    WrongDossier {
        /// The batch's dossier.
        dossier: DossierId,
        /// The dossier the event names.
        found: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The event's id.
        event_id: Uuid,
    },
    /// The batch's events do not continue the stream's numbering.
    #[error("dossier {dossier}: event has sequence {found}, expected {expected} (a batch continues the stream: version + 1, + 2, …)")]
    OutOfSequence {
        /// The dossier.
        dossier: DossierId,
        /// The sequence number expected.
        expected: u64,
        /// The sequence number found.
        found: u64,
    },
    /// An event id already used by a different event, repeated in the batch, or a batch mixing
    /// stored and new events.
    #[error("dossier {dossier}, event {sequence}: event id {event_id} is already used; an id may be sent again only with identical content, in a batch whose events are all already stored")]
    DuplicateEventId {
        /// The id.
        event_id: Uuid,
        /// The dossier of the event carrying it in the batch.
        dossier: DossierId,
        /// That event's sequence number.
        sequence: u64,
    },
    /// A stored event is not what the store wrote: a stream with a gap, an event out of place
    /// or naming another dossier, a link that does not chain (see [`crate::chain`]). The
    /// stored log was changed or damaged; `motcua verify` checks the whole store.
    #[error("dossier {dossier}, event {sequence}: {damage}; the stored log was changed or damaged (`motcua verify` checks the whole store)")]
    Damaged {
        /// The dossier.
        dossier: DossierId,
        /// The place in the dossier's stream (its sequence number) where the damage shows.
        sequence: u64,
        /// What is wrong there.
        damage: crate::chain::Damage,
    },
    /// The event stored at a position cannot be read (its body is neither a compact event nor
    /// an event line): the stored log was changed or damaged. Where the dossier and sequence
    /// are known the damage is [`StoreError::Damaged`].
    #[error("the event stored at position {position} cannot be read: {reason}; the stored log was changed or damaged (`motcua verify` checks the whole store)")]
    Unreadable {
        /// The event's global position.
        position: u64,
        /// Why it cannot be read.
        reason: String,
    },
    /// The store keeps no catalogue, and was asked to keep one
    /// ([`crate::ImportSession::stage_catalogue`]).
    #[error("this store keeps no catalogue")]
    KeepsNoCatalogue,
    /// A table derived from the log (the open-dossier projection, the table of standings) is
    /// not where the change expected it: another process moved it since it was read (caught it
    /// up, or started rebuilding it). Nothing was written; catching up again from where the
    /// table stands now is safe, and is what the maintainers
    /// ([`catch_up`](crate::open_dossiers::catch_up),
    /// [`catch_up_standings`](crate::standings::catch_up_standings)) do.
    #[error("{0}")]
    Moved(String),
    /// The backend failed (a poisoned lock, a database error, data it cannot decode).
    #[error("store backend failed: {0}")]
    Backend(String),
    /// The store's storage could not be read or written: a full disk, a read-only or locked
    /// file, a database that cannot be reached. The data is not at fault; the same call may
    /// succeed once the storage is available.
    #[error("the store could not be read or written: {0}")]
    Storage(String),
}

impl StoreError {
    /// Whether the store failed ([`StoreError::Backend`], [`StoreError::Storage`]) rather
    /// than refused the call for what it asked.
    pub fn is_failure(&self) -> bool {
        matches!(self, StoreError::Backend(_) | StoreError::Storage(_))
    }
}
