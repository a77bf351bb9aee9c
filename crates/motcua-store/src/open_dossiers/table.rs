//! The projection's rows and the trait stores implement to keep them.

use crate::store::StoreResult;
use motcua_core::{DossierHandlers, DossierId, Event, Standing, Status, UnitId};
use time::OffsetDateTime;

/// One open dossier as the projection keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenDossier {
    /// The dossier.
    pub dossier_id: DossierId,
    /// The unit holding it now (after transfers).
    pub unit: UnitId,
    /// Its status after its last event.
    pub status: Status,
    /// Its events, in sequence order: readers judge them as of their own instant.
    pub events: Vec<Event>,
    /// Every instant after its last event at which its judgement changes if nothing more is
    /// recorded (see [`Context::alarms`](motcua_core::Context::alarms)), ascending, without
    /// repeats. Computed with the catalogue and calendar that [`OpenHead::context`] names.
    pub alarms: Vec<OffsetDateTime>,
    /// Its standing as of its last event ([`Context::standing`](motcua_core::Context::standing)),
    /// judged with the catalogue and calendar that [`OpenHead::context`] names: a list seen at a
    /// later instant reads it instead of the events. `None` when that context could not judge
    /// the dossier, and in rows read back with [`OpenDossierTable::open_rows`] (standings are
    /// read with [`OpenDossierTable::open_standings`]).
    pub standing: Option<Standing>,
}

impl OpenDossier {
    /// Its standing as stores keep it: the compact form of the standing followed by the
    /// dossier's handlers ([`crate::codec::standing::encode_open`]; a standing is of every
    /// event, so the handlers are too), so that a list of alarms names who answers for each
    /// without the events. `None` without a standing.
    pub fn stored_standing(&self) -> Option<StoredStanding> {
        let standing = self.standing.as_ref()?;
        let handlers = DossierHandlers::of(&self.events);
        Some(StoredStanding(crate::codec::standing::encode_open(
            standing, &handlers,
        )))
    }
}

/// Where the projection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenHead {
    /// The last global position applied.
    pub position: u64,
    /// The fingerprint of the catalogue and calendar the alarm instants were computed with.
    pub context: u64,
    /// The latest `occurred_at` of any event applied (`None` while no event was applied):
    /// the projection answers for instants at or after it.
    pub latest_occurred_at: Option<OffsetDateTime>,
}

/// One transaction of changes to the projection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenChange {
    /// The position the projection must stand at for the change to apply (`None`: never
    /// built). Two maintainers racing cannot both apply a change from the same position.
    pub expected: Option<u64>,
    /// Empty the projection first (a rebuild).
    pub reset: bool,
    /// Dossiers that are open: inserted or replaced.
    pub upserts: Vec<OpenDossier>,
    /// Dossiers that are no longer open (finished): removed if present.
    pub removals: Vec<DossierId>,
    /// Where the projection stands after the change.
    pub head: Option<OpenHead>,
}

impl OpenChange {
    /// Whether the change applies to a projection standing at `found` (`None`: never built):
    /// the error names both positions when it does not.
    ///
    /// # Errors
    /// [`StoreError::Moved`](crate::StoreError::Moved) when `found` is not
    /// [`OpenChange::expected`].
    pub fn check_position(&self, found: Option<u64>) -> StoreResult<()> {
        if found == self.expected {
            return Ok(());
        }
        let show = |p: Option<u64>| p.map_or_else(|| "never built".to_owned(), |p| p.to_string());
        Err(crate::StoreError::Moved(format!(
            "the open-dossier projection moved: expected at position {}, found at {}",
            show(self.expected),
            show(found)
        )))
    }
}

/// What [`OpenDossierTable::open_standings`] reads: each chosen dossier with its standing as
/// the store keeps it (`None` for a dossier the projection's context could not judge, or whose
/// stored standing is not even bytes: a reader then judges its events), in dossier id order.
pub type StandingRows = Vec<(DossierId, Option<StoredStanding>)>;

/// A standing as a store keeps it: its compact form ([`crate::codec::standing`]), not yet
/// decoded. A list's reading thread hands these on and the thread that judges decodes them
/// ([`OpenReader::decoded`](super::OpenReader::decoded)), so the reading is not held up by the
/// decoding; one that does not decode is judged from the dossier's events instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredStanding(pub Vec<u8>);

