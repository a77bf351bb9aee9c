//! Import beside its floor: `motcua import`'s path (read and check a JSON Lines file of a
//! generated province-year in time order, encode, link and append every event in one
//! transaction) against the raw insert of the very rows it writes.
//!
//! - floor: the rows of an imported store (position, event id, dossier id, sequence, body,
//!   link), read into memory beforehand, inserted by a plain `rusqlite` prepared statement into
//!   a new file with the same schema (the store's own, both unique indexes), in one
//!   transaction, with the same page cache and synchronous setting as an import, committed.
//!   Two ways: with both indexes kept up at each insert ("floor live"), and the fastest way
//!   SQLite knows, both indexes (event ids; dossier and sequence) dropped in the transaction
//!   and built once after the inserts ("floor after"), as an import into an empty store does;
//! - import: [`motcua::store::import_jsonl_with`] from the JSON Lines file into a new store
//!   file, as `motcua import --catalog` runs it (the catalogue kept in the same transaction);
//! - projection: the open-dossier list brought up to date afterwards, as `motcua import` does
//!   before it returns (reported apart: the floor has no such table).
//!
//! ```text
//! cargo bench --bench import                          # 100,000 dossiers
//! cargo bench --bench import -- 10000 100000 1000000
//! ```
//!
//! Data sets (seed 7, year 2024) are generated once and kept in `target/import/` (or
//! `MOTCUA_IMPORT_DIR`): the JSON Lines file as `motcua gen --out` writes it and a store
//! imported from it, whose rows the floor inserts. Each measurement runs `MOTCUA_IMPORT_RUNS`
//! times (default 3), floor and import alternating, into files removed before each run; the
//! minimum and the median are printed.

use motcua::calendar::Calendar;
use motcua::sqlite::SqliteStore;
use motcua::store::open_dossiers::{catch_up, fingerprint};
use motcua::store::{import_jsonl_with, EventStore, ImportOptions};
use motcua::{Catalogue, Context};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[path = "common/bench_args.rs"]
mod bench_args;
#[path = "common/province_store.rs"]
mod province_store;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("import: {what}: {e}");
    std::process::exit(1)
}

/// The page cache of an import session (`IMPORT_CACHE_KIB` in `motcua-sqlite`), given to the
/// floor's connection too.
const CACHE_KIB: i64 = 32 * 1024;

fn main() {
    let bench_args::BenchArgs { sizes, dir, runs } = bench_args::bench_args(
        "import",
        100_000,
        "MOTCUA_IMPORT_DIR",
        "import",
        "MOTCUA_IMPORT_RUNS",
    );
    println!(
        "import: {runs} runs per measurement, floor and import alternating, data in {}",
        dir.display()
    );
    println!(
        "{:>10} {:>11} {:>11} {:>11} {:>11} {:>7} {:>7} {:>13} {:>13} {:>11}",
        "dossiers",
        "events",
        "floor live",
        "floor after",
        "import",
        "/live",
        "/after",
        "after/event",
        "import/event",
        "projection"
    );
    for n in sizes {
        measure(&dir, n, runs);
    }
}

/// One stored row, as the import wrote it.
struct Row {
    position: i64,
    event_id: Vec<u8>,
    dossier_id: String,
    sequence: i64,
    body: rusqlite::types::Value,
    link: Vec<u8>,
}

fn stored_rows(store: &Path) -> Vec<Row> {
    let conn =
        rusqlite::Connection::open_with_flags(store, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| fail("rows", e));
    let mut stmt = conn
        .prepare(
            "SELECT position, event_id, dossier_id, sequence, body, link FROM events \
             ORDER BY position",
        )
        .unwrap_or_else(|e| fail("rows", e));
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                position: r.get(0)?,
                event_id: r.get(1)?,
                dossier_id: r.get(2)?,
                sequence: r.get(3)?,
                body: r.get(4)?,
                link: r.get(5)?,
            })
        })
        .unwrap_or_else(|e| fail("rows", e));
    rows.map(|r| r.unwrap_or_else(|e| fail("rows", e)))
        .collect()
}

