//! The SQLite event store.

use crate::access::{self, Access};
use crate::error::SqliteError;
use crate::pool::{Lease, Pool};
use crate::schema::{classify, prepare};
use motcua_core::{DossierId, Event};
use motcua_store::chain::{self, Link, Linker, GENESIS};
use motcua_store::{
    plan_batch, Appended, BatchPlan, Checkpoint, CheckpointStore, EventStore, ImportSession,
    StoreError, StoreResult, StoredEvent, StreamBatch,
};
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// An [`EventStore`] in one SQLite file (or in memory).
///
/// - **WAL** journal: readers never block the writer nor the writer readers.
/// - **`synchronous = FULL`**: every commit is fsynced to the WAL before the append returns,
///   so an acknowledged append survives a crash of the process *and* of the machine (power
///   loss). `NORMAL`, the usual WAL setting, keeps the file consistent but may lose the last
///   commits on power loss, which would break "acknowledged means stored".
/// - One transaction per append call: a batch (or every batch of
///   [`EventStore::append_streams`]) is stored whole or not at all. Writers take the write lock
///   at the start (`BEGIN IMMEDIATE`), so positions are assigned in commit order without gaps.
/// - The schema is versioned (`PRAGMA user_version`, see [`crate::SCHEMA_VERSION`]) and the
///   file marked as a motcua store (`PRAGMA application_id`); opening a file that is not a
///   store, or is from a newer version, is a clear error and changes nothing.
///
/// Each thread using the store gets its own connection from a small pool; several
/// `SqliteStore`s (or processes) may open the same file.
///
/// ```
/// use motcua_store::{EventStore, conformance};
/// use motcua_sqlite::SqliteStore;
/// let store = SqliteStore::open_in_memory()?;
/// assert_eq!(store.last_position()?, 0);
/// conformance::empty_store_is_empty(&store);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteStore {
    path: PathBuf,
    pool: Pool,
    /// A read-only store that found no `-wal` next to the file: SQLite made the (empty) log
    /// files to read through, and they are removed when the store is dropped, if no other
    /// connection uses them (see [`access::remove_unused_log`]).
    made_log: bool,
    /// The store's schema version: [`crate::SCHEMA_VERSION`] but for a store of an older
    /// schema opened read-only (not migrated), read as it is: its events carry no links
    /// before [`crate::schema::LINKED_SINCE`], its catalogue is one row before
    /// [`crate::schema::CATALOGUE_RECORDS_SINCE`].
    version: i64,
    /// The page cache an import session gives its connection, in KiB
    /// ([`SqliteStore::with_import_cache`]).
    pub(crate) import_cache_kib: i64,
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        if self.made_log {
            // No lease outlives the store: every connection is idle.
            self.pool.close_idle();
            access::remove_unused_log(&self.path);
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the store in `path`, creating the file (and the schema) if needed, and migrating
    /// a store written by an older version.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("motcua-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("store.db");
    /// # let _ = std::fs::remove_file(&path);
    /// let store = motcua_sqlite::SqliteStore::open(&path)?;
    /// assert_eq!(store.path(), path);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, SqliteError> {
        Self::open_with(path.as_ref(), true)
    }

    /// Opens an existing store; a missing file is [`SqliteError::Missing`], not a new store.
    ///
    /// ```
    /// let err = motcua_sqlite::SqliteStore::open_existing("/nonexistent/motcua.db").unwrap_err();
    /// assert_eq!(err.to_string(), "/nonexistent/motcua.db: no such store file");
    /// ```
    pub fn open_existing(path: impl AsRef<Path>) -> Result<SqliteStore, SqliteError> {
        Self::open_with(path.as_ref(), false)
    }

    fn open_with(path: &Path, create: bool) -> Result<SqliteStore, SqliteError> {
        if !create && !path.exists() {
            return Err(SqliteError::Missing {
                path: path.to_owned(),
            });
        }
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let mut conn = Connection::open_with_flags(path, flags).map_err(|e| classify(e, path))?;
        access::configure(&conn, path, Access::ReadWrite)?;
        let wal = |conn: &Connection| -> Result<String, SqliteError> {
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(|e| classify(e, path))
        };
        // A new (empty) file takes its write-ahead log before its schema: killed while the
        // schema is written, it is left an empty database, not a half-written file with a
        // rollback journal that only a writer could roll back (readers would find it
        // malformed). Any other file is checked before it is changed at all.
        let pages: i64 = conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .map_err(|e| classify(e, path))?;
        if pages == 0 {
            wal(&conn)?;
        }
        prepare(&mut conn, path)?;
        let mode = wal(&conn)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(SqliteError::NotAStore {
                path: path.to_owned(),
                reason: format!("the file cannot use a write-ahead log (journal mode {mode})"),
            });
        }
        Ok(SqliteStore {
            path: path.to_owned(),
            pool: Pool::new(conn, Some((path.to_owned(), Access::ReadWrite))),
            made_log: false,
            version: crate::SCHEMA_VERSION,
            import_cache_kib: crate::import::IMPORT_CACHE_KIB,
        })
    }

    /// Opens an existing store for reading only: nothing is ever written to the file, no write
    /// lock is taken, and no schema is created or migrated. Reads see a snapshot of what was
    /// committed, through the write-ahead log, while writers (an import) go on.
    ///
    /// Refused, with the file left untouched: a missing file ([`SqliteError::Missing`]), a
    /// file that is not a store, including an empty one ([`SqliteError::NotAStore`]), a
    /// store from a newer or an older version ([`SqliteError::NewerSchema`],
    /// [`SqliteError::OlderSchema`]: an older store is migrated by [`SqliteStore::open`]).
    ///
    /// SQLite reads a WAL database through its `-wal` and `-shm` files, creating them next to
    /// the file if they are missing (they hold no data then; the database file is not
    /// changed); files made so are removed when the store is dropped, unless another
    /// connection (a writer that started meanwhile) uses them. Where they can be neither found nor created (read-only media, a read-only
    /// directory), no writer can change the file either, so it is read as immutable (no locks,
    /// no log); a `-wal` that holds commits not yet in the file is then refused
    /// ([`SqliteError::UnreadableLog`]) rather than ignored. Writes through a read-only store
    /// fail.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("motcua-doc-ro-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// use motcua_sqlite::{SqliteError, SqliteStore};
    /// use motcua_store::EventStore;
    /// let path = dir.join("store.db");
    /// # let _ = std::fs::remove_file(&path);
    /// drop(SqliteStore::open(&path)?); // made by a writer
    /// let store = SqliteStore::open_read_only(&path)?;
    /// assert_eq!(store.last_position()?, 0);
    ///
    /// std::fs::write(dir.join("empty.db"), b"")?;
    /// let err = SqliteStore::open_read_only(dir.join("empty.db")).unwrap_err();
    /// assert!(matches!(err, SqliteError::NotAStore { .. }));
    /// assert_eq!(std::fs::metadata(dir.join("empty.db"))?.len(), 0);
    /// # drop(store);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<SqliteStore, SqliteError> {
        let path = path.as_ref();
        if !path.exists() {
            return Err(SqliteError::Missing {
                path: path.to_owned(),
            });
        }
        if path.is_dir() {
            // What a writable open says of a directory (a read-only one says "disk I/O error").
            let cannot_open = rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN);
            let message = format!("unable to open database file: {}", path.display());
            return Err(SqliteError::Sqlite {
                path: path.to_owned(),
                source: rusqlite::Error::SqliteFailure(cannot_open, Some(message)),
            });
        }
        let had_log = access::sibling(path, "-wal").exists();
        let checked = |access| -> Result<(Connection, i64), SqliteError> {
            let conn = access::connect(path, access)?;
            let version = crate::schema::check(&conn, path)?;
            Ok((conn, version))
        };
        let ((conn, version), access) = match checked(Access::ReadOnly) {
            Ok(opened) => (opened, Access::ReadOnly),
            Err(e) if access::wal_unavailable(&e) => {
                if access::wal_has_frames(path) {
                    return Err(SqliteError::UnreadableLog {
                        path: path.to_owned(),
                        wal: access::sibling(path, "-wal"),
                    });
                }
                (checked(Access::Immutable)?, Access::Immutable)
            }
            Err(e) => return Err(e),
        };
        Ok(SqliteStore {
            path: path.to_owned(),
            pool: Pool::new(conn, Some((path.to_owned(), access))),
            made_log: access == Access::ReadOnly && !had_log,
            version,
            import_cache_kib: crate::import::IMPORT_CACHE_KIB,
        })
    }

    /// A store in memory, gone when dropped: the same schema and code as a file, for tests
    /// and for the bundled sample. Its one connection is shared by turns.
    pub fn open_in_memory() -> Result<SqliteStore, SqliteError> {
        let path = PathBuf::from(":memory:");
        let mut conn = Connection::open_in_memory().map_err(|e| classify(e, &path))?;
        prepare(&mut conn, &path)?;
        Ok(SqliteStore {
            pool: Pool::new(conn, None),
            path,
            made_log: false,
            version: crate::SCHEMA_VERSION,
            import_cache_kib: crate::import::IMPORT_CACHE_KIB,
        })
    }

    /// The store with a page cache of `mebibytes` MiB (at least 1) for its import sessions
    /// ([`motcua_store::EventStore::begin_import`]; 32 MiB unless set). An import into a
    /// store that holds events inserts into the indexes on event ids and on (dossier,
    /// sequence) in random order: a larger cache keeps more of their pages and writes faster,
    /// for that much more memory (measured before imports into an empty store built the id
    /// index after: `gen --store` of 10⁶ dossiers, 32 MiB about 220 MB peak, 128 MiB about
    /// 340 MB and 8–25 % less time; BENCHMARKS.md). Other connections keep SQLite's default.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("motcua-cache-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// use motcua_store::EventStore;
    /// let store = motcua_sqlite::SqliteStore::open(dir.join("store.db"))?.with_import_cache(128);
    /// let mut session = store.begin_import()?;
    /// session.commit()?;
    /// # drop(session);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_import_cache(mut self, mebibytes: u32) -> SqliteStore {
        self.import_cache_kib = i64::from(mebibytes.max(1)) * 1024;
        self
    }

    /// The file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the store's events carry links ([`motcua_store::chain`]): true but for a store
    /// of a schema older than version 3 opened read-only, which is read as it is (sequence
    /// continuity is still checked) until a writable open migrates it.
    ///
    /// ```
    /// assert!(motcua_sqlite::SqliteStore::open_in_memory()?.is_linked());
    /// # Ok::<(), motcua_sqlite::SqliteError>(())
    /// ```
    pub fn is_linked(&self) -> bool {
        self.version >= crate::schema::LINKED_SINCE
    }

    /// Whether the projection keeps the open dossiers' standings (schema
    /// [`crate::schema::STANDINGS_SINCE`] or later: false only for an older store opened
    /// read-only).
    pub(crate) fn has_standings(&self) -> bool {
        self.version >= crate::schema::STANDINGS_SINCE
    }

    /// The store's schema version: [`crate::SCHEMA_VERSION`] but for a store of an older
    /// schema opened read-only, which is read as it is (not migrated).
    ///
    /// ```
    /// let store = motcua_sqlite::SqliteStore::open_in_memory()?;
    /// assert_eq!(store.schema_version(), motcua_sqlite::SCHEMA_VERSION);
    /// # Ok::<(), motcua_sqlite::SqliteError>(())
    /// ```
    pub fn schema_version(&self) -> i64 {
        self.version
    }

    pub(crate) fn lease(&self) -> StoreResult<Lease<'_>> {
        self.pool.lease()
    }

    /// The store error for SQLite's `e`: [`StoreError::Storage`] when the file could not be
    /// read or written (full, read-only, locked), else [`StoreError::Backend`].
    pub(crate) fn backend(&self, e: rusqlite::Error) -> StoreError {
        let storage = crate::error::is_storage_failure(&e);
        crate::error::store_error(format!("{}: {e}", self.path.display()), storage)
    }

    pub(crate) fn sqlite(&self, source: rusqlite::Error) -> SqliteError {
        SqliteError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends every batch in one write transaction.
    ///
    /// `fast` skips looking the batch's ids up when the batch plans as a plain append: an id
    /// already stored then shows as a constraint violation on insert, and the caller rolls
    /// back and tries again with `fast` off. A batch that does not plan as an append (a
    /// conflict, a re-send) is always planned again with its ids looked up, so both modes
    /// give the same answers.
    pub(crate) fn append_in(
        &self,
        tx: &Connection,
        batches: &[StreamBatch],
        fast: bool,
    ) -> Result<Vec<Appended>, Attempt> {
        let db = |e| Attempt::Failed(self.backend(e));
        let mut next = last_position_in(tx).map_err(db)? + 1;
        let mut insert = tx.prepare_cached(INSERT_EVENT).map_err(db)?;
        let mut results = Vec::with_capacity(batches.len());
        let mut linker = Linker::default();
        for batch in batches {
            let dossier = &batch.dossier_id;
            let (current, mut head) = head_in(tx, dossier).map_err(db)?;
            let lookup = |id: &Uuid| self.by_id(tx, id);
            let plan = if fast {
                let unlooked = |_: &Uuid| Ok(None);
                match plan_batch(dossier, batch.expected, &batch.events, current, unlooked) {
                    Ok(BatchPlan::Append) => Ok(BatchPlan::Append),
                    _ => plan_batch(dossier, batch.expected, &batch.events, current, lookup),
                }
            } else {
                plan_batch(dossier, batch.expected, &batch.events, current, lookup)
            };
            match plan.map_err(Attempt::Failed)? {
                BatchPlan::Done(appended) => results.push(appended),
                BatchPlan::Append => {
                    let first = next;
                    for event in &batch.events {
                        head = linker.link(&head, event);
                        match insert_event(&mut insert, next, event, &head) {
                            Ok(_) => {}
                            Err(e)
                                if fast
                                    && e.sqlite_error_code()
                                        == Some(ErrorCode::ConstraintViolation) =>
                            {
                                return Err(Attempt::IdStored)
                            }
                            Err(e) => return Err(db(e)),
                        }
                        next += 1;
                    }
                    results.push(Appended {
                        first_position: first,
                        last_position: next - 1,
                        stream_version: current + batch.events.len() as u64,
                    });
                }
            }
        }
        Ok(results)
    }

    /// A dossier's events in sequence order, with their positions, as `conn` sees them,
    /// checked: numbered 1, 2, … and every link recomputed ([`chain::check`]; sequence
    /// continuity only in a store without links).
    pub(crate) fn stream_in(
        &self,
        conn: &Connection,
        dossier: &DossierId,
    ) -> StoreResult<Vec<StoredEvent>> {
        let db = |e| self.backend(e);
        if !self.is_linked() {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT position, body FROM events WHERE dossier_id = ?1 ORDER BY sequence",
                )
                .map_err(db)?;
            let rows = stmt
                .query_map(params![dossier.as_str()], position_and_body)
                .map_err(db)?;
            let stream = self.stored_rows(rows)?;
            let events: Vec<Event> = stream.iter().map(|s| s.event.clone()).collect();
            chain::check_sequence(dossier, &events)?;
            return Ok(stream);
        }
        let mut stmt = conn
            .prepare_cached(
                "SELECT position, body, link FROM events WHERE dossier_id = ?1 ORDER BY sequence",
            )
            .map_err(db)?;
        let mut links = Vec::new();
        let rows = stmt
            .query_map(params![dossier.as_str()], |r| {
                let link: Option<Vec<u8>> = r.get(2)?;
                Ok((
                    position_and_body(r)?,
                    link.as_deref().and_then(chain::from_bytes),
                ))
            })
            .map_err(db)?
            .map(|row| {
                row.map(|(stored, link)| {
                    links.push(link);
                    stored
                })
            });
        let stream = self.stored_rows(rows)?;
        let events: Vec<Event> = stream.iter().map(|s| s.event.clone()).collect();
        chain::check(dossier, &events, &links)?;
        Ok(stream)
    }

    /// Decodes `(position, body)` rows ([`position_and_body`]) into stored events.
    pub(crate) fn stored_rows(
        &self,
        rows: impl Iterator<Item = rusqlite::Result<(i64, Vec<u8>)>>,
    ) -> StoreResult<Vec<StoredEvent>> {
        // One decoder for the page: codes repeated between its events are shared, not copied.
        let mut decoder = motcua_store::codec::compact::Decoder::default();
        let mut events = Vec::new();
        for row in rows {
            let (position, body) = row.map_err(|e| self.backend(e))?;
            let position = u64::try_from(position).unwrap_or(0);
            let event = motcua_store::codec::decode_body_shared(&mut decoder, position, &body)?;
            events.push(StoredEvent { position, event });
        }
        Ok(events)
    }

    pub(crate) fn by_id(&self, tx: &Connection, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        let row: Option<(i64, Vec<u8>)> = tx
            .prepare_cached("SELECT position, body FROM events WHERE event_id = ?1")
            .and_then(|mut s| {
                s.query_row(params![id.as_bytes().as_slice()], position_and_body)
                    .optional()
            })
            .map_err(|e| self.backend(e))?;
        row.map(|(position, body)| stored(position, &body))
            .transpose()
    }
}