/// Which part of a selection's standings a read returns: those of the dossiers whose id comes
/// after [`Page::after`], in dossier id order, at most [`Page::limit`] of them. A long list
/// reads its standings page by page ([`OpenReader::each_page`](super::OpenReader::each_page))
/// and never holds more than a page of them decoded.
///
/// ```
/// use motcua_store::open_dossiers::Page;
/// let first = Page::first(512);
/// assert_eq!((first.after, first.limit), (None, 512));
/// assert_eq!(Page::ALL.limit, usize::MAX);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page<'a> {
    /// Only the dossiers whose id comes after this one; `None`: from the first.
    pub after: Option<&'a DossierId>,
    /// At most this many rows.
    pub limit: usize,
}

impl Page<'_> {
    /// The whole selection at once.
    pub const ALL: Page<'static> = Page {
        after: None,
        limit: usize::MAX,
    };

    /// The first `limit` rows.
    pub fn first(limit: usize) -> Page<'static> {
        Page { after: None, limit }
    }

    /// The limit as SQL's `LIMIT` takes it (no limit: `-1`).
    pub fn sql_limit(&self) -> i64 {
        i64::try_from(self.limit).unwrap_or(-1)
    }
}

/// Which open dossiers a read of the projection selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection<'a> {
    /// Those held by any of these units (after transfers), through the unit index.
    Units(&'a [UnitId]),
    /// Those with an alarm instant in `(after, until]`, through the alarm index.
    Ringing {
        /// The window's start, excluded.
        after: OffsetDateTime,
        /// The window's end, included.
        until: OffsetDateTime,
    },
    /// Every open dossier.
    All,
}

impl Selection<'_> {
    /// Whether `row` is one this selection chooses.
    pub fn chooses(&self, row: &OpenDossier) -> bool {
        match *self {
            Selection::Units(units) => units.contains(&row.unit),
            Selection::Ringing { after, until } => {
                row.alarms.iter().any(|at| *at > after && *at <= until)
            }
            Selection::All => true,
        }
    }
}

/// Whether the rows a read returns carry their alarm instants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowAlarms {
    /// Each row with its alarm instants, ascending.
    Included,
    /// Rows with an empty [`OpenDossier::alarms`]: for readers that judge the events
    /// themselves, who then pay for no alarm read.
    Omitted,
}

/// A store that keeps the open-dossier projection beside its events (in the same file or
/// database, so a change and its position commit together).
pub trait OpenDossierTable: Send + Sync {
    /// Where the projection stands; `None` if it was never built.
    fn open_head(&self) -> StoreResult<Option<OpenHead>>;

    /// The open dossiers `selection` chooses, in dossier id order, through an index (but for
    /// [`Selection::All`]); each row with its alarm instants when `alarms` is
    /// [`RowAlarms::Included`], with none when [`RowAlarms::Omitted`] (a reader that judges the
    /// events itself needs only them, and the store then reads no alarm).
    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>>;

    /// The open dossiers held by any of `units`, with their alarms, in dossier id order.
    fn open_in_units(&self, units: &[UnitId]) -> StoreResult<Vec<OpenDossier>> {
        self.open_rows(Selection::Units(units), RowAlarms::Included)
    }

    /// The open dossiers with an alarm instant in `(after, until]`, with their alarms, in
    /// dossier id order.
    fn open_ringing(
        &self,
        after: OffsetDateTime,
        until: OffsetDateTime,
    ) -> StoreResult<Vec<OpenDossier>> {
        self.open_rows(Selection::Ringing { after, until }, RowAlarms::Included)
    }

    /// Every open dossier, with its alarms, in dossier id order.
    fn open_all(&self) -> StoreResult<Vec<OpenDossier>> {
        self.open_rows(Selection::All, RowAlarms::Included)
    }

    /// The standings of the open dossiers `selection` chooses, in dossier id order, without
    /// their events: `(dossier, standing)`, the standing `None` for a dossier the projection's
    /// context could not judge; only the `page` asked for ([`Page::ALL`]: all of them).
    /// `Ok(None)` when the store keeps no standings (a store file from before they were kept,
    /// opened read-only): the reader reads the rows' events instead.
    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: Page<'_>,
    ) -> StoreResult<Option<StandingRows>>;

    /// Applies `change` atomically: all of it with its new head, or nothing. Fails with
    /// [`StoreError::Moved`](crate::StoreError::Moved) naming both positions when the
    /// projection does not stand at `change.expected`.
    fn apply_open(&self, change: &OpenChange) -> StoreResult<()>;
}

impl<S: OpenDossierTable + ?Sized> OpenDossierTable for &S {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        (**self).open_head()
    }
    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        (**self).open_rows(selection, alarms)
    }
    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: Page<'_>,
    ) -> StoreResult<Option<StandingRows>> {
        (**self).open_standings(selection, page)
    }
    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        (**self).apply_open(change)
    }
}

