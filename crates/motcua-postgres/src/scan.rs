//! Dossier by dossier (one ordered query per range), or the whole log newest first (one query
//! through the primary key, for full reports); rows streamed from the server.

use crate::pool::Which;
use crate::store::PgStore;
use motcua_core::{DossierId, Event};
use motcua_store::audit::{RowGrouper, RowVisitor, StoredRow};
use motcua_store::standings::{StandingRead, StandingTable};
use motcua_store::{even_bounds, DossierRange, DossierScan, LogRow, StoreError};
use postgres::fallible_iterator::FallibleIterator;

/// Positions sampled per requested part to place the bounds of [`DossierScan::dossier_ranges`].
const SAMPLES_PER_PART: i64 = 256;

impl DossierScan for PgStore {
    /// The events table is written by appends in position order, so its heap lies in log
    /// order: a full report reads it newest first through the primary key, near a
    /// sequential read, where a read in dossier order jumps over the whole heap. (A store
    /// migrated from schema 3 or older had every row rewritten in dossier order by migration
    /// 4; read newest first it is a random read of the heap until `CLUSTER motcua_events USING
    /// motcua_events_pkey` puts it back in order: right, not fast.)
    fn keeps_log_order(&self) -> bool {
        true
    }

    /// One query over the whole log, newest first (one snapshot), rows streamed from the
    /// server. The row's dossier and sequence come from its columns; a body naming another
    /// place is found when the stream is decoded ([`StoredStream::decode_into`]). Stopped
    /// early (by `visit` or an error), the connection is closed rather than pooled: the rest
    /// of the result would otherwise be read through by its next user.
    ///
    /// [`StoredStream::decode_into`]: motcua_store::StoredStream::decode_into
    fn scan_log_newest_first<E, F>(&self, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(LogRow<'_>) -> Result<(), E>,
    {
        let mut conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        let mut read = || -> Result<(), E> {
            let mut rows = conn
                .client
                .query_raw(
                    "SELECT position, dossier_id, sequence, body FROM motcua_events
                     ORDER BY position DESC",
                    std::iter::empty::<&dyn postgres::types::ToSql>(),
                )
                .map_err(db)?;
            while let Some(row) = FallibleIterator::next(&mut rows).map_err(db)? {
                let position: i64 = row.try_get(0).map_err(db)?;
                let dossier_id: &str = row.try_get(1).map_err(db)?;
                let sequence: i64 = row.try_get(2).map_err(db)?;
                let body: &str = row.try_get(3).map_err(db)?;
                let (Ok(position), Ok(sequence)) =
                    (u64::try_from(position), u64::try_from(sequence))
                else {
                    return Err(E::from(StoreError::Backend(format!(
                        "the event stored at position {position} (dossier {dossier_id}, event {sequence}) has a negative position or sequence"
                    ))));
                };
                visit(LogRow {
                    position,
                    dossier_id,
                    sequence,
                    body: body.as_bytes(),
                })?;
            }
            Ok(())
        };
        let read = read();
        if read.is_err() {
            conn.discard();
        }
        read
    }

    /// One read-only transaction at `REPEATABLE READ` (the head, the last position, every
    /// standing in the table's storage order, then the streams asked for, a thousand
    /// dossiers a query), so that all of it is one snapshot; rows streamed from the server. Stopped early (by a closure or an
    /// error), the connection is closed rather than pooled, as the log's read is.
    fn scan_standings<E, F, N, G>(
        &self,
        fingerprint: u64,
        mut visit: F,
        needing: N,
        mut events: G,
    ) -> Result<bool, E>
    where
        E: From<StoreError>,
        F: FnMut(StandingRead<'_>) -> Result<(), E>,
        N: FnOnce() -> Result<Option<Vec<DossierId>>, E>,
        G: FnMut(&[Event]) -> Result<(), E>,
    {
        if !self.keeps_standings() {
            return Ok(false);
        }
        let mut conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        let read = |conn: &mut crate::pool::Conn| -> Result<bool, E> {
            conn.client
                .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .map_err(db)?;
            let head = crate::standings::state_in(&mut conn.client, false)
                .map_err(db)?
                .head;
            let statement = conn.statement(Which::Head).map_err(db)?;
            let last: i64 = conn.client.query_one(&statement, &[]).map_err(db)?.get(0);
            match head {
                Some(head)
                    if head.context == fingerprint && i64::try_from(head.position) == Ok(last) => {}
                _ => return Ok(false),
            }
            let mut rows = conn
                .client
                .query_raw(
                    "SELECT dossier_id, first_second, standing FROM motcua_dossier_standings",
                    std::iter::empty::<&dyn postgres::types::ToSql>(),
                )
                .map_err(db)?;
            while let Some(row) = FallibleIterator::next(&mut rows).map_err(db)? {
                let dossier_id: &str = row.try_get(0).map_err(db)?;
                let first_second: i64 = row.try_get(1).map_err(db)?;
                let standing: Option<&[u8]> = row.try_get(2).map_err(db)?;
                visit(StandingRead {
                    dossier_id,
                    first_second,
                    standing,
                })?;
            }
            drop(rows);
            let Some(needing) = needing()? else {
                return Ok(false);
            };
            self.streams_on(conn, &needing, &mut events)?;
            Ok(true)
        };
        let outcome = read(&mut conn);
        // Read-only: ending it either way changes nothing.
        if outcome.is_err() || conn.client.batch_execute("ROLLBACK").is_err() {
            conn.discard();
        }
        outcome
    }

    /// Samples evenly spaced positions of the log (gap-free) in one query and splits the
    /// sampled dossier ids into `parts` groups of equal weight.
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError> {
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let last: i64 = conn
            .client
            .query_one("SELECT COALESCE(MAX(position), 0) FROM motcua_events", &[])
            .map_err(db)?
            .get(0);
        let through = u64::try_from(last).ok();
        if parts <= 1 {
            return Ok(DossierRange::split_at(Vec::new(), through));
        }
        let samples = i64::try_from(parts)
            .unwrap_or(i64::MAX)
            .saturating_mul(SAMPLES_PER_PART)
            .min(last);
        // k < samples <= last: positions 1..=last; the product stays far below i64::MAX for
        // any real log (samples is at most a few thousand), and saturates otherwise.
        let positions: Vec<i64> = (0..samples)
            .map(|k| last.saturating_mul(k) / samples.max(1) + 1)
            .collect();
        let rows = conn
            .client
            .query(
                "SELECT dossier_id FROM motcua_events WHERE position = ANY($1) ORDER BY dossier_id",
                &[&positions],
            )
            .map_err(db)?;
        let ids: Vec<DossierId> = rows
            .iter()
            .map(|r| DossierId::new(r.get::<_, &str>(0)))
            .collect();
        Ok(DossierRange::split_at(
            even_bounds(&ids, parts, |id| id, |_| 1),
            through,
        ))
    }

    fn scan_dossiers<E, F>(&self, range: &DossierRange, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>,
    {
        let mut conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        let from = range.from.as_ref().map(DossierId::as_str);
        let until = range.until.as_ref().map(DossierId::as_str);
        let through = range.through.map(|p| i64::try_from(p).unwrap_or(i64::MAX));
        let mut rows = conn
            .client
            .query_raw(
                "SELECT position, body FROM motcua_events
                 WHERE ($1::text IS NULL OR dossier_id >= $1) AND ($2::text IS NULL OR dossier_id < $2)
                   AND ($3::bigint IS NULL OR position <= $3)
                 ORDER BY dossier_id, sequence",
                [
                    &from as &dyn postgres::types::ToSql,
                    &until,
                    &through,
                ],
            )
            .map_err(db)?;
        let mut streams = motcua_store::StreamGrouper::default();
        while let Some(row) = FallibleIterator::next(&mut rows).map_err(db)? {
            let position: i64 = row.try_get(0).map_err(db)?;
            let body: &str = row.try_get(1).map_err(db)?;
            let position = u64::try_from(position).unwrap_or(0);
            let event = motcua_store::codec::decode(position, body)?;
            streams.push(event, &mut visit)?;
        }
        streams.finish(&mut visit)
    }
}

impl motcua_store::audit::RowScan for PgStore {
    fn keeps_links(&self) -> bool {
        self.is_linked()
    }

    /// One query over the whole log in (dossier, sequence) order, rows streamed from the
    /// server; bodies are decoded but not trusted: an unreadable one is reported in its row.
    fn scan_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError> {
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let link = if self.is_linked() {
            "link"
        } else {
            "NULL::bytea"
        };
        let sql = format!(
            "SELECT position, dossier_id, sequence, body, {link}, event_id FROM motcua_events
              ORDER BY dossier_id, sequence"
        );
        let mut rows = conn
            .client
            .query_raw(&sql, std::iter::empty::<&dyn postgres::types::ToSql>())
            .map_err(db)?;
        let mut grouper = RowGrouper::default();
        while let Some(row) = FallibleIterator::next(&mut rows).map_err(db)? {
            let position = u64::try_from(row.try_get::<_, i64>(0).map_err(db)?).unwrap_or(0);
            let id: &str = row.try_get(1).map_err(db)?;
            let sequence = u64::try_from(row.try_get::<_, i64>(2).map_err(db)?).unwrap_or(0);
            let body: &str = row.try_get(3).map_err(db)?;
            let event = motcua_store::codec::decode(position, body)
                .map_err(motcua_store::audit::unreadable);
            let link: Option<&[u8]> = row.try_get(4).map_err(db)?;
            let event_id: Option<uuid::Uuid> = row.try_get(5).map_err(db)?;
            grouper.push(
                id,
                StoredRow {
                    position,
                    sequence,
                    event,
                    link: link.and_then(motcua_store::chain::from_bytes),
                    event_id,
                },
                visit,
            )?;
        }
        grouper.finish(visit)
    }

    /// The head row's position: what the store says it committed.
    fn last_row_position(&self) -> Result<u64, StoreError> {
        motcua_store::EventStore::last_position(self)
    }
}
