//! The open-dossier projection in the store's schema (version 3): `motcua_open_dossiers` (one
//! row per open dossier, indexed by unit), `motcua_open_alarms` (alarm instants in Unix
//! seconds, the primary key's order is time) and `motcua_open_head` (the position, one row).
//! Since version 5, `motcua_open_standings` keeps each open dossier's standing, by unit.
//! A store of an older version opened read-only reads as a projection never built (or, at
//! versions 3 and 4, one without standings). Changes go
//! in one transaction of array statements (`unnest`), a few round trips whatever their size.

use crate::schema::{OPEN_DOSSIERS_SINCE, STANDINGS_SINCE};
use crate::store::{to_i64, PgStore};
use motcua_core::{DossierId, UnitId};
use motcua_store::open_dossiers::{
    columns, decode_events_shared, encode_events, OpenChange, OpenDossier, OpenDossierTable,
    OpenHead, Page, RowAlarms, Selection, StoredStanding,
};
use motcua_store::{StoreError, StoreResult};
use postgres::types::{ToSql, Type};
use postgres::Row;
use std::collections::BTreeMap;
use time::OffsetDateTime;

impl PgStore {
    /// The rows a query selects, with their alarms if asked (one more query for all of them).
    fn select_rows(
        &self,
        sql: &str,
        bind: &[(&(dyn ToSql + Sync), Type)],
        with_alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        if self.schema_version() < OPEN_DOSSIERS_SINCE {
            return Ok(Vec::new());
        }
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let rows: Vec<Row> = conn.client.query_typed(sql, bind).map_err(db)?;
        let ids: Vec<String> = rows.iter().map(|r| r.get::<_, String>(0)).collect();
        let mut alarms: BTreeMap<String, Vec<OffsetDateTime>> = BTreeMap::new();
        let alarm_rows = match with_alarms {
            RowAlarms::Omitted => Vec::new(),
            RowAlarms::Included => conn
                .client
                .query_typed(
                    "SELECT dossier_id, at FROM motcua_open_alarms WHERE dossier_id = ANY($1)
                     ORDER BY dossier_id, at",
                    &[(&ids, Type::TEXT_ARRAY)],
                )
                .map_err(db)?,
        };
        for row in alarm_rows {
            let (id, at): (String, i64) = (row.get(0), row.get(1));
            let at = columns::alarm(&id, at)?;
            alarms.entry(id).or_default().push(at);
        }
        let mut decoder = motcua_store::codec::compact::Decoder::default();
        rows.iter()
            .map(|row| {
                let id: String = row.get(0);
                let status: i16 = row.get(2);
                let status = columns::status(&id, i64::from(status))?;
                let events = decode_events_shared(&mut decoder, &id, row.get::<_, &[u8]>(3))?;
                Ok(OpenDossier {
                    alarms: alarms.remove(&id).unwrap_or_default(),
                    dossier_id: DossierId::new(id),
                    unit: UnitId::new(row.get::<_, String>(1)),
                    status,
                    events,
                    standing: None,
                })
            })
            .collect()
    }

    /// The standings a query selects: `(dossier, standing)` rows.
    fn select_standings(
        &self,
        sql: &str,
        bind: &[(&(dyn ToSql + Sync), Type)],
    ) -> StoreResult<motcua_store::open_dossiers::StandingRows> {
        let mut conn = self.lease()?;
        let rows: Vec<Row> = conn
            .client
            .query_typed(sql, bind)
            .map_err(|e| self.backend(e))?;
        Ok(rows
            .iter()
            .map(|row| {
                let id = DossierId::new(row.get::<_, &str>(0));
                // Decoded by the reader's judging side; one that does not decode is derived
                // data gone wrong, and the dossier is judged from its events instead.
                let standing = row
                    .get::<_, Option<&[u8]>>(1)
                    .map(|bytes| StoredStanding(bytes.to_vec()));
                (id, standing)
            })
            .collect())
    }
}

