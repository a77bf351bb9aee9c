//! The full report of a PostgreSQL store, beside its floor in the same run: a generated
//! province-year written as `motcua gen --store postgres://…` writes it (the generator's events
//! in time order through the import path, one import session), then
//!
//! - the floor: a plain `postgres` loop over `SELECT body FROM motcua_events` (heap order),
//!   touching every body; beside it the raw read of the table of standings;
//! - [`motcua::pipeline::report_store`] from the events (read newest first), on every core;
//! - every dossier's standing built (`rebuild_standings`, as `import` and `gen --store` build
//!   it after their writes), and the report read from it on one thread and on every core,
//!   checked equal to the report from the events.
//!
//! ```text
//! MOTCUA_PG_URL=… cargo bench --bench pg_report --features postgres -- 10000 100000
//! ```
//!
//! Without `MOTCUA_PG_URL` it says so and measures nothing. Each size's store is kept in the
//! schema `motcua_bench_report_N` and built once (a schema left without its table of
//! standings current is built again); `MOTCUA_E2E_RUNS` runs each measurement (default 3),
//! the minimum and median printed.

use motcua::calendar::Calendar;
use motcua::gen::{generate_stream, GenConfig};
use motcua::metrics::{LevelHistory, Period};
use motcua::pipeline::{report_store, ReportRun};
use motcua::postgres::PgStore;
use motcua::store::standings::{rebuild_standings, StandingTable};
use motcua::store::{import_results, EventStore, ImportOptions};
use motcua::{Catalogue, Context};
use postgres::fallible_iterator::FallibleIterator;
use std::time::Instant;
use time::macros::datetime;

// Its data folder is not used: the data sets live in PostgreSQL schemas.
#[allow(dead_code)]
#[path = "common/bench_args.rs"]
mod bench_args;
#[path = "common/from_standings.rs"]
mod from_standings;
#[path = "common/timing.rs"]
mod timing;

use timing::{secs, timed};

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("pg_report: {what}: {e}");
    std::process::exit(1)
}

fn main() {
    let Ok(url) = std::env::var("MOTCUA_PG_URL") else {
        eprintln!("pg_report: MOTCUA_PG_URL is not set; nothing measured");
        return;
    };
    let bench_args::BenchArgs { sizes, runs, .. } = bench_args::bench_args(
        "pg_report",
        100_000,
        "MOTCUA_E2E_DIR",
        "e2e",
        "MOTCUA_E2E_RUNS",
    );
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("pg_report: {cores} cores, {runs} runs per measurement");
    for n in sizes {
        let schema = format!("motcua_bench_report_{n}");
        let (store, catalogue) = province(&url, &schema, n);
        measure(&url, &store, &catalogue, n, runs, cores);
    }
}

/// The store of `n` generated dossiers (seed 7, year 2024) in `schema`, built if it is not
/// there whole, and its catalogue.
fn province(url: &str, schema: &str, n: usize) -> (PgStore, Catalogue) {
    let calendar = Calendar::vietnam();
    let config = GenConfig {
        dossiers: n,
        seed: 7,
        year: 2024,
    };
    let stream = generate_stream(&config, &calendar).unwrap_or_else(|e| fail("gen", e));
    let catalogue = stream.catalogue().clone();
    let store = PgStore::connect(url, schema).unwrap_or_else(|e| fail("store", e));
    let whole = store
        .standings_state()
        .is_ok_and(|s| s.head.is_some_and(|h| h.position > 0));
    if whole {
        return (store, catalogue);
    }
    store.drop_schema().unwrap_or_else(|e| fail("store", e));
    let store = PgStore::connect(url, schema).unwrap_or_else(|e| fail("store", e));
    let started = Instant::now();
    eprintln!("building {schema} ({n} dossiers, once)…");
    import_results(
        &store,
        stream,
        &catalogue,
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| fail("import", e));
    let mut client = client(url);
    client
        .batch_execute(&format!("VACUUM ANALYZE {schema}.motcua_events"))
        .unwrap_or_else(|e| fail("vacuum", e));
    // Marks the store whole (a build cut short is built again); the measurement rebuilds it.
    let context = Context::new(&catalogue, &calendar);
    rebuild_standings(&store, &context, 0).unwrap_or_else(|e| fail("standings", e));
    eprintln!("built {schema} in {:.1?}", started.elapsed());
    (store, catalogue)
}

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| fail("connect", e))
}

