//! [`AnyStore`] as a store of either kind: the event log, the open-dossier projection and the
//! catalogue records, handed to the one it holds.

use crate::data::AnyStore;
use crate::error::CliError;
use motcua_core::{DossierId, Event};
use motcua_store::catalogue_records::{CatalogueRecord, CatalogueRecords};
use motcua_store::open_dossiers::{
    OpenChange, OpenDossier, OpenDossierTable, OpenHead, RowAlarms, Selection,
};
use motcua_store::standings::{
    StandingRead, StandingRow, StandingTable, StandingsChange, StandingsState,
};
use motcua_store::{
    Appended, DossierRange, DossierScan, EventStore, ImportSession, StoreError, StoreResult,
    StoredEvent, StreamBatch,
};

/// Calls `$call` on the store `$store` holds, whichever kind it is.
macro_rules! each {
    ($store:expr, $s:ident => $call:expr) => {
        match $store {
            AnyStore::Sqlite($s) => $call,
            AnyStore::Postgres($s) => $call,
        }
    };
}

impl EventStore for AnyStore {
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        each!(self, s => s.append_streams(batches))
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        each!(self, s => s.read_stream(dossier))
    }
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        each!(self, s => s.read_all(from_position, limit))
    }
    fn last_position(&self) -> StoreResult<u64> {
        each!(self, s => s.last_position())
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        each!(self, s => s.stream_version(dossier))
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        each!(self, s => s.dossier_ids())
    }
    fn begin_import(&self) -> StoreResult<Box<dyn ImportSession + '_>> {
        each!(self, s => s.begin_import())
    }
}

impl OpenDossierTable for AnyStore {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        each!(self, s => s.open_head())
    }
    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        each!(self, s => s.open_rows(selection, alarms))
    }
    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: motcua_store::open_dossiers::Page<'_>,
    ) -> StoreResult<Option<motcua_store::open_dossiers::StandingRows>> {
        each!(self, s => s.open_standings(selection, page))
    }
    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        each!(self, s => s.apply_open(change))
    }
}

impl DossierScan for AnyStore {
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError> {
        each!(self, s => s.dossier_ranges(parts))
    }

    fn scan_dossiers<E, F>(&self, range: &DossierRange, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>,
    {
        each!(self, s => s.scan_dossiers(range, visit))
    }

    fn keeps_log_order(&self) -> bool {
        each!(self, s => s.keeps_log_order())
    }

    fn scan_log_newest_first<E, F>(&self, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(motcua_store::LogRow<'_>) -> Result<(), E>,
    {
        each!(self, s => s.scan_log_newest_first(visit))
    }

    fn scan_standings<E, F, N, G>(
        &self,
        fingerprint: u64,
        visit: F,
        needing: N,
        events: G,
    ) -> Result<bool, E>
    where
        E: From<StoreError>,
        F: FnMut(StandingRead<'_>) -> Result<(), E>,
        N: FnOnce() -> Result<Option<Vec<DossierId>>, E>,
        G: FnMut(&[Event]) -> Result<(), E>,
    {
        each!(self, s => s.scan_standings(fingerprint, visit, needing, events))
    }
}

/// Every dossier's standing: kept by SQLite stores (schema 7 on) and PostgreSQL stores
/// (schema 7 on).
impl StandingTable for AnyStore {
    fn keeps_standings(&self) -> bool {
        each!(self, s => s.keeps_standings())
    }

    fn standings_state(&self) -> StoreResult<StandingsState> {
        each!(self, s => s.standings_state())
    }

    fn apply_standings(&self, change: &StandingsChange) -> StoreResult<()> {
        each!(self, s => s.apply_standings(change))
    }

    fn standing_rows(&self) -> StoreResult<Vec<StandingRow>> {
        each!(self, s => s.standing_rows())
    }
}

impl AnyStore {
    /// The catalogue the store keeps, if any; `location` names the store in errors.
    pub fn catalogue(&self, location: &str) -> Result<Option<motcua_core::Catalogue>, CliError> {
        match self {
            AnyStore::Sqlite(s) => s
                .catalogue()
                .map_err(|e| crate::data::store_error(std::path::Path::new(location), e)),
            AnyStore::Postgres(s) => s
                .catalogue()
                .map_err(|e| crate::data::pg_error(location, e)),
        }
    }
}

impl CatalogueRecords for AnyStore {
    fn catalogue_records(&self) -> StoreResult<Vec<CatalogueRecord>> {
        each!(self, s => s.catalogue_records())
    }
    fn catalogue_record_body(&self, number: u64) -> StoreResult<Option<String>> {
        each!(self, s => s.catalogue_record_body(number))
    }
    fn first_position(&self, dossier: &DossierId) -> StoreResult<Option<u64>> {
        each!(self, s => s.first_position(dossier))
    }
}

impl motcua_store::audit::RowScan for AnyStore {
    fn keeps_links(&self) -> bool {
        each!(self, s => s.keeps_links())
    }
    fn scan_rows(&self, visit: &mut motcua_store::audit::RowVisitor<'_>) -> StoreResult<()> {
        each!(self, s => s.scan_rows(visit))
    }
    fn last_row_position(&self) -> StoreResult<u64> {
        each!(self, s => s.last_row_position())
    }
}
