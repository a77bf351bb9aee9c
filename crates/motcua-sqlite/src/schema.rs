//! The schema: how a file is recognised as a motcua store, and the migrations that bring an
//! older store up to date.

use crate::error::SqliteError;
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of a motcua store: "MTCU" in ASCII.
pub const APPLICATION_ID: i64 = 0x4D54_4355;

/// What schema 8's triggers do when an event is changed or removed (`OLD` is its row): the
/// next generation, and the position taken away when the event is at or before it.
macro_rules! changed_under_standings {
    () => {
        "UPDATE standings_head
         SET position = CASE WHEN OLD.position <= COALESCE(position, OLD.position)
                             THEN NULL ELSE position END,
             generation = generation + 1
         WHERE id = 1;"
    };
}

/// The migrations, in order: migration `i` brings a store from version `i` to `i + 1`
/// (`PRAGMA user_version`). Never edit one that has shipped; add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: events, checkpoints, the catalogue.
    "CREATE TABLE events (
         position INTEGER PRIMARY KEY,
         event_id BLOB NOT NULL UNIQUE,
         dossier_id TEXT NOT NULL,
         sequence INTEGER NOT NULL,
         body TEXT NOT NULL,
         UNIQUE (dossier_id, sequence)
     );
     CREATE TABLE checkpoints (
         name TEXT PRIMARY KEY,
         position INTEGER NOT NULL,
         state BLOB NOT NULL
     );
     CREATE TABLE catalogue (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         body TEXT NOT NULL
     );",
    // 2: the open-dossier projection (`motcua_store::open_dossiers`): open dossiers by unit,
    // their alarm instants by time, and where the projection stands.
    "CREATE TABLE open_dossiers (
         dossier_id TEXT PRIMARY KEY,
         unit TEXT NOT NULL,
         status INTEGER NOT NULL,
         events BLOB NOT NULL
     ) WITHOUT ROWID;
     CREATE INDEX open_dossiers_by_unit ON open_dossiers (unit, dossier_id);
     CREATE TABLE open_alarms (
         at INTEGER NOT NULL,
         dossier_id TEXT NOT NULL,
         PRIMARY KEY (at, dossier_id)
     ) WITHOUT ROWID;
     CREATE INDEX open_alarms_by_dossier ON open_alarms (dossier_id);
     CREATE TABLE open_head (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         position INTEGER NOT NULL,
         context INTEGER NOT NULL,
         latest INTEGER
     );",
    // 3: the tamper-evident log (`motcua_store::chain`): every event's link, the SHA-256 hash
    // chaining it to the event before it in its dossier. The links of the events already
    // stored are computed in the same transaction by `fill_links`.
    "ALTER TABLE events ADD COLUMN link BLOB;",
    // 4: the standings of the open dossiers (`motcua_core::Standing`, in the compact form of
    // `motcua_store::codec::standing`; NULL for a dossier the projection's context could not
    // judge), clustered by unit so that a unit's list is one range read. The projection is
    // emptied: the write that migrates the file rebuilds it with its standings (readers read
    // every dossier until a write or `motcua follow` does).
    "CREATE TABLE open_standings (
         unit TEXT NOT NULL,
         dossier_id TEXT NOT NULL,
         standing BLOB,
         PRIMARY KEY (unit, dossier_id)
     ) WITHOUT ROWID;
     CREATE UNIQUE INDEX open_standings_by_dossier ON open_standings (dossier_id);
     DELETE FROM open_head;
     DELETE FROM open_dossiers;
     DELETE FROM open_alarms;",
    // 5: catalogue records (`motcua_store::catalogue_records`): every catalogue kept, numbered,
    // with its SHA-256 (hex) and the log position it judges from. The one catalogue of an
    // older store becomes record 1, judging from position 0; its hash is computed in the same
    // transaction by `hash_catalogue_records` (SQLite has no SHA-256 function).
    "CREATE TABLE catalogue_records (
         number INTEGER PRIMARY KEY CHECK (number >= 1),
         sha256 TEXT NOT NULL,
         from_position INTEGER NOT NULL,
         body TEXT NOT NULL
     );
     INSERT INTO catalogue_records (number, sha256, from_position, body)
         SELECT 1, '', 0, body FROM catalogue;
     DROP TABLE catalogue;",
    // 6: the unique indexes of the events table named, so that an import into an empty store
    // can drop the one on event ids and build it once after its inserts (`crate::import`;
    // docs/event-id-index.md). SQLite cannot drop the index of a constraint written
    // in the table, so the table is rebuilt: its rows are copied in position order, the old
    // table's pages go to the free list (reused by later writes; `VACUUM` gives them back).
    "CREATE TABLE events_v6 (
         position INTEGER PRIMARY KEY,
         event_id BLOB NOT NULL,
         dossier_id TEXT NOT NULL,
         sequence INTEGER NOT NULL,
         body TEXT NOT NULL,
         link BLOB
     );
     INSERT INTO events_v6 (position, event_id, dossier_id, sequence, body, link)
         SELECT position, event_id, dossier_id, sequence, body, link FROM events
         ORDER BY position;
     DROP TABLE events;
     ALTER TABLE events_v6 RENAME TO events;
     CREATE UNIQUE INDEX events_by_dossier ON events (dossier_id, sequence);
     CREATE UNIQUE INDEX events_by_event_id ON events (event_id);",
    // 7: every dossier's standing (`motcua_store::standings`), open or finished, in the order
    // dossiers were first written (the rowid), so that a full report reads them in one
    // sequential pass (with the second its first event occurred at, so that a report as of an
    // earlier instant skips it unread); the position and context it was kept to in
    // `standings_head`, with the number of rebuilds started (a rebuild's writes carry it, so a
    // later rebuild stops an earlier one). Empty and without a position after the migration:
    // the write that migrates the file (`import`, `gen --store`, `follow`) builds it; until
    // then reports read events.
    // The log is append-only. An event changed or removed at or before the table's position,
    // or while it has none (a rebuild may be reading it), or one inserted at or below the
    // position (by hand, with any SQLite client), takes the position away and starts the next
    // generation, so that a rebuild under way can write nothing more and reports read events
    // again and meet the damage (docs/full-report.md). Appends at the end of the log do not
    // fire them, nor does an import's undo of its own refused rows after the position (while
    // the table has no position the undo stops a rebuild under way: the next write starts it
    // again).
    "CREATE TABLE dossier_standings (
         dossier_id TEXT NOT NULL UNIQUE,
         first_second INTEGER NOT NULL,
         standing BLOB
     );
     CREATE TABLE standings_head (
         id INTEGER PRIMARY KEY CHECK (id = 1),
         position INTEGER,
         context INTEGER NOT NULL,
         generation INTEGER NOT NULL
     );
     INSERT INTO standings_head (id, position, context, generation) VALUES (1, NULL, 0, 0);
     CREATE TRIGGER events_changed_under_standings AFTER UPDATE ON events
     WHEN OLD.position <= COALESCE((SELECT position FROM standings_head WHERE id = 1), OLD.position)
     BEGIN
         UPDATE standings_head SET position = NULL, generation = generation + 1 WHERE id = 1;
     END;
     CREATE TRIGGER events_removed_under_standings AFTER DELETE ON events
     WHEN OLD.position <= COALESCE((SELECT position FROM standings_head WHERE id = 1), OLD.position)
     BEGIN
         UPDATE standings_head SET position = NULL, generation = generation + 1 WHERE id = 1;
     END;
     CREATE TRIGGER events_inserted_under_standings AFTER INSERT ON events
     WHEN NEW.position <= (SELECT position FROM standings_head WHERE id = 1)
     BEGIN
         UPDATE standings_head SET position = NULL, generation = generation + 1 WHERE id = 1;
     END;",
    // 8: an event changed or removed *after* the table's position also starts the next
    // generation (the position stays): a catch-up reads its page before the transaction that
    // writes it, and its write names the generation it started from, so a change made in
    // between to an event it read is no longer written as it was read. An import's undo of
    // its own refused rows now starts a generation too (it stops a catch-up or rebuild under
    // way in another process; the next write catches up). docs/full-report.md.
    concat!(
        "DROP TRIGGER events_changed_under_standings;
         DROP TRIGGER events_removed_under_standings;
         CREATE TRIGGER events_changed_under_standings AFTER UPDATE ON events BEGIN ",
        changed_under_standings!(),
        " END;
         CREATE TRIGGER events_removed_under_standings AFTER DELETE ON events BEGIN ",
        changed_under_standings!(),
        " END;"
    ),
];

