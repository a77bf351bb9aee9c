//! Every dossier's standing (*tình trạng hồ sơ*), open or finished, kept beside the log so that a
//! full report reads one small row per dossier instead of decoding and judging every event.
//!
//! A [`Standing`](motcua_core::Standing) is a dossier's view at its last event with what it
//! takes to see it at any later instant ([`Context::view_at`]); the standing law
//! (`tests/standing_law.rs`) makes `view_at(standing, t)` equal to the view of the events at
//! every `t` at or after the last event. A full report as of the end of a period at or after
//! most dossiers' last events can therefore judge them from their standings, and read the
//! events of only the few that moved after it (see `motcua_pipeline`).
//!
//! This table differs from the desk's projection ([`open_dossiers`](crate::open_dossiers)) in
//! what it keeps: every dossier ever received, in the order they were first written, with
//! no events and no alarms; a finished dossier keeps its standing forever (events after
//! its finish, a return or a rating, replace it). Who keeps it current: [`catch_up_standings`]
//! follows the log from the table's position (one transaction per page, the position with the
//! rows); [`rebuild_standings`] makes it from scratch with one scan of every dossier. The
//! rows after any sequence of catch-ups are the rows of a rebuild (tested for the SQLite and
//! PostgreSQL stores, which keep them; others say [`StandingTable::keeps_standings`] `false`
//! and a report reads their events).

use crate::codec::standing as standing_codec;
use crate::scan::{DossierRange, DossierScan};
use crate::store::{EventStore, StoreResult};
use crate::StoreError;
use motcua_core::{Context, DossierId, Event};
use std::collections::BTreeMap;

/// Where the table of standings stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandingsHead {
    /// The last global position applied: every dossier with an event at or before it has its
    /// standing as of its last event up to it.
    pub position: u64,
    /// The fingerprint of the catalogue and calendar the standings were judged with (as
    /// [`open_dossiers::fingerprint`](crate::open_dossiers::fingerprint) makes it).
    pub context: u64,
}

/// Where the table stands, and how many rebuilds have started on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StandingsState {
    /// Its position and context (`None`: never built, or a rebuild has not finished).
    pub head: Option<StandingsHead>,
    /// Rebuilds started so far. A rebuild's own writes name the generation its start made, so
    /// that once a later rebuild has started (emptying the table), an earlier one still
    /// running can write nothing more, not even its position.
    pub generation: u64,
}

/// One dossier's row: its id and its standing in the compact form
/// ([`codec::standing`](crate::codec::standing)), `None` when the table's context could not
/// judge it (a procedure missing from the catalogue: a report then judges its events and
/// records why it cannot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandingRow {
    /// The dossier.
    pub dossier_id: DossierId,
    /// The second (Unix time, rounded down) its first event occurred at: a report as of an
    /// earlier instant skips the dossier without judging it, as it skips a stream whose first
    /// event is later than the instant asked about.
    pub first_second: i64,
    /// Its standing as of its last event, compact.
    pub standing: Option<Vec<u8>>,
}

/// One dossier's row as [`DossierScan::scan_standings`]
/// hands it over, borrowed from the store's row buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandingRead<'a> {
    /// The dossier.
    pub dossier_id: &'a str,
    /// The second its first event occurred at ([`StandingRow::first_second`]).
    pub first_second: i64,
    /// Its standing as of its last event, compact (`None`: the table's context could not
    /// judge it).
    pub standing: Option<&'a [u8]>,
}

/// One transaction of changes to the table of standings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StandingsChange {
    /// The generation the table must be at for the change to apply.
    pub generation: u64,
    /// The position the table must stand at for the change to apply (`None`: no position,
    /// never built or being rebuilt). Two maintainers following the log cannot both apply a
    /// change from the same position.
    pub expected: Option<u64>,
    /// Empty the table, forget its position and start the next generation first (the start
    /// of a rebuild).
    pub reset: bool,
    /// Rows inserted, or replacing the dossier's row.
    pub upserts: Vec<StandingRow>,
    /// Where the table stands after the change (`None`: no position yet, a rebuild goes on).
    pub head: Option<StandingsHead>,
}

