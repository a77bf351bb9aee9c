//! The scan check on SQLite, in memory and on a file, and the ranges of a generated
//! province-year: balanced, and a scan of each equal to the dossiers' streams.

mod common;

use common::Scratch;
use motcua_sqlite::SqliteStore;
use motcua_store::{
    conformance, DossierScan, EventStore, ExpectedVersion, StoreError, StreamBatch,
};
use std::collections::BTreeMap;

#[test]
fn scans_cover_every_dossier_once_in_memory() {
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    conformance::scans_cover_every_dossier_once(&store);
}

#[test]
fn scans_cover_every_dossier_once_on_a_file() {
    let scratch = Scratch::new("scan");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::scans_cover_every_dossier_once(&store);
}

#[test]
fn ranges_of_a_province_year_hold_about_equal_events() {
    let sample = motcua_gen::sample().unwrap_or_else(|e| panic!("{e}"));
    let total = sample.events.len();
    let mut by_dossier: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for e in sample.events {
        by_dossier.entry(e.dossier_id.clone()).or_default().push(e);
    }
    let batches: Vec<StreamBatch> = by_dossier
        .into_iter()
        .map(|(dossier_id, events)| StreamBatch {
            dossier_id,
            expected: ExpectedVersion::NoStream,
            events,
        })
        .collect();
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    store
        .append_streams(&batches)
        .unwrap_or_else(|e| panic!("{e}"));
    for parts in [2, 4, 8] {
        let ranges = store
            .dossier_ranges(parts)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ranges.len(), parts);
        let mut sizes = Vec::new();
        for range in &ranges {
            let mut events = 0;
            store
                .scan_dossiers(range, |stream| {
                    events += stream.len();
                    Ok::<(), StoreError>(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
            sizes.push(events);
        }
        assert_eq!(sizes.iter().sum::<usize>(), total);
        let even = total / parts;
        assert!(
            sizes.iter().all(|s| s.abs_diff(even) * 5 < even),
            "{parts} parts are not within 20 % of {even} events: {sizes:?}"
        );
    }
}

#[test]
fn open_dossiers_match_a_rebuild_on_a_file() {
    let scratch = Scratch::new("open-dossiers");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::open_dossiers_match_a_rebuild(&store);
}

#[test]
fn racing_maintainers_end_at_the_log_end_on_a_file() {
    let scratch = Scratch::new("racing-maintainers");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::racing_maintainers_end_at_the_log_end(&store);
}

#[test]
fn racing_standings_maintainers_end_at_the_log_end_on_a_file() {
    let scratch = Scratch::new("racing-standings");
    let store = SqliteStore::open(scratch.path("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conformance::racing_standings_maintainers_end_at_the_log_end(&store);
}
