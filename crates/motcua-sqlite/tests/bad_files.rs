//! Files that are not motcua stores, or are from a newer version: clear errors, files
//! unchanged.

mod common;

use common::Scratch;
use motcua_sqlite::{SqliteError, SqliteStore, APPLICATION_ID, SCHEMA_VERSION};
use motcua_store::{EventStore, ExpectedVersion};

fn refused(path: &std::path::Path) -> SqliteError {
    let before = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    let err = SqliteStore::open(path).err().unwrap_or_else(|| {
        panic!("{} opened as a store", path.display());
    });
    let after = std::fs::read(path).unwrap_or_else(|e| panic!("{e}"));
    assert!(before == after, "opening {} changed it", path.display());
    err
}

#[test]
fn a_text_file_is_not_a_store() {
    let scratch = Scratch::new("text");
    let path = scratch.path("events.jsonl");
    let text = "{\"v\":1,\"event_id\":\"x\"}\n".repeat(100);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let err = refused(&path);
    assert!(matches!(err, SqliteError::NotAStore { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: not a motcua store (not a SQLite database)",
            path.display()
        )
    );
}

#[test]
fn a_sqlite_file_of_something_else_is_not_a_store() {
    let scratch = Scratch::new("foreign");
    let path = scratch.path("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER);")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let err = refused(&path);
    assert!(
        err.to_string()
            .contains("not a motcua store (a SQLite database with 1 tables"),
        "{err}"
    );
    let scratch2 = Scratch::new("appid");
    let path = scratch2.path("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("PRAGMA application_id = 42; CREATE TABLE t (x);")
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let err = refused(&path);
    assert!(err.to_string().contains("application id 0x2a"), "{err}");
}

#[test]
fn a_store_from_a_newer_version_is_refused() {
    let scratch = Scratch::new("newer");
    let path = scratch.path("store.db");
    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}; PRAGMA wal_checkpoint(TRUNCATE);",
            SCHEMA_VERSION + 1
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }
    let err = refused(&path);
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the store has schema version {}, but this motcua knows versions up to {SCHEMA_VERSION}; use a newer motcua",
            path.display(),
            SCHEMA_VERSION + 1
        )
    );
}

/// A new store whose schema version was then set to `version` behind motcua's back, in a
/// scratch directory named `name` (kept while the returned `Scratch` lives).
fn set_back(name: &str, version: i64) -> (Scratch, std::path::PathBuf) {
    let scratch = Scratch::new(name);
    let path = scratch.path("store.db");
    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(&format!(
        "PRAGMA user_version = {version}; PRAGMA wal_checkpoint(TRUNCATE);"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    (scratch, path)
}

/// A store whose schema version was set back behind motcua's back (to 0, or to an older
/// version whose migrations would meet tables that already exist) is refused, named as such,
/// and left as it was; no migration runs on it.
#[test]
fn a_store_whose_version_was_set_back_is_refused_unchanged() {
    for (version, reason) in [
        (0, "a motcua store whose schema version was reset to 0"),
        (3, "its tables are not those of its schema version 3 (migration 3 to 4 failed: table open_standings already exists)"),
    ] {
        let (_scratch, path) = set_back("set-back", version);
        let err = refused(&path);
        assert!(matches!(err, SqliteError::NotAStore { .. }), "{err:?}");
        assert!(err.to_string().contains(reason), "{err}");
        assert!(err.to_string().ends_with("not migrated, nothing was changed)"), "{err}");
    }
}

/// Read without writing, a store whose schema version does not match its tables is refused
/// as such, naming the table, not with SQLite's words from the first query that meets it.
#[test]
fn a_store_whose_version_does_not_match_its_tables_is_refused_for_reading() {
    for (version, reason) in [
        (1, "its tables are not those of its schema version 1 (it has no table `catalogue`)"),
        (4, "its tables are not those of its schema version 4 (it has no table `catalogue`)"),
        (6, "its tables are not those of its schema version 6 (it has a table `dossier_standings`, which version 6 does not)"),
    ] {
        let (_scratch, path) = set_back("read-set-back", version);
        let before = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let err = SqliteStore::open_read_only(&path).map(drop).err();
        let err = err.unwrap_or_else(|| panic!("version {version} was read"));
        assert!(matches!(err, SqliteError::NotAStore { .. }), "{err:?}");
        assert!(err.to_string().contains(reason), "{err}");
        assert_eq!(std::fs::read(&path).unwrap_or_default(), before, "changed");
    }
}

#[test]
fn a_missing_file_is_not_created_by_open_existing() {
    let scratch = Scratch::new("missing");
    let path = scratch.path("none.db");
    assert!(matches!(
        SqliteStore::open_existing(&path),
        Err(SqliteError::Missing { .. })
    ));
    assert!(!path.exists());
}

#[test]
fn a_new_store_is_marked_and_versioned() {
    let scratch = Scratch::new("marked");
    let path = scratch.path("store.db");
    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let pragma = |name: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(pragma("application_id"), APPLICATION_ID);
    assert_eq!(pragma("user_version"), SCHEMA_VERSION);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(mode, "wal");
}

#[test]
fn a_conflict_changes_nothing_on_disk() {
    let scratch = Scratch::new("conflict");
    let path = scratch.path("store.db");
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 3,
        seed: 7,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let first = sample.events.iter().find(|e| e.sequence == 1).cloned();
    let Some(first) = first else { return };
    let dossier = first.dossier_id.clone();
    store
        .append(&dossier, ExpectedVersion::NoStream, &[first])
        .unwrap_or_else(|e| panic!("{e}"));
    let second: Vec<_> = sample
        .events
        .iter()
        .filter(|e| e.dossier_id == dossier && e.sequence == 2)
        .cloned()
        .collect();
    let err = store.append(&dossier, ExpectedVersion::NoStream, &second);
    assert!(matches!(
        err,
        Err(motcua_store::StoreError::Conflict { actual: 1, .. })
    ));
    assert_eq!(store.last_position().ok(), Some(1));
    drop(store);
    let reopened = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reopened.last_position().ok(), Some(1));
}
