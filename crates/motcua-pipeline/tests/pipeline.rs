//! Reports from stores and files equal the report built from every view, whatever the threads,
//! shards or "known at" instant; a bad file gives the very error an import gives.

use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, DossierId, DossierView, Event};
use motcua_metrics::{LevelHistory, Period, Report};
use motcua_pipeline::{report_jsonl, report_store, report_stores, PipelineError, ReportRun};
use motcua_sqlite::SqliteStore;
use motcua_store::{import_jsonl, EventStore, ExpectedVersion, InMemoryStore, StreamBatch};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use time::macros::datetime;
use time::OffsetDateTime;

struct Fixture {
    catalogue: Catalogue,
    streams: BTreeMap<DossierId, Vec<Event>>,
    jsonl: Vec<u8>,
    calendar: Calendar,
    levels: LevelHistory,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let sample = motcua_gen::sample().unwrap_or_else(|e| panic!("{e}"));
        let mut jsonl = Vec::new();
        let mut streams: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
        for e in &sample.events {
            motcua_io::write_event(&mut jsonl, e).unwrap_or_else(|e| panic!("{e}"));
            streams
                .entry(e.dossier_id.clone())
                .or_default()
                .push(e.clone());
        }
        Fixture {
            catalogue: sample.catalogue,
            streams,
            jsonl,
            calendar: Calendar::vietnam(),
            levels: LevelHistory::vietnam(),
        }
    })
}

fn period() -> Period {
    Period::new(
        datetime!(2024-01-01 0:00 +7),
        datetime!(2024-12-31 17:00 +7),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(f: &Fixture, threads: usize) -> ReportRun<'_> {
    ReportRun::new(Context::new(&f.catalogue, &f.calendar), period(), &f.levels).threads(threads)
}

/// The reference: every dossier viewed one by one, the report built in one call.
fn reference(f: &Fixture, known_at: Option<OffsetDateTime>) -> Report {
    reference_with(f, known_at, false)
}

/// [`reference`], with the section by officer counted dossier by dossier when `officers`.
fn reference_with(f: &Fixture, known_at: Option<OffsetDateTime>, officers: bool) -> Report {
    reference_in(f, &f.catalogue, period(), known_at, officers)
}

/// [`reference_with`] over `period`, judged with `catalogue`.
fn reference_in(
    f: &Fixture,
    catalogue: &Catalogue,
    period: Period,
    known_at: Option<OffsetDateTime>,
    officers: bool,
) -> Report {
    let context = Context::new(catalogue, &f.calendar);
    let as_of = period.end;
    let viewed: Vec<(Vec<Event>, DossierView)> = f
        .streams
        .values()
        .filter_map(|events| {
            let known: Vec<Event> = events
                .iter()
                .filter(|e| known_at.is_none_or(|k| e.recorded_at <= k))
                .cloned()
                .collect();
            if known.first().is_none_or(|e| e.occurred_at > as_of) {
                return None;
            }
            let view = context
                .view_events(&known, as_of)
                .unwrap_or_else(|e| panic!("{e}"));
            Some((known, view))
        })
        .collect();
    let views = viewed.iter().map(|(_, view)| view);
    let mut report = Report::build_with_levels(catalogue, views, period, &f.levels);
    if officers {
        report = report.with_officers();
        for (events, view) in &viewed {
            report.add_officers(events, view);
        }
    }
    report
}

fn batches<'a>(streams: impl Iterator<Item = (&'a DossierId, &'a Vec<Event>)>) -> Vec<StreamBatch> {
    streams
        .map(|(id, events)| StreamBatch {
            dossier_id: id.clone(),
            expected: ExpectedVersion::NoStream,
            events: events.clone(),
        })
        .collect()
}

fn sqlite_with(
    streams: impl Iterator<Item = (&'static DossierId, &'static Vec<Event>)>,
) -> SqliteStore {
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    store
        .append_streams(&batches(streams))
        .unwrap_or_else(|e| panic!("{e}"));
    store
}

