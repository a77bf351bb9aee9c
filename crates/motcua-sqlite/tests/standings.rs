//! The open dossiers' standings in a store file: kept with the projection, read by unit, and
//! a store from before them (schema 3) read as it is, then migrated and rebuilt.

mod common;

use common::Scratch;
use motcua_core::calendar::Calendar;
use motcua_core::{Context, UnitId};
use motcua_sqlite::SqliteStore;
use motcua_store::open_dossiers::{
    catch_up, OpenDossierTable, OpenEntry, OpenReader, Page, Selection,
};
use motcua_store::EventStore;
use std::path::Path;

/// A store of 1,500 generated dossiers with its projection built; the sample's catalogue and
/// the instant it ends.
fn fixture(path: &Path) -> (motcua_core::Catalogue, time::OffsetDateTime) {
    let sample = common::imported_sample(path, 1_500, 5);
    let store = SqliteStore::open(path).unwrap_or_else(|e| panic!("{e}"));
    let calendar = Calendar::vietnam();
    catch_up(
        &store,
        &Context::new(&sample.catalogue, &calendar),
        7,
        1_000,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    (sample.catalogue, sample.as_of)
}

/// The views of every open dossier at `as_of`, through the projection's entries.
fn listed(
    store: &SqliteStore,
    context: &Context<'_>,
    as_of: time::OffsetDateTime,
) -> (Vec<motcua_core::DossierView>, usize) {
    let reader = OpenReader::open(store, as_of)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the projection answers"));
    let entries = reader
        .entries(Selection::All, 7)
        .unwrap_or_else(|e| panic!("{e}"));
    let from_standings = entries
        .iter()
        .filter(|e| matches!(e, OpenEntry::Standing(..)))
        .count();
    let views = entries
        .into_iter()
        .map(|entry| match entry {
            OpenEntry::Standing(s, _) => context.view_at(*s, as_of),
            OpenEntry::Events(events) => context.view_events(&events, as_of),
            OpenEntry::Stored(id, _) => panic!("entries() handed out {id}'s standing undecoded"),
        })
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    (views, from_standings)
}

#[test]
fn a_units_standings_are_its_open_dossiers_and_judge_as_their_events() {
    let scratch = Scratch::new("standings-units");
    let path = scratch.path("s.db");
    let (catalogue, end) = fixture(&path);
    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let all = store
        .open_standings(Selection::All, Page::ALL)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("a schema-4 store keeps standings"));
    let rows = store.open_all().unwrap_or_else(|e| panic!("{e}"));
    assert!(rows.len() > 10, "the fixture has open dossiers");
    assert_eq!(
        all.iter().map(|(id, _)| id.clone()).collect::<Vec<_>>(),
        rows.iter()
            .map(|r| r.dossier_id.clone())
            .collect::<Vec<_>>()
    );
    // Each unit's standings are its rows; each judges later as its events do.
    let later = end + time::Duration::days(40);
    let units: std::collections::BTreeSet<UnitId> = rows.iter().map(|r| r.unit.clone()).collect();
    for unit in &units {
        let wanted = [unit.clone()];
        let standings = store
            .open_standings(Selection::Units(&wanted), Page::ALL)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_default();
        let held: Vec<_> = rows.iter().filter(|r| &r.unit == unit).collect();
        assert_eq!(standings.len(), held.len(), "unit {unit}");
        for ((id, standing), row) in standings.into_iter().zip(held) {
            assert_eq!(id, row.dossier_id);
            let stored = standing.unwrap_or_else(|| panic!("{id} has a standing"));
            let (standing, handlers) = motcua_store::codec::compact::Decoder::default()
                .decode_open_standing(&stored.0)
                .unwrap_or_else(|e| panic!("{id}'s standing decodes: {e}"));
            assert_eq!(
                handlers,
                Some(motcua_core::DossierHandlers::of(&row.events)),
                "dossier {id}'s handlers"
            );
            assert_eq!(
                context.view_at(standing, later),
                context.view_events(&row.events, later),
                "dossier {id}"
            );
        }
    }
    let (views, from_standings) = listed(&store, &context, later);
    assert_eq!(from_standings, rows.len(), "every entry from its standing");
    let expected: Vec<_> = rows
        .iter()
        .map(|r| context.view_events(&r.events, later))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(views, expected);
}

#[test]
fn a_schema_3_store_lists_from_events_then_migrates_to_standings() {
    let scratch = Scratch::new("standings-migrate");
    let path = scratch.path("old.db");
    let (catalogue, end) = fixture(&path);
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let later = end + time::Duration::days(3);
    let fresh = {
        let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
        listed(&store, &context, later).0
    };
    // The file as schema 3 left it: one catalogue row, a projection without standings.
    common::catalogue_before_records(&path);
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch("DROP TABLE open_standings; PRAGMA user_version = 3;")
        .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);

    let old = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.open_standings(Selection::All, Page::ALL), Ok(None));
    let (views, from_standings) = listed(&old, &context, later);
    assert_eq!(from_standings, 0, "no standings in a schema-3 store");
    assert_eq!(views, fresh, "the same list from the events");
    drop(old);

    // A writable open migrates and empties the projection; the next catch-up rebuilds it.
    let store = SqliteStore::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.open_head(), Ok(None), "the projection is emptied");
    assert_eq!(
        store.open_standings(Selection::All, Page::ALL),
        Ok(Some(Vec::new()))
    );
    let done = catch_up(&store, &context, 7, 1_000).unwrap_or_else(|e| panic!("{e}"));
    assert!(done.rebuilt);
    let (views, from_standings) = listed(&store, &context, later);
    assert_eq!(views, fresh);
    assert_eq!(from_standings, views.len());
    assert!(store.last_position().unwrap_or(0) > 0);
}

#[test]
fn a_damaged_standing_is_judged_from_its_events() {
    let scratch = Scratch::new("standings-damaged");
    let path = scratch.path("s.db");
    let (catalogue, end) = fixture(&path);
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let later = end + time::Duration::days(5);
    let fresh = {
        let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
        listed(&store, &context, later)
    };
    // One standing cut short, one replaced by text: derived data, not evidence.
    let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
    conn.execute_batch(
        "UPDATE open_standings SET standing = substr(standing, 1, 20)
           WHERE dossier_id = (SELECT min(dossier_id) FROM open_standings);
         UPDATE open_standings SET standing = 'not a standing'
           WHERE dossier_id = (SELECT max(dossier_id) FROM open_standings);",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    drop(conn);
    let store = SqliteStore::open_read_only(&path).unwrap_or_else(|e| panic!("{e}"));
    let (views, from_standings) = listed(&store, &context, later);
    assert_eq!(
        views, fresh.0,
        "the same views, from the two dossiers' events"
    );
    assert_eq!(from_standings, fresh.1 - 2);
}
