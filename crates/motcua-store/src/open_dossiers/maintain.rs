//! Keeping the projection current: [`catch_up`] from its position, [`rebuild`] from scratch.

use super::table::{OpenChange, OpenDossier, OpenDossierTable, OpenHead};
use crate::store::{EventStore, StoreResult, StoredEvent};
use motcua_core::state::{evolve, DossierState};
use motcua_core::{Context, DossierId, Event, Status, UnitId};
use std::collections::{BTreeSet, HashMap};
use time::OffsetDateTime;

/// What a [`catch_up`] or [`rebuild`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CatchUp {
    /// Events of the log read (a rebuild: every event stored).
    pub events: u64,
    /// Rows written or removed.
    pub dossiers: u64,
    /// The position the projection stands at now.
    pub position: u64,
    /// Whether it was rebuilt from scratch (never built, or built for another catalogue or
    /// calendar).
    pub rebuilt: bool,
}

/// The projection's row of a dossier from its whole stream: `None` when it is finished (or
/// the stream is empty). Its alarms are those after its last event, as `context` judges them;
/// a dossier `context` cannot judge (a procedure missing from the catalogue) gets none, and a
/// reader judging it reports the error as a full scan would.
///
/// ```
/// use motcua_store::open_dossiers::row_of;
/// # use motcua_core::{Catalogue, Context};
/// # use motcua_core::calendar::Calendar;
/// let catalogue = Catalogue::default();
/// let calendar = Calendar::vietnam();
/// assert_eq!(row_of(&Context::new(&catalogue, &calendar), &[]), None);
/// ```
pub fn row_of(context: &Context<'_>, events: &[Event]) -> Option<OpenDossier> {
    let last = events.last()?;
    let (unit, status) = open_at_end(events)?;
    let standing = context.standing(events).ok();
    // The alarms after the last event, from the standing's view as of then (the standing law:
    // the same as from the events).
    let mut alarms: Vec<OffsetDateTime> = standing
        .as_ref()
        .and_then(|s| context.alarms_of_standing(s).ok())
        .map(|alarms| alarms.into_iter().map(|a| a.at).collect())
        .unwrap_or_default();
    alarms.sort();
    alarms.dedup();
    Some(OpenDossier {
        dossier_id: last.dossier_id.clone(),
        unit,
        status,
        events: events.to_vec(),
        alarms,
        standing,
    })
}

/// The latest instant any of a stream's events occurred at: its last event's, unless the
/// stream goes back in time (a store's raw append does not check), as a standing stands
/// ([`Context::standing`]).
pub(crate) fn latest_occurrence(stream: &[Event]) -> Option<OffsetDateTime> {
    stream.iter().map(|e| e.occurred_at).max()
}

/// The unit holding the dossier and its status after its last event, if it is open then.
pub(crate) fn open_at_end(events: &[Event]) -> Option<(UnitId, Status)> {
    let state = events.iter().fold(DossierState::default(), evolve);
    let status = state.status.filter(|s| !s.is_finished())?;
    Some((state.current_unit.or(state.receiving_unit)?, status))
}

/// A fingerprint of the catalogue and calendar alarm instants are computed with: FNV-1a over
/// the parts, each preceded by its length. Give it what defines your context (the catalogue's
/// JSON, your calendar file, your motcua version): when it changes, [`catch_up`] rebuilds.
///
/// ```
/// use motcua_store::open_dossiers::fingerprint;
/// assert_eq!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"ab", b"c"]));
/// assert_ne!(fingerprint(&[b"ab", b"c"]), fingerprint(&[b"a", b"bc"]));
/// ```
pub fn fingerprint(parts: &[&[u8]]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    let mut eat = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(PRIME);
        }
    };
    for part in parts {
        eat(&(part.len() as u64).to_le_bytes());
        eat(part);
    }
    hash
}

/// How far behind the log a projection may be for [`catch_up`] to follow it event by event;
/// further behind, one ordered scan ([`rebuild`]) is faster than re-reading every touched
/// stream through the index.
pub const REBUILD_GAP: u64 = 200_000;

