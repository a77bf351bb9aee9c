//! Catalogue records on PostgreSQL (issue 15, "catalogue changes become versioned records"):
//! a schema-4 store's catalogue reads as record 1 before the migration and becomes record 1 by
//! it; the same catalogue saved again adds nothing, a changed one adds record 2 from the log's
//! last position; the check names an edited record. (Imports: the conformance suite's
//! `staged_catalogues_become_records`.)

mod common;

use common::{url, Fresh};
use motcua_core::Catalogue;
use motcua_postgres::{PgStore, CATALOGUE_RECORDS_SINCE, SCHEMA_VERSION};
use motcua_store::catalogue_records::{
    check_records, CatalogueRecord, CatalogueRecords, RecordProblem,
};
use motcua_store::{EventStore, ImportOptions};

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"))
}

/// The generated sample imported into `store` with its catalogue kept.
fn fixture(store: &PgStore) -> motcua_gen::Sample {
    let sample = motcua_gen::generate(&motcua_gen::GenConfig {
        dossiers: 20,
        seed: 29,
        year: 2024,
    })
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ImportOptions {
        keep_catalogue: true,
        ..ImportOptions::default()
    };
    motcua_store::import_events(
        store,
        sample.events.clone(),
        &sample.catalogue,
        &options,
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    sample
}

/// `catalogue` with its first unit renamed: the same rules, other bytes.
fn renamed(catalogue: &Catalogue) -> Catalogue {
    let text =
        motcua_io::write_catalogue(catalogue).replacen("\"name\": \"", "\"name\": \"Mới ", 1);
    motcua_io::read_catalogue(&text).unwrap_or_else(|e| panic!("{e}"))
}

fn numbers_and_positions(store: &PgStore) -> Vec<(u64, u64)> {
    let records = store.catalogue_records().unwrap_or_else(|e| panic!("{e}"));
    records
        .iter()
        .map(|r| (r.number, r.from_position))
        .collect()
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn an_older_catalogue_reads_as_record_1_and_becomes_record_1_by_the_migration() {
    let url = url();
    let fresh = Fresh::new(&url, "records_migrate");
    let store = fresh.store();
    let sample = fixture(store);
    let schema = store.schema().to_owned();
    let mut client = client(&url);
    client
        .batch_execute(&common::catalogue_before_records(&schema))
        .unwrap_or_else(|e| panic!("{e}"));
    let body = motcua_io::write_catalogue(&sample.catalogue);
    let record_1 = CatalogueRecord::of_body(1, 0, &body);

    // Read-only: read as it is, the one catalogue as record 1, nothing migrated.
    let old = PgStore::connect_read_only(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.schema_version(), CATALOGUE_RECORDS_SINCE - 1);
    assert_eq!(
        old.catalogue().ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    assert_eq!(old.catalogue_records(), Ok(vec![record_1.clone()]));
    assert_eq!(
        old.catalogue_record(1).ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    assert_eq!(old.catalogue_record(2).ok().flatten(), None);
    assert_eq!(check_records(&old), Ok(vec![]));
    drop(old);
    assert_eq!(
        common::stored_version(&mut client, &schema),
        CATALOGUE_RECORDS_SINCE - 1
    );

    // A writable open migrates: record 1, hashed, from position 0.
    let migrated = PgStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(common::stored_version(&mut client, &schema), SCHEMA_VERSION);
    assert_eq!(migrated.catalogue_records(), Ok(vec![record_1]));
    assert_eq!(
        migrated.catalogue().ok().flatten().as_ref(),
        Some(&sample.catalogue)
    );
    // The same catalogue saved again records nothing; a changed one is record 2.
    migrated
        .save_catalogue(&sample.catalogue)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(numbers_and_positions(&migrated), [(1, 0)]);
    let changed = renamed(&sample.catalogue);
    migrated
        .save_catalogue(&changed)
        .unwrap_or_else(|e| panic!("{e}"));
    let last = migrated.last_position().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(numbers_and_positions(&migrated), [(1, 0), (2, last)]);
    assert_eq!(migrated.catalogue().ok().flatten(), Some(changed));
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn an_edited_record_is_named_by_the_check() {
    let url = url();
    let fresh = Fresh::new(&url, "records_edited");
    let store = fresh.store();
    let sample = fixture(store);
    store
        .save_catalogue(&renamed(&sample.catalogue))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check_records(store), Ok(vec![]));
    client(&url)
        .batch_execute(&format!(
            "UPDATE {}.motcua_catalogue_records SET body = body || ' ' WHERE number = 1",
            store.schema()
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let findings = check_records(store).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].number, 1);
    assert!(matches!(findings[0].problem, RecordProblem::Hash { .. }));
}
