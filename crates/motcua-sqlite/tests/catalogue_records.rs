//! Catalogue records on SQLite (issue 15, "catalogue changes become versioned records"): an
//! import of a changed catalogue adds a record in its own transaction, the same catalogue adds
//! none, a refused import adds none; an older store's catalogue reads as record 1 before the
//! migration and becomes record 1 by it; the audit names an edited record.

mod common;

use common::{jsonl, Scratch};
use motcua_core::{Catalogue, Event};
use motcua_sqlite::{SqliteStore, CATALOGUE_RECORDS_SINCE, SCHEMA_VERSION};
use motcua_store::catalogue_records::{
    check_records, in_force_at, sha256_hex, CatalogueRecord, CatalogueRecords, RecordProblem,
};
use motcua_store::{import_jsonl_with, EventStore, ImportOptions};
use std::path::Path;

fn sample() -> motcua_gen::Sample {
    motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 40,
        seed: 23,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"))
}

/// `catalogue` with its first unit renamed: the same rules, other bytes.
fn renamed(catalogue: &Catalogue) -> Catalogue {
    let text =
        motcua_io::write_catalogue(catalogue).replacen("\"name\": \"", "\"name\": \"Mới ", 1);
    motcua_io::read_catalogue(&text).unwrap_or_else(|e| panic!("{e}"))
}

const KEEP: ImportOptions = ImportOptions {
    chunk_events: 64,
    dossiers_in_memory: 16,
    keep_catalogue: true,
};

/// Imports `events` with `catalogue` kept; whether the import committed.
fn import(store: &SqliteStore, text: &str, catalogue: &Catalogue) -> bool {
    import_jsonl_with(store, text.as_bytes(), catalogue, &KEEP, &mut |_| {}).is_ok()
}

fn records(store: &SqliteStore) -> Vec<CatalogueRecord> {
    store.catalogue_records().unwrap_or_else(|e| panic!("{e}"))
}

fn numbers_and_positions(store: &SqliteStore) -> Vec<(u64, u64)> {
    records(store)
        .iter()
        .map(|r| (r.number, r.from_position))
        .collect()
}

#[test]
fn a_changed_catalogue_is_recorded_with_its_import_and_the_same_one_is_not() {
    let sample = sample();
    let (first, rest): (Vec<Event>, Vec<Event>) =
        sample.events.iter().cloned().partition(|e| e.sequence <= 2);
    let scratch = Scratch::new("records-import");
    let store = SqliteStore::open(scratch.path("s.db")).unwrap_or_else(|e| panic!("{e}"));
    let original = &sample.catalogue;
    let changed = renamed(original);

    assert!(import(&store, &jsonl(&first), original));
    let base = store.last_position().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(numbers_and_positions(&store), [(1, 0)]);
    let body = motcua_io::write_catalogue(original);
    assert_eq!(records(&store)[0].sha256, sha256_hex(&body));
    assert_eq!(records(&store)[0].size, body.len() as u64);

    // The same catalogue again, with no events: nothing recorded.
    assert!(import(&store, "", original));
    assert_eq!(numbers_and_positions(&store), [(1, 0)]);

    // A changed catalogue whose import is refused (its last line unreadable): no record.
    let mut refused = jsonl(&rest);
    refused.push_str("{\"v\":1,\n");
    assert!(!import(&store, &refused, &changed));
    assert_eq!(numbers_and_positions(&store), [(1, 0)]);
    assert_eq!(store.catalogue().ok().flatten().as_ref(), Some(original));
    assert_eq!(store.last_position().ok(), Some(base));

    // Committed: record 2, judging the import's own events (from the position before them).
    assert!(import(&store, &jsonl(&rest), &changed));
    assert_eq!(numbers_and_positions(&store), [(1, 0), (2, base)]);
    assert_eq!(store.catalogue().ok().flatten(), Some(changed.clone()));
    assert_eq!(
        store.catalogue_record(1).ok().flatten().as_ref(),
        Some(original)
    );
    assert_eq!(
        store.catalogue_record(2).ok().flatten(),
        Some(changed.clone())
    );
    assert_eq!(store.catalogue_record(3).ok().flatten(), None);

    // Which record each dossier was received under.
    let all = records(&store);
    let received = |e: &Event| {
        let position = store
            .first_position(&e.dossier_id)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{} has no position", e.dossier_id));
        in_force_at(&all, position).map(|r| r.number)
    };
    let first_dossier = &first[0];
    assert_eq!(received(first_dossier), Some(1));
    assert!(store.first_position(&"nobody".into()).ok() == Some(None));

    // Back to the original: a new record (3), since it differs from the latest.
    store
        .save_catalogue(original)
        .unwrap_or_else(|e| panic!("{e}"));
    let last = store.last_position().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        numbers_and_positions(&store),
        [(1, 0), (2, base), (3, last)]
    );
    assert_eq!(records(&store)[2].sha256, records(&store)[0].sha256);
    assert!(check_records(&store)
        .unwrap_or_else(|e| panic!("{e}"))
        .is_empty());
}