/// Brings the projection up to the end of the log: reads the events after its position a
/// page at a time, re-reads the whole stream of every dossier a page touches, and writes their
/// rows with the page's last position in one transaction. Never built, built for another
/// `context` fingerprint, or more than [`REBUILD_GAP`] events behind: [`rebuild`]s instead.
///
/// Safe to run from several processes at once (an import, `motcua follow` and a host's own
/// maintainer on one store): a change made from a position another one has moved since is
/// refused ([`StoreError::Moved`](crate::StoreError::Moved)) and nothing of it is written; this
/// then starts again from where the other left the projection, up to [`MOVED_RETRIES`] times
/// (each start again follows another maintainer's commit), and stops without an error when the
/// other built it for another `context` fingerprint: two maintainers judging with different
/// catalogues do not rebuild it back and forth.
///
/// ```
/// use motcua_store::open_dossiers::{catch_up, OpenDossierTable};
/// use motcua_store::InMemoryStore;
/// # use motcua_core::{Catalogue, Context};
/// # use motcua_core::calendar::Calendar;
/// let (catalogue, calendar) = (Catalogue::default(), Calendar::vietnam());
/// let store = InMemoryStore::new();
/// let done = catch_up(&store, &Context::new(&catalogue, &calendar), 7, 1_000)?;
/// assert!(done.rebuilt);
/// assert_eq!(store.open_head()?.map(|h| h.position), Some(0));
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
///
/// # Errors
/// [`StoreError`](crate::StoreError) when the store cannot be read or written, or the projection moved.
pub fn catch_up<S>(
    store: &S,
    context: &Context<'_>,
    fingerprint: u64,
    page: usize,
) -> StoreResult<CatchUp>
where
    S: EventStore + OpenDossierTable + Sync + ?Sized,
{
    let mut done = CatchUp::default();
    let mut moved = 0;
    loop {
        match catch_up_from_head(store, context, fingerprint, page, &mut done) {
            Err(crate::StoreError::Moved(_)) if moved < MOVED_RETRIES => {
                moved += 1;
                // Moved for another context (a maintainer judging with another catalogue or
                // calendar): left as that one made it, rather than rebuilt back and forth.
                if store.open_head()?.is_some_and(|h| h.context != fingerprint) {
                    return Ok(done);
                }
            }
            other => return other.map(|()| done),
        }
    }
}

/// How many times [`catch_up`] starts again from where another maintainer moved the
/// projection before it gives up and returns [`StoreError::Moved`](crate::StoreError::Moved).
pub const MOVED_RETRIES: u32 = 16;

/// One [`catch_up`] from where the projection stands now, adding what it did to `done` (the
/// pages written before another maintainer moved the projection stay counted).
fn catch_up_from_head<S>(
    store: &S,
    context: &Context<'_>,
    fingerprint: u64,
    page: usize,
    done: &mut CatchUp,
) -> StoreResult<()>
where
    S: EventStore + OpenDossierTable + Sync + ?Sized,
{
    let mut head = match store.open_head()? {
        Some(head)
            if head.context == fingerprint
                && store.last_position()?.saturating_sub(head.position) <= REBUILD_GAP =>
        {
            head
        }
        _ => {
            let built = rebuild(store, context, fingerprint)?;
            done.events += built.events;
            done.dossiers += built.dossiers;
            done.position = built.position;
            done.rebuilt = true;
            return Ok(());
        }
    };
    done.position = head.position;
    loop {
        let events = store.read_all(head.position, page.max(1))?;
        let Some(last) = events.last() else {
            return Ok(());
        };
        let next = last.position;
        let touched: BTreeSet<&DossierId> = events.iter().map(|e| &e.event.dossier_id).collect();
        let mut change = OpenChange {
            expected: Some(head.position),
            ..OpenChange::default()
        };
        let mut latest = head.latest_occurred_at;
        for dossier in touched {
            let stream = store.read_stream(dossier)?;
            latest = latest.max(latest_occurrence(&stream));
            match row_of(context, &stream) {
                Some(row) => change.upserts.push(row),
                None => change.removals.push(dossier.clone()),
            }
        }
        head = OpenHead {
            position: next,
            context: fingerprint,
            latest_occurred_at: latest,
        };
        change.head = Some(head);
        store.apply_open(&change)?;
        done.events += events.len() as u64;
        done.dossiers += (change.upserts.len() + change.removals.len()) as u64;
        done.position = next;
    }
}

