//! The store's tables in a PostgreSQL schema, versioned, with migrations.

use crate::error::PgError;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{Client, SimpleQueryMessage};

/// The migrations, in order: migration `i` brings a store from version `i` to `i + 1`.
/// Never edit one that has shipped; add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: events, the one-row head that serialises appenders, checkpoints.
    "CREATE TABLE motcua_head (
         id integer PRIMARY KEY CHECK (id = 1),
         position bigint NOT NULL
     );
     INSERT INTO motcua_head (id, position) VALUES (1, 0);
     CREATE TABLE motcua_events (
         position bigint PRIMARY KEY,
         event_id uuid NOT NULL UNIQUE,
         dossier_id text COLLATE \"C\" NOT NULL,
         sequence bigint NOT NULL,
         body text NOT NULL,
         UNIQUE (dossier_id, sequence)
     );
     CREATE TABLE motcua_checkpoints (
         name text PRIMARY KEY,
         position bigint NOT NULL,
         state bytea NOT NULL
     );",
    // 2: the catalogue, kept with the events (written in the import's transaction).
    "CREATE TABLE motcua_catalogue (
         id integer PRIMARY KEY CHECK (id = 1),
         body text NOT NULL
     );",
    // 3: the open-dossier projection (`motcua_store::open_dossiers`): open dossiers by unit,
    // their alarm instants (Unix seconds) by time, and where the projection stands.
    "CREATE TABLE motcua_open_dossiers (
         dossier_id text COLLATE \"C\" PRIMARY KEY,
         unit text COLLATE \"C\" NOT NULL,
         status smallint NOT NULL,
         events bytea NOT NULL
     );
     CREATE INDEX motcua_open_dossiers_by_unit ON motcua_open_dossiers (unit, dossier_id);
     CREATE TABLE motcua_open_alarms (
         at bigint NOT NULL,
         dossier_id text COLLATE \"C\" NOT NULL,
         PRIMARY KEY (at, dossier_id)
     );
     CREATE INDEX motcua_open_alarms_by_dossier ON motcua_open_alarms (dossier_id);
     CREATE TABLE motcua_open_head (
         id integer PRIMARY KEY CHECK (id = 1),
         position bigint NOT NULL,
         context bigint NOT NULL,
         latest bigint
     );",
    // 4: the tamper-evident log (`motcua_store::chain`): every event's link, the SHA-256 hash
    // chaining it to the event before it in its dossier; `fill_links` computes the links of
    // the events already stored, in the same transaction.
    "ALTER TABLE motcua_events ADD COLUMN link bytea;",
    // 5: the standings of the open dossiers (`motcua_core::Standing`, in the compact form of
    // `motcua_store::codec::standing`; NULL for a dossier the projection's context could not
    // judge), by unit. The projection is emptied: the write that migrates the store rebuilds
    // it with its standings (readers read every dossier until a write or `motcua follow` does).
    "CREATE TABLE motcua_open_standings (
         dossier_id text COLLATE \"C\" PRIMARY KEY,
         unit text COLLATE \"C\" NOT NULL,
         standing bytea
     );
     CREATE INDEX motcua_open_standings_by_unit ON motcua_open_standings (unit, dossier_id);
     DELETE FROM motcua_open_head;
     DELETE FROM motcua_open_dossiers;
     DELETE FROM motcua_open_alarms;",
    // 6: catalogue records (`motcua_store::catalogue_records`): every catalogue kept, numbered,
    // with its SHA-256 (hex) and the log position it judges from. The one catalogue of an
    // older store becomes record 1, judging from position 0; `hash_catalogue_records`
    // computes its hash in the same transaction (with the hash function every store uses).
    "CREATE TABLE motcua_catalogue_records (
         number bigint PRIMARY KEY CHECK (number >= 1),
         sha256 text NOT NULL,
         from_position bigint NOT NULL,
         body text NOT NULL
     );
     INSERT INTO motcua_catalogue_records (number, sha256, from_position, body)
         SELECT 1, '', 0, body FROM motcua_catalogue;
     DROP TABLE motcua_catalogue;",
    // 7: every dossier's standing (`motcua_store::standings`), open or finished, so that a full
    // report reads one small row per dossier (with the second its first event occurred at, so
    // that a report as of an earlier instant skips it unread); the position and context it
    // was kept to in `motcua_standings_head`, with the number of rebuilds started (a rebuild's
    // writes carry it, so a later rebuild stops an earlier one). Empty and without a position
    // after the migration: the write that migrates the store (`import`, `gen --store`,
    // `follow`) builds it; until then reports read events.
    // The log is append-only. An event changed or removed at or before the table's position,
    // or while it has none (a rebuild may be reading it), by hand with any client, takes the
    // position away and starts the next generation, so that a rebuild under way can write
    // nothing more and reports read events again and meet the damage (docs/full-report.md).
    // The trigger names the head through the schema of the table it fires on, whatever the
    // search path of the session that fired it. An event inserted at or below the position
    // needs no trigger (one per appended row would cost every import): positions are
    // gap-free from 1 and the primary key, so such an insert either collides, or fills a hole
    // a removal made (which fired the trigger, or, above the position, stops the next
    // catch-up), or is at 0 or below, which the check refuses (`NOT VALID`: rows already
    // stored are not re-read; the store never wrote one there).
    "CREATE TABLE motcua_dossier_standings (
         dossier_id text COLLATE \"C\" PRIMARY KEY,
         first_second bigint NOT NULL,
         standing bytea
     );
     CREATE TABLE motcua_standings_head (
         id integer PRIMARY KEY CHECK (id = 1),
         position bigint,
         context bigint NOT NULL,
         generation bigint NOT NULL
     );
     INSERT INTO motcua_standings_head (id, position, context, generation) VALUES (1, NULL, 0, 0);
     CREATE FUNCTION motcua_events_changed_under_standings() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
         EXECUTE format(
             'UPDATE %I.motcua_standings_head SET position = NULL, generation = generation + 1
               WHERE id = 1 AND (position IS NULL OR $1 <= position)',
             TG_TABLE_SCHEMA)
         USING OLD.position;
         RETURN NULL;
     END
     $$;
     CREATE TRIGGER motcua_events_changed_under_standings
         AFTER UPDATE OR DELETE ON motcua_events
         FOR EACH ROW EXECUTE FUNCTION motcua_events_changed_under_standings();
     CREATE FUNCTION motcua_events_truncated_under_standings() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
         EXECUTE format(
             'UPDATE %I.motcua_standings_head SET position = NULL, generation = generation + 1
               WHERE id = 1',
             TG_TABLE_SCHEMA);
         RETURN NULL;
     END
     $$;
     CREATE TRIGGER motcua_events_truncated_under_standings
         AFTER TRUNCATE ON motcua_events
         FOR EACH STATEMENT EXECUTE FUNCTION motcua_events_truncated_under_standings();
     ALTER TABLE motcua_events
         ADD CONSTRAINT motcua_events_position_from_1 CHECK (position >= 1) NOT VALID;",
    // 8: an event changed or removed *after* the table's position also starts the next
    // generation (the position stays): a catch-up reads its page before the transaction that
    // writes it, and its write names the generation it started from, so a change made in
    // between to an event it read is no longer written as it was read (docs/full-report.md).
    "CREATE OR REPLACE FUNCTION motcua_events_changed_under_standings() RETURNS trigger
     LANGUAGE plpgsql AS $$
     BEGIN
         EXECUTE format(
             'UPDATE %I.motcua_standings_head
              SET position = CASE WHEN position IS NULL OR $1 <= position THEN NULL
                                  ELSE position END,
                  generation = generation + 1
              WHERE id = 1',
             TG_TABLE_SCHEMA)
         USING OLD.position;
         RETURN NULL;
     END
     $$;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The first schema version with the catalogue table.
