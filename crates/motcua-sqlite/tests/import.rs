//! Imports through the SQLite import session: chunks, dossiers dropped from memory and read
//! back from the open transaction, refusals naming their lines, nothing stored on error.

mod common;

use common::{jsonl, Scratch};
use motcua_core::Event;
use motcua_sqlite::SqliteStore;
use motcua_store::{import_jsonl_with, EventStore, ImportError, ImportOptions, InMemoryStore};

fn sample(dossiers: usize) -> motcua_gen::Sample {
    motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers,
        seed: 17,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

fn streams<S: EventStore>(store: &S) -> Vec<Vec<Event>> {
    let ids = store.dossier_ids().unwrap_or_else(|e| panic!("{e}"));
    ids.iter()
        .map(|d| store.read_stream(d).unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

const SMALL: ImportOptions = ImportOptions {
    chunk_events: 50,
    dossiers_in_memory: 20,
    keep_catalogue: false,
};

#[test]
fn small_chunks_with_dossiers_read_back_from_the_session_import_everything() {
    let sample = sample(400);
    let (first, rest): (Vec<Event>, Vec<Event>) =
        sample.events.iter().cloned().partition(|e| e.sequence <= 2);
    let scratch = Scratch::new("import");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let reference = InMemoryStore::new();
    for part in [&first, &rest] {
        let text = jsonl(part);
        let imported = import_jsonl_with(
            &store,
            text.as_bytes(),
            &sample.catalogue,
            &SMALL,
            &mut |_| {},
        );
        assert!(imported.is_ok(), "{imported:?}");
        let summary = motcua_store::import_jsonl(&reference, text.as_bytes(), &sample.catalogue);
        assert_eq!(imported.ok(), summary.ok());
    }
    assert_eq!(streams(&store), streams(&reference));
    assert_eq!(store.last_position().ok(), Some(sample.events.len() as u64));
}

#[test]
fn refusals_name_their_lines_and_store_nothing() {
    let sample = sample(150);
    let scratch = Scratch::new("import-refused");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let (first, rest): (Vec<Event>, Vec<Event>) =
        sample.events.iter().cloned().partition(|e| e.sequence == 1);
    let imported = import_jsonl_with(
        &store,
        jsonl(&first).as_bytes(),
        &sample.catalogue,
        &SMALL,
        &mut |_| {},
    );
    assert!(imported.is_ok(), "{imported:?}");
    let before = store.read_all(0, usize::MAX).unwrap_or_default();
    let import = |events: &[Event]| {
        let text = jsonl(events);
        let result = import_jsonl_with(
            &store,
            text.as_bytes(),
            &sample.catalogue,
            &SMALL,
            &mut |_| {},
        );
        assert_eq!(store.read_all(0, usize::MAX).unwrap_or_default(), before);
        match result {
            Err(e) => e,
            Ok(s) => panic!("expected a refusal, imported {s:?}"),
        }
    };
    // An id repeated far down the file, in a later chunk.
    let mut twin = rest.clone();
    let last = twin.len() - 1;
    twin[last].event_id = twin[3].event_id;
    let err = import(&twin);
    assert!(
        matches!(&err, ImportError::DuplicateInFile { line, first_line: 4, .. } if *line == twin.len() as u64),
        "{err}"
    );
    // Events the store holds, after many good lines.
    let mut again = rest.clone();
    again.push(first[7].clone());
    let err = import(&again);
    assert!(
        matches!(&err, ImportError::AlreadyStored { line, stored_sequence: 1, .. } if *line == again.len() as u64),
        "{err}"
    );
    // An id the store holds in another dossier.
    let mut reused = rest.clone();
    reused[60].event_id = first[9].event_id;
    let err = import(&reused);
    assert!(
        matches!(&err, ImportError::StoreRefused { line: 61, .. }),
        "{err}"
    );
    // The good file still goes in whole.
    let ok = import_jsonl_with(
        &store,
        jsonl(&rest).as_bytes(),
        &sample.catalogue,
        &SMALL,
        &mut |_| {},
    );
    assert!(ok.is_ok(), "{ok:?}");
    assert_eq!(store.last_position().ok(), Some(sample.events.len() as u64));
}

/// Readers on other connections see the store as it was until the session commits.
#[test]
fn an_open_session_is_invisible_to_readers() {
    let sample = sample(20);
    let scratch = Scratch::new("import-visible");
    let path = scratch.path("store.db");
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let reader = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut session = store.begin_import().unwrap_or_else(|e| panic!("{e}"));
    let batch = motcua_store::StreamBatch {
        dossier_id: sample.events[0].dossier_id.clone(),
        expected: motcua_store::ExpectedVersion::NoStream,
        events: vec![sample.events[0].clone()],
    };
    assert!(session.append_streams(&[batch]).is_ok());
    assert_eq!(reader.last_position().ok(), Some(0));
    assert_eq!(session.commit().ok(), Some(1));
    drop(session);
    assert_eq!(reader.last_position().ok(), Some(1));
}

/// The catalogue an import keeps is stored with its events, in the same commit: an import
/// refused at its last line keeps neither; a committed one keeps both.
#[test]
fn the_catalogue_is_stored_with_the_events_or_not_at_all() {
    let sample = sample(30);
    let scratch = Scratch::new("import-catalogue");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let keep = ImportOptions {
        keep_catalogue: true,
        ..SMALL
    };
    // A refused import (its last line unreadable) keeps neither.
    let mut text = jsonl(&sample.events);
    text.push_str("{\"v\":1,\n");
    let refused = import_jsonl_with(
        &store,
        text.as_bytes(),
        &sample.catalogue,
        &keep,
        &mut |_| {},
    );
    assert!(refused.is_err());
    assert!(matches!(store.catalogue(), Ok(None)));
    assert_eq!(store.last_position().ok(), Some(0));
    // A committed one keeps both.
    let imported = import_jsonl_with(
        &store,
        jsonl(&sample.events).as_bytes(),
        &sample.catalogue,
        &keep,
        &mut |_| {},
    );
    assert!(imported.is_ok(), "{imported:?}");
    assert_eq!(store.catalogue().ok().flatten(), Some(sample.catalogue));
    assert_eq!(store.last_position().ok(), Some(sample.events.len() as u64));
}

/// The indexes on the events table: (name, unique).
fn event_indexes(store: &SqliteStore) -> Vec<(String, bool)> {
    let conn = rusqlite::Connection::open(store.path()).unwrap_or_else(|e| panic!("{e}"));
    let mut list = conn
        .prepare("SELECT name, \"unique\" FROM pragma_index_list('events') ORDER BY name")
        .unwrap_or_else(|e| panic!("{e}"));
    let rows = list
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap_or_else(|e| panic!("{e}"));
    rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
}

/// Into an empty store the session checks ids only at the end (its index of event ids built
/// once, after the inserts): whatever a file gets wrong, the error is the one a store checking
/// every id at once gives (the first line in file order), nothing is stored, and the unique
/// index is there afterwards.
#[test]
fn into_an_empty_store_ids_checked_at_the_end_give_the_same_first_error() {
    let sample = sample(150);
    let events = &sample.events;
    let scratch = Scratch::new("import-ids-later");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let indexes = event_indexes(&store);
    assert_eq!(
        indexes,
        vec![
            ("events_by_dossier".to_owned(), true),
            ("events_by_event_id".to_owned(), true)
        ]
    );
    let repeat = |events: &mut Vec<Event>, at: usize, of: usize| {
        events[at].event_id = events[of].event_id;
    };
    // A rule broken: the event's sequence skips ahead.
    let broken = |events: &mut Vec<Event>, at: usize| events[at].sequence += 5;
    let unreadable = |events: &[Event], at: usize| {
        let mut lines: Vec<String> = jsonl(events).lines().map(str::to_owned).collect();
        lines.insert(at, "{\"v\":1,".to_owned());
        lines.join("\n") + "\n"
    };
    let mut cases: Vec<(&str, String)> = Vec::new();
    let mut twin = events.clone();
    let last = twin.len() - 1;
    repeat(&mut twin, last, 3);
    cases.push(("an id repeated in a later chunk", jsonl(&twin)));
    // Chunks are 50 lines: the repeat is in the second, the other fault in the third.
    let mut early = events.clone();
    repeat(&mut early, 60, 2);
    broken(&mut early, 120);
    cases.push(("a repeated id before a broken rule", jsonl(&early)));
    cases.push((
        "a repeated id before an unreadable line",
        unreadable(&early[..115], 110),
    ));
    let mut late = events.clone();
    broken(&mut late, 20);
    repeat(&mut late, 80, 2);
    cases.push(("a broken rule before a repeated id", jsonl(&late)));
    let mut late = events.clone();
    repeat(&mut late, 80, 2);
    cases.push((
        "an unreadable line before a repeated id",
        unreadable(&late, 20),
    ));
    let mut both = events.clone();
    repeat(&mut both, 80, 2);
    broken(&mut both, 80);
    cases.push(("a repeated id on the line breaking a rule", jsonl(&both)));
    let mut same = events.clone();
    same.insert(60, same[10].clone());
    cases.push(("a line repeated whole", jsonl(&same)));
    // Within one chunk: dossier A on line k1, B first seen on line k2, A again on line k3
    // repeating line k2's id (grouped by dossier, A's events would be stored before B's).
    let within = (0..events.len()).find_map(|k3| {
        let start = k3 / 50 * 50;
        let a = &events[k3].dossier_id;
        let k1 = (start..k3).find(|&i| &events[i].dossier_id == a)?;
        (k1 + 1..k3)
            .find(|&k2| {
                let b = &events[k2].dossier_id;
                b != a && !(start..k2).any(|i| &events[i].dossier_id == b)
            })
            .map(|k2| (k2, k3))
    });
    let (k2, k3) = within.unwrap_or_else(|| panic!("no such lines in the sample"));
    let mut permuted = events.clone();
    repeat(&mut permuted, k3, k2);
    cases.push((
        "a repeat within a chunk, dossiers interleaved",
        jsonl(&permuted),
    ));
    for (case, text) in cases {
        let import = |store: &dyn EventStore| {
            import_jsonl_with(
                store,
                text.as_bytes(),
                &sample.catalogue,
                &SMALL,
                &mut |_| {},
            )
        };
        let expected = match import(&InMemoryStore::new()) {
            Err(e) => e.to_string(),
            Ok(s) => panic!("{case}: the reference imported {s:?}"),
        };
        match import(&store) {
            Err(e) => assert_eq!(e.to_string(), expected, "{case}"),
            Ok(s) => panic!("{case}: imported {s:?}"),
        }
        assert_eq!(store.last_position().ok(), Some(0), "{case}");
        assert_eq!(event_indexes(&store), indexes, "{case}");
    }
    // A good file goes in whole, and the index refuses a stored id afterwards.
    let imported = import_jsonl_with(
        &store,
        jsonl(events).as_bytes(),
        &sample.catalogue,
        &SMALL,
        &mut |_| {},
    );
    assert!(imported.is_ok(), "{imported:?}");
    assert_eq!(event_indexes(&store), indexes);
    let mut reused = events[0].clone();
    reused.dossier_id = "H26-NEW".into();
    assert!(matches!(
        store.append(
            &reused.dossier_id.clone(),
            motcua_store::ExpectedVersion::NoStream,
            &[reused]
        ),
        Err(motcua_store::StoreError::DuplicateEventId { .. })
    ));
}

/// The session of an empty store asked to check ids later accepts an append repeating an id,
/// names it, refuses to commit, and leaves the store as it was; a store holding events keeps
/// checking at each call.
#[test]
fn a_session_checking_ids_later_names_the_repeat_and_refuses_to_commit() {
    use motcua_store::{ExpectedVersion, StoreError, StreamBatch};
    let sample = sample(10);
    let scratch = Scratch::new("session-ids-later");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let batch = |event: &Event| StreamBatch {
        dossier_id: event.dossier_id.clone(),
        expected: ExpectedVersion::NoStream,
        events: vec![event.clone()],
    };
    let firsts: Vec<&Event> = sample.events.iter().filter(|e| e.sequence == 1).collect();
    let (a, b, c) = (firsts[0], firsts[1], firsts[2]);
    let mut repeat = c.clone();
    repeat.event_id = a.event_id;
    {
        let mut session = store.begin_import().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(session.check_ids_later().ok(), Some(true));
        let appended = session.append_streams(&[batch(a), batch(b), batch(&repeat)]);
        assert!(appended.is_ok(), "{appended:?}");
        let found = session.event_by_id(&a.event_id).ok().flatten();
        assert_eq!(found.map(|f| f.position), Some(1));
        let repeated = session
            .first_repeated_id()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            repeated
                .as_ref()
                .map(|r| (r.event.position, r.first_position)),
            Some((3, 1))
        );
        assert_eq!(repeated.map(|r| r.event.event), Some(repeat.clone()));
        assert!(matches!(
            session.commit(),
            Err(StoreError::DuplicateEventId { sequence: 1, ref dossier, .. }) if *dossier == c.dossier_id
        ));
    }
    assert_eq!(store.last_position().ok(), Some(0));
    // Without a repeat the session commits, with its index unique again.
    let mut session = store.begin_import().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session.check_ids_later().ok(), Some(true));
    assert!(session.append_streams(&[batch(a), batch(b)]).is_ok());
    assert_eq!(session.first_repeated_id().ok(), Some(None));
    assert_eq!(session.commit().ok(), Some(2));
    drop(session);
    assert!(event_indexes(&store).contains(&("events_by_event_id".to_owned(), true)));
    // On a store holding events, ids are checked at each call.
    let mut session = store.begin_import().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session.check_ids_later().ok(), Some(false));
    assert!(matches!(
        session.append_streams(&[batch(&repeat)]),
        Err(StoreError::DuplicateEventId { .. })
    ));
}

