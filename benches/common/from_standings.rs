//! The full report read from a store's standings, timed on one thread and on every core,
//! checked against the report from its events, and printed beside the floor.

use crate::timing::{secs, timed};
use motcua::metrics::Report;
use motcua::pipeline::{report_store, ReportRun};
use motcua::store::DossierScan;

/// Times `run` read from `store`'s standings (kept for `fingerprint`) on one thread and on
/// `cores`, `runs` times each; checks both equal `from_events`; prints the two lines, labelled
/// `label`, against `floor` seconds and per dossier of `dossiers`, and what the report counted.
#[allow(clippy::too_many_arguments)]
pub fn report_from_standings<S: DossierScan + Sync>(
    label: &str,
    store: &S,
    run: &ReportRun<'_>,
    fingerprint: u64,
    (runs, cores): (usize, usize),
    from_events: &Report,
    floor: f64,
    dossiers: usize,
) {
    let from_standings = |threads: usize| -> Report {
        let run = run.clone().threads(threads).standings(Some(fingerprint));
        report_store(store, &run).unwrap_or_else(|e| {
            eprintln!("report from standings: {e}");
            std::process::exit(1)
        })
    };
    let (one_min, one_med, one) = timed(runs, || from_standings(1));
    let (all_min, all_med, all) = timed(runs, || from_standings(cores));
    assert!(
        one == *from_events && all == *from_events,
        "the report from standings differs from the report from events"
    );
    println!(
        "{label:<6} motcua report from standings, 1 thread {:.3} s (median {:.3}): {:.2}x floor",
        secs(one_min),
        secs(one_med),
        secs(one_min) / floor
    );
    println!(
        "{label:<6} motcua report from standings, {cores} threads {:.3} s (median {:.3}): {:.2}x floor, {:.0} ns per dossier",
        secs(all_min),
        secs(all_med),
        secs(all_min) / floor,
        secs(all_min) * 1e9 / dossiers as f64
    );
    println!(
        "report received {}, overdue listed {}",
        from_events.province().received,
        from_events.overdue().len()
    );
}
