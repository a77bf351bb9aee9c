//! Dossier by dossier: one ordered query per range, rows streamed from the server.

use crate::store::PgStore;
use motcua_core::{DossierId, Event};
use motcua_store::{even_bounds, DossierRange, DossierScan, StoreError};

/// Positions sampled per requested part to place the bounds of [`DossierScan::dossier_ranges`].
const SAMPLES_PER_PART: i64 = 256;

impl DossierScan for PgStore {
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
        while let Some(row) =
            postgres::fallible_iterator::FallibleIterator::next(&mut rows).map_err(db)?
        {
            let position: i64 = row.try_get(0).map_err(db)?;
            let body: &str = row.try_get(1).map_err(db)?;
            let position = u64::try_from(position).unwrap_or(0);
            let event = motcua_store::codec::decode(position, body)?;
            streams.push(event, &mut visit)?;
        }
        streams.finish(&mut visit)
    }
}