pub(crate) const CATALOGUE_SINCE: i64 = 2;

/// The first schema version with the open-dossier projection.
pub(crate) const OPEN_DOSSIERS_SINCE: i64 = 3;

/// The first schema version whose events carry links.
pub(crate) const LINKED_SINCE: i64 = 4;

/// The first schema version whose projection keeps the open dossiers' standings.
pub(crate) const STANDINGS_SINCE: i64 = 5;

/// The first schema version that keeps catalogue records (before it, one catalogue row).
pub const CATALOGUE_RECORDS_SINCE: i64 = 6;

/// The first schema version that keeps every dossier's standing (`motcua_dossier_standings`).
pub const DOSSIER_STANDINGS_SINCE: i64 = 7;

/// A key for `pg_advisory_xact_lock`, so concurrent openers migrate one at a time.
const MIGRATION_LOCK: i64 = 0x6d6f_7463_7561_0001;

/// Creates or migrates the store's tables in the client's current schema, in one transaction.
pub(crate) fn prepare(client: &mut Client, schema: &str) -> Result<(), PgError> {
    let pg = |source| PgError::Postgres {
        schema: schema.to_owned(),
        source,
    };
    let mut tx = client.transaction().map_err(pg)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(pg)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS motcua_meta (key text PRIMARY KEY, value bigint NOT NULL)",
    )
    .map_err(pg)?;
    let found: i64 = tx
        .query_opt(
            "SELECT value FROM motcua_meta WHERE key = 'schema_version'",
            &[],
        )
        .map_err(pg)?
        .map_or(0, |row| row.get(0));
    not_newer(schema, found)?;
    let from = usize::try_from(found).unwrap_or(0);
    for (done, sql) in (1_i64..).zip(MIGRATIONS).skip(from) {
        tx.batch_execute(sql).map_err(pg)?;
        // The data a migration's new column or table needs, computed right after it (the
        // links before migration 7's trigger, which would fire on each row's update).
        if found > 0 && done == LINKED_SINCE {
            fill_links(&mut tx).map_err(pg)?;
        }
        if found > 0 && done == CATALOGUE_RECORDS_SINCE {
            crate::catalogue::hash_records(&mut tx).map_err(pg)?;
        }
    }
    if found < SCHEMA_VERSION {
        tx.execute(
            "INSERT INTO motcua_meta (key, value) VALUES ('schema_version', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&SCHEMA_VERSION],
        )
        .map_err(pg)?;
    }
    tx.commit().map_err(pg)
}

