//! Events and snapshots for the conformance tests.

use crate::store::{EventStore, StoredEvent};
use motcua_core::{DossierId, Event, EventKind};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// An event for the store tests: the store checks no dossier rules, so the kind is arbitrary.
pub(crate) fn event(dossier: &str, sequence: u64, id: u128) -> Event {
    let at = OffsetDateTime::UNIX_EPOCH + Duration::minutes(i64::try_from(sequence).unwrap_or(0));
    Event {
        event_id: Uuid::from_u128(id),
        dossier_id: DossierId::new(dossier),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind: EventKind::SupplementRequested {
            reason: format!("round {sequence}"),
        },
        metadata: Default::default(),
    }
}

/// Events `first..=last` of a dossier, with ids `id_base + sequence`.
pub(crate) fn events(dossier: &str, first: u64, last: u64, id_base: u128) -> Vec<Event> {
    (first..=last)
        .map(|s| event(dossier, s, id_base + u128::from(s)))
        .collect()
}

/// Everything a store holds, to compare before and after a refused operation.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Snapshot {
    last_position: u64,
    all: Vec<StoredEvent>,
    dossiers: Vec<DossierId>,
}

pub(crate) fn snapshot<S: EventStore>(store: &S) -> Snapshot {
    Snapshot {
        last_position: ok(store.last_position()),
        all: ok(store.read_all(0, usize::MAX)),
        dossiers: ok(store.dossier_ids()),
    }
}

/// Unwraps a store result, failing the conformance test with the store's message.
pub(crate) fn ok<T>(result: Result<T, crate::StoreError>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("store operation failed unexpectedly: {e}"),
    }
}
