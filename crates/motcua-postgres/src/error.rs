//! Errors from connecting to a PostgreSQL store.

/// Why a PostgreSQL store could not be opened. A refused database is left unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgError {
    /// The connection string could not be parsed.
    #[error("invalid PostgreSQL connection string: {0}")]
    Config(#[source] postgres::Error),
    /// The database could not be reached or refused the login.
    #[error("cannot connect to PostgreSQL: {0}")]
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
    #[error("schema {schema}: {source}")]
    Postgres {
        /// The PostgreSQL schema.
        schema: String,
        /// The database's error.
        source: postgres::Error,
    },
}
