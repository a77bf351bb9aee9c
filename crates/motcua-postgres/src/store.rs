//! The PostgreSQL event store.

use crate::error::PgError;
use crate::pool::{Conn, Lease, Pool, Which};
use crate::schema::prepare;
use motcua_core::{DossierId, Event};
use motcua_store::chain::{self, Link, Linker, GENESIS};
use motcua_store::{
    plan_batch, Appended, BatchPlan, Checkpoint, CheckpointStore, EventStore, ImportSession,
    StoreError, StoreResult, StoredEvent, StreamBatch,
};
use postgres::{Config, SimpleQueryMessage};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;
use uuid::Uuid;

/// Dossiers whose streams one query of [`PgStore::streams_on`] reads.
const STREAMS_PER_QUERY: usize = 1_000;

/// An [`EventStore`] in a PostgreSQL schema, through the synchronous `postgres` client.
///
/// **Global order a follower never skips.** Positions come from a one-row counter
/// (`motcua_head`) that every append locks (`SELECT … FOR UPDATE`, sent with its `BEGIN`) as
/// its first statement and updates with its inserts. Appenders are therefore serialised: the next one gets the lock
/// only after the previous one has committed, and PostgreSQL makes a commit visible before it
/// releases the transaction's locks. So position `p` becomes visible only after every position
/// below it, and a reader following the log with `position > last_seen` never misses one
/// (unlike ids drawn from a sequence, which commit out of order).
///
/// **Optimistic concurrency.** Under the lock each batch's expected version is checked against
/// the stream; `UNIQUE (dossier_id, sequence)` and `UNIQUE (event_id)` back the rules up in the
/// database itself.
///
/// Each thread using the store gets its own connection from a small pool.
///
/// ```no_run
/// use motcua_postgres::PgStore;
/// use motcua_store::EventStore;
/// let store = PgStore::connect("host=localhost user=motcua password=motcua dbname=motcua", "motcua")?;
/// println!("{} events", store.last_position()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PgStore {
    schema: String,
    pool: Pool,
    /// The store's schema version: [`crate::SCHEMA_VERSION`] once opened for writing (which
    /// migrates), possibly older when opened read-only.
    version: i64,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

/// Whether `name` is a plain identifier: safe to put in SQL unquoted.
fn plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

