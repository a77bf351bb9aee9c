//! The projection runner when a checkpoint save fails (a crash between applying and saving):
//! the runner refuses to go on, and a resumed runner ends byte-identical to a rebuild.

use motcua_core::{DossierId, Event, EventKind};
use motcua_store::projection::{
    rebuild, DossierSummaries, Projection, ProjectionError, ProjectionRunner,
};
use motcua_store::{
    Checkpoint, CheckpointStore, EventStore, ExpectedVersion, InMemoryStore, StoreError,
    StoreResult,
};
use std::sync::atomic::{AtomicBool, Ordering};

/// An in-memory store whose next checkpoint save fails when `fail` is set.
#[derive(Default)]
struct Flaky {
    inner: InMemoryStore,
    fail: AtomicBool,
}

impl CheckpointStore for Flaky {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        self.inner.load_checkpoint(name)
    }
    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        if self.fail.swap(false, Ordering::SeqCst) {
            return Err(StoreError::Backend("disk full".into()));
        }
        self.inner.save_checkpoint(name, checkpoint)
    }
}

fn event(dossier: &str, sequence: u64, id: u128) -> Event {
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::hours(sequence as i64);
    Event {
        event_id: uuid::Uuid::from_u128(id),
        dossier_id: DossierId::new(dossier),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind: if sequence == 1 {
            EventKind::Received {
                procedure: "1.001193".into(),
                unit: "XA01".into(),
                channel: motcua_core::Channel::Online,
            }
        } else {
            EventKind::FeedbackFiled {
                summary: format!("note {sequence}"),
            }
        },
        metadata: Default::default(),
    }
}

#[test]
fn a_failed_save_stops_the_runner_and_a_resume_matches_the_rebuild() {
    let store = Flaky::default();
    for d in 0..10u128 {
        let name = format!("D-{d}");
        let events: Vec<Event> = (1..=5)
            .map(|s| event(&name, s, d * 100 + u128::from(s)))
            .collect();
        let appended =
            store
                .inner
                .append(&DossierId::new(name), ExpectedVersion::NoStream, &events);
        assert!(appended.is_ok());
    }
    let resume = || match ProjectionRunner::<_, DossierSummaries>::resume(&store, "s") {
        Ok(r) => r.with_page_size(8),
        Err(e) => panic!("{e}"),
    };
    let mut runner = resume();
    assert_eq!(runner.step().ok(), Some(8));
    store.fail.store(true, Ordering::SeqCst);
    assert!(matches!(runner.step(), Err(ProjectionError::Store { .. })));
    assert!(matches!(runner.step(), Err(ProjectionError::Stale { .. })));
    drop(runner);
    let mut runner = resume();
    assert_eq!(runner.position(), 8);
    assert_eq!(runner.catch_up().ok(), Some(42));
    let rebuilt: DossierSummaries = match rebuild(&store.inner) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(runner.projection().encode(), rebuilt.encode());
    assert_eq!(rebuilt.events, 50);
    assert_eq!(rebuilt.events_by_type.get("feedback_filed"), Some(&40));
}

#[test]
fn a_damaged_checkpoint_is_a_clear_error() {
    let store = Flaky::default();
    let damaged = Checkpoint {
        position: 7,
        state: b"not json".to_vec(),
    };
    assert!(store.save_checkpoint("s", &damaged).is_ok());
    let err = ProjectionRunner::<_, DossierSummaries>::resume(&store, "s").err();
    assert!(
        matches!(&err, Some(ProjectionError::Corrupt { position: 7, .. })),
        "{err:?}"
    );
}

impl EventStore for Flaky {
    fn append(
        &self,
        d: &DossierId,
        e: ExpectedVersion,
        events: &[Event],
    ) -> StoreResult<motcua_store::Appended> {
        self.inner.append(d, e, events)
    }
    fn append_streams(
        &self,
        batches: &[motcua_store::StreamBatch],
    ) -> StoreResult<Vec<motcua_store::Appended>> {
        self.inner.append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        self.inner.read_stream(dossier)
    }
    fn read_all(&self, from: u64, limit: usize) -> StoreResult<Vec<motcua_store::StoredEvent>> {
        self.inner.read_all(from, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        self.inner.last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        self.inner.stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        self.inner.dossier_ids()
    }
}
