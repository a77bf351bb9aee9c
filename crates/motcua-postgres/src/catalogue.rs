//! The catalogue kept in the store, so the store alone is enough to report from: numbered
//! records (`motcua_store::catalogue_records`), the latest being the store's catalogue.

use crate::error::PgError;
use crate::schema::{CATALOGUE_RECORDS_SINCE, CATALOGUE_SINCE};
use crate::store::PgStore;
use motcua_core::{Catalogue, DossierId};
use motcua_store::catalogue_records::{next_number, sha256_hex, CatalogueRecord, CatalogueRecords};
use motcua_store::{StoreError, StoreResult};
use postgres::types::Type;
use postgres::GenericClient;

/// Records `catalogue` on `client` (in its transaction, if one is open) as judging from
/// `from_position`, unless it is the latest record's catalogue (same bytes): returns the new
/// record's number, `None` when nothing was recorded.
pub(crate) fn record_catalogue_in(
    client: &mut impl GenericClient,
    catalogue: &Catalogue,
    from_position: u64,
) -> Result<Option<u64>, postgres::Error> {
    let body = motcua_io::write_catalogue(catalogue);
    let sha256 = sha256_hex(&body);
    let latest = client
        .query_opt(
            "SELECT number, sha256 FROM motcua_catalogue_records ORDER BY number DESC LIMIT 1",
            &[],
        )?
        .map(|row| {
            (
                u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
                row.get::<_, String>(1),
            )
        });
    let Some(number) = next_number(latest.as_ref().map(|(n, s)| (*n, s.as_str())), &sha256) else {
        return Ok(None);
    };
    client.execute(
        "INSERT INTO motcua_catalogue_records (number, sha256, from_position, body)
         VALUES ($1, $2, $3, $4)",
        &[&to_i64(number), &sha256, &to_i64(from_position), &body],
    )?;
    Ok(Some(number))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Computes the SHA-256 of the records the migration to [`CATALOGUE_RECORDS_SINCE`] made from
/// an older store's catalogue (left empty by its SQL).
pub(crate) fn hash_records(tx: &mut postgres::Transaction<'_>) -> Result<(), postgres::Error> {
    let rows = tx.query(
        "SELECT number, body FROM motcua_catalogue_records WHERE sha256 = ''",
        &[],
    )?;
    for row in rows {
        let (number, body): (i64, &str) = (row.get(0), row.get(1));
        tx.execute(
            "UPDATE motcua_catalogue_records SET sha256 = $2 WHERE number = $1",
            &[&number, &sha256_hex(body)],
        )?;
    }
    Ok(())
}

impl PgStore {
    /// Saves the procedure catalogue in the store, in a transaction of its own that holds the
    /// head row (appenders wait): recorded as a new catalogue record judging from the log's
    /// last position, unless it is the latest record's catalogue (then nothing changes). An
    /// import keeps its catalogue in its own transaction instead
    /// ([`motcua_store::ImportOptions::keep_catalogue`]).
    pub fn save_catalogue(&self, catalogue: &Catalogue) -> Result<(), PgError> {
        let mut conn = self.lease()?;
        let mut tx = conn.client.transaction().map_err(|e| self.error(e))?;
        let head: i64 = tx
            .query_one(
                "SELECT position FROM motcua_head WHERE id = 1 FOR UPDATE",
                &[],
            )
            .map_err(|e| self.error(e))?
            .get(0);
        let from = u64::try_from(head).unwrap_or(0);
        record_catalogue_in(&mut tx, catalogue, from).map_err(|e| self.error(e))?;
        tx.commit().map_err(|e| self.error(e))
    }

    /// The stored catalogue (the latest catalogue record), `None` if none was saved (or the
    /// store, opened read-only, is older than the catalogue table).
    ///
    /// ```no_run
    /// let url = std::env::var("MOTCUA_PG_URL")?;
    /// let store = motcua_postgres::PgStore::connect_read_only(&url, "motcua")?;
    /// if let Some(catalogue) = store.catalogue()? {
    ///     println!("{} procedures", catalogue.procedures().count());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn catalogue(&self) -> Result<Option<Catalogue>, PgError> {
        let body = if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            self.record_body(1)?
        } else {
            let mut conn = self.lease()?;
            let row = conn
                .client
                .query_typed_opt(
                    "SELECT number, sha256, body FROM motcua_catalogue_records
                      ORDER BY number DESC LIMIT 1",
                    &[],
                )
                .map_err(|e| self.error(e))?;
            self.checked(row)?
        };
        self.parse(body)
    }

    /// Catalogue record `number` (see [`CatalogueRecords`]), `None` if there is none.
    ///
    /// ```no_run
    /// use motcua_store::catalogue_records::CatalogueRecords;
    /// let url = std::env::var("MOTCUA_PG_URL")?;
    /// let store = motcua_postgres::PgStore::connect_read_only(&url, "motcua")?;
    /// for record in store.catalogue_records()? {
    ///     let catalogue = store.catalogue_record(record.number)?;
    ///     println!("record {} ({}…): {:?} procedures", record.number, record.short_sha256(),
    ///         catalogue.map(|c| c.procedures().count()));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn catalogue_record(&self, number: u64) -> Result<Option<Catalogue>, PgError> {
        let body = self.checked_record_body(number)?;
        self.parse(body)
    }

    fn parse(&self, body: Option<String>) -> Result<Option<Catalogue>, PgError> {
        body.map(|text| {
            motcua_io::read_catalogue(&text).map_err(|e| PgError::BadCatalogue {
                schema: self.schema().to_owned(),
                message: e.to_string(),
            })
        })
        .transpose()
    }

    /// Record `number`'s body; in a store older than [`CATALOGUE_RECORDS_SINCE`] (read as it
    /// is), its one catalogue is record 1, as the migration makes it.
    fn record_body(&self, number: u64) -> Result<Option<String>, PgError> {
        let version = self.schema_version();
        if version < CATALOGUE_SINCE || (version < CATALOGUE_RECORDS_SINCE && number != 1) {
            return Ok(None);
        }
        let mut conn = self.lease()?;
        let row = if version < CATALOGUE_RECORDS_SINCE {
            conn.client
                .query_typed_opt("SELECT body FROM motcua_catalogue WHERE id = 1", &[])
        } else {
            conn.client.query_typed_opt(
                "SELECT body FROM motcua_catalogue_records WHERE number = $1",
                &[(&to_i64(number), Type::INT8)],
            )
        };
        Ok(row.map_err(|e| self.error(e))?.map(|row| row.get(0)))
    }

    /// Record `number`'s body to judge with: checked against its recorded SHA-256.
    fn checked_record_body(&self, number: u64) -> Result<Option<String>, PgError> {
        if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            return self.record_body(number);
        }
        let mut conn = self.lease()?;
        let row = conn
            .client
            .query_typed_opt(
                "SELECT number, sha256, body FROM motcua_catalogue_records WHERE number = $1",
                &[(&to_i64(number), Type::INT8)],
            )
            .map_err(|e| self.error(e))?;
        self.checked(row)
    }

    /// The body of a catalogue record row (`number, sha256, body`), refused if it no longer
    /// hashes to its recorded SHA-256 (changed after it was written).
    fn checked(&self, row: Option<postgres::Row>) -> Result<Option<String>, PgError> {
        let Some(row) = row else {
            return Ok(None);
        };
        let bad = |message: String| PgError::ChangedCatalogue {
            schema: self.schema().to_owned(),
            message,
        };
        let number: i64 = row.try_get(0).map_err(|e| self.error(e))?;
        let recorded: String = row.try_get(1).map_err(|e| self.error(e))?;
        let body: String = row.try_get(2).map_err(|e| self.error(e))?;
        motcua_store::catalogue_records::check_body(number, &recorded, body)
            .map(Some)
            .map_err(bad)
    }

    fn error(&self, source: postgres::Error) -> PgError {
        PgError::Postgres {
            schema: self.schema().to_owned(),
            source,
        }
    }

    /// A [`PgError`] as a store error.
    fn store_error(&self, e: PgError) -> StoreError {
        match e {
            PgError::Postgres { source, .. } => self.backend(source),
            PgError::Store(e) => e,
            other => StoreError::Backend(other.to_string()),
        }
    }
}