/// Why an append attempt stopped.
pub(crate) enum Attempt {
    /// The store's answer (a refusal or a failure).
    Failed(StoreError),
    /// The fast path met an id already stored: roll back and look every id up.
    IdStored,
}

/// Inserts one event row (`position`, `event_id`, `dossier_id`, `sequence`, `body`, `link`).
pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO events (position, event_id, dossier_id, sequence, body, link) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";

/// Inserts `event` at `position` with [`INSERT_EVENT`], its body encoded for storage, with its
/// `link`.
pub(crate) fn insert_event(
    insert: &mut rusqlite::CachedStatement<'_>,
    position: u64,
    event: &Event,
    link: &Link,
) -> rusqlite::Result<usize> {
    let body = motcua_store::codec::compact::encode(event);
    insert.execute(params![
        to_i64(position),
        event.event_id.as_bytes().as_slice(),
        event.dossier_id.as_str(),
        to_i64(event.sequence),
        body,
        link.as_slice()
    ])
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn stored(position: i64, body: &[u8]) -> StoreResult<StoredEvent> {
    let position = u64::try_from(position).unwrap_or(0);
    Ok(StoredEvent {
        position,
        event: motcua_store::codec::decode_body(position, body)?,
    })
}

/// An event body column: compact bytes (a BLOB) or, in stores written before the compact form,
/// a JSON line (TEXT).
/// A row of `SELECT position, body …`: the position and the body's bytes.
pub(crate) fn position_and_body(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, Vec<u8>)> {
    Ok((r.get(0)?, body_at(r, 1)?))
}

pub(crate) fn body_at(row: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Vec<u8>> {
    let value = row.get_ref(i)?;
    value
        .as_bytes()
        .map(<[u8]>::to_vec)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, value.data_type(), Box::new(e)))
}

