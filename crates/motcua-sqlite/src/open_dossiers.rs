//! The open-dossier projection in the store file (schema version 2): `open_dossiers` (one row
//! per open dossier, indexed by unit), `open_alarms` (alarm instants in Unix seconds, the
//! primary key's order is time) and `open_head` (the position, one row); since version 4,
//! `open_standings` (each open dossier's standing, clustered by unit). A store of schema
//! version 1 opened read-only has none of them: it reads as a projection never built; one of
//! version 2 or 3 reads without standings.

use crate::store::{to_i64, SqliteStore};
use motcua_core::{DossierId, UnitId};
use motcua_store::open_dossiers::{
    columns, decode_events_shared, encode_events, OpenChange, OpenDossier, OpenDossierTable,
    OpenHead, Page, RowAlarms, Selection, StoredStanding,
};
use motcua_store::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

impl SqliteStore {
    /// Whether the file has the projection's tables (schema version 2 or later).
    fn has_open_tables(&self, conn: &Connection) -> StoreResult<bool> {
        conn.prepare_cached("SELECT count(*) FROM sqlite_master WHERE name = 'open_head'")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
            .map(|n| n > 0)
            .map_err(|e| self.backend(e))
    }

    /// The rows a query selects (its first parameter list bound), with their alarms if asked.
    fn select_rows(
        &self,
        sql: &str,
        bind: &[&dyn rusqlite::ToSql],
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        let conn = self.lease()?;
        if !self.has_open_tables(&conn)? {
            return Ok(Vec::new());
        }
        let db = |e| self.backend(e);
        let sql = match alarms {
            // One statement: each chosen row with its alarm instants, ascending, in one list.
            RowAlarms::Included => format!(
                "SELECT c.dossier_id, c.unit, c.status, c.events,
                        (SELECT group_concat(at) FROM
                            (SELECT at FROM open_alarms a WHERE a.dossier_id = c.dossier_id ORDER BY at))
                 FROM ({sql}) c ORDER BY c.dossier_id"
            ),
            RowAlarms::Omitted => format!(
                "SELECT c.dossier_id, c.unit, c.status, c.events, NULL FROM ({sql}) c ORDER BY c.dossier_id"
            ),
        };
        let mut stmt = conn.prepare_cached(&sql).map_err(db)?;
        let mut rows = stmt.query(bind).map_err(db)?;
        let mut decoder = motcua_store::codec::compact::Decoder::default();
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db)? {
            let id: String = row.get(0).map_err(db)?;
            let status = columns::status(&id, row.get(2).map_err(db)?)?;
            let events = row.get_ref(3).and_then(|v| Ok(v.as_blob()?)).map_err(db)?;
            let events = decode_events_shared(&mut decoder, &id, events)?;
            let at: Option<String> = row.get(4).map_err(db)?;
            let alarms = at
                .as_deref()
                .unwrap_or("")
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    let seconds = s.parse::<i64>().map_err(|e| {
                        StoreError::Backend(format!("an alarm of {id} is not a number: {e}"))
                    })?;
                    columns::alarm(&id, seconds)
                })
                .collect::<StoreResult<_>>()?;
            out.push(OpenDossier {
                unit: UnitId::new(row.get::<_, String>(1).map_err(db)?),
                dossier_id: DossierId::new(id),
                status,
                events,
                alarms,
                standing: None,
            });
        }
        Ok(out)
    }
}

impl SqliteStore {
    /// The standings a query selects (its parameters bound): `(dossier, standing)` rows.
    fn select_standings(
        &self,
        sql: &str,
        bind: &[&dyn rusqlite::ToSql],
        out: &mut motcua_store::open_dossiers::StandingRows,
    ) -> StoreResult<()> {
        let conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut stmt = conn.prepare_cached(sql).map_err(db)?;
        let mut rows = stmt.query(bind).map_err(db)?;
        while let Some(row) = rows.next().map_err(db)? {
            let id = row.get_ref(0).and_then(|v| Ok(v.as_str()?)).map_err(db)?;
            let id = DossierId::new(id);
            // A standing that is not bytes is derived data gone wrong: the reader judges the
            // dossier's events instead (as it does a standing that does not decode), which are
            // checked as every read checks them.
            let standing = match row.get_ref(1).map_err(db)? {
                rusqlite::types::ValueRef::Blob(bytes) => Some(StoredStanding(bytes.to_vec())),
                _ => None,
            };
            out.push((id, standing));
        }
        Ok(())
    }
}