/// The index on event ids ([`SCHEMA_VERSION`] 6 on), which an import into an empty store
/// builds after its inserts.
pub(crate) const EVENT_ID_INDEX: &str = "events_by_event_id";

/// The statement that builds [`EVENT_ID_INDEX`].
pub(crate) const CREATE_EVENT_ID_INDEX: &str =
    "CREATE UNIQUE INDEX events_by_event_id ON events (event_id)";

/// The index on (dossier, sequence) ([`SCHEMA_VERSION`] 6 on), which an import into an empty
/// store builds after its inserts too.
pub(crate) const DOSSIER_INDEX: &str = "events_by_dossier";

/// The statement that builds [`DOSSIER_INDEX`].
pub(crate) const CREATE_DOSSIER_INDEX: &str =
    "CREATE UNIQUE INDEX events_by_dossier ON events (dossier_id, sequence)";

/// The first schema version whose events carry links.
pub const LINKED_SINCE: i64 = 3;

/// The first schema version whose projection keeps the open dossiers' standings.
pub const STANDINGS_SINCE: i64 = 4;

/// The first schema version that keeps catalogue records (before it, one `catalogue` row).
pub const CATALOGUE_RECORDS_SINCE: i64 = 5;

/// The first schema version that keeps every dossier's standing (`dossier_standings`).
pub const DOSSIER_STANDINGS_SINCE: i64 = 7;

