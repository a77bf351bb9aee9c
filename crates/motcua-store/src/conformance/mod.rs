//! The conformance suite: every [`EventStore`] must pass it. It uses only the trait, so a
//! durable store runs the same checks as [`crate::InMemoryStore`].
//!
//! Each check takes a fresh, empty store and panics (as tests do) with a message naming the
//! broken rule. [`run_all`] runs them all, each on a new store from `make`.
//!
//! ```
//! motcua_store::conformance::run_all(motcua_store::InMemoryStore::new);
//! ```

mod checkpoints;
mod concurrency;
pub mod crash;
mod desk;
mod fixtures;
mod open_dossiers;
mod racing;
mod scan;
mod session;
mod standings;

pub use checkpoints::{checkpoints_save_and_load, projections_resume_to_the_rebuild};
pub use concurrency::concurrent_appends_keep_every_stream_consistent;
pub use desk::{
    desk_concurrent_resends_store_once, desk_concurrent_writers_lose_nothing,
    desk_gives_up_after_its_retries, desk_records_a_whole_dossier_life,
    desk_refusals_change_nothing, desk_resends_return_the_first_result,
    desk_retries_after_a_concurrent_append,
};
pub use open_dossiers::open_dossiers_match_a_rebuild;
pub use racing::{
    racing_maintainers_end_at_the_log_end, racing_standings_maintainers_end_at_the_log_end,
};
pub use scan::scans_cover_every_dossier_once;
pub use session::{
    a_staged_catalogue_commits_with_the_events, import_sessions_are_all_or_nothing,
    import_sessions_keep_the_append_rules, import_sessions_read_the_store_and_themselves,
    staged_catalogues_become_records,
};
pub use standings::{
    a_change_after_the_position_stops_a_catch_up_that_read_it, a_change_during_a_rebuild_stops_it,
    standings_are_built_then_followed, standings_current,
};

use crate::checkpoint::CheckpointStore;
use crate::error::StoreError;
use crate::store::{Appended, EventStore, ExpectedVersion, StreamBatch};
use fixtures::{event, events, ok, snapshot};
use motcua_core::DossierId;

