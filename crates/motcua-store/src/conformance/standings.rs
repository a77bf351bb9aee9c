//! Every dossier's standing on a store that keeps them ([`crate::standings`]): built by the
//! first catch-up, left alone by a catch-up with nothing new, rebuilt for another context; a
//! rebuild stopped by a change to the log made while it reads. The checks take a store whose
//! events are already stored (each store's tests import them their own way) and whose table
//! is empty, without a position.

use crate::scan::DossierScan;
use crate::standings::{
    catch_up_standings, StandingTable, StandingsChange, StandingsHead, StandingsState,
};
use crate::store::EventStore;
use crate::StoreError;
use motcua_core::{Context, Event};

/// `result`'s value, or a panic naming `what` failed and why.
fn must<T>(result: Result<T, StoreError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e}"))
}

/// Asserts that `store` refuses `change` because the table moved under it (`otherwise` says
/// what accepting it would mean).
fn refused_as_moved<S: StandingTable>(store: &S, change: &StandingsChange, otherwise: &str) {
    let refused = store.apply_standings(change);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("the table of standings moved")),
        "{otherwise}: {refused:?}"
    );
}

/// Whether a full report would read `store`'s standings for `fingerprint`: the table is kept,
/// current to the log's last position and judged with that fingerprint.
pub fn standings_current<S: DossierScan>(store: &S, fingerprint: u64) -> bool {
    must(
        store.scan_standings(
            fingerprint,
            |_| Ok::<(), StoreError>(()),
            || Ok(Some(Vec::new())),
            |_: &[Event]| Ok(()),
        ),
        "scan the standings",
    )
}

/// `store` holds `events` events of `dossiers` dossiers and keeps a table of standings never
/// built. The first catch-up (fingerprint 1) rebuilds it: a row per dossier, each with a
/// standing, at the log's last position, generation 1, current for 1 and not for 2; caught
/// up again with nothing new it writes nothing; for fingerprint 2 it is rebuilt (generation
/// 2), current for 2 and no longer for 1.
pub fn standings_are_built_then_followed<S>(
    store: &S,
    context: &Context<'_>,
    dossiers: u64,
    events: u64,
) where
    S: EventStore + DossierScan + StandingTable + Sync,
{
    assert!(store.keeps_standings(), "the store keeps no standings");
    assert_eq!(
        must(store.standings_state(), "the table's state"),
        StandingsState::default(),
        "a table never built has no position and no generation"
    );
    assert!(
        must(store.standing_rows(), "the rows").is_empty(),
        "a table never built has rows"
    );
    assert!(!standings_current(store, 1), "a table never built is read");
    let done = must(
        catch_up_standings(store, context, 1, 100),
        "the first catch-up",
    )
    .unwrap_or_else(|| panic!("a store that keeps standings did not catch up"));
    assert!(done.rebuilt, "the first catch-up did not rebuild");
    assert_eq!(done.dossiers, dossiers, "rows written by the rebuild");
    assert_eq!(done.events, events, "events read by the rebuild");
    assert_eq!(
        Some(done.position),
        store.last_position().ok(),
        "the rebuild's position"
    );
    let state = must(store.standings_state(), "the table's state");
    assert_eq!(state.generation, 1, "the first rebuild's generation");
    assert_eq!(
        state.head.map(|h| (h.position, h.context)),
        Some((done.position, 1)),
        "the head after the rebuild"
    );
    let rows = must(store.standing_rows(), "the rows");
    assert_eq!(rows.len() as u64, dossiers, "one row per dossier");
    assert!(
        rows.iter().all(|row| row.standing.is_some()),
        "a dossier of the catalogue without a standing"
    );
    assert!(standings_current(store, 1), "the rebuilt table is not read");
    assert!(
        !standings_current(store, 2),
        "the table is read for another context"
    );

    let again = must(catch_up_standings(store, context, 1, 100), "a catch-up")
        .unwrap_or_else(|| panic!("a store that keeps standings did not catch up"));
    assert_eq!(
        (again.rebuilt, again.dossiers, again.events),
        (false, 0, 0),
        "a catch-up with nothing new did something"
    );
    let other = must(
        catch_up_standings(store, context, 2, 100),
        "another context",
    )
    .unwrap_or_else(|| panic!("a store that keeps standings did not catch up"));
    assert!(other.rebuilt, "another context was not rebuilt");
    assert_eq!(
        store.standings_state().ok().map(|s| s.generation),
        Some(2),
        "the second rebuild's generation"
    );
    assert!(
        standings_current(store, 2) && !standings_current(store, 1),
        "after a rebuild for another context"
    );
}