/// Events read per statement while the links of a store from before them are computed.
const FILL_CHUNK: i64 = 50_000;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The oldest schema version this build reads without migrating: version 1 lacks only the
/// open-dossier projection, which readers do without (they read every dossier instead).
pub const READABLE_SINCE: i64 = 1;

/// Checks that the database is a motcua store (or empty), refuses newer schemas, and migrates
/// older ones, all in one write transaction. A refused file is left as it was.
pub(crate) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), SqliteError> {
    let sqlite = |source: rusqlite::Error| classify(source, path);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let found = Found::read(&tx, path)?;
    if found.app_id != APPLICATION_ID && (found.app_id != 0 || found.tables != 0) {
        return Err(found.foreign(path));
    }
    found.not_newer(path)?;
    if found.app_id == APPLICATION_ID && found.version == 0 && found.tables != 0 {
        // Made by motcua (its application id), holding tables, yet at no version: the
        // version was changed outside motcua, and no migration can know where to start.
        return Err(SqliteError::NotAStore {
            path: path.to_owned(),
            reason: format!(
                "a motcua store whose schema version was reset to 0 (it holds {} tables or \
                 indexes); not migrated, nothing was changed",
                found.tables
            ),
        });
    }
    let from = usize::try_from(found.version).unwrap_or(0);
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        tx.execute_batch(sql).map_err(|e| match e {
            e if crate::error::is_storage_failure(&e) => sqlite(e),
            // A migration that meets what it was to make, or misses what it was to change:
            // the tables are not those of the version the file says.
            e => SqliteError::NotAStore {
                path: path.to_owned(),
                reason: format!(
                    "its tables are not those of its schema version {} (migration {} to {} \
                     failed: {}); not migrated, nothing was changed",
                    found.version,
                    step,
                    step + 1,
                    match &e {
                        rusqlite::Error::SqlInputError { msg, .. } => msg.clone(),
                        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
                        other => other.to_string(),
                    }
                ),
            },
        })?;
    }
    if found.version > 0 && found.version < LINKED_SINCE {
        fill_links(&tx, FILL_CHUNK).map_err(sqlite)?;
    }
    if found.version > 0 && found.version < CATALOGUE_RECORDS_SINCE {
        crate::catalogue::hash_records(&tx).map_err(sqlite)?;
    }
    if found.version < SCHEMA_VERSION || found.app_id != APPLICATION_ID {
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))
        .map_err(sqlite)?;
    }
    tx.commit().map_err(sqlite)
}

