//! Durable stores: append throughput for batches of 1, 10 and 100 events, read-all
//! throughput, and projection catch-up, each beside the same rows written and read with plain
//! rusqlite / postgres statements in the same run (the ratio is motcua's overhead).
//!
//! `cargo bench --bench store` (SQLite only), or with PostgreSQL:
//! `MOTCUA_PG_URL="host=localhost user=motcua password=motcua dbname=motcua" cargo bench --bench store`
//!
//! SQLite files go to the system's temporary directory, or `MOTCUA_BENCH_DIR` (e.g. `/dev/shm`,
//! where an fsync costs nothing, to compare CPU overheads without the disk's noise).
//!
//! Events are realistic: a generated province (`motcua::gen`), appended in log order, each call
//! carrying the next k events grouped by dossier with expected versions. The raw baseline
//! writes the same rows (position, event id, dossier, sequence, and the body: on SQLite the
//! same compact bytes motcua stores, on PostgreSQL the event as JSON from `serde_json`) in one
//! transaction per call and reads them back decoding each the same way; motcua adds the stream
//! checks (versions, ids), on PostgreSQL its versioned JSON Lines encoding, and the head-row
//! lock that keeps the global order gapless.
//! Both use the same durability: SQLite WAL with `synchronous = FULL`; PostgreSQL's defaults.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use motcua::gen::{generate, GenConfig};
use motcua::postgres::PgStore;
use motcua::sqlite::SqliteStore;
use motcua::store::codec::compact;
use motcua::store::projection::{DossierSummaries, ProjectionRunner};
use motcua::store::{EventStore, ExpectedVersion, InMemoryStore, StreamBatch};
use motcua::{DossierId, Event};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const DOSSIERS: usize = 600;
const PAGE: usize = 1024;

fn events() -> Vec<Event> {
    match generate(&GenConfig {
        dossiers: DOSSIERS,
        seed: 2024,
        year: 2024,
    }) {
        Ok(s) => s.events,
        Err(e) => panic!("generator failed: {e}"),
    }
}

/// The log cut into calls of `k` events each, grouped by dossier with expected versions.
fn calls(events: &[Event], k: usize) -> Vec<Vec<StreamBatch>> {
    let mut versions: BTreeMap<DossierId, u64> = BTreeMap::new();
    events
        .chunks(k)
        .map(|chunk| {
            let mut by_dossier: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
            for e in chunk {
                by_dossier
                    .entry(e.dossier_id.clone())
                    .or_default()
                    .push(e.clone());
            }
            by_dossier
                .into_iter()
                .map(|(dossier_id, events)| {
                    let version = versions.entry(dossier_id.clone()).or_insert(0);
                    let expected = ExpectedVersion::at(*version);
                    *version += events.len() as u64;
                    StreamBatch {
                        dossier_id,
                        expected,
                        events,
                    }
                })
                .collect()
        })
        .collect()
}

static NEXT: AtomicU64 = AtomicU64::new(0);

fn scratch() -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let base = std::env::var_os("MOTCUA_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = base.join(format!("motcua-bench-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    dir
}

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

/// motcua and raw run back to back in every iteration, so both see the same disk and machine
/// load; the ratio of their sums is the overhead figure (separate runs on a shared machine
/// swing far more than the overhead).
#[derive(Default)]
struct Paired {
    motcua: Cell<Duration>,
    raw: Cell<Duration>,
    runs: Cell<u64>,
}

impl Paired {
    /// Runs both `iters` times; returns motcua's total for criterion.
    fn run(
        &self,
        iters: u64,
        motcua: impl Fn() -> Duration,
        raw: impl Fn() -> Duration,
    ) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let m = motcua();
            let r = raw();
            total += m;
            self.motcua.set(self.motcua.get() + m);
            self.raw.set(self.raw.get() + r);
            self.runs.set(self.runs.get() + 1);
        }
        total
    }

    fn report(&self, name: &str) {
        if self.runs.get() == 0 {
            return; // filtered out
        }
        let runs = self.runs.get() as u32;
        let (m, r) = (self.motcua.get() / runs, self.raw.get() / runs);
        eprintln!(
            "PAIRED {name}: motcua {m:.2?}, raw {r:.2?} per run over {runs} paired runs: ratio {:.2}",
            m.as_secs_f64() / r.as_secs_f64().max(f64::MIN_POSITIVE)
        );
    }
}