impl StandingsChange {
    /// Whether the change applies to a table in state `found`: at the generation and position
    /// it expects. The error names both when it does not.
    ///
    /// ```
    /// use motcua_store::standings::{StandingsChange, StandingsHead, StandingsState};
    /// let at = |generation, position| StandingsState {
    ///     head: Some(StandingsHead { position, context: 1 }),
    ///     generation,
    /// };
    /// let change = StandingsChange { generation: 2, expected: Some(7), ..StandingsChange::default() };
    /// assert!(change.check(at(2, 7)).is_ok());
    /// let moved = change.check(at(2, 9)).unwrap_err().to_string();
    /// assert!(moved.contains("expected generation 2 at position 7, found generation 2 at 9"), "{moved}");
    /// // A rebuild started since: the change is refused wherever the table stands.
    /// assert!(change.check(at(3, 7)).is_err());
    /// ```
    ///
    /// # Errors
    /// [`StoreError::Moved`] when `found` is not at [`StandingsChange::generation`] and
    /// [`StandingsChange::expected`].
    pub fn check(&self, found: StandingsState) -> StoreResult<()> {
        let position = found.head.map(|h| h.position);
        if found.generation == self.generation && position == self.expected {
            return Ok(());
        }
        let show = |p: Option<u64>| p.map_or_else(|| "no position".to_owned(), |p| p.to_string());
        Err(StoreError::Moved(format!(
            "the table of standings moved: expected generation {} at position {}, found generation {} at {}",
            self.generation,
            show(self.expected),
            found.generation,
            show(position)
        )))
    }
}

/// A store that keeps every dossier's standing beside its log.
pub trait StandingTable {
    /// Whether this store keeps the table at all (a store of an older schema, opened to be
    /// read, does not).
    fn keeps_standings(&self) -> bool;

    /// Where the table stands and its generation (a store that keeps none: the default, no
    /// position).
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read.
    fn standings_state(&self) -> StoreResult<StandingsState>;

    /// Applies `change` in one transaction, after [checking](StandingsChange::check) its
    /// expected generation and position.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be written or the table moved; nothing is changed.
    fn apply_standings(&self, change: &StandingsChange) -> StoreResult<()>;

    /// Every row, in the order the table keeps them.
    ///
    /// # Errors
    /// [`StoreError`] when the store cannot be read.
    fn standing_rows(&self) -> StoreResult<Vec<StandingRow>>;
}

/// What a [`catch_up_standings`] or [`rebuild_standings`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StandingsCatchUp {
    /// Events read (a rebuild: every event stored).
    pub events: u64,
    /// Rows written.
    pub dossiers: u64,
    /// The position the table stands at now.
    pub position: u64,
    /// Whether it was rebuilt from scratch.
    pub rebuilt: bool,
}

/// How far behind the log the table may be for [`catch_up_standings`] to follow it event by
/// event; further behind, one scan of every dossier ([`rebuild_standings`]) is faster than
/// re-reading every touched stream through the index.
pub const STANDINGS_REBUILD_GAP: u64 = 200_000;

/// Rows written per transaction by [`rebuild_standings`]: memory holds one batch.
const REBUILD_BATCH: usize = 4_096;

/// The row of one dossier's stream (which must not be empty), judged in `context`.
///
/// ```
/// use motcua_store::standings::row_of_stream;
/// # use motcua_core::{Catalogue, Context};
/// # use motcua_core::calendar::Calendar;
/// let (catalogue, calendar) = (Catalogue::default(), Calendar::vietnam());
/// assert_eq!(row_of_stream(&Context::new(&catalogue, &calendar), &[]), None);
/// ```
pub fn row_of_stream(context: &Context<'_>, events: &[Event]) -> Option<StandingRow> {
    let (first, last) = (events.first()?, events.last()?);
    Some(StandingRow {
        dossier_id: last.dossier_id.clone(),
        first_second: first.occurred_at.unix_timestamp(),
        standing: context
            .standing(events)
            .ok()
            .map(|s| standing_codec::encode(&s)),
    })
}

