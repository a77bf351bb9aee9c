//! Connections to the database, one per thread at a time, reused, each with the store's
//! statements prepared once.

use motcua_store::StoreError;
use postgres::{Client, Config, NoTls, Statement};
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// Idle connections kept at most.
const KEEP: usize = 16;

/// The statements every connection prepares when it opens.
pub(crate) struct Statements {
    /// `$1` dossiers, `$2` ids: a row (0, dossier, stream version, NULL, head link) per
    /// dossier, then (1, NULL, position, body, NULL) for every stored event with one of the
    /// ids.
    pub(crate) lookup: Statement,
    /// Inserts a batch's rows (`$1`..`$5` arrays, `$7` their links) and moves the head to `$6`.
    pub(crate) insert: Statement,
    /// `$1` from, `$2` limit.
    pub(crate) read_all: Statement,
    /// `$1` dossier: position, body, link (NULL in a store without links).
    pub(crate) read_stream: Statement,
    /// `$1` dossier.
    pub(crate) version: Statement,
    /// The head position.
    pub(crate) head: Statement,
}

/// A client and its prepared statements.
pub(crate) struct Conn {
    pub(crate) client: Client,
    pub(crate) stmts: Statements,
}

/// A pool of clients, each with the store's `search_path` (and, for a read-only store,
/// `default_transaction_read_only`).
pub(crate) struct Pool {
    config: Config,
    search_path: String,
    read_only: bool,
    /// Whether the store's events carry links.
    linked: bool,
    idle: Mutex<Vec<Conn>>,
}

/// A connection taken from the pool, returned when dropped (unless it broke or was discarded).
pub(crate) struct Lease<'p> {
    pool: &'p Pool,
    conn: Option<Conn>,
}

/// Prepares the statements; a store without links (an older schema read without migrating)
/// gets statements that do not name the column, and none that write.
fn prepare(client: &mut Client, linked: bool) -> Result<Statements, postgres::Error> {
    let link = if linked { "link" } else { "NULL::bytea" };
    // Each dossier's last event and each event id are looked up through their indexes, one
    // probe each (`LATERAL … LIMIT 1`, which the planner keeps as a per-row probe): a join or
    // `= ANY` over a table that grew inside an import's transaction, never analysed, is
    // planned as a scan of the whole table per batch, which made long imports quadratic.
    Ok(Statements {
        lookup: client.prepare(&format!(
            "SELECT 0::integer, d.dossier_id, COALESCE(h.sequence, 0)::bigint, NULL::text,
                    h.link
               FROM UNNEST($1::text[]) AS d (dossier_id)
               LEFT JOIN LATERAL (
                   SELECT sequence, {link} AS link FROM motcua_events
                    WHERE dossier_id = d.dossier_id COLLATE \"C\"
                    ORDER BY sequence DESC LIMIT 1
               ) h ON TRUE
             UNION ALL
             SELECT 1, NULL, e.position, e.body, NULL::bytea
               FROM UNNEST($2::uuid[]) AS i (event_id)
               JOIN LATERAL (
                   SELECT position, body FROM motcua_events WHERE event_id = i.event_id LIMIT 1
               ) e ON TRUE"
        ))?,
        insert: client.prepare(if linked {
            "WITH inserted AS (
                 INSERT INTO motcua_events (position, event_id, dossier_id, sequence, body, link)
                 SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $7::bytea[])
                 RETURNING 1
             )
             UPDATE motcua_head SET position = $6 WHERE id = 1"
        } else {
            "SELECT $1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::bigint, $7::bytea[]
              WHERE false"
        })?,
        read_all: client.prepare(
            "SELECT position, body FROM motcua_events WHERE position > $1
             ORDER BY position LIMIT $2",
        )?,
        read_stream: client.prepare(&format!(
            "SELECT position, body, {link} FROM motcua_events WHERE dossier_id = $1 ORDER BY sequence"
        ))?,
        version: client.prepare(
            "SELECT COALESCE(MAX(sequence), 0)::bigint FROM motcua_events WHERE dossier_id = $1",
        )?,
        head: client.prepare("SELECT position FROM motcua_head WHERE id = 1")?,
    })
}

impl Pool {
    pub(crate) fn new(config: Config, search_path: String, read_only: bool, linked: bool) -> Pool {
        Pool {
            config,
            search_path,
            read_only,
            linked,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Opens a client with the store's search path and statements.
    fn connect(&self) -> Result<Conn, postgres::Error> {
        self.configure(self.config.connect(NoTls)?)
    }

    /// Keeps `client`, a connection the opener already made to the store's database, for the
    /// next lease, given the store's search path and statements as a new one is: a short
    /// command then opens one connection, not two (each costs the authentication and a new
    /// server process, most of a short command's time). A client that cannot be set up is
    /// dropped, and the next lease connects anew (and says why it cannot).
    pub(crate) fn adopt(&self, client: Client) {
        if let (Ok(conn), Ok(mut idle)) = (self.configure(client), self.idle.lock()) {
            idle.push(conn);
        }
    }

    /// `client` with the store's search path and statements.
    fn configure(&self, mut client: Client) -> Result<Conn, postgres::Error> {
        client.batch_execute(&format!("SET search_path TO {}", self.search_path))?;
        if self.read_only {
            client.batch_execute("SET default_transaction_read_only = on")?;
        }
        let stmts = prepare(&mut client, self.linked)?;
        Ok(Conn { client, stmts })
    }

    pub(crate) fn lease(&self) -> Result<Lease<'_>, StoreError> {
        let idle = self
            .idle
            .lock()
            .map_err(|_| StoreError::Backend("the connection pool's lock is poisoned".to_owned()))?
            .pop();
        let conn = match idle {
            Some(c) if !c.client.is_closed() => c,
            // A new connection that fails is the database out of reach, whatever the cause.
            _ => self.connect().map_err(|e| {
                StoreError::Storage(format!(
                    "PostgreSQL schema {}: cannot connect: {}",
                    self.search_path,
                    crate::error::describe(&e)
                ))
            })?,
        };
        Ok(Lease {
            pool: self,
            conn: Some(conn),
        })
    }
}

impl Lease<'_> {
    /// Closes the connection instead of returning it (its state is unknown).
    pub(crate) fn discard(mut self) {
        self.conn = None;
    }
}

impl Deref for Lease<'_> {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        match &self.conn {
            Some(c) => c,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }
}

impl DerefMut for Lease<'_> {
    fn deref_mut(&mut self) -> &mut Conn {
        match &mut self.conn {
            Some(c) => c,
            None => unreachable!("a lease holds its connection until dropped"),
        }
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else {
            return;
        };
        if conn.client.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.pool.idle.lock() {
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
    }
}
