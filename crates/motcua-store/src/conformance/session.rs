//! Checks of [`EventStore::begin_import`]'s sessions: all or nothing, the append rules inside
//! the session, and reads that see the store plus the session.
//!
//! Nothing here reads the store itself while a session is open (an in-memory SQLite store has
//! one connection, which the session holds).

use super::fixtures::{event, events, ok, snapshot};
use crate::catalogue_records::{check_records, in_force_at, sha256_hex, CatalogueRecords};
use crate::error::StoreError;
use crate::store::{Appended, EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{Catalogue, DossierId, Level, Unit, UnitId};
use uuid::Uuid;

fn d(id: &str) -> DossierId {
    DossierId::new(id)
}

/// A catalogue of one unit, `unit`.
fn unit_catalogue(unit: &str) -> Catalogue {
    let unit = Unit {
        id: UnitId::new(unit),
        name: format!("Đơn vị {unit}"),
        level: Level::Commune,
        parent: None,
    };
    Catalogue::new(vec![unit], vec![]).unwrap_or_else(|e| panic!("{e}"))
}

fn batch(dossier: &str, expected: u64, first: u64, last: u64, id_base: u128) -> StreamBatch {
    StreamBatch {
        dossier_id: d(dossier),
        expected: ExpectedVersion::at(expected),
        events: events(dossier, first, last, id_base),
    }
}

/// A session's appends are invisible until committed, gone if it is dropped, and stored
/// whole, at the positions the session gave, when it commits.
pub fn import_sessions_are_all_or_nothing<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::NoStream, &events("A", 1, 2, 0)));
    let before = snapshot(store);
    let chunks = [
        vec![batch("B", 0, 1, 2, 100), batch("A", 2, 3, 3, 0)],
        vec![batch("C", 0, 1, 1, 200), batch("B", 2, 3, 3, 100)],
    ];
    let expected = vec![
        vec![
            Appended {
                first_position: 3,
                last_position: 4,
                stream_version: 2,
            },
            Appended {
                first_position: 5,
                last_position: 5,
                stream_version: 3,
            },
        ],
        vec![
            Appended {
                first_position: 6,
                last_position: 6,
                stream_version: 1,
            },
            Appended {
                first_position: 7,
                last_position: 7,
                stream_version: 3,
            },
        ],
    ];
    {
        let mut session = ok(store.begin_import());
        assert_eq!(session.base_position(), 2);
        for (chunk, expected) in chunks.iter().zip(&expected) {
            assert_eq!(&ok(session.append_streams(chunk)), expected);
        }
        // Dropped without a commit.
    }
    assert_eq!(
        snapshot(store),
        before,
        "a dropped import session stored something"
    );
    let mut session = ok(store.begin_import());
    for (chunk, expected) in chunks.iter().zip(&expected) {
        assert_eq!(&ok(session.append_streams(chunk)), expected);
    }
    assert_eq!(ok(session.commit()), 7);
    assert!(
        session.append_streams(&chunks[0]).is_err(),
        "a committed session took more events"
    );
    drop(session);
    assert_eq!(ok(store.last_position()), 7);
    let all = ok(store.read_all(0, usize::MAX));
    let order: Vec<(String, u64)> = all
        .iter()
        .map(|s| (s.event.dossier_id.to_string(), s.event.sequence))
        .collect();
    let expected_order = [
        ("A", 1),
        ("A", 2),
        ("B", 1),
        ("B", 2),
        ("A", 3),
        ("C", 1),
        ("B", 3),
    ];
    assert_eq!(
        order,
        expected_order
            .iter()
            .map(|(d, s)| (d.to_string(), *s))
            .collect::<Vec<_>>()
    );
    assert_eq!(ok(store.read_stream(&d("B"))), events("B", 1, 3, 100));
}

