//! Every dossier's standing in a store file (schema 7): a store from before it read as it is
//! (no table, reports read events), then migrated by a write with an empty table that the
//! first catch-up builds; a rebuild's rows are one per dossier, in a snapshot of the log.

mod common;

use common::Scratch;
use motcua_core::calendar::Calendar;
use motcua_core::{Context, Event};
use motcua_sqlite::{SqliteStore, DOSSIER_STANDINGS_SINCE, SCHEMA_VERSION};
use motcua_store::standings::{catch_up_standings, StandingTable, StandingsState};
use motcua_store::{DossierScan, EventStore, StoreError};
use std::path::Path;

/// Whether a report would read the store's standings for `fingerprint`.
fn current(store: &SqliteStore, fingerprint: u64) -> bool {
    store
        .scan_standings(
            fingerprint,
            |_| Ok::<(), StoreError>(()),
            || Ok(Some(Vec::new())),
            |_: &[Event]| Ok(()),
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Turns the closed store file at `path` back into schema 6: no table of standings.
fn before_standings(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "DROP TRIGGER events_changed_under_standings; DROP TRIGGER events_removed_under_standings;
         DROP TRIGGER events_inserted_under_standings;
         DROP TABLE dossier_standings; DROP TABLE standings_head;",
    )
    .and_then(|()| conn.pragma_update(None, "user_version", DOSSIER_STANDINGS_SINCE - 1))
    .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn a_store_from_before_standings_is_read_as_it_is_then_migrated_and_built() {
    let scratch = Scratch::new("dossier-standings-migrate");
    let path = scratch.path("store.db");
    let sample = common::imported_sample(&path, 400, 3);
    before_standings(&path);
    let calendar = Calendar::vietnam();
    let context = Context::new(&sample.catalogue, &calendar);

    // Read-only, the old file stays old: no table, nothing to read from it, nothing written.
    let read = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(read.schema_version(), DOSSIER_STANDINGS_SINCE - 1);
    assert!(!read.keeps_standings());
    assert_eq!(read.standings_state().ok(), Some(StandingsState::default()));
    assert!(!current(&read, 1));
    assert_eq!(catch_up_standings(&read, &context, 1, 100).ok(), Some(None));
    drop(read);

    // Opened to write, it migrates: an empty table without a position, until a catch-up.
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.schema_version(), SCHEMA_VERSION);
    assert!(store.keeps_standings());
    assert_eq!(
        store.standings_state().ok(),
        Some(StandingsState::default())
    );
    assert!(store
        .standing_rows()
        .unwrap_or_else(|e| panic!("{e}"))
        .is_empty());
    assert!(!current(&store, 1));
    let done = catch_up_standings(&store, &context, 1, 100)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a migrated store keeps standings"));
    assert!(done.rebuilt);
    assert_eq!(done.dossiers, 400);
    assert_eq!(done.events, sample.events.len() as u64);
    assert_eq!(Some(done.position), store.last_position().ok());
    let state = store.standings_state().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(state.generation, 1);
    assert_eq!(
        state.head.map(|h| (h.position, h.context)),
        Some((done.position, 1))
    );
    let rows = store.standing_rows().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 400);
    assert!(rows.iter().all(|row| row.standing.is_some()));
    assert!(current(&store, 1));
    assert!(!current(&store, 2));

    // Caught up again with nothing new: nothing written, no rebuild.
    let again = catch_up_standings(&store, &context, 1, 100)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a migrated store keeps standings"));
    assert_eq!((again.rebuilt, again.dossiers, again.events), (false, 0, 0));
    // Another context: rebuilt for it, the next generation.
    let other = catch_up_standings(&store, &context, 2, 100)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a migrated store keeps standings"));
    assert!(other.rebuilt);
    assert_eq!(store.standings_state().ok().map(|s| s.generation), Some(2));
    assert!(current(&store, 2) && !current(&store, 1));
}