impl CatalogueRecords for PgStore {
    /// In a store older than schema version 6 (opened read-only, not migrated), its one
    /// catalogue as record 1 from position 0, as the migration would record it.
    fn catalogue_records(&self) -> StoreResult<Vec<CatalogueRecord>> {
        if self.schema_version() < CATALOGUE_RECORDS_SINCE {
            let body = self.record_body(1).map_err(|e| self.store_error(e))?;
            return Ok(body
                .map(|body| CatalogueRecord::of_body(1, 0, &body))
                .into_iter()
                .collect());
        }
        let mut conn = self.lease()?;
        let rows = conn
            .client
            .query_typed(
                "SELECT number, sha256, from_position, octet_length(body)::bigint
                   FROM motcua_catalogue_records ORDER BY number",
                &[],
            )
            .map_err(|e| self.backend(e))?;
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(rows
            .iter()
            .map(|row| CatalogueRecord {
                number: n(row.get(0)),
                sha256: row.get(1),
                from_position: n(row.get(2)),
                size: n(row.get(3)),
            })
            .collect())
    }

    fn catalogue_record_body(&self, number: u64) -> StoreResult<Option<String>> {
        self.record_body(number).map_err(|e| self.store_error(e))
    }

    fn first_position(&self, dossier: &DossierId) -> StoreResult<Option<u64>> {
        let mut conn = self.lease()?;
        let row = conn
            .client
            .query_typed_opt(
                "SELECT position FROM motcua_events WHERE dossier_id = $1
                  ORDER BY sequence LIMIT 1",
                &[(&dossier.as_str(), Type::TEXT)],
            )
            .map_err(|e| self.backend(e))?;
        Ok(row.map(|row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0)))
    }
}
