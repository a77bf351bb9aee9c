//! The fast read path: dossiers in id order, one ordered query per range, bodies decoded
//! straight from SQLite's row buffer.

use crate::standings::state_in;
use crate::store::{last_position_in, SqliteStore};
use motcua_core::{DossierId, Event};
use motcua_store::audit::{RowGrouper, RowVisitor, StoredRow};
use motcua_store::codec::compact;
use motcua_store::standings::{StandingRead, StandingTable};
use motcua_store::{even_bounds, DossierRange, DossierScan, LogRow, StoreError};
use rusqlite::params;

/// Positions sampled per requested part to place the bounds of [`DossierScan::dossier_ranges`].
const SAMPLES_PER_PART: u64 = 256;

impl DossierScan for SqliteStore {
    /// Samples evenly spaced positions of the log (positions are gap-free, so a sample of
    /// positions is a sample of events) and splits the sampled dossier ids into `parts` groups
    /// of equal weight: a few hundred primary-key lookups whatever the store's size.
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError> {
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let last = last_position_in(&conn).map_err(db)?;
        if parts <= 1 {
            return Ok(DossierRange::split_at(Vec::new(), Some(last)));
        }
        let samples = (parts as u64).saturating_mul(SAMPLES_PER_PART).min(last);
        let mut stmt = conn
            .prepare_cached("SELECT dossier_id FROM events WHERE position = ?1")
            .map_err(db)?;
        let mut ids: Vec<DossierId> = Vec::new();
        for k in 0..samples {
            // k < samples <= last, so the position is in 1..=last; u128 keeps the product exact.
            let position = u128::from(last) * u128::from(k) / u128::from(samples) + 1;
            let position = i64::try_from(position).unwrap_or(i64::MAX);
            let id: Option<String> = stmt
                .query_row(params![position], |r| r.get(0))
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    e => Err(e),
                })
                .map_err(db)?;
            ids.extend(id.map(DossierId::new));
        }
        ids.sort_unstable();
        let bounds = even_bounds(&ids, parts, |id| id, |_| 1);
        Ok(DossierRange::split_at(bounds, Some(last)))
    }

    fn scan_dossiers<E, F>(&self, range: &DossierRange, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>,
    {
        let conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        let mut conditions = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(from) = &range.from {
            conditions.push("dossier_id >= ?");
            values.push(from.as_str().to_owned().into());
        }
        if let Some(until) = &range.until {
            conditions.push("dossier_id < ?");
            values.push(until.as_str().to_owned().into());
        }
        if let Some(through) = range.through {
            conditions.push("position <= ?");
            values.push(i64::try_from(through).unwrap_or(i64::MAX).into());
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql =
            format!("SELECT position, body FROM events {filter} ORDER BY dossier_id, sequence");
        let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(values)).map_err(db)?;
        let mut streams = motcua_store::StreamGrouper::default();
        let mut decoder = motcua_store::codec::compact::Decoder::default();
        while let Some(row) = rows.next().map_err(db)? {
            let position: i64 = row.get(0).map_err(db)?;
            let position = u64::try_from(position).unwrap_or(0);
            let value = row.get_ref(1).map_err(db)?;
            let body = value.as_bytes().map_err(|e| {
                E::from(StoreError::Backend(format!(
                    "the event stored at position {position} has no body: {e}"
                )))
            })?;
            let event = motcua_store::codec::decode_body_shared(&mut decoder, position, body)?;
            streams.push(event, &mut visit)?;
        }
        streams.finish(&mut visit)
    }

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
        // One read transaction (the head, the last position, every standing in rowid order,
        // then the streams asked for), so that all of it is one snapshot.
        if !self.keeps_standings() {
            return Ok(false);
        }
        let mut conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        // Deferred: the snapshot is taken at the first read and held to the end.
        let tx = conn.transaction().map_err(db)?;
        let head = state_in(&tx).map_err(db)?.head;
        let last = last_position_in(&tx).map_err(db)?;
        match head {
            Some(head) if head.context == fingerprint && head.position == last => {}
            _ => return Ok(false),
        }
        {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT dossier_id, first_second, standing FROM dossier_standings
                     ORDER BY rowid",
                )
                .map_err(db)?;
            let mut rows = stmt.query([]).map_err(db)?;
            while let Some(row) = rows.next().map_err(db)? {
                let id = row.get_ref(0).map_err(db)?.as_str().map_err(|e| {
                    E::from(StoreError::Backend(format!(
                        "a dossier id in the table of standings is not text: {e}"
                    )))
                })?;
                let first_second = row.get_ref(1).map_err(db)?.as_i64().map_err(|e| {
                    E::from(StoreError::Backend(format!(
                        "dossier {id}: the second of its first event is not an integer: {e}"
                    )))
                })?;
                let standing = row.get_ref(2).map_err(db)?.as_blob_or_null().map_err(|e| {
                    E::from(StoreError::Backend(format!(
                        "dossier {id}: its stored standing is not a blob: {e}"
                    )))
                })?;
                visit(StandingRead {
                    dossier_id: id,
                    first_second,
                    standing,
                })?;
            }
        }
        let Some(needing) = needing()? else {
            return Ok(false);
        };
        for dossier in needing {
            let stream: Vec<Event> = self
                .stream_in(&tx, &dossier)?
                .into_iter()
                .map(|stored| stored.event)
                .collect();
            if !stream.is_empty() {
                events(&stream)?;
            }
        }
        Ok(true)
    }

    /// Rows are appended in position order (the table is keyed by position), so the log's
    /// order is the file's.
    fn keeps_log_order(&self) -> bool {
        true
    }

    /// One statement, newest first: the table read backwards, each row's position and body
    /// straight from SQLite's row buffer (no other column: each costs about as much as the
    /// body). A compact body names its dossier and sequence in its first bytes; a JSON body
    /// (a store from before the compact form) is decoded for them.
    fn scan_log_newest_first<E, F>(&self, mut visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(LogRow<'_>) -> Result<(), E>,
    {
        let conn = self.lease()?;
        let db = |e| E::from(self.backend(e));
        let mut stmt = conn
            .prepare_cached("SELECT position, body FROM events ORDER BY position DESC")
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let position = u64::try_from(row.get::<_, i64>(0).map_err(db)?).unwrap_or(0);
            let body = row.get_ref(1).map_err(db)?;
            let body = body.as_bytes().map_err(|e| {
                E::from(StoreError::Backend(format!(
                    "the event stored at position {position} has no body: {e}"
                )))
            })?;
            if compact::is_compact(body) {
                visit(LogRow::compact(position, body)?)?;
            } else {
                let event = motcua_store::codec::decode_body(position, body)?;
                visit(LogRow {
                    position,
                    dossier_id: event.dossier_id.as_str(),
                    sequence: event.sequence,
                    body,
                })?;
            }
        }
        Ok(())
    }
}

