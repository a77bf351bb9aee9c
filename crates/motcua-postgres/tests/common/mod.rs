//! The database for the tests: `MOTCUA_PG_URL`, one fresh schema per store, dropped after.

use motcua_postgres::PgStore;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// The database URL from `MOTCUA_PG_URL`. The tests that call this are `#[ignore]`d, so
/// they run only when asked (`cargo test -p motcua-postgres -- --ignored`, as `.ci/run`
/// does); asked without the variable, they fail instead of passing untested.
pub fn url() -> String {
    match std::env::var("MOTCUA_PG_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "MOTCUA_PG_URL is not set: this test needs a PostgreSQL database \
             (`bash .ci/run` starts PostgreSQL and sets it)"
        ),
    }
}

/// A unique schema name for this process.
pub fn schema_name(tag: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("motcua_t_{tag}_{}_{n}", std::process::id())
}

/// A store in a fresh schema, dropped with the guard.
pub struct Fresh(pub Option<PgStore>);

impl Fresh {
    pub fn new(url: &str, tag: &str) -> Fresh {
        let schema = schema_name(tag);
        let store = PgStore::connect(url, &schema).unwrap_or_else(|e| panic!("{e}"));
        Fresh(Some(store))
    }

    pub fn store(&self) -> &PgStore {
        match &self.0 {
            Some(s) => s,
            None => unreachable!(),
        }
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        if let Some(store) = self.0.take() {
            let _ = store.drop_schema();
        }
    }
}

/// The SQL that turns the store in `schema` (of this version) back into the schema before
/// [`motcua_postgres::DOSSIER_STANDINGS_SINCE`]: no table of standings, its triggers and
/// check, and that version.
#[allow(dead_code)]
pub fn before_standings(schema: &str) -> String {
    format!(
        "DROP TRIGGER motcua_events_changed_under_standings ON {schema}.motcua_events;
         DROP TRIGGER motcua_events_truncated_under_standings ON {schema}.motcua_events;
         DROP FUNCTION {schema}.motcua_events_changed_under_standings();
         DROP FUNCTION {schema}.motcua_events_truncated_under_standings();
         ALTER TABLE {schema}.motcua_events DROP CONSTRAINT motcua_events_position_from_1;
         DROP TABLE {schema}.motcua_dossier_standings;
         DROP TABLE {schema}.motcua_standings_head;
         UPDATE {schema}.motcua_meta SET value = {} WHERE key = 'schema_version';",
        motcua_postgres::DOSSIER_STANDINGS_SINCE - 1
    )
}

/// The SQL that turns the store in `schema` (of this version) back into the catalogue layout
/// of the schema before [`motcua_postgres::CATALOGUE_RECORDS_SINCE`]: the latest catalogue
/// record as the one `motcua_catalogue` row, no records, no table of standings
/// ([`before_standings`]), and that version. Other later changes are the caller's.
#[allow(dead_code)]
pub fn catalogue_before_records(schema: &str) -> String {
    format!(
        "{}
         CREATE TABLE {schema}.motcua_catalogue (
             id integer PRIMARY KEY CHECK (id = 1), body text NOT NULL);
         INSERT INTO {schema}.motcua_catalogue (id, body)
             SELECT 1, body FROM {schema}.motcua_catalogue_records ORDER BY number DESC LIMIT 1;
         DROP TABLE {schema}.motcua_catalogue_records;
         UPDATE {schema}.motcua_meta SET value = {} WHERE key = 'schema_version';",
        before_standings(schema),
        motcua_postgres::CATALOGUE_RECORDS_SINCE - 1
    )
}

/// The store version in `schema`'s meta table.
#[allow(dead_code)]
pub fn stored_version(client: &mut postgres::Client, schema: &str) -> i64 {
    client
        .query_one(
            &format!("SELECT value FROM {schema}.motcua_meta WHERE key = 'schema_version'"),
            &[],
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .get(0)
}
