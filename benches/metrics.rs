//! Metrics over a realistic province-year: building every indicator (the report and the
//! scorecard) from 1,000,000 derived views, and merging two full province reports.
//!
//! `cargo bench --bench metrics`
//!
//! Views are realistic: 100,000 dossiers from `motcua::gen` are folded and viewed once, outside
//! the measured loop, then replicated ten times with distinct dossier ids (generating and viewing
//! a full million would take minutes per run and add nothing the metrics can tell apart).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use motcua::calendar::Calendar;
use motcua::gen::{generate_with_calendar, GenConfig, Sample};
use motcua::metrics::{Period, Report, Scorecard, TargetSet};
use motcua::{Context, DossierId, DossierView};
use std::hint::black_box;

const GENERATED: usize = 100_000;
const REPLICAS: usize = 10;

struct Fixture {
    sample: Sample,
    period: Period,
    views: Vec<DossierView>,
}

fn fixture() -> Fixture {
    let calendar = Calendar::vietnam();
    let config = GenConfig {
        dossiers: GENERATED,
        seed: 7,
        year: 2024,
    };
    let sample = match generate_with_calendar(&config, &calendar) {
        Ok(s) => s,
        Err(e) => panic!("generator failed: {e}"),
    };
    let period = match Period::year(2024).and_then(|y| Period::new(y.start, sample.as_of)) {
        Ok(p) => p,
        Err(e) => panic!("period: {e}"),
    };
    let context = Context::new(&sample.catalogue, &calendar);
    let base: Vec<DossierView> = sample
        .streams()
        .into_values()
        .filter_map(|events| {
            let events: Vec<_> = events.into_iter().cloned().collect();
            context.view_events(&events, period.end).ok()
        })
        .collect();
    let mut views = Vec::with_capacity(base.len() * REPLICAS);
    for r in 0..REPLICAS {
        for v in &base {
            let mut v = v.clone();
            v.dossier_id = DossierId::new(format!("{}-r{r}", v.dossier_id.as_str()));
            views.push(v);
        }
    }
    Fixture {
        sample,
        period,
        views,
    }
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`), if available: unlike wall time
/// it does not grow while other processes hold the cores.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn metrics(c: &mut Criterion) {
    let f = fixture();
    let catalogue = &f.sample.catalogue;
    let targets = TargetSet::qd766();
    // On a shared machine wall time swings with the load; report CPU time per pass too.
    const PASSES: u32 = 5;
    if let Some(before) = thread_cpu_ns() {
        for _ in 0..PASSES {
            let report = Report::build(catalogue, &f.views, f.period);
            black_box(Scorecard::build(&report, catalogue, &targets));
        }
        if let Some(after) = thread_cpu_ns() {
            let per_pass = (after - before) / u64::from(PASSES);
            eprintln!(
                "report + scorecard, CPU time per pass of {} views: {:.1} ms = {:.1} M dossiers per CPU-second",
                f.views.len(),
                per_pass as f64 / 1e6,
                f.views.len() as f64 / per_pass as f64 * 1e3
            );
        }
    }
    let mut group = c.benchmark_group("metrics/1M-views");
    group.sample_size(10);
    group.throughput(Throughput::Elements(f.views.len() as u64));
    group.bench_function("report + scorecard (dossiers)", |b| {
        b.iter(|| {
            let report = Report::build(catalogue, &f.views, f.period);
            black_box(Scorecard::build(&report, catalogue, &targets))
        })
    });
    group.bench_function("report only (dossiers)", |b| {
        b.iter(|| black_box(Report::build(catalogue, &f.views, f.period)))
    });
    group.finish();

    // Two full province reports: the two halves of the million.
    let half = f.views.len() / 2;
    let a = Report::build(catalogue, &f.views[..half], f.period);
    let b = Report::build(catalogue, &f.views[half..], f.period);
    eprintln!(
        "province report: {} units, {} procedures, {} overdue dossiers",
        a.by_unit().len(),
        a.by_procedure().len(),
        a.overdue().len()
    );
    let mut group = c.benchmark_group("metrics/merge");
    group.bench_function("merge two province reports (by reference)", |bench| {
        bench.iter_batched(
            || a.clone(),
            |mut x| {
                let _ = x.merge(&b);
                x
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("merge two province reports (owned)", |bench| {
        bench.iter_batched(
            || (a.clone(), b.clone()),
            |(mut x, y)| {
                let _ = x.merge_owned(y);
                x
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, metrics);
criterion_main!(benches);
