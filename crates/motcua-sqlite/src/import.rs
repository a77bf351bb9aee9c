//! The SQLite import session: one write transaction fed in chunks.

use crate::import_streams::Chains;
use crate::import_writer::{InsertFailed, Row, Writer, BLOCK_ROWS};
use crate::pool::Lease;
use crate::schema::{CREATE_DOSSIER_INDEX, CREATE_EVENT_ID_INDEX, DOSSIER_INDEX, EVENT_ID_INDEX};
use crate::store::{
    head_in, insert_event, last_position_in, to_i64, Attempt, SqliteStore, INSERT_EVENT,
};
use motcua_core::{Catalogue, DossierId, Event};
use motcua_store::chain::{self, Link, Linker, GENESIS};
use motcua_store::{
    plan_batch, Appended, BatchPlan, ExpectedVersion, ImportSession, RepeatedId, SessionStream,
    StoreError, StoreResult, StoredEvent, StreamBatch, SESSION_COMMITTED,
};
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The page cache an import session gives its connection unless the store says otherwise
/// ([`SqliteStore::with_import_cache`]), in KiB (SQLite's default is 2 MiB): the indexes on
/// event ids and on (dossier, sequence) take inserts in random order, and a larger cache keeps
/// more of their pages in memory. 32 MiB keeps a 10⁶-dossier import near 200 MB; 128 MiB
/// takes 8–25 % less time with about 120 MB more (BENCHMARKS.md, "`gen --store` and `import`
/// in bounded memory").
pub(crate) const IMPORT_CACHE_KIB: i64 = 32 * 1024;

/// The page cache while both indexes are away ([`SqliteImport`]), in KiB, unless the import
/// cache is smaller: the table only grows at its end, and the few rows read back are found
/// by position, so the cache's memory goes to the chains instead; the import cache is set
/// back for the sorts that build the indexes.
const CHAINED_CACHE_KIB: i64 = 8 * 1024;

/// An [`ImportSession`] on a [`SqliteStore`]: one `BEGIN IMMEDIATE` transaction on one pooled
/// connection, from [`motcua_store::EventStore::begin_import`] to commit or drop.
///
/// - The write lock is taken at the start and held to the end: other writers wait (up to the
///   store's busy timeout) or fail; readers on other connections keep reading the store as it
///   was, and see the whole import at once when it commits.
/// - Each [`ImportSession::append_streams`] call has the checks of
///   [`motcua_store::EventStore::append_streams`], and a refused call leaves nothing of
///   itself. Calls insert through cached statements without reading anything back when they
///   can: the stream versions appended in the session are remembered (two generations of
///   57,344 dossiers), a new stream needs no read (its first insert proves it), and ids are
///   left to the unique index; any violation undoes the call's rows and runs it again with
///   every id and version read, for the exact answer.
/// - A catalogue staged with [`ImportSession::stage_catalogue`] is written in the same
///   transaction, as a new catalogue record when it differs from the latest: stored with the
///   events, or not at all.
/// - Asked to check ids later ([`ImportSession::check_ids_later`]) before its first append on
///   a store holding no event (as `motcua import` and `gen --store` ask), the session drops
///   the index of event ids in its transaction and builds it again, sorted, at commit or when
///   a lookup by id needs it: a repeated id is then found there (the commit refuses, and
///   [`ImportSession::first_repeated_id`] names it). Inserting into that index in the random
///   order of host-supplied UUIDs is what made an import superlinear
///   (docs/event-id-index.md).
/// - It drops the index on (dossier, sequence) too, and builds it at commit (or before the
///   careful path of a refused call needs it): streams it wrote are found through chains of
///   their positions kept beside the session (`import_streams.rs`, 5 bytes an event), so
///   the table only ever grows at its end. A stream appended earlier in the session and sent
///   again as new is then refused by the commit, which names it.
/// - Dropping the session without committing rolls the transaction back (the index too).
/// - The connection gets a page cache of its own for the session, set back afterwards: 32
///   MiB unless [`SqliteStore::with_import_cache`] says otherwise (the inserts into the
///   indexes come in random order).
///
/// An in-memory store has one connection: while a session is open, other uses of the store
/// wait for it, so do not use the store itself on the session's thread until it is dropped.
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use motcua_sqlite::SqliteStore;
/// use motcua_store::{EventStore, ExpectedVersion, StreamBatch};
///
/// # let dir = std::env::temp_dir().join(format!("motcua-sqlite-import-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let store = SqliteStore::open(dir.join("store.db"))?;
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("H26-0001"),
///     sequence: 1,
///     occurred_at: time::OffsetDateTime::UNIX_EPOCH,
///     recorded_at: time::OffsetDateTime::UNIX_EPOCH,
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// let batch = StreamBatch { dossier_id: "H26-0001".into(), expected: ExpectedVersion::NoStream, events: vec![event] };
/// {
///     let mut session = store.begin_import()?;
///     session.append_streams(&[batch.clone()])?;
///     // Dropped without a commit: rolled back.
/// }
/// assert_eq!(store.last_position()?, 0);
/// let mut session = store.begin_import()?;
/// session.append_streams(&[batch])?;
/// assert_eq!(session.commit()?, 1);
/// drop(session);
/// assert_eq!(store.last_position()?, 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct SqliteImport<'s> {
    store: &'s SqliteStore,
    conn: Option<Lease<'s>>,
    base: u64,
    /// The position the next event gets.
    next: u64,
    /// Stream versions the session knows (read or appended).
    versions: Versions,
    /// The connection's page cache setting before the session.
    cache_size: i64,
    /// How event ids are checked.
    ids: IdCheck,
    /// Whether appends hand their rows to a writer thread ([`crate::import_writer`]): a
    /// file's session checking ids later, where no insert is expected to fail.
    queued: bool,
    /// The writer thread, holding the connection, while appends run queued.
    writer: Option<Writer>,
    /// The positions of the session's streams while the index on (dossier, sequence) is
    /// away (dropped with the index of event ids, built again at commit).
    streams: Option<Chains>,
    /// Whether an insert on the writer thread failed (or the thread was lost): calls that
    /// had been answered counted rows that are not there, so the session is rolled back and
    /// refuses everything but being dropped.
    failed: bool,
    committed: bool,
}