/// Computes the link of every stored event (migration 3), dossier by dossier in sequence
/// order, reading `chunk` events at a time ([`FILL_CHUNK`]). Events are chained as they are stored: a
/// body that cannot be read gets no link, and neither do the events after it in its dossier,
/// so that `motcua verify` names the place.
fn fill_links(tx: &Connection, chunk: i64) -> rusqlite::Result<()> {
    use motcua_store::chain::{Link, Linker, GENESIS};
    let mut select = tx.prepare(
        "SELECT position, dossier_id, sequence, body FROM events
         WHERE (dossier_id, sequence) > (?1, ?2) ORDER BY dossier_id, sequence LIMIT ?3",
    )?;
    let mut update = tx.prepare("UPDATE events SET link = ?2 WHERE position = ?1")?;
    let mut linker = Linker::default();
    // The last row done: its dossier, sequence and link (`None` once a body was unreadable).
    let mut last: (String, i64, Option<Link>) = (String::new(), i64::MIN, Some(GENESIS));
    loop {
        let mut rows = select.query(rusqlite::params![last.0, last.1, chunk])?;
        let mut done = Vec::new();
        while let Some(row) = rows.next()? {
            let position: i64 = row.get(0)?;
            let dossier: String = row.get(1)?;
            let sequence: i64 = row.get(2)?;
            let previous = if dossier == last.0 {
                last.2
            } else {
                Some(GENESIS)
            };
            let body = row.get_ref(3)?.as_bytes().ok();
            let position_u = u64::try_from(position).unwrap_or(0);
            let event = body.and_then(|b| motcua_store::codec::decode_body(position_u, b).ok());
            let link = previous
                .zip(event)
                .map(|(previous, event)| linker.link(&previous, &event));
            done.push((position, link));
            last = (dossier, sequence, link);
        }
        drop(rows);
        if done.is_empty() {
            return Ok(());
        }
        for (position, link) in done {
            if let Some(link) = link {
                update.execute(rusqlite::params![position, link.as_slice()])?;
            }
        }
    }
}

/// Checks, without writing anything, that the database is a motcua store this build reads,
/// and returns its schema version: an empty file, a foreign database, or a store of a newer
/// version or older than [`READABLE_SINCE`] is refused (an older store is migrated by opening
/// it for writing).
pub(crate) fn check(conn: &Connection, path: &Path) -> Result<i64, SqliteError> {
    let found = Found::read(conn, path)?;
    if found.app_id != APPLICATION_ID {
        return Err(found.foreign(path));
    }
    found.not_newer(path)?;
    if found.version < READABLE_SINCE {
        return Err(SqliteError::OlderSchema {
            path: path.to_owned(),
            found: found.version,
            current: SCHEMA_VERSION,
        });
    }
    tables_match(conn, path, found.version)?;
    Ok(found.version)
}

