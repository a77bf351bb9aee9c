//! The write path: commands recorded one at a time through `Desk::record` on a durable SQLite
//! file (WAL, `synchronous = FULL`: every command is one committed, fsynced transaction) —
//! loading the dossier's stream through the index, deciding, viewing and appending with the
//! expected version — beside its floor in the same run: the same events appended one at a
//! time with `EventStore::append` and their expected version, which also commits each, but
//! reads, decides and views nothing.
//!
//! `cargo bench --bench desk`. Files go to the system's temporary directory, or
//! `MOTCUA_BENCH_DIR` (e.g. `/dev/shm`, where an fsync costs nothing, to see the CPU alone).
//!
//! Commands are a generated province's events in log order (dossiers interleaved, as a desk
//! records them); after the log is used up it is replayed under new dossier ids, so every
//! command is new (a re-send would be answered without writing).

#[path = "common/endless_log.rs"]
mod endless_log;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use motcua::calendar::Calendar;
use motcua::gen::{generate, GenConfig};
use motcua::sqlite::SqliteStore;
use motcua::store::{Desk, EventStore, ExpectedVersion};
use motcua::{Command, Context};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn scratch() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::var_os("MOTCUA_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    dir.join(format!(
        "motcua-desk-bench-{}-{}.db",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

fn bench(c: &mut Criterion) {
    let sample = match generate(&GenConfig {
        dossiers: 400,
        seed: 2024,
        year: 2024,
    }) {
        Ok(s) => s,
        Err(e) => panic!("generator failed: {e}"),
    };
    let calendar = Calendar::vietnam();
    let events = sample.events;
    let catalogue = sample.catalogue;
    let mut group = c.benchmark_group("write path, one durable command at a time");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(10));

    group.bench_function("Desk::record (load, decide, view, append)", |b| {
        b.iter_custom(|iters| {
            let path = scratch();
            let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
            let desk = Desk::new(&store, Context::new(&catalogue, &calendar));
            let start = Instant::now();
            for i in 0..iters {
                let e = endless_log::nth(&events, i);
                let command = Command {
                    dossier_id: e.dossier_id,
                    event_id: e.event_id,
                    occurred_at: e.occurred_at,
                    recorded_at: e.recorded_at,
                    kind: e.kind,
                    metadata: Default::default(),
                };
                if let Err(err) = desk.record(command) {
                    panic!("command {i} refused: {err}");
                }
            }
            let took = start.elapsed();
            drop(store);
            remove(&path);
            took
        });
    });

    group.bench_function("floor: EventStore::append with the expected version", |b| {
        b.iter_custom(|iters| {
            let path = scratch();
            let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
            let start = Instant::now();
            for i in 0..iters {
                let e = endless_log::nth(&events, i);
                let expected = ExpectedVersion::at(e.sequence - 1);
                if let Err(err) = store.append(&e.dossier_id.clone(), expected, &[e]) {
                    panic!("event {i} refused: {err}");
                }
            }
            let took = start.elapsed();
            drop(store);
            remove(&path);
            took
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
