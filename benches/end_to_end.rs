//! End to end: a generated province-year from a SQLite store, and from JSON Lines, to the full
//! report (every view, every indicator, the overdue list), side by side with the time plain
//! code needs only to read the same data:
//!
//! - store: a plain `rusqlite` loop stepping through the same rows in the same order
//!   (`ORDER BY dossier_id, sequence`) and touching every body, against
//!   [`motcua::pipeline::report_store`] on one thread and on every core;
//! - JSON Lines: `serde_json` alone deserializing every line into [`motcua::Event`], against
//!   [`motcua::pipeline::report_jsonl`] (parse, check every event, group, view, report).
//!
//! ```text
//! cargo bench --bench end_to_end                      # 1,000,000 dossiers
//! cargo bench --bench end_to_end -- 10000 100000 1000000 10000000
//! ```
//!
//! Data sets are generated once (seed 7, year 2024) and kept in `target/e2e/` (or
//! `MOTCUA_E2E_DIR`). Beyond 1,000,000 dossiers the province is sharded as a nation would be:
//! `n / 1,000,000` store files (copies of the 1,000,000-dossier store), reported together with
//! `report_stores`, the raw side reading every file; the JSON Lines side is skipped. Each measurement runs `MOTCUA_E2E_RUNS` times (default 3) on a warm page cache; the
//! minimum and the median are printed. `MOTCUA_E2E_ONLY=store` skips the JSON Lines side.

use motcua::gen::{generate, GenConfig};
use motcua::metrics::{LevelHistory, Period, Report};
use motcua::pipeline::{report_jsonl, report_stores, ReportRun};
use motcua::sqlite::SqliteStore;
use motcua::store::{DossierRange, DossierScan, EventStore, ExpectedVersion, StreamBatch};
use motcua::{calendar::Calendar, Catalogue, Context, DossierId, Event};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use time::macros::datetime;

const SLICE: usize = 1_000_000;

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("end_to_end: {what}: {e}");
    std::process::exit(1)
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| a.parse().unwrap_or_else(|e| fail(&a, e)))
        .collect();
    let sizes = if sizes.is_empty() { vec![SLICE] } else { sizes };
    let dir = std::env::var_os("MOTCUA_E2E_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/e2e"));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail("e2e dir", e));
    let runs: usize = std::env::var("MOTCUA_E2E_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
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
    /// One store, or the shards.
    stores: Vec<PathBuf>,
    jsonl: Option<PathBuf>,
    catalogue: Catalogue,
    /// Events in all stores.
    events: u64,
}

fn prepare(dir: &Path, n: usize) -> Data {
    if n > SLICE {
        if !n.is_multiple_of(SLICE) {
            fail(
                "size",
                "sizes above 1,000,000 must be whole millions (shards of 1,000,000)",
            );
        }
        let one = prepare(dir, SLICE);
        let mut stores = Vec::new();
        for k in 0..n / SLICE {
            let shard = dir.join(format!("{SLICE}-shard{k}.db"));
            if !shard.exists() {
                std::fs::copy(&one.stores[0], &shard).unwrap_or_else(|e| fail("copy", e));
            }
            stores.push(shard);
        }
        return Data {
            stores,
            jsonl: None,
            catalogue: one.catalogue,
            events: one.events * (n / SLICE) as u64,
        };
    }
    let store_path = dir.join(format!("{n}.db"));
    let jsonl_path = dir.join(format!("{n}.jsonl"));
    let catalogue_path = dir.join(format!("{n}.catalogue.json"));
    if store_path.exists() && catalogue_path.exists() {
        let text =
            std::fs::read_to_string(&catalogue_path).unwrap_or_else(|e| fail("catalogue", e));
        let catalogue = motcua::io::read_catalogue(&text).unwrap_or_else(|e| fail("catalogue", e));
        let store = SqliteStore::open_existing(&store_path).unwrap_or_else(|e| fail("store", e));
        let events = store.last_position().unwrap_or_else(|e| fail("store", e));
        return Data {
            stores: vec![store_path],
            jsonl: jsonl_path.exists().then_some(jsonl_path),
            catalogue,
            events,
        };
    }
    let _ = std::fs::remove_file(&store_path);
    let started = Instant::now();
    let sample = generate(&GenConfig {
        dossiers: n,
        seed: 7,
        year: 2024,
    })
    .unwrap_or_else(|e| fail("generate", e));
    write_jsonl(&jsonl_path, &sample.events);
    {
        let store = SqliteStore::open(&store_path).unwrap_or_else(|e| fail("store", e));
        append_in_time_order(&store, &sample.events);
        store
            .save_catalogue(&sample.catalogue)
            .unwrap_or_else(|e| fail("store", e));
    }
    // Fold the write-ahead log into the file, so copies of it are whole.
    let conn = rusqlite::Connection::open(&store_path).unwrap_or_else(|e| fail("store", e));
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap_or_else(|e| fail("checkpoint", e));
    drop(conn);
    std::fs::write(
        &catalogue_path,
        motcua::io::write_catalogue(&sample.catalogue),
    )
    .unwrap_or_else(|e| fail("catalogue", e));
    let events = sample.events.len() as u64;
    println!(
        "prepared {n} dossiers, {events} events in {:.1?}",
        started.elapsed()
    );
    Data {
        stores: vec![store_path],
        jsonl: Some(jsonl_path),
        catalogue: sample.catalogue,
        events,
    }
}

