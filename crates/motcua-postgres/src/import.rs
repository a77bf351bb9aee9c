//! The PostgreSQL import session: one transaction fed in chunks.

use crate::pool::Lease;
use crate::store::{stored, PgStore};
use motcua_core::{Catalogue, DossierId};
use motcua_store::chain::{self, Link};
use motcua_store::{
    Appended, ImportSession, SessionStream, StoreError, StoreResult, StoredEvent, StreamBatch,
    SESSION_COMMITTED,
};
use std::collections::HashMap;
use uuid::Uuid;

/// An [`ImportSession`] on a [`PgStore`]: one transaction on one pooled connection that locks
/// the head row first, as [`motcua_store::EventStore::append_streams`] does, and keeps it
/// locked until commit or drop.
///
/// - Other appenders wait for the import to finish, so the global order stays gapless and a
///   follower reading `position > last_seen` never skips one; readers see the store as it
///   was, then the whole import at once.
/// - Each [`ImportSession::append_streams`] call costs two round trips (one lookup of the
///   streams' versions and of the ids, one insert of every row), whatever its size.
/// - A catalogue staged with [`ImportSession::stage_catalogue`] is written in the same
///   transaction, as a new catalogue record when it differs from the latest: stored with the
///   events, or not at all.
/// - Dropping the session without committing rolls the transaction back.
///
/// A refused call (a conflict, an id in use) inserts nothing and leaves the transaction
/// usable; a database failure aborts it, and the session then only reports that.
pub struct PgImport<'s> {
    store: &'s PgStore,
    conn: Option<Lease<'s>>,
    base: u64,
    /// The head position inside the transaction.
    head: u64,
    committed: bool,
    /// A database error may have aborted the transaction: it must not be committed (an
    /// aborted transaction's `COMMIT` rolls back without an error).
    failed: bool,
}

impl std::fmt::Debug for PgImport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgImport")
            .field("store", &self.store)
            .field("base", &self.base)
            .field("head", &self.head)
            .field("committed", &self.committed)
            .finish_non_exhaustive()
    }
}

impl<'s> PgImport<'s> {
    /// Takes a connection, begins the transaction and locks the head row.
    pub(crate) fn begin(store: &'s PgStore) -> StoreResult<PgImport<'s>> {
        let mut conn = store.lease()?;
        let head = match store.begin(&mut conn) {
            Ok(head) => head,
            Err(e) => {
                conn.discard();
                return Err(e);
            }
        };
        Ok(PgImport {
            store,
            conn: Some(conn),
            base: head,
            head,
            committed: false,
            failed: false,
        })
    }

    fn conn(&mut self) -> StoreResult<&mut Lease<'s>> {
        let schema = self.store.schema().to_owned();
        self.conn.as_mut().ok_or_else(|| {
            StoreError::Backend(format!(
                "PostgreSQL schema {schema}: the import session has no connection"
            ))
        })
    }

    /// Passes `result` on, marking the session failed if it is a database error: that may
    /// have aborted the transaction (a refusal leaves it usable).
    fn track<T>(&mut self, result: StoreResult<T>) -> StoreResult<T> {
        if result.as_ref().is_err_and(StoreError::is_failure) {
            self.failed = true;
        }
        result
    }

    /// The error for an append or a commit after the commit.
    fn finished(&self) -> StoreError {
        StoreError::Backend(format!(
            "PostgreSQL schema {}: {SESSION_COMMITTED}",
            self.store.schema()
        ))
    }
}