impl OpenDossierTable for PgStore {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        if self.schema_version() < OPEN_DOSSIERS_SINCE {
            return Ok(None);
        }
        let mut conn = self.lease()?;
        let row = conn
            .client
            .query_typed_opt(
                "SELECT position, context, latest FROM motcua_open_head WHERE id = 1",
                &[],
            )
            .map_err(|e| self.backend(e))?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (position, context, latest): (i64, i64, Option<i64>) =
            (row.get(0), row.get(1), row.get(2));
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
                let units: Vec<&str> = units.iter().map(UnitId::as_str).collect();
                self.select_rows(
                    "SELECT dossier_id, unit, status, events FROM motcua_open_dossiers
                     WHERE unit = ANY($1) ORDER BY dossier_id",
                    &[(&units, Type::TEXT_ARRAY)],
                    alarms,
                )
            }
            Selection::Ringing { after, until } => self.select_rows(
                "SELECT dossier_id, unit, status, events FROM motcua_open_dossiers
                 WHERE dossier_id IN (SELECT dossier_id FROM motcua_open_alarms
                                      WHERE at > $1 AND at <= $2)
                 ORDER BY dossier_id",
                &[
                    (&after.unix_timestamp(), Type::INT8),
                    (&until.unix_timestamp(), Type::INT8),
                ],
                alarms,
            ),
            Selection::All => self.select_rows(
                "SELECT dossier_id, unit, status, events FROM motcua_open_dossiers ORDER BY dossier_id",
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
        if self.schema_version() < STANDINGS_SINCE {
            return Ok(None);
        }
        let after = page.after.map(DossierId::as_str);
        let limit = page.sql_limit();
        // `filter` with its parameters bound, then the page's: the rows whose `key` (columns
        // of an index, the last the dossier id) comes after the page's dossier (`lead`: the
        // parameters that stand for the key's other columns), in the key's order, at most its
        // limit (none: `LIMIT ALL`).
        let query = |filter: &str, bind: &[(&(dyn ToSql + Sync), Type)], key: &str, lead: &str| {
            let mut sql =
                format!("SELECT dossier_id, standing FROM motcua_open_standings WHERE {filter}");
            let mut bind = bind.to_vec();
            if let Some(after) = &after {
                bind.push((after, Type::TEXT));
                sql.push_str(&format!(" AND ({key}) > ({lead}${})", bind.len()));
            }
            sql.push_str(&format!(" ORDER BY {key}"));
            if limit >= 0 {
                bind.push((&limit, Type::INT8));
                sql.push_str(&format!(" LIMIT ${}", bind.len()));
            }
            self.select_standings(&sql, &bind)
        };
        let rows = match selection {
            // One unit's rows, in order from its index (unit, dossier_id). Asked as a range of
            // one unit and in the index's own order, so that no other plan gives them in order:
            // asked `unit = $1 ORDER BY dossier_id`, the planner walked the primary key (the
            // table is in id order) and read past the rows of every other unit, page after
            // page (docs/standings.md, "A unit's standings on PostgreSQL").
            Selection::Units([unit]) => query(
                "unit >= $1 AND unit <= $1",
                &[(&unit.as_str(), Type::TEXT)],
                "unit, dossier_id",
                "$1, ",
            )?,
            // Several units' are merged.
            Selection::Units(units) => {
                let units: Vec<&str> = units.iter().map(UnitId::as_str).collect();
                query(
                    "unit = ANY($1)",
                    &[(&units, Type::TEXT_ARRAY)],
                    "dossier_id",
                    "",
                )?
            }
            Selection::Ringing { after, until } => query(
                "dossier_id IN (SELECT dossier_id FROM motcua_open_alarms
                                 WHERE at > $1 AND at <= $2)",
                &[
                    (&after.unix_timestamp(), Type::INT8),
                    (&until.unix_timestamp(), Type::INT8),
                ],
                "dossier_id",
                "",
            )?,
            Selection::All => query("TRUE", &[], "dossier_id", "")?,
        };
        Ok(Some(rows))
    }

    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        if self.schema_version() < OPEN_DOSSIERS_SINCE {
            return Err(StoreError::Backend(format!(
                "schema {}: the store is older than the open-dossier projection; open it for writing once to migrate it",
                self.schema()
            )));
        }
        let mut conn = self.lease()?;
        let db = |e| self.backend(e);
        let mut tx = conn.client.transaction().map_err(db)?;
        let found: Option<i64> = tx
            .query_opt(
                "SELECT position FROM motcua_open_head WHERE id = 1 FOR UPDATE",
                &[],
            )
            .map_err(db)?
            .map(|r| r.get(0));
        change.check_position(found.map(|p| u64::try_from(p).unwrap_or(0)))?;
        if change.reset {
            tx.batch_execute(
                "DELETE FROM motcua_open_dossiers; DELETE FROM motcua_open_alarms;
                 DELETE FROM motcua_open_standings;",
            )
            .map_err(db)?;
        }
        let gone: Vec<&str> = change
            .removals
            .iter()
            .chain(change.upserts.iter().map(|r| &r.dossier_id))
            .map(DossierId::as_str)
            .collect();
        if !change.reset && !gone.is_empty() {
            tx.execute(
                "DELETE FROM motcua_open_alarms WHERE dossier_id = ANY($1)",
                &[&gone],
            )
            .map_err(db)?;
            let removed: Vec<&str> = change.removals.iter().map(DossierId::as_str).collect();
            tx.execute(
                "DELETE FROM motcua_open_dossiers WHERE dossier_id = ANY($1)",
                &[&removed],
            )
            .map_err(db)?;
            tx.execute(
                "DELETE FROM motcua_open_standings WHERE dossier_id = ANY($1)",
                &[&removed],
            )
            .map_err(db)?;
        }
        // In slices, so no statement's arrays grow past what a message carries comfortably.
        for rows in change.upserts.chunks(10_000) {
            let ids: Vec<&str> = rows.iter().map(|r| r.dossier_id.as_str()).collect();
            let units: Vec<&str> = rows.iter().map(|r| r.unit.as_str()).collect();
            let statuses: Vec<i16> = rows
                .iter()
                .map(|r| i16::from(r.status.national_code()))
                .collect();
            let events: Vec<Vec<u8>> = rows.iter().map(|r| encode_events(&r.events)).collect();
            tx.execute(
                "INSERT INTO motcua_open_dossiers (dossier_id, unit, status, events)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::bytea[])
                 ON CONFLICT (dossier_id) DO UPDATE
                 SET unit = excluded.unit, status = excluded.status, events = excluded.events",
                &[&ids, &units, &statuses, &events],
            )
            .map_err(db)?;
            let standings: Vec<Option<Vec<u8>>> = rows
                .iter()
                .map(|r| r.stored_standing().map(|s| s.0))
                .collect();
            tx.execute(
                "INSERT INTO motcua_open_standings (dossier_id, unit, standing)
                 SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
                 ON CONFLICT (dossier_id) DO UPDATE
                 SET unit = excluded.unit, standing = excluded.standing",
                &[&ids, &units, &standings],
            )
            .map_err(db)?;
            let (mut at, mut of): (Vec<i64>, Vec<&str>) = (Vec::new(), Vec::new());
            for row in rows {
                for alarm in &row.alarms {
                    at.push(alarm.unix_timestamp());
                    of.push(row.dossier_id.as_str());
                }
            }
            tx.execute(
                "INSERT INTO motcua_open_alarms (at, dossier_id)
                 SELECT * FROM unnest($1::bigint[], $2::text[]) ON CONFLICT DO NOTHING",
                &[&at, &of],
            )
            .map_err(db)?;
        }
        match change.head {
            Some(head) => {
                let latest = head.latest_occurred_at.map(columns::nanos).transpose()?;
                tx.execute(
                    "INSERT INTO motcua_open_head (id, position, context, latest)
                     VALUES (1, $1, $2, $3)
                     ON CONFLICT (id) DO UPDATE SET position = excluded.position,
                         context = excluded.context, latest = excluded.latest",
                    &[&to_i64(head.position), &(head.context as i64), &latest],
                )
                .map_err(db)?;
            }
            None => {
                tx.execute("DELETE FROM motcua_open_head", &[])
                    .map_err(db)?;
            }
        }
        tx.commit().map_err(db)
    }
}
