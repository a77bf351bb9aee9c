//! The store's open-dossier projection and its table of every dossier's standing from the
//! command line: kept current after every write the CLI makes (`import`, `gen --store`,
//! `follow`); the projection read by `dossiers` and `alarms` when it can answer exactly (see
//! [`motcua_store::open_dossiers`]), the standings by `report` (see
//! [`motcua_store::standings`]); otherwise they read every dossier.

use crate::data::{AnyStore, DataArgs, Dataset};
use crate::error::CliError;
use motcua_calendar::Calendar;
use motcua_core::{Alarm, Catalogue, Context, DossierId, DossierView, Event, Standing, ViewError};
#[cfg(doc)]
use motcua_store::open_dossiers::OpenEntry;
use motcua_store::open_dossiers::{self, CatchUp, OpenDossierTable, OpenReader};
use motcua_store::standings::{self, StandingTable};
use motcua_store::{DossierScan, EventStore, StoreError};
use time::OffsetDateTime;

/// Events read a page at a time when catching up.
pub const PAGE: usize = 10_000;

/// The fingerprint of what the CLI judges with: the catalogue, the calendar file given with
/// `--calendar` (none: the built-in Vietnamese calendar) and this motcua's version (whose
/// built-in calendar and rules computed the alarm instants).
pub fn fingerprint(catalogue: &Catalogue, calendar_file: Option<&[u8]>) -> u64 {
    open_dossiers::fingerprint(&[
        env!("CARGO_PKG_VERSION").as_bytes(),
        motcua_io::write_catalogue(catalogue).as_bytes(),
        calendar_file.unwrap_or(b"built-in"),
    ])
}

/// The fingerprint of the data's catalogue and `--calendar` file.
pub fn fingerprint_of(data: &Dataset, args: &DataArgs) -> u64 {
    let file = args
        .calendar
        .as_ref()
        .map(|path| match crate::text_file::read(path) {
            Ok(text) => text.into_bytes(),
            Err(_) => path.display().to_string().into(),
        });
    fingerprint(&data.catalogue, file.as_deref())
}

/// Brings a store's projection and its standings up to the end of its log, judged with its own
/// catalogue and the built-in calendar; nothing when the store keeps no catalogue.
pub fn refresh<S>(store: &S, catalogue: Option<&Catalogue>) -> Result<Option<CatchUp>, StoreError>
where
    S: EventStore + OpenDossierTable + DossierScan + StandingTable + Sync + ?Sized,
{
    let Some(catalogue) = catalogue else {
        return Ok(None);
    };
    let calendar = Calendar::vietnam();
    let context = Context::new(catalogue, &calendar);
    let fingerprint = fingerprint(catalogue, None);
    let done = open_dossiers::catch_up(store, &context, fingerprint, PAGE)?;
    // Every dossier's standing, for full reports (a store that keeps none: nothing).
    standings::catch_up_standings(store, &context, fingerprint, PAGE)?;
    Ok(Some(done))
}

/// After a write: [`refresh`], and a failure said on standard error without failing the
/// command (its events are stored; the next write or `motcua follow` catches up).
pub fn refresh_after_write<S>(store: &S, catalogue: Option<&Catalogue>, location: &str)
where
    S: EventStore + OpenDossierTable + DossierScan + StandingTable + Sync + ?Sized,
{
    if let Err(e) = refresh(store, catalogue) {
        eprintln!(
            "motcua: note: {location}: the list of open dossiers and the table of standings were not brought up to date ({e}); `dossiers` and `alarms` read every dossier, and `report` every event, until a later write or `motcua follow` does"
        );
    }
}

/// What the projection gives for judging at `as_of` (streams, or [`OpenEntry`]s: standings
/// or streams), chosen by `select`; `None` when it cannot answer (not one store, never built,
/// too far behind, or holding events after `as_of`).
pub fn read<T>(
    data: &Dataset,
    as_of: OffsetDateTime,
    select: impl FnOnce(&OpenReader<'_, AnyStore>) -> Result<T, StoreError>,
) -> Result<Option<T>, CliError> {
    let Some((location, store)) = data.single_store() else {
        return Ok(None);
    };
    let failed = |e: StoreError| CliError::store(location, "the store could not be read", &e);
    let Some(reader) = OpenReader::open(store, as_of).map_err(failed)? else {
        return Ok(None);
    };
    select(&reader).map(Some).map_err(failed)
}

/// Reads a dossier's events, for a standing of the projection that cannot be seen at the
/// instant asked (taken later, or under another calendar: derived data gone wrong, or
/// rewritten since it was read): its judging falls back to the events.
pub type EventsOf<'a> = dyn Fn(&DossierId) -> Result<Vec<Event>, CliError> + Sync + 'a;

/// The [`EventsOf`] of `reader`'s store, named `location` in errors.
pub fn events_of<'r>(
    reader: &'r OpenReader<'_, AnyStore>,
    location: &'r str,
) -> impl Fn(&DossierId) -> Result<Vec<Event>, CliError> + Sync + 'r {
    move |id| {
        reader
            .events_of(id)
            .map_err(|e| CliError::store(location, "the store could not be read", &e))
    }
}

/// A standing of the projection as seen at an instant.
// Matched at once where it is made, never kept: boxing the view would cost a list an
// allocation a row for nothing.
#[allow(clippy::large_enum_variant)]
pub enum Seen {
    /// Moved on to the instant: the view then, and the alarms after it.
    Judged(DossierView, Vec<Alarm>),
    /// Not to be seen then (taken later than the instant, or under another calendar: derived
    /// data gone wrong, or rewritten since it was read): the dossier's events, to judge
    /// instead.
    Events(Vec<Event>),
}

/// `standing` seen at `at` ([`Context::view_and_alarms_at`]), or the dossier's events read
/// with `events_of` when it cannot be seen then.
pub fn see(
    context: &Context<'_>,
    standing: Standing,
    at: OffsetDateTime,
    events_of: &EventsOf<'_>,
) -> Result<Seen, CliError> {
    let id = standing.view.dossier_id.clone();
    match context.view_and_alarms_at(standing, at) {
        Ok((view, alarms)) => Ok(Seen::Judged(view, alarms)),
        Err(ViewError::StandingMoved { .. }) => events_of(&id).map(Seen::Events),
        Err(e) => Err(CliError::Data(e.to_string())),
    }
}

/// Every dossier of the data, for when the projection cannot answer: the data loaded
/// ([`Dataset::load`]) and its streams taken out, in dossier id order.
pub fn every_dossier(args: &DataArgs) -> Result<(Dataset, Vec<Vec<Event>>), CliError> {
    let mut data = Dataset::load(args)?;
    let streams = std::mem::take(&mut data.streams).into_values().collect();
    Ok((data, streams))
}
