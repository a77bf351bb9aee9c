//! The tamper-evident log on SQLite (issue 15, point 8 and "a tamper-evident log"): a stored
//! log changed behind the store's back (a dossier's `received` row deleted, a body's field or
//! sequence edited, the last event deleted, two events swapped) is named by the audit
//! (`motcua verify`) and refused by the reads that meet it; and a store from before the links
//! (schema 2) reads as it is, migrates, and verifies clean.

mod common;

use common::Scratch;
use motcua_core::{DossierId, Event};
use motcua_sqlite::SqliteStore;
use motcua_store::audit::{audit, Anchor, Problem};
use motcua_store::chain::Damage;
use motcua_store::{DossierRange, DossierScan, EventStore, StoreError};
use std::path::Path;

/// A store of 30 generated dossiers with their catalogue; returns its path's events.
fn fixture(path: &Path) -> (Vec<Event>, motcua_core::Catalogue) {
    let sample = common::imported_sample(path, 30, 11);
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"));
    store
        .save_catalogue(&sample.catalogue)
        .unwrap_or_else(|e| panic!("{e}"));
    (sample.events, sample.catalogue)
}

/// The tamper tests' victim: a dossier with four events or more, not the last one written.
fn victim(events: &[Event]) -> (DossierId, Vec<Event>) {
    motcua_store::conformance::crash::victim(events)
        .unwrap_or_else(|| panic!("no dossier with four events"))
}

fn sql(path: &Path, statement: &str, params: &[&dyn rusqlite::ToSql]) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute(statement, params)
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// The first finding the audit of the store at `path` makes about `dossier`.
fn finding(path: &Path, dossier: &DossierId, anchor: Option<&Anchor>) -> (u64, Problem) {
    let store = SqliteStore::open_read_only(path).unwrap_or_else(|e| panic!("{e}"));
    let catalogue = store.catalogue().unwrap_or_else(|e| panic!("{e}"));
    let report = audit(&store, catalogue.as_ref(), anchor, false).unwrap_or_else(|e| panic!("{e}"));
    report
        .finding(dossier)
        .map(|f| (f.sequence, f.problem.clone()))
        .unwrap_or_else(|| panic!("the audit names no damage in {dossier}: {report:?}"))
}

/// What reading `dossier` alone, and scanning every dossier, answer.
fn reads(
    path: &Path,
    dossier: &DossierId,
) -> (Result<Vec<Event>, StoreError>, Result<(), StoreError>) {
    let store = SqliteStore::open_read_only(path).unwrap_or_else(|e| panic!("{e}"));
    let one = store.read_stream(dossier);
    let scan = store.scan_dossiers(&DossierRange::ALL, |_: &[Event]| Ok::<(), StoreError>(()));
    (one, scan)
}

/// The audit names `damage` at `sequence` of `dossier`, and reading the dossier alone and
/// scanning every dossier both refuse it with that error.
fn assert_refused(path: &Path, dossier: &DossierId, sequence: u64, damage: Damage) {
    assert_eq!(
        finding(path, dossier, None),
        (sequence, Problem::Damage(damage.clone()))
    );
    let (one, scan) = reads(path, dossier);
    let expected = damage.at(dossier, sequence);
    assert_eq!(one, Err(expected.clone()));
    assert_eq!(scan, Err(expected));
}

fn position_of(path: &Path, dossier: &DossierId, sequence: u64) -> i64 {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.query_row(
        "SELECT position FROM events WHERE dossier_id = ?1 AND sequence = ?2",
        rusqlite::params![dossier.as_str(), sequence as i64],
        |r| r.get(0),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_intact_store_audits_clean_and_its_digest_is_stable() {
    let scratch = Scratch::new("tamper-clean");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let catalogue = store.catalogue().unwrap_or_else(|e| panic!("{e}"));
    let first = audit(&store, catalogue.as_ref(), None, true).unwrap_or_else(|e| panic!("{e}"));
    assert!(first.findings.is_empty(), "{:?}", first.findings);
    assert!(first.linked && first.rules_checked);
    assert_eq!(first.events, events.len() as u64);
    assert_eq!(first.dossiers, 30);
    // The same events in another store give the same digest (links do not depend on positions
    // nor on how bodies are kept).
    let other = motcua_store::InMemoryStore::new();
    for (id, _, _) in &first.heads {
        let stream: Vec<Event> = events
            .iter()
            .filter(|e| &e.dossier_id == id)
            .cloned()
            .collect();
        other
            .append(id, motcua_store::ExpectedVersion::NoStream, &stream)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let again = audit(&other, None, None, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.digest, first.digest);
}

#[test]
fn deleting_a_dossiers_received_row_is_named_and_refused() {
    let scratch = Scratch::new("tamper-received");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, _) = victim(&events);
    sql(
        &path,
        "DELETE FROM events WHERE dossier_id = ?1 AND sequence = 1",
        &[&dossier.as_str()],
    );
    assert_refused(&path, &dossier, 1, Damage::Sequence { found: 2 });
}

#[test]
fn editing_a_field_of_a_stored_body_is_named_and_refused_by_single_reads() {
    let scratch = Scratch::new("tamper-field");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, stream) = victim(&events);
    // A forger's edit: the second event recorded a minute earlier, re-encoded properly.
    let mut edited = stream[1].clone();
    edited.recorded_at -= time::Duration::minutes(1);
    edited.occurred_at -= time::Duration::minutes(1);
    let body = motcua_store::codec::compact::encode(&edited);
    let position = position_of(&path, &dossier, 2);
    sql(
        &path,
        "UPDATE events SET body = ?1 WHERE position = ?2",
        &[&body, &position],
    );
    assert_eq!(
        finding(&path, &dossier, None),
        (2, Problem::Damage(Damage::Link))
    );
    let (one, scan) = reads(&path, &dossier);
    assert_eq!(one, Err(Damage::Link.at(&dossier, 2)));
    // Scans check numbering only (docs/tamper-evidence.md): this edit keeps it.
    assert_eq!(scan, Ok(()));
}

#[test]
fn changing_the_sequence_inside_a_stored_body_is_named_and_refused() {
    let scratch = Scratch::new("tamper-sequence");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, stream) = victim(&events);
    let mut edited = stream[2].clone();
    edited.sequence = 4;
    let body = motcua_store::codec::compact::encode(&edited);
    let position = position_of(&path, &dossier, 3);
    sql(
        &path,
        "UPDATE events SET body = ?1 WHERE position = ?2",
        &[&body, &position],
    );
    assert_refused(&path, &dossier, 3, Damage::Sequence { found: 4 });
}

