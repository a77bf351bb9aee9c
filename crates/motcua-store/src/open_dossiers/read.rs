//! Reading the projection with the log's tail: exactly the open dossiers a full scan finds.

use super::maintain::{latest_occurrence, open_at_end};
use super::table::{
    OpenDossier, OpenDossierTable, OpenHead, Page, RowAlarms, Selection, StoredStanding,
};
use crate::codec::compact::Decoder;
use crate::store::{EventStore, StoreResult};
use crate::StoreError;
use motcua_core::{DossierHandlers, DossierId, Event, Standing, UnitId};
use std::collections::BTreeMap;
use std::ops::ControlFlow;
use time::OffsetDateTime;

/// The most events committed after the projection's position that a reader reads itself;
/// beyond it, [`OpenReader::open`] answers `None` (the projection is too far behind to help).
pub const TAIL_LIMIT: usize = 100_000;

/// [`OpenReader::entries_with_handlers`] reads the events of the dossiers whose standings
/// were stored without handlers one by one while they are at most one in this many of the
/// selection; more, and it reads the whole selection's from the projection's rows at once.
pub const FEW_WITHOUT_HANDLERS: usize = 8;

/// One open dossier as a list judges it: from its standing (the projection's view of it at its
/// last event, seen later with [`Context::view_at`](motcua_core::Context::view_at)), or from
/// its events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenEntry {
    /// Its standing, judged with the projection's catalogue and calendar, with its handlers
    /// as of it when the projection kept them (who answers for its alarms; `None` for a
    /// standing stored before handlers were).
    Standing(Box<Standing>, Option<DossierHandlers>),
    /// Its standing as the store keeps it, not yet decoded: what [`OpenReader::each_page`]
    /// hands out, for the judging side to turn into [`OpenEntry::Standing`] (or, should it
    /// not decode, [`OpenEntry::Events`]) with [`OpenReader::decoded`].
    Stored(DossierId, StoredStanding),
    /// Its whole stream: changed since the projection's position, or not judged when its row
    /// was written, or read from a store that keeps no standings.
    Events(Vec<Event>),
}

impl OpenEntry {
    /// A [`OpenEntry::Stored`] standing decoded (with `decoder`, which shares the codes
    /// repeated from one standing to the next) when it decodes and is its row's dossier's;
    /// else the entry as it is ([`OpenReader::decoded`] then reads the dossier's events).
    pub fn decode(self, decoder: &mut Decoder) -> OpenEntry {
        match self {
            OpenEntry::Stored(id, stored) => match decoder.decode_open_standing(&stored.0) {
                // Another dossier's standing in this one's row is damage too.
                Ok((standing, handlers)) if standing.view.dossier_id == id => {
                    OpenEntry::Standing(Box::new(standing), handlers)
                }
                _ => OpenEntry::Stored(id, stored),
            },
            other => other,
        }
    }
}

/// The projection as of now: its rows, overridden by the dossiers the log changed since its
/// position (their whole streams, re-read).
///
/// ```
/// use motcua_store::open_dossiers::{catch_up, OpenReader};
/// use motcua_store::InMemoryStore;
/// # use motcua_core::{Catalogue, Context};
/// # use motcua_core::calendar::Calendar;
/// # let (catalogue, calendar) = (Catalogue::default(), Calendar::vietnam());
/// let store = InMemoryStore::new();
/// let as_of = time::macros::datetime!(2024-06-03 09:00 +07:00);
/// assert!(OpenReader::open(&store, as_of)?.is_none()); // never built
/// catch_up(&store, &Context::new(&catalogue, &calendar), 7, 1_000)?;
/// let reader = OpenReader::open(&store, as_of)?.expect("built, and nothing after as_of");
/// assert!(reader.all()?.is_empty());
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
pub struct OpenReader<'s, S: ?Sized> {
    store: &'s S,
    head: OpenHead,
    /// The streams of the dossiers with events after the head's position.
    tail: BTreeMap<DossierId, Vec<Event>>,
}