/// The tables each schema version has: (name, the version that made it, the version that
/// dropped it). Readers choose their queries by the version, so a version that does not
/// match the tables (set back or forward outside motcua) would fail them with SQLite's words.
const TABLES: &[(&str, i64, i64)] = &[
    ("events", 1, i64::MAX),
    ("checkpoints", 1, i64::MAX),
    ("catalogue", 1, CATALOGUE_RECORDS_SINCE),
    ("open_dossiers", 2, i64::MAX),
    ("open_alarms", 2, i64::MAX),
    ("open_head", 2, i64::MAX),
    ("open_standings", STANDINGS_SINCE, i64::MAX),
    ("catalogue_records", CATALOGUE_RECORDS_SINCE, i64::MAX),
    ("dossier_standings", DOSSIER_STANDINGS_SINCE, i64::MAX),
    ("standings_head", DOSSIER_STANDINGS_SINCE, i64::MAX),
];

/// Refuses, as not a store this build can read, a file whose tables are not those of its
/// schema `version` ([`TABLES`]), naming the first table missing or there too early.
fn tables_match(conn: &Connection, path: &Path, version: i64) -> Result<(), SqliteError> {
    let mut exists = conn
        .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1")
        .map_err(|e| classify(e, path))?;
    for &(table, since, until) in TABLES {
        let present: i64 = exists
            .query_row([table], |r| r.get(0))
            .map_err(|e| classify(e, path))?;
        let expected = since <= version && version < until;
        if (present > 0) != expected {
            let what = if expected {
                format!("it has no table `{table}`")
            } else {
                format!("it has a table `{table}`, which version {version} does not")
            };
            return Err(SqliteError::NotAStore {
                path: path.to_owned(),
                reason: format!(
                    "its tables are not those of its schema version {version} ({what}): the \
                     file was changed outside motcua; nothing was read"
                ),
            });
        }
    }
    Ok(())
}

/// What the file's header and catalogue say it is.
struct Found {
    /// `PRAGMA application_id`.
    app_id: i64,
    /// `PRAGMA user_version`.
    version: i64,
    /// Tables and indexes in `sqlite_master`.
    tables: i64,
}

impl Found {
    fn read(conn: &Connection, path: &Path) -> Result<Found, SqliteError> {
        let sqlite = |source: rusqlite::Error| classify(source, path);
        let pragma = |name: &str| -> Result<i64, SqliteError> {
            conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
                .map_err(sqlite)
        };
        Ok(Found {
            app_id: pragma("application_id")?,
            version: pragma("user_version")?,
            tables: conn
                .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                .map_err(sqlite)?,
        })
    }

    /// The refusal of a file that is not marked as a motcua store.
    fn foreign(&self, path: &Path) -> SqliteError {
        let reason = if self.app_id != 0 {
            format!("a SQLite database with application id {:#x}", self.app_id)
        } else if self.tables != 0 {
            format!(
                "a SQLite database with {} tables or indexes of something else",
                self.tables
            )
        } else {
            "an empty file or database: no store was ever made in it".to_owned()
        };
        SqliteError::NotAStore {
            path: path.to_owned(),
            reason,
        }
    }

