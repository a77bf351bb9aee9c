//! Maintainers racing on one store (an import, `motcua follow` and a host's own maintainer
//! catching the open-dossier projection up at once): the one whose change is refused because
//! another moved the projection goes on from there and ends at the log's end, with the rows a
//! rebuild gives; one that keeps losing gives up after its retries, having written nothing.

use super::desk::{catalogue, life};
use super::fixtures::ok;
use super::open_dossiers::{record, reference};
use crate::desk::Desk;
use crate::error::StoreError;
use crate::open_dossiers::{
    catch_up, OpenChange, OpenDossier, OpenDossierTable, OpenHead, Page, RowAlarms, Selection,
    StandingRows, MOVED_RETRIES,
};
use crate::standings::{
    catch_up_standings, row_of_stream, StandingRead, StandingRow, StandingTable, StandingsChange,
    StandingsState,
};
use crate::store::{Appended, EventStore, StoredEvent, StreamBatch};
use crate::StoreResult;
use crate::{DossierRange, DossierScan, LogRow};
use motcua_core::calendar::Calendar;
use motcua_core::{Context, DossierId, Event};
use std::sync::Mutex;

/// A store on which a rival maintainer (another process, in life) acts just before each of
/// this one's changes to the projection, while it has turns left.
struct Rival<'a, S> {
    store: &'a S,
    /// What the rival does: given the store and the turn (counting down to 1).
    act: &'a (dyn Fn(&S, u32) + Sync),
    /// The rival's turns left (a `Mutex`, not a `Cell`: the store is `Sync`).
    turns: Mutex<u32>,
}

impl<'a, S> Rival<'a, S> {
    fn new(store: &'a S, act: &'a (dyn Fn(&S, u32) + Sync), turns: u32) -> Self {
        Rival {
            store,
            act,
            turns: Mutex::new(turns),
        }
    }
}

impl<S: EventStore> EventStore for Rival<'_, S> {
    fn append_streams(&self, batches: &[StreamBatch]) -> StoreResult<Vec<Appended>> {
        self.store.append_streams(batches)
    }
    fn read_stream(&self, dossier: &DossierId) -> StoreResult<Vec<Event>> {
        self.store.read_stream(dossier)
    }
    fn read_all(&self, from_position: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        self.store.read_all(from_position, limit)
    }
    fn last_position(&self) -> StoreResult<u64> {
        self.store.last_position()
    }
    fn stream_version(&self, dossier: &DossierId) -> StoreResult<u64> {
        self.store.stream_version(dossier)
    }
    fn dossier_ids(&self) -> StoreResult<Vec<DossierId>> {
        self.store.dossier_ids()
    }
}

impl<S: OpenDossierTable> OpenDossierTable for Rival<'_, S> {
    fn open_head(&self) -> StoreResult<Option<OpenHead>> {
        self.store.open_head()
    }
    fn open_rows(
        &self,
        selection: Selection<'_>,
        alarms: RowAlarms,
    ) -> StoreResult<Vec<OpenDossier>> {
        self.store.open_rows(selection, alarms)
    }
    fn open_standings(
        &self,
        selection: Selection<'_>,
        page: Page<'_>,
    ) -> StoreResult<Option<StandingRows>> {
        self.store.open_standings(selection, page)
    }
    fn apply_open(&self, change: &OpenChange) -> StoreResult<()> {
        self.rival_acts();
        self.store.apply_open(change)
    }
}

impl<S> Rival<'_, S> {
    /// The rival's turn, if it has one left.
    fn rival_acts(&self) {
        let turn = {
            let mut turns = self.turns.lock().unwrap_or_else(|e| e.into_inner());
            let turn = *turns;
            *turns = turn.saturating_sub(1);
            turn
        };
        if turn > 0 {
            (self.act)(self.store, turn);
        }
    }
}

impl<S: DossierScan> DossierScan for Rival<'_, S> {
    fn dossier_ranges(&self, parts: usize) -> Result<Vec<DossierRange>, StoreError> {
        self.store.dossier_ranges(parts)
    }
    fn scan_dossiers<E, F>(&self, range: &DossierRange, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(&[Event]) -> Result<(), E>,
    {
        self.store.scan_dossiers(range, visit)
    }
    fn keeps_log_order(&self) -> bool {
        self.store.keeps_log_order()
    }
    fn scan_log_newest_first<E, F>(&self, visit: F) -> Result<(), E>
    where
        E: From<StoreError>,
        F: FnMut(LogRow<'_>) -> Result<(), E>,
    {
        self.store.scan_log_newest_first(visit)
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
        self.store
            .scan_standings(fingerprint, visit, needing, events)
    }
}

impl<S: StandingTable> StandingTable for Rival<'_, S> {
    fn keeps_standings(&self) -> bool {
        self.store.keeps_standings()
    }
    fn standings_state(&self) -> StoreResult<StandingsState> {
        self.store.standings_state()
    }
    fn apply_standings(&self, change: &StandingsChange) -> StoreResult<()> {
        self.rival_acts();
        self.store.apply_standings(change)
    }
    fn standing_rows(&self) -> StoreResult<Vec<StandingRow>> {
        self.store.standing_rows()
    }
}