/// The log is append-only: an event changed or removed by hand (with any SQLite client) at or
/// before the table's position, or inserted below it, takes its position away and starts the
/// next generation, so that reports read the events and meet the damage; the next catch-up
/// rebuilds it.
#[test]
fn an_event_changed_or_removed_by_hand_puts_the_standings_out_of_use() {
    let scratch = Scratch::new("dossier-standings-tamper");
    let calendar = Calendar::vietnam();
    for (n, edit) in [
        "UPDATE events SET body = body WHERE position = 5",
        "UPDATE events SET dossier_id = dossier_id WHERE position = (SELECT MAX(position) FROM events)",
        "DELETE FROM events WHERE position = 7",
        "INSERT INTO events (position, event_id, dossier_id, sequence, body, link)
         SELECT 0, 'by-hand', dossier_id, 99, body, link FROM events WHERE position = 9",
    ]
    .into_iter()
    .enumerate()
    {
        // A store each: the damage would stop the next rebuild.
        let path = scratch.path(&format!("store-{n}.db"));
        let sample = common::imported_sample(&path, 200, 4);
        let context = Context::new(&sample.catalogue, &calendar);
        let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
        catch_up_standings(&store, &context, 1, 100).unwrap_or_else(|e| panic!("{e}"));
        assert!(current(&store, 1), "{n}");
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let generation = state_of(&store).generation;
        conn.execute_batch(edit).unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        let state = state_of(&store);
        assert_eq!(state.head, None, "{edit}");
        assert_eq!(state.generation, generation + 1, "{edit}");
        assert!(!current(&store, 1), "{edit}");
    }
}

fn state_of(store: &SqliteStore) -> StandingsState {
    store.standings_state().unwrap_or_else(|e| panic!("{e}"))
}

/// A rebuild reads a snapshot while the table has no position: an event changed by hand
/// meanwhile starts the next generation, so the rebuild's last write (its position) is refused
/// and the table stays out of use; appends at the end of the log during the rebuild are left
/// to the next catch-up.
#[test]
fn an_event_changed_by_hand_during_a_rebuild_stops_it() {
    use motcua_store::standings::{StandingsChange, StandingsHead};
    let scratch = Scratch::new("dossier-standings-during-rebuild");
    let path = scratch.path("store.db");
    common::imported_sample(&path, 50, 6);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let last = store.last_position().unwrap_or_else(|e| panic!("{e}"));
    let start = state_of(&store);
    // A rebuild starts (the table emptied, the next generation) ...
    store
        .apply_standings(&StandingsChange {
            generation: start.generation,
            expected: start.head.map(|h| h.position),
            reset: true,
            ..StandingsChange::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let rebuilding = start.generation + 1;
    assert_eq!(state_of(&store).generation, rebuilding);
    // ... an event is changed by hand while it reads ...
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("UPDATE events SET body = body WHERE position = 3")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    // ... and its position is refused.
    let finish = StandingsChange {
        generation: rebuilding,
        head: Some(StandingsHead {
            position: last,
            context: 1,
        }),
        ..StandingsChange::default()
    };
    let refused = store.apply_standings(&finish);
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("the table of standings moved")),
        "{refused:?}"
    );
    assert_eq!(state_of(&store).head, None);
    assert!(!current(&store, 1));
}

/// A store in memory keeps no standings (its one connection would be held by a rebuild's
/// scan while the rows are written): catching up does nothing, reports read events.
#[test]
fn a_store_in_memory_keeps_no_standings() {
    let store = SqliteStore::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    let sample = common::sample_into(&store, 30, 2);
    let calendar = Calendar::vietnam();
    let context = Context::new(&sample.catalogue, &calendar);
    assert!(!store.keeps_standings());
    assert_eq!(
        catch_up_standings(&store, &context, 1, 100).ok(),
        Some(None)
    );
    assert!(!current(&store, 1));
}
