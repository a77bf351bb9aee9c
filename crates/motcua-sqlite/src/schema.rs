//! The schema: how a file is recognised as a motcua store, and the migrations that bring an
//! older store up to date.

use crate::error::SqliteError;
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::path::Path;

/// `PRAGMA application_id` of a motcua store: "MTCU" in ASCII.
pub const APPLICATION_ID: i64 = 0x4D54_4355;

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
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Checks that the database is a motcua store (or empty), refuses newer schemas, and migrates
/// older ones, all in one write transaction. A refused file is left as it was.
pub(crate) fn prepare(conn: &mut Connection, path: &Path) -> Result<(), SqliteError> {
    let sqlite = |source: rusqlite::Error| classify(source, path);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sqlite)?;
    let app_id: i64 = tx
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(sqlite)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sqlite)?;
    if app_id != APPLICATION_ID {
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .map_err(sqlite)?;
        if app_id != 0 || tables != 0 {
            let reason = if app_id != 0 {
                format!("a SQLite database with application id {app_id:#x}")
            } else {
                format!("a SQLite database with {tables} tables or indexes of something else")
            };
            return Err(SqliteError::NotAStore {
                path: path.to_owned(),
                reason,
            });
        }
    }
    if version > SCHEMA_VERSION {
        return Err(SqliteError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    let from = usize::try_from(version).unwrap_or(0);
    for sql in MIGRATIONS.iter().skip(from) {
        tx.execute_batch(sql).map_err(sqlite)?;
    }
    if version < SCHEMA_VERSION || app_id != APPLICATION_ID {
        tx.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
        ))
        .map_err(sqlite)?;
    }
    tx.commit().map_err(sqlite)
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