/// The dossier's version and head link as `conn` sees them: `(0, GENESIS)` for a new stream.
/// The head is the link stored with the last event (checked when the stream is read); a
/// missing one chains the new events to [`GENESIS`]'s zero bytes, which `motcua verify`
/// reports.
pub(crate) fn head_in(conn: &Connection, dossier: &DossierId) -> rusqlite::Result<(u64, Link)> {
    let row: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached(
            "SELECT sequence, link FROM events WHERE dossier_id = ?1 ORDER BY sequence DESC LIMIT 1",
        )?
        .query_row(params![dossier.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map_or((0, GENESIS), |(sequence, link)| {
        (
            u64::try_from(sequence).unwrap_or(0),
            link.as_deref()
                .and_then(chain::from_bytes)
                .unwrap_or(GENESIS),
        )
    }))
}

pub(crate) fn version_in(conn: &Connection, dossier: &DossierId) -> rusqlite::Result<u64> {
    let v: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(sequence), 0) FROM events WHERE dossier_id = ?1")?
        .query_row(params![dossier.as_str()], |r| r.get(0))?;
    Ok(u64::try_from(v).unwrap_or(0))
}

/// The last position of the log as `conn` sees it (0 if it is empty).
pub(crate) fn last_position_in(conn: &Connection) -> rusqlite::Result<u64> {
    let p: i64 = conn
        .prepare_cached("SELECT COALESCE(MAX(position), 0) FROM events")?
        .query_row([], |r| r.get(0))?;
    Ok(u64::try_from(p).unwrap_or(0))
}