/// How an import session checks event ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum IdCheck {
    /// At each insert, by the unique index.
    AtInsert,
    /// Later: the index was dropped before the first append, to be built at commit or when a
    /// lookup needs it.
    Later,
    /// The index was built again but could not be unique: an id is repeated, the commit
    /// refuses. Built without uniqueness, so lookups still seek.
    Repeated,
}

impl std::fmt::Debug for SqliteImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteImport")
            .field("store", &self.store)
            .field("base", &self.base)
            .field("committed", &self.committed)
            .finish_non_exhaustive()
    }
}

impl<'s> SqliteImport<'s> {
    /// Takes a connection, enlarges its cache and begins the write transaction.
    pub(crate) fn begin(store: &'s SqliteStore) -> StoreResult<SqliteImport<'s>> {
        let conn = store.lease()?;
        let db = |e| store.backend(e);
        let cache_size: i64 = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(db)?;
        conn.execute_batch(&format!("PRAGMA cache_size = -{}", store.import_cache_kib))
            .map_err(db)?;
        let mut session = SqliteImport {
            store,
            conn: Some(conn),
            base: 0,
            next: 1,
            versions: Versions::default(),
            cache_size,
            ids: IdCheck::AtInsert,
            queued: false,
            writer: None,
            streams: None,
            failed: false,
            committed: false,
        };
        // From here on, dropping the session restores the cache (and rolls back).
        let conn = session.conn()?;
        conn.execute_batch("BEGIN IMMEDIATE").map_err(db)?;
        session.base = last_position_in(conn).map_err(db)?;
        session.next = session.base + 1;
        Ok(session)
    }

    /// The session's connection; an error while the writer thread holds it (callers
    /// [`SqliteImport::settle`] first) or after it was lost.
    fn conn(&self) -> StoreResult<&Connection> {
        self.conn
            .as_ref()
            .and_then(Lease::get)
            .ok_or_else(|| self.no_connection())
    }

    /// The error when the session's connection is gone (lost with a writer thread).
    fn no_connection(&self) -> StoreError {
        StoreError::Backend(format!(
            "{}: the import session has no connection",
            self.store.path().display()
        ))
    }

    /// Starts the writer thread on the session's connection if it is not running.
    fn start_writer(&mut self) -> StoreResult<()> {
        if self.writer.is_some() {
            return Ok(());
        }
        let Some(conn) = self.conn.as_mut().and_then(Lease::take) else {
            return Err(self.no_connection());
        };
        // On failure the connection went with the thread that did not start, and the
        // transaction with it: the session is over.
        let writer = Writer::start(conn).map_err(|e| {
            StoreError::Backend(format!(
                "{}: the import could not start its writer thread, nothing was stored: {e}",
                self.store.path().display()
            ))
        })?;
        self.writer = Some(writer);
        Ok(())
    }

    /// Waits for the writer thread to insert every row handed to it and takes the
    /// connection back; the first insert that failed is the error.
    fn settle(&mut self) -> StoreResult<()> {
        self.usable()?;
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let result = self.take_back(writer);
        if result.is_err() {
            // Earlier calls were answered for rows that are not all there: undo everything.
            self.failed = true;
            if let Ok(conn) = self.conn() {
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
        result
    }

    /// An error once an insert on the writer thread failed.
    fn usable(&self) -> StoreResult<()> {
        if !self.failed {
            return Ok(());
        }
        Err(StoreError::Backend(format!(
            "{}: the import session failed earlier and was rolled back; nothing will be stored",
            self.store.path().display()
        )))
    }

    /// The connection back from `writer`, with the first insert that failed as the error.
    fn take_back(&mut self, writer: Writer) -> StoreResult<()> {
        let Some((conn, failed)) = writer.finish() else {
            return Err(self.writer_gone());
        };
        let path = self.store.path().display();
        if let Some(lease) = self.conn.as_mut() {
            lease.put(conn);
        }
        match failed {
            None => Ok(()),
            Some(InsertFailed {
                dossier,
                sequence,
                source,
            }) if source.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                Err(StoreError::Backend(format!(
                    "{path}: dossier {dossier}, event {sequence}: the store holds this event \
                     number already, although the session took the stream for a new one (a \
                     dossier appended earlier in the session and sent again as new)"
                )))
            }
            Some(failed) => Err(self.store.backend(failed.source)),
        }
    }

    /// The error for an append or a commit after the commit.
    fn finished(&self) -> StoreError {
        StoreError::Backend(format!(
            "{}: {SESSION_COMMITTED}",
            self.store.path().display()
        ))
    }

    /// Appends without looking ids up and with the versions the session knows: a stored id
    /// or a stream that is not where the batch expects it shows as a constraint violation
    /// (`IdStored`: undo and take the careful path). Returns the results and the next
    /// position. `queued`: the rows go to the writer thread, and a batch whose stream's head
    /// must be read stops the call (`Read`: undo and append without the writer).
    fn fast<'b>(&self, batches: &'b [StreamBatch], queued: bool) -> Result<FastAppend<'b>, Stop> {
        let db = |e| Stop::Store(Attempt::Failed(self.store.backend(e)));
        let mut sink = match (&self.writer, queued) {
            (Some(writer), true) => Sink::Queue {
                writer,
                block: Vec::with_capacity(BLOCK_ROWS),
            },
            _ => Sink::Insert(
                self.conn()
                    .map_err(|e| Stop::Store(Attempt::Failed(e)))?
                    .prepare_cached(INSERT_EVENT)
                    .map_err(db)?,
            ),
        };
        let mut versions: HashMap<&DossierId, Head> = HashMap::with_capacity(batches.len());
        let mut linker = Linker::default();
        let mut results = Vec::with_capacity(batches.len());
        let mut next = self.next;
        for batch in batches {
            let dossier = &batch.dossier_id;
            if batch.events.is_empty() {
                return Err(Stop::Store(Attempt::IdStored));
            }
            let known = versions
                .get(dossier)
                .copied()
                .or_else(|| self.versions.get(dossier));
            let (current, mut head) = match (known, batch.expected) {
                (Some(known), _) => known,
                // Sequence 1 goes in only if the stream has no events: the insert checks it.
                (None, ExpectedVersion::NoStream | ExpectedVersion::Exactly(0)) => (0, GENESIS),
                (None, _) if queued => return Err(Stop::Read),
                (None, _) => self
                    .head_of(dossier)
                    .map_err(|e| Stop::Store(Attempt::Failed(e)))?,
            };
            let unlooked = |_: &Uuid| Ok(None);
            match plan_batch(dossier, batch.expected, &batch.events, current, unlooked) {
                Ok(BatchPlan::Append) => {}
                _ => return Err(Stop::Store(Attempt::IdStored)),
            }
            let first = next;
            for event in &batch.events {
                head = linker.link(&head, event);
                match sink.put(next, event, &head) {
                    Ok(()) => next += 1,
                    Err(Some(e))
                        if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) =>
                    {
                        return Err(Stop::Store(Attempt::IdStored))
                    }
                    Err(Some(e)) => return Err(db(e)),
                    Err(None) => return Err(Stop::Store(Attempt::Failed(self.writer_gone()))),
                }
            }
            let stream_version = current + batch.events.len() as u64;
            versions.insert(dossier, (stream_version, head));
            results.push(Appended {
                first_position: first,
                last_position: next - 1,
                stream_version,
            });
        }
        if !sink.flush() {
            return Err(Stop::Store(Attempt::Failed(self.writer_gone())));
        }
        Ok((results, next, versions))
    }

    /// Reads, with the connection back from the writer, the heads of the streams `batches`
    /// append to that the session does not hold, so that the rows can then go to the writer
    /// without a stop (one wait for the writer a call at most).
    fn read_heads(&mut self, batches: &[StreamBatch]) -> StoreResult<()> {
        let mut seen: HashSet<&DossierId> = HashSet::with_capacity(batches.len());
        let mut missing = Vec::new();
        for batch in batches {
            let new = matches!(
                batch.expected,
                ExpectedVersion::NoStream | ExpectedVersion::Exactly(0)
            );
            if seen.insert(&batch.dossier_id)
                && !new
                && self.versions.get(&batch.dossier_id).is_none()
            {
                missing.push(&batch.dossier_id);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        self.settle()?;
        for dossier in missing {
            let head = self.head_of(dossier)?;
            self.versions.set(dossier, head);
        }
        Ok(())
    }

    /// A stream's version and head as the session's connection sees them: through the index,
    /// or, while it is away, the last row of the dossier's chain. The writer must be settled.
    fn head_of(&self, dossier: &DossierId) -> StoreResult<Head> {
        let conn = self.conn()?;
        let db = |e| self.store.backend(e);
        let Some(streams) = &self.streams else {
            return head_in(conn, dossier).map_err(db);
        };
        let mut row = conn
            .prepare_cached("SELECT dossier_id, sequence, link FROM events WHERE position = ?1")
            .map_err(db)?;
        for position in streams.candidates(dossier) {
            let found: Option<(String, i64, Option<Vec<u8>>)> = row
                .query_row(params![to_i64(position)], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })
                .optional()
                .map_err(db)?;
            if let Some((_, sequence, link)) = found.filter(|(id, ..)| id == dossier.as_str()) {
                let link = link.as_deref().and_then(chain::from_bytes);
                return Ok((
                    u64::try_from(sequence).unwrap_or(0),
                    link.unwrap_or(GENESIS),
                ));
            }
        }
        Ok((0, GENESIS))
    }

    /// The stream of `dossier` read through its chain (the index on (dossier, sequence) is
    /// away), checked as [`SqliteStore::stream_in`] checks one (its sequence and links), and
    /// its head.
    fn chained_stream(
        &self,
        streams: &Chains,
        dossier: &DossierId,
    ) -> StoreResult<(Vec<StoredEvent>, Head)> {
        let conn = self.conn()?;
        let db = |e| self.store.backend(e);
        let mut row = conn
            .prepare_cached("SELECT dossier_id, body, link FROM events WHERE position = ?1")
            .map_err(db)?;
        let mut rows = Vec::new();
        let mut links = Vec::new();
        for position in streams.candidates(dossier) {
            let found: Option<(String, Vec<u8>, Option<Vec<u8>>)> = row
                .query_row(params![to_i64(position)], |r| {
                    Ok((r.get(0)?, crate::store::body_at(r, 1)?, r.get(2)?))
                })
                .optional()
                .map_err(db)?;
            if let Some((_, body, link)) = found.filter(|(id, ..)| id == dossier.as_str()) {
                rows.push(Ok((to_i64(position), body)));
                links.push(link.as_deref().and_then(chain::from_bytes));
            }
        }
        // Latest first in the chain; a stream goes in position order.
        rows.reverse();
        links.reverse();
        let stream = self.store.stored_rows(rows.into_iter())?;
        let events: Vec<Event> = stream.iter().map(|s| s.event.clone()).collect();
        if self.store.is_linked() {
            chain::check(dossier, &events, &links)?;
        } else {
            chain::check_sequence(dossier, &events)?;
        }
        // As `head_in` reads it: the last event's sequence and stored link.
        let head = (
            events.last().map_or(0, |e| e.sequence),
            links.last().copied().flatten().unwrap_or(GENESIS),
        );
        Ok((stream, head))
    }

    /// Records where the streams of a successful call went while the index on (dossier,
    /// sequence) is away; builds the index instead when a chain cannot hold them.
    fn record(&mut self, batches: &[StreamBatch], results: &[Appended]) -> StoreResult<()> {
        let Some(streams) = &mut self.streams else {
            return Ok(());
        };
        let mut held = true;
        for (batch, appended) in batches.iter().zip(results) {
            if appended.last_position >= appended.first_position && appended.first_position > 0 {
                held = held
                    && streams.record(
                        &batch.dossier_id,
                        appended.first_position,
                        appended.last_position,
                    );
            }
        }
        if held {
            Ok(())
        } else {
            self.index_dossiers()
        }
    }

    /// Builds the index on (dossier, sequence) again if the session dropped it. A stream
    /// appended as new twice in the session makes it fail: the error names the dossier. Any
    /// failure here ends the session, rolled back: without the chains or the index, no later
    /// call could be checked, and no commit may store the table without its index.
    fn index_dossiers(&mut self) -> StoreResult<()> {
        if self.streams.is_none() {
            return Ok(());
        }
        self.settle()?;
        // The chains' memory goes before the sort's, which has the import cache back.
        self.streams = None;
        let conn = self.conn()?;
        let built =
            self.import_cache(conn)
                .and_then(|()| match conn.execute_batch(CREATE_DOSSIER_INDEX) {
                    Ok(()) => Ok(()),
                    Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                        Err(self.stream_written_twice(conn))
                    }
                    Err(e) => Err(self.store.backend(e)),
                });
        if built.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
            self.failed = true;
        }
        built
    }

    /// Gives `conn` the import's page cache (back from [`CHAINED_CACHE_KIB`]), for a sort.
    fn import_cache(&self, conn: &Connection) -> StoreResult<()> {
        conn.execute_batch(&format!(
            "PRAGMA cache_size = -{}",
            self.store.import_cache_kib
        ))
        .map_err(|e| self.store.backend(e))
    }

    /// The error for a stream the session appended as new twice (found when its index could
    /// not be unique): the dossier with the first such event, by position.
    fn stream_written_twice(&self, conn: &Connection) -> StoreError {
        let found: rusqlite::Result<Option<(String, i64)>> = conn
            .query_row(
                "SELECT e.dossier_id, (SELECT max(f.sequence) FROM events f
                                       WHERE f.dossier_id = e.dossier_id)
                 FROM events e
                 WHERE EXISTS (SELECT 1 FROM events f
                               WHERE f.dossier_id = e.dossier_id AND f.sequence = e.sequence
                                 AND f.position < e.position)
                 ORDER BY e.position LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional();
        match found {
            Ok(Some((dossier, actual))) => StoreError::Conflict {
                dossier: DossierId::new(dossier),
                expected: ExpectedVersion::NoStream,
                actual: u64::try_from(actual).unwrap_or(0),
            },
            Ok(None) => StoreError::Backend(format!(
                "{}: the index on (dossier, sequence) could not be unique, yet no event is \
                 repeated",
                self.store.path().display()
            )),
            Err(e) => self.store.backend(e),
        }
    }

    /// The error when the writer thread is gone before its rows were handed over.
    fn writer_gone(&self) -> StoreError {
        StoreError::Backend(format!(
            "{}: the import's writer thread stopped unexpectedly",
            self.store.path().display()
        ))
    }

    /// Removes what a refused call inserted (positions from `start` on).
    fn undo(&mut self, start: u64) -> StoreResult<()> {
        self.settle()?;
        let conn = self.conn()?;
        conn.prepare_cached("DELETE FROM events WHERE position >= ?1")
            .and_then(|mut s| s.execute(params![to_i64(start)]))
            .map_err(|e| self.store.backend(e))?;
        self.next = start;
        Ok(())
    }

    /// Builds the index of event ids again if the session dropped it: unique if it can be,
    /// otherwise (an id is repeated) without uniqueness, and the session is marked
    /// [`IdCheck::Repeated`]. From then on ids are checked at each insert (or the commit
    /// refuses).
    fn index_ids(&mut self) -> StoreResult<()> {
        if self.ids != IdCheck::Later {
            return Ok(());
        }
        self.settle()?;
        // Inserts may fail again from here on: the session sees each failure at its call.
        self.queued = false;
        let conn = self.conn()?;
        let db = |e| self.store.backend(e);
        self.import_cache(conn)?;
        self.ids = match conn.execute_batch(CREATE_EVENT_ID_INDEX) {
            Ok(()) => IdCheck::AtInsert,
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                conn.execute_batch(&format!(
                    "CREATE INDEX {EVENT_ID_INDEX} ON events (event_id)"
                ))
                .map_err(db)?;
                IdCheck::Repeated
            }
            Err(e) => return Err(db(e)),
        };
        Ok(())
    }

    /// The first event from the session's base on whose id an earlier event has, once the
    /// index is built again without uniqueness.
    fn repeated(&self) -> StoreResult<Option<RepeatedId>> {
        let conn = self.conn()?;
        let db = |e| self.store.backend(e);
        let found: Option<(i64, Vec<u8>, i64)> = conn
            .query_row(
                "SELECT e.position, e.body,
                        (SELECT min(f.position) FROM events f WHERE f.event_id = e.event_id)
                 FROM events e
                 WHERE e.position > ?1 AND EXISTS (
                     SELECT 1 FROM events f
                     WHERE f.event_id = e.event_id AND f.position < e.position)
                 ORDER BY e.position LIMIT 1",
                params![to_i64(self.base)],
                |r| Ok((r.get(0)?, crate::store::body_at(r, 1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db)?;
        found
            .map(|(position, body, first)| {
                Ok(RepeatedId {
                    event: crate::store::stored(position, &body)?,
                    first_position: u64::try_from(first).unwrap_or(0),
                })
            })
            .transpose()
    }

    /// Appends with every id looked up and every version read: the exact answers of
    /// `append_streams`.
    fn careful(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        self.index_ids()?;
        self.index_dossiers()?;
        let start = self.next;
        let conn = self.conn()?;
        match self.store.append_in(conn, batches, false) {
            Ok(results) => {
                let last = last_position_in(conn).map_err(|e| self.store.backend(e))?;
                self.next = last + 1;
                Ok(results)
            }
            Err(attempt) => {
                self.undo(start)?;
                Err(match attempt {
                    Attempt::Failed(e) => e,
                    Attempt::IdStored => StoreError::Backend(format!(
                        "{}: an event id collided with a stored one although none was found",
                        self.store.path().display()
                    )),
                })
            }
        }
    }
}

/// Why a fast append stopped.
enum Stop {
    /// The store's answer, as for the careful path.
    Store(Attempt),
    /// Queued, a stream's head had to be read: the connection is the writer's.
    Read,
}

/// Where a fast append puts its rows: into the table through the cached statement, or in
/// blocks to the writer thread.
enum Sink<'c> {
    Insert(rusqlite::CachedStatement<'c>),
    Queue { writer: &'c Writer, block: Vec<Row> },
}

impl Sink<'_> {
    /// Inserts or queues one event row; `Err(None)` when the writer thread is gone.
    fn put(
        &mut self,
        position: u64,
        event: &Event,
        link: &Link,
    ) -> Result<(), Option<rusqlite::Error>> {
        match self {
            Sink::Insert(insert) => insert_event(insert, position, event, link)
                .map(drop)
                .map_err(Some),
            Sink::Queue { writer, block } => {
                block.push(Row {
                    position: to_i64(position),
                    event_id: *event.event_id.as_bytes(),
                    dossier_id: event.dossier_id.as_str().to_owned(),
                    sequence: to_i64(event.sequence),
                    body: motcua_store::codec::compact::encode(event),
                    link: *link,
                });
                if block.len() >= BLOCK_ROWS
                    && !writer.send(std::mem::replace(block, Vec::with_capacity(BLOCK_ROWS)))
                {
                    return Err(None);
                }
                Ok(())
            }
        }
    }

    /// Hands the last rows queued to the writer; `false` if it is gone.
    fn flush(&mut self) -> bool {
        match self {
            Sink::Insert(_) => true,
            Sink::Queue { writer, block } => writer.send(std::mem::take(block)),
        }
    }
}

/// Results, the next position and the streams' heads after a fast append.
type FastAppend<'b> = (Vec<Appended>, u64, HashMap<&'b DossierId, Head>);

/// A stream's version and its head link.
type Head = (u64, Link);

/// Stream versions and heads the session knows, in two generations of at most
/// [`Versions::GENERATION`] dossiers each, so memory stays bounded whatever the number of
/// dossiers imported.
#[derive(Default)]
struct Versions {
    new: HashMap<DossierId, Head>,
    old: HashMap<DossierId, Head>,
}

impl Versions {
    /// 7/8 of 2¹⁶: the most a hash table of 2¹⁶ buckets holds before it doubles (about 4 MB
    /// each, with the keys); two generations hold more than twice the dossiers in progress at
    /// once in a province of a million dossiers a year. A dossier not held costs one index
    /// read of its head.
    const GENERATION: usize = (1 << 16) / 8 * 7;

    fn get(&self, dossier: &DossierId) -> Option<Head> {
        self.new
            .get(dossier)
            .or_else(|| self.old.get(dossier))
            .copied()
    }

    fn set(&mut self, dossier: &DossierId, version: Head) {
        if let Some(known) = self.new.get_mut(dossier) {
            *known = version;
            return;
        }
        if self.new.len() >= Self::GENERATION {
            self.old = std::mem::take(&mut self.new);
        }
        self.new.insert(dossier.clone(), version);
    }
}

impl ImportSession for SqliteImport<'_> {
    fn base_position(&self) -> u64 {
        self.base
    }

    fn append_streams(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        if self.committed {
            return Err(self.finished());
        }
        self.usable()?;
        let start = self.next;
        let mut queued = self.queued;
        if queued {
            self.read_heads(batches)?;
        }
        loop {
            if queued {
                self.start_writer()?;
            }
            match self.fast(batches, queued) {
                Ok((results, next, heads)) => {
                    // In the batches' order, as before (the map's order would change nothing
                    // but which dossiers a full generation keeps).
                    for batch in batches {
                        if let Some(head) = heads.get(&batch.dossier_id) {
                            self.versions.set(&batch.dossier_id, *head);
                        }
                    }
                    self.next = next;
                    self.record(batches, &results)?;
                    return Ok(results);
                }
                Err(Stop::Store(Attempt::Failed(e))) => {
                    self.undo(start)?;
                    return Err(e);
                }
                // Again, with the connection back from the writer.
                Err(Stop::Read) => {
                    self.undo(start)?;
                    queued = false;
                }
                Err(Stop::Store(Attempt::IdStored)) => {
                    self.undo(start)?;
                    break;
                }
            }
        }
        // The careful path may meet re-sent events, whose versions are not the stream's.
        self.versions = Versions::default();
        self.careful(batches)
    }

    /// Also remembers the stream's version and head, so that appending to it next needs
    /// no read.
    fn read_stream(&mut self, dossier: &DossierId) -> StoreResult<SessionStream> {
        self.settle()?;
        let (events, head) = match &self.streams {
            Some(streams) => {
                let (events, head) = self.chained_stream(streams, dossier)?;
                (events, Some(head))
            }
            None => (self.store.stream_in(self.conn()?, dossier)?, None),
        };
        let mut stream = SessionStream::default();
        for event in events {
            if event.position > self.base {
                stream.appended += 1;
            }
            stream.events.push(event.event);
        }
        if !stream.events.is_empty() {
            let head = match head {
                Some(head) => head,
                None => self.head_of(dossier)?,
            };
            self.versions.set(dossier, head);
        }
        Ok(stream)
    }

    /// Builds the index of event ids first if the session dropped it. With a repeated id,
    /// the earliest event carrying it.
    fn event_by_id(&mut self, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        self.settle()?;
        self.index_ids()?;
        if self.ids != IdCheck::Repeated {
            return self.store.by_id(self.conn()?, id);
        }
        let row: Option<(i64, Vec<u8>)> = self
            .conn()?
            .query_row(
                "SELECT position, body FROM events WHERE event_id = ?1 ORDER BY position LIMIT 1",
                params![id.as_bytes().as_slice()],
                crate::store::position_and_body,
            )
            .optional()
            .map_err(|e| self.store.backend(e))?;
        row.map(|(position, body)| crate::store::stored(position, &body))
            .transpose()
    }

    /// Drops the index of event ids when the store holds no event and the session has
    /// appended nothing yet; otherwise ids stay checked at each insert.
    fn check_ids_later(&mut self) -> StoreResult<bool> {
        if self.committed {
            return Err(self.finished());
        }
        if self.ids == IdCheck::AtInsert && self.base == 0 && self.next == 1 {
            let chained = CHAINED_CACHE_KIB.min(self.store.import_cache_kib);
            let conn = self.conn()?;
            // Both indexes or neither (a store edited by hand may lack one).
            let dropped = conn.execute_batch(&format!(
                "SAVEPOINT drop_indexes; DROP INDEX {EVENT_ID_INDEX}; DROP INDEX {DOSSIER_INDEX};
                 RELEASE drop_indexes;"
            ));
            if let Err(e) = dropped {
                let _ = conn.execute_batch("ROLLBACK TO drop_indexes; RELEASE drop_indexes;");
                return Err(self.store.backend(e));
            }
            conn.execute_batch(&format!("PRAGMA cache_size = -{chained}"))
                .map_err(|e| self.store.backend(e))?;
            self.ids = IdCheck::Later;
            self.streams = Some(Chains::new(self.next));
            // No insert is expected to fail now (the checks of each call are the session's
            // own): the inserts can run on a thread of their own. Not for a database in
            // memory, whose one connection must never be at risk.
            self.queued = self.conn.as_ref().is_some_and(Lease::of_a_file);
        }
        Ok(self.ids != IdCheck::AtInsert)
    }

    fn first_repeated_id(&mut self) -> StoreResult<Option<RepeatedId>> {
        self.index_ids()?;
        match self.ids {
            IdCheck::Repeated => self.repeated(),
            IdCheck::AtInsert | IdCheck::Later => Ok(None),
        }
    }

    /// Written into the session's transaction, kept only if the session commits: a new
    /// catalogue record judging from the session's base position (so the session's events
    /// count as received under it), unless it is the latest record's catalogue.
    fn stage_catalogue(&mut self, catalogue: &Catalogue) -> StoreResult<()> {
        if self.committed {
            return Err(self.finished());
        }
        self.settle()?;
        crate::catalogue::record_catalogue_in(self.conn()?, catalogue, self.base)
            .map(drop)
            .map_err(|e| self.store.backend(e))
    }

    fn commit(&mut self) -> StoreResult<u64> {
        if self.committed {
            return Err(self.finished());
        }
        self.settle()?;
        // The chains' memory goes first (a repeated id is named whichever index is built
        // first: the importer asks for it when the commit refuses).
        self.index_dossiers()?;
        self.index_ids()?;
        if self.ids == IdCheck::Repeated {
            return Err(match self.repeated()? {
                Some(repeated) => repeated.refusal(),
                None => StoreError::Backend(format!(
                    "{}: the index of event ids could not be unique, yet no id is repeated",
                    self.store.path().display()
                )),
            });
        }
        let conn = self.conn()?;
        let db = |e| self.store.backend(e);
        conn.execute_batch("COMMIT").map_err(db)?;
        self.committed = true;
        // The write lock was held until the commit: the session's last position is the
        // store's.
        Ok(self.next - 1)
    }
}