/// Events read per statement while the links of a store from before them are computed.
const FILL_CHUNK: i64 = 50_000;

/// Computes the link of every stored event (migration 4), dossier by dossier in sequence
/// order, [`FILL_CHUNK`] events at a time (memory stays bounded whatever the store's size): a
/// body that cannot be read gets no link, nor do the events after it in its dossier, so that
/// `motcua verify` names the place.
fn fill_links(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    use motcua_store::chain::{Link, Linker, GENESIS};
    let mut linker = Linker::default();
    // The last row done: its dossier, sequence and link (`None` once a body was unreadable).
    let mut last: (String, i64, Option<Link>) = (String::new(), i64::MIN, Some(GENESIS));
    loop {
        let rows = tx.query(
            "SELECT position, dossier_id, sequence, body FROM motcua_events
              WHERE (dossier_id, sequence) > ($1, $2)
              ORDER BY dossier_id, sequence LIMIT $3",
            &[&last.0, &last.1, &FILL_CHUNK],
        )?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut positions: Vec<i64> = Vec::with_capacity(rows.len());
        let mut links: Vec<Option<Vec<u8>>> = Vec::with_capacity(rows.len());
        for row in &rows {
            let position: i64 = row.get(0);
            let dossier: &str = row.get(1);
            let sequence: i64 = row.get(2);
            let body: &str = row.get(3);
            let previous = if last.0 == dossier {
                last.2
            } else {
                Some(GENESIS)
            };
            let event =
                motcua_store::codec::decode(u64::try_from(position).unwrap_or(0), body).ok();
            let link = previous
                .zip(event)
                .map(|(previous, event)| linker.link(&previous, &event));
            positions.push(position);
            links.push(link.map(|l| l.to_vec()));
            last = (dossier.to_owned(), sequence, link);
        }
        tx.execute(
            "UPDATE motcua_events e SET link = u.link
               FROM UNNEST($1::bigint[], $2::bytea[]) AS u (position, link)
              WHERE e.position = u.position",
            &[&positions, &links],
        )?;
    }
}

/// Gives `client` the store's read-only session settings ([`crate::pool::settings`]) and
/// checks, without creating or writing anything, that `schema` holds a motcua store this build
/// reads, and returns its version: one round trip when it does. An older store is read as it is
/// (every version has the events; the catalogue table came with version 2): only a writable
/// open migrates it.
pub(crate) fn check(client: &mut Client, schema: &str) -> Result<i64, PgError> {
    let pg = |source| PgError::Postgres {
        schema: schema.to_owned(),
        source,
    };
    // `schema` is a plain identifier (checked by the opener): safe in the text of a batch.
    let batch = format!(
        "{}; SELECT value FROM {schema}.motcua_meta WHERE key = 'schema_version'",
        crate::pool::settings(schema, true)
    );
    let found = match client.simple_query(&batch) {
        Ok(messages) => messages.iter().find_map(|message| match message {
            SimpleQueryMessage::Row(row) => Some(row.get(0).and_then(|v| v.parse::<i64>().ok())),
            _ => None,
        }),
        Err(e)
            if e.code() == Some(&SqlState::UNDEFINED_TABLE)
                || e.code() == Some(&SqlState::INVALID_SCHEMA_NAME) =>
        {
            return Err(why_not_a_store(client, schema)?)
        }
        Err(e) => return Err(pg(e)),
    };
    let found = found.flatten().unwrap_or(0);
    if found < 1 {
        return Err(not_a_store(schema, "the schema has no store version"));
    }
    not_newer(schema, found)?;
    Ok(found)
}

fn not_a_store(schema: &str, reason: &str) -> PgError {
    PgError::NotAStore {
        schema: schema.to_owned(),
        reason: reason.to_owned(),
    }
}

/// Why `schema`, whose version table could not be read, holds no store.
fn why_not_a_store(client: &mut Client, schema: &str) -> Result<PgError, PgError> {
    let row = client
        .query_typed_one(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
            &[(&schema, Type::TEXT)],
        )
        .map_err(|source| PgError::Postgres {
            schema: schema.to_owned(),
            source,
        })?;
    Ok(if row.get(0) {
        not_a_store(schema, "the schema has no motcua tables")
    } else {
        not_a_store(schema, "no such schema")
    })
}

/// Refuses a store written by a newer version.
fn not_newer(schema: &str, found: i64) -> Result<(), PgError> {
    if found > SCHEMA_VERSION {
        return Err(PgError::NewerSchema {
            schema: schema.to_owned(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}
