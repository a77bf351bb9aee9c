//! The catalogue kept in the store, as numbered records (`motcua_store::catalogue_records`):
//! the latest is the store's catalogue, the others say which catalogue was in force when.

use crate::error::SqliteError;
use crate::schema::CATALOGUE_RECORDS_SINCE;
use crate::store::{last_position_in, to_i64, SqliteStore};
use motcua_core::{Catalogue, DossierId};
use motcua_store::catalogue_records::{next_number, sha256_hex, CatalogueRecord, CatalogueRecords};
use motcua_store::{StoreError, StoreResult};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

/// Records `catalogue` on `conn` (in its transaction, if one is open) as judging from
/// `from_position`, unless it is the latest record's catalogue (same bytes): returns the new
/// record's number, `None` when nothing was recorded.
pub(crate) fn record_catalogue_in(
    conn: &Connection,
    catalogue: &Catalogue,
    from_position: u64,
) -> rusqlite::Result<Option<u64>> {
    let body = motcua_io::write_catalogue(catalogue);
    let sha256 = sha256_hex(&body);
    let latest: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT number, sha256 FROM catalogue_records ORDER BY number DESC LIMIT 1",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let latest = latest.map(|(n, sha)| (u64::try_from(n).unwrap_or(0), sha));
    let Some(number) = next_number(latest.as_ref().map(|(n, s)| (*n, s.as_str())), &sha256) else {
        return Ok(None);
    };
    conn.prepare_cached(
        "INSERT INTO catalogue_records (number, sha256, from_position, body) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![to_i64(number), sha256, to_i64(from_position), body])?;
    Ok(Some(number))
}

/// Computes the SHA-256 of the records the migration to [`CATALOGUE_RECORDS_SINCE`] made from
/// an older store's catalogue (left empty by its SQL).
pub(crate) fn hash_records(tx: &Connection) -> rusqlite::Result<()> {
    let unhashed: Vec<(i64, String)> = tx
        .prepare("SELECT number, body FROM catalogue_records WHERE sha256 = ''")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (number, body) in unhashed {
        tx.execute(
            "UPDATE catalogue_records SET sha256 = ?2 WHERE number = ?1",
            params![number, sha256_hex(&body)],
        )?;
    }
    Ok(())
}

impl SqliteStore {
    /// Saves the procedure catalogue in the store, in a transaction of its own: recorded as a
    /// new catalogue record judging from the log's last position, unless it is the latest
    /// record's catalogue (then nothing changes). An import keeps its catalogue in its own
    /// transaction instead ([`motcua_store::ImportOptions::keep_catalogue`]).
    ///
    /// ```
    /// use motcua_store::catalogue_records::CatalogueRecords;
    /// let store = motcua_sqlite::SqliteStore::open_in_memory()?;
    /// let catalogue = motcua_core::Catalogue::default();
    /// store.save_catalogue(&catalogue)?;
    /// store.save_catalogue(&catalogue)?; // the same bytes: no new record
    /// assert_eq!(store.catalogue_records()?.len(), 1);
    /// assert_eq!(store.catalogue()?, Some(catalogue));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save_catalogue(&self, catalogue: &Catalogue) -> Result<(), SqliteError> {
        let mut conn = self.lease().map_err(|e| self.bad_catalogue(e))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.sqlite(e))?;
        let from = last_position_in(&tx).map_err(|e| self.sqlite(e))?;
        record_catalogue_in(&tx, catalogue, from).map_err(|e| self.sqlite(e))?;
        tx.commit().map_err(|e| self.sqlite(e))
    }

    /// The stored catalogue (the latest catalogue record), `None` if none was saved.
    pub fn catalogue(&self) -> Result<Option<Catalogue>, SqliteError> {
        let body = if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            self.record_body(1)?
        } else {
            self.checked_body(
                "SELECT number, sha256, body FROM catalogue_records ORDER BY number DESC LIMIT 1",
                [],
            )?
        };
        self.parse(body)
    }

    /// Catalogue record `number` (see [`CatalogueRecords`]), `None` if there is none.
    ///
    /// ```
    /// use motcua_store::catalogue_records::CatalogueRecords;
    /// let store = motcua_sqlite::SqliteStore::open_in_memory()?;
    /// store.save_catalogue(&motcua_core::Catalogue::default())?;
    /// assert_eq!(store.catalogue_record(1)?, Some(motcua_core::Catalogue::default()));
    /// assert_eq!(store.catalogue_record(2)?, None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn catalogue_record(&self, number: u64) -> Result<Option<Catalogue>, SqliteError> {
        let body = self.checked_record_body(number)?;
        self.parse(body)
    }

    fn parse(&self, body: Option<String>) -> Result<Option<Catalogue>, SqliteError> {
        body.map(|text| motcua_io::read_catalogue(&text).map_err(|e| self.bad_catalogue(e)))
            .transpose()
    }

    fn bad_catalogue(&self, e: impl std::fmt::Display) -> SqliteError {
        SqliteError::BadCatalogue {
            path: self.path().to_owned(),
            message: e.to_string(),
        }
    }

    /// The body `sql` selects with `params`, if any.
    fn body_of(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<String>, SqliteError> {
        let conn = self.lease().map_err(|e| self.bad_catalogue(e))?;
        conn.prepare_cached(sql)
            .and_then(|mut s| s.query_row(params, |r| r.get(0)).optional())
            .map_err(|e| self.sqlite(e))
    }

    /// The body of the record `sql` selects (`number, sha256, body`) with `params`, if any,
    /// refused if it no longer hashes to its recorded SHA-256: a catalogue changed after it
    /// was written would judge every dossier by limits nobody recorded.
    fn checked_body(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> Result<Option<String>, SqliteError> {
        let conn = self.lease().map_err(|e| self.bad_catalogue(e))?;
        let row: Option<(i64, String, String)> = conn
            .prepare_cached(sql)
            .and_then(|mut s| {
                s.query_row(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.sqlite(e))?;
        row.map(|(number, recorded, body)| {
            motcua_store::catalogue_records::check_body(number, &recorded, body).map_err(
                |message| SqliteError::ChangedCatalogue {
                    path: self.path().to_owned(),
                    message,
                },
            )
        })
        .transpose()
    }

    /// Record `number`'s body as stored (`motcua verify` compares it with its hash itself);
    /// in a store older than [`CATALOGUE_RECORDS_SINCE`] (read as it is), its one catalogue is
    /// record 1, as the migration makes it.
    fn record_body(&self, number: u64) -> Result<Option<String>, SqliteError> {
        let sql = if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            "SELECT body FROM catalogue WHERE id = ?1"
        } else {
            "SELECT body FROM catalogue_records WHERE number = ?1"
        };
        self.body_of(sql, params![to_i64(number)])
    }

    /// Record `number`'s body to judge with: checked against its recorded SHA-256.
    fn checked_record_body(&self, number: u64) -> Result<Option<String>, SqliteError> {
        if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            return self.record_body(number);
        }
        self.checked_body(
            "SELECT number, sha256, body FROM catalogue_records WHERE number = ?1",
            params![to_i64(number)],
        )
    }

    /// A [`SqliteError`] as a store error.
    fn store_error(&self, e: SqliteError) -> StoreError {
        match e {
            SqliteError::Sqlite { source, .. } => self.backend(source),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

impl CatalogueRecords for SqliteStore {
    /// In a store older than schema version 5 (opened read-only, not migrated), its one
    /// catalogue as record 1 from position 0, as the migration would record it.
    fn catalogue_records(&self) -> StoreResult<Vec<CatalogueRecord>> {
        if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            return Ok(self
                .record_body(1)
                .map_err(|e| self.store_error(e))?
                .map(|body| CatalogueRecord::of_body(1, 0, &body))
                .into_iter()
                .collect());
        }
        let conn = self.lease()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT number, sha256, from_position, length(CAST(body AS BLOB))
                   FROM catalogue_records ORDER BY number",
            )
            .map_err(|e| self.backend(e))?;
        let rows = stmt
            .query_map([], |r| {
                let n = |i| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or(0));
                Ok(CatalogueRecord {
                    number: n(0)?,
                    sha256: r.get(1)?,
                    from_position: n(2)?,
                    size: n(3)?,
                })
            })
            .map_err(|e| self.backend(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.backend(e))
    }

    fn catalogue_record_body(&self, number: u64) -> StoreResult<Option<String>> {
        self.record_body(number).map_err(|e| self.store_error(e))
    }

    fn first_position(&self, dossier: &DossierId) -> StoreResult<Option<u64>> {
        let conn = self.lease()?;
        let position: Option<i64> = conn
            .prepare_cached(
                "SELECT position FROM events WHERE dossier_id = ?1 ORDER BY sequence LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![dossier.as_str()], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.backend(e))?;
        Ok(position.map(|p| u64::try_from(p).unwrap_or(0)))
    }
}
