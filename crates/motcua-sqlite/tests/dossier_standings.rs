//! Every dossier's standing in a store file (schema 7): a store from before it read as it is
//! (no table, reports read events), then migrated by a write with an empty table that the
//! first catch-up builds; a rebuild's rows are one per dossier, in a snapshot of the log.

mod common;

use common::Scratch;
use motcua_core::calendar::Calendar;
use motcua_core::Context;
use motcua_sqlite::{SqliteStore, DOSSIER_STANDINGS_SINCE, SCHEMA_VERSION};
use motcua_store::conformance;
use motcua_store::standings::{catch_up_standings, StandingTable, StandingsState};
use std::path::Path;

/// Whether a report would read the store's standings for `fingerprint`.
fn current(store: &SqliteStore, fingerprint: u64) -> bool {
    conformance::standings_current(store, fingerprint)
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

    // Opened to write, it migrates: an empty table without a position, built by the first
    // catch-up, then followed.
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.schema_version(), SCHEMA_VERSION);
    conformance::standings_are_built_then_followed(
        &store,
        &context,
        400,
        sample.events.len() as u64,
    );
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
    let scratch = Scratch::new("dossier-standings-during-rebuild");
    let path = scratch.path("store.db");
    common::imported_sample(&path, 50, 6);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conformance::a_change_during_a_rebuild_stops_it(&store, || {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch("UPDATE events SET body = body WHERE position = 3")
            .unwrap_or_else(|e| panic!("{e}"));
    });
}

/// A catch-up reads its page before the transaction that writes it: an event after the
/// table's position changed by hand in between starts the next generation (the position
/// stays), so the catch-up's write is refused; the next one reads the event as it is.
#[test]
fn an_event_changed_by_hand_after_the_position_stops_a_catch_up_that_read_it() {
    let scratch = Scratch::new("dossier-standings-after-position");
    let path = scratch.path("store.db");
    let sample = common::imported_sample(&path, 50, 7);
    let calendar = Calendar::vietnam();
    let context = Context::new(&sample.catalogue, &calendar);
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    catch_up_standings(&store, &context, 1, 100).unwrap_or_else(|e| panic!("{e}"));
    let by_hand = |sql: &str| {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute_batch(sql).unwrap_or_else(|e| panic!("{e}"));
    };
    // The table as a catch-up left it three events behind the log.
    by_hand("UPDATE standings_head SET position = position - 3");
    conformance::a_change_after_the_position_stops_a_catch_up_that_read_it(
        &store,
        &context,
        || {
            by_hand(
                "UPDATE events SET body = body WHERE position = (SELECT MAX(position) FROM events)",
            )
        },
    );
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