/// Records 24 dossiers, each at its own stage of a life.
fn record_lives<S: EventStore>(desk: &Desk<'_, &S>) {
    let stages = life().len();
    for k in 0..24u32 {
        record(desk, k, 0, (k as usize * 5) % stages + 1);
    }
}

/// Moves each of [`record_lives`]' dossiers on by up to two commands.
fn move_on<S: EventStore>(desk: &Desk<'_, &S>) {
    let stages = life().len();
    for k in 0..24u32 {
        let at = (k as usize * 5) % stages + 1;
        record(desk, k, at, (at + 2).min(stages));
    }
}

/// Asserts the projection holds the reference rows, judged for `fingerprint`, at the log's
/// end.
fn at_the_end<S: EventStore + OpenDossierTable>(
    store: &S,
    context: &Context<'_>,
    fingerprint: u64,
    what: &str,
) {
    let head = ok(store.open_head()).unwrap_or_else(|| panic!("{what}: never built"));
    assert_eq!(
        head.context, fingerprint,
        "{what}: judged for another context"
    );
    assert_eq!(
        head.position,
        ok(store.last_position()),
        "{what}: not at the log's end"
    );
    let (found, expected) = (ok(store.open_all()), reference(store, context));
    assert_eq!(
        found
            .iter()
            .map(|r| r.dossier_id.as_str())
            .collect::<Vec<_>>(),
        expected
            .iter()
            .map(|r| r.dossier_id.as_str())
            .collect::<Vec<_>>(),
        "{what}: not the open dossiers"
    );
    // Rows are read without their standings; those are read on their own.
    for (f, e) in found.iter().zip(&expected) {
        let e = OpenDossier {
            standing: None,
            ..e.clone()
        };
        assert!(
            f == &e,
            "{what}: dossier {}'s row is not its stream's",
            e.dossier_id
        );
    }
    let want: Vec<_> = expected
        .iter()
        .map(|r| (r.dossier_id.clone(), r.stored_standing()))
        .collect();
    assert!(
        ok(store.open_standings(Selection::All, Page::ALL)).is_none_or(|found| found == want),
        "{what}: the standings are not the dossiers' streams'"
    );
}

/// `store` (empty) gets dossiers at every stage of a life; then, each time with a rival
/// maintainer acting on the store just before this one's first change:
///
/// 1. the rival builds the projection while this one builds it too: this one's rebuild is
///    refused, and its catch-up still succeeds (the rival's build standing), at the log's end
///    with the reference rows;
/// 2. dossiers move on and the rival catches up in the middle of this one's page-by-page
///    catch-up: the same;
/// 3. the rival builds it for another context (another catalogue): this one stops without an
///    error and leaves it so, rather than rebuilding it back;
/// 4. a rival that records an event and catches up before every change of this one makes it
///    give up after [`MOVED_RETRIES`] with [`StoreError::Moved`], nothing of its own written.
pub fn racing_maintainers_end_at_the_log_end<S>(store: &S)
where
    S: EventStore + OpenDossierTable,
{
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let desk = Desk::new(store, context);
    record_lives(&desk);
    let rival_catches_up = |store: &S, _turn: u32| {
        ok(catch_up(store, &context, 1, 1_000));
    };

    // 1. Both build it.
    let done = catch_up(&Rival::new(store, &rival_catches_up, 1), &context, 1, 1_000);
    assert!(done.is_ok(), "a build that lost to another: {done:?}");
    at_the_end(store, &context, 1, "both built it");

    // 2. Dossiers move on; the rival catches up in the middle of this one's pages.
    move_on(&desk);
    let before = ok(store.open_head()).map(|h| h.position);
    assert!(before < Some(ok(store.last_position())), "nothing recorded");
    let done = catch_up(&Rival::new(store, &rival_catches_up, 1), &context, 1, 3);
    assert!(
        done.as_ref().is_ok_and(|d| !d.rebuilt),
        "a catch-up that lost to another: {done:?}"
    );
    at_the_end(store, &context, 1, "caught up by both");

    // 3. The rival judges with another context.
    record(&desk, 30, 0, 2);
    let other = |store: &S, _turn: u32| {
        ok(catch_up(store, &context, 2, 1_000));
    };
    let done = catch_up(&Rival::new(store, &other, 1), &context, 1, 1_000);
    assert!(done.is_ok(), "lost to another context: {done:?}");
    at_the_end(store, &context, 2, "left to the other context");
    ok(catch_up(store, &context, 1, 1_000));
    at_the_end(store, &context, 1, "built again for this context");

    // 4. A rival that always moves it first, and records an event after where it left it.
    let always = |store: &S, turn: u32| {
        ok(catch_up(store, &context, 1, 1_000));
        record(&Desk::new(store, context), 100 + turn, 0, 1);
    };
    record(&desk, 31, 0, 2);
    let done = catch_up(
        &Rival::new(store, &always, MOVED_RETRIES + 1),
        &context,
        1,
        1_000,
    );
    assert!(
        matches!(done, Err(StoreError::Moved(_))),
        "a maintainer that always loses gives up with Moved: {done:?}"
    );
    ok(catch_up(store, &context, 1, 1_000));
    at_the_end(store, &context, 1, "caught up after one gave up");
}