impl PgStore {
    /// Connects with a libpq-style string (`host=… user=… dbname=…` or a `postgresql://` URL)
    /// and opens the store in `schema` (lower-case letters, digits and `_`), creating the
    /// schema and its tables if needed and migrating older ones.
    ///
    /// ```
    /// let err = motcua_postgres::PgStore::connect("host=localhost", "Bad-Name").unwrap_err();
    /// assert!(err.to_string().contains("not a plain identifier"));
    /// ```
    pub fn connect(url: &str, schema: &str) -> Result<PgStore, PgError> {
        if !plain_identifier(schema) {
            return Err(PgError::BadSchemaName(schema.to_owned()));
        }
        let config = Config::from_str(url).map_err(PgError::Config)?;
        let pool = Pool::new(config.clone(), schema.to_owned(), false, true);
        let mut client = config.connect(postgres::NoTls).map_err(PgError::Connect)?;
        client
            .batch_execute(&format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}; {}",
                crate::pool::settings(schema, false)
            ))
            .map_err(|source| PgError::Postgres {
                schema: schema.to_owned(),
                source,
            })?;
        prepare(&mut client, schema)?;
        pool.adopt(client);
        Ok(PgStore {
            schema: schema.to_owned(),
            pool,
            version: crate::SCHEMA_VERSION,
        })
    }

    /// Opens the store in `schema` for reading only: nothing is created, migrated or written
    /// (every connection's transactions are read-only, `default_transaction_read_only`). A
    /// schema without a store is [`PgError::NotAStore`], a store from a newer version
    /// [`PgError::NewerSchema`]. A store of an older version is read as it is, unmigrated
    /// (before version 2 it keeps no catalogue). Appends through it fail.
    ///
    /// ```no_run
    /// use motcua_postgres::{PgError, PgStore};
    /// let url = std::env::var("MOTCUA_PG_URL")?;
    /// match PgStore::connect_read_only(&url, "nobody_made_this") {
    ///     Err(PgError::NotAStore { schema, .. }) => assert_eq!(schema, "nobody_made_this"),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn connect_read_only(url: &str, schema: &str) -> Result<PgStore, PgError> {
        if !plain_identifier(schema) {
            return Err(PgError::BadSchemaName(schema.to_owned()));
        }
        let config = Config::from_str(url).map_err(PgError::Config)?;
        let mut client = config.connect(postgres::NoTls).map_err(PgError::Connect)?;
        let version = crate::schema::check(&mut client, schema)?;
        let pool = Pool::new(
            config,
            schema.to_owned(),
            true,
            version >= crate::schema::LINKED_SINCE,
        );
        pool.adopt(client);
        Ok(PgStore {
            schema: schema.to_owned(),
            pool,
            version,
        })
    }

    /// The store's schema version (older than [`crate::SCHEMA_VERSION`] only for a store
    /// opened read-only and never migrated).
    pub fn schema_version(&self) -> i64 {
        self.version
    }

    /// Whether the store's events carry links ([`motcua_store::chain`]): true but for a store
    /// of a schema older than version 4 opened read-only (not migrated).
    pub fn is_linked(&self) -> bool {
        self.version >= crate::schema::LINKED_SINCE
    }

    /// The PostgreSQL schema holding the store.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Drops the schema and everything in it (for tests and benchmarks).
    pub fn drop_schema(self) -> StoreResult<()> {
        let mut conn = self.lease()?;
        let schema = self.schema.clone();
        conn.client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
            .map_err(|e| self.backend(e))
    }

    pub(crate) fn lease(&self) -> StoreResult<Lease<'_>> {
        self.pool.lease()
    }

    fn version(&self, conn: &mut Conn, dossier: &DossierId) -> StoreResult<u64> {
        let statement = conn
            .statement(Which::Version)
            .map_err(|e| self.backend(e))?;
        let v: i64 = conn
            .client
            .query_one(&statement, &[&dossier.as_str()])
            .map_err(|e| self.backend(e))?
            .get(0);
        Ok(u64::try_from(v).unwrap_or(0))
    }

    /// One dossier's stream on `conn` (in whatever transaction it has open), its links or
    /// sequence checked.
    pub(crate) fn stream_on(
        &self,
        conn: &mut Conn,
        dossier: &DossierId,
    ) -> StoreResult<Vec<Event>> {
        let statement = conn
            .statement(Which::ReadStream)
            .map_err(|e| self.backend(e))?;
        let rows = conn
            .client
            .query(&statement, &[&dossier.as_str()])
            .map_err(|e| self.backend(e))?;
        let mut events = Vec::with_capacity(rows.len());
        let mut links = Vec::with_capacity(rows.len());
        for row in &rows {
            events.push(stored(row.get(0), row.get(1))?.event);
            links.push(row.get::<_, Option<&[u8]>>(2).and_then(chain::from_bytes));
        }
        self.check_stream(dossier, &events, &links)?;
        Ok(events)
    }

    /// Checks one dossier's stream as read: its links (or, in a store without them, its
    /// sequence numbers).
    fn check_stream(
        &self,
        dossier: &DossierId,
        events: &[Event],
        links: &[Option<Link>],
    ) -> StoreResult<()> {
        if self.is_linked() {
            chain::check(dossier, events, links).map(|_| ())
        } else {
            chain::check_sequence(dossier, events)
        }
    }

    /// The streams of `dossiers` on `conn` (in whatever transaction it has open), each checked
    /// as [`PgStore::stream_on`] checks it and handed to `visit` in the order of the rows'
    /// dossier ids; a dossier without events is skipped. One query per
    /// [`STREAMS_PER_QUERY`] dossiers, not one round trip each.
    pub(crate) fn streams_on<E: From<StoreError>>(
        &self,
        conn: &mut Conn,
        dossiers: &[DossierId],
        mut visit: impl FnMut(&[Event]) -> Result<(), E>,
    ) -> Result<(), E> {
        let link = if self.is_linked() {
            "link"
        } else {
            "NULL::bytea"
        };
        let sql = format!(
            "SELECT position, body, {link}, dossier_id FROM motcua_events
              WHERE dossier_id = ANY($1) ORDER BY dossier_id, sequence"
        );
        let db = |e| E::from(self.backend(e));
        let statement = conn.client.prepare(&sql).map_err(db)?;
        let mut events = Vec::new();
        let mut links = Vec::new();
        let mut check = |dossier: &str, events: &mut Vec<Event>, links: &mut Vec<Option<Link>>| {
            self.check_stream(&DossierId::new(dossier), events, links)?;
            let visited = visit(events);
            events.clear();
            links.clear();
            visited
        };
        for chunk in dossiers.chunks(STREAMS_PER_QUERY) {
            let ids: Vec<&str> = chunk.iter().map(DossierId::as_str).collect();
            let rows = conn.client.query(&statement, &[&ids]).map_err(db)?;
            let mut current: Option<&str> = None;
            for row in &rows {
                let dossier: &str = row.get(3);
                if let Some(previous) = current.filter(|&p| p != dossier) {
                    check(previous, &mut events, &mut links)?;
                }
                current = Some(dossier);
                events.push(stored(row.get(0), row.get(1))?.event);
                links.push(row.get::<_, Option<&[u8]>>(2).and_then(chain::from_bytes));
            }
            if let Some(last) = current {
                check(last, &mut events, &mut links)?;
            }
        }
        Ok(())
    }

    /// The store error for the client's `e`, with its whole cause (see
    /// [`crate::error::store_error`]).
    pub(crate) fn backend(&self, e: postgres::Error) -> StoreError {
        crate::error::store_error(&self.schema, &e)
    }

    /// Appends every batch inside the open transaction (the head row already locked at
    /// `head`), in three round trips whatever the number of batches: one lookup of every
    /// stream version and stored id, planning in memory (later batches see earlier ones), one
    /// insert that also moves the head.
    pub(crate) fn append_in(
        &self,
        conn: &mut Conn,
        head: u64,
        batches: &[StreamBatch],
    ) -> StoreResult<Vec<Appended>> {
        let (mut versions, mut found) = self.lookup(conn, batches)?;
        let mut rows = Rows::default();
        let mut linker = Linker::default();
        let mut next = head + 1;
        let mut results = Vec::with_capacity(batches.len());
        for batch in batches {
            let dossier = &batch.dossier_id;
            let (current, mut link) = versions.get(dossier).copied().unwrap_or((0, GENESIS));
            let lookup = |id: &Uuid| Ok(found.get(id).cloned());
            match plan_batch(dossier, batch.expected, &batch.events, current, lookup)? {
                BatchPlan::Done(appended) => results.push(appended),
                BatchPlan::Append => {
                    let first = next;
                    for event in &batch.events {
                        link = linker.link(&link, event);
                        rows.push(next, event, &link)?;
                        found.insert(
                            event.event_id,
                            StoredEvent {
                                position: next,
                                event: event.clone(),
                            },
                        );
                        next += 1;
                    }
                    let stream_version = current + batch.events.len() as u64;
                    versions.insert(dossier.clone(), (stream_version, link));
                    results.push(Appended {
                        first_position: first,
                        last_position: next - 1,
                        stream_version,
                    });
                }
            }
        }
        if !rows.positions.is_empty() {
            let last = to_i64(next - 1);
            let statement = conn.statement(Which::Insert).map_err(|e| self.backend(e))?;
            conn.client
                .execute(
                    &statement,
                    &[
                        &rows.positions,
                        &rows.ids,
                        &rows.dossiers,
                        &rows.sequences,
                        &rows.bodies,
                        &last,
                        &rows.links,
                    ],
                )
                .map_err(|e| self.backend(e))?;
        }
        Ok(results)
    }

    /// Every batch's stream version and the stored events among the batches' ids, in one
    /// round trip.
    #[allow(clippy::type_complexity)]
    fn lookup(
        &self,
        conn: &mut Conn,
        batches: &[StreamBatch],
    ) -> StoreResult<(BTreeMap<DossierId, (u64, Link)>, HashMap<Uuid, StoredEvent>)> {
        let dossiers: BTreeSet<&str> = batches.iter().map(|b| b.dossier_id.as_str()).collect();
        let dossiers: Vec<&str> = dossiers.into_iter().collect();
        let ids: Vec<Uuid> = batches
            .iter()
            .flat_map(|b| b.events.iter().map(|e| e.event_id))
            .collect();
        let statement = conn.statement(Which::Lookup).map_err(|e| self.backend(e))?;
        let result = conn
            .client
            .query(&statement, &[&dossiers, &ids])
            .map_err(|e| self.backend(e))?;
        let mut versions = BTreeMap::new();
        let mut found = HashMap::new();
        for row in result {
            let kind: i32 = row.get(0);
            let number: i64 = row.get(2);
            match (
                kind,
                row.get::<_, Option<&str>>(1),
                row.get::<_, Option<&str>>(3),
            ) {
                (0, Some(dossier), _) => {
                    let head = row
                        .get::<_, Option<&[u8]>>(4)
                        .and_then(chain::from_bytes)
                        .unwrap_or(GENESIS);
                    let version = u64::try_from(number).unwrap_or(0);
                    versions.insert(DossierId::new(dossier), (version, head));
                }
                (_, _, Some(body)) => {
                    let stored = stored(number, body)?;
                    found.insert(stored.event.event_id, stored);
                }
                _ => {}
            }
        }
        Ok((versions, found))
    }

    /// Begins a transaction and locks the head row, in one round trip; returns the head.
    pub(crate) fn begin(&self, conn: &mut Conn) -> StoreResult<u64> {
        let messages = conn
            .client
            .simple_query("BEGIN; SELECT position FROM motcua_head WHERE id = 1 FOR UPDATE")
            .map_err(|e| self.backend(e))?;
        let head = messages.iter().find_map(|m| match m {
            SimpleQueryMessage::Row(row) => row.get(0).and_then(|v| v.parse::<u64>().ok()),
            _ => None,
        });
        head.ok_or_else(|| {
            StoreError::Backend(format!(
                "PostgreSQL schema {}: the head row motcua_head is missing",
                self.schema
            ))
        })
    }
}