/// A repeated id handed over before the events' source fails (as `gen --store` feeds an
/// import) is the error, as it is for a store checking every id at once.
#[test]
fn a_repeated_id_comes_before_a_later_source_failure() {
    let sample = sample(150);
    let mut events: Vec<Event> = sample.events.clone();
    let j = (20..50)
        .find(|&j| events[j].dossier_id != events[3].dossier_id)
        .unwrap_or_else(|| panic!("no such line in the sample"));
    events[j].event_id = events[3].event_id;
    let import = |store: &dyn EventStore| {
        let items: Vec<Result<Event, std::io::Error>> = events[..60]
            .iter()
            .cloned()
            .map(Ok)
            .chain(std::iter::once(Err(std::io::Error::other("broke"))))
            .collect();
        motcua_store::import_results(store, items, &sample.catalogue, &SMALL, &mut |_| {})
    };
    let scratch = Scratch::new("import-source-fails");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let expected = import(&InMemoryStore::new()).err().map(|e| e.to_string());
    assert!(
        expected
            .as_deref()
            .is_some_and(|e| e.contains("already used on line 4")),
        "{expected:?}"
    );
    assert_eq!(import(&store).err().map(|e| e.to_string()), expected);
    assert_eq!(store.last_position().ok(), Some(0));
}
