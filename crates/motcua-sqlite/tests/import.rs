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
