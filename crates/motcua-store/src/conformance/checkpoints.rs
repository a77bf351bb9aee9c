//! Checkpoints and projections over a store.

use super::fixtures::{events, ok};
use crate::checkpoint::{Checkpoint, CheckpointStore};
use crate::projection::{rebuild, DossierSummaries, Projection, ProjectionRunner};
use crate::store::{EventStore, ExpectedVersion};
use motcua_core::DossierId;

/// Checkpoints start absent, save and load whole, replace each other, and are kept apart by
/// name; the event log is untouched.
pub fn checkpoints_save_and_load<S: EventStore + CheckpointStore>(store: &S) {
    assert_eq!(ok(store.load_checkpoint("a")), None);
    let first = Checkpoint {
        position: 3,
        state: b"first".to_vec(),
    };
    ok(store.save_checkpoint("a", &first));
    assert_eq!(ok(store.load_checkpoint("a")), Some(first));
    let second = Checkpoint {
        position: 9,
        state: vec![0, 255, 7],
    };
    ok(store.save_checkpoint("a", &second));
    ok(store.save_checkpoint("b", &Checkpoint::default()));
    assert_eq!(ok(store.load_checkpoint("a")), Some(second));
    assert_eq!(ok(store.load_checkpoint("b")), Some(Checkpoint::default()));
    assert_eq!(ok(store.last_position()), 0, "a checkpoint added events");
}

fn fill<S: EventStore>(store: &S) {
    for round in 0..5u64 {
        for (i, name) in ["P-1", "P-2", "P-3", "P-4"].iter().enumerate() {
            let first = round * 3 + 1;
            let base = (i as u128 + 1) * 10_000;
            let expected = ExpectedVersion::at(first - 1);
            ok(store.append(
                &DossierId::new(*name),
                expected,
                &events(name, first, first + 2, base),
            ));
        }
    }
}

fn resume<S: EventStore + CheckpointStore>(store: &S) -> ProjectionRunner<'_, S, DossierSummaries> {
    match ProjectionRunner::resume(store, "sums") {
        Ok(r) => r.with_page_size(7),
        Err(e) => panic!("resume failed: {e}"),
    }
}

/// A runner stopped after a partial catch-up, and one whose checkpoint save was lost (state
/// applied in memory, then a crash), resume to the same bytes as a full rebuild.
pub fn projections_resume_to_the_rebuild<S: EventStore + CheckpointStore>(store: &S) {
    fill(store);
    let total = ok(store.last_position());
    // Two pages, then "crash" (drop without finishing).
    let mut runner = resume(store);
    for _ in 0..2 {
        assert_eq!(runner.step().ok(), Some(7));
    }
    drop(runner);
    let saved = ok(store.load_checkpoint("sums")).map(|c| c.position);
    assert_eq!(saved, Some(14), "the checkpoint lags the pages applied");
    // Resume, apply a page, then lose the in-memory state before saving: rewind the
    // checkpoint to what it was, as if the save had never happened.
    let before = ok(store.load_checkpoint("sums"));
    let mut runner = resume(store);
    assert_eq!(runner.step().ok(), Some(7));
    drop(runner);
    if let Some(before) = before {
        ok(store.save_checkpoint("sums", &before));
    }
    let mut runner = resume(store);
    let applied = match runner.catch_up() {
        Ok(n) => n,
        Err(e) => panic!("catch-up failed: {e}"),
    };
    assert_eq!(applied, total - 14);
    assert_eq!(runner.position(), total);
    let rebuilt: DossierSummaries = match rebuild(store) {
        Ok(p) => p,
        Err(e) => panic!("rebuild failed: {e}"),
    };
    assert_eq!(rebuilt.events, total);
    assert_eq!(
        runner.projection().encode(),
        rebuilt.encode(),
        "a resumed projection differs from a rebuild"
    );
    let reloaded = resume(store);
    assert_eq!(reloaded.projection().encode(), rebuilt.encode());
}
