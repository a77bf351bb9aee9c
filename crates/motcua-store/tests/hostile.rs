//! Hostile JSON Lines imports: every `ImportError` (and every `DecideError` an import can
//! meet), each asserting the whole message (line, dossier, event, what was expected) and that
//! the store is exactly as it was: same last position, same events.
//!
//! | error | test |
//! |---|---|
//! | `ImportError::Read` (malformed, too long a line) | `an_unreadable_line_is_named_and_nothing_is_stored`, `a_50_mb_line_is_refused_and_nothing_is_stored` |
//! | `ImportError::Rejected` (`OutOfSequence`, `TimeWentBackwards`, `IllegalTransition`, `UnknownProcedure`, `BadUnit`, `BadStep`, `DueNotLater`) | `events_the_rules_refuse_are_named` |
//! | `ImportError::DuplicateInFile` | `an_id_used_twice_in_the_file_names_both_lines` |
//! | `ImportError::AlreadyStored` | `events_already_stored_are_named` |
//! | `ImportError::StoreRefused` | `another_writer_appending_first_is_named` |
//! | `ImportError::Store` | `a_failing_store_is_reported` |

mod common;

use common::{catalogue, contents, decide, jsonl, lifecycle, stream};
use motcua_core::{DossierId, Event, EventKind};
use motcua_store::{
    import_jsonl, EventStore, ExpectedVersion, ImportError, InMemoryStore, StoreError, StoreResult,
    StoredEvent, StreamBatch,
};
use time::Duration;

const D: &str = "H26-0001";

/// A store holding the first 3 events of dossier H26-0001 (received, step started,
/// supplement requested).
fn seeded() -> InMemoryStore {
    let store = InMemoryStore::new();
    if let Err(e) = store.append(&D.into(), ExpectedVersion::NoStream, &stream(D, 3, 1000)) {
        panic!("seeding: {e}");
    }
    store
}

/// The next event of H26-0001 after the 3 stored: supplement supplied, sequence 4.
fn next() -> Event {
    decide(D, &stream(D, 3, 1000), &lifecycle()[3..4], 1000).remove(0)
}

/// A good dossier of its own, to put before the bad line: it must not land either.
fn other() -> String {
    jsonl(&stream("H26-0002", 2, 2000))
}

/// Imports `text` into a seeded store; returns the message after checking the store did not
/// change.
fn refused_in(store: &impl EventStore, text: &str) -> String {
    let before = contents(store);
    let result = import_jsonl(store, text.as_bytes(), &catalogue());
    assert_eq!(
        contents(store),
        before,
        "a refused import changed the store"
    );
    match result {
        Err(e) => e.to_string(),
        Ok(summary) => panic!("expected a refusal, imported {summary:?}"),
    }
}

fn refused(text: &str) -> String {
    refused_in(&seeded(), text)
}

/// `next()` changed by `f`, as line 3 of a file after another dossier's two events.
fn with_next(f: impl FnOnce(&mut Event)) -> String {
    let mut e = next();
    f(&mut e);
    format!("{}{}", other(), jsonl(&[e]))
}

#[test]
fn an_unreadable_line_is_named_and_nothing_is_stored() {
    let text = format!("{}{{\"v\":1,\"dossier_id\":\"{D}\",\n", other());
    assert_eq!(
        refused(&text),
        "line 3: malformed JSON at column 31: EOF while parsing a value; expected one JSON object per line"
    );
}

#[test]
fn a_50_mb_line_is_refused_and_nothing_is_stored() {
    let text = format!("{}{}\n{}", other(), "x".repeat(50 << 20), jsonl(&[next()]));
    assert_eq!(
        refused(&text),
        "line 3: the line is 52428800 bytes long, more than the 1048576 bytes a line may have; expected one event per line, each well under 1 MiB (is this a JSON Lines events file?)"
    );
}