/// A rule, a call breaking it, and the error expected.
type Refusal = (&'static str, Vec<StreamBatch>, fn(&StoreError) -> bool);

/// Inside a session the rules of `append_streams` hold against the store plus the session;
/// a refused call keeps nothing of itself and the session goes on.
pub fn import_sessions_keep_the_append_rules<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::NoStream, &events("A", 1, 2, 0)));
    let mut session = ok(store.begin_import());
    ok(session.append_streams(&[batch("B", 0, 1, 1, 100)]));
    let refusals: Vec<Refusal> = vec![
        (
            "a stream the store holds, expected new",
            vec![batch("C", 0, 1, 1, 300), batch("A", 0, 1, 1, 400)],
            |e| matches!(e, StoreError::Conflict { actual: 2, .. }),
        ),
        (
            "a stream the session began, expected new",
            vec![batch("B", 0, 1, 1, 500)],
            |e| matches!(e, StoreError::Conflict { actual: 1, .. }),
        ),
        (
            "a gap in the numbering",
            vec![StreamBatch {
                dossier_id: d("A"),
                expected: ExpectedVersion::Any,
                events: events("A", 4, 4, 0),
            }],
            |e| {
                matches!(
                    e,
                    StoreError::OutOfSequence {
                        expected: 3,
                        found: 4,
                        ..
                    }
                )
            },
        ),
        (
            "an id the store holds, in another dossier",
            vec![StreamBatch {
                dossier_id: d("C"),
                expected: ExpectedVersion::NoStream,
                events: vec![event("C", 1, 1)],
            }],
            |e| matches!(e, StoreError::DuplicateEventId { sequence: 1, .. }),
        ),
        (
            "an id the session appended, in another dossier",
            vec![
                batch("C", 0, 1, 1, 300),
                StreamBatch {
                    dossier_id: d("D"),
                    expected: ExpectedVersion::NoStream,
                    events: vec![event("D", 1, 101)],
                },
            ],
            |e| matches!(e, StoreError::DuplicateEventId { sequence: 1, .. }),
        ),
    ];
    for (rule, batches, matches) in refusals {
        match session.append_streams(&batches) {
            Err(e) if matches(&e) => {}
            other => panic!("{rule}: expected a refusal, got {other:?}"),
        }
        let c = ok(session.read_stream(&d("C")));
        assert!(c.events.is_empty(), "{rule}: a refused call kept a batch");
    }
    // Re-sending what the session appended is idempotent, as for append_streams.
    assert_eq!(
        ok(session.append_streams(&[batch("B", 0, 1, 1, 100)])),
        vec![Appended {
            first_position: 3,
            last_position: 3,
            stream_version: 1
        }]
    );
    ok(session.append_streams(&[batch("C", 0, 1, 2, 300), batch("A", 2, 3, 3, 0)]));
    assert_eq!(ok(session.commit()), 6);
    drop(session);
    assert_eq!(ok(store.stream_version(&d("A"))), 3);
    assert_eq!(ok(store.stream_version(&d("B"))), 1);
    assert_eq!(ok(store.stream_version(&d("C"))), 2);
}

/// A session reads streams and events by id as the store held them plus what it appended.
pub fn import_sessions_read_the_store_and_themselves<S: EventStore>(store: &S) {
    ok(store.append(&d("A"), ExpectedVersion::NoStream, &events("A", 1, 2, 0)));
    let mut session = ok(store.begin_import());
    ok(session.append_streams(&[batch("A", 2, 3, 4, 0), batch("B", 0, 1, 1, 100)]));
    let streams = ok(session.read_streams(&[d("Z"), d("B"), d("A")]));
    let summary: Vec<(usize, usize)> = streams
        .iter()
        .map(|s| (s.events.len(), s.appended))
        .collect();
    assert_eq!(summary, vec![(0, 0), (1, 1), (4, 2)]);
    assert_eq!(streams[2].events, events("A", 1, 4, 0));
    let stored = ok(session.event_by_id(&Uuid::from_u128(2)));
    assert_eq!(
        stored.map(|s| (s.position, s.event)),
        Some((2, event("A", 2, 2)))
    );
    let appended = ok(session.event_by_id(&Uuid::from_u128(101)));
    assert_eq!(
        appended.map(|s| (s.position, s.event)),
        Some((5, event("B", 1, 101)))
    );
    assert_eq!(ok(session.event_by_id(&Uuid::from_u128(999))), None);
}

