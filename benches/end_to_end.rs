//! End to end: a generated province-year from a SQLite store, and from JSON Lines, to the full
//! report (every view, every indicator, the overdue list), side by side with the time plain
//! code needs only to read the same data:
//!
//! - store: the store is built as a host's commands build it (`common/province_store.rs`: the
//!   generator's events in time order through `motcua import`'s path, dossiers interleaved in
//!   the table). Its floor is a plain `rusqlite` loop over `SELECT body FROM events` in storage
//!   order touching every body (the sequential read of the file); beside it the same rows read
//!   in dossier order through the index, motcua's newest-first scan (read, group, decode),
//!   [`motcua::pipeline::report_store`] on one thread and on every core, then every dossier's
//!   standing built (`motcua::store::standings`, as `import` and `gen --store` build it) and
//!   the report read from it, on one thread and on every core (the same report, checked);
//! - JSON Lines: `serde_json` alone deserializing every line into [`motcua::Event`], against
//!   [`motcua::pipeline::report_jsonl`] (parse, check every event, group, view, report).
//!
//! ```text
//! cargo bench --bench end_to_end                      # 1,000,000 dossiers
//! cargo bench --bench end_to_end -- 10000 100000 1000000 10000000
//! ```
//!
//! Data sets are generated once (seed 7, year 2024) and kept in `target/e2e/` (or
//! `MOTCUA_E2E_DIR`); above 1,000,000 dossiers no JSON Lines file is written (the store is
//! imported straight from the generator, as `motcua gen --store` does) and the JSON Lines side
//! is skipped. Each measurement runs `MOTCUA_E2E_RUNS` times (default 3) on a warm page cache;
//! the minimum and the median are printed. `MOTCUA_E2E_ONLY=store` skips the JSON Lines side.

use motcua::metrics::{LevelHistory, Period, Report};
use motcua::pipeline::{report_jsonl, report_store, ReportRun};
use motcua::sqlite::SqliteStore;
use motcua::store::codec::compact;
use motcua::store::{standings, DossierScan, EventStore, StoredStream};
use motcua::{calendar::Calendar, Catalogue, Context, DossierId, Event};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use time::macros::datetime;

#[path = "common/bench_args.rs"]
mod bench_args;
#[path = "common/from_standings.rs"]
mod from_standings;
#[path = "common/timing.rs"]
mod timing;

use timing::{secs, timed};
#[path = "common/province_store.rs"]
mod province_store;

/// Above this many dossiers no JSON Lines file is written.
const JSONL_UP_TO: usize = 1_000_000;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("end_to_end: {what}: {e}");
    std::process::exit(1)
}

fn main() {
    let bench_args::BenchArgs { sizes, dir, runs } = bench_args::bench_args(
        "end_to_end",
        1_000_000,
        "MOTCUA_E2E_DIR",
        "e2e",
        "MOTCUA_E2E_RUNS",
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "end_to_end: {cores} cores, {runs} runs per measurement, data in {}",
        dir.display()
    );
    for n in sizes {
        let data = prepare(&dir, n);
        measure(&data, n, runs, cores);
    }
}

struct Data {
    store: PathBuf,
    jsonl: Option<PathBuf>,
    catalogue: Catalogue,
    /// Events in the store.
    events: u64,
}

fn prepare(dir: &Path, n: usize) -> Data {
    let store = dir.join(format!("{n}-imported.db"));
    let store_only = std::env::var("MOTCUA_E2E_ONLY").is_ok_and(|o| o == "store");
    let jsonl = (n <= JSONL_UP_TO && !store_only).then(|| dir.join(format!("{n}.jsonl")));
    let catalogue = province_store::province_store(&store, n, jsonl.as_deref());
    let events = SqliteStore::open_read_only(&store)
        .unwrap_or_else(|e| fail("store", e))
        .last_position()
        .unwrap_or_else(|e| fail("store", e));
    Data {
        store,
        jsonl,
        catalogue,
        events,
    }
}

