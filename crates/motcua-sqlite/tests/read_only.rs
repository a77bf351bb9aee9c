//! Read-only opens: they never write the file, never wait for a writer, refuse what is not a
//! store of this version untouched, and read stores on media nobody can write.

mod common;

use common::Scratch;
use motcua_core::Event;
use motcua_sqlite::{SqliteError, SqliteStore, SCHEMA_VERSION};
use motcua_store::{CheckpointStore, EventStore, ExpectedVersion, StreamBatch};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

fn batches(dossiers: usize, seed: u64) -> Vec<StreamBatch> {
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers,
        seed,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let mut by_dossier: std::collections::BTreeMap<_, Vec<Event>> = Default::default();
    for event in sample.events {
        by_dossier
            .entry(event.dossier_id.clone())
            .or_default()
            .push(event);
    }
    by_dossier
        .into_iter()
        .map(|(dossier_id, events)| StreamBatch {
            dossier_id,
            expected: ExpectedVersion::NoStream,
            events,
        })
        .collect()
}

fn events_in(batches: &[StreamBatch]) -> u64 {
    batches.iter().map(|b| b.events.len() as u64).sum()
}

/// A store file with `dossiers` dossiers, its writer closed (so no `-wal` is left).
fn store_file(scratch: &Scratch, name: &str, dossiers: usize) -> (PathBuf, u64) {
    let path = scratch.path(name);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let batches = batches(dossiers, 3);
    store
        .append_streams(&batches)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(store);
    (path, events_in(&batches))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The file's bytes and modification time.
fn snapshot(path: &Path) -> (Vec<u8>, SystemTime) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    (bytes, modified)
}

fn len_or_zero(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

#[test]
fn a_read_only_open_reads_everything_and_writes_nothing() {
    let scratch = Scratch::new("ro-nowrite");
    let (path, events) = store_file(&scratch, "store.db", 40);
    assert!(!sibling(&path, "-wal").exists());
    let before = snapshot(&path);
    {
        let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store.last_position().ok(), Some(events));
        assert_eq!(
            store.read_all(0, usize::MAX).map(|e| e.len() as u64).ok(),
            Some(events)
        );
        // Writes are refused by SQLite itself.
        let more = batches(2, 99);
        assert!(store.append_streams(&more).is_err());
        assert!(store
            .save_checkpoint(
                "p",
                &motcua_store::Checkpoint {
                    position: 1,
                    state: vec![1]
                }
            )
            .is_err());
    }
    assert!(
        snapshot(&path) == before,
        "a read-only open changed the file"
    );
    // The log files SQLite made to read through are gone with the store.
    for suffix in ["-wal", "-shm"] {
        assert!(!sibling(&path, suffix).exists(), "{suffix} left behind");
    }
}

#[test]
fn an_empty_file_is_refused_and_stays_empty() {
    let scratch = Scratch::new("ro-empty");
    let path = scratch.path("empty.db");
    std::fs::write(&path, b"").unwrap_or_else(|e| panic!("{e}"));
    let err = SqliteStore::open_read_only(&path).err();
    assert!(
        matches!(&err, Some(SqliteError::NotAStore { reason, .. }) if reason.contains("empty")),
        "{err:?}"
    );
    assert_eq!(len_or_zero(&path), 0);
    assert!(!sibling(&path, "-wal").exists() && !sibling(&path, "-shm").exists());
}

