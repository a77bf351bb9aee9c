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
/// before the table's position takes its position away, so that reports read the events and
/// meet the damage; the next catch-up rebuilds it.
#[test]
fn an_event_changed_or_removed_by_hand_puts_the_standings_out_of_use() {
    let scratch = Scratch::new("dossier-standings-tamper");
    let path = scratch.path("store.db");
    let sample = common::imported_sample(&path, 200, 4);
    let calendar = Calendar::vietnam();
    let context = Context::new(&sample.catalogue, &calendar);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    for (n, edit) in [
        "UPDATE events SET body = body WHERE position = 5",
        "UPDATE events SET dossier_id = dossier_id WHERE position = (SELECT MAX(position) FROM events)",
        "DELETE FROM events WHERE position = 7",
    ]
    .into_iter()
    .enumerate()
    {
        catch_up_standings(&store, &context, 1, 100).unwrap_or_else(|e| panic!("{e}"));
        assert!(current(&store, 1), "{n}");
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(edit).unwrap_or_else(|e| panic!("{e}"));
        drop(conn);
        let state = store.standings_state().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(state.head, None, "{edit}");
        assert!(!current(&store, 1), "{edit}");
    }
}
