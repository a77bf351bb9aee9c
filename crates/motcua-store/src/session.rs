//! Import sessions: one all-or-nothing append fed in chunks, so a bulk import need not hold
//! its whole input in memory.

use crate::batch::{plan_batch, BatchPlan};
use crate::error::StoreError;
use crate::store::{Appended, EventStore, StoreResult, StoredEvent, StreamBatch};
use motcua_core::{Catalogue, DossierId, Event};
use std::collections::HashMap;
use uuid::Uuid;

/// A dossier's events as an [`ImportSession`] sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionStream {
    /// The stream in sequence order: what the store held when the session began, then what
    /// the session appended.
    pub events: Vec<Event>,
    /// How many of the last events the session appended (0 if it appended none).
    pub appended: usize,
}

/// One all-or-nothing append fed in chunks: begun with [`EventStore::begin_import`], fed
/// with [`ImportSession::append_streams`] as often as needed, made durable and visible by
/// [`ImportSession::commit`]. Dropping a session without committing stores nothing.
///
/// Every call keeps the rules of [`EventStore::append_streams`] (numbering, expected
/// versions, event ids), checked against the store as the session sees it: what the store held
/// when the session began plus what the session appended. A refused call keeps none of its
/// batches; the session stays open, so the caller can still look events up to explain the
/// refusal, then drop it.
///
/// How each store implements it:
///
/// - SQLite: one `BEGIN IMMEDIATE` transaction on one connection (the write lock is held from
///   `begin_import` to commit or drop; readers on other connections see the store as it was),
///   a savepoint per call.
/// - PostgreSQL: one transaction holding the head-row lock of `append_streams` from begin to
///   commit, so the global order stays gapless for followers.
/// - [`crate::InMemoryStore`] and the default of [`EventStore::begin_import`]: the events are
///   staged in memory ([`StagedImport`]) and appended with one `append_streams` at commit.
///
/// Positions returned by a session's calls are those the events get at commit, except for a
/// staging session when other writers append in between: the staged events then follow
/// theirs (the expected versions still guard each dossier).
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use motcua_store::{EventStore, ExpectedVersion, InMemoryStore, StreamBatch};
///
/// let event = |s: u64| Event {
///     event_id: uuid::Uuid::from_u128(u128::from(s)),
///     dossier_id: DossierId::new("H26-0001"),
///     sequence: s,
///     occurred_at: time::OffsetDateTime::UNIX_EPOCH,
///     recorded_at: time::OffsetDateTime::UNIX_EPOCH,
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// let store = InMemoryStore::new();
/// let mut session = store.begin_import()?;
/// for s in 1..=2 {
///     let batch = StreamBatch { dossier_id: "H26-0001".into(), expected: ExpectedVersion::at(s - 1), events: vec![event(s)] };
///     session.append_streams(&[batch])?;
/// }
/// assert_eq!(session.read_stream(&"H26-0001".into())?.appended, 2);
/// assert_eq!(store.last_position()?, 0); // nothing visible before the commit
/// assert_eq!(session.commit()?, 2);
/// drop(session);
/// assert_eq!(store.last_position()?, 2);
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
pub trait ImportSession {
    /// The store's last position when the session began: the session's events get the
    /// positions after it.
    fn base_position(&self) -> u64;

