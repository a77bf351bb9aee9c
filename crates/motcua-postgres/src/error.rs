//! Errors from connecting to a PostgreSQL store, and how the client's errors are described
//! and classified.

use motcua_store::StoreError;
use std::error::Error as _;

/// Why a PostgreSQL store could not be opened. A refused database is left unchanged.
///
/// Messages carry the whole cause: the server's own message for a database error (with its
/// SQLSTATE, detail and hint), else every source in the chain (`error connecting to server:
/// Connection refused (os error 111)`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The connection string could not be parsed.
    #[error("invalid PostgreSQL connection string: {}", describe(.0))]
    Config(#[source] postgres::Error),
    /// The database could not be reached or refused the login.
    #[error("cannot connect to PostgreSQL: {}", describe(.0))]
    Connect(#[source] postgres::Error),
    /// The schema name is not a plain identifier.
    #[error("schema name {0:?} is not a plain identifier (letters, digits and _, not starting with a digit)")]
    BadSchemaName(String),
    /// The schema holds a motcua store written by a newer version.
    #[error("schema {schema}: the store has schema version {found}, but this motcua knows versions up to {supported}; use a newer motcua")]
    NewerSchema {
        /// The PostgreSQL schema.
        schema: String,
        /// Its store schema version.
        found: i64,
        /// The newest version this build knows.
        supported: i64,
    },
    /// A read-only open found no motcua store in the schema (a read-only open creates
    /// nothing).
    #[error("schema {schema}: not a motcua store ({reason})")]
    NotAStore {
        /// The PostgreSQL schema.
        schema: String,
        /// What is there instead.
        reason: String,
    },
    /// A catalogue record's body no longer hashes to its recorded SHA-256: it was changed
    /// after it was written, behind motcua's back.
    #[error("schema {schema}: the stored catalogue was changed after it was written: {message}")]
    ChangedCatalogue {
        /// The PostgreSQL schema.
        schema: String,
        /// Which record, and the hashes.
        message: String,
    },
    /// The stored catalogue cannot be read.
    #[error("schema {schema}: the stored catalogue cannot be read: {message}")]
    BadCatalogue {
        /// The PostgreSQL schema.
        schema: String,
        /// What is wrong.
        message: String,
    },
    /// The store could not be used (no connection from the pool).
    #[error(transparent)]
    Store(#[from] motcua_store::StoreError),
    /// A statement failed while preparing the store.
    #[error("schema {schema}: {}", describe(.source))]
    Postgres {
        /// The PostgreSQL schema.
        schema: String,
        /// The database's error.
        source: postgres::Error,
    },
}

impl PgError {
    /// Whether the database could not be reached, refused the login, or could not read or
    /// write (a full disk, a read-only or shut-down server, a lock not granted), as opposed to
    /// a bad connection string or schema name, or a store from a newer motcua.
    pub fn is_storage_failure(&self) -> bool {
        match self {
            PgError::Connect(_) => true,
            PgError::Postgres { source, .. } => is_storage_failure(source),
            PgError::Store(e) => matches!(e, StoreError::Storage(_)),
            _ => false,
        }
    }
}

/// One line describing the client's `error` with its cause: for a database error, the
/// server's severity, message, SQLSTATE, detail and hint (the client's own text is only
/// `db error`); otherwise the error and every source after it, separated by `: `.
pub(crate) fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = format!(
            "{}: {} (SQLSTATE {})",
            db.severity(),
            db.message(),
            db.code().code()
        );
        if let Some(detail) = db.detail() {
            text.push_str(&format!("; detail: {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!("; hint: {hint}"));
        }
        return text.replace('\n', " ");
    }
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether the client's `error` is about reaching or using the database rather than about
/// what was asked: no connection, a closed one, an I/O error, or a server that cannot serve
/// (SQLSTATE classes 08 connection, 53 insufficient resources, 57 operator intervention, 58
/// system error; 25006 read-only transaction; 55P03 lock not available).
pub(crate) fn is_storage_failure(error: &postgres::Error) -> bool {
    if let Some(code) = error.code() {
        let code = code.code();
        return ["08", "53", "57", "58"].iter().any(|c| code.starts_with(c))
            || code == "25006"
            || code == "55P03";
    }
    let mut source = error.source();
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    error.is_closed()
}

/// The store error for the client's `error` in `schema`: [`StoreError::Storage`] when the
/// database could not be reached or used, else [`StoreError::Backend`]; the message has the
/// whole cause.
pub(crate) fn store_error(schema: &str, error: &postgres::Error) -> StoreError {
    let message = format!("PostgreSQL schema {schema}: {}", describe(error));
    if is_storage_failure(error) {
        StoreError::Storage(message)
    } else {
        StoreError::Backend(message)
    }
}