fn write_jsonl(path: &Path, events: &[Event]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| fail("jsonl", e));
    let mut out = BufWriter::new(file);
    for e in events {
        motcua::io::write_event(&mut out, e).unwrap_or_else(|e| fail("jsonl", e));
    }
    out.flush().unwrap_or_else(|e| fail("jsonl", e));
}

/// Appends events as a host would record them: in time order, dossiers interleaved, in calls of
/// 10,000 events.
fn append_in_time_order(store: &SqliteStore, events: &[Event]) {
    for chunk in events.chunks(10_000) {
        let mut batches: BTreeMap<&DossierId, Vec<Event>> = BTreeMap::new();
        for e in chunk {
            batches.entry(&e.dossier_id).or_default().push(e.clone());
        }
        let batches: Vec<StreamBatch> = batches
            .into_iter()
            .map(|(id, events)| StreamBatch {
                dossier_id: id.clone(),
                expected: ExpectedVersion::at(events[0].sequence - 1),
                events,
            })
            .collect();
        store
            .append_streams(&batches)
            .unwrap_or_else(|e| fail("append", e));
    }
}

/// Runs `f` `runs` times; (minimum, median).
fn timed<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut times = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs.max(1) {
        let t = Instant::now();
        let out = f();
        times.push(t.elapsed());
        last = Some(out);
    }
    times.sort();
    let out = last.unwrap_or_else(|| fail("timed", "no run"));
    (times[0], times[times.len() / 2], out)
}

fn raw_rusqlite(path: &Path) -> (u64, u64) {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap_or_else(|e| fail("raw", e));
    let mut stmt = conn
        .prepare("SELECT position, body FROM events ORDER BY dossier_id, sequence")
        .unwrap_or_else(|e| fail("raw", e));
    let mut rows = stmt.query([]).unwrap_or_else(|e| fail("raw", e));
    let (mut n, mut bytes) = (0u64, 0u64);
    while let Some(row) = rows.next().unwrap_or_else(|e| fail("raw", e)) {
        let position: i64 = row.get(0).unwrap_or_else(|e| fail("raw", e));
        let body = row
            .get_ref(1)
            .and_then(|v| Ok(v.as_bytes()?))
            .unwrap_or_else(|e| fail("raw", e));
        bytes += body.len() as u64 + u64::from(position > 0);
        n += 1;
    }
    (n, bytes)
}

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

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
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
    let (raw_min, raw_med, rows) = timed(runs, || {
        data.stores.iter().map(|s| raw_rusqlite(s).0).sum::<u64>()
    });
    assert_eq!(rows, data.events);
    let shards: Vec<SqliteStore> = data
        .stores
        .iter()
        .map(|p| SqliteStore::open_existing(p).unwrap_or_else(|e| fail("store", e)))
        .collect();
    let named: Vec<(&str, &SqliteStore)> = shards.iter().map(|s| ("shard", s)).collect();
    let store = &shards[0];
    if shards.len() > 1 {
        println!("({} shards of {SLICE} dossiers)", shards.len());
    }
    let report = |threads: usize| -> Report {
        report_stores(&named, &run.clone().threads(threads)).unwrap_or_else(|e| fail("report", e))
    };
    // One dossier as of the year end, straight from the store: read its stream, view it.
    let ids = sample_ids(
        &data.stores[0],
        store.last_position().unwrap_or_else(|e| fail("store", e)),
        1_000,
    );
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
        for store in &shards {
            store
                .scan_dossiers(&DossierRange::ALL, |stream: &[Event]| {
                    events += stream.len() as u64;
                    Ok::<(), motcua::store::StoreError>(())
                })
                .unwrap_or_else(|e| fail("scan", e));
        }
        events
    });
    assert_eq!(scanned, data.events);
    let (one_min, one_med, one) = timed(runs, || report(1));
    let (all_min, all_med, all) = timed(runs, || report(cores));
    assert!(one == all, "one thread and {cores} give different reports");
    println!(
        "store  raw rusqlite read {:.3} s (median {:.3})",
        secs(raw_min),
        secs(raw_med)
    );
    println!(
        "store  motcua scan (read + decode, no view), 1 thread {:.3} s (median {:.3}): {:.2}x raw",
        secs(scan_min),
        secs(scan_med),
        secs(scan_min) / secs(raw_min)
    );
    println!(
        "store  motcua report, 1 thread {:.3} s (median {:.3}): {:.2}x raw, {:.2} M events/s",
        secs(one_min),
        secs(one_med),
        secs(one_min) / secs(raw_min),
        data.events as f64 / secs(one_min) / 1e6
    );
    println!(
        "store  motcua report, {cores} threads {:.3} s (median {:.3}): {:.2}x raw, {:.2}x one thread, {:.0} ns per dossier",
        secs(all_min),
        secs(all_med),
        secs(all_min) / secs(raw_min),
        secs(one_min) / secs(all_min),
        secs(all_min) * 1e9 / n as f64
    );
    println!(
        "report received {}, overdue listed {}",
        all.province().received,
        all.overdue().len()
    );
    all
}