/// A plain `rusqlite` loop over `sql`'s rows (a body in the last column), touching every body:
/// (rows, bytes).
fn raw_rusqlite(path: &Path, sql: &str) -> (u64, u64) {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| fail("raw", e));
    let mut stmt = conn.prepare(sql).unwrap_or_else(|e| fail("raw", e));
    let last = stmt.column_count() - 1;
    let mut rows = stmt.query([]).unwrap_or_else(|e| fail("raw", e));
    let (mut n, mut bytes) = (0u64, 0u64);
    while let Some(row) = rows.next().unwrap_or_else(|e| fail("raw", e)) {
        let body = row
            .get_ref(last)
            .and_then(|v| Ok(v.as_bytes()?))
            .unwrap_or_else(|e| fail("raw", e));
        bytes += body.len() as u64 + u64::from(body.first().is_some_and(|b| *b == b'{'));
        n += 1;
    }
    (n, bytes)
}

/// The floor: the event bodies in storage order.
const FLOOR: &str = "SELECT body FROM events";
/// The same rows in dossier order, through the (dossier_id, sequence) index.
const BY_DOSSIER: &str = "SELECT position, body FROM events ORDER BY dossier_id, sequence";

/// Dossier ids at `n` evenly spaced positions of the log.
fn sample_ids(path: &Path, events: u64, n: u64) -> Vec<DossierId> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| fail("raw", e));
    let mut stmt = conn
        .prepare("SELECT dossier_id FROM events WHERE position = ?1")
        .unwrap_or_else(|e| fail("raw", e));
    (0..n)
        .map(|k| {
            let position = (events * k / n + 1) as i64;
            let id: String = stmt
                .query_row([position], |r| r.get(0))
                .unwrap_or_else(|e| fail("raw", e));
            DossierId::new(id)
        })
        .collect()
}

fn serde_json_alone(path: &Path) -> u64 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail("jsonl", e));
    let mut n = 0;
    for line in BufReader::with_capacity(1 << 20, file).lines() {
        let line = line.unwrap_or_else(|e| fail("jsonl", e));
        let event: Event = serde_json::from_str(&line).unwrap_or_else(|e| fail("serde_json", e));
        n += event.sequence.min(1);
    }
    n
}

fn measure(data: &Data, n: usize, runs: usize, cores: usize) {
    let calendar = Calendar::vietnam();
    let levels = LevelHistory::vietnam();
    let period = Period::new(
        datetime!(2024-01-01 0:00 +7),
        datetime!(2024-12-31 17:00 +7),
    )
    .unwrap_or_else(|e| fail("period", e));
    let run = ReportRun::new(Context::new(&data.catalogue, &calendar), period, &levels);
    println!("\n== {n} dossiers, {} events ==", data.events);
    let only = std::env::var("MOTCUA_E2E_ONLY").unwrap_or_default();
    let all = if only == "jsonl" {
        None
    } else {
        Some(measure_store(data, &run, n, runs, cores))
    };
    if only == "store" {
        return;
    }
    if let Some(jsonl) = &data.jsonl {
        let (sj_min, sj_med, lines) = timed(runs, || serde_json_alone(jsonl));
        assert_eq!(lines, data.events);
        let (mj_min, mj_med, from_jsonl) = timed(runs, || {
            let file = std::fs::File::open(jsonl).unwrap_or_else(|e| fail("jsonl", e));
            report_jsonl(
                BufReader::with_capacity(1 << 20, file),
                &run.clone().threads(cores),
            )
            .unwrap_or_else(|e| fail("report_jsonl", e))
        });
        if let Some(all) = &all {
            assert!(
                from_jsonl == *all,
                "the JSON Lines and store reports differ"
            );
        }
        println!(
            "jsonl  serde_json alone {:.3} s (median {:.3})",
            secs(sj_min),
            secs(sj_med)
        );
        println!(
            "jsonl  motcua report {:.3} s (median {:.3}): {:.2}x serde_json",
            secs(mj_min),
            secs(mj_med),
            secs(mj_min) / secs(sj_min)
        );
    }
}