    /// Appends batches inside the session, like [`EventStore::append_streams`]: all of this
    /// call's batches or none, later batches seeing earlier ones. One result per batch.
    fn append_streams(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>>;

    /// A dossier's events as the session sees them.
    fn read_stream(&mut self, dossier: &DossierId) -> StoreResult<SessionStream>;

    /// Several dossiers' streams, in the order asked (one round trip where the store can).
    fn read_streams(&mut self, dossiers: &[DossierId]) -> StoreResult<Vec<SessionStream>> {
        dossiers.iter().map(|d| self.read_stream(d)).collect()
    }

    /// The event carrying `id`, stored before the session or appended in it, with its
    /// position; `None` if there is none.
    fn event_by_id(&mut self, id: &Uuid) -> StoreResult<Option<StoredEvent>>;

    /// Asks the session to check event ids only when asked ([`ImportSession::first_repeated_id`],
    /// [`ImportSession::event_by_id`]) and at commit, where it can do that faster; returns
    /// whether it will. Asked before the first append. Afterwards an append that repeats an id
    /// may be accepted: the commit refuses it (nothing is stored), and
    /// [`ImportSession::first_repeated_id`] names it. The other rules are checked at each call
    /// as before, but one the session may leave to the end too: a stream it appended to
    /// earlier in the session and no longer holds the version of, sent again as new (a
    /// caller checking its own streams, as the importer does, never sends one): the commit
    /// refuses it with [`StoreError::Conflict`] naming the dossier.
    ///
    /// The default, and the sessions that check ids at once anyway, answer `false`. The SQLite
    /// session answers `true` when the store held no event as it began: it drops its indexes
    /// of event ids and of (dossier, sequence) and builds them once, sorted, at commit, instead
    /// of inserting into them in the random order of the ids and of the dossiers in progress
    /// (docs/event-id-index.md).
    ///
    /// ```
    /// use motcua_store::{EventStore, InMemoryStore};
    /// let store = InMemoryStore::new();
    /// let mut session = store.begin_import()?;
    /// assert!(!session.check_ids_later()?);
    /// assert_eq!(session.first_repeated_id()?, None);
    /// # Ok::<(), motcua_store::StoreError>(())
    /// ```
    fn check_ids_later(&mut self) -> StoreResult<bool> {
        Ok(false)
    }

    /// The first event the session appended (in position order) whose id an earlier event
    /// already has, with that earlier event's position; `None` when no id is repeated. Only a
    /// session that checks ids later ([`ImportSession::check_ids_later`]) can hold one; others
    /// refuse repeated ids at the call and answer `None`.
    fn first_repeated_id(&mut self) -> StoreResult<Option<RepeatedId>> {
        Ok(None)
    }

    /// Stages `catalogue` to replace the store's catalogue in the session's commit: the
    /// catalogue and the events are stored together or not at all (a commit that fails, or a
    /// session dropped, keeps neither). Stores that keep no catalogue (the default, and
    /// [`crate::InMemoryStore`]) refuse with [`StoreError::KeepsNoCatalogue`].
    ///
    /// ```
    /// use motcua_store::{EventStore, InMemoryStore, StoreError};
    /// # let catalogue = motcua_core::Catalogue::new(vec![], vec![])?;
    /// let store = InMemoryStore::new();
    /// let mut session = store.begin_import()?;
    /// assert_eq!(session.stage_catalogue(&catalogue), Err(StoreError::KeepsNoCatalogue));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn stage_catalogue(&mut self, catalogue: &Catalogue) -> StoreResult<()> {
        let _ = catalogue;
        Err(StoreError::KeepsNoCatalogue)
    }

    /// Stores every event the session appended, atomically; returns the store's last
    /// position afterwards. On error nothing is stored. Called once: afterwards the session
    /// takes no more appends (its reads still answer, to explain a refused commit), and is
    /// dropped.
    fn commit(&mut self) -> StoreResult<u64>;
}

/// An event appended in an [`ImportSession`] whose id an earlier event has
/// ([`ImportSession::first_repeated_id`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepeatedId {
    /// The later event, with its position.
    pub event: StoredEvent,
    /// The position of the earliest event with the same id.
    pub first_position: u64,
}

impl RepeatedId {
    /// The refusal a commit gives for it.
    pub fn refusal(&self) -> StoreError {
        StoreError::DuplicateEventId {
            event_id: self.event.event.event_id,
            dossier: self.event.event.dossier_id.clone(),
            sequence: self.event.event.sequence,
        }
    }
}

/// Looks an event up by id among the events a store holds.
pub type StoredLookup<'s> = Box<dyn Fn(&Uuid) -> StoreResult<Option<StoredEvent>> + 's>;

/// An [`ImportSession`] that stages the events in memory and appends them all with one
/// [`EventStore::append_streams`] at commit: the default of [`EventStore::begin_import`], and
/// the session of [`crate::InMemoryStore`].
///
/// Memory: every staged event, plus an index by id. Without a `stored` lookup
/// ([`StagedImport::with_lookup`]) an id already held by the store is only found at commit.
pub struct StagedImport<'s, S: ?Sized> {
    store: &'s S,
    stored: Option<StoredLookup<'s>>,
    base: u64,
    /// The staged batches, in order.
    batches: Vec<StreamBatch>,
    /// Staged event ids: (batch, index in the batch, position). One entry per staged event
    /// (`plan_batch` stages no id twice), so its length is how many events are staged.
    by_id: HashMap<Uuid, (usize, usize, u64)>,
    /// Each touched dossier's version in the store when first touched, and its staged events
    /// as (batch, index in the batch).
    streams: HashMap<DossierId, (u64, Vec<(usize, usize)>)>,
    /// Whether `commit` was called.
    committed: bool,
}