/// Asserts the table of standings holds every dossier's row from its stream, judged for
/// `fingerprint`, at the log's end.
fn standings_at_the_end<S>(store: &S, context: &Context<'_>, fingerprint: u64, what: &str)
where
    S: EventStore + StandingTable,
{
    let state = ok(store.standings_state());
    let head = state
        .head
        .unwrap_or_else(|| panic!("{what}: the table has no position"));
    assert_eq!(
        head.context, fingerprint,
        "{what}: judged for another context"
    );
    assert_eq!(
        head.position,
        ok(store.last_position()),
        "{what}: not at the log's end"
    );
    let mut found = ok(store.standing_rows());
    found.sort_by(|a, b| a.dossier_id.cmp(&b.dossier_id));
    let expected: Vec<StandingRow> = ok(store.dossier_ids())
        .iter()
        .filter_map(|id| row_of_stream(context, &ok(store.read_stream(id))))
        .collect();
    assert!(
        found == expected,
        "{what}: the rows are not those of the dossiers' streams"
    );
}

/// The table of standings with a rival maintainer acting just before this one's first write,
/// on `store` (empty, keeping standings):
///
/// 1. the rival builds the table while this one builds it too: this one's rebuild is stopped,
///    and its catch-up succeeds, the table at the log's end with every dossier's row;
/// 2. dossiers move on and the rival catches up in the middle of this one's pages: the same;
/// 3. the rival starts a rebuild (the table without a position until it ends): this one
///    stops without an error and leaves the table to it, rather than starting a rebuild that
///    would stop the rival's; the next catch-up builds it.
pub fn racing_standings_maintainers_end_at_the_log_end<S>(store: &S)
where
    S: EventStore + DossierScan + StandingTable,
{
    assert!(store.keeps_standings(), "the store keeps no standings");
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let desk = Desk::new(store, context);
    record_lives(&desk);
    let rival_catches_up = |store: &S, _turn: u32| {
        ok(catch_up_standings(store, &context, 1, 1_000));
    };

    // 1. Both build it.
    let done = catch_up_standings(&Rival::new(store, &rival_catches_up, 1), &context, 1, 1_000);
    assert!(done.is_ok(), "a build that lost to another: {done:?}");
    standings_at_the_end(store, &context, 1, "both built it");

    // 2. Dossiers move on; the rival catches up in the middle of this one's pages.
    move_on(&desk);
    let done = catch_up_standings(&Rival::new(store, &rival_catches_up, 1), &context, 1, 3);
    assert!(
        done.as_ref().is_ok_and(|d| d.is_some_and(|d| !d.rebuilt)),
        "a catch-up that lost to another: {done:?}"
    );
    standings_at_the_end(store, &context, 1, "caught up by both");

    // 3. The rival starts a rebuild, and is still at it.
    record(&desk, 30, 0, 2);
    let rival_starts_a_rebuild = |store: &S, _turn: u32| {
        let found = ok(store.standings_state());
        ok(store.apply_standings(&StandingsChange {
            generation: found.generation,
            expected: found.head.map(|h| h.position),
            reset: true,
            ..StandingsChange::default()
        }));
    };
    let done = catch_up_standings(
        &Rival::new(store, &rival_starts_a_rebuild, 1),
        &context,
        1,
        1_000,
    );
    assert!(done.is_ok(), "lost to a rebuild: {done:?}");
    assert_eq!(
        ok(store.standings_state()).head,
        None,
        "a rebuild going on was stopped by a catch-up"
    );
    ok(catch_up_standings(store, &context, 1, 1_000));
    standings_at_the_end(store, &context, 1, "built by the next catch-up");
}