/// The head row of the projection, if any.
fn head_in(conn: &Connection) -> rusqlite::Result<Option<(i64, i64, Option<i64>)>> {
    conn.prepare_cached("SELECT position, context, latest FROM open_head WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
}

impl OpenDossierTable for SqliteStore {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        let conn = self.lease()?;
        if !self.has_open_tables(&conn)? {
            return Ok(None);
        }
        let Some((position, context, latest)) = head_in(&conn).map_err(|e| self.backend(e))? else {
            return Ok(None);
        };
        let latest = latest.map(columns::from_nanos).transpose()?;
        Ok(Some(OpenHead {
            position: u64::try_from(position).unwrap_or(0),
            context: context as u64,
            latest_occurred_at: latest,
        }))
    }

    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        match selection {
            Selection::Units(units) => {
                let mut rows = Vec::new();
                for unit in units {
                    rows.extend(self.select_rows(
                        "SELECT dossier_id, unit, status, events FROM open_dossiers
                         WHERE unit = ?1 ORDER BY dossier_id",
                        &[&unit.as_str()],
                        alarms,
                    )?);
                }
                rows.sort_by(|a, b| a.dossier_id.cmp(&b.dossier_id));
                Ok(rows)
            }
            Selection::Ringing { after, until } => self.select_rows(
                "SELECT dossier_id, unit, status, events FROM open_dossiers
                 WHERE dossier_id IN (SELECT dossier_id FROM open_alarms WHERE at > ?1 AND at <= ?2)
                 ORDER BY dossier_id",
                &[&after.unix_timestamp(), &until.unix_timestamp()],
                alarms,
            ),
            Selection::All => self.select_rows(
                "SELECT dossier_id, unit, status, events FROM open_dossiers ORDER BY dossier_id",
                &[],
                alarms,
            ),
        }
    }

    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: Page<'_>,
    ) -> StoreResult<Option<motcua_store::open_dossiers::StandingRows>> {
        if !self.has_standings() {
            return Ok(None);
        }
        let after = page.after.map(DossierId::as_str);
        let limit = page.sql_limit();
        // A page's room at once, not grown (and copied) row by row.
        let mut out = Vec::with_capacity(page.limit.min(1024));
        // `filter` with its parameters bound, then the page's: the rows after its dossier, in
        // `order` (which the index serves), at most its limit.
        let mut query = |filter: &str, order: &str, bind: &[&dyn rusqlite::ToSql]| {
            let mut sql = format!("SELECT dossier_id, standing FROM open_standings WHERE {filter}");
            let mut bind = bind.to_vec();
            if let Some(after) = &after {
                bind.push(after);
                sql.push_str(&format!(" AND dossier_id > ?{}", bind.len()));
            }
            bind.push(&limit);
            sql.push_str(&format!(" ORDER BY {order} LIMIT ?{}", bind.len()));
            self.select_standings(&sql, &bind, &mut out)
        };
        match selection {
            Selection::Units(units) => {
                // Each unit's first rows after the page's dossier; their merge's first rows.
                for unit in units {
                    query("unit = ?1", "unit, dossier_id", &[&unit.as_str()])?;
                }
                if units.len() > 1 {
                    out.sort_by(|a, b| a.0.cmp(&b.0));
                    out.truncate(page.limit);
                }
            }
            Selection::Ringing { after, until } => query(
                "dossier_id IN (SELECT dossier_id FROM open_alarms WHERE at > ?1 AND at <= ?2)",
                "dossier_id",
                &[&after.unix_timestamp(), &until.unix_timestamp()],
            )?,
            Selection::All => query("1", "dossier_id", &[])?,
        }
        Ok(Some(out))
    }

    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let found = head_in(&tx)
            .map_err(db)?
            .map(|(p, _, _)| u64::try_from(p).unwrap_or(0));
        change.check_position(found)?;
        if change.reset {
            tx.execute_batch(
                "DELETE FROM open_dossiers; DELETE FROM open_alarms; DELETE FROM open_standings;",
            )
            .map_err(db)?;
        }
        {
            let mut drop_row = tx
                .prepare_cached("DELETE FROM open_dossiers WHERE dossier_id = ?1")
                .map_err(db)?;
            let mut drop_alarms = tx
                .prepare_cached("DELETE FROM open_alarms WHERE dossier_id = ?1")
                .map_err(db)?;
            let mut put_row = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO open_dossiers (dossier_id, unit, status, events)
                     VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(db)?;
            let mut drop_standing = tx
                .prepare_cached("DELETE FROM open_standings WHERE dossier_id = ?1")
                .map_err(db)?;
            let mut put_standing = tx
                .prepare_cached(
                    "INSERT INTO open_standings (unit, dossier_id, standing) VALUES (?1, ?2, ?3)",
                )
                .map_err(db)?;
            let mut put_alarm = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO open_alarms (at, dossier_id) VALUES (?1, ?2)",
                )
                .map_err(db)?;
            for id in &change.removals {
                drop_row.execute(params![id.as_str()]).map_err(db)?;
                drop_alarms.execute(params![id.as_str()]).map_err(db)?;
                drop_standing.execute(params![id.as_str()]).map_err(db)?;
            }
            for row in &change.upserts {
                let id = row.dossier_id.as_str();
                if !change.reset {
                    drop_alarms.execute(params![id]).map_err(db)?;
                    drop_standing.execute(params![id]).map_err(db)?;
                }
                let standing = row.stored_standing().map(|s| s.0);
                put_standing
                    .execute(params![row.unit.as_str(), id, standing])
                    .map_err(db)?;
                put_row
                    .execute(params![
                        id,
                        row.unit.as_str(),
                        row.status.national_code(),
                        encode_events(&row.events)
                    ])
                    .map_err(db)?;
                for at in &row.alarms {
                    put_alarm
                        .execute(params![at.unix_timestamp(), id])
                        .map_err(db)?;
                }
            }
        }
        match change.head {
            Some(head) => {
                let latest = head.latest_occurred_at.map(columns::nanos).transpose()?;
                tx.execute(
                    "INSERT OR REPLACE INTO open_head (id, position, context, latest)
                     VALUES (1, ?1, ?2, ?3)",
                    params![to_i64(head.position), head.context as i64, latest],
                )
                .map_err(db)?;
            }
            None => {
                tx.execute("DELETE FROM open_head", []).map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }
}