fn remove_store(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// A new store file with motcua's schema and no events.
fn empty_store(path: &Path) {
    remove_store(path);
    drop(SqliteStore::open(path).unwrap_or_else(|e| fail("store", e)));
}

/// The floor: `rows` inserted into the empty store at `path` in one transaction; with
/// `indexes_after`, both indexes dropped first and built after the inserts.
fn raw_insert(path: &Path, rows: &[Row], indexes_after: bool) -> Duration {
    empty_store(path);
    let started = Instant::now();
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| fail("floor", e));
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL; PRAGMA cache_size = -{CACHE_KIB}; BEGIN IMMEDIATE"
    ))
    .unwrap_or_else(|e| fail("floor", e));
    if indexes_after {
        conn.execute_batch("DROP INDEX events_by_event_id; DROP INDEX events_by_dossier")
            .unwrap_or_else(|e| fail("floor", e));
    }
    {
        let mut insert = conn
            .prepare(
                "INSERT INTO events (position, event_id, dossier_id, sequence, body, link) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .unwrap_or_else(|e| fail("floor", e));
        for row in rows {
            insert
                .execute(rusqlite::params![
                    row.position,
                    row.event_id,
                    row.dossier_id,
                    row.sequence,
                    row.body,
                    row.link
                ])
                .unwrap_or_else(|e| fail("floor", e));
        }
    }
    if indexes_after {
        conn.execute_batch(
            "CREATE UNIQUE INDEX events_by_dossier ON events (dossier_id, sequence);
             CREATE UNIQUE INDEX events_by_event_id ON events (event_id)",
        )
        .unwrap_or_else(|e| fail("floor", e));
    }
    conn.execute_batch("COMMIT")
        .unwrap_or_else(|e| fail("floor", e));
    drop(conn);
    started.elapsed()
}

/// `motcua import --catalog` of `jsonl` into a new store at `path`.
fn import(path: &Path, jsonl: &Path, catalogue: &Catalogue) -> (Duration, u64) {
    remove_store(path);
    let started = Instant::now();
    let store = SqliteStore::open(path).unwrap_or_else(|e| fail("store", e));
    let lines = std::fs::File::open(jsonl).unwrap_or_else(|e| fail("jsonl", e));
    let options = ImportOptions {
        keep_catalogue: true,
        ..ImportOptions::default()
    };
    let summary = import_jsonl_with(
        &store,
        BufReader::with_capacity(1 << 20, lines),
        catalogue,
        &options,
        &mut |_| {},
    )
    .unwrap_or_else(|e| fail("import", e));
    drop(store);
    (started.elapsed(), summary.events_imported)
}

/// The open-dossier list brought up to date on the store at `path`.
fn projection(path: &Path, catalogue: &Catalogue) -> Duration {
    let calendar = Calendar::vietnam();
    let context = Context::new(catalogue, &calendar);
    let started = Instant::now();
    let store = SqliteStore::open(path).unwrap_or_else(|e| fail("store", e));
    let key = fingerprint(&[
        b"bench import",
        motcua::io::write_catalogue(catalogue).as_bytes(),
    ]);
    catch_up(&store, &context, key, 10_000).unwrap_or_else(|e| fail("projection", e));
    started.elapsed()
}

fn min_median(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    (times[0], times[times.len() / 2])
}

fn measure(dir: &Path, n: usize, runs: usize) {
    let reference = dir.join(format!("{n}-imported.db"));
    let jsonl = dir.join(format!("{n}.jsonl"));
    let catalogue = province_store::province_store(&reference, n, Some(&jsonl));
    let rows = stored_rows(&reference);
    let events = rows.len() as u64;
    let scratch = dir.join(format!("{n}-scratch.db"));
    let (mut floors, mut afters, mut imports, mut projections) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs.max(1) {
        floors.push(raw_insert(&scratch, &rows, false));
        afters.push(raw_insert(&scratch, &rows, true));
        let (took, imported) = import(&scratch, &jsonl, &catalogue);
        if imported != events {
            fail(
                "import",
                format!("{imported} events imported, the reference store holds {events}"),
            );
        }
        imports.push(took);
        projections.push(projection(&scratch, &catalogue));
    }
    // The import wrote what the floor wrote.
    let written = SqliteStore::open_read_only(&scratch)
        .unwrap_or_else(|e| fail("store", e))
        .last_position()
        .unwrap_or_else(|e| fail("store", e));
    if written != events {
        fail(
            "import",
            format!("{written} events stored, expected {events}"),
        );
    }
    remove_store(&scratch);
    let (floor, floor_median) = min_median(floors);
    let (after, after_median) = min_median(afters);
    let (import, import_median) = min_median(imports);
    let (projection, _) = min_median(projections);
    let per = |d: Duration| d.as_nanos() as f64 / events.max(1) as f64;
    println!(
        "{n:>10} {events:>11} {:>10.3}s {:>10.3}s {:>10.3}s {:>6.2}× {:>6.2}× {:>10.0} ns {:>10.0} ns {:>10.3}s",
        floor.as_secs_f64(),
        after.as_secs_f64(),
        import.as_secs_f64(),
        import.as_secs_f64() / floor.as_secs_f64(),
        import.as_secs_f64() / after.as_secs_f64(),
        per(after),
        per(import),
        projection.as_secs_f64(),
    );
    println!(
        "{:>10} medians: floor live {:.3} s, floor after {:.3} s, import {:.3} s",
        "",
        floor_median.as_secs_f64(),
        after_median.as_secs_f64(),
        import_median.as_secs_f64()
    );
}
