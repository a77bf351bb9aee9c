//! Scratch directories for the tests (removed when dropped), and stores of generated dossiers.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A fresh directory under the system's temporary directory.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(tag: &str) -> Scratch {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("motcua-sqlite-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        Scratch(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    #[allow(dead_code)]
    pub fn dir(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A store file at `path` holding a generated province-year of `dossiers` dossiers (year
/// 2024), imported as `motcua import` does; the sample it came from.
#[allow(dead_code)]
pub fn imported_sample(path: &Path, dossiers: usize, seed: u64) -> motcua_gen::Sample {
    let store = motcua_sqlite::SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"));
    sample_into(&store, dossiers, seed)
}

/// [`imported_sample`] into an open store (a file or in memory).
#[allow(dead_code)]
pub fn sample_into(
    store: &motcua_sqlite::SqliteStore,
    dossiers: usize,
    seed: u64,
) -> motcua_gen::Sample {
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers,
        seed,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    motcua_store::import_events(
        store,
        sample.events.clone(),
        &sample.catalogue,
        &motcua_store::ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sample
}

/// Turns the store file at `path` (of this version, closed) back into the catalogue layout of
/// the schema before [`motcua_sqlite::CATALOGUE_RECORDS_SINCE`] (4): the latest catalogue
/// record as the one `catalogue` row, no records, no table of standings (schema 7), and that
/// `user_version`. Other later changes are the caller's.
#[allow(dead_code)]
pub fn catalogue_before_records(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "CREATE TABLE catalogue (id INTEGER PRIMARY KEY CHECK (id = 1), body TEXT NOT NULL);
         INSERT INTO catalogue (id, body)
             SELECT 1, body FROM catalogue_records ORDER BY number DESC LIMIT 1;
         DROP TABLE catalogue_records;
         DROP TRIGGER events_changed_under_standings; DROP TRIGGER events_removed_under_standings;
         DROP TRIGGER events_inserted_under_standings;
         DROP TABLE dossier_standings; DROP TABLE standings_head;",
    )
    .and_then(|()| {
        conn.pragma_update(
            None,
            "user_version",
            motcua_sqlite::CATALOGUE_RECORDS_SINCE - 1,
        )
    })
    .unwrap_or_else(|e| panic!("{e}"));
}

/// Events as JSON Lines, as an import reads them.
#[allow(dead_code)]
pub fn jsonl(events: &[motcua_core::Event]) -> String {
    let mut out = Vec::new();
    motcua_io::write_events(&mut out, events).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
}
