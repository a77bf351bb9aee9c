//! The event-store trait and the values it exchanges.

use crate::error::StoreError;
use crate::session::{ImportSession, StagedImport};
use motcua_core::{DossierId, Event};
use std::fmt;

/// What the caller believes the stream's version is, for optimistic concurrency.
///
/// ```
/// use motcua_store::ExpectedVersion;
/// assert!(ExpectedVersion::Any.matches(7));
/// assert!(ExpectedVersion::NoStream.matches(0));
/// assert!(!ExpectedVersion::Exactly(3).matches(4));
/// assert_eq!(ExpectedVersion::Exactly(3).to_string(), "version 3");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExpectedVersion {
    /// Append whatever the version (the events' sequence numbers must still follow on).
    Any,
    /// The stream must not exist yet (version 0).
    NoStream,
    /// The stream must be at exactly this version (0 is the same as [`ExpectedVersion::NoStream`]).
    Exactly(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `actual` satisfies this expectation.
    pub fn matches(self, actual: u64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => actual == 0,
            ExpectedVersion::Exactly(v) => actual == v,
        }
    }

    /// `NoStream` for version 0, else `Exactly(version)`.
    ///
    /// ```
    /// use motcua_store::ExpectedVersion;
    /// assert_eq!(ExpectedVersion::at(0), ExpectedVersion::NoStream);
    /// assert_eq!(ExpectedVersion::at(2), ExpectedVersion::Exactly(2));
    /// ```
    pub fn at(version: u64) -> Self {
        if version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exactly(version)
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream yet (version 0)"),
            ExpectedVersion::Exactly(v) => write!(f, "version {v}"),
        }
    }
}

/// An event with its global position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// Global, 1-based, in commit order, without gaps.
    pub position: u64,
    /// The event.
    pub event: Event,
}

/// The result of an append.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Global position of the first event of the batch (0 for an empty batch).
    pub first_position: u64,
    /// Global position of the last event of the batch (0 for an empty batch).
    pub last_position: u64,
    /// The stream's version after the batch: its last event's sequence number.
    pub stream_version: u64,
}

impl Appended {
    /// The result of a batch that appended nothing (an empty batch): positions 0 and the
    /// stream's version as it stands.
    ///
    /// ```
    /// let a = motcua_store::Appended::unchanged(3);
    /// assert_eq!((a.first_position, a.last_position, a.stream_version), (0, 0, 3));
    /// ```
    pub const fn unchanged(stream_version: u64) -> Self {
        Appended {
            first_position: 0,
            last_position: 0,
            stream_version,
        }
    }
}

/// One dossier's share of an [`EventStore::append_streams`] call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamBatch {
    /// The dossier.
    pub dossier_id: DossierId,
    /// The version the stream must be at.
    pub expected: ExpectedVersion,
    /// The events, numbered from the stream's version + 1.
    pub events: Vec<Event>,
}

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// A store of dossier event streams, shared between threads (`&self` methods, `Send + Sync`).
///
/// Rules every implementation keeps (checked by [`crate::conformance`]):
///
/// - A batch's events all belong to its dossier and are numbered `stream_version + 1, + 2, …`;
///   otherwise [`StoreError::WrongDossier`] or [`StoreError::OutOfSequence`].
/// - The expected version is checked; a mismatch is [`StoreError::Conflict`].
/// - Appends are idempotent by event id: a batch whose events are all stored already with
///   identical content returns their original positions and adds nothing. Reusing a stored id
///   with different content, or mixing stored and new ids, is [`StoreError::DuplicateEventId`].
/// - An empty batch is a no-op returning the stream's current version (no positions, and no
///   check of the expected version).
/// - Appends are atomic, and [`EventStore::append_streams`] is atomic across all its batches:
///   on error nothing is stored. Its batches are applied in order, as if one after another.
/// - Positions are global, 1-based, gapless and in commit order; each stream's events appear
///   in the global order in sequence order.
///
/// Stores check these stream mechanics only, not the dossier rules.
pub trait EventStore: Send + Sync {
    /// Appends events to one dossier's stream, atomically: one batch through
    /// [`EventStore::append_streams`].
    fn append(
        &self,
        dossier: &DossierId,
        expected: ExpectedVersion,
        events: &[Event],
    ) -> StoreResult<Appended> {
        let batch = StreamBatch {
            dossier_id: dossier.clone(),
            expected,
            events: events.to_vec(),
        };
        self.append_streams(std::slice::from_ref(&batch))?
            .pop()
            .ok_or_else(|| StoreError::Backend("append produced no result".into()))
    }

    /// Appends to several streams atomically: all batches or none. One result per batch.
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>>;

    /// A dossier's events in sequence order; empty for an unknown dossier.
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>>;

    /// At most `limit` events with positions above `from_position`, in ascending order.
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>>;

    /// The position of the last event stored; 0 when empty.
    fn last_position(&self) -> StoreResult<u64>;

    /// The dossier's version (its last sequence number); 0 if it has no events.
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64>;

    /// Every dossier with at least one event, sorted.
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>>;

    /// Begins an [`ImportSession`]: one all-or-nothing append fed in chunks, for bulk imports
    /// that should not hold everything in memory. The default stages the events in memory
    /// and appends them with one [`EventStore::append_streams`] at commit ([`StagedImport`]);
    /// durable stores open a transaction instead.
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        Ok(Box::new(StagedImport::new(self)?))
    }
}

impl<S: EventStore + ?Sized> EventStore for &S {
    fn append(&self, d: &DossierId, e: ExpectedVersion, events: &[Event]) -> StoreResult<Appended> {
        (**self).append(d, e, events)
    }
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        (**self).append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        (**self).read_stream(dossier)
    }
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        (**self).read_all(from_position, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        (**self).last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        (**self).stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        (**self).dossier_ids()
    }
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        (**self).begin_import()
    }
}

impl<S: EventStore + ?Sized> EventStore for std::sync::Arc<S> {
    fn append(&self, d: &DossierId, e: ExpectedVersion, events: &[Event]) -> StoreResult<Appended> {
        (**self).append(d, e, events)
    }
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        (**self).append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        (**self).read_stream(dossier)
    }
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        (**self).read_all(from_position, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        (**self).last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        (**self).stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        (**self).dossier_ids()
    }
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        (**self).begin_import()
    }
}
