//! The JSON Lines report against its floor, in the same run: `serde_json` alone deserialising
//! every line into [`motcua_core::Event`] on one thread (nothing else), then
//! [`motcua_pipeline::report_jsonl`] on every core (read twice, parse, check every event and
//! event id, gather, view, tally), alternated `RUNS` times; the minimum of each and the ratio.
//!
//! ```text
//! motcua gen --dossiers 1000000 --out /tmp/g6
//! cargo run --release -p motcua-pipeline --example jsonl_floor -- /tmp/g6/events.jsonl /tmp/g6/catalogue.json [RUNS]
//! ```

use motcua_calendar::Calendar;
use motcua_core::{Context, Event};
use motcua_metrics::{LevelHistory, Period};
use motcua_pipeline::{report_jsonl, ReportRun};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("jsonl_floor: {what}: {e}");
    std::process::exit(1)
}

/// Every line deserialised with `serde_json`, one thread; the number of events.
fn serde_json_alone(path: &str) -> u64 {
    let file = std::fs::File::open(path).unwrap_or_else(|e| fail(path, e));
    let mut n = 0;
    for line in BufReader::with_capacity(1 << 20, file).lines() {
        let line = line.unwrap_or_else(|e| fail(path, e));
        let event: Event = serde_json::from_str(&line).unwrap_or_else(|e| fail("serde_json", e));
        n += event.sequence.min(1);
    }
    n
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(events), Some(catalogue)) = (args.first(), args.get(1)) else {
        fail("usage", "jsonl_floor EVENTS.jsonl CATALOGUE.json [RUNS]")
    };
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(3);
    let text = std::fs::read_to_string(catalogue).unwrap_or_else(|e| fail(catalogue, e));
    let catalogue = motcua_io::read_catalogue(&text).unwrap_or_else(|e| fail("catalogue", e));
    let calendar = Calendar::vietnam();
    let levels = LevelHistory::vietnam();
    let period = Period::new(
        time::macros::datetime!(2024-01-01 0:00 +7),
        time::macros::datetime!(2024-12-31 17:00 +7),
    )
    .unwrap_or_else(|e| fail("period", e));
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let run = ReportRun::new(Context::new(&catalogue, &calendar), period, &levels).threads(cores);
    let (mut floor, mut report) = (Duration::MAX, Duration::MAX);
    for k in 0..runs {
        let start = Instant::now();
        let lines = serde_json_alone(events);
        let parse = start.elapsed();
        let start = Instant::now();
        let file = std::fs::File::open(events).unwrap_or_else(|e| fail(events, e));
        let done = report_jsonl(BufReader::with_capacity(1 << 20, file), &run)
            .unwrap_or_else(|e| fail("report_jsonl", e));
        let reported = start.elapsed();
        println!(
            "run {k}: serde_json alone {:.3} s ({lines} events), report_jsonl ({cores} threads) {:.3} s ({} received): {:.2}x; load {}",
            parse.as_secs_f64(),
            reported.as_secs_f64(),
            done.province().received,
            reported.as_secs_f64() / parse.as_secs_f64(),
            load().trim()
        );
        floor = floor.min(parse);
        report = report.min(reported);
    }
    println!(
        "min: serde_json alone {:.3} s, report_jsonl {:.3} s: {:.2}x",
        floor.as_secs_f64(),
        report.as_secs_f64(),
        report.as_secs_f64() / floor.as_secs_f64()
    );
}