#[test]
fn a_store_reports_like_every_view_on_any_number_of_threads() {
    let f = fixture();
    let expected = reference(f, None);
    assert!(expected.province().received > 5_000);
    let memory = InMemoryStore::new();
    memory
        .append_streams(&batches(f.streams.iter()))
        .unwrap_or_else(|e| panic!("{e}"));
    let sqlite = sqlite_with(f.streams.iter());
    for threads in [1, 2, 3, 8] {
        let r = run(f, threads);
        assert!(
            report_store(&memory, &r).unwrap_or_else(|e| panic!("{e}")) == expected,
            "memory, {threads} threads"
        );
        assert!(
            report_store(&sqlite, &r).unwrap_or_else(|e| panic!("{e}")) == expected,
            "SQLite, {threads} threads"
        );
    }
}

#[test]
fn shards_merged_equal_the_whole() {
    let f = fixture();
    let expected = reference(f, None);
    // Shards by receiving unit, as a national deployment would split them.
    let mut shards: Vec<Vec<(&'static DossierId, &'static Vec<Event>)>> = vec![Vec::new(); 3];
    for (id, events) in &f.streams {
        let unit = events
            .iter()
            .find_map(|e| match &e.kind {
                motcua_core::EventKind::Submitted { unit, .. }
                | motcua_core::EventKind::Received { unit, .. } => {
                    Some(unit.as_str().bytes().map(usize::from).sum::<usize>())
                }
                _ => None,
            })
            .unwrap_or(0);
        shards[unit % 3].push((id, events));
    }
    assert!(shards.iter().all(|s| !s.is_empty()));
    let stores: Vec<SqliteStore> = shards
        .into_iter()
        .map(|s| sqlite_with(s.into_iter()))
        .collect();
    let named: Vec<(&str, &SqliteStore)> = stores.iter().map(|s| ("shard", s)).collect();
    for threads in [1, 2] {
        let merged = report_stores(&named, &run(f, threads)).unwrap_or_else(|e| panic!("{e}"));
        assert!(merged == expected, "{threads} threads");
    }
}

#[test]
fn known_at_counts_only_what_was_recorded_by_then() {
    let f = fixture();
    let known_at = datetime!(2024-07-01 0:00 +7);
    let expected = reference(f, Some(known_at));
    assert!(expected != reference(f, None));
    let sqlite = sqlite_with(f.streams.iter());
    let r = run(f, 2).known_at(Some(known_at));
    assert!(report_store(&sqlite, &r).unwrap_or_else(|e| panic!("{e}")) == expected);
    assert!(
        report_jsonl(std::io::Cursor::new(f.jsonl.as_slice()), &r)
            .unwrap_or_else(|e| panic!("{e}"))
            == expected
    );
}

#[test]
fn a_file_reports_like_its_store() {
    let f = fixture();
    let expected = reference(f, None);
    for threads in [1, 2] {
        let report = report_jsonl(std::io::Cursor::new(f.jsonl.as_slice()), &run(f, threads))
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(report == expected, "{threads} threads");
    }
}

/// The file is read in two passes, each dossier tallied at its last line: a file whose
/// dossiers all span it (every first event, then every second event, …: 6,000 dossiers open
/// at once), one in dossier order (each closed at once) and one in reverse dossier order
/// report like the store; so do a dossier's events split by blank lines and Windows ends of
/// lines, and a layout other than motcua's (read through the general path in both passes).
#[test]
fn a_file_reports_like_its_store_however_its_dossiers_interleave() {
    let f = fixture();
    let expected = reference(f, None);
    let write = |events: &mut dyn Iterator<Item = &Event>, eol: &str| {
        let mut out = Vec::new();
        for e in events {
            let mut line = Vec::new();
            motcua_io::write_event(&mut line, e).unwrap_or_else(|e| panic!("{e}"));
            out.extend_from_slice(line.trim_ascii_end());
            out.extend_from_slice(eol.as_bytes());
        }
        out
    };
    let longest = f.streams.values().map(Vec::len).max().unwrap_or(0);
    let by_sequence = write(
        &mut (0..longest).flat_map(|k| f.streams.values().filter_map(move |s| s.get(k))),
        "\n",
    );
    let by_dossier = write(&mut f.streams.values().flatten(), "\r\n\n");
    let reversed = write(&mut f.streams.values().rev().flatten(), "\n");
    // Another layout: spaces after the separators, so no line takes the fast path.
    let spaced: Vec<u8> = String::from_utf8(reversed.clone())
        .unwrap_or_else(|e| panic!("{e}"))
        .replace("\",\"", "\", \"")
        .into_bytes();
    for (name, file) in [
        ("by sequence", &by_sequence),
        ("by dossier", &by_dossier),
        ("reversed", &reversed),
        ("spaced", &spaced),
    ] {
        for threads in [1, 2, 3] {
            let report = report_jsonl(std::io::Cursor::new(file.as_slice()), &run(f, threads))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(report == expected, "{name}, {threads} threads");
        }
    }
    // Errors still name the line: a rule broken early in a dossier that spans the file, and
    // an event id reused at the far end.
    let mut lines: Vec<&[u8]> = by_sequence.split(|b| *b == b'\n').collect();
    let count = lines.len() - 1;
    let copy = lines[5].to_vec();
    lines[count - 1] = &copy;
    let reused = lines.join(&b'\n');
    let said = report_error(f, &reused).unwrap_or_else(|| panic!("accepted"));
    assert_eq!(Some(said), import_error(f, &reused));
}

