//! Criterion benchmarks of motcua-calendar.
//!
//! `cargo bench --bench calendar` (release). Each arithmetic benchmark runs 1,000 real calls
//! over precomputed, varied inputs per iteration (start instants spread over 2010–2026 at
//! minute resolution, in and out of office hours; amounts 0–400 working days, up to 60 days of
//! minutes) and reports throughput per call. See also `benches/numpy_busday.py`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use motcua_calendar::{Calendar, CalendarBuilder, OffsetDateTime, Time};
use std::hint::black_box;
use time::macros::datetime;
use time::Duration;

const K: usize = 1000;

fn lcg(x: &mut u64) -> u64 {
    *x = x
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *x >> 16
}

fn inputs() -> Vec<(OffsetDateTime, u32, OffsetDateTime)> {
    let base = datetime!(2010-01-01 0:00 +7);
    let mut x = 42;
    (0..K)
        .map(|_| {
            let s = base + Duration::minutes((lcg(&mut x) % (17 * 365 * 1440)) as i64);
            let n = (lcg(&mut x) % 401) as u32;
            let e = s + Duration::minutes((lcg(&mut x) % (60 * 1440)) as i64);
            (s, n, e)
        })
        .collect()
}

fn arithmetic(c: &mut Criterion) {
    let cal = Calendar::vietnam();
    let data = inputs();
    let mut g = c.benchmark_group("arith");
    g.throughput(Throughput::Elements(K as u64));
    g.bench_function("add_working_days", |b| {
        b.iter(|| {
            for &(s, n, _) in &data {
                black_box(cal.add_working_days(black_box(s), black_box(n)).ok());
            }
        })
    });
    g.bench_function("add_working_days_date", |b| {
        b.iter(|| {
            for &(s, n, _) in &data {
                black_box(
                    cal.add_working_days_date(black_box(s.date()), black_box(n))
                        .ok(),
                );
            }
        })
    });
    g.bench_function("add_working_minutes", |b| {
        b.iter(|| {
            for &(s, n, _) in &data {
                black_box(
                    cal.add_working_minutes(black_box(s), u64::from(n) * 37)
                        .ok(),
                );
            }
        })
    });
    g.bench_function("add_calendar_days", |b| {
        b.iter(|| {
            for &(s, n, _) in &data {
                black_box(cal.add_calendar_days(black_box(s), black_box(n)).ok());
            }
        })
    });
    g.bench_function("working_minutes_between", |b| {
        b.iter(|| {
            for &(s, _, e) in &data {
                black_box(cal.working_minutes_between(black_box(s), black_box(e)).ok());
            }
        })
    });
    g.bench_function("working_time_between", |b| {
        b.iter(|| {
            for &(s, _, e) in &data {
                black_box(cal.working_time_between(black_box(s), black_box(e)).ok());
            }
        })
    });
    // The same two operations on the baked tables (`Calendar::vietnam_baked`), in the same run.
    let baked = Calendar::vietnam_baked();
    g.bench_function("add_working_days (baked tables)", |b| {
        b.iter(|| {
            for &(s, n, _) in &data {
                black_box(baked.add_working_days(black_box(s), black_box(n)).ok());
            }
        })
    });
    g.bench_function("working_time_between (baked tables)", |b| {
        b.iter(|| {
            for &(s, _, e) in &data {
                black_box(baked.working_time_between(black_box(s), black_box(e)).ok());
            }
        })
    });
    let cutoff = Time::from_hms(15, 0, 0).unwrap_or(Time::MIDNIGHT);
    g.bench_function("same_day_due", |b| {
        b.iter(|| {
            for &(s, _, _) in &data {
                black_box(cal.same_day_due(black_box(s), cutoff).ok());
            }
        })
    });
    g.finish();
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(20);
    g.bench_function("vietnam_1900_2200", |b| {
        b.iter_batched(
            CalendarBuilder::vietnam,
            |bld| black_box(bld.build().ok()),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("plain_1900_2200", |b| {
        b.iter(|| black_box(CalendarBuilder::new("plain").build().ok()))
    });
    // The built-in calendar as the desk's short commands get it: its tables baked into the
    // program at compile time (build.rs), read in place; the same tables as `vietnam_1900_2200`.
    g.bench_function("vietnam_baked", |b| {
        b.iter(|| black_box(Calendar::vietnam_baked()))
    });
    g.finish();
    if let Ok(cal) = CalendarBuilder::vietnam().build() {
        println!("table memory 1900-2200: {} bytes", cal.table_bytes());
    }
}

criterion_group!(benches, arithmetic, build);
criterion_main!(benches);
