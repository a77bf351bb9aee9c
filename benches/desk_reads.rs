//! The live desk's reads with the store held open, as a host's server holds it (one process,
//! connections kept): a unit's open dossiers judged as of an instant, and a day's alarms (from
//! the standings and handlers, and, beside it, from the dossiers' events as before), read
//! through the open-dossier projection ([`OpenReader`]) and judged as `motcua dossiers` and
//! `motcua alarms` judge them — beside their floor in the same run, the unit's standings read
//! raw (`SELECT dossier_id, standing … WHERE unit = ?`, every byte fetched, nothing decoded)
//! through a plain client on the same database.
//!
//! `python3 benches/desk_lists.py` times the same reads as whole `motcua` processes (start-up,
//! catalogue, connection and all); this is what they cost a host that keeps its store open.
//!
//! ```text
//! cargo bench --bench desk_reads --features "sqlite postgres"
//! MOTCUA_DESK_STORES=big.db,postgres://motcua:motcua@localhost/motcua_big \
//!     cargo bench --bench desk_reads --features "sqlite postgres"
//! ```
//!
//! `MOTCUA_DESK_STORES`: comma-separated stores as `motcua gen --store` writes them (events in
//! time order, the projection kept): SQLite files, or PostgreSQL URLs (schema `motcua`, or the
//! one after `#`). Without it, a 100,000-dossier SQLite store is built once through the import
//! path (`common/province_store.rs`: the generator's events in time order through
//! `import_results`, then the projection caught up) in `target/desk-reads/`. Lists are judged as of 2025-01-02 08:00 (+07:00); alarms over
//! 2 January 2025, the first working day after the generated year.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use motcua::calendar::Calendar;
use motcua::postgres::PgStore;
use motcua::sqlite::SqliteStore;
use motcua::store::open_dossiers::{OpenDossierTable, OpenEntry, OpenReader, Selection};
use motcua::store::EventStore;
use motcua::{Catalogue, Context, DossierHandlers, UnitId};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
use time::macros::datetime;
use time::OffsetDateTime;

#[path = "common/province_store.rs"]
mod province_store;

const AS_OF: OffsetDateTime = datetime!(2025-01-02 08:00 +07:00);
const DAY: (OffsetDateTime, OffsetDateTime) = (
    datetime!(2025-01-02 00:00 +07:00),
    datetime!(2025-01-03 00:00 +07:00),
);

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("desk_reads: {what}: {e}");
    std::process::exit(1)
}

/// A store under measurement, held open, with a plain client on the same database.
enum Held {
    Sqlite(SqliteStore, rusqlite::Connection),
    Postgres(Box<PgStore>, std::cell::RefCell<postgres::Client>, String),
}

impl Held {
    fn open(spec: &str) -> Held {
        if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
            let (url, schema) = spec.split_once('#').unwrap_or((spec, "motcua"));
            let store = PgStore::connect_read_only(url, schema).unwrap_or_else(|e| fail(spec, e));
            let client =
                postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| fail(spec, e));
            Held::Postgres(Box::new(store), client.into(), schema.to_owned())
        } else {
            let store = SqliteStore::open_read_only(spec).unwrap_or_else(|e| fail(spec, e));
            let raw = rusqlite::Connection::open_with_flags(
                spec,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap_or_else(|e| fail(spec, e));
            Held::Sqlite(store, raw)
        }
    }

    fn catalogue(&self) -> Option<Catalogue> {
        match self {
            Held::Sqlite(store, _) => store.catalogue().ok().flatten(),
            Held::Postgres(store, ..) => store.catalogue().ok().flatten(),
        }
    }

    fn label(&self) -> &'static str {
        match self {
            Held::Sqlite(..) => "SQLite",
            Held::Postgres(..) => "PostgreSQL",
        }
    }

    /// The floor: `unit`'s standings, every byte fetched, nothing decoded.
    fn raw_standings(&self, unit: &str) -> usize {
        match self {
            Held::Sqlite(_, raw) => {
                let mut stmt = raw
                    .prepare_cached(
                        "SELECT dossier_id, standing FROM open_standings WHERE unit = ?1
                          ORDER BY dossier_id",
                    )
                    .unwrap_or_else(|e| fail("raw read", e));
                let mut rows = stmt.query([unit]).unwrap_or_else(|e| fail("raw read", e));
                let mut bytes = 0;
                while let Some(row) = rows.next().unwrap_or_else(|e| fail("raw read", e)) {
                    let id = row.get_ref(0).map(|v| v.as_bytes().map_or(0, <[u8]>::len));
                    let standing = row.get_ref(1).map(|v| v.as_bytes().map_or(0, <[u8]>::len));
                    bytes += id.unwrap_or(0) + standing.unwrap_or(0);
                }
                bytes
            }
            Held::Postgres(_, client, schema) => {
                // In one query, in whatever order the server finds them cheapest.
                let sql = format!(
                    "SELECT dossier_id, standing FROM {schema}.motcua_open_standings
                      WHERE unit = $1"
                );
                let rows = client
                    .borrow_mut()
                    .query_typed(&sql, &[(&unit, postgres::types::Type::TEXT)])
                    .unwrap_or_else(|e| fail("raw read", e));
                rows.iter()
                    .map(|row| {
                        row.get::<_, &str>(0).len()
                            + row.get::<_, Option<&[u8]>>(1).map_or(0, <[u8]>::len)
                    })
                    .sum()
            }
        }
    }
}