impl motcua_store::audit::RowScan for SqliteStore {
    fn keeps_links(&self) -> bool {
        self.is_linked()
    }

    /// One query over the whole log in (dossier, sequence) order; bodies are decoded but not
    /// trusted: an unreadable one is reported in its row.
    fn scan_rows(&self, visit: &mut RowVisitor<'_>) -> Result<(), StoreError> {
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let link = if self.is_linked() { "link" } else { "NULL" };
        let sql = format!(
            "SELECT position, dossier_id, sequence, body, {link}, event_id FROM events ORDER BY dossier_id, sequence"
        );
        let mut stmt = conn.prepare(&sql).map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let mut grouper = RowGrouper::default();
        let mut decoder = motcua_store::codec::compact::Decoder::default();
        while let Some(row) = rows.next().map_err(db)? {
            let position = u64::try_from(row.get::<_, i64>(0).map_err(db)?).unwrap_or(0);
            let id: String = row.get(1).map_err(db)?;
            let sequence = u64::try_from(row.get::<_, i64>(2).map_err(db)?).unwrap_or(0);
            let event = match row.get_ref(3).map_err(db)?.as_bytes() {
                Ok(body) => motcua_store::codec::decode_body_shared(&mut decoder, position, body)
                    .map_err(motcua_store::audit::unreadable),
                Err(e) => Err(format!("the body is not text or bytes: {e}")),
            };
            let link: Option<Vec<u8>> = row.get(4).map_err(db)?;
            let event_id = match row.get_ref(5).map_err(db)? {
                rusqlite::types::ValueRef::Blob(bytes) => uuid::Uuid::from_slice(bytes).ok(),
                _ => None,
            };
            grouper.push(
                &id,
                StoredRow {
                    position,
                    sequence,
                    event,
                    link: link.as_deref().and_then(motcua_store::chain::from_bytes),
                    event_id,
                },
                visit,
            )?;
        }
        grouper.finish(visit)
    }