/// A plain `postgres` loop over `sql`'s rows, streamed, touching every byte of the last
/// column: (rows, bytes).
fn raw(url: &str, sql: &str) -> (u64, u64) {
    let mut client = client(url);
    let mut rows = client
        .query_raw(sql, std::iter::empty::<&dyn postgres::types::ToSql>())
        .unwrap_or_else(|e| fail("raw", e));
    let (mut n, mut bytes) = (0u64, 0u64);
    while let Some(row) = rows.next().unwrap_or_else(|e| fail("raw", e)) {
        let last = row.len() - 1;
        let body: &[u8] = row
            .try_get::<_, Option<&[u8]>>(last)
            .or_else(|_| row.try_get::<_, &str>(last).map(|s| Some(s.as_bytes())))
            .unwrap_or_else(|e| fail("raw", e))
            .unwrap_or_default();
        bytes += body.len() as u64 + u64::from(body.first().is_some_and(|b| *b == b'{'));
        n += 1;
    }
    (n, bytes)
}

fn measure(url: &str, store: &PgStore, catalogue: &Catalogue, n: usize, runs: usize, cores: usize) {
    let schema = store.schema();
    let events = store.last_position().unwrap_or_else(|e| fail("store", e));
    println!("\n== {n} dossiers, {events} events (PostgreSQL schema {schema}) ==");
    let calendar = Calendar::vietnam();
    let levels = LevelHistory::vietnam();
    let period = Period::new(
        datetime!(2024-01-01 0:00 +7),
        datetime!(2024-12-31 17:00 +7),
    )
    .unwrap_or_else(|e| fail("period", e));
    let context = Context::new(catalogue, &calendar);
    let run = ReportRun::new(context, period, &levels);
    let floor_sql = format!("SELECT body FROM {schema}.motcua_events");
    let (floor_min, floor_med, (rows, _)) = timed(runs, || raw(url, &floor_sql));
    assert_eq!(rows, events, "the floor read another number of rows");
    // A fingerprint no CLI uses: the table is rebuilt for this run.
    let fingerprint = motcua::store::open_dossiers::fingerprint(&[b"pg_report"]);
    let (built_time, _, built) = timed(1, || {
        rebuild_standings(store, &context, fingerprint).unwrap_or_else(|e| fail("standings", e))
    });
    assert_eq!(built.position, events);
    let standings_sql =
        format!("SELECT dossier_id, first_second, standing FROM {schema}.motcua_dossier_standings");
    let (raw_st_min, raw_st_med, (rows, _)) = timed(runs, || raw(url, &standings_sql));
    assert_eq!(rows as usize, n, "a row per dossier");
    // From the events: the run names no fingerprint, so the table is not read.
    let (ev_min, ev_med, from_events) = timed(runs, || {
        report_store(store, &run.clone().threads(cores)).unwrap_or_else(|e| fail("report", e))
    });
    let floor = secs(floor_min);
    println!(
        "pg     floor: raw read of the bodies in heap order {floor:.3} s (median {:.3})",
        secs(floor_med)
    );
    println!(
        "pg     raw read of the table of standings {:.3} s (median {:.3}): {:.2}x floor",
        secs(raw_st_min),
        secs(raw_st_med),
        secs(raw_st_min) / floor
    );
    println!(
        "pg     motcua report from events (newest first), {cores} threads {:.3} s (median {:.3}): {:.2}x floor",
        secs(ev_min),
        secs(ev_med),
        secs(ev_min) / floor
    );
    println!(
        "pg     standings built (one scan of the log, as import and gen --store do): {:.3} s, {} dossiers",
        secs(built_time),
        built.dossiers
    );
    from_standings::report_from_standings(
        "pg",
        store,
        &run,
        fingerprint,
        (runs, cores),
        &from_events,
        floor,
        n,
    );
}