#[test]
fn missing_foreign_and_newer_files_are_refused_untouched() {
    let scratch = Scratch::new("ro-refused");
    let missing = scratch.path("none.db");
    assert!(matches!(
        SqliteStore::open_read_only(&missing),
        Err(SqliteError::Missing { .. })
    ));
    assert!(!missing.exists());

    let foreign = scratch.path("other.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = snapshot(&foreign);
    let err = SqliteStore::open_read_only(&foreign).err();
    assert!(
        matches!(err, Some(SqliteError::NotAStore { .. })),
        "{err:?}"
    );
    assert!(snapshot(&foreign) == before);

    let (newer, _) = store_file(&scratch, "newer.db", 2);
    {
        let conn = rusqlite::Connection::open(&newer).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let before = snapshot(&newer);
    let err = SqliteStore::open_read_only(&newer).err();
    assert!(
        matches!(err, Some(SqliteError::NewerSchema { found, .. }) if found == SCHEMA_VERSION + 1),
        "{err:?}"
    );
    assert!(snapshot(&newer) == before);
}

/// A reader opened while an import holds the write lock neither waits for it nor sees it: it
/// reads exactly what was committed before.
#[test]
fn a_read_only_open_during_an_import_reads_the_committed_snapshot_at_once() {
    let scratch = Scratch::new("ro-snapshot");
    let path = scratch.path("store.db");
    let writer = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let committed = batches(30, 3);
    writer
        .append_streams(&committed)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut session = writer.begin_import().unwrap_or_else(|e| panic!("{e}"));
    session
        .append_streams(&batches(30, 4))
        .unwrap_or_else(|e| panic!("{e}"));
    let start = Instant::now();
    let reader = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let seen = reader
        .read_all(0, usize::MAX)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "the reader waited {:?} for the import",
        start.elapsed()
    );
    assert_eq!(seen.len() as u64, events_in(&committed));
    session.commit().unwrap_or_else(|e| panic!("{e}"));
    drop(session);
    // The next read sees the import whole.
    let all = reader.last_position().unwrap_or_else(|e| panic!("{e}"));
    assert!(all > events_in(&committed));
    // Dropping the reader leaves the writer's log alone: the writer goes on, and everything
    // is there when the file is opened again.
    drop(reader);
    let more = batches(5, 11);
    writer
        .append_streams(&more)
        .unwrap_or_else(|e| panic!("{e}"));
    drop(writer);
    let again = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.last_position().ok(), Some(all + events_in(&more)));
}

/// Read-only media, simulated so that it holds even for root (who may write anywhere): the
/// `-wal` and `-shm` names are taken by directories, so SQLite can neither open nor create
/// the log files. The store is still read, whole, and the file is not changed.
#[test]
fn a_store_whose_log_files_cannot_be_created_is_read_as_immutable() {
    let scratch = Scratch::new("ro-media");
    let (path, events) = store_file(&scratch, "store.db", 25);
    for suffix in ["-wal", "-shm"] {
        std::fs::create_dir(sibling(&path, suffix)).unwrap_or_else(|e| panic!("{e}"));
    }
    let before = snapshot(&path);
    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.last_position().ok(), Some(events));
    let ranges = motcua_store::DossierScan::dossier_ranges(&store, 3);
    assert!(ranges.is_ok(), "{ranges:?}");
    assert!(store.append_streams(&batches(1, 8)).is_err());
    drop(store);
    assert!(snapshot(&path) == before);
}

/// A log holding commits not yet in the file, on media where its `-shm` cannot be made: the
/// commits are read from the log (SQLite builds the index in memory), not ignored.
#[test]
fn a_log_with_commits_on_read_only_media_is_read_not_ignored() {
    let scratch = Scratch::new("ro-media-log");
    let path = scratch.path("store.db");
    let writer = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let written = batches(10, 3);
    writer
        .append_streams(&written)
        .unwrap_or_else(|e| panic!("{e}"));
    // Copy the file and its log while the writer keeps them (nothing checkpointed yet).
    let copy = scratch.path("copy.db");
    std::fs::copy(&path, &copy).unwrap_or_else(|e| panic!("{e}"));
    std::fs::copy(sibling(&path, "-wal"), sibling(&copy, "-wal")).unwrap_or_else(|e| panic!("{e}"));
    drop(writer);
    assert!(len_or_zero(&sibling(&copy, "-wal")) > 0);
    std::fs::create_dir(sibling(&copy, "-shm")).unwrap_or_else(|e| panic!("{e}"));
    let before = (snapshot(&copy), snapshot(&sibling(&copy, "-wal")));
    let store = SqliteStore::open_read_only(&copy).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.last_position().ok(), Some(events_in(&written)));
    drop(store);
    assert!((snapshot(&copy), snapshot(&sibling(&copy, "-wal"))) == before);
}