/// For stores that keep a catalogue: the catalogue staged in a session is stored with the
/// session's events, in the same commit. A session dropped keeps neither; a commit keeps
/// both, and a later session's catalogue replaces it. `stored` reads the store's catalogue.
pub fn a_staged_catalogue_commits_with_the_events<S: EventStore>(
    store: &S,
    stored: impl Fn(&S) -> Option<Catalogue>,
) {
    let catalogue = unit_catalogue;
    let stage = |unit: &str, commit: bool| {
        let mut session = ok(store.begin_import());
        let ids = if unit == "A" { 0 } else { 100 };
        ok(session.append_streams(&[batch(unit, 0, 1, 2, ids)]));
        ok(session.stage_catalogue(&catalogue(unit)));
        if commit {
            ok(session.commit());
        }
    };
    stage("A", false);
    assert_eq!(stored(store), None, "a dropped session kept its catalogue");
    assert_eq!(
        ok(store.last_position()),
        0,
        "a dropped session kept its events"
    );
    stage("A", true);
    assert_eq!(
        stored(store),
        Some(catalogue("A")),
        "a commit lost the catalogue"
    );
    assert_eq!(ok(store.last_position()), 2);
    stage("B", false);
    assert_eq!(
        stored(store),
        Some(catalogue("A")),
        "a dropped session replaced the catalogue"
    );
    stage("B", true);
    assert_eq!(stored(store), Some(catalogue("B")));
    assert_eq!(ok(store.last_position()), 4);
}

/// For stores that keep catalogue records ([`CatalogueRecords`]): a staged catalogue becomes a
/// new record in its session's commit, judging from the position before the session's events,
/// only when it differs from the latest record; a dropped session records nothing; the latest
/// record is the store's catalogue (`stored`), and [`check_records`] finds nothing wrong.
pub fn staged_catalogues_become_records<S: EventStore + CatalogueRecords>(
    store: &S,
    stored: impl Fn(&S) -> Option<Catalogue>,
) {
    // Appends dossier `dossier`'s events 1 and 2 and stages the catalogue of `unit`.
    let stage = |dossier: &str, ids: u128, unit: &str, commit: bool| {
        let mut session = ok(store.begin_import());
        ok(session.append_streams(&[batch(dossier, 0, 1, 2, ids)]));
        ok(session.stage_catalogue(&unit_catalogue(unit)));
        if commit {
            ok(session.commit());
        }
    };
    let numbers = |store: &S| -> Vec<(u64, u64)> {
        ok(store.catalogue_records())
            .iter()
            .map(|r| (r.number, r.from_position))
            .collect()
    };
    stage("A", 0, "U1", false);
    assert_eq!(
        numbers(store),
        [],
        "a dropped session recorded its catalogue"
    );
    stage("A", 0, "U1", true);
    assert_eq!(numbers(store), [(1, 0)]);
    let body = motcua_io::write_catalogue(&unit_catalogue("U1"));
    assert_eq!(ok(store.catalogue_record_body(1)), Some(body.clone()));
    let listed = ok(store.catalogue_records());
    assert_eq!(listed[0].sha256, sha256_hex(&body));
    assert_eq!(listed[0].size, body.len() as u64);
    stage("B", 100, "U1", true);
    assert_eq!(
        numbers(store),
        [(1, 0)],
        "the same catalogue was recorded again"
    );
    stage("C", 200, "U2", false);
    assert_eq!(
        numbers(store),
        [(1, 0)],
        "a dropped session recorded its catalogue"
    );
    assert_eq!(stored(store), Some(unit_catalogue("U1")));
    stage("C", 200, "U2", true);
    assert_eq!(numbers(store), [(1, 0), (2, 4)]);
    assert_eq!(stored(store), Some(unit_catalogue("U2")));
    assert_eq!(ok(store.catalogue_record_body(3)), None);
    let records = ok(store.catalogue_records());
    let received = |dossier: &str| {
        let position = ok(store.first_position(&d(dossier)));
        position.and_then(|p| in_force_at(&records, p).map(|r| r.number))
    };
    assert_eq!(
        [received("A"), received("B"), received("C"), received("Z")],
        [Some(1), Some(1), Some(2), None]
    );
    assert_eq!(ok(check_records(store)), []);
}
