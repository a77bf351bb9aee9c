//! The in-memory event store.

use crate::batch::{plan_batch, BatchPlan};
use crate::chain::{Link, Linker, GENESIS};
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::error::StoreError;
use crate::open_dossiers::{
    OpenChange, OpenDossier, OpenDossierTable, OpenHead, RowAlarms, Selection,
};
use crate::session::{ImportSession, StagedImport};
use crate::store::{Appended, EventStore, StoreResult, StoredEvent, StreamBatch};
use motcua_core::{DossierId, Event};
use std::collections::{BTreeMap, HashMap};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use uuid::Uuid;

/// An [`EventStore`] in memory, behind a read-write lock: many readers, one writer at a time.
///
/// ```
/// use motcua_store::{EventStore, InMemoryStore};
/// let store = InMemoryStore::new();
/// assert_eq!(store.last_position()?, 0);
/// assert!(store.dossier_ids()?.is_empty());
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
#[derive(Debug, Default)]
pub struct InMemoryStore {
    log: RwLock<Log>,
    checkpoints: RwLock<BTreeMap<String, Checkpoint>>,
    open: RwLock<OpenTable>,
}

/// The open-dossier projection: rows by dossier id (looked up by scanning: the in-memory store
/// keeps no secondary index).
#[derive(Debug, Default)]
struct OpenTable {
    head: Option<OpenHead>,
    rows: BTreeMap<DossierId, OpenDossier>,
}

/// The committed events.
#[derive(Debug, Default)]
struct Log {
    /// Every event; position `p` is at index `p - 1`.
    events: Vec<Event>,
    /// Each event's link ([`crate::chain`]), at the same index as the event.
    links: Vec<Link>,
    /// Each dossier's positions, in sequence order.
    streams: BTreeMap<DossierId, Vec<u64>>,
    /// Event id to position (looked up, never iterated).
    by_id: HashMap<Uuid, u64>,
}

impl Log {
    fn version(&self, dossier: &DossierId) -> u64 {
        self.streams.get(dossier).map_or(0, |p| p.len() as u64)
    }

    fn at(&self, position: u64) -> Option<&Event> {
        let index = usize::try_from(position.checked_sub(1)?).ok()?;
        self.events.get(index)
    }

    fn link_at(&self, position: u64) -> Option<Link> {
        let index = usize::try_from(position.checked_sub(1)?).ok()?;
        self.links.get(index).copied()
    }

    fn next_position(&self) -> u64 {
        self.events.len() as u64 + 1
    }
}

/// Events validated by an `append_streams` call, not committed yet.
#[derive(Default)]
struct Pending {
    events: Vec<Event>,
    by_id: HashMap<Uuid, u64>,
    versions: BTreeMap<DossierId, u64>,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn read(&self) -> StoreResult<RwLockReadGuard<'_, Log>> {
        self.log.read().map_err(|_| poisoned())
    }

    fn write(&self) -> StoreResult<RwLockWriteGuard<'_, Log>> {
        self.log.write().map_err(|_| poisoned())
    }

    /// The stored event carrying `id`, with its position.
    fn by_id(&self, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        let log = self.read()?;
        Ok(log.by_id.get(id).and_then(|&position| {
            log.at(position).map(|event| StoredEvent {
                position,
                event: event.clone(),
            })
        }))
    }
}

fn poisoned() -> StoreError {
    StoreError::Backend(
        "the in-memory store's lock is poisoned: a thread panicked while writing".into(),
    )
}

