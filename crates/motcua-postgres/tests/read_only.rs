//! Read-only opens: they create nothing (no schema, no table), read what a writer stored, and
//! refuse to write.

mod common;

use common::{schema_name, url, Fresh};
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
fn a_read_only_open_creates_no_schema_and_no_tables() {
    let Some(url) = url("a_read_only_open_creates_no_schema_and_no_tables") else {
        return;
    };
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
    client
        .batch_execute(&format!("DROP SCHEMA {empty}"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(err, Some(PgError::NotAStore { .. })), "{err:?}");
    assert_eq!(tables, 0);
}

#[test]
fn a_read_only_store_reads_what_was_stored_and_writes_nothing() {
    let Some(url) = url("a_read_only_store_reads_what_was_stored_and_writes_nothing") else {
        return;
    };
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
fn a_read_only_open_refuses_other_versions() {
    let Some(url) = url("a_read_only_open_refuses_other_versions") else {
        return;
    };
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
    set(&mut client, SCHEMA_VERSION - 1);
    let err = PgStore::connect_read_only(&url, &schema).err();
    assert!(matches!(err, Some(PgError::OlderSchema { .. })), "{err:?}");
    set(&mut client, SCHEMA_VERSION);
    assert!(PgStore::connect_read_only(&url, &schema).is_ok());
}