impl Drop for SqliteImport<'_> {
    fn drop(&mut self) {
        // The connection back from the writer thread, if it runs (its error, if any, changes
        // nothing: what is not committed is rolled back).
        let _ = self.settle();
        let Some(conn) = self.conn.take() else {
            return;
        };
        // A connection lost with a writer thread closed, rolling its transaction back.
        if conn.get().is_none() {
            return;
        }
        if !conn.is_autocommit() {
            // Not committed (or the commit failed): undo everything.
            let _ = conn.execute_batch("ROLLBACK");
        }
        let restored = conn
            .execute_batch(&format!("PRAGMA cache_size = {}", self.cache_size))
            .is_ok();
        if !conn.is_autocommit() || !restored {
            // The connection's state is unknown: close it rather than reuse it.
            conn.discard();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;
    use motcua_store::StoreError;

    fn cache_size(store: &SqliteStore) -> Result<i64, StoreError> {
        let conn = store.lease()?;
        conn.query_row("PRAGMA cache_size", [], |r| r.get(0))
            .map_err(|e| store.backend(e))
    }

    /// An import session's connection gets the store's import cache, and has SQLite's own
    /// back once the session is over.
    #[test]
    fn a_session_has_the_import_cache_and_gives_it_back() -> Result<(), Box<dyn std::error::Error>>
    {
        let dir = std::env::temp_dir().join(format!("motcua-import-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        for (store, kib) in [
            (SqliteStore::open(dir.join("a.db"))?, 32 * 1024),
            (
                SqliteStore::open(dir.join("b.db"))?.with_import_cache(96),
                96 * 1024,
            ),
            (
                SqliteStore::open(dir.join("c.db"))?.with_import_cache(0),
                1024,
            ),
        ] {
            let before = cache_size(&store)?;
            let session = super::SqliteImport::begin(&store)?;
            let during = match &session.conn {
                Some(conn) => conn.query_row("PRAGMA cache_size", [], |r| r.get::<_, i64>(0))?,
                None => 0,
            };
            assert_eq!(during, -kib);
            drop(session);
            assert_eq!(cache_size(&store)?, before);
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// A new store file in a scratch directory of its own, named for the test.
    fn scratch_store(
        name: &str,
    ) -> Result<(std::path::PathBuf, SqliteStore), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let store = SqliteStore::open(dir.join("a.db"))?;
        Ok((dir, store))
    }

    fn event(dossier: &str, sequence: u64) -> motcua_core::Event {
        motcua_core::Event {
            event_id: uuid::Uuid::from_u128(u128::from(sequence) << 64 | dossier.len() as u128),
            dossier_id: dossier.into(),
            sequence,
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            recorded_at: time::OffsetDateTime::UNIX_EPOCH,
            kind: motcua_core::EventKind::SupplementSupplied,
            metadata: Default::default(),
        }
    }

    fn batch(dossier: &str, sequence: u64) -> motcua_store::StreamBatch {
        motcua_store::StreamBatch {
            dossier_id: dossier.into(),
            expected: motcua_store::ExpectedVersion::at(sequence - 1),
            events: vec![event(dossier, sequence)],
        }
    }

    /// A file's session checking ids later hands its rows to the writer thread; a stream it
    /// no longer holds the version of is read with the connection taken back, and the
    /// appends after it go to the writer again.
    #[test]
    fn queued_appends_read_a_forgotten_stream_with_the_connection_back(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use motcua_store::{EventStore, ImportSession};
        let (dir, store) = scratch_store("motcua-queued")?;
        let mut session = super::SqliteImport::begin(&store)?;
        assert!(session.check_ids_later()?);
        assert!(session.queued);
        session.append_streams(&[batch("A", 1), batch("BB", 1)])?;
        assert!(session.writer.is_some(), "the rows went to the writer");
        // The session forgets the versions (as when more dossiers came since than it holds).
        session.versions = super::Versions::default();
        let appended = session.append_streams(&[batch("A", 2), batch("CCC", 1)])?;
        assert_eq!(
            appended
                .iter()
                .map(|a| a.first_position)
                .collect::<Vec<_>>(),
            vec![3, 4]
        );
        session.append_streams(&[batch("A", 3)])?;
        assert!(session.writer.is_some(), "back to the writer");
        assert_eq!(session.commit()?, 5);
        drop(session);
        let a: Vec<u64> = store
            .read_stream(&"A".into())?
            .iter()
            .map(|e| e.sequence)
            .collect();
        assert_eq!(a, vec![1, 2, 3]);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// A row the writer thread cannot insert (here one a trigger refuses, as a full disk
    /// would) fails the session at its next call that takes the connection back: the commit
    /// refuses and nothing is stored.
    #[test]
    fn a_failed_queued_insert_fails_the_commit_and_stores_nothing(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use motcua_store::{EventStore, ImportSession};
        let (dir, store) = scratch_store("motcua-queued-fail")?;
        let mut session = super::SqliteImport::begin(&store)?;
        assert!(session.check_ids_later()?);
        session.conn()?.execute_batch(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON events WHEN NEW.dossier_id = 'A' AND NEW.sequence = 2
             BEGIN SELECT RAISE(ABORT, 'dossier A, event 2 refused'); END",
        )?;
        session.append_streams(&[batch("A", 1)])?;
        session.append_streams(&[batch("A", 2)])?;
        session.append_streams(&[batch("BB", 1)])?;
        // A read takes the connection back and meets the failure first...
        let seen = session.read_stream(&"BB".into());
        assert!(
            matches!(&seen, Err(motcua_store::StoreError::Backend(m)) if m.contains("dossier A, event 2")),
            "{seen:?}"
        );
        // ...after which nothing is taken and the commit refuses, all rolled back.
        assert!(session.append_streams(&[batch("CCC", 1)]).is_err());
        let refused = session.commit();
        assert!(
            matches!(&refused, Err(motcua_store::StoreError::Backend(m)) if m.contains("failed earlier")),
            "{refused:?}"
        );
        drop(session);
        assert_eq!(store.last_position()?, 0);
        // The store is usable afterwards, its index of ids in place.
        store.append(
            &"A".into(),
            motcua_store::ExpectedVersion::NoStream,
            &[event("A", 1)],
        )?;
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// With the index on (dossier, sequence) away, a stream the session appended and no
    /// longer holds the version of, sent again as new, goes in; the commit then refuses,
    /// naming the dossier, and nothing is stored. The store keeps both its indexes.
    #[test]
    fn a_stream_sent_twice_as_new_is_refused_by_the_commit(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use motcua_store::{EventStore, ExpectedVersion, ImportSession, StoreError};
        let (dir, store) = scratch_store("motcua-twice-new")?;
        let mut session = super::SqliteImport::begin(&store)?;
        assert!(session.check_ids_later()?);
        session.append_streams(&[batch("A", 1), batch("A", 2)])?;
        session.versions = super::Versions::default();
        let mut again = batch("A", 1);
        again.events[0].event_id = uuid::Uuid::from_u128(99);
        session.append_streams(&[again, batch("BB", 1)])?;
        let refused = session.commit();
        assert!(
            matches!(&refused, Err(StoreError::Conflict { dossier, expected: ExpectedVersion::NoStream, actual: 2 }) if dossier.as_str() == "A"),
            "{refused:?}"
        );
        // The session is over: nothing more goes in, and a second commit stores nothing.
        assert!(session.append_streams(&[batch("CCC", 1)]).is_err());
        assert!(session.commit().is_err());
        drop(session);
        assert_eq!(store.last_position()?, 0);
        let conn = store.lease()?;
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        assert_eq!(indexes, ["events_by_dossier", "events_by_event_id"]);
        drop(conn);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// The same stream sent twice as new, then met by the careful path of a refused call
    /// (the index is built there): that call is refused naming the dossier, and the session
    /// takes nothing more and commits nothing.
    #[test]
    fn a_stream_sent_twice_as_new_ends_the_session_at_the_careful_path(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use motcua_store::{EventStore, ImportSession, StoreError};
        let (dir, store) = scratch_store("motcua-twice-careful")?;
        let mut session = super::SqliteImport::begin(&store)?;
        assert!(session.check_ids_later()?);
        session.append_streams(&[batch("A", 1), batch("BB", 1)])?;
        session.versions = super::Versions::default();
        let mut again = batch("A", 1);
        again.events[0].event_id = uuid::Uuid::from_u128(99);
        session.append_streams(&[again])?;
        // BB is at 1, not 4: the careful path, which builds the index.
        let wrong = batch("BB", 5);
        let refused = session.append_streams(&[wrong]);
        assert!(
            matches!(&refused, Err(StoreError::Conflict { dossier, .. }) if dossier.as_str() == "A"),
            "{refused:?}"
        );
        assert!(session.append_streams(&[batch("CCC", 1)]).is_err());
        assert!(session.commit().is_err());
        drop(session);
        assert_eq!(store.last_position()?, 0);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    /// A stream the session no longer holds the version of is read back through its chain
    /// while the index on (dossier, sequence) is away: every event of it and no other
    /// dossier's, however many dossiers share its bucket.
    #[test]
    fn a_forgotten_stream_is_read_back_whole_through_its_chain(
    ) -> Result<(), Box<dyn std::error::Error>> {
        use motcua_store::{EventStore, ImportSession};
        let (dir, store) = scratch_store("motcua-chained")?;
        let mut session = super::SqliteImport::begin(&store)?;
        assert!(session.check_ids_later()?);
        assert!(session.streams.is_some());
        let names: Vec<String> = (0..3000).map(|i| format!("D{i}")).collect();
        for sequence in 1..=3 {
            let batches: Vec<_> = names
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let mut b = batch(name, sequence);
                    b.events[0].event_id =
                        uuid::Uuid::from_u128((i as u128) << 8 | u128::from(sequence));
                    b
                })
                .collect();
            session.append_streams(&batches)?;
        }
        session.versions = super::Versions::default();
        for name in ["D0", "D1234", "D2999"] {
            let stream = session.read_stream(&name.into())?;
            assert_eq!(stream.appended, 3);
            assert_eq!(
                stream
                    .events
                    .iter()
                    .map(|e| (e.dossier_id.as_str(), e.sequence))
                    .collect::<Vec<_>>(),
                [(name, 1), (name, 2), (name, 3)]
            );
        }
        assert!(session.read_stream(&"NEVER".into())?.events.is_empty());
        // The head read with the stream: the next append follows on without a conflict.
        session.append_streams(&[batch("D1234", 4)])?;
        assert_eq!(session.commit()?, 9001);
        drop(session);
        let d: Vec<u64> = store
            .read_stream(&"D1234".into())?
            .iter()
            .map(|e| e.sequence)
            .collect();
        assert_eq!(d, [1, 2, 3, 4]);
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