/// A named check.
pub type Check<S> = (&'static str, fn(&S));

/// Every check, with its name.
pub fn checks<S: EventStore + CheckpointStore>() -> Vec<Check<S>> {
    vec![
        ("empty_store_is_empty", empty_store_is_empty::<S>),
        ("appended_events_read_back", appended_events_read_back::<S>),
        (
            "expected_version_is_checked",
            expected_version_is_checked::<S>,
        ),
        (
            "numbering_must_continue_the_stream",
            numbering_must_continue_the_stream::<S>,
        ),
        (
            "events_must_belong_to_the_batch_dossier",
            events_must_belong_to_the_batch_dossier::<S>,
        ),
        ("empty_batch_is_a_no_op", empty_batch_is_a_no_op::<S>),
        (
            "resending_stored_events_is_idempotent",
            resending_stored_events_is_idempotent::<S>,
        ),
        (
            "reused_event_ids_are_refused",
            reused_event_ids_are_refused::<S>,
        ),
        (
            "append_streams_is_all_or_nothing",
            append_streams_is_all_or_nothing::<S>,
        ),
        (
            "read_all_pages_in_commit_order",
            read_all_pages_in_commit_order::<S>,
        ),
        ("dossier_ids_are_sorted", dossier_ids_are_sorted::<S>),
        (
            "concurrent_appends_keep_every_stream_consistent",
            concurrent_appends_keep_every_stream_consistent::<S>,
        ),
        (
            "import_sessions_are_all_or_nothing",
            import_sessions_are_all_or_nothing::<S>,
        ),
        (
            "import_sessions_keep_the_append_rules",
            import_sessions_keep_the_append_rules::<S>,
        ),
        (
            "import_sessions_read_the_store_and_themselves",
            import_sessions_read_the_store_and_themselves::<S>,
        ),
        (
            "desk_records_a_whole_dossier_life",
            desk_records_a_whole_dossier_life::<S>,
        ),
        (
            "desk_retries_after_a_concurrent_append",
            desk_retries_after_a_concurrent_append::<S>,
        ),
        (
            "desk_resends_return_the_first_result",
            desk_resends_return_the_first_result::<S>,
        ),
        (
            "desk_refusals_change_nothing",
            desk_refusals_change_nothing::<S>,
        ),
        (
            "desk_gives_up_after_its_retries",
            desk_gives_up_after_its_retries::<S>,
        ),
        (
            "desk_concurrent_resends_store_once",
            desk_concurrent_resends_store_once::<S>,
        ),
        (
            "desk_concurrent_writers_lose_nothing",
            desk_concurrent_writers_lose_nothing::<S>,
        ),
        ("checkpoints_save_and_load", checkpoints_save_and_load::<S>),
        (
            "projections_resume_to_the_rebuild",
            projections_resume_to_the_rebuild::<S>,
        ),
    ]
}

/// Runs every check, each on a fresh store.
pub fn run_all<S: EventStore + CheckpointStore>(make: impl Fn() -> S) {
    for (_name, check) in checks::<S>() {
        check(&make());
    }
}

fn d(id: &str) -> DossierId {
    DossierId::new(id)
}

/// Asserts that `result` is the error `matches` accepts and that the store did not change.
fn refused<S: EventStore, T: std::fmt::Debug>(
    store: &S,
    op: impl FnOnce(&S) -> Result<T, StoreError>,
    matches: impl FnOnce(&StoreError) -> bool,
    rule: &str,
) {
    let before = snapshot(store);
    match op(store) {
        Err(e) if matches(&e) => {}
        other => panic!("{rule}: expected a refusal, got {other:?}"),
    }
    assert_eq!(
        snapshot(store),
        before,
        "{rule}: a refused append changed the store"
    );
}

/// A new store has no events, no dossiers, position 0 and version 0 everywhere.
pub fn empty_store_is_empty<S: EventStore>(store: &S) {
    assert_eq!(ok(store.last_position()), 0);
    assert!(ok(store.read_all(0, 10)).is_empty());
    assert!(ok(store.dossier_ids()).is_empty());
    assert_eq!(ok(store.stream_version(&d("X"))), 0);
    assert!(ok(store.read_stream(&d("X"))).is_empty());
}

/// Appends return positions and versions; streams and the global log read back in order.
pub fn appended_events_read_back<S: EventStore>(store: &S) {
    let a = events("A", 1, 3, 100);
    let b = events("B", 1, 2, 200);
    let first = ok(store.append(&d("A"), ExpectedVersion::NoStream, &a));
    assert_eq!(
        first,
        Appended {
            first_position: 1,
            last_position: 3,
            stream_version: 3
        }
    );
    let second = ok(store.append(&d("B"), ExpectedVersion::Any, &b));
    assert_eq!(
        second,
        Appended {
            first_position: 4,
            last_position: 5,
            stream_version: 2
        }
    );
    let more = events("A", 4, 4, 100);
    let third = ok(store.append(&d("A"), ExpectedVersion::Exactly(3), &more));
    assert_eq!(
        third,
        Appended {
            first_position: 6,
            last_position: 6,
            stream_version: 4
        }
    );
    let mut whole_a = a.clone();
    whole_a.extend(more);
    assert_eq!(ok(store.read_stream(&d("A"))), whole_a);
    assert_eq!(ok(store.read_stream(&d("B"))), b);
    assert_eq!(ok(store.stream_version(&d("A"))), 4);
    assert_eq!(ok(store.last_position()), 6);
    let all = ok(store.read_all(0, 100));
    let order: Vec<(u64, String, u64)> = all
        .iter()
        .map(|s| (s.position, s.event.dossier_id.to_string(), s.event.sequence))
        .collect();
    let expected: Vec<(u64, String, u64)> =
        [("A", 1), ("A", 2), ("A", 3), ("B", 1), ("B", 2), ("A", 4)]
            .iter()
            .zip(1..)
            .map(|((dossier, seq), pos)| (pos, (*dossier).to_owned(), *seq))
            .collect();
    assert_eq!(order, expected);
}

/// `NoStream`, `Exactly` and `Any` are enforced; a conflict names the actual version.
pub fn expected_version_is_checked<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::Exactly(0), &events("A", 1, 2, 0)));
    let conflict = |expected, actual| {
        move |e: &StoreError| {
            *e == StoreError::Conflict {
                dossier: d("A"),
                expected,
                actual,
            }
        }
    };
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::NoStream, &events("A", 3, 3, 0)),
        conflict(ExpectedVersion::NoStream, 2),
        "NoStream on an existing stream",
    );
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Exactly(1), &events("A", 3, 3, 0)),
        conflict(ExpectedVersion::Exactly(1), 2),
        "a stale version",
    );
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Exactly(3), &events("A", 3, 3, 0)),
        conflict(ExpectedVersion::Exactly(3), 2),
        "a future version",
    );
    refused(
        store,
        |s| s.append(&d("N"), ExpectedVersion::Exactly(1), &events("N", 1, 1, 50)),
        |e| matches!(e, StoreError::Conflict { actual: 0, .. }),
        "Exactly on a missing stream",
    );
    ok(store.append(&d("A"), ExpectedVersion::Any, &events("A", 3, 3, 0)));
    ok(store.append(&d("A"), ExpectedVersion::Exactly(3), &events("A", 4, 4, 0)));
    assert_eq!(ok(store.stream_version(&d("A"))), 4);
}