/// The projection's reader for judging at `at` (the benchmark stops when it cannot answer).
fn reader_at<S>(store: &S, at: OffsetDateTime) -> OpenReader<'_, S>
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    OpenReader::open(store, at)
        .unwrap_or_else(|e| fail("projection", e))
        .unwrap_or_else(|| fail("projection", format!("cannot answer as of {at}")))
}

/// What a desk's list does: the projection read as of [`AS_OF`], the selected dossiers judged
/// (their view and next alarms), the open ones counted.
fn list<S>(store: &S, context: &Context<'_>, selection: Selection<'_>) -> usize
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    let reader = reader_at(store, AS_OF);
    let key = reader.head().context;
    let mut decoder = motcua::store::codec::compact::Decoder::default();
    let mut open = 0;
    reader
        .each_page(selection, key, 512, |page| {
            for entry in page {
                let entry = reader
                    .decoded(entry, &mut decoder)
                    .unwrap_or_else(|e| fail("projection", e));
                let judged = match entry {
                    OpenEntry::Standing(standing, _) => {
                        context.view_and_alarms_at(*standing, AS_OF)
                    }
                    OpenEntry::Events(events) => context.view_and_alarms(&events, AS_OF),
                    OpenEntry::Stored(id, _) => fail("projection", format!("{id} not decoded")),
                };
                let (view, alarms) = judged.unwrap_or_else(|e| fail("judging", e));
                if !view.status.is_finished() {
                    open += 1;
                }
                std::hint::black_box(alarms.first());
            }
            std::ops::ControlFlow::Continue(())
        })
        .unwrap_or_else(|e| fail("list", e));
    open
}

/// What `motcua alarms` does for a day: the dossiers whose alarm instants fall in it, read
/// through the alarm index with their standings and handlers, judged as of its start; their
/// alarms in it counted, each with who answers for it.
fn day_alarms<S>(store: &S, context: &Context<'_>) -> usize
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    let (from, until) = DAY;
    let reader = reader_at(store, from);
    let key = reader.head().context;
    let entries = reader
        .entries_with_handlers(Selection::Ringing { after: from, until }, key)
        .unwrap_or_else(|e| fail("alarms", e));
    entries
        .into_iter()
        .map(|entry| match entry {
            OpenEntry::Standing(standing, Some(handlers)) => {
                let (view, alarms) = context
                    .view_and_alarms_at(*standing, from)
                    .unwrap_or_else(|e| fail("judging", e));
                ringing_by(&view, &handlers, &alarms, until)
            }
            OpenEntry::Events(events) => day_alarms_of(context, &events),
            OpenEntry::Standing(standing, None) => fail(
                "alarms",
                format!("{} came without its handlers", standing.view.dossier_id),
            ),
            OpenEntry::Stored(id, _) => fail("alarms", format!("{id} not decoded")),
        })
        .sum()
}

/// The same day's alarms as `motcua alarms` judged them before standings kept handlers: the
/// dossiers' events read from the projection's rows and folded, the handlers taken from them.
fn day_alarms_from_events<S>(store: &S, context: &Context<'_>) -> usize
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    let (from, until) = DAY;
    let reader = reader_at(store, from);
    let streams = reader
        .ringing(from, until, reader.head().context)
        .unwrap_or_else(|e| fail("alarms", e));
    streams
        .iter()
        .map(|events| day_alarms_of(context, events))
        .sum()
}

/// One dossier's alarms of the day from its events, each with who answers for it.
fn day_alarms_of(context: &Context<'_>, events: &[motcua::Event]) -> usize {
    let (view, alarms) = context
        .view_and_alarms(events, DAY.0)
        .unwrap_or_else(|e| fail("judging", e));
    ringing_by(&view, &DossierHandlers::of(events), &alarms, DAY.1)
}