/// Validates every batch in order against the log plus what earlier batches add; changes
/// nothing.
fn plan_all(log: &Log, batches: &[StreamBatch]) -> StoreResult<(Pending, Vec<Appended>)> {
    let mut pending = Pending::default();
    let mut results = Vec::with_capacity(batches.len());
    let base = log.next_position();
    for batch in batches {
        let dossier = &batch.dossier_id;
        let current = pending
            .versions
            .get(dossier)
            .copied()
            .unwrap_or_else(|| log.version(dossier));
        let lookup = |id: &Uuid| {
            let position = log.by_id.get(id).or_else(|| pending.by_id.get(id)).copied();
            let event = position.and_then(|p| {
                log.at(p).or_else(|| {
                    let index = usize::try_from(p.checked_sub(base)?).ok()?;
                    pending.events.get(index)
                })
            });
            Ok(position.zip(event).map(|(position, event)| StoredEvent {
                position,
                event: event.clone(),
            }))
        };
        match plan_batch(dossier, batch.expected, &batch.events, current, lookup)? {
            BatchPlan::Done(appended) => results.push(appended),
            BatchPlan::Append => {
                let first = base + pending.events.len() as u64;
                for (i, event) in batch.events.iter().enumerate() {
                    pending.by_id.insert(event.event_id, first + i as u64);
                    pending.events.push(event.clone());
                }
                let stream_version = current + batch.events.len() as u64;
                pending.versions.insert(dossier.clone(), stream_version);
                let last_position = base + pending.events.len() as u64 - 1;
                results.push(Appended {
                    first_position: first,
                    last_position,
                    stream_version,
                });
            }
        }
    }
    Ok((pending, results))
}

fn commit(log: &mut Log, pending: Pending) {
    let mut linker = Linker::default();
    for event in pending.events {
        let position = log.next_position();
        let previous = log
            .streams
            .get(&event.dossier_id)
            .and_then(|p| p.last())
            .and_then(|&p| log.links.get(usize::try_from(p - 1).ok()?))
            .copied()
            .unwrap_or(GENESIS);
        log.links.push(linker.link(&previous, &event));
        log.by_id.insert(event.event_id, position);
        log.streams
            .entry(event.dossier_id.clone())
            .or_default()
            .push(position);
        log.events.push(event);
    }
}

impl EventStore for InMemoryStore {
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        let mut log = self.write()?;
        let (pending, results) = plan_all(&log, batches)?;
        commit(&mut log, pending);
        Ok(results)
    }

    /// Checks the stream's numbering and every link ([`crate::chain::check`]).
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        let log = self.read()?;
        let positions = log
            .streams
            .get(dossier)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut events = Vec::with_capacity(positions.len());
        let mut links = Vec::with_capacity(positions.len());
        for &p in positions {
            events.extend(log.at(p).cloned());
            links.push(log.link_at(p));
        }
        crate::chain::check(dossier, &events, &links)?;
        Ok(events)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        let log = self.read()?;
        let start = usize::try_from(from_position)
            .unwrap_or(usize::MAX)
            .min(log.events.len());
        Ok(log.events[start..]
            .iter()
            .take(limit)
            .zip(from_position.saturating_add(1)..)
            .map(|(event, position)| StoredEvent {
                position,
                event: event.clone(),
            })
            .collect())
    }

    fn last_position(&self) -> StoreResult<u64> {
        Ok(self.read()?.events.len() as u64)
    }

    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        Ok(self.read()?.version(dossier))
    }

    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        Ok(self.read()?.streams.keys().cloned().collect())
    }

    /// Stages the events (the log is not locked meanwhile) and appends them with one
    /// `append_streams` at commit; ids already stored are found as each chunk is appended.
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        let lookup = Box::new(move |id: &Uuid| self.by_id(id));
        Ok(Box::new(StagedImport::with_lookup(self, lookup)?))
    }
}

impl InMemoryStore {
    /// Every dossier's rows as kept, for [`crate::audit`].
    pub(crate) fn rows(&self) -> StoreResult<Vec<(DossierId, Vec<crate::audit::StoredRow>)>> {
        let log = self.read()?;
        Ok(log
            .streams
            .iter()
            .map(|(dossier, positions)| {
                let rows = positions
                    .iter()
                    .filter_map(|&position| {
                        let event = log.at(position)?.clone();
                        Some(crate::audit::StoredRow {
                            position,
                            sequence: event.sequence,
                            event_id: Some(event.event_id),
                            event: Ok(event),
                            link: log.link_at(position),
                        })
                    })
                    .collect();
                (dossier.clone(), rows)
            })
            .collect())
    }
}

impl crate::catalogue_records::CatalogueRecords for InMemoryStore {
    /// None: the in-memory store keeps no catalogue.
    fn catalogue_records(&self) -> StoreResult<Vec<crate::catalogue_records::CatalogueRecord>> {
        Ok(Vec::new())
    }

    fn catalogue_record_body(&self, _number: u64) -> StoreResult<Option<String>> {
        Ok(None)
    }