#[test]
fn the_section_by_officer_is_exact_from_stores_shards_and_files() {
    let f = fixture();
    let known_at = datetime!(2024-07-01 0:00 +7);
    let sqlite = sqlite_with(f.streams.iter());
    for known in [None, Some(known_at)] {
        let expected = reference_with(f, known, true);
        let officers = expected.officers().unwrap_or_else(|| panic!("no section"));
        // The officers of the units that run steps.
        assert!(officers.len() > 20, "{}", officers.len());
        assert!(officers.iter().any(|(_, c)| c.late_steps > 0));
        for threads in [1, 3] {
            let r = run(f, threads).known_at(known).officers(true);
            let stored = report_store(&sqlite, &r).unwrap_or_else(|e| panic!("{e}"));
            assert!(stored == expected, "SQLite, {threads} threads, {known:?}");
            let filed = report_jsonl(std::io::Cursor::new(f.jsonl.as_slice()), &r)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(filed == expected, "file, {threads} threads, {known:?}");
        }
        let (even, odd): (Vec<_>, Vec<_>) =
            f.streams.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let shards = [even, odd].map(|s| sqlite_with(s.into_iter().map(|(_, stream)| stream)));
        let named: Vec<(&str, &SqliteStore)> = shards.iter().map(|s| ("shard", s)).collect();
        let r = run(f, 2).known_at(known).officers(true);
        let merged = report_stores(&named, &r).unwrap_or_else(|e| panic!("{e}"));
        assert!(merged == expected, "shards, {known:?}");
        let r = run(f, 2).known_at(known);
        let plain = report_store(&sqlite, &r).unwrap_or_else(|e| panic!("{e}"));
        assert!(plain.officers().is_none() && plain == reference(f, known));
    }
}

/// What importing the file gives: the error text, or none.
fn import_error(f: &Fixture, file: &[u8]) -> Option<String> {
    import_jsonl(&InMemoryStore::new(), file, &f.catalogue)
        .err()
        .map(|e| e.to_string())
}

