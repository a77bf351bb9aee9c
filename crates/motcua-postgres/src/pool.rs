//! Connections to the database, one per thread at a time, reused, each with the store's
//! statements prepared once.

use motcua_store::StoreError;
use postgres::{Client, Config, NoTls, Statement};
use std::ops::{Deref, DerefMut};
use std::sync::Mutex;

/// Idle connections kept at most.
const KEEP: usize = 16;

/// The statements a connection prepares, each the first time the connection runs it: a short
/// command (a list, one dossier's lookup) pays the round trips of the statements it runs, not
/// of every statement the store has.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which {
    /// `$1` dossiers, `$2` ids: a row (0, dossier, stream version, NULL, head link) per
    /// dossier, then (1, NULL, position, body, NULL) for every stored event with one of the
    /// ids.
    Lookup,
    /// Inserts a batch's rows (`$1`..`$5` arrays, `$7` their links) and moves the head to `$6`.
    Insert,
    /// `$1` from, `$2` limit.
    ReadAll,
    /// `$1` dossier: position, body, link (NULL in a store without links).
    ReadStream,
    /// `$1` dossier.
    Version,
    /// The head position.
    Head,
}

impl Which {
    const ALL: usize = 6;

    fn index(self) -> usize {
        self as usize
    }
}

/// A client, its prepared statements, and whether the store's events carry links.
pub(crate) struct Conn {
    pub(crate) client: Client,
    prepared: [Option<Statement>; Which::ALL],
    linked: bool,
}

impl Conn {
    /// `which`, prepared on this connection (the first time it is asked for).
    pub(crate) fn statement(&mut self, which: Which) -> Result<Statement, postgres::Error> {
        if let Some(statement) = &self.prepared[which.index()] {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&sql(which, self.linked))?;
        self.prepared[which.index()] = Some(statement.clone());
        Ok(statement)
    }
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

/// The session settings of a store's connection, as one batch (one round trip): its schema
/// first in the search path and, for a read-only store, read-only transactions.
pub(crate) fn settings(search_path: &str, read_only: bool) -> String {
    let mut sql = format!("SET search_path TO {search_path}");
    if read_only {
        sql.push_str("; SET default_transaction_read_only = on");
    }
    sql
}

/// The SQL of `which`; a store without links (an older schema read without migrating) gets
/// statements that do not name the column, and none that write.
fn sql(which: Which, linked: bool) -> String {
    let link = if linked { "link" } else { "NULL::bytea" };
    match which {
        // Each dossier's last event and each event id are looked up through their indexes,
        // one probe each (`LATERAL … LIMIT 1`, which the planner keeps as a per-row probe): a
        // join or `= ANY` over a table that grew inside an import's transaction, never
        // analysed, is planned as a scan of the whole table per batch, which made long imports
        // quadratic.
        Which::Lookup => format!(
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
        ),
        Which::Insert if linked => "WITH inserted AS (
                 INSERT INTO motcua_events (position, event_id, dossier_id, sequence, body, link)
                 SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $7::bytea[])
                 RETURNING 1
             )
             UPDATE motcua_head SET position = $6 WHERE id = 1"
            .to_owned(),
        Which::Insert => "SELECT $1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::bigint, $7::bytea[]
              WHERE false"
            .to_owned(),
        Which::ReadAll => "SELECT position, body FROM motcua_events WHERE position > $1
             ORDER BY position LIMIT $2"
            .to_owned(),
        Which::ReadStream => format!(
            "SELECT position, body, {link} FROM motcua_events WHERE dossier_id = $1 ORDER BY sequence"
        ),
        Which::Version => {
            "SELECT COALESCE(MAX(sequence), 0)::bigint FROM motcua_events WHERE dossier_id = $1"
                .to_owned()
        }
        Which::Head => "SELECT position FROM motcua_head WHERE id = 1".to_owned(),
    }
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

    /// Opens a client with the store's session settings.
    fn connect(&self) -> Result<Conn, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        client.batch_execute(&settings(&self.search_path, self.read_only))?;
        Ok(self.conn(client))
    }

    /// Keeps `client`, a connection the opener already made to the store's database and gave
    /// the store's [`settings`], for the next lease: a short command then opens one
    /// connection, not two (each costs the authentication and a new server process, most of a
    /// short command's time).
    pub(crate) fn adopt(&self, client: Client) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(self.conn(client));
        }
    }

    fn conn(&self, client: Client) -> Conn {
        Conn {
            client,
            prepared: Default::default(),
            linked: self.linked,
        }
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
