//! The dossier engine on a realistic synthetic province: folding events into state, checking
//! them with the decider's rules, and deriving views as of the end of the year.
//!
//! `cargo bench --bench engine`

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use motcua::calendar::Calendar;
use motcua::gen::{generate_with_calendar, GenConfig};
use motcua::{fold, Context, Decider, DossierState, Event};
use std::hint::black_box;

struct Fixture {
    sample: motcua::gen::Sample,
    calendar: Calendar,
    streams: Vec<Vec<Event>>,
    events: u64,
}

fn fixture(dossiers: usize) -> Fixture {
    let calendar = Calendar::vietnam();
    let config = GenConfig {
        dossiers,
        seed: 7,
        year: 2024,
    };
    let sample = match generate_with_calendar(&config, &calendar) {
        Ok(s) => s,
        Err(e) => panic!("generator failed: {e}"),
    };
    let streams: Vec<Vec<Event>> = sample
        .streams()
        .into_values()
        .map(|events| events.into_iter().cloned().collect())
        .collect();
    let events = streams.iter().map(|s| s.len() as u64).sum();
    Fixture {
        sample,
        calendar,
        streams,
        events,
    }
}

fn engine(c: &mut Criterion) {
    let f = fixture(20_000);
    let mut group = c.benchmark_group("engine/20k-dossiers");
    group.sample_size(20);

    group.throughput(Throughput::Elements(f.events));
    group.bench_function("fold (events)", |b| {
        b.iter(|| {
            for stream in &f.streams {
                black_box(fold(stream));
            }
        })
    });
    group.bench_function("replay with checks (events)", |b| {
        let decider = Decider::new(&f.sample.catalogue);
        b.iter(|| {
            for stream in &f.streams {
                black_box(decider.replay(stream).ok());
            }
        })
    });

    let states: Vec<DossierState> = f.streams.iter().map(fold).collect();
    let context = Context::new(&f.sample.catalogue, &f.calendar);
    group.throughput(Throughput::Elements(states.len() as u64));
    group.bench_function("view as of year end (dossiers)", |b| {
        b.iter(|| {
            for state in &states {
                black_box(context.view(state, f.sample.as_of).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