fn report_error(f: &Fixture, file: &[u8]) -> Option<String> {
    match report_jsonl(std::io::Cursor::new(file), &run(f, 2)) {
        Ok(_) => None,
        Err(PipelineError::Input(e)) => Some(e.to_string()),
        Err(other) => panic!("not an input error: {other}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Damage the file one way or two (drop, repeat or swap lines, break one) and the report
    /// refuses it with exactly the error, on exactly the line, that an import gives.
    #[test]
    fn a_damaged_file_gives_the_import_error(
        edits in proptest::collection::vec((0u8..4, 0usize..40_000, 0usize..40_000), 1..3)
    ) {
        let f = fixture();
        let mut lines: Vec<&[u8]> = f.jsonl.split_inclusive(|b| *b == b'\n').collect();
        let broken = b"{\"v\":1,\"event_id\":\"not a uuid\"}\n".as_slice();
        for (kind, a, b) in edits {
            let (a, b) = (a % lines.len(), b % lines.len());
            match kind {
                0 => { lines.remove(a); }
                1 => { let l = lines[a]; lines.insert(b, l); }
                2 => lines.swap(a, b),
                _ => lines[a] = broken,
            }
        }
        let file = lines.concat();
        prop_assert_eq!(report_error(f, &file), import_error(f, &file));
    }
}

#[test]
fn a_repeated_line_is_a_reused_id_whichever_thread_sees_it() {
    let f = fixture();
    let lines: Vec<&[u8]> = f.jsonl.split_inclusive(|b| *b == b'\n').collect();
    // Repeat lines of many dossiers: each is both a reused id and a repeated sequence on the
    // same line; an import names the reused id.
    for (at, copy) in [(5_000usize, 10usize), (30_000, 29_990), (40_000, 1)] {
        let mut edited = lines.clone();
        edited.insert(at, lines[copy]);
        let file = edited.concat();
        let expected = import_error(f, &file);
        assert!(
            expected
                .as_deref()
                .is_some_and(|e| e.contains("is already used on line")),
            "{expected:?}"
        );
        for threads in [1, 2, 3] {
            let got = match report_jsonl(std::io::Cursor::new(file.as_slice()), &run(f, threads)) {
                Err(PipelineError::Input(e)) => Some(e.to_string()),
                other => panic!("{:?}", other.map(|_| ())),
            };
            assert_eq!(
                got, expected,
                "line {copy} repeated at {at}, {threads} threads"
            );
        }
    }
}

#[test]
fn an_overlong_line_is_refused_like_an_import_refuses_it() {
    let f = fixture();
    let lines: Vec<&[u8]> = f.jsonl.split_inclusive(|b| *b == b'\n').collect();
    let long = vec![b' '; motcua_io::MAX_LINE_BYTES + 10];
    for (at, eol) in [(0usize, "\n"), (20_000, "\r\n"), (lines.len(), "")] {
        let mut file: Vec<u8> = lines[..at].concat();
        file.extend_from_slice(&long);
        file.extend_from_slice(eol.as_bytes());
        file.extend_from_slice(&lines[at..].concat());
        let expected = import_error(f, &file);
        assert!(
            expected
                .as_deref()
                .is_some_and(|e| e.contains("more than the 1048576 bytes a line may have")),
            "{expected:?}"
        );
        assert_eq!(report_error(f, &file), expected, "long line at {at}");
    }
}

/// A report from a store opened read-only while an import holds the write lock, its events
/// appended but not committed: it does not wait, and counts exactly what was committed before.
#[test]
fn a_read_only_report_during_an_import_counts_the_committed_snapshot() {
    let f = fixture();
    let (committed, importing): (Vec<_>, Vec<_>) =
        f.streams.iter().enumerate().partition(|(i, _)| i % 2 == 0);
    let committed: Vec<_> = committed.into_iter().map(|(_, s)| s).collect();
    let dir = std::env::temp_dir().join(format!("motcua-pipeline-ro-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("store.db");
    let writer = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    writer
        .append_streams(&batches(committed.iter().copied()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut session = writer.begin_import().unwrap_or_else(|e| panic!("{e}"));
    session
        .append_streams(&batches(importing.into_iter().map(|(_, s)| s)))
        .unwrap_or_else(|e| panic!("{e}"));

    let start = std::time::Instant::now();
    let reader = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let during = report_store(&reader, &run(f, 2)).unwrap_or_else(|e| panic!("{e}"));
    let waited = start.elapsed();
    drop(session);
    let expected = report_store(&sqlite_with(committed.into_iter()), &run(f, 1))
        .unwrap_or_else(|e| panic!("{e}"));
    drop((reader, writer));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        waited < std::time::Duration::from_secs(20),
        "the report waited {waited:?}"
    );
    assert!(during == expected, "the report saw the uncommitted import");
    assert!(during != reference(f, None));
}

/// The sample in time order (recorded), imported as `motcua import` writes a file: one event
/// after another, the dossiers interleaved in the table, into a file store.
fn time_ordered_file(f: &Fixture, name: &str) -> (std::path::PathBuf, SqliteStore) {
    time_ordered_file_of(f, name, |_| true)
}

/// [`time_ordered_file`] of the sample's dossiers whose streams `keep` keeps.
fn time_ordered_file_of(
    f: &Fixture,
    name: &str,
    keep: impl Fn(&[Event]) -> bool,
) -> (std::path::PathBuf, SqliteStore) {
    let dir = std::env::temp_dir().join(format!("motcua-pipeline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("store.db");
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut events: Vec<Event> = f
        .streams
        .values()
        .filter(|events| keep(events))
        .flatten()
        .cloned()
        .collect();
    events.sort_by_key(|e| e.recorded_at);
    motcua_store::import_events(
        &store,
        events,
        &f.catalogue,
        &motcua_store::ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (dir, store)
}

/// A store read newest first in storage order (the way a report reads a store a host wrote in
/// time order) gives the report of every view, on any number of threads.
#[test]
fn a_store_written_in_time_order_reports_like_every_view() {
    use motcua_store::DossierScan;
    let f = fixture();
    let expected = reference(f, None);
    let (dir, store) = time_ordered_file(f, "time-order");
    assert!(store.keeps_log_order());
    // The table really is interleaved: hundreds of dossiers' events are not side by side (the
    // sample's other dossiers are handled in one sitting).
    let conn = rusqlite::Connection::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let (spread, all): (i64, i64) = conn
        .query_row(
            "SELECT SUM(MAX(position) - MIN(position) + 1 > COUNT(*)) OVER (), COUNT(*) OVER ()
             FROM events GROUP BY dossier_id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    assert!(spread > 300, "{spread} of {all} dossiers interleaved");
    for threads in [1, 2, 3] {
        let got = report_store(&store, &run(f, threads)).unwrap_or_else(|e| panic!("{e}"));
        assert!(got == expected, "{threads} threads");
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Damage found while reading newest first stops the report with the store's error, naming the
/// dossier, on one thread or several (a tallying thread's error does not leave the reader
/// waiting): a row taken out of a stream, a dossier's first event overwritten by another
/// dossier's (the dossier robbed of its start never completes), and a body cut short (found
/// when it is decoded, on a tallying thread).
#[test]
fn damage_in_a_time_ordered_store_stops_the_report_naming_the_dossier() {
    let f = fixture();
    // The dossier with the longest stream; its second event is taken out.
    let (id, events) = f
        .streams
        .iter()
        .max_by_key(|(id, events)| (events.len(), std::cmp::Reverse(*id)))
        .unwrap_or_else(|| panic!("no dossier"));
    assert!(events.len() >= 3);
    for damage in ["missing", "overwritten", "cut"] {
        let (dir, store) = time_ordered_file(f, damage);
        drop(store);
        let conn =
            rusqlite::Connection::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
        // The dossier robbed: the first one received after `id`, with more than one event.
        let robbed: String = conn
            .query_row(
                "SELECT dossier_id FROM events WHERE sequence = 2 AND dossier_id IN
                   (SELECT dossier_id FROM events WHERE sequence = 1 AND position >
                      (SELECT position FROM events WHERE dossier_id = ?1 AND sequence = 1))
                 ORDER BY position LIMIT 1",
                [id.as_str()],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let sql = match damage {
            "missing" => "DELETE FROM events WHERE dossier_id = ?1 AND sequence = 2",
            "cut" => {
                "UPDATE events SET body = substr(body, 1, length(body) - 3)
                 WHERE dossier_id = ?1 AND sequence = 2"
            }
            _ => {
                "UPDATE events SET body = (SELECT body FROM events WHERE dossier_id = ?1 AND sequence = 1)
                 WHERE dossier_id = ?2 AND sequence = 1"
            }
        };
        let changed = match damage {
            "missing" | "cut" => conn.execute(sql, [id.as_str()]),
            _ => conn.execute(sql, [id.as_str(), robbed.as_str()]),
        }
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(changed, 1);
        drop(conn);
        let store = SqliteStore::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
        let position: i64 = rusqlite::Connection::open(dir.join("store.db"))
            .and_then(|c| {
                c.query_row(
                    "SELECT position FROM events WHERE dossier_id = ?1 AND sequence = 2",
                    [id.as_str()],
                    |r| r.get(0),
                )
            })
            .unwrap_or(0);
        let (named, event) = match damage {
            "missing" | "cut" => (id.as_str(), 2),
            _ => (robbed.as_str(), 1),
        };
        for threads in [1, 2] {
            let err = report_store(&store, &run(f, threads))
                .map(|_| ())
                .unwrap_err();
            let text = err.to_string();
            if damage == "cut" {
                assert!(
                    matches!(
                        err,
                        PipelineError::Store {
                            source: motcua_store::StoreError::Unreadable { .. },
                            ..
                        }
                    ) && text.contains(&format!(
                        "the event stored at position {position} cannot be read"
                    )),
                    "{damage}, {threads} threads: {text}"
                );
                continue;
            }
            assert!(
                matches!(
                    err,
                    PipelineError::Store {
                        source: motcua_store::StoreError::Damaged { .. },
                        ..
                    }
                ),
                "{damage}, {threads} threads: {text}"
            );
            // An overwritten first event involves two dossiers: the robbed one, whose stream
            // never completes, and the one whose first event now appears twice, out of place;
            // which is met first depends on where the rows lie (positions in exact time order,
            // as live appends and an import into an empty store write them, name the second).
            let named_either = damage == "overwritten"
                && text.contains(&format!("dossier {id}, event "))
                && text.contains("the event stored there is numbered");
            assert!(
                named_either
                    || text.contains(&format!(
                        "dossier {named}, event {event}: the event stored there is numbered"
                    )),
                "{damage}, {threads} threads: {text}"
            );
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The fingerprint the standings tests keep their tables for.
const STANDINGS: u64 = 0x5eed;

/// Every row of a store's table of standings, by dossier.
fn standing_rows(store: &SqliteStore) -> BTreeMap<DossierId, Option<Vec<u8>>> {
    use motcua_store::standings::StandingTable;
    store
        .standing_rows()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|row| (row.dossier_id, row.standing))
        .collect()
}

/// Whether the store's standings are current for `fingerprint` (a report would read them).
fn standings_current(store: &SqliteStore, fingerprint: u64) -> bool {
    use motcua_store::DossierScan;
    store
        .scan_standings(
            fingerprint,
            |_| Ok::<(), motcua_store::StoreError>(()),
            || Ok(Some(Vec::new())),
            |_: &[Event]| Ok(()),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A report read from the standings a store keeps is the report of every view, for instants
/// before most dossiers' last events (they are judged from their events), at the end of the
/// year and after it, on any number of threads; with another fingerprint, or with "known
/// at" or the section by officer, it reads events and is still the same report.
#[test]
fn a_report_from_standings_is_the_report_of_every_view() {
    use motcua_store::standings::rebuild_standings;
    let f = fixture();
    let (dir, store) = time_ordered_file(f, "standings");
    let context = Context::new(&f.catalogue, &f.calendar);
    let built = rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built.dossiers, f.streams.len() as u64);
    assert_eq!(
        built.position,
        store.last_position().unwrap_or_else(|e| panic!("{e}"))
    );
    assert!(standings_current(&store, STANDINGS));
    assert!(!standings_current(&store, STANDINGS + 1));
    let start = datetime!(2024-01-01 0:00 +7);
    for end in [
        datetime!(2024-03-31 17:00 +7),
        datetime!(2024-06-30 17:00 +7),
        datetime!(2024-12-31 17:00 +7),
        datetime!(2025-06-30 17:00 +7),
    ] {
        let period = Period::new(start, end).unwrap_or_else(|e| panic!("{e}"));
        let expected = reference_in(f, &f.catalogue, period, None, false);
        for threads in [1, 2, 3] {
            for fingerprint in [STANDINGS, STANDINGS + 1] {
                let r = ReportRun::new(context, period, &f.levels)
                    .threads(threads)
                    .standings(Some(fingerprint));
                let got = report_store(&store, &r).unwrap_or_else(|e| panic!("{e}"));
                assert!(
                    got == expected,
                    "as of {end}, {threads} threads, fingerprint {fingerprint:x}"
                );
            }
        }
    }
    // Runs that need events read them though the standings are current.
    let known_at = datetime!(2024-10-01 0:00 +7);
    let r = run(f, 2)
        .standings(Some(STANDINGS))
        .known_at(Some(known_at));
    assert!(
        report_store(&store, &r).unwrap_or_else(|e| panic!("{e}")) == reference(f, Some(known_at))
    );
    let r = run(f, 2).standings(Some(STANDINGS)).officers(true);
    assert!(
        report_store(&store, &r).unwrap_or_else(|e| panic!("{e}")) == reference_with(f, None, true)
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The standings are read, not only checked: a row swapped for another dossier's standing
/// changes the report (so the equality above is not the events path's).
#[test]
fn a_report_from_standings_reads_the_rows() {
    use motcua_store::standings::rebuild_standings;
    let f = fixture();
    let (dir, store) = time_ordered_file(f, "standings-read");
    let context = Context::new(&f.catalogue, &f.calendar);
    rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    let end = datetime!(2025-06-30 17:00 +7);
    let period = Period::new(datetime!(2024-01-01 0:00 +7), end).unwrap_or_else(|e| panic!("{e}"));
    let r = ReportRun::new(context, period, &f.levels).threads(1);
    let honest = report_store(&store, &r.clone().standings(Some(STANDINGS)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(honest == report_store(&store, &r).unwrap_or_else(|e| panic!("{e}")));
    // Every row given the first finished dossier's standing: the report counts one finished
    // dossier many times over.
    let conn = rusqlite::Connection::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "UPDATE dossier_standings SET standing = (SELECT standing FROM dossier_standings
             ORDER BY rowid LIMIT 1)",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let lied =
        report_store(&store, &r.standings(Some(STANDINGS))).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        lied != honest,
        "the report did not read the table of standings"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A report as of an instant before many dossiers' last events leaves the standings and reads
/// the log once more than one dossier in eight would need its events (reading each through the
/// index would cost more); below that it reads the standings and the events of the few.
/// Dossiers first seen after the instant are skipped unread either way. Told apart by a row
/// taken out of the table: a report from the standings misses that dossier, one from the log
/// does not.
#[test]
fn a_report_as_of_long_ago_reads_the_log_instead() {
    use motcua_store::standings::rebuild_standings;
    let f = fixture();
    // A store where, at `then`, a quarter of the dossiers are open (first event before it,
    // last after it): those and three times as many finished before it.
    let then = datetime!(2024-07-01 17:00 +7);
    let seen = |events: &[Event]| events.first().is_some_and(|e| e.occurred_at <= then);
    let open =
        |events: &[Event]| seen(events) && events.last().is_some_and(|e| e.occurred_at > then);
    let open_then = f.streams.values().filter(|e| open(e)).count();
    let finished: Vec<&DossierId> = f
        .streams
        .iter()
        .filter(|(_, e)| seen(e) && !open(e))
        .map(|(id, _)| id)
        .take(3 * open_then)
        .collect();
    assert!(open_then > 0 && finished.len() == 3 * open_then);
    let keep = |events: &[Event]| open(events) || finished.contains(&&events[0].dossier_id);
    let (dir, store) = time_ordered_file_of(f, "standings-long-ago", keep);
    let context = Context::new(&f.catalogue, &f.calendar);
    rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    let conn = rusqlite::Connection::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
    conn.execute(
        "DELETE FROM dossier_standings WHERE dossier_id = ?1",
        [finished[0].as_str()],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let start = datetime!(2024-01-01 0:00 +7);
    for (end, read_the_log) in [
        (then, true),
        (datetime!(2024-12-31 17:00 +7), false),
        (datetime!(2025-06-30 17:00 +7), false),
    ] {
        let period = Period::new(start, end).unwrap_or_else(|e| panic!("{e}"));
        for threads in [1, 2] {
            let r = ReportRun::new(context, period, &f.levels).threads(threads);
            let from_log = report_store(&store, &r).unwrap_or_else(|e| panic!("{e}"));
            let got = report_store(&store, &r.standings(Some(STANDINGS)))
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                got == from_log,
                read_the_log,
                "as of {end}, {threads} threads ({open_then} dossiers open then)"
            );
        }
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Followed page by page as events arrive, the table holds the rows a rebuild makes; while it
/// is behind the log a report reads events, and once caught up the standings again, with the
/// same report either way.
#[test]
fn standings_caught_up_page_by_page_are_the_rows_of_a_rebuild() {
    use motcua_store::standings::{catch_up_standings, rebuild_standings};
    let f = fixture();
    let dir = std::env::temp_dir().join(format!("motcua-pipeline-follow-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let store = SqliteStore::open(dir.join("store.db")).unwrap_or_else(|e| panic!("{e}"));
    let context = Context::new(&f.catalogue, &f.calendar);
    let mut events: Vec<Event> = f.streams.values().flatten().cloned().collect();
    events.sort_by_key(|e| e.recorded_at);
    let run = ReportRun::new(context, period(), &f.levels)
        .threads(2)
        .standings(Some(STANDINGS));
    // In six parts, each appended one event at a time as a desk records them.
    let part = events.len() / 6 + 1;
    for (n, chunk) in events.chunks(part).enumerate() {
        for event in chunk {
            let expected = ExpectedVersion::at(event.sequence - 1);
            store
                .append(&event.dossier_id, expected, std::slice::from_ref(event))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(
            !standings_current(&store, STANDINGS),
            "part {n}: behind the log"
        );
        let done = catch_up_standings(&store, &context, STANDINGS, 97)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("a file store keeps standings"));
        assert_eq!(done.rebuilt, n == 0, "part {n}");
        assert!(standings_current(&store, STANDINGS), "part {n}");
    }
    assert!(report_store(&store, &run).unwrap_or_else(|e| panic!("{e}")) == reference(f, None));
    let followed = standing_rows(&store);
    assert_eq!(followed.len(), f.streams.len());
    rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    assert!(standing_rows(&store) == followed);
    assert!(report_store(&store, &run).unwrap_or_else(|e| panic!("{e}")) == reference(f, None));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Dossiers the table's context cannot judge (their procedure is not in its catalogue) keep a
/// row without a standing; a report judges their events, and says what the events path says.
#[test]
fn dossiers_without_a_standing_are_judged_from_their_events() {
    use motcua_store::standings::rebuild_standings;
    let f = fixture();
    let (dir, store) = time_ordered_file(f, "standings-unjudged");
    let catalogue = Catalogue::new(
        f.catalogue.units().cloned().collect(),
        f.catalogue.procedures().skip(1).cloned().collect(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let context = Context::new(&catalogue, &f.calendar);
    rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    let rows = standing_rows(&store);
    let unjudged = rows.values().filter(|s| s.is_none()).count();
    assert!(
        unjudged > 0 && unjudged < rows.len(),
        "{unjudged} of {}",
        rows.len()
    );
    for threads in [1, 3] {
        let r = ReportRun::new(context, period(), &f.levels).threads(threads);
        let from_events = report_store(&store, &r).map_err(|e| e.to_string());
        let from_standings =
            report_store(&store, &r.standings(Some(STANDINGS))).map_err(|e| e.to_string());
        assert!(from_events == from_standings, "{threads} threads");
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two rebuilds at once (two processes opening the same file): the later one's start stops
/// the earlier one, which can write no row and no position after it; the table ends as the
/// later one leaves it.
#[test]
fn a_rebuild_started_later_stops_an_earlier_one() {
    use motcua_store::standings::{
        rebuild_standings, StandingRow, StandingTable, StandingsChange, StandingsHead,
    };
    let f = fixture();
    let (dir, store) = time_ordered_file(f, "standings-race");
    let context = Context::new(&f.catalogue, &f.calendar);
    let before = store.standings_state().unwrap_or_else(|e| panic!("{e}"));
    // The earlier rebuild starts...
    store
        .apply_standings(&StandingsChange {
            generation: before.generation,
            expected: before.head.map(|h| h.position),
            reset: true,
            ..StandingsChange::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let earlier = before.generation + 1;
    // ... the later one runs to its end ...
    rebuild_standings(&store, &context, STANDINGS).unwrap_or_else(|e| panic!("{e}"));
    let rows = standing_rows(&store);
    // ... and the earlier one's rows and position are refused.
    let stale = StandingsChange {
        generation: earlier,
        upserts: vec![StandingRow {
            dossier_id: DossierId::new("stale"),
            first_second: 0,
            standing: None,
        }],
        ..StandingsChange::default()
    };
    let refused = store
        .apply_standings(&stale)
        .map(|()| "applied")
        .unwrap_or_else(|e| {
            assert!(
                e.to_string().contains("the table of standings moved"),
                "{e}"
            );
            "refused"
        });
    assert_eq!(refused, "refused");
    let head = StandingsChange {
        generation: earlier,
        head: Some(StandingsHead {
            position: 1,
            context: STANDINGS,
        }),
        ..StandingsChange::default()
    };
    assert!(store.apply_standings(&head).is_err());
    assert!(standing_rows(&store) == rows);
    assert!(standings_current(&store, STANDINGS));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