    fn first_position(&self, dossier: &DossierId) -> StoreResult<Option<u64>> {
        Ok(self
            .read()?
            .streams
            .get(dossier)
            .and_then(|positions| positions.first().copied()))
    }
}

impl CheckpointStore for InMemoryStore {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        let checkpoints = self.checkpoints.read().map_err(|_| poisoned())?;
        Ok(checkpoints.get(name).cloned())
    }

    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        let mut checkpoints = self.checkpoints.write().map_err(|_| poisoned())?;
        checkpoints.insert(name.to_owned(), checkpoint.clone());
        Ok(())
    }
}

impl OpenDossierTable for InMemoryStore {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        Ok(self.open.read().map_err(|_| poisoned())?.head)
    }

    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        let table = self.open.read().map_err(|_| poisoned())?;
        Ok(table
            .rows
            .values()
            .filter(|row| selection.chooses(row))
            .map(|row| OpenDossier {
                alarms: match alarms {
                    RowAlarms::Included => row.alarms.clone(),
                    RowAlarms::Omitted => Vec::new(),
                },
                // Rows are read without their standings (`open_standings` reads those).
                standing: None,
                ..row.clone()
            })
            .collect())
    }

    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: crate::open_dossiers::Page<'_>,
    ) -> StoreResult<Option<crate::open_dossiers::StandingRows>> {
        use std::ops::Bound::{Excluded, Unbounded};
        let table = self.open.read().map_err(|_| poisoned())?;
        let from = page.after.map_or(Unbounded, Excluded);
        Ok(Some(
            table
                .rows
                .range::<DossierId, _>((from, Unbounded))
                .map(|(_, row)| row)
                .filter(|row| selection.chooses(row))
                .take(page.limit)
                .map(|row| {
                    let standing = row.stored_standing();
                    (row.dossier_id.clone(), standing)
                })
                .collect(),
        ))
    }

    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        let mut table = self.open.write().map_err(|_| poisoned())?;
        change.check_position(table.head.map(|h| h.position))?;
        if change.reset {
            table.rows.clear();
        }
        for id in &change.removals {
            table.rows.remove(id);
        }
        for row in &change.upserts {
            table.rows.insert(row.dossier_id.clone(), row.clone());
        }
        table.head = change.head;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ExpectedVersion;
    use motcua_core::EventKind;

    fn event(dossier: &str, sequence: u64, id: u128) -> Event {
        Event {
            event_id: Uuid::from_u128(id),
            dossier_id: DossierId::new(dossier),
            sequence,
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            recorded_at: time::OffsetDateTime::UNIX_EPOCH,
            kind: EventKind::Rated { satisfied: false },
            metadata: Default::default(),
        }
    }

    #[test]
    fn a_poisoned_lock_is_an_error_not_a_panic() {
        let store = InMemoryStore::new();
        let _ = std::thread::scope(|s| {
            s.spawn(|| {
                let _guard = store.log.write();
                panic!("poison the lock");
            })
            .join()
        });
        assert!(matches!(store.last_position(), Err(StoreError::Backend(_))));
        assert!(matches!(
            store.append(&"D".into(), ExpectedVersion::Any, &[]),
            Err(StoreError::Backend(_))
        ));
    }

    #[test]
    fn batches_in_one_call_see_each_other() {
        let store = InMemoryStore::new();
        let batches = [
            StreamBatch {
                dossier_id: "D".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![event("D", 1, 1)],
            },
            StreamBatch {
                dossier_id: "D".into(),
                expected: ExpectedVersion::Exactly(1),
                events: vec![event("D", 2, 2)],
            },
        ];
        let results = store.append_streams(&batches);
        assert_eq!(
            results.map(|r| r.iter().map(|a| a.last_position).collect::<Vec<_>>()),
            Ok(vec![1, 2])
        );
        assert_eq!(store.stream_version(&"D".into()), Ok(2));
    }

    #[test]
    fn read_all_beyond_the_end_is_empty() {
        let store = InMemoryStore::new();
        assert!(store
            .append(&"D".into(), ExpectedVersion::Any, &[event("D", 1, 1)])
            .is_ok());
        assert_eq!(store.read_all(u64::MAX, 10).map(|v| v.len()), Ok(0));
        assert_eq!(store.read_all(0, 0).map(|v| v.len()), Ok(0));
    }
}