/// The alarms by `until`, each with who answers for it (kept from the optimiser), counted.
fn ringing_by(
    view: &motcua::DossierView,
    handlers: &DossierHandlers,
    alarms: &[motcua::Alarm],
    until: OffsetDateTime,
) -> usize {
    let mut ringing = 0;
    for alarm in alarms.iter().filter(|a| a.at <= until) {
        std::hint::black_box(alarm.responsible(view, handlers));
        ringing += 1;
    }
    ringing
}

/// Units by open dossiers (judged as of [`AS_OF`]), largest first.
fn units_by_size<S>(store: &S, context: &Context<'_>) -> Vec<(UnitId, usize)>
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    let reader = reader_at(store, AS_OF);
    let entries = reader
        .entries(Selection::All, reader.head().context)
        .unwrap_or_else(|e| fail("projection", e));
    let mut counts: BTreeMap<UnitId, usize> = BTreeMap::new();
    for entry in entries {
        let view = match entry {
            OpenEntry::Standing(standing, _) => context.view_at(*standing, AS_OF),
            OpenEntry::Events(events) => context.view_events(&events, AS_OF),
            OpenEntry::Stored(id, _) => fail("projection", format!("{id} not decoded")),
        };
        let view = view.unwrap_or_else(|e| fail("judging", e));
        *counts.entry(view.current_unit).or_default() += 1;
    }
    let mut sizes: Vec<(UnitId, usize)> = counts.into_iter().collect();
    sizes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    sizes
}

/// The default store: 100,000 dossiers through the import path, the projection caught up.
fn built_store() -> String {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from("target"), PathBuf::from)
        .join("desk-reads");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| fail(&dir.display().to_string(), e));
    let path = dir.join("100000.db");
    province_store::province_store(&path, 100_000, None);
    path.display().to_string()
}

fn bench_store(c: &mut Criterion, spec: &str) {
    let held = Held::open(spec);
    let catalogue = held
        .catalogue()
        .unwrap_or_else(|| fail(spec, "the store keeps no catalogue"));
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let (sizes, label) = match &held {
        Held::Sqlite(store, _) => (units_by_size(store, &context), held.label()),
        Held::Postgres(store, ..) => (units_by_size(&**store, &context), held.label()),
    };
    let (Some(largest), Some(median)) =
        (sizes.first().cloned(), sizes.get(sizes.len() / 2).cloned())
    else {
        fail(spec, "no open dossier as of 2025-01-02 08:00")
    };
    // The store's name (a file's, a database's with its schema), never the URL's password.
    let name = spec.rsplit(['/', '@']).next().unwrap_or(spec);
    let mut group = c.benchmark_group(format!("desk reads, store held open: {label} {name}"));
    group.sample_size(30);
    group.measurement_time(Duration::from_secs(8));
    for (which, (unit, open)) in [("largest unit", &largest), ("median unit", &median)] {
        let name = format!("{which} {unit} ({open} open)");
        group.bench_function(
            BenchmarkId::new("floor: its standings read raw", &name),
            |b| b.iter(|| held.raw_standings(unit.as_str())),
        );
        group.bench_function(BenchmarkId::new("list judged", &name), |b| {
            let units = std::slice::from_ref(unit);
            b.iter(|| {
                let listed = match &held {
                    Held::Sqlite(store, _) => list(store, &context, Selection::Units(units)),
                    Held::Postgres(store, ..) => list(&**store, &context, Selection::Units(units)),
                };
                assert_eq!(listed, *open, "{unit}: the list lost or gained dossiers");
            })
        });
    }
    let day = |from_events: bool| match (&held, from_events) {
        (Held::Sqlite(store, _), false) => day_alarms(store, &context),
        (Held::Sqlite(store, _), true) => day_alarms_from_events(store, &context),
        (Held::Postgres(store, ..), false) => day_alarms(&**store, &context),
        (Held::Postgres(store, ..), true) => day_alarms_from_events(&**store, &context),
    };
    assert_eq!(day(false), day(true), "the day's alarms differ by path");
    group.bench_function("a day's alarms (2 January 2025)", |b| b.iter(|| day(false)));
    group.bench_function(
        "a day's alarms (2 January 2025), from the dossiers' events",
        |b| b.iter(|| day(true)),
    );
    group.finish();
}

fn bench(c: &mut Criterion) {
    let stores = std::env::var("MOTCUA_DESK_STORES").unwrap_or_default();
    let stores: Vec<String> = if stores.trim().is_empty() {
        vec![built_store()]
    } else {
        stores.split(',').map(|s| s.trim().to_owned()).collect()
    };
    for spec in &stores {
        bench_store(c, spec);
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