/// A batch must continue the stream: version + 1, + 2, … with no gap, repeat or restart.
pub fn numbering_must_continue_the_stream<S: EventStore>(store: &S) {
    let out_of_sequence = |expected, found| {
        move |e: &StoreError| {
            *e == StoreError::OutOfSequence {
                dossier: d("A"),
                expected,
                found,
            }
        }
    };
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &events("A", 3, 3, 0)),
        out_of_sequence(1, 3),
        "a new stream must start at 1",
    );
    ok(store.append(&d("A"), ExpectedVersion::Any, &events("A", 1, 2, 0)));
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &events("A", 4, 5, 0)),
        out_of_sequence(3, 4),
        "a gap",
    );
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &events("A", 1, 1, 10)),
        out_of_sequence(3, 1),
        "a restart",
    );
    let gap_inside = vec![event("A", 3, 3), event("A", 5, 5)];
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Exactly(2), &gap_inside),
        out_of_sequence(4, 5),
        "a gap inside the batch",
    );
}

/// Every event of a batch must name the batch's dossier.
pub fn events_must_belong_to_the_batch_dossier<S: EventStore>(store: &S) {
    let mixed = vec![event("A", 1, 1), event("B", 2, 2)];
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &mixed),
        |e| matches!(e, StoreError::WrongDossier { dossier, found, sequence: 2, .. } if *dossier == d("A") && *found == d("B")),
        "an event of another dossier",
    );
}

/// An empty batch stores nothing and returns the current version.
pub fn empty_batch_is_a_no_op<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::Any, &events("A", 1, 2, 0)));
    let before = snapshot(store);
    let appended = ok(store.append(&d("A"), ExpectedVersion::Any, &[]));
    assert_eq!(appended.stream_version, 2);
    let appended = ok(store.append(&d("Z"), ExpectedVersion::NoStream, &[]));
    assert_eq!(appended.stream_version, 0);
    assert_eq!(ok(store.append_streams(&[])), Vec::<Appended>::new());
    assert_eq!(snapshot(store), before);
    assert!(
        !ok(store.dossier_ids()).contains(&d("Z")),
        "an empty batch created a stream"
    );
}

/// Re-sending stored events (whole batch or a stored part of it) returns their original
/// positions and adds nothing, whatever the expected version says.
pub fn resending_stored_events_is_idempotent<S: EventStore>(store: &S) {
    let batch = events("A", 1, 3, 0);
    let first = ok(store.append(&d("A"), ExpectedVersion::NoStream, &batch));
    ok(store.append(&d("B"), ExpectedVersion::NoStream, &events("B", 1, 1, 90)));
    let before = snapshot(store);
    assert_eq!(
        ok(store.append(&d("A"), ExpectedVersion::NoStream, &batch)),
        first
    );
    let part = ok(store.append(&d("A"), ExpectedVersion::Any, &batch[1..]));
    assert_eq!(
        part,
        Appended {
            first_position: 2,
            last_position: 3,
            stream_version: 3
        }
    );
    let streams = [StreamBatch {
        dossier_id: d("A"),
        expected: ExpectedVersion::NoStream,
        events: batch,
    }];
    assert_eq!(ok(store.append_streams(&streams)), vec![first]);
    assert_eq!(snapshot(store), before, "a re-send changed the store");
}