impl<'s, S: EventStore + ?Sized> StagedImport<'s, S> {
    /// A staging session on `store`.
    pub fn new(store: &'s S) -> StoreResult<Self> {
        Ok(StagedImport {
            base: store.last_position()?,
            store,
            stored: None,
            batches: Vec::new(),
            by_id: HashMap::new(),
            streams: HashMap::new(),
            committed: false,
        })
    }

    /// A staging session that finds ids already stored with `stored`.
    pub fn with_lookup(store: &'s S, stored: StoredLookup<'s>) -> StoreResult<Self> {
        let mut session = Self::new(store)?;
        session.stored = Some(stored);
        Ok(session)
    }

    fn event(&self, batch: usize, index: usize) -> Option<&Event> {
        self.batches.get(batch)?.events.get(index)
    }

    fn lookup(&self, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        if let Some(&(batch, index, position)) = self.by_id.get(id) {
            if let Some(event) = self.event(batch, index) {
                return Ok(Some(StoredEvent {
                    position,
                    event: event.clone(),
                }));
            }
        }
        match &self.stored {
            Some(stored) => stored(id),
            None => Ok(None),
        }
    }

    fn version(&mut self, dossier: &DossierId) -> StoreResult<u64> {
        if let Some((stored, staged)) = self.streams.get(dossier) {
            return Ok(stored + staged.len() as u64);
        }
        let stored = self.store.stream_version(dossier)?;
        self.streams.insert(dossier.clone(), (stored, Vec::new()));
        Ok(stored)
    }

    /// Undoes the staging of the batches from `from` on.
    fn truncate(&mut self, from: usize) {
        for batch in self.batches.drain(from..) {
            for event in &batch.events {
                self.by_id.remove(&event.event_id);
            }
            if let Some((_, staged)) = self.streams.get_mut(&batch.dossier_id) {
                staged.truncate(staged.len().saturating_sub(batch.events.len()));
            }
        }
    }

    fn append_all(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            let current = self.version(&batch.dossier_id)?;
            let plan = plan_batch(
                &batch.dossier_id,
                batch.expected,
                &batch.events,
                current,
                |id| self.lookup(id),
            )?;
            match plan {
                BatchPlan::Done(appended) => results.push(appended),
                BatchPlan::Append => {
                    let first = self.base + 1 + self.by_id.len() as u64;
                    let index = self.batches.len();
                    let staged = self
                        .streams
                        .get_mut(&batch.dossier_id)
                        .map(|(_, staged)| staged);
                    let mut staged = staged;
                    for (i, event) in batch.events.iter().enumerate() {
                        self.by_id
                            .insert(event.event_id, (index, i, first + i as u64));
                        if let Some(staged) = staged.as_deref_mut() {
                            staged.push((index, i));
                        }
                    }
                    self.batches.push(batch.clone());
                    results.push(Appended {
                        first_position: first,
                        last_position: first + batch.events.len() as u64 - 1,
                        stream_version: current + batch.events.len() as u64,
                    });
                }
            }
        }
        Ok(results)
    }
}

impl<S: EventStore + ?Sized> ImportSession for StagedImport<'_, S> {
    fn base_position(&self) -> u64 {
        self.base
    }

    fn append_streams(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        if self.committed {
            return Err(committed());
        }
        let from = self.batches.len();
        let results = self.append_all(batches);
        if results.is_err() {
            self.truncate(from);
        }
        results
    }

    fn read_stream(&mut self, dossier: &DossierId) -> StoreResult<SessionStream> {
        let mut events = self.store.read_stream(dossier)?;
        let staged = self.streams.get(dossier).map_or(&[][..], |(_, s)| s);
        events.extend(
            staged
                .iter()
                .filter_map(|&(b, i)| self.event(b, i).cloned()),
        );
        Ok(SessionStream {
            events,
            appended: staged.len(),
        })
    }

    fn event_by_id(&mut self, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        self.lookup(id)
    }

    fn commit(&mut self) -> StoreResult<u64> {
        if self.committed {
            return Err(committed());
        }
        self.committed = true;
        if !self.batches.is_empty() {
            self.store.append_streams(&self.batches)?;
        }
        self.store.last_position()
    }
}

/// What every store's [`ImportSession`] says (after naming the store, where it has a name)
/// when asked to append or commit again after its commit.
pub const SESSION_COMMITTED: &str = "the import session was already committed";

/// The error for appending to, or committing, a session already committed.
pub(crate) fn committed() -> StoreError {
    StoreError::Backend(SESSION_COMMITTED.into())
}