impl EventStore for SqliteStore {
    /// One `BEGIN IMMEDIATE` transaction on one connection, held until commit or drop (see
    /// [`crate::SqliteImport`]).
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        Ok(Box::new(crate::import::SqliteImport::begin(self)?))
    }

    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        if batches.iter().all(|b| b.events.is_empty()) {
            // Nothing to write: answer without taking the write lock.
            let conn = self.lease()?;
            return batches
                .iter()
                .map(|b| {
                    let version = version_in(&conn, &b.dossier_id).map_err(|e| self.backend(e))?;
                    Ok(Appended::unchanged(version))
                })
                .collect();
        }
        let mut conn = self.lease()?;
        for fast in [true, false] {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(|e| self.backend(e))?;
            match self.append_in(&tx, batches, fast) {
                Ok(results) => {
                    tx.commit().map_err(|e| self.backend(e))?;
                    return Ok(results);
                }
                Err(Attempt::Failed(e)) => return Err(e),
                // Dropping the transaction rolls it back; try again looking every id up.
                Err(Attempt::IdStored) => {}
            }
        }
        Err(StoreError::Backend(format!(
            "{}: an event id collided with a stored one although none was found",
            self.path.display()
        )))
    }

    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        let conn = self.lease()?;
        let stream = self.stream_in(&conn, dossier)?;
        Ok(stream.into_iter().map(|e| e.event).collect())
    }

    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut stmt = conn
            .prepare_cached(
                "SELECT position, body FROM events WHERE position > ?1 ORDER BY position LIMIT ?2",
            )
            .map_err(db)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![to_i64(from_position), limit], position_and_body)
            .map_err(db)?;
        self.stored_rows(rows)
    }

    fn last_position(&self) -> StoreResult<u64> {
        let conn = self.lease()?;
        last_position_in(&conn).map_err(|e| self.backend(e))
    }

    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        let conn = self.lease()?;
        version_in(&conn, dossier).map_err(|e| self.backend(e))
    }

    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut stmt = conn
            .prepare_cached("SELECT DISTINCT dossier_id FROM events ORDER BY dossier_id")
            .map_err(db)?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(db)?;
        let mut ids = Vec::new();
        for row in rows {
            ids.push(DossierId::new(row.map_err(db)?));
        }
        Ok(ids)
    }
}

impl CheckpointStore for SqliteStore {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        let conn = self.lease()?;
        let row: Option<(i64, Vec<u8>)> = conn
            .prepare_cached("SELECT position, state FROM checkpoints WHERE name = ?1")
            .and_then(|mut s| {
                s.query_row(params![name], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.backend(e))?;
        Ok(row.map(|(position, state)| Checkpoint {
            position: u64::try_from(position).unwrap_or(0),
            state,
        }))
    }

    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        let conn = self.lease()?;
        conn.prepare_cached(
            "INSERT INTO checkpoints (name, position, state) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state",
        )
        .and_then(|mut s| s.execute(params![name, to_i64(checkpoint.position), checkpoint.state]))
        .map_err(|e| self.backend(e))?;
        Ok(())
    }
}