/// A stored id with different content, a batch mixing stored and new ids, an id repeated in a
/// batch, or an id reused in another dossier is refused.
pub fn reused_event_ids_are_refused<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::NoStream, &events("A", 1, 2, 0)));
    let duplicate = |id: u128, dossier: &'static str, sequence: u64| {
        move |e: &StoreError| {
            *e == StoreError::DuplicateEventId {
                event_id: uuid::Uuid::from_u128(id),
                dossier: d(dossier),
                sequence,
            }
        }
    };
    let mut changed = event("A", 2, 2);
    changed.kind = motcua_core::EventKind::Rated { satisfied: true };
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &[changed]),
        duplicate(2, "A", 2),
        "same id, different content",
    );
    let mixed = vec![event("A", 2, 2), event("A", 3, 3)];
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &mixed),
        duplicate(2, "A", 2),
        "stored and new ids mixed",
    );
    let repeated = vec![event("A", 3, 7), event("A", 4, 7)];
    refused(
        store,
        |s| s.append(&d("A"), ExpectedVersion::Any, &repeated),
        duplicate(7, "A", 4),
        "an id repeated in a batch",
    );
    refused(
        store,
        |s| s.append(&d("B"), ExpectedVersion::Any, &[event("B", 1, 1)]),
        duplicate(1, "B", 1),
        "an id reused in another dossier",
    );
}

/// One bad batch in `append_streams` stores nothing from the others.
pub fn append_streams_is_all_or_nothing<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::NoStream, &events("A", 1, 1, 0)));
    let batches = vec![
        StreamBatch {
            dossier_id: d("B"),
            expected: ExpectedVersion::NoStream,
            events: events("B", 1, 2, 10),
        },
        StreamBatch {
            dossier_id: d("C"),
            expected: ExpectedVersion::NoStream,
            events: events("C", 1, 1, 20),
        },
        StreamBatch {
            dossier_id: d("A"),
            expected: ExpectedVersion::NoStream,
            events: events("A", 2, 2, 0),
        },
    ];
    refused(
        store,
        |s| s.append_streams(&batches),
        |e| matches!(e, StoreError::Conflict { actual: 1, .. }),
        "a conflict in the last batch",
    );
    let good = &batches[..2];
    let results = ok(store.append_streams(good));
    assert_eq!(
        results,
        vec![
            Appended {
                first_position: 2,
                last_position: 3,
                stream_version: 2
            },
            Appended {
                first_position: 4,
                last_position: 4,
                stream_version: 1
            },
        ]
    );
    assert_eq!(ok(store.dossier_ids()), vec![d("A"), d("B"), d("C")]);
}

/// `read_all` returns positions above `from_position`, ascending, at most `limit`.
pub fn read_all_pages_in_commit_order<S: EventStore>(store: &S) {
    for (i, name) in ["P", "Q", "P", "R", "Q"].iter().enumerate() {
        let version = ok(store.stream_version(&d(name)));
        let id = 1000 + i as u128;
        ok(store.append(
            &d(name),
            ExpectedVersion::Exactly(version),
            &[event(name, version + 1, id)],
        ));
    }
    let mut paged = Vec::new();
    let mut from = 0;
    loop {
        let page = ok(store.read_all(from, 2));
        assert!(page.len() <= 2, "read_all returned more than the limit");
        let Some(last) = page.last() else { break };
        from = last.position;
        paged.extend(page);
    }
    assert_eq!(paged, ok(store.read_all(0, usize::MAX)));
    assert_eq!(
        paged.iter().map(|s| s.position).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(
        ok(store.read_all(3, 10)).first().map(|s| s.position),
        Some(4)
    );
    assert!(ok(store.read_all(5, 10)).is_empty());
    assert!(ok(store.read_all(1, 0)).is_empty());
}

/// `dossier_ids` lists every stream once, sorted, whatever the order of appends.
pub fn dossier_ids_are_sorted<S: EventStore>(store: &S) {
    for name in ["m", "B", "a", "Z", "b"] {
        ok(store.append(
            &d(name),
            ExpectedVersion::NoStream,
            &[event(name, 1, name.as_bytes()[0].into())],
        ));
    }
    assert_eq!(
        ok(store.dossier_ids()),
        vec![d("B"), d("Z"), d("a"), d("b"), d("m")]
    );
}
