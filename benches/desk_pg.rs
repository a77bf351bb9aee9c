//! The write path on PostgreSQL: commands recorded through `Desk::record` by 1, 4 and 8
//! concurrent writers (threads sharing one `PgStore` and its pool), each command one
//! committed transaction, beside the floor in the same run: the same events appended one at a
//! time with `EventStore::append` by one writer. After every measured batch the log is
//! checked: exactly as many events as commands, positions 1..n without a gap.
//!
//! `MOTCUA_PG_URL=… cargo bench --bench desk_pg --features postgres` (without the variable it
//! says so and measures nothing). Each batch writes into a fresh schema, dropped afterwards.

#[path = "common/endless_log.rs"]
mod endless_log;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use motcua::calendar::Calendar;
use motcua::gen::{generate, GenConfig};
use motcua::postgres::PgStore;
use motcua::store::{Desk, EventStore, ExpectedVersion};
use motcua::{Command, Context, DossierId, Event};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn fresh(url: &str) -> PgStore {
    static N: AtomicU64 = AtomicU64::new(0);
    let schema = format!(
        "motcua_bench_desk_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    PgStore::connect(url, &schema).unwrap_or_else(|e| panic!("{e}"))
}

/// Checks the log holds exactly `n` events at positions 1..=n, then drops the schema.
fn check_and_drop(store: PgStore, n: u64) {
    assert_eq!(store.last_position().unwrap_or_else(|e| panic!("{e}")), n);
    let mut next = 1;
    loop {
        let page = store
            .read_all(next - 1, 10_000)
            .unwrap_or_else(|e| panic!("{e}"));
        if page.is_empty() {
            break;
        }
        for stored in page {
            assert_eq!(stored.position, next, "a gap or a repeat in the log");
            next += 1;
        }
    }
    assert_eq!(next - 1, n, "events lost or stored twice");
    let _ = store.drop_schema();
}

fn command(e: Event) -> Command {
    Command::new(e.dossier_id, e.event_id, e.occurred_at, e.kind)
}

fn bench(c: &mut Criterion) {
    let Ok(url) = std::env::var("MOTCUA_PG_URL") else {
        eprintln!("desk_pg: MOTCUA_PG_URL is not set; nothing measured");
        return;
    };
    let sample = generate(&GenConfig {
        dossiers: 400,
        seed: 2024,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("generator failed: {e}"));
    let calendar = Calendar::vietnam();
    let (events, catalogue) = (sample.events, sample.catalogue);
    let mut group = c.benchmark_group("write path on PostgreSQL, durable commands");
    group.throughput(Throughput::Elements(1));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    for writers in [1usize, 4, 8] {
        let name = format!("Desk::record, {writers} concurrent writers");
        group.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let store = fresh(&url);
                // Each writer records whole dossiers, in their order.
                let mut shares: Vec<Vec<Event>> = vec![Vec::new(); writers];
                let mut writer_of: BTreeMap<DossierId, usize> = BTreeMap::new();
                for i in 0..iters {
                    let e = endless_log::nth(&events, i);
                    let next = writer_of.len() % writers;
                    let w = *writer_of.entry(e.dossier_id.clone()).or_insert(next);
                    shares[w].push(e);
                }
                let desk = Desk::new(&store, Context::new(&catalogue, &calendar));
                let start = Instant::now();
                std::thread::scope(|scope| {
                    for share in shares {
                        let desk = &desk;
                        scope.spawn(move || {
                            for e in share {
                                if let Err(err) = desk.record(command(e)) {
                                    panic!("a command was refused: {err}");
                                }
                            }
                        });
                    }
                });
                let took = start.elapsed();
                check_and_drop(store, iters);
                took
            });
        });
    }
    group.bench_function("floor: EventStore::append, one writer", |b| {
        b.iter_custom(|iters| {
            let store = fresh(&url);
            let start = Instant::now();
            for i in 0..iters {
                let e = endless_log::nth(&events, i);
                let expected = ExpectedVersion::at(e.sequence - 1);
                if let Err(err) = store.append(&e.dossier_id.clone(), expected, &[e]) {
                    panic!("event {i} refused: {err}");
                }
            }
            let took = start.elapsed();
            check_and_drop(store, iters);
            took
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