/// The rows one append inserts, as the arrays of the insert statement.
#[derive(Default)]
struct Rows {
    positions: Vec<i64>,
    ids: Vec<Uuid>,
    dossiers: Vec<String>,
    sequences: Vec<i64>,
    bodies: Vec<String>,
    links: Vec<Vec<u8>>,
}

impl Rows {
    fn push(&mut self, position: u64, event: &Event, link: &Link) -> StoreResult<()> {
        self.links.push(link.to_vec());
        self.bodies.push(motcua_store::codec::encode(event)?);
        self.positions.push(to_i64(position));
        self.ids.push(event.event_id);
        self.dossiers.push(event.dossier_id.as_str().to_owned());
        self.sequences.push(to_i64(event.sequence));
        Ok(())
    }
}

pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn stored(position: i64, body: &str) -> StoreResult<StoredEvent> {
    let position = u64::try_from(position).unwrap_or(0);
    Ok(StoredEvent {
        position,
        event: motcua_store::codec::decode(position, body)?,
    })
}

impl EventStore for PgStore {
    /// One transaction holding the head-row lock from begin to commit (see
    /// [`crate::PgImport`]).
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        Ok(Box::new(crate::import::PgImport::begin(self)?))
    }

    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        let mut conn = self.lease()?;
        if batches.iter().all(|b| b.events.is_empty()) {
            return batches
                .iter()
                .map(|b| Ok(Appended::unchanged(self.version(&mut conn, &b.dossier_id)?)))
                .collect();
        }
        let head = match self.begin(&mut conn) {
            Ok(head) => head,
            Err(e) => {
                conn.discard();
                return Err(e);
            }
        };
        let outcome = self
            .append_in(&mut conn, head, batches)
            .and_then(|results| {
                conn.client
                    .batch_execute("COMMIT")
                    .map_err(|e| self.backend(e))?;
                Ok(results)
            });
        if outcome.is_err() && conn.client.batch_execute("ROLLBACK").is_err() {
            // The connection's state is unknown: close it rather than reuse it.
            conn.discard();
        }
        outcome
    }

    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        let mut conn = self.lease()?;
        self.stream_on(&mut conn, dossier)
    }

    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut conn = self.lease()?;
        let statement = conn
            .statement(Which::ReadAll)
            .map_err(|e| self.backend(e))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = conn
            .client
            .query(&statement, &[&to_i64(from_position), &limit])
            .map_err(|e| self.backend(e))?;
        rows.iter()
            .map(|row| stored(row.get(0), row.get(1)))
            .collect()
    }

    fn last_position(&self) -> StoreResult<u64> {
        let mut conn = self.lease()?;
        let statement = conn.statement(Which::Head).map_err(|e| self.backend(e))?;
        let p: i64 = conn
            .client
            .query_one(&statement, &[])
            .map_err(|e| self.backend(e))?
            .get(0);
        Ok(u64::try_from(p).unwrap_or(0))
    }

    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        let mut conn = self.lease()?;
        self.version(&mut conn, dossier)
    }

    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        let mut conn = self.lease()?;
        let rows = conn
            .client
            .query(
                "SELECT DISTINCT dossier_id FROM motcua_events ORDER BY dossier_id",
                &[],
            )
            .map_err(|e| self.backend(e))?;
        Ok(rows
            .iter()
            .map(|row| DossierId::new(row.get::<_, String>(0)))
            .collect())
    }
}

impl CheckpointStore for PgStore {
    fn load_checkpoint(&self, name: &str) -> StoreResult<Option<Checkpoint>> {
        let mut conn = self.lease()?;
        let row = conn
            .client
            .query_opt(
                "SELECT position, state FROM motcua_checkpoints WHERE name = $1",
                &[&name],
            )
            .map_err(|e| self.backend(e))?;
        Ok(row.map(|row| Checkpoint {
            position: u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
            state: row.get(1),
        }))
    }

    fn save_checkpoint(&self, name: &str, checkpoint: &Checkpoint) -> StoreResult<()> {
        let mut conn = self.lease()?;
        conn.client
            .execute(
                "INSERT INTO motcua_checkpoints (name, position, state) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO UPDATE SET position = excluded.position, state = excluded.state",
                &[&name, &to_i64(checkpoint.position), &checkpoint.state],
            )
            .map_err(|e| self.backend(e))?;
        Ok(())
    }
}