#[test]
fn events_the_rules_refuse_are_named() {
    let cases: Vec<(String, &str)> = vec![
        (
            with_next(|e| e.sequence = 5),
            "line 3: dossier H26-0001, event 5: sequence 5 is out of order, expected 4 (events of a dossier are numbered 1, 2, 3… without gaps)",
        ),
        (
            with_next(|e| e.sequence = 3),
            "line 3: dossier H26-0001, event 3: sequence 3 is out of order, expected 4 (events of a dossier are numbered 1, 2, 3… without gaps)",
        ),
        (
            with_next(|e| e.occurred_at -= Duration::days(1)),
            "line 3: dossier H26-0001, event 4: occurred_at 2024-03-03T12:00:00+07:00 is before the previous event's 2024-03-04T11:00:00+07:00; events must be in time order",
        ),
        (
            with_next(|e| e.kind = EventKind::ResultReturned { method: motcua_core::ReturnMethod::Online }),
            "line 3: dossier H26-0001, event 4: `result_returned` is not allowed when the dossier is supplement requested; expected a dossier whose result is ready",
        ),
        (
            format!("{}{}", other(), jsonl(&[{
                let mut e = stream("H26-0003", 1, 3000).remove(0);
                e.kind = EventKind::Received { procedure: "9.999999".into(), unit: "XA01".into(), channel: motcua_core::Channel::Online };
                e
            }])),
            "line 3: dossier H26-0003, event 1: procedure 9.999999 is not in the catalogue",
        ),
        (
            format!("{}{}", other(), jsonl(&[{
                let mut e = stream("H26-0003", 1, 3000).remove(0);
                e.kind = EventKind::Received { procedure: "1.001193".into(), unit: "XA99".into(), channel: motcua_core::Channel::Online };
                e
            }])),
            "line 3: dossier H26-0003, event 1: unit XA99 is not in the catalogue",
        ),
        (
            with_next(|e| e.kind = EventKind::StepFinished { step: "appraisal".into() }),
            "line 3: dossier H26-0001, event 4: step \"appraisal\" is not running; a step must be started before it finishes",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(refused(&text), expected);
    }
    // A new due that is not later: an apology on a dossier being handled.
    let store = InMemoryStore::new();
    let two = stream("H26-0004", 2, 4000);
    if let Err(e) = store.append(&"H26-0004".into(), ExpectedVersion::NoStream, &two) {
        panic!("{e}");
    }
    let apology = decide(
        "H26-0004",
        &two,
        &[EventKind::ApologyIssued {
            new_due: two[1].occurred_at + Duration::days(3),
            reason: "chậm".into(),
        }],
        4000,
    );
    let mut bad = apology[0].clone();
    if let EventKind::ApologyIssued { new_due, .. } = &mut bad.kind {
        *new_due = bad.occurred_at;
    }
    assert_eq!(
        refused_in(&store, &jsonl(&[bad])),
        "line 1: dossier H26-0004, event 3: the new due 2024-03-04T11:00:00+07:00 must be after 2024-03-04T11:00:00+07:00 (the event's time, or the due it replaces)"
    );
}

#[test]
fn an_id_used_twice_in_the_file_names_both_lines() {
    let mut twin = stream("H26-0003", 1, 3000).remove(0);
    twin.event_id = stream("H26-0002", 1, 2000)[0].event_id;
    let text = format!("{}\n{}", other(), jsonl(&[twin]));
    assert_eq!(
        refused(&text),
        "line 4: dossier H26-0003, event 1: event id 00000000-0000-0000-0000-0000000007d1 is already used on line 1; every event needs its own id"
    );
}

#[test]
fn events_already_stored_are_named() {
    let text = format!("{}{}", other(), jsonl(&stream(D, 3, 1000)[..1]));
    assert_eq!(
        refused(&text),
        "line 3: dossier H26-0001, event 1: event id 00000000-0000-0000-0000-0000000003e9 is already stored as event 1 of this dossier; import only events the store does not hold yet"
    );
}

/// A store where another writer appends the next event of H26-0001 just before each append.
struct Raced(InMemoryStore);

impl EventStore for Raced {
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<motcua_store::Appended>> {
        let mut theirs = next();
        theirs.event_id = uuid::Uuid::from_u128(9999);
        self.0
            .append(&D.into(), ExpectedVersion::at(3), &[theirs])?;
        self.0.append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        self.0.read_stream(dossier)
    }
    fn read_all(&self, from: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        self.0.read_all(from, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        self.0.last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        self.0.stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        self.0.dossier_ids()
    }
}

#[test]
fn another_writer_appending_first_is_named() {
    let store = Raced(seeded());
    let text = format!("{}{}", other(), jsonl(&[next()]));
    let result = import_jsonl(&store, text.as_bytes(), &catalogue());
    // Only the other writer's event landed; nothing of the file.
    let (last, all) = contents(&store);
    assert_eq!(last, 4);
    assert_eq!(all[3].event.event_id, uuid::Uuid::from_u128(9999));
    assert_eq!(
        result.err().map(|e| e.to_string()).as_deref(),
        Some("line 3: dossier H26-0001: expected the stream at version 3, but it is at version 4; read it again and retry")
    );
}

/// A store whose reads and appends fail.
struct Down;

impl EventStore for Down {
    fn append_streams(&self, _: &[StreamBatch]) -> StoreResult<Vec<motcua_store::Appended>> {
        Err(StoreError::Backend("disk I/O error".into()))
    }
    fn read_stream(&self, _: &DossierId) -> StoreResult<Vec<Event>> {
        Err(StoreError::Backend("database is locked".into()))
    }
    fn read_all(&self, _: u64, _: usize) -> StoreResult<Vec<StoredEvent>> {
        Ok(Vec::new())
    }
    fn last_position(&self) -> StoreResult<u64> {
        Ok(0)
    }
    fn stream_version(&self, _: &DossierId) -> StoreResult<u64> {
        Ok(0)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        Ok(Vec::new())
    }
}

#[test]
fn a_failing_store_is_reported() {
    let err = import_jsonl(&Down, other().as_bytes(), &catalogue()).err();
    assert!(matches!(err, Some(ImportError::Store(_))));
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("the store failed, nothing was imported: store backend failed: disk I/O error")
    );
}

#[test]
fn after_a_refusal_the_store_takes_a_good_file() {
    let store = seeded();
    let _ = refused_in(&store, &with_next(|e| e.sequence = 5));
    let good = format!("{}{}", other(), jsonl(&[next()]));
    let summary = import_jsonl(&store, good.as_bytes(), &catalogue());
    assert_eq!(
        summary
            .map(|s| (s.events_imported, s.dossiers_touched))
            .ok(),
        Some((3, 2))
    );
    assert_eq!(store.last_position().ok(), Some(6));
}
