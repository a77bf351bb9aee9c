//! The conformance suite on SQLite: in memory, and on files where every thread of the
//! concurrency check works through its own connection.

mod common;

use common::Scratch;
use motcua_sqlite::SqliteStore;
use motcua_store::conformance;
use std::sync::Arc;

fn in_memory() -> SqliteStore {
    SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_check_passes_in_memory() {
    conformance::run_all(in_memory);
}

#[test]
fn every_check_passes_on_a_file() {
    for (name, check) in conformance::checks::<SqliteStore>() {
        let scratch = Scratch::new(name);
        let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
        check(&store);
    }
}

/// Eight threads on one file, each through its own pooled connection; the log reads back the
/// same from a second store opened on the file.
#[test]
fn concurrent_appends_through_pooled_connections_survive_a_reopen() {
    let scratch = Scratch::new("separate");
    let path = scratch.path("store.db");
    let first = Arc::new(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    conformance::concurrent_appends_keep_every_stream_consistent(&first);
    // Reopened, the same log reads back.
    let again = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let all = motcua_store::EventStore::read_all(&again, 0, usize::MAX).unwrap_or_default();
    assert_eq!(
        all,
        motcua_store::EventStore::read_all(&*first, 0, usize::MAX).unwrap_or_default()
    );
}

/// The catalogue staged in an import session commits with its events, in memory and on a file.
#[test]
fn a_staged_catalogue_commits_with_the_events() {
    let stored = |s: &SqliteStore| s.catalogue().unwrap_or_else(|e| panic!("{e}"));
    conformance::a_staged_catalogue_commits_with_the_events(&in_memory(), stored);
    let scratch = Scratch::new("catalogue");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::a_staged_catalogue_commits_with_the_events(&store, stored);
}

/// Staged catalogues become catalogue records, in memory and on a file.
#[test]
fn staged_catalogues_become_records() {
    let stored = |s: &SqliteStore| s.catalogue().unwrap_or_else(|e| panic!("{e}"));
    conformance::staged_catalogues_become_records(&in_memory(), stored);
    let scratch = Scratch::new("records");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::staged_catalogues_become_records(&store, stored);
}
