//! Every dossier's standing in the store file (schema version 7, `motcua_store::standings`):
//! `dossier_standings` (one row per dossier, in the order dossiers were first written) and
//! `standings_head` (the position and context, one row). A store of an older schema opened
//! read-only has neither: it keeps no standings, and reports read its events; nor does a
//! store in memory keep them. Full reports read it through `DossierScan::scan_standings`
//! (`scan.rs`).

use crate::store::{to_i64, SqliteStore};
use motcua_core::DossierId;
use motcua_store::standings::{
    StandingRow, StandingTable, StandingsChange, StandingsHead, StandingsState,
};
use motcua_store::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// The table's position and context, if it has one, and its generation.
pub(crate) fn state_in(conn: &Connection) -> rusqlite::Result<StandingsState> {
    let row = conn
        .prepare_cached("SELECT position, context, generation FROM standings_head WHERE id = 1")?
        .query_row([], |r| {
            let position: Option<i64> = r.get(0)?;
            let context = r.get::<_, i64>(1)? as u64;
            Ok(StandingsState {
                head: position.map(|p| StandingsHead {
                    position: u64::try_from(p).unwrap_or(0),
                    context,
                }),
                generation: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            })
        })
        .optional()?;
    Ok(row.unwrap_or_default())
}

impl StandingTable for SqliteStore {
    /// A file of schema 7 or later. Not a store in memory: it has one connection, which a
    /// rebuild's scan holds while its rows are written (its reports read events).
    fn keeps_standings(&self) -> bool {
        self.schema_version() >= crate::schema::DOSSIER_STANDINGS_SINCE
            && self.path() != std::path::Path::new(":memory:")
    }

    fn standings_state(&self) -> StoreResult<StandingsState> {
        if !self.keeps_standings() {
            return Ok(StandingsState::default());
        }
        let conn = self.lease()?;
        state_in(&conn).map_err(|e| self.backend(e))
    }

    fn apply_standings(&self, change: &StandingsChange) -> StoreResult<()> {
        if !self.keeps_standings() {
            return Err(StoreError::Backend(
                "this store's schema keeps no standings; open it to write to migrate it".into(),
            ));
        }
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let found = state_in(&tx).map_err(db)?;
        change.check(found)?;
        if change.reset {
            tx.execute("DELETE FROM dossier_standings", [])
                .map_err(db)?;
            tx.execute(
                "INSERT OR REPLACE INTO standings_head (id, position, context, generation)
                 VALUES (1, NULL, 0, ?1)",
                params![to_i64(found.generation + 1)],
            )
            .map_err(db)?;
        }
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT INTO dossier_standings (dossier_id, first_second, standing)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (dossier_id) DO UPDATE
                     SET first_second = excluded.first_second, standing = excluded.standing",
                )
                .map_err(db)?;
            for row in &change.upserts {
                put.execute(params![
                    row.dossier_id.as_str(),
                    row.first_second,
                    row.standing.as_deref()
                ])
                .map_err(db)?;
            }
        }
        if let Some(head) = change.head {
            tx.execute(
                "UPDATE standings_head SET position = ?1, context = ?2 WHERE id = 1",
                params![to_i64(head.position), head.context as i64],
            )
            .map_err(db)?;
        }
        tx.commit().map_err(db)
    }

    fn standing_rows(&self) -> StoreResult<Vec<StandingRow>> {
        if !self.keeps_standings() {
            return Ok(Vec::new());
        }
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut stmt = conn
            .prepare_cached(
                "SELECT dossier_id, first_second, standing FROM dossier_standings ORDER BY rowid",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StandingRow {
                    dossier_id: DossierId::new(r.get::<_, String>(0)?),
                    first_second: r.get(1)?,
                    standing: r.get(2)?,
                })
            })
            .map_err(db)?;
        rows.collect::<rusqlite::Result<_>>().map_err(db)
    }
}