    fn last_row_position(&self) -> Result<u64, StoreError> {
        let conn = self.lease()?;
        last_position_in(&conn).map_err(|e| self.backend(e))
    }
}

#[cfg(test)]
mod tests {
    use crate::SqliteStore;
    use motcua_core::Event;
    use motcua_store::codec::compact;
    use motcua_store::{
        DossierRange, DossierScan, EventStore, ExpectedVersion, StoreError, StoredStream,
        StreamBatch,
    };

    fn dossier_order(store: &SqliteStore) -> Result<Vec<Vec<Event>>, StoreError> {
        let mut streams = Vec::new();
        store.scan_dossiers(&DossierRange::ALL, |s: &[Event]| {
            streams.push(s.to_vec());
            Ok::<(), StoreError>(())
        })?;
        Ok(streams)
    }

    fn newest_first(store: &SqliteStore) -> Result<Vec<Vec<Event>>, StoreError> {
        let mut streams = Vec::new();
        let mut decoder = compact::Decoder::default();
        let mut events = Vec::new();
        store.scan_newest_first(|s: StoredStream| {
            s.decode_into(&mut decoder, &mut events)?;
            streams.push(events.clone());
            Ok::<(), StoreError>(())
        })?;
        streams.sort_by(|a, b| a[0].dossier_id.cmp(&b[0].dossier_id));
        Ok(streams)
    }

    /// The newest-first scan gives the streams the dossier-ordered scan gives, from compact
    /// bodies and from JSON ones (a store written before the compact form) alike.
    #[test]
    fn newest_first_reads_compact_and_json_bodies() -> Result<(), Box<dyn std::error::Error>> {
        let sample = motcua_gen::sample()?;
        let store = SqliteStore::open_in_memory()?;
        // The first 3,000 events in time order, appended one at a time: dossiers interleave.
        let mut events = sample.events.clone();
        events.sort_by_key(|e| e.recorded_at);
        for event in events.into_iter().take(3_000) {
            store.append_streams(&[StreamBatch {
                dossier_id: event.dossier_id.clone(),
                expected: ExpectedVersion::at(event.sequence - 1),
                events: vec![event],
            }])?;
        }
        let expected = dossier_order(&store)?;
        assert!(expected.len() > 100);
        assert_eq!(newest_first(&store)?, expected);
        // Every third body rewritten as a JSON line.
        {
            let conn = store.lease()?;
            let rows: Vec<(i64, Vec<u8>)> = conn
                .prepare("SELECT position, body FROM events WHERE position % 3 = 0")?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            for (position, body) in rows {
                let event = compact::decode(&body)?;
                let mut line = Vec::new();
                motcua_io::write_event(&mut line, &event)?;
                let line = String::from_utf8(line)?;
                conn.execute(
                    "UPDATE events SET body = ?1 WHERE position = ?2",
                    rusqlite::params![line.trim_end(), position],
                )?;
            }
        }
        assert_eq!(newest_first(&store)?, expected);
        Ok(())
    }
}