fn json(event: &Event) -> String {
    ok(serde_json::to_string(event))
}

// ---- SQLite ----------------------------------------------------------------------------

const RAW_SQLITE_SCHEMA: &str = "
    CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        event_id BLOB NOT NULL UNIQUE,
        dossier_id TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        body BLOB NOT NULL,
        UNIQUE (dossier_id, sequence)
    );";

fn raw_sqlite(path: &std::path::Path) -> rusqlite::Connection {
    let conn = ok(rusqlite::Connection::open(path));
    let _: String = ok(conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)));
    ok(conn.pragma_update(None, "synchronous", "FULL"));
    ok(conn.execute_batch(RAW_SQLITE_SCHEMA));
    conn
}

fn raw_sqlite_append(conn: &mut rusqlite::Connection, calls: &[Vec<StreamBatch>]) {
    let mut position = 0i64;
    for call in calls {
        let tx = ok(conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate));
        {
            let mut insert = ok(tx.prepare_cached(
                "INSERT INTO events (position, event_id, dossier_id, sequence, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            ));
            for event in call.iter().flat_map(|b| &b.events) {
                position += 1;
                ok(insert.execute(rusqlite::params![
                    position,
                    event.event_id.as_bytes().as_slice(),
                    event.dossier_id.as_str(),
                    event.sequence as i64,
                    compact::encode(event)
                ]));
            }
        }
        ok(tx.commit());
    }
}

fn raw_sqlite_read_all(conn: &rusqlite::Connection) -> usize {
    let mut stmt = ok(conn.prepare_cached(
        "SELECT position, body FROM events WHERE position > ?1 ORDER BY position LIMIT ?2",
    ));
    let mut from = 0i64;
    let mut n = 0;
    loop {
        let rows: Vec<(i64, Event)> = ok(ok(stmt
            .query_map(rusqlite::params![from, PAGE as i64], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            }))
        .map(|row| row.map(|(p, body)| (p, ok(compact::decode(&body)))))
        .collect::<Result<_, _>>());
        let Some(last) = rows.last().map(|r| r.0) else {
            return n;
        };
        n += rows.len();
        black_box(&rows);
        from = last;
    }
}

fn motcua_read_all<S: EventStore>(store: &S) -> usize {
    let mut from = 0;
    let mut n = 0;
    loop {
        let page = ok(store.read_all(from, PAGE));
        let Some(last) = page.last().map(|s| s.position) else {
            return n;
        };
        n += page.len();
        black_box(&page);
        from = last;
    }
}

/// Events per call size, so that one iteration stays short with an fsync per commit.
fn sizes(all: usize) -> [(usize, usize); 3] {
    [(1, 200.min(all)), (10, 1000.min(all)), (100, all)]
}

fn sqlite_append(c: &mut Criterion, events: &[Event]) {
    let mut group = c.benchmark_group("sqlite_append");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for (k, n) in sizes(events.len()) {
        let calls = calls(&events[..n], k);
        group.throughput(Throughput::Elements(n as u64));
        let paired = Paired::default();
        let motcua_run = || {
            let dir = scratch();
            let store = ok(SqliteStore::open(dir.join("store.db")));
            let start = Instant::now();
            for call in &calls {
                black_box(ok(store.append_streams(call)));
            }
            let elapsed = start.elapsed();
            drop(store);
            let _ = std::fs::remove_dir_all(&dir);
            elapsed
        };
        let raw_run = || {
            let dir = scratch();
            let mut conn = raw_sqlite(&dir.join("raw.db"));
            let start = Instant::now();
            raw_sqlite_append(&mut conn, &calls);
            let elapsed = start.elapsed();
            drop(conn);
            let _ = std::fs::remove_dir_all(&dir);
            elapsed
        };
        group.bench_function(BenchmarkId::new("motcua", k), |b| {
            b.iter_custom(|iters| paired.run(iters, motcua_run, raw_run))
        });
        group.bench_function(BenchmarkId::new("raw", k), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| raw_run()).sum())
        });
        paired.report(&format!("sqlite_append/{k}"));
    }
    group.finish();
}

