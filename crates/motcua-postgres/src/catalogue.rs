//! The catalogue kept in the store, so the store alone is enough to report from.

use crate::error::PgError;
use crate::store::PgStore;
use motcua_core::Catalogue;
use postgres::Client;

/// Writes `catalogue` as the store's, replacing any, on `client` (in its transaction, if one
/// is open).
pub(crate) fn write_catalogue_in(
    client: &mut Client,
    catalogue: &Catalogue,
) -> Result<(), postgres::Error> {
    client.execute(
        "INSERT INTO motcua_catalogue (id, body) VALUES (1, $1)
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        &[&motcua_io::write_catalogue(catalogue)],
    )?;
    Ok(())
}

impl PgStore {
    /// Saves the procedure catalogue in the store, replacing any, in a transaction of its own.
    /// An import keeps its catalogue in its own transaction instead
    /// ([`motcua_store::ImportOptions::keep_catalogue`]).
    pub fn save_catalogue(&self, catalogue: &Catalogue) -> Result<(), PgError> {
        let mut conn = self.lease()?;
        write_catalogue_in(&mut conn.client, catalogue).map_err(|e| self.error(e))
    }

    /// The stored catalogue, `None` if none was saved (or the store, opened read-only, is
    /// older than the catalogue table).
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
        if self.schema_version() < crate::schema::CATALOGUE_SINCE {
            return Ok(None);
        }
        let mut conn = self.lease()?;
        let row = conn
            .client
            .query_opt("SELECT body FROM motcua_catalogue WHERE id = 1", &[])
            .map_err(|e| self.error(e))?;
        row.map(|row| {
            motcua_io::read_catalogue(row.get(0)).map_err(|e| PgError::BadCatalogue {
                schema: self.schema().to_owned(),
                message: e.to_string(),
            })
        })
        .transpose()
    }

    fn error(&self, source: postgres::Error) -> PgError {
        PgError::Postgres {
            schema: self.schema().to_owned(),
            source,
        }
    }
}
