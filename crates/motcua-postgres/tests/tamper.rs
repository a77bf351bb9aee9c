//! The tamper-evident log on PostgreSQL (ignored unless asked for: they need `MOTCUA_PG_URL`):
//! a stored log changed behind the store's back (a dossier's `received` row deleted, a body's
//! field or sequence edited, the last event deleted, two events swapped) is named by the audit
//! (`motcua verify`) and refused by the reads that meet it; a store from before the links
//! (schema 3) reads as it is, migrates, and verifies clean.

mod common;

use common::{url, Fresh};
use motcua_core::{DossierId, Event};
use motcua_postgres::PgStore;
use motcua_store::audit::{audit, Problem};
use motcua_store::chain::Damage;
use motcua_store::{DossierRange, DossierScan, EventStore, ImportOptions, StoreError};

/// 30 generated dossiers imported with their catalogue into the fresh store.
fn fixture(store: &PgStore) -> (Vec<Event>, motcua_core::Catalogue) {
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 30,
        seed: 11,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    motcua_store::import_events(
        store,
        sample.events.clone(),
        &sample.catalogue,
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (sample.events, sample.catalogue)
}

/// A fresh store holding the fixture: the URL, the store, the catalogue, the victim and its
/// events.
fn case(tag: &str) -> (String, Fresh, motcua_core::Catalogue, DossierId, Vec<Event>) {
    let url = url();
    let fresh = Fresh::new(&url, tag);
    let (events, catalogue) = fixture(fresh.store());
    let (dossier, stream) = victim(&events);
    (url, fresh, catalogue, dossier, stream)
}

/// The tamper tests' victim: a dossier with four events or more, not the last one written.
fn victim(events: &[Event]) -> (DossierId, Vec<Event>) {
    motcua_store::conformance::crash::victim(events)
        .unwrap_or_else(|| panic!("no dossier with four events"))
}

/// Runs `sql` on the store's schema (`{s}` stands for it).
fn sql(url: &str, store: &PgStore, sql: &str) {
    let mut client =
        postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    let sql = sql.replace("{s}", store.schema());
    client
        .batch_execute(&sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The first finding the audit makes about `dossier`, read through a read-only open.
fn finding(
    url: &str,
    store: &PgStore,
    dossier: &DossierId,
    catalogue: &motcua_core::Catalogue,
) -> (u64, Problem) {
    let reader = PgStore::connect_read_only(url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
    let report = audit(&reader, Some(catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    report
        .finding(dossier)
        .map(|f| (f.sequence, f.problem.clone()))
        .unwrap_or_else(|| panic!("the audit names no damage in {dossier}: {report:?}"))
}

/// The audit names `damage` at `sequence` of `dossier`, and reading the dossier alone and
/// scanning every dossier both refuse it with that error.
fn assert_refused(
    url: &str,
    store: &PgStore,
    dossier: &DossierId,
    catalogue: &motcua_core::Catalogue,
    sequence: u64,
    damage: Damage,
) {
    assert_eq!(
        finding(url, store, dossier, catalogue),
        (sequence, Problem::Damage(damage.clone()))
    );
    let (one, scan) = reads(store, dossier);
    let expected = damage.at(dossier, sequence);
    assert_eq!(one, Err(expected.clone()));
    assert_eq!(scan, Err(expected));
    // The full report's read (newest first, grouped by dossier) stops too, naming it.
    match newest_first(store) {
        Err(e) => assert!(e.to_string().contains(dossier.as_str()), "{e}"),
        Ok(()) => panic!("the newest-first read met no damage in {dossier}"),
    }
}

/// What the full report's read of every dossier, newest first, answers: each stream grouped
/// and decoded.
fn newest_first(store: &PgStore) -> Result<(), StoreError> {
    let mut decoder = motcua_store::codec::compact::Decoder::default();
    let mut events = Vec::new();
    store.scan_newest_first(|stream: motcua_store::StoredStream| {
        stream.decode_into(&mut decoder, &mut events)
    })
}

/// What reading `dossier` alone, and scanning every dossier, answer.
fn reads(
    store: &PgStore,
    dossier: &DossierId,
) -> (Result<Vec<Event>, StoreError>, Result<(), StoreError>) {
    let one = store.read_stream(dossier);
    let scan = store.scan_dossiers(&DossierRange::ALL, |_: &[Event]| Ok::<(), StoreError>(()));
    (one, scan)
}

fn where_event(dossier: &DossierId, sequence: u64) -> String {
    format!(
        "dossier_id = '{}' AND sequence = {sequence}",
        dossier.as_str().replace('\'', "''")
    )
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn deleting_a_dossiers_received_row_is_named_and_refused() {
    let (url, fresh, catalogue, dossier, _) = case("tamper_received");
    let store = fresh.store();
    let clean = PgStore::connect_read_only(&url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
    let report = audit(&clean, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    assert!(report.linked);

    sql(
        &url,
        store,
        &format!(
            "DELETE FROM {{s}}.motcua_events WHERE {}",
            where_event(&dossier, 1)
        ),
    );
    assert_refused(
        &url,
        store,
        &dossier,
        &catalogue,
        1,
        Damage::Sequence { found: 2 },
    );
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn edited_bodies_are_named_and_refused() {
    let (url, fresh, catalogue, dossier, stream) = case("tamper_edit");
    let store = fresh.store();
    // A field: event 2 recorded a minute earlier, written as a proper JSON line.
    let mut edited = stream[1].clone();
    edited.recorded_at -= time::Duration::minutes(1);
    edited.occurred_at -= time::Duration::minutes(1);
    let body = motcua_store::codec::encode(&edited).unwrap_or_else(|e| panic!("{e}"));
    sql(
        &url,
        store,
        &format!(
            "UPDATE {{s}}.motcua_events SET body = '{}' WHERE {}",
            body.replace('\'', "''"),
            where_event(&dossier, 2)
        ),
    );
    assert_eq!(
        finding(&url, store, &dossier, &catalogue),
        (2, Problem::Damage(Damage::Link))
    );
    assert_eq!(
        store.read_stream(&dossier),
        Err(Damage::Link.at(&dossier, 2))
    );

    // The sequence inside event 3's body.
    let mut renumbered = stream[2].clone();
    renumbered.sequence = 4;
    let body = motcua_store::codec::encode(&renumbered).unwrap_or_else(|e| panic!("{e}"));
    sql(
        &url,
        store,
        &format!(
            "UPDATE {{s}}.motcua_events SET body = '{}' WHERE {}",
            body.replace('\'', "''"),
            where_event(&dossier, 3)
        ),
    );
    let (_, scan) = reads(store, &dossier);
    assert_eq!(scan, Err(Damage::Sequence { found: 4 }.at(&dossier, 3)));
    assert_eq!(
        newest_first(store),
        Err(Damage::Sequence { found: 4 }.at(&dossier, 3))
    );
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn deleting_the_last_event_or_swapping_two_is_named() {
    let (url, fresh, catalogue, dossier, stream) = case("tamper_last");
    let store = fresh.store();
    let last = stream.len() as u64;
    sql(
        &url,
        store,
        &format!(
            "DELETE FROM {{s}}.motcua_events WHERE {}",
            where_event(&dossier, last)
        ),
    );
    let reader = PgStore::connect_read_only(&url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
    let report = audit(&reader, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.missing_positions, 1, "{:?}", report.findings);

    // Swap the bodies and links of events 1 and 2.
    sql(
        &url,
        store,
        &format!(
            "UPDATE {{s}}.motcua_events e SET body = o.body, link = o.link
               FROM {{s}}.motcua_events o
              WHERE e.dossier_id = o.dossier_id AND e.dossier_id = '{}'
                AND ((e.sequence = 1 AND o.sequence = 2) OR (e.sequence = 2 AND o.sequence = 1))",
            dossier.as_str().replace('\'', "''")
        ),
    );
    assert_refused(
        &url,
        store,
        &dossier,
        &catalogue,
        1,
        Damage::Sequence { found: 2 },
    );
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_schema_3_store_reads_as_it_is_then_migrates_and_verifies_clean() {
    let url = url();
    let fresh = Fresh::new(&url, "tamper_migrate");
    let store = fresh.store();
    let (events, catalogue) = fixture(store);
    let before = {
        let reader =
            PgStore::connect_read_only(&url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
        audit(&reader, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"))
    };
    // The store as schema 3 left it: one catalogue row, no link column.
    sql(&url, store, &common::catalogue_before_records("{s}"));
    sql(
        &url,
        store,
        "ALTER TABLE {s}.motcua_events DROP COLUMN link;
         DROP TABLE {s}.motcua_open_standings;
         UPDATE {s}.motcua_meta SET value = 3 WHERE key = 'schema_version'",
    );
    let old = PgStore::connect_read_only(&url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
    assert!(!old.is_linked());
    let (dossier, stream) = victim(&events);
    assert_eq!(old.read_stream(&dossier), Ok(stream));
    let unlinked = audit(&old, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !unlinked.linked && unlinked.findings.is_empty(),
        "{:?}",
        unlinked.findings
    );

    let migrated = PgStore::connect(&url, store.schema()).unwrap_or_else(|e| panic!("{e}"));
    assert!(migrated.is_linked());
    let report = audit(&migrated, Some(&catalogue), None, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        report.linked && report.findings.is_empty(),
        "{:?}",
        report.findings
    );
    assert_eq!(report.digest, before.digest);
}