/// Makes the projection from scratch: one pass over the log in position order (the order a
/// store keeps its events in, so the read is sequential), following every dossier's state and
/// keeping the events of those still open; the table is replaced by their rows in one
/// transaction. A finished dossier never reopens (refused, withdrawn, stopped, result ready
/// and returned only lead to one another: `motcua_core::rules`), so it is forgotten as soon
/// as it finishes: a dossier the pass does not follow is new at its first event (sequence 1)
/// and finished before at any later one, since a stream's events are numbered from 1 without
/// gaps and its first has the lowest position. Memory is the open dossiers' events, not the
/// log nor the number of dossiers it ever held. Events committed during the pass are read by it, or by
/// the next [`catch_up`].
///
/// # Errors
/// [`StoreError`](crate::StoreError) when the store cannot be read or written, or another maintainer moved the
/// projection meanwhile.
pub fn rebuild<S>(store: &S, context: &Context<'_>, fingerprint: u64) -> StoreResult<CatchUp>
where
    S: EventStore + OpenDossierTable + Sync + ?Sized,
{
    let expected = store.open_head()?.map(|h| h.position);
    // The dossiers still open: their state and events.
    let mut open: HashMap<DossierId, Box<Progress>> = HashMap::new();
    let (mut position, mut events, mut latest) = (0, 0u64, None);
    // One thread reads and decodes pages of the log while this one follows the dossiers.
    let (pages, receive) = std::sync::mpsc::sync_channel::<StoreResult<Vec<StoredEvent>>>(2);
    std::thread::scope(|scope| -> StoreResult<()> {
        let reader = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut from = 0;
            loop {
                let page = store.read_all(from, REBUILD_PAGE);
                let next = match &page {
                    Ok(page) => page.last().map(|e| e.position),
                    Err(_) => None,
                };
                if pages.send(page).is_err() {
                    return;
                }
                match next {
                    Some(next) => from = next,
                    None => return,
                }
            }
        });
        if let Err(e) = reader {
            return Err(crate::StoreError::Backend(format!(
                "the thread reading the log could not be started: {e}"
            )));
        }
        for page in receive {
            let page = page?;
            let Some(last) = page.last() else {
                break;
            };
            position = last.position;
            events += page.len() as u64;
            for stored in page {
                let event = stored.event;
                latest = latest.max(Some(event.occurred_at));
                // Looked up by reference first: the id is copied once per dossier, not per
                // event.
                let progress = match open.get_mut(&event.dossier_id) {
                    Some(progress) => progress,
                    // Not followed: new at its first event, finished before at a later one.
                    None if event.sequence == 1 => {
                        open.entry(event.dossier_id.clone()).or_default()
                    }
                    None => continue,
                };
                let Progress { state, stream } = &mut **progress;
                *state = evolve(std::mem::take(state), &event);
                if state.status.is_some_and(|s| s.is_finished()) {
                    open.remove(&event.dossier_id);
                } else {
                    stream.push(event);
                }
            }
        }
        Ok(())
    })?;
    let mut rows: Vec<OpenDossier> = open
        .into_values()
        .filter_map(|open| row_of(context, &open.stream))
        .collect();
    rows.sort_by(|a, b| a.dossier_id.cmp(&b.dossier_id));
    let dossiers = rows.len() as u64;
    store.apply_open(&OpenChange {
        expected,
        reset: true,
        upserts: rows,
        removals: Vec::new(),
        head: Some(OpenHead {
            position,
            context: fingerprint,
            latest_occurred_at: latest,
        }),
    })?;
    Ok(CatchUp {
        events,
        dossiers,
        position,
        rebuilt: true,
    })
}

/// A dossier still open during a [`rebuild`]: its state so far and its events.
#[derive(Default)]
struct Progress {
    state: DossierState,
    stream: Vec<Event>,
}

/// Events read from the log at a time by [`rebuild`].
const REBUILD_PAGE: usize = 20_000;