#[test]
fn deleting_the_last_event_shows_as_a_hole_and_the_anchor_names_the_dossier() {
    let scratch = Scratch::new("tamper-last");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, stream) = victim(&events);
    let anchor = {
        let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
        let report = audit(&store, None, None, true).unwrap_or_else(|e| panic!("{e}"));
        let mut anchor = Anchor {
            digest: report.digest,
            ..Anchor::default()
        };
        for (id, n, head) in report.heads {
            anchor.heads.insert(id, (n, head));
        }
        Anchor::from_jsonl(&anchor.to_jsonl()).unwrap_or_else(|e| panic!("{e}"))
    };
    let last = stream.len() as u64;
    let position = position_of(&path, &dossier, last);
    sql(
        &path,
        "DELETE FROM events WHERE position = ?1",
        &[&position],
    );

    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let report = audit(&store, None, None, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.missing_positions, 1);
    assert!(report
        .findings
        .iter()
        .any(|f| f.problem == Problem::MissingPosition && f.sequence == position as u64));
    assert_eq!(
        finding(&path, &dossier, Some(&anchor)),
        (last, Problem::Shorter { recorded: last })
    );
    let changed = audit(&store, None, Some(&anchor), false).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(changed.digest, anchor.digest);
}

#[test]
fn swapping_two_events_is_named_and_refused() {
    let scratch = Scratch::new("tamper-swap");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, _) = victim(&events);
    let (p2, p3) = (
        position_of(&path, &dossier, 2),
        position_of(&path, &dossier, 3),
    );
    // Swap the bodies and links of events 2 and 3, rows and numbering columns left in place.
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(&format!(
        "UPDATE events SET body = CASE position WHEN {p2} THEN (SELECT body FROM events WHERE position = {p3})
                                                ELSE (SELECT body FROM events WHERE position = {p2}) END,
                           link = CASE position WHEN {p2} THEN (SELECT link FROM events WHERE position = {p3})
                                                ELSE (SELECT link FROM events WHERE position = {p2}) END
          WHERE position IN ({p2}, {p3})"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    assert_refused(&path, &dossier, 2, Damage::Sequence { found: 3 });
}

#[test]
fn a_schema_2_store_reads_as_it_is_then_migrates_and_verifies_clean() {
    let scratch = Scratch::new("tamper-migrate");
    let path = scratch.path("old.db");
    let (events, catalogue) = fixture(&path);
    let fresh = {
        let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
        audit(&store, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"))
    };
    // The file as schema 2 left it: one catalogue row, no link column, no standings,
    // user_version 2.
    common::catalogue_before_records(&path);
    sql(&path, "ALTER TABLE events DROP COLUMN link", &[]);
    sql(&path, "DROP TABLE open_standings", &[]);
    sql(&path, "PRAGMA user_version = 2", &[]);

    let old = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!old.is_linked());
    let (dossier, stream) = victim(&events);
    assert_eq!(old.read_stream(&dossier), Ok(stream));
    let unlinked = audit(&old, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(!unlinked.linked);
    assert!(unlinked.findings.is_empty(), "{:?}", unlinked.findings);
    drop(old);
    let version = |p: &Path| -> i64 {
        rusqlite::Connection::open(p)
            .and_then(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(version(&path), 2, "a read-only open migrates nothing");

    drop(SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(version(&path), motcua_sqlite::SCHEMA_VERSION);
    let migrated = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(migrated.is_linked());
    let report = audit(&migrated, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.linked);
    assert_eq!(
        report.digest, fresh.digest,
        "the migration computes the links appends write"
    );
}

#[test]
fn appends_chain_onto_the_stored_head() {
    let scratch = Scratch::new("tamper-append");
    let path = scratch.path("s.db");
    let (events, _) = fixture(&path);
    let (dossier, stream) = victim(&events);
    // Drop the victim's last event properly (as if it had not happened yet), then append it.
    let position = position_of(&path, &dossier, stream.len() as u64);
    sql(
        &path,
        "DELETE FROM events WHERE position = ?1",
        &[&position],
    );
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let last = stream[stream.len() - 1].clone();
    store
        .append(
            &dossier,
            motcua_store::ExpectedVersion::Exactly(stream.len() as u64 - 1),
            &[last],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.read_stream(&dossier), Ok(stream));
    let report = audit(&store, None, None, false).unwrap_or_else(|e| panic!("{e}"));
    // The hole the deletion left stays (positions are never reused); the chain is whole.
    assert!(report
        .findings
        .iter()
        .all(|f| f.problem == Problem::MissingPosition));
}
