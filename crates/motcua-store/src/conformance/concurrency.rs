//! Many threads appending to overlapping streams with expected versions.

use super::fixtures::{event, ok};
use crate::error::StoreError;
use crate::store::{EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{DossierId, Event};
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

const THREADS: u128 = 8;
const ATTEMPTS: u128 = 40;
const STREAMS: [&str; 3] = ["C-0", "C-1", "C-2"];

/// The outcome of one attempt: the events it tried to append, and whether they were stored.
struct Attempt {
    events: Vec<Event>,
    stored: bool,
}

fn attempt<S: EventStore>(store: &S, thread: u128, n: u128) -> Attempt {
    let id = |k: u128| (thread << 64) | (n << 8) | k;
    let first = STREAMS[((thread + n) % 3) as usize];
    let second = STREAMS[((thread + n + 1) % 3) as usize];
    let batch = |dossier: &str, k: u128| {
        let version = ok(store.stream_version(&DossierId::new(dossier)));
        StreamBatch {
            dossier_id: DossierId::new(dossier),
            expected: ExpectedVersion::Exactly(version),
            events: vec![event(dossier, version + 1, id(k))],
        }
    };
    let (events, result) = if n.is_multiple_of(4) {
        let batches = [batch(first, 1), batch(second, 2)];
        let events = batches.iter().flat_map(|b| b.events.clone()).collect();
        (events, store.append_streams(&batches).map(|_| ()))
    } else {
        let b = batch(first, 1);
        (
            b.events.clone(),
            store
                .append(&b.dossier_id, b.expected, &b.events)
                .map(|_| ()),
        )
    };
    match result {
        Ok(()) => Attempt {
            events,
            stored: true,
        },
        Err(StoreError::Conflict {
            actual, expected, ..
        }) => {
            assert!(
                !expected.matches(actual),
                "a conflict must report a version that differs"
            );
            Attempt {
                events,
                stored: false,
            }
        }
        Err(other) => panic!(
            "an append with expected versions failed with {other}; expected success or a conflict"
        ),
    }
}

/// 8 threads append to 3 overlapping streams, each append with the version it just read,
/// some of them to two streams at once. Checks: every attempt either stored all its events or
/// reported a conflict and stored none; nothing is lost or duplicated; positions are 1..=N
/// without gaps; each stream is numbered 1..=n and appears in the global order in sequence
/// order.
pub fn concurrent_appends_keep_every_stream_consistent<S: EventStore>(store: &S) {
    let attempts: Vec<Attempt> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                scope.spawn(move || {
                    (0..ATTEMPTS)
                        .map(|n| attempt(store, t, n))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    assert_eq!(attempts.len() as u128, THREADS * ATTEMPTS);
    let expected_ids: BTreeSet<Uuid> = attempts
        .iter()
        .filter(|a| a.stored)
        .flat_map(|a| a.events.iter().map(|e| e.event_id))
        .collect();
    let refused_ids: BTreeSet<Uuid> = attempts
        .iter()
        .filter(|a| !a.stored)
        .flat_map(|a| a.events.iter().map(|e| e.event_id))
        .collect();
    assert!(!expected_ids.is_empty(), "no append succeeded");

    let all = ok(store.read_all(0, usize::MAX));
    let stored_ids: Vec<Uuid> = all.iter().map(|s| s.event.event_id).collect();
    let stored_set: BTreeSet<Uuid> = stored_ids.iter().copied().collect();
    assert_eq!(
        stored_set.len(),
        stored_ids.len(),
        "an event was stored twice"
    );
    assert_eq!(
        stored_set, expected_ids,
        "stored events differ from the successful appends"
    );
    assert!(
        stored_set.is_disjoint(&refused_ids),
        "an event of a conflicting append was stored"
    );
    let positions: Vec<u64> = all.iter().map(|s| s.position).collect();
    assert_eq!(
        positions,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "positions have gaps"
    );
    assert_eq!(ok(store.last_position()), all.len() as u64);

    let mut by_stream: BTreeMap<DossierId, Vec<&Event>> = BTreeMap::new();
    for stored in &all {
        by_stream
            .entry(stored.event.dossier_id.clone())
            .or_default()
            .push(&stored.event);
    }
    for (dossier, global_order) in by_stream {
        let stream = ok(store.read_stream(&dossier));
        let sequences: Vec<u64> = stream.iter().map(|e| e.sequence).collect();
        assert_eq!(
            sequences,
            (1..=stream.len() as u64).collect::<Vec<_>>(),
            "dossier {dossier}"
        );
        assert_eq!(
            global_order.into_iter().cloned().collect::<Vec<_>>(),
            stream,
            "dossier {dossier}"
        );
        assert_eq!(ok(store.stream_version(&dossier)), stream.len() as u64);
    }
}