/// A store at `path` with the sample's catalogue kept and its events, then given the layout
/// of the schema before catalogue records (3).
fn store_before_records(path: &Path, sample: &motcua_gen::Sample) {
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(import(&store, &jsonl(&sample.events), &sample.catalogue));
    drop(store);
    common::catalogue_before_records(path);
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_catalogue_before_records_reads_as_record_1_and_becomes_record_1_by_the_migration() {
    let sample = sample();
    let scratch = Scratch::new("records-migrate");
    let path = scratch.path("old.db");
    store_before_records(&path, &sample);
    assert_eq!(user_version(&path), CATALOGUE_RECORDS_SINCE - 1);
    let body = motcua_io::write_catalogue(&sample.catalogue);
    let record_1 = CatalogueRecord::of_body(1, 0, &body);

    // Read-only: read as it is, the one catalogue as record 1, nothing migrated.
    let old = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.schema_version(), CATALOGUE_RECORDS_SINCE - 1);
    assert_eq!(
        old.catalogue().ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    assert_eq!(records(&old), std::slice::from_ref(&record_1));
    assert_eq!(
        old.catalogue_record(1).ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    assert!(check_records(&old)
        .unwrap_or_else(|e| panic!("{e}"))
        .is_empty());
    drop(old);
    assert_eq!(user_version(&path), CATALOGUE_RECORDS_SINCE - 1);

    // A writable open migrates: record 1, hashed, from position 0; the old table gone.
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(user_version(&path), SCHEMA_VERSION);
    assert_eq!(records(&store), [record_1]);
    assert_eq!(
        store.catalogue().ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    let tables: i64 = rusqlite::Connection::open(&path)
        .and_then(|c| {
            c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'catalogue'",
                [],
                |r| r.get(0),
            )
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tables, 0);
    // The same catalogue again records nothing; a changed one is record 2.
    store
        .save_catalogue(&sample.catalogue)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(numbers_and_positions(&store), [(1, 0)]);
    store
        .save_catalogue(&renamed(&sample.catalogue))
        .unwrap_or_else(|e| panic!("{e}"));
    let last = sample.events.len() as u64;
    assert_eq!(numbers_and_positions(&store), [(1, 0), (2, last)]);
}

#[test]
fn a_store_before_records_without_a_catalogue_migrates_to_no_record() {
    let scratch = Scratch::new("records-none");
    let path = scratch.path("empty.db");
    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    common::catalogue_before_records(&path);
    let old = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(records(&old).is_empty());
    assert!(matches!(old.catalogue(), Ok(None)));
    drop(old);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(records(&store).is_empty());
    assert!(matches!(store.catalogue(), Ok(None)));
}

#[test]
fn an_edited_record_is_named_by_the_check() {
    let sample = sample();
    let scratch = Scratch::new("records-edited");
    let path = scratch.path("s.db");
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(import(&store, &jsonl(&sample.events), &sample.catalogue));
    store
        .save_catalogue(&renamed(&sample.catalogue))
        .unwrap_or_else(|e| panic!("{e}"));
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "UPDATE catalogue_records SET body = replace(body, '\"time_limit\"', ' \"time_limit\"')
          WHERE number = 1",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let findings = check_records(&store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].number, 1);
    assert!(matches!(findings[0].problem, RecordProblem::Hash { .. }));
}