fn measure_store(data: &Data, run: &ReportRun<'_>, n: usize, runs: usize, cores: usize) -> Report {
    let calendar = run.context().calendar;
    let period = run.period();
    let (floor_min, floor_med, rows) = timed(runs, || raw_rusqlite(&data.store, FLOOR).0);
    assert_eq!(rows, data.events);
    let (by_id_min, by_id_med, rows) = timed(runs, || raw_rusqlite(&data.store, BY_DOSSIER).0);
    assert_eq!(rows, data.events);
    let store = SqliteStore::open_existing(&data.store).unwrap_or_else(|e| fail("store", e));
    let report = |threads: usize| -> Report {
        report_store(&store, &run.clone().threads(threads)).unwrap_or_else(|e| fail("report", e))
    };
    // One dossier as of the year end, straight from the store: read its stream, view it.
    let ids = sample_ids(&data.store, data.events, 1_000);
    let context = Context::new(&data.catalogue, calendar);
    let (one_q_min, one_q_med, _) = timed(runs, || {
        for id in &ids {
            let events = store
                .read_stream(id)
                .unwrap_or_else(|e| fail("read_stream", e));
            let view = context
                .view_events(&events, period.end)
                .unwrap_or_else(|e| fail("view", e));
            std::hint::black_box(view);
        }
    });
    println!(
        "store  as-of query of one dossier (read its stream + view): {:.1} µs (median {:.1}) over {} dossiers",
        secs(one_q_min) * 1e6 / ids.len() as f64,
        secs(one_q_med) * 1e6 / ids.len() as f64,
        ids.len()
    );
    let (scan_min, scan_med, scanned) = timed(runs, || {
        let mut events = 0u64;
        let mut decoder = compact::Decoder::default();
        let mut decoded = Vec::new();
        store
            .scan_newest_first(|stream: StoredStream| {
                stream.decode_into(&mut decoder, &mut decoded)?;
                events += decoded.len() as u64;
                Ok::<(), motcua::store::StoreError>(())
            })
            .unwrap_or_else(|e| fail("scan", e));
        events
    });
    assert_eq!(scanned, data.events);
    let (one_min, one_med, one) = timed(runs, || report(1));
    let (all_min, all_med, all) = timed(runs, || report(cores));
    assert!(one == all, "one thread and {cores} give different reports");
    // Every dossier's standing, built as `motcua import` and `gen --store` build it after
    // their writes (from scratch: one scan of the log), then the report read from it.
    let fingerprint = motcua::store::open_dossiers::fingerprint(&[b"end_to_end"]);
    let (built_time, _, built) = timed(1, || {
        standings::rebuild_standings(&store, &context, fingerprint)
            .unwrap_or_else(|e| fail("standings", e))
    });
    assert_eq!(built.position, data.events);
    let floor = secs(floor_min);
    println!(
        "store  floor: raw rusqlite read of the bodies in storage order {floor:.3} s (median {:.3})",
        secs(floor_med)
    );
    println!(
        "store  raw rusqlite read in dossier order (index) {:.3} s (median {:.3}): {:.2}x floor",
        secs(by_id_min),
        secs(by_id_med),
        secs(by_id_min) / floor
    );
    println!(
        "store  motcua scan newest first (read + group + decode, no view), 1 thread {:.3} s (median {:.3}): {:.2}x floor",
        secs(scan_min),
        secs(scan_med),
        secs(scan_min) / floor
    );
    println!(
        "store  motcua report, 1 thread {:.3} s (median {:.3}): {:.2}x floor, {:.2} M events/s",
        secs(one_min),
        secs(one_med),
        secs(one_min) / floor,
        data.events as f64 / secs(one_min) / 1e6
    );
    println!(
        "store  motcua report, {cores} threads {:.3} s (median {:.3}): {:.2}x floor, {:.2}x one thread, {:.0} ns per dossier",
        secs(all_min),
        secs(all_med),
        secs(all_min) / floor,
        secs(one_min) / secs(all_min),
        secs(all_min) * 1e9 / n as f64
    );
    println!(
        "store  standings built (one scan of the log, as import and gen --store do): {:.3} s, {} dossiers",
        secs(built_time),
        built.dossiers
    );
    from_standings::report_from_standings(
        "store",
        &store,
        run,
        fingerprint,
        (runs, cores),
        &all,
        floor,
        n,
    );
    all
}