impl<'s, S> OpenReader<'s, S>
where
    S: EventStore + OpenDossierTable + ?Sized,
{
    /// The reader for judging at `as_of`, or `None` when the projection cannot answer: never
    /// built, more than [`TAIL_LIMIT`] events behind, or holding an event that occurred after
    /// `as_of` (a dossier open now may not have been open then).
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn open(store: &'s S, as_of: OffsetDateTime) -> StoreResult<Option<Self>> {
        let Some((reader, latest)) = Self::read(store)? else {
            return Ok(None);
        };
        if latest.is_some_and(|latest| latest > as_of) {
            return Ok(None);
        }
        Ok(Some(reader))
    }

    /// The reader of the dossiers open at the end of the log, whatever instant their events
    /// occurred at (for a follower judging alarms as they fall due); `None` when never built or
    /// more than [`TAIL_LIMIT`] events behind.
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn latest(store: &'s S) -> StoreResult<Option<Self>> {
        Ok(Self::read(store)?.map(|(reader, _)| reader))
    }

    /// The reader with the tail read, and the latest instant an event occurred at.
    #[allow(clippy::type_complexity)]
    fn read(store: &'s S) -> StoreResult<Option<(Self, Option<OffsetDateTime>)>> {
        let Some(head) = store.open_head()? else {
            return Ok(None);
        };
        let events = store.read_all(head.position, TAIL_LIMIT + 1)?;
        if events.len() > TAIL_LIMIT {
            return Ok(None);
        }
        let mut tail = BTreeMap::new();
        let mut latest = head.latest_occurred_at;
        for stored in events {
            if tail.contains_key(&stored.event.dossier_id) {
                continue;
            }
            let stream = store.read_stream(&stored.event.dossier_id)?;
            latest = latest.max(latest_occurrence(&stream));
            tail.insert(stored.event.dossier_id, stream);
        }
        Ok(Some((OpenReader { store, head, tail }, latest)))
    }

    /// Where the projection stood (the reader adds the events after it).
    pub fn head(&self) -> OpenHead {
        self.head
    }

    /// The streams of the open dossiers held by any of `units`, in dossier id order.
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn in_units(&self, units: &[UnitId]) -> StoreResult<Vec<Vec<Event>>> {
        let rows = self
            .store
            .open_rows(Selection::Units(units), RowAlarms::Omitted)?;
        Ok(self.merge(rows, |unit| units.contains(unit)))
    }

    /// The streams of the open dossiers that may change their judgement in `(after, until]`,
    /// in dossier id order: a superset of those that do, to be judged by the caller. When
    /// the projection's alarm instants were computed for another catalogue or calendar
    /// (`context` differs from [`OpenHead::context`]), every open dossier.
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn ringing(
        &self,
        after: OffsetDateTime,
        until: OffsetDateTime,
        context: u64,
    ) -> StoreResult<Vec<Vec<Event>>> {
        if context != self.head.context {
            return self.all();
        }
        let rows = self
            .store
            .open_rows(Selection::Ringing { after, until }, RowAlarms::Omitted)?;
        Ok(self.merge(rows, |_| true))
    }

    /// The streams of every open dossier, in dossier id order.
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn all(&self) -> StoreResult<Vec<Vec<Event>>> {
        let rows = self.store.open_rows(Selection::All, RowAlarms::Omitted)?;
        Ok(self.merge(rows, |_| true))
    }

    /// The open dossiers `selection` chooses, in dossier id order, each with its standing when
    /// the projection keeps one judged with `context` (the fingerprint of the reader's catalogue
    /// and calendar, as for [`OpenReader::ringing`]) and decoded ([`OpenEntry::Standing`]), else
    /// with its events. A list judged
    /// at a later instant this way reads no event but those of the dossiers changed since the
    /// projection's position; the answer is the one the events give (the standing law).
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn entries(&self, selection: Selection<'_>, context: u64) -> StoreResult<Vec<OpenEntry>> {
        let mut all = Vec::new();
        self.each_page(selection, context, usize::MAX, |page| {
            all.extend(page);
            ControlFlow::Continue(())
        })?;
        let mut decoder = Decoder::default();
        all.into_iter()
            .map(|entry| self.decoded(entry, &mut decoder))
            .collect()
    }

    /// [`OpenReader::entries`] for who answers for each dossier's alarms: every
    /// [`OpenEntry::Standing`] comes with its handlers. A dossier whose standing was stored
    /// without them (by a motcua from before they were kept; rewritten as its dossier
    /// changes) comes with its events instead: each read on its own while such dossiers are
    /// few (at most one in [`FEW_WITHOUT_HANDLERS`]), else the whole selection's, read from
    /// the projection's rows in one pass.
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn entries_with_handlers(
        &self,
        selection: Selection<'_>,
        context: u64,
    ) -> StoreResult<Vec<OpenEntry>> {
        let entries = self.entries(selection, context)?;
        let without = entries
            .iter()
            .filter(|e| matches!(e, OpenEntry::Standing(_, None)))
            .count();
        if without == 0 {
            return Ok(entries);
        }
        if without * FEW_WITHOUT_HANDLERS <= entries.len() {
            return entries
                .into_iter()
                .map(|entry| match entry {
                    OpenEntry::Standing(standing, None) => self
                        .events_of(&standing.view.dossier_id)
                        .map(OpenEntry::Events),
                    other => Ok(other),
                })
                .collect();
        }
        let streams = self.streams(selection, context)?;
        Ok(streams.into_iter().map(OpenEntry::Events).collect())
    }

    /// The streams of the dossiers `selection` chooses, from the projection's rows and the tail.
    fn streams(&self, selection: Selection<'_>, context: u64) -> StoreResult<Vec<Vec<Event>>> {
        match selection {
            Selection::Units(units) => self.in_units(units),
            Selection::Ringing { after, until } => self.ringing(after, until, context),
            Selection::All => self.all(),
        }
    }

    /// [`OpenReader::entries`] handed to `each` a page at a time, in dossier id order: at most
    /// `page` standings read at once (not decoded: see [`OpenReader::decoded`]), with the
    /// tail's dossiers that fall among them, so that a long list holds one page, not the whole
    /// of it, while it judges. A selection of several units, and a list judged from events,
    /// comes as one page. `each` returns [`ControlFlow::Break`] to stop the reading; it is not
    /// called with an empty page.
    ///
    /// ```
    /// use motcua_store::open_dossiers::{catch_up, OpenReader, Selection};
    /// use motcua_store::InMemoryStore;
    /// use std::ops::ControlFlow;
    /// # use motcua_core::{Catalogue, Context};
    /// # use motcua_core::calendar::Calendar;
    /// # let (catalogue, calendar) = (Catalogue::default(), Calendar::vietnam());
    /// let store = InMemoryStore::new();
    /// catch_up(&store, &Context::new(&catalogue, &calendar), 7, 1_000)?;
    /// let reader = OpenReader::open(&store, time::macros::datetime!(2024-06-03 09:00 +07:00))?
    ///     .expect("built");
    /// let mut pages = 0;
    /// reader.each_page(Selection::All, 7, 512, |_| {
    ///     pages += 1;
    ///     ControlFlow::Continue(())
    /// })?;
    /// assert_eq!(pages, 0); // nothing open, no page
    /// # Ok::<(), motcua_store::StoreError>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn each_page(
        &self,
        selection: Selection<'_>,
        context: u64,
        page: usize,
        mut each: impl FnMut(Vec<OpenEntry>) -> ControlFlow<()>,
    ) -> StoreResult<()> {
        // Several units' pages would each be merged from every unit's index: read at once
        // (docs/standings.md, "Several units").
        let limit = match selection {
            Selection::Units(units) if units.len() > 1 => usize::MAX,
            _ => page.max(1),
        };
        let first = if context == self.head.context {
            self.store.open_standings(selection, Page::first(limit))?
        } else {
            None
        };
        let Some(mut standings) = first else {
            let all: Vec<OpenEntry> = self
                .streams(selection, context)?
                .into_iter()
                .map(OpenEntry::Events)
                .collect();
            if !all.is_empty() {
                let _ = each(all);
            }
            return Ok(());
        };
        // The store gives them in dossier id order; the dossiers changed since the head are
        // taken from the tail instead, each put among the page's rows where its id falls.
        let keep = |unit: &UnitId| match selection {
            Selection::Units(units) => units.contains(unit),
            Selection::Ringing { .. } | Selection::All => true,
        };
        let mut tail = self
            .tail
            .iter()
            .filter(|(_, stream)| open_at_end(stream).is_some_and(|(unit, _)| keep(&unit)))
            .peekable();
        loop {
            let last_page = standings.len() < limit;
            let last_id = standings.last().map(|(id, _)| id.clone());
            let mut out = Vec::with_capacity(standings.len());
            for (id, standing) in standings {
                while let Some((_, stream)) = tail.next_if(|(changed, _)| **changed < id) {
                    out.push(OpenEntry::Events(stream.clone()));
                }
                if self.tail.contains_key(&id) {
                    continue;
                }
                out.push(match standing {
                    Some(standing) => OpenEntry::Stored(id, standing),
                    None => OpenEntry::Events(self.store.read_stream(&id)?),
                });
            }
            if last_page {
                out.extend(
                    tail.by_ref()
                        .map(|(_, stream)| OpenEntry::Events(stream.clone())),
                );
            }
            if !out.is_empty() && each(out).is_break() {
                return Ok(());
            }
            let Some(after) = last_id.filter(|_| !last_page) else {
                return Ok(());
            };
            let next = Page {
                after: Some(&after),
                limit,
            };
            standings = self.store.open_standings(selection, next)?.ok_or_else(|| {
                StoreError::Backend(
                    "the open-dossier projection's standings went away while being read".into(),
                )
            })?;
        }
    }

    /// `entry` ready to judge: an [`OpenEntry::Stored`] standing decoded (with `decoder`,
    /// which shares the codes repeated from one standing to the next), or, when it does not
    /// decode (derived data, damaged), the dossier's events read from the store, which are
    /// checked as every read checks them; any other entry as it is. Safe to call from another
    /// thread than the one reading the pages, while it reads them.
    ///
    /// ```
    /// use motcua_core::DossierId;
    /// use motcua_store::codec::compact::Decoder;
    /// use motcua_store::open_dossiers::{catch_up, OpenEntry, OpenReader, StoredStanding};
    /// use motcua_store::InMemoryStore;
    /// # use motcua_core::{Catalogue, Context};
    /// # use motcua_core::calendar::Calendar;
    /// # let (catalogue, calendar) = (Catalogue::default(), Calendar::vietnam());
    /// let store = InMemoryStore::new();
    /// catch_up(&store, &Context::new(&catalogue, &calendar), 7, 1_000)?;
    /// let reader = OpenReader::open(&store, time::macros::datetime!(2024-06-03 09:00 +07:00))?
    ///     .expect("built");
    /// let mut decoder = Decoder::default();
    /// // Not a standing's bytes: the dossier is judged from its events (none stored here).
    /// let damaged = StoredStanding(b"not a standing".to_vec());
    /// let entry = OpenEntry::Stored(DossierId::new("H-1"), damaged);
    /// assert_eq!(reader.decoded(entry, &mut decoder)?, OpenEntry::Events(Vec::new()));
    /// # Ok::<(), motcua_store::StoreError>(())
    /// ```
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when a stream must be read and cannot be.
    pub fn decoded(&self, entry: OpenEntry, decoder: &mut Decoder) -> StoreResult<OpenEntry> {
        match entry.decode(decoder) {
            OpenEntry::Stored(id, _) => self.store.read_stream(&id).map(OpenEntry::Events),
            decoded => Ok(decoded),
        }
    }

    /// A dossier's events: its stream as the reader read it when it changed since the
    /// projection's position, else as the store holds it (for a standing that cannot be
    /// judged at the instant asked).
    ///
    /// # Errors
    /// [`StoreError`](crate::StoreError) when the store cannot be read.
    pub fn events_of(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        match self.tail.get(dossier) {
            Some(stream) => Ok(stream.clone()),
            None => self.store.read_stream(dossier),
        }
    }

    /// The rows not changed since the head, with the open tail dossiers `keep` accepts.
    fn merge(&self, rows: Vec<OpenDossier>, keep: impl Fn(&UnitId) -> bool) -> Vec<Vec<Event>> {
        let mut out: BTreeMap<DossierId, Vec<Event>> = rows
            .into_iter()
            .filter(|row| !self.tail.contains_key(&row.dossier_id))
            .map(|row| (row.dossier_id, row.events))
            .collect();
        for (id, stream) in &self.tail {
            if open_at_end(stream).is_some_and(|(unit, _)| keep(&unit)) {
                out.insert(id.clone(), stream.clone());
            }
        }
        out.into_values().collect()
    }
}