/// A rebuild starts on `store` (whose table is never built and whose log is not empty):
/// `change_an_event` then changes an event of the log behind the store's back, as a hand with
/// the database's own client would. The rebuild's last write (its position) is refused, and
/// the table stays out of use.
pub fn a_change_during_a_rebuild_stops_it<S>(store: &S, change_an_event: impl FnOnce())
where
    S: EventStore + DossierScan + StandingTable,
{
    let last = must(store.last_position(), "the last position");
    let start = must(store.standings_state(), "the table's state");
    // A rebuild starts (the table emptied, the next generation) ...
    must(
        store.apply_standings(&StandingsChange {
            generation: start.generation,
            expected: start.head.map(|h| h.position),
            reset: true,
            ..StandingsChange::default()
        }),
        "start a rebuild",
    );
    let rebuilding = start.generation + 1;
    assert_eq!(
        store.standings_state().ok().map(|s| s.generation),
        Some(rebuilding),
        "a rebuild's start did not raise the generation"
    );
    // ... an event is changed while it reads ...
    change_an_event();
    // ... and its position is refused.
    refused_as_moved(
        store,
        &StandingsChange {
            generation: rebuilding,
            head: Some(StandingsHead {
                position: last,
                context: 1,
            }),
            ..StandingsChange::default()
        },
        "the rebuild's position was written after an event changed",
    );
    assert_eq!(
        store.standings_state().ok().and_then(|s| s.head),
        None,
        "the table has a position"
    );
    assert!(!standings_current(store, 1), "the table is read");
}

/// A catch-up reads its page, then writes its rows in a transaction of its own, naming the
/// generation it started from: `change_an_event` changes an event of `store` *after* the
/// table's position (one the catch-up has read but not yet written) behind the store's back.
/// The position stays, the generation moves, and the catch-up's write is refused, so the
/// table is never carried past an event as it was before the change; the next catch-up reads
/// the event as it is now. `store`'s table must be built and its log hold events after the
/// table's position.
pub fn a_change_after_the_position_stops_a_catch_up_that_read_it<S>(
    store: &S,
    context: &Context<'_>,
    change_an_event: impl FnOnce(),
) where
    S: EventStore + DossierScan + StandingTable + Sync,
{
    let last = must(store.last_position(), "the last position");
    let before = must(store.standings_state(), "the table's state");
    let position = before
        .head
        .map(|h| h.position)
        .unwrap_or_else(|| panic!("the table is not built"));
    assert!(position < last, "no event after the table's position");
    change_an_event();
    let after = must(store.standings_state(), "the table's state");
    assert_eq!(
        after.head, before.head,
        "the change after the position moved it"
    );
    assert_eq!(
        after.generation,
        before.generation + 1,
        "the change after the position did not start a generation"
    );
    // The catch-up that read the page before the change writes it.
    refused_as_moved(
        store,
        &StandingsChange {
            generation: before.generation,
            expected: Some(position),
            head: before.head.map(|h| StandingsHead {
                position: last,
                context: h.context,
            }),
            ..StandingsChange::default()
        },
        "a catch-up's page read before the change was written",
    );
    assert_eq!(must(store.standings_state(), "the table's state"), after);
    // The next catch-up starts from the table as it is and reaches the end of the log.
    let fingerprint = before.head.map_or(0, |h| h.context);
    let caught = must(
        catch_up_standings(store, context, fingerprint, 100),
        "the next catch-up",
    );
    assert!(caught.is_some_and(|c| !c.rebuilt && c.position == last));
    assert!(standings_current(store, fingerprint));
}