impl ImportSession for PgImport<'_> {
    fn base_position(&self) -> u64 {
        self.base
    }

    fn append_streams(&mut self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        if self.committed {
            return Err(self.finished());
        }
        let head = self.head;
        let store = self.store;
        let conn = self.conn()?;
        let results = store.append_in(conn, head, batches);
        let results = self.track(results)?;
        let last = results.iter().map(|a| a.last_position).max().unwrap_or(0);
        self.head = self.head.max(last);
        Ok(results)
    }

    fn read_stream(&mut self, dossier: &DossierId) -> StoreResult<SessionStream> {
        Ok(self
            .read_streams(std::slice::from_ref(dossier))?
            .pop()
            .unwrap_or_default())
    }

    /// One query for all the dossiers.
    fn read_streams(&mut self, dossiers: &[DossierId]) -> StoreResult<Vec<SessionStream>> {
        let base = self.base;
        let store = self.store;
        let conn = self.conn()?;
        let names: Vec<&str> = dossiers.iter().map(DossierId::as_str).collect();
        let rows = conn
            .client
            .query(
                // One index probe per dossier (see `pool::prepare`): `= ANY` of a long list
                // over a table grown in this transaction is planned as a scan of all of it.
                "SELECT e.dossier_id, e.position, e.body, e.link
                   FROM UNNEST($1::text[]) AS d (dossier_id)
                   CROSS JOIN LATERAL (
                       SELECT dossier_id, position, body, link, sequence FROM motcua_events
                        WHERE dossier_id = d.dossier_id COLLATE \"C\" OFFSET 0
                   ) e
                  ORDER BY e.dossier_id, e.sequence",
                &[&names],
            )
            .map_err(|e| store.backend(e));
        let rows = self.track(rows)?;
        let mut streams: HashMap<String, (SessionStream, Vec<Option<Link>>)> = HashMap::new();
        for row in rows {
            let dossier: String = row.get(0);
            let event = stored(row.get(1), row.get(2))?;
            let link = row.get::<_, Option<&[u8]>>(3).and_then(chain::from_bytes);
            let (stream, links) = streams.entry(dossier).or_default();
            if event.position > base {
                stream.appended += 1;
            }
            stream.events.push(event.event);
            links.push(link);
        }
        let mut out = Vec::with_capacity(dossiers.len());
        for dossier in dossiers {
            let (stream, links) = streams.remove(dossier.as_str()).unwrap_or_default();
            // The stream an import continues must be intact: its next link chains to it.
            chain::check(dossier, &stream.events, &links)?;
            out.push(stream);
        }
        Ok(out)
    }

    fn event_by_id(&mut self, id: &Uuid) -> StoreResult<Option<StoredEvent>> {
        let store = self.store;
        let conn = self.conn()?;
        let row = conn
            .client
            .query_opt(
                "SELECT position, body FROM motcua_events WHERE event_id = $1",
                &[id],
            )
            .map_err(|e| store.backend(e));
        let row = self.track(row)?;
        row.map(|row| stored(row.get(0), row.get(1))).transpose()
    }

    /// Written into the session's transaction, kept only if the session commits: a new
    /// catalogue record judging from the session's base position (so the session's events
    /// count as received under it), unless it is the latest record's catalogue.
    fn stage_catalogue(&mut self, catalogue: &Catalogue) -> StoreResult<()> {
        if self.committed {
            return Err(self.finished());
        }
        let (store, base) = (self.store, self.base);
        let conn = self.conn()?;
        let written = crate::catalogue::record_catalogue_in(&mut conn.client, catalogue, base)
            .map(drop)
            .map_err(|e| store.backend(e));
        self.track(written)
    }

    fn commit(&mut self) -> StoreResult<u64> {
        if self.committed {
            return Err(self.finished());
        }
        if self.failed {
            return Err(StoreError::Backend(format!(
                "PostgreSQL schema {}: the import session failed earlier; nothing was stored",
                self.store.schema()
            )));
        }
        let store = self.store;
        let conn = self.conn()?;
        conn.client
            .batch_execute("COMMIT")
            .map_err(|e| store.backend(e))?;
        self.committed = true;
        Ok(self.head)
    }
}

impl Drop for PgImport<'_> {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        if !self.committed && conn.client.batch_execute("ROLLBACK").is_err() {
            // The connection's state is unknown: close it rather than reuse it.
            conn.discard();
        }
    }
}