    fn not_newer(&self, path: &Path) -> Result<(), SqliteError> {
        if self.version > SCHEMA_VERSION {
            return Err(SqliteError::NewerSchema {
                path: path.to_owned(),
                found: self.version,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(())
    }
}

/// Turns "file is not a database" into [`SqliteError::NotAStore`].
pub(crate) fn classify(source: rusqlite::Error, path: &Path) -> SqliteError {
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => SqliteError::NotAStore {
            path: path.to_owned(),
            reason: "not a SQLite database".to_owned(),
        },
        _ => SqliteError::Sqlite {
            path: path.to_owned(),
            source,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::{DossierId, Event, EventKind};
    use motcua_store::{EventStore, ExpectedVersion};

    #[test]
    fn links_are_filled_across_chunk_boundaries_as_appends_write_them() {
        let store = crate::SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        for (k, (d, n)) in [("A", 5u64), ("B", 1), ("C", 4)].into_iter().enumerate() {
            let dossier = DossierId::new(d);
            let events: Vec<Event> = (1..=n)
                .map(|sequence| Event {
                    event_id: uuid::Uuid::from_u128((k as u128) << 8 | u128::from(sequence)),
                    dossier_id: dossier.clone(),
                    sequence,
                    occurred_at: time::OffsetDateTime::UNIX_EPOCH,
                    recorded_at: time::OffsetDateTime::UNIX_EPOCH,
                    kind: EventKind::Rated { satisfied: true },
                    metadata: Default::default(),
                })
                .collect();
            store
                .append(&dossier, ExpectedVersion::NoStream, &events)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let conn = store.lease().unwrap_or_else(|e| panic!("{e}"));
        let links = |conn: &Connection| -> Vec<Option<Vec<u8>>> {
            let mut stmt = conn
                .prepare("SELECT link FROM events ORDER BY position")
                .unwrap_or_else(|e| panic!("{e}"));
            let rows = stmt
                .query_map([], |r| r.get(0))
                .unwrap_or_else(|e| panic!("{e}"));
            rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
        };
        let written = links(&conn);
        for chunk in [1, 2, 3, 4, 100] {
            conn.execute_batch("UPDATE events SET link = NULL")
                .unwrap_or_else(|e| panic!("{e}"));
            fill_links(&conn, chunk).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(links(&conn), written, "chunks of {chunk}");
        }
    }

    /// A row of the events table: position, event id, dossier, sequence, body, link.
    type Row = (i64, Vec<u8>, String, i64, String, Option<Vec<u8>>);

    /// Every row of the events table, in position order.
    fn rows(conn: &Connection) -> Vec<Row> {
        let mut stmt = conn
            .prepare("SELECT * FROM events ORDER BY position")
            .unwrap_or_else(|e| panic!("{e}"));
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap_or_else(|e| panic!("{e}"));
        rows.map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect()
    }

    /// Migration 6 rebuilds the events table of a version-5 store with its rows and columns
    /// as they were, and its two unique rules as named indexes that still refuse.
    #[test]
    fn the_events_table_is_rebuilt_with_named_unique_indexes() {
        let mut conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        for sql in &MIGRATIONS[..5] {
            conn.execute_batch(sql).unwrap_or_else(|e| panic!("{e}"));
        }
        conn.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 5;
             INSERT INTO events VALUES (1, x'01', 'A', 1, 'one', x'aa');
             INSERT INTO events VALUES (2, x'02', 'B', 1, 'two', NULL);
             INSERT INTO events VALUES (5, x'05', 'A', 2, 'five', x'bb');"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        let before = rows(&conn);
        prepare(&mut conn, Path::new(":memory:")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows(&conn), before);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(version, SCHEMA_VERSION);
        let mut stmt = conn
            .prepare("SELECT name, \"unique\" FROM pragma_index_list('events') ORDER BY name")
            .unwrap_or_else(|e| panic!("{e}"));
        let indexes: Vec<(String, bool)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap_or_else(|e| panic!("{e}"))
            .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
            .collect();
        assert_eq!(
            indexes,
            vec![
                ("events_by_dossier".to_owned(), true),
                (EVENT_ID_INDEX.to_owned(), true)
            ]
        );
        for (refused, sql) in [
            (
                "a stored id",
                "INSERT INTO events VALUES (6, x'02', 'C', 1, 'x', NULL)",
            ),
            (
                "a stored sequence",
                "INSERT INTO events VALUES (6, x'06', 'A', 2, 'x', NULL)",
            ),
        ] {
            let e = conn.execute_batch(sql).err();
            assert_eq!(
                e.and_then(|e| e.sqlite_error_code()),
                Some(ErrorCode::ConstraintViolation),
                "{refused}"
            );
        }
    }
}