/// Brings the table up to the end of the log: reads the events after its position a page at
/// a time, re-reads the stream of every dossier a page touches (up to the page's end), and
/// writes their rows with the page's last position in one transaction. Never built, built for another `fingerprint`,
/// or more than [`STANDINGS_REBUILD_GAP`] events behind: [`rebuild_standings`] instead. A store
/// that does not [keep standings](StandingTable::keeps_standings): `Ok(None)`, nothing done. A
/// position missing from the log after the table's (an event removed by hand) stops it with an
/// error, the table left where it was (reports then read events and meet the damage).
///
/// Safe to run from several processes at once: a page written from a position another
/// maintainer has moved since is refused ([`StoreError::Moved`]) and nothing of it is written;
/// this then goes on from where the other left the table, up to
/// [`MOVED_RETRIES`](crate::open_dossiers::MOVED_RETRIES) times, and stops without an error
/// when the other is rebuilding it (the table has no position: that one finishes it) or built
/// it for another `fingerprint`.
///
/// # Errors
/// [`StoreError`] when the store cannot be read or written, or the table was moved more than
/// [`MOVED_RETRIES`](crate::open_dossiers::MOVED_RETRIES) times while this ran (nothing of the
/// refused page is written).
pub fn catch_up_standings<S>(
    store: &S,
    context: &Context<'_>,
    fingerprint: u64,
    page: usize,
) -> StoreResult<Option<StandingsCatchUp>>
where
    S: EventStore + DossierScan + StandingTable + Sync + ?Sized,
{
    if !store.keeps_standings() {
        return Ok(None);
    }
    let mut done = StandingsCatchUp::default();
    let mut state = store.standings_state()?;
    let mut moved = 0;
    loop {
        let followed = match state.head {
            Some(head)
                if head.context == fingerprint
                    && store.last_position()?.saturating_sub(head.position)
                        <= STANDINGS_REBUILD_GAP =>
            {
                follow_standings(store, context, page, state.generation, head, &mut done)
            }
            _ => rebuild_standings(store, context, fingerprint).map(|built| {
                done.events += built.events;
                done.dossiers += built.dossiers;
                done.position = built.position;
                done.rebuilt = true;
            }),
        };
        match followed {
            Err(StoreError::Moved(_)) if moved < crate::open_dossiers::MOVED_RETRIES => {
                moved += 1;
                state = store.standings_state()?;
                // Being rebuilt by another maintainer (no position: it finishes the table),
                // or built for another context: left to that one.
                if state.head.is_none_or(|h| h.context != fingerprint) {
                    return Ok(Some(done));
                }
            }
            other => return other.map(|()| Some(done)),
        }
    }
}

/// [`catch_up_standings`] from `head`, in `generation`, page by page, adding what it wrote to
/// `done`.
fn follow_standings<S>(
    store: &S,
    context: &Context<'_>,
    page: usize,
    generation: u64,
    head: StandingsHead,
    done: &mut StandingsCatchUp,
) -> StoreResult<()>
where
    S: EventStore + DossierScan + StandingTable + Sync + ?Sized,
{
    let mut position = head.position;
    done.position = position;
    loop {
        let events = store.read_all(position, page.max(1))?;
        let Some(last) = events.last() else {
            return Ok(());
        };
        gap_free(position, &events)?;
        let next = last.position;
        // Each dossier the page touched, with its last sequence up to the page's end: events
        // of its stream after that are after `next`, and are left to the next page, so that
        // the row holds what the head says and nothing the triggers could not watch.
        let mut touched: BTreeMap<&DossierId, u64> = BTreeMap::new();
        for e in &events {
            let last = touched.entry(&e.event.dossier_id).or_default();
            *last = (*last).max(e.event.sequence);
        }
        let mut change = StandingsChange {
            generation,
            expected: Some(position),
            ..StandingsChange::default()
        };
        for (dossier, through) in touched {
            let mut stream = store.read_stream(dossier)?;
            stream.retain(|e| e.sequence <= through);
            change.upserts.extend(row_of_stream(context, &stream));
        }
        change.head = Some(StandingsHead {
            position: next,
            context: head.context,
        });
        store.apply_standings(&change)?;
        done.events += events.len() as u64;
        done.dossiers += change.upserts.len() as u64;
        done.position = next;
        position = next;
    }
}

