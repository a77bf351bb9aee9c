//! Versioned tables: reopening keeps the store, a newer version is refused and left alone.

mod common;

use common::{url, Fresh};
use motcua_postgres::{PgError, PgStore, SCHEMA_VERSION};
use motcua_store::{conformance, EventStore};

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_store_from_a_newer_version_is_refused_unchanged() {
    let url = url();
    let fresh = Fresh::new(&url, "newer");
    let store = fresh.store();
    conformance::appended_events_read_back(store);
    let schema = store.schema().to_owned();
    let mut client =
        postgres::Client::connect(&url, postgres::NoTls).unwrap_or_else(|e| panic!("{e}"));
    client
        .execute(
            &format!("UPDATE {schema}.motcua_meta SET value = $1 WHERE key = 'schema_version'"),
            &[&(SCHEMA_VERSION + 1)],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let err = PgStore::connect(&url, &schema).err();
    assert!(
        matches!(err, Some(PgError::NewerSchema { found, .. }) if found == SCHEMA_VERSION + 1),
        "{err:?}"
    );
    assert_eq!(store.last_position().ok(), Some(6));
    client
        .execute(
            &format!("UPDATE {schema}.motcua_meta SET value = $1 WHERE key = 'schema_version'"),
            &[&SCHEMA_VERSION],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let again = PgStore::connect(&url, &schema).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.last_position().ok(), Some(6));
}