/// A row's events as durable stores keep them: each event's [compact](crate::codec::compact)
/// body after its length (4 bytes, little-endian).
pub fn encode_events(events: &[Event]) -> Vec<u8> {
    let mut out = Vec::with_capacity(events.len() * 64);
    let mut body = Vec::with_capacity(128);
    for event in events {
        body.clear();
        crate::codec::compact::encode_into(&mut body, event);
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// The events of a row from [`encode_events`]' bytes; an error names the dossier and the
/// byte where reading stopped.
///
/// ```
/// use motcua_store::open_dossiers::{decode_events, encode_events};
/// assert_eq!(decode_events("D1", &encode_events(&[]))?, vec![]);
/// assert!(decode_events("D1", &[9, 0, 0]).is_err());
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
///
/// # Errors
/// [`StoreError::Backend`](crate::StoreError::Backend) when the bytes are not a row's events.
pub fn decode_events(dossier: &str, bytes: &[u8]) -> StoreResult<Vec<Event>> {
    decode_events_shared(
        &mut crate::codec::compact::Decoder::default(),
        dossier,
        bytes,
    )
}

/// [`decode_events`] through a [`Decoder`](crate::codec::compact::Decoder) that shares the
/// codes repeated between the rows of a read (procedures, units), instead of copying each.
///
/// # Errors
/// As [`decode_events`].
pub fn decode_events_shared(
    decoder: &mut crate::codec::compact::Decoder,
    dossier: &str,
    mut bytes: &[u8],
) -> StoreResult<Vec<Event>> {
    let damaged = |at: usize, what: &str| {
        crate::StoreError::Backend(format!(
            "the open-dossier row of {dossier} is damaged at byte {at}: {what}"
        ))
    };
    let total = bytes.len();
    let mut events = Vec::with_capacity(count_bodies(bytes));
    while !bytes.is_empty() {
        let at = total - bytes.len();
        let (length, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or_else(|| damaged(at, "a length is cut short"))?;
        let length = u32::from_le_bytes(*length) as usize;
        if rest.len() < length {
            return Err(damaged(at, "an event is cut short"));
        }
        let (body, rest) = rest.split_at(length);
        let event = decoder
            .decode(body)
            .map_err(|e| damaged(at + 4 + e.at, e.what))?;
        events.push(event);
        bytes = rest;
    }
    Ok(events)
}

/// How many length-prefixed bodies `bytes` holds, counting those cut short (for sizing the
/// events' vector once; the decoding checks the bytes).
fn count_bodies(mut bytes: &[u8]) -> usize {
    let mut count = 0;
    while let Some((length, rest)) = bytes.split_first_chunk::<4>() {
        count += 1;
        let length = u32::from_le_bytes(*length) as usize;
        bytes = rest.get(length..).unwrap_or_default();
    }
    count
}

/// What durable stores keep of a row's status, its head's latest instant and its alarm
/// instants, and back: the national status code, Unix nanoseconds, Unix seconds (alarms fall on
/// whole minutes). Errors name the dossier.
pub mod columns {
    use crate::store::StoreResult;
    use crate::StoreError;
    use motcua_core::Status;
    use time::OffsetDateTime;

    /// The status from its national code.
    ///
    /// # Errors
    /// [`StoreError::Backend`] for a code that is no status.
    pub fn status(dossier: &str, code: i64) -> StoreResult<Status> {
        u8::try_from(code)
            .ok()
            .and_then(Status::from_national_code)
            .ok_or_else(|| {
                StoreError::Backend(format!(
                    "the open-dossier row of {dossier} has an unknown status code {code}"
                ))
            })
    }

    /// Unix nanoseconds of an instant (every instant a store accepts fits in an `i64`).
    ///
    /// # Errors
    /// [`StoreError::Backend`] for an instant out of that range.
    pub fn nanos(at: OffsetDateTime) -> StoreResult<i64> {
        i64::try_from(at.unix_timestamp_nanos())
            .map_err(|_| StoreError::Backend(format!("{at} is out of the store's range")))
    }

    /// The instant of Unix nanoseconds.
    ///
    /// # Errors
    /// [`StoreError::Backend`] for a value out of range.
    pub fn from_nanos(nanos: i64) -> StoreResult<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos))
            .map_err(|e| StoreError::Backend(format!("the projection's latest instant: {e}")))
    }

    /// An alarm instant from Unix seconds.
    ///
    /// # Errors
    /// [`StoreError::Backend`] for a value out of range.
    pub fn alarm(dossier: &str, seconds: i64) -> StoreResult<OffsetDateTime> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .map_err(|e| StoreError::Backend(format!("an alarm of {dossier} is out of range: {e}")))
    }
}