/// Checks that `events`, read after `position`, continue it without a gap: a hole left by an
/// event removed by hand above the table's position (which no trigger watches) would
/// otherwise be read past, and a row inserted into it later would never be judged.
fn gap_free(position: u64, events: &[crate::StoredEvent]) -> StoreResult<()> {
    for (expected, stored) in (position + 1..).zip(events) {
        if stored.position != expected {
            return Err(StoreError::Backend(format!(
                "the log has no event at position {expected} (the next is at {}): positions are not gap-free (an event removed by hand?); the table of standings is not brought past it, `motcua verify` names the damage",
                stored.position
            )));
        }
    }
    Ok(())
}

/// Makes the table from scratch: empties it and starts the next generation (it has no position
/// until the end; a rebuild started by someone else meanwhile makes this one's next write
/// fail, and that one finishes the table), reads every
/// dossier's stream in one snapshot of the log (newest first in storage order for a store that
/// [keeps its log order](DossierScan::keeps_log_order), a sequential read; by dossier id
/// otherwise), judges each and writes the rows 4,096 at a time, then the position
/// the snapshot reached. Memory is a batch of rows and, on a log-ordered store, the dossiers
/// in flight at the point of the log reached. Events committed during the rebuild are read
/// by the next [`catch_up_standings`].
///
/// # Errors
/// [`StoreError`] when the store cannot be read or written; the table is then left without
/// a position (readers read events) until a later rebuild.
pub fn rebuild_standings<S>(
    store: &S,
    context: &Context<'_>,
    fingerprint: u64,
) -> StoreResult<StandingsCatchUp>
where
    S: EventStore + DossierScan + StandingTable + Sync + ?Sized,
{
    let found = store.standings_state()?;
    store.apply_standings(&StandingsChange {
        generation: found.generation,
        expected: found.head.map(|h| h.position),
        reset: true,
        ..StandingsChange::default()
    })?;
    let generation = found.generation + 1;
    let mut done = StandingsCatchUp {
        rebuilt: true,
        ..StandingsCatchUp::default()
    };
    let mut batch: Vec<StandingRow> = Vec::with_capacity(REBUILD_BATCH);
    let flush = |batch: &mut Vec<StandingRow>| -> StoreResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        store.apply_standings(&StandingsChange {
            generation,
            upserts: std::mem::take(batch),
            ..StandingsChange::default()
        })
    };
    let mut through = 0;
    let mut visit = |events: &[Event], done: &mut StandingsCatchUp| -> StoreResult<()> {
        done.events += events.len() as u64;
        if let Some(row) = row_of_stream(context, events) {
            batch.push(row);
            done.dossiers += 1;
        }
        if batch.len() == REBUILD_BATCH {
            flush(&mut batch)?;
        }
        Ok(())
    };
    if store.keeps_log_order() {
        let mut decoder = crate::codec::compact::Decoder::default();
        let mut events = Vec::new();
        // Every stream is decoded here, on the scanning thread: the dossiers in flight are
        // held compact (a store of JSON bodies, PostgreSQL's, then holds a quarter of them).
        let mut grouper = crate::NewestFirst::holding_compact();
        let mut whole = |stream: crate::StoredStream| -> StoreResult<()> {
            for (position, _, _) in stream.rows() {
                through = through.max(position);
            }
            stream.decode_into(&mut decoder, &mut events)?;
            visit(&events, &mut done)
        };
        store.scan_log_newest_first(|row: crate::LogRow<'_>| grouper.push_row(row, &mut whole))?;
        grouper.finish()?;
    } else {
        let range = store
            .dossier_ranges(1)?
            .into_iter()
            .next()
            .unwrap_or(DossierRange::ALL);
        through = range.through.unwrap_or(0);
        store.scan_dossiers(&range, |events: &[Event]| visit(events, &mut done))?;
    }
    flush(&mut batch)?;
    // Positions are gap-free from 1: as many events as the last position, or the log lost or
    // gained a row behind the store's back (the table is left without a position).
    if done.events != through {
        return Err(StoreError::Backend(format!(
            "the log holds {} events up to position {through}: positions are not gap-free from 1 (an event removed or inserted by hand?); the table of standings is not built, `motcua verify` names the damage",
            done.events
        )));
    }
    store.apply_standings(&StandingsChange {
        generation,
        head: Some(StandingsHead {
            position: through,
            context: fingerprint,
        }),
        ..StandingsChange::default()
    })?;
    done.position = through;
    Ok(done)
}
