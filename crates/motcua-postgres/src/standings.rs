//! Every dossier's standing in the store's schema (version 7, `motcua_store::standings`):
//! `motcua_dossier_standings` (one row per dossier, keyed by its id) and
//! `motcua_standings_head` (the position, context and generation, one row). A store of an
//! older schema opened read-only has neither: it keeps no standings, and reports read its
//! events. Full reports read the table through `DossierScan::scan_standings` (`scan.rs`).
//! Changes go in one transaction of array statements (`unnest`), a few round trips whatever
//! their size.

use crate::schema::DOSSIER_STANDINGS_SINCE;
use crate::store::{to_i64, PgStore};
use motcua_core::DossierId;
use motcua_store::standings::{
    StandingRow, StandingTable, StandingsChange, StandingsHead, StandingsState,
};
use motcua_store::{StoreError, StoreResult};
use postgres::GenericClient;
use std::collections::BTreeMap;

/// Rows written per statement: no statement's arrays grow past what a message carries
/// comfortably.
const ROWS_PER_STATEMENT: usize = 10_000;

/// The table's position and context, if it has one, and its generation; with `FOR UPDATE`
/// when `lock` (a change holds the row to its commit).
pub(crate) fn state_in(
    client: &mut impl GenericClient,
    lock: bool,
) -> Result<StandingsState, postgres::Error> {
    let sql = if lock {
        "SELECT position, context, generation FROM motcua_standings_head WHERE id = 1 FOR UPDATE"
    } else {
        "SELECT position, context, generation FROM motcua_standings_head WHERE id = 1"
    };
    let Some(row) = client.query_opt(sql, &[])? else {
        return Ok(StandingsState::default());
    };
    let position: Option<i64> = row.get(0);
    let context: i64 = row.get(1);
    let generation: i64 = row.get(2);
    Ok(StandingsState {
        head: position.map(|p| StandingsHead {
            position: u64::try_from(p).unwrap_or(0),
            // Stored as the bits of the u64 fingerprint.
            context: context as u64,
        }),
        generation: u64::try_from(generation).unwrap_or(0),
    })
}

impl StandingTable for PgStore {
    /// A store of schema 7 or later (one opened read-only at an older version keeps none).
    fn keeps_standings(&self) -> bool {
        self.schema_version() >= DOSSIER_STANDINGS_SINCE
    }

    fn standings_state(&self) -> StoreResult<StandingsState> {
        if !self.keeps_standings() {
            return Ok(StandingsState::default());
        }
        let mut conn = self.lease()?;
        state_in(&mut conn.client, false).map_err(|e| self.backend(e))
    }

    /// One transaction: the head row locked and checked, then the rows, then the head. A
    /// dossier named twice in `change.upserts` keeps its last row, as one upsert after another
    /// would leave it.
    fn apply_standings(&self, change: &StandingsChange) -> StoreResult<()> {
        if !self.keeps_standings() {
            return Err(StoreError::Backend(format!(
                "schema {}: the store is older than the table of standings; open it for writing once to migrate it",
                self.schema()
            )));
        }
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut tx = conn.client.transaction().map_err(db)?;
        let found = state_in(&mut tx, true).map_err(db)?;
        change.check(found)?;
        if change.reset {
            // Not TRUNCATE: a report reading the table in an older snapshot would see it empty.
            tx.batch_execute("DELETE FROM motcua_dossier_standings")
                .map_err(db)?;
            // An upsert, as SQLite's `INSERT OR REPLACE`: a head row removed by hand is put
            // back rather than leaving every later write of the rebuild refused.
            tx.execute(
                "INSERT INTO motcua_standings_head (id, position, context, generation)
                 VALUES (1, NULL, 0, $1)
                 ON CONFLICT (id) DO UPDATE
                 SET position = NULL, context = 0, generation = excluded.generation",
                &[&to_i64(found.generation + 1)],
            )
            .map_err(db)?;
        }
        let mut last: BTreeMap<&str, &StandingRow> = BTreeMap::new();
        for row in &change.upserts {
            last.insert(row.dossier_id.as_str(), row);
        }
        let rows: Vec<&StandingRow> = last.into_values().collect();
        for rows in rows.chunks(ROWS_PER_STATEMENT) {
            let ids: Vec<&str> = rows.iter().map(|r| r.dossier_id.as_str()).collect();
            let seconds: Vec<i64> = rows.iter().map(|r| r.first_second).collect();
            let standings: Vec<Option<&[u8]>> =
                rows.iter().map(|r| r.standing.as_deref()).collect();
            tx.execute(
                "INSERT INTO motcua_dossier_standings (dossier_id, first_second, standing)
                 SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
                 ON CONFLICT (dossier_id) DO UPDATE
                 SET first_second = excluded.first_second, standing = excluded.standing",
                &[&ids, &seconds, &standings],
            )
            .map_err(db)?;
        }
        if let Some(head) = change.head {
            tx.execute(
                "UPDATE motcua_standings_head SET position = $1, context = $2 WHERE id = 1",
                &[&to_i64(head.position), &(head.context as i64)],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    /// Every row, by dossier id.
    fn standing_rows(&self) -> StoreResult<Vec<StandingRow>> {
        if !self.keeps_standings() {
            return Ok(Vec::new());
        }
        let mut conn = self.lease()?;
        let rows = conn
            .client
            .query(
                "SELECT dossier_id, first_second, standing FROM motcua_dossier_standings
                 ORDER BY dossier_id",
                &[],
            )
            .map_err(|e| self.backend(e))?;
        Ok(rows
            .iter()
            .map(|r| StandingRow {
                dossier_id: DossierId::new(r.get::<_, String>(0)),
                first_second: r.get(1),
                standing: r.get(2),
            })
            .collect())
    }
}