fn sqlite_read(c: &mut Criterion, events: &[Event]) {
    let dir = scratch();
    let store = ok(SqliteStore::open(dir.join("store.db")));
    for call in calls(events, 100) {
        ok(store.append_streams(&call));
    }
    let mut raw = raw_sqlite(&dir.join("raw.db"));
    raw_sqlite_append(&mut raw, &calls(events, 100));
    let mut group = c.benchmark_group("sqlite_read_all");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("motcua", |b| b.iter(|| motcua_read_all(&store)));
    group.bench_function("raw", |b| b.iter(|| raw_sqlite_read_all(&raw)));
    group.finish();
    let paired = Paired::default();
    let timed = |f: &dyn Fn() -> usize| {
        let start = Instant::now();
        black_box(f());
        start.elapsed()
    };
    paired.run(
        20,
        || timed(&|| motcua_read_all(&store)),
        || timed(&|| raw_sqlite_read_all(&raw)),
    );
    paired.report("sqlite_read_all");
    let _ = std::fs::remove_dir_all(&dir);
}

fn projection(c: &mut Criterion, events: &[Event]) {
    let dir = scratch();
    let sqlite = ok(SqliteStore::open(dir.join("store.db")));
    let memory = InMemoryStore::new();
    for call in calls(events, 100) {
        ok(sqlite.append_streams(&call));
        ok(memory.append_streams(&call));
    }
    let mut group = c.benchmark_group("projection_catch_up");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("sqlite", |b| {
        b.iter(|| {
            let name = format!("bench-{}", NEXT.fetch_add(1, Ordering::Relaxed));
            let mut runner = ok(ProjectionRunner::<_, DossierSummaries>::resume(
                &sqlite, name,
            ));
            ok(runner.catch_up())
        })
    });
    group.bench_function("memory", |b| {
        b.iter(|| {
            let name = format!("bench-{}", NEXT.fetch_add(1, Ordering::Relaxed));
            let mut runner = ok(ProjectionRunner::<_, DossierSummaries>::resume(
                &memory, name,
            ));
            ok(runner.catch_up())
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- PostgreSQL --------------------------------------------------------------------------

fn schema() -> String {
    format!(
        "motcua_bench_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn raw_pg(url: &str) -> (postgres::Client, String) {
    let mut client = ok(postgres::Client::connect(url, postgres::NoTls));
    let schema = schema();
    ok(client.batch_execute(&format!(
        "CREATE SCHEMA {schema}; SET search_path TO {schema};
         CREATE TABLE events (
             position bigint PRIMARY KEY,
             event_id uuid NOT NULL UNIQUE,
             dossier_id text COLLATE \"C\" NOT NULL,
             sequence bigint NOT NULL,
             body text NOT NULL,
             UNIQUE (dossier_id, sequence)
         );"
    )));
    (client, schema)
}

fn raw_pg_append(client: &mut postgres::Client, calls: &[Vec<StreamBatch>]) {
    let mut position = 0i64;
    for call in calls {
        let mut positions = Vec::new();
        let mut ids = Vec::new();
        let mut dossiers = Vec::new();
        let mut sequences = Vec::new();
        let mut bodies = Vec::new();
        for event in call.iter().flat_map(|b| &b.events) {
            position += 1;
            positions.push(position);
            ids.push(event.event_id);
            dossiers.push(event.dossier_id.as_str());
            sequences.push(event.sequence as i64);
            bodies.push(json(event));
        }
        let mut tx = ok(client.transaction());
        ok(tx.execute(
            "INSERT INTO events (position, event_id, dossier_id, sequence, body)
             SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[])",
            &[&positions, &ids, &dossiers, &sequences, &bodies],
        ));
        ok(tx.commit());
    }
}

fn raw_pg_read_all(client: &mut postgres::Client) -> usize {
    let mut from = 0i64;
    let mut n = 0;
    loop {
        let rows = ok(client.query(
            "SELECT position, body FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            &[&from, &(PAGE as i64)],
        ));
        let decoded: Vec<(i64, Event)> = rows
            .iter()
            .map(|r| (r.get(0), ok(serde_json::from_str(r.get(1)))))
            .collect();
        let Some(last) = decoded.last().map(|r| r.0) else {
            return n;
        };
        n += decoded.len();
        black_box(&decoded);
        from = last;
    }
}

fn drop_raw(mut client: postgres::Client, schema: &str) {
    let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
}

fn postgres_benches(c: &mut Criterion, events: &[Event], url: &str) {
    let mut group = c.benchmark_group("postgres_append");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    for (k, n) in sizes(events.len()) {
        let calls = calls(&events[..n], k);
        group.throughput(Throughput::Elements(n as u64));
        let paired = Paired::default();
        let motcua_run = || {
            let store = ok(PgStore::connect(url, &schema()));
            ok(store.last_position()); // warm the pooled connection
            let start = Instant::now();
            for call in &calls {
                black_box(ok(store.append_streams(call)));
            }
            let elapsed = start.elapsed();
            let _ = store.drop_schema();
            elapsed
        };
        let raw_run = || {
            let (mut client, schema) = raw_pg(url);
            let start = Instant::now();
            raw_pg_append(&mut client, &calls);
            let elapsed = start.elapsed();
            drop_raw(client, &schema);
            elapsed
        };
        group.bench_function(BenchmarkId::new("motcua", k), |b| {
            b.iter_custom(|iters| paired.run(iters, motcua_run, raw_run))
        });
        group.bench_function(BenchmarkId::new("raw", k), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| raw_run()).sum())
        });
        paired.report(&format!("postgres_append/{k}"));
    }
    group.finish();

    let store = ok(PgStore::connect(url, &schema()));
    for call in calls(events, 100) {
        ok(store.append_streams(&call));
    }
    let (mut raw, raw_schema) = raw_pg(url);
    raw_pg_append(&mut raw, &calls(events, 100));
    let mut group = c.benchmark_group("postgres_read_all");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("motcua", |b| b.iter(|| motcua_read_all(&store)));
    group.bench_function("raw", |b| b.iter(|| raw_pg_read_all(&mut raw)));
    group.finish();
    let paired = Paired::default();
    let raw = std::cell::RefCell::new(raw);
    let timed = |f: &dyn Fn() -> usize| {
        let start = Instant::now();
        black_box(f());
        start.elapsed()
    };
    paired.run(
        20,
        || timed(&|| motcua_read_all(&store)),
        || timed(&|| raw_pg_read_all(&mut raw.borrow_mut())),
    );
    paired.report("postgres_read_all");
    let raw = raw.into_inner();
    let mut group = c.benchmark_group("projection_catch_up");
    group.sample_size(10);
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("postgres", |b| {
        b.iter(|| {
            let name = format!("bench-{}", NEXT.fetch_add(1, Ordering::Relaxed));
            let mut runner = ok(ProjectionRunner::<_, DossierSummaries>::resume(
                &store, name,
            ));
            ok(runner.catch_up())
        })
    });
    group.finish();
    let _ = store.drop_schema();
    drop_raw(raw, &raw_schema);
}

fn benches(c: &mut Criterion) {
    let events = events();
    eprintln!(
        "store benches: {} events of {DOSSIERS} dossiers",
        events.len()
    );
    sqlite_append(c, &events);
    sqlite_read(c, &events);
    projection(c, &events);
    match std::env::var("MOTCUA_PG_URL") {
        Ok(url) if !url.is_empty() => postgres_benches(c, &events, &url),
        _ => eprintln!(
            "store benches: MOTCUA_PG_URL is not set, so the PostgreSQL benchmarks are SKIPPED"
        ),
    }
}

criterion_group!(store, benches);
criterion_main!(store);
