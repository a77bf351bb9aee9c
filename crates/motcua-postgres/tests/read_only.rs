//! Read-only opens: they create nothing (no schema, no table), read what a writer stored, and
//! refuse to write.

mod common;

use common::{schema_name, stored_version, url, Fresh};
use motcua_postgres::{PgError, PgStore, SCHEMA_VERSION};
use motcua_store::{conformance, EventStore};

fn client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"))
}

fn schema_exists(client: &mut postgres::Client, schema: &str) -> bool {
    client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[&schema],
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .get(0)
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_read_only_open_creates_no_schema_and_no_tables() {
    let url = url();
    let mut client = client(&url);
    let missing = schema_name("ro_missing");
    let err = PgStore::connect_read_only(&url, &missing).err();
    assert!(
        matches!(&err, Some(PgError::NotAStore { reason, .. }) if reason == "no such schema"),
        "{err:?}"
    );
    assert!(!schema_exists(&mut client, &missing));

    let empty = schema_name("ro_empty");
    client
        .batch_execute(&format!("CREATE SCHEMA {empty}"))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = PgStore::connect_read_only(&url, &empty).err();
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1",
            &[&empty],
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .get(0);
    assert!(
        matches!(&err, Some(PgError::NotAStore { reason, .. })
            if reason == "the schema has no motcua tables"),
        "{err:?}"
    );
    assert_eq!(tables, 0);
    // A meta table without the store's version is not a store either.
    client
        .batch_execute(&format!(
            "CREATE TABLE {empty}.motcua_meta (key text PRIMARY KEY, value bigint NOT NULL)"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = PgStore::connect_read_only(&url, &empty).err();
    client
        .batch_execute(&format!("DROP SCHEMA {empty} CASCADE"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&err, Some(PgError::NotAStore { reason, .. })
            if reason == "the schema has no store version"),
        "{err:?}"
    );
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn every_connection_of_a_read_only_store_reads_its_schema_and_refuses_writes() {
    let url = url();
    let fresh = Fresh::new(&url, "ro_conns");
    let writer = fresh.store();
    conformance::appended_events_read_back(writer);
    let reader =
        PgStore::connect_read_only(&url, writer.schema()).unwrap_or_else(|e| panic!("{e}"));
    let expected = writer.read_all(0, 100).ok();
    // Threads at once: the first takes the connection the open made, the others open their
    // own; each reads the store's schema and runs read-only transactions.
    std::thread::scope(|scope| {
        let reads: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let all = reader.read_all(0, 100).ok();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    // The store's first event under a new dossier: a write any writable
                    // connection takes (the earlier test shows the writer taking one).
                    let first = all.as_ref().and_then(|all| all.first());
                    let event = first.map(|stored| motcua_core::Event {
                        event_id: uuid::Uuid::from_u128(78),
                        dossier_id: "RO-2".into(),
                        sequence: 1,
                        ..stored.event.clone()
                    });
                    let refused = event.map(|event| {
                        reader
                            .append(
                                &event.dossier_id.clone(),
                                motcua_store::ExpectedVersion::NoStream,
                                &[event],
                            )
                            .is_err()
                    });
                    (all, reader.last_position().ok(), refused)
                })
            })
            .collect();
        for read in reads {
            let (all, last, refused) = read.join().unwrap_or_else(|_| panic!("a reader panicked"));
            assert_eq!(all, expected);
            assert_eq!(last, Some(6));
            assert_eq!(refused, Some(true), "a read-only connection appended");
        }
    });
    assert_eq!(writer.last_position().ok(), Some(6));
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_read_only_store_reads_what_was_stored_and_writes_nothing() {
    let url = url();
    let fresh = Fresh::new(&url, "ro_reads");
    let writer = fresh.store();
    conformance::appended_events_read_back(writer);
    // An import in progress is not seen.
    let mut session = writer.begin_import().unwrap_or_else(|e| panic!("{e}"));
    let reader =
        PgStore::connect_read_only(&url, writer.schema()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reader.last_position().ok(), Some(6));
    assert_eq!(reader.read_all(0, 100).ok(), writer.read_all(0, 100).ok());
    session.commit().unwrap_or_else(|e| panic!("{e}"));
    drop(session);
    // Writes are refused by the database.
    let all = reader.read_all(0, 1).unwrap_or_default();
    let batch = motcua_store::StreamBatch {
        dossier_id: "RO-1".into(),
        expected: motcua_store::ExpectedVersion::NoStream,
        events: all
            .into_iter()
            .map(|s| motcua_core::Event {
                event_id: uuid::Uuid::from_u128(77),
                dossier_id: "RO-1".into(),
                sequence: 1,
                ..s.event
            })
            .collect(),
    };
    let err = reader.append_streams(std::slice::from_ref(&batch));
    assert!(err.is_err(), "{err:?}");
    assert_eq!(writer.last_position().ok(), Some(6));
    // The same batch goes in through the writer: the refusal was the read-only session's.
    assert!(writer.append_streams(&[batch]).is_ok());
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_read_only_open_refuses_newer_versions_and_reads_older_ones_unmigrated() {
    let url = url();
    let fresh = Fresh::new(&url, "ro_versions");
    let schema = fresh.store().schema().to_owned();
    let mut client = client(&url);
    let set = |client: &mut postgres::Client, v: i64| {
        client
            .execute(
                &format!("UPDATE {schema}.motcua_meta SET value = $1 WHERE key = 'schema_version'"),
                &[&v],
            )
            .unwrap_or_else(|e| panic!("{e}"));
    };
    set(&mut client, SCHEMA_VERSION + 1);
    let err = PgStore::connect_read_only(&url, &schema).err();
    assert!(matches!(err, Some(PgError::NewerSchema { .. })), "{err:?}");
    // A version-1 store (no catalogue table then) is read as it is, not migrated.
    fresh
        .store()
        .save_catalogue(&motcua_core::Catalogue::default())
        .unwrap_or_else(|e| panic!("{e}"));
    set(&mut client, 1);
    let old = PgStore::connect_read_only(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.schema_version(), 1);
    assert!(matches!(old.catalogue(), Ok(None)));
    assert_eq!(old.last_position().ok(), Some(0));
    drop(old);
    assert_eq!(
        stored_version(&mut client, &schema),
        1,
        "a read-only open migrated the store"
    );
    set(&mut client, SCHEMA_VERSION);
    let current = PgStore::connect_read_only(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        current.catalogue().ok().flatten(),
        Some(motcua_core::Catalogue::default())
    );
    // A true version-1 store, without the catalogue table, the open-dossier projection's
    // tables (and their standings), the events' links and the table of every dossier's
    // standing, is migrated by a writable open.
    client
        .batch_execute(&format!(
            "{} DROP TABLE {schema}.motcua_catalogue_records, {schema}.motcua_open_dossiers, \
             {schema}.motcua_open_alarms, {schema}.motcua_open_head, \
             {schema}.motcua_open_standings; \
             ALTER TABLE {schema}.motcua_events DROP COLUMN link",
            common::before_standings(&schema)
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    set(&mut client, 1);
    let migrated = PgStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stored_version(&mut client, &schema), SCHEMA_VERSION);
    assert!(matches!(migrated.catalogue(), Ok(None)));
}
