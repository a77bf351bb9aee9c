//! The open-dossier projection on the store: caught up page by page or rebuilt, its rows are
//! those computed from every dossier's stream, and its indexed reads agree with a filter of
//! them.

use super::desk::{catalogue, life};
use super::fixtures::ok;
use crate::desk::Desk;
use crate::open_dossiers::{
    catch_up, rebuild, row_of, OpenChange, OpenDossier, OpenDossierTable, OpenEntry, OpenReader,
    Page, RowAlarms, Selection,
};
use crate::store::EventStore;
use motcua_core::calendar::Calendar;
use motcua_core::{Command, Context, DossierId, UnitId};
use time::macros::datetime;
use time::Duration;
use uuid::Uuid;

/// Records the first `n` commands of a dossier's life for dossier `k`, `k` days later.
pub(super) fn record<S: EventStore>(desk: &Desk<'_, &S>, k: u32, from: usize, n: usize) {
    let dossier = DossierId::new(format!("OD-{k:03}"));
    for (i, (command, _)) in life().into_iter().enumerate().take(n).skip(from) {
        let shifted = Command {
            dossier_id: dossier.clone(),
            event_id: Uuid::from_u128((u128::from(k) << 32) | i as u128),
            occurred_at: command.occurred_at + Duration::days(i64::from(k % 5) * 7),
            recorded_at: command.recorded_at + Duration::days(i64::from(k % 5) * 7),
            kind: command.kind,
            metadata: command.metadata,
        };
        if let Err(e) = desk.record(shifted) {
            panic!("dossier {dossier}, command {i}: {e}");
        }
    }
}

/// Asserts that the standings `selection` reads are those of the `expected` rows, in order:
/// read at once, and read page by page with pages of several sizes.
fn same_standings<S: OpenDossierTable>(
    store: &S,
    selection: Selection<'_>,
    expected: &[OpenDossier],
    what: &str,
) {
    let Some(found) = ok(store.open_standings(selection, Page::ALL)) else {
        panic!("{what}: the store keeps no standings");
    };
    let want: Vec<_> = expected
        .iter()
        .map(|r| {
            let stored = r.stored_standing();
            (r.dossier_id.clone(), stored)
        })
        .collect();
    assert!(
        want.iter().all(|(_, s)| s.is_some()),
        "{what}: the fixture's dossiers are all judged"
    );
    assert!(found == want, "{what}: the standings differ");
    for limit in [1, 2, 3, 7] {
        let mut paged = Vec::new();
        loop {
            let after = paged.last().map(|(id, _): &(DossierId, _)| id.clone());
            let page = Page {
                after: after.as_ref(),
                limit,
            };
            let Some(rows) = ok(store.open_standings(selection, page)) else {
                panic!("{what}: page after {after:?} of {limit}: no standings");
            };
            assert!(
                rows.len() <= limit,
                "{what}: a page of {limit} has {}",
                rows.len()
            );
            assert!(
                rows.first()
                    .zip(after.as_ref())
                    .is_none_or(|((first, _), after)| first > after),
                "{what}: the page after {after:?} of {limit} does not start after it"
            );
            let done = rows.len() < limit;
            paged.extend(rows);
            if done {
                break;
            }
        }
        assert!(
            paged == want,
            "{what}: the standings read {limit} at a time differ"
        );
    }
}

/// Asserts that `reader`'s pages of `selection`, 1, 2, 5 and 64 at a time, never empty, are
/// its entries read at once, and that a reading stopped after the first page handed that page.
fn each_page_is_entries<S>(reader: &OpenReader<'_, S>, selection: Selection<'_>)
where
    S: EventStore + OpenDossierTable,
{
    let whole = ok(reader.entries(selection, 1));
    assert!(
        !whole.is_empty(),
        "{selection:?}: the fixture lists nothing"
    );
    for size in [1, 2, 5, 64] {
        let mut pages = Vec::new();
        ok(reader.each_page(selection, 1, size, |page| {
            pages.push(page);
            std::ops::ControlFlow::Continue(())
        }));
        assert!(
            pages.iter().all(|page| !page.is_empty()),
            "{selection:?}: an empty page, {size} at a time"
        );
        let mut decoder = crate::codec::compact::Decoder::default();
        let decoded: Vec<_> = pages
            .concat()
            .into_iter()
            .map(|entry| ok(reader.decoded(entry, &mut decoder)))
            .collect();
        assert!(
            decoded == whole,
            "{selection:?}: entries read {size} at a time differ from entries read at once"
        );
        let mut first = None;
        ok(reader.each_page(selection, 1, size, |page| {
            first.get_or_insert(page);
            std::ops::ControlFlow::Break(())
        }));
        assert_eq!(
            first.as_ref(),
            pages.first(),
            "{selection:?}: a stopped reading, {size} at a time"
        );
    }
}

/// Asserts `found` is `expected`, naming the dossiers that differ rather than printing every
/// event. Rows are read without their standings ([`same_standings`] checks those).
fn same_rows(found: &[OpenDossier], expected: &[OpenDossier], what: &str) {
    let expected: Vec<OpenDossier> = expected
        .iter()
        .map(|r| OpenDossier {
            standing: None,
            ..r.clone()
        })
        .collect();
    let expected = expected.as_slice();
    let ids = |rows: &[OpenDossier]| -> Vec<String> {
        rows.iter().map(|r| r.dossier_id.to_string()).collect()
    };
    assert_eq!(
        ids(found),
        ids(expected),
        "{what}: the open dossiers differ"
    );
    for (f, e) in found.iter().zip(expected) {
        assert!(
            f == e,
            "{what}: dossier {} differs (unit {} / {}, status {:?} / {:?}, {} / {} events, alarms {:?} / {:?})",
            e.dossier_id, f.unit, e.unit, f.status, e.status, f.events.len(), e.events.len(), f.alarms, e.alarms
        );
    }
}

/// The rows the projection must hold: every dossier's row from its whole stream.
pub(super) fn reference<S: EventStore>(store: &S, context: &Context<'_>) -> Vec<OpenDossier> {
    ok(store.dossier_ids())
        .iter()
        .filter_map(|id| row_of(context, &ok(store.read_stream(id))))
        .collect()
}

/// Records 40 dossiers at every stage of a life (received, transferred, waiting for a
/// supplement, in a step, result ready, returned), catches the projection up from nothing,
/// records more (dossiers move on, some finish, new ones arrive), catches up a few events a
/// page, and checks after each that the rows are exactly the reference's, that a rebuild
/// gives the same rows, that the unit and alarm-window reads are the reference filtered, that
/// a reader adds the events committed after the projection's position, and that a change from
/// a stale position is refused and changes nothing.
pub fn open_dossiers_match_a_rebuild<S>(store: &S)
where
    S: EventStore + OpenDossierTable,
{
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let desk = Desk::new(store, context);
    let stages = life().len();
    for k in 0..40u32 {
        record(&desk, k, 0, (k as usize * 7) % stages + 1);
    }
    let first = ok(catch_up(store, &context, 1, 1_000));
    assert!(
        first.rebuilt,
        "a projection never built is built from a scan"
    );
    let rows = ok(store.open_all());
    let built = reference(store, &context);
    same_rows(&rows, &built, "rows after the first build");
    same_standings(
        store,
        Selection::All,
        &built,
        "standings after the first build",
    );
    assert!(
        rows.len() > 5 && rows.len() < 40,
        "the fixture has open and finished dossiers"
    );
    // Dossiers move on, some finish, some arrive; a reader sees them before a catch-up.
    for k in 0..40u32 {
        let done = (k as usize * 7) % stages + 1;
        record(&desk, k, done, (done + 3).min(stages));
    }
    for k in 40..46u32 {
        record(&desk, k, 0, 2);
    }
    let late = datetime!(2025-01-01 00:00 +7);
    let Some(reader) = ok(OpenReader::open(store, late)) else {
        panic!("a reader opens on a projection a few events behind");
    };
    let expected = reference(store, &context);
    let streams: Vec<_> = expected.iter().map(|r| r.events.clone()).collect();
    assert!(
        ok(reader.all()) == streams,
        "a reader does not add the log's tail"
    );
    // Judged from standings where the projection has them, from events where the log moved
    // on: the views the events give.
    let seen = |entry: OpenEntry| match entry {
        OpenEntry::Standing(standing, _) => context.view_at(*standing, late),
        OpenEntry::Events(events) => context.view_events(&events, late),
        OpenEntry::Stored(id, _) => panic!("entries() handed out {id}'s standing undecoded"),
    };
    let entries = ok(reader.entries(Selection::All, 1));
    // Each standing comes with who handled the dossier, as its events name them.
    for (entry, events) in entries.iter().zip(&streams) {
        if let OpenEntry::Standing(standing, handlers) = entry {
            assert!(
                handlers.as_ref() == Some(&motcua_core::DossierHandlers::of(events)),
                "{}: the standing's handlers are not its events'",
                standing.view.dossier_id
            );
        }
    }
    let judged: Vec<_> = entries.into_iter().map(seen).collect();
    let from_events: Vec<_> = streams
        .iter()
        .map(|events| context.view_events(events, late))
        .collect();
    assert!(
        judged == from_events,
        "entries judged later differ from the events' views"
    );
    // Page by page, the tail's dossiers fall among the pages' rows where their ids do (several
    // units' come as one page).
    let both = [UnitId::new("H-01"), UnitId::new("H-01-TNMT")];
    for selection in [Selection::All, Selection::Units(&both)] {
        each_page_is_entries(&reader, selection);
    }
    let foreign = ok(reader.entries(Selection::All, 99));
    assert!(
        foreign
            .iter()
            .all(|entry| matches!(entry, OpenEntry::Events(_))),
        "standings judged with another context are used"
    );
    let early = datetime!(2024-03-05 00:00 +7);
    assert!(
        ok(OpenReader::open(store, early)).is_none(),
        "no answer for an instant before events the projection holds"
    );
    let before = ok(store.open_head());
    let caught = ok(catch_up(store, &context, 1, 3));
    assert!(
        !caught.rebuilt && caught.events > 3,
        "caught up page by page"
    );
    same_rows(
        &ok(store.open_all()),
        &expected,
        "rows after a paged catch-up",
    );
    same_standings(
        store,
        Selection::All,
        &expected,
        "standings after a paged catch-up",
    );
    let head = ok(store.open_head()).unwrap_or_else(|| panic!("no head after a catch-up"));
    assert_eq!(head.position, ok(store.last_position()));
    // A change from a stale position is refused whole.
    let stale = OpenChange {
        expected: before.map(|h| h.position),
        reset: true,
        head: before,
        ..OpenChange::default()
    };
    assert!(store.apply_open(&stale).is_err(), "a stale change applies");
    same_rows(&ok(store.open_all()), &expected, "after a refused change");
    assert_eq!(ok(store.open_head()), Some(head));
    // Indexed reads are filters of the rows.
    for unit in ["H-01", "H-01-TNMT"] {
        let units = [UnitId::new(unit)];
        let by_unit: Vec<_> = expected
            .iter()
            .filter(|r| r.unit == units[0])
            .cloned()
            .collect();
        same_rows(&ok(store.open_in_units(&units)), &by_unit, unit);
        same_standings(store, Selection::Units(&units), &by_unit, unit);
    }
    // Several units' standings come merged in dossier id order, whole or page by page.
    let both = [UnitId::new("H-01"), UnitId::new("H-01-TNMT")];
    let by_both: Vec<_> = expected
        .iter()
        .filter(|r| both.contains(&r.unit))
        .cloned()
        .collect();
    assert!(
        by_both.len() > expected.iter().filter(|r| r.unit == both[0]).count(),
        "the fixture has open dossiers at both units"
    );
    same_standings(store, Selection::Units(&both), &by_both, "two units");
    let mut window = datetime!(2024-03-04 00:00 +7);
    while window < datetime!(2024-05-01 00:00 +7) {
        let until = window + Duration::hours(17);
        let ringing: Vec<_> = expected
            .iter()
            .filter(|r| r.alarms.iter().any(|at| *at > window && *at <= until))
            .cloned()
            .collect();
        same_rows(
            &ok(store.open_ringing(window, until)),
            &ringing,
            &format!("alarms in ({window}, {until}]"),
        );
        same_standings(
            store,
            Selection::Ringing {
                after: window,
                until,
            },
            &ringing,
            &format!("standings with alarms in ({window}, {until}]"),
        );
        // Without alarms: the same rows, each with none.
        let without: Vec<_> = ringing
            .iter()
            .map(|r| OpenDossier {
                alarms: Vec::new(),
                ..r.clone()
            })
            .collect();
        same_rows(
            &ok(store.open_rows(
                Selection::Ringing {
                    after: window,
                    until,
                },
                RowAlarms::Omitted,
            )),
            &without,
            &format!("rows without alarms, alarms in ({window}, {until}]"),
        );
        window = until;
    }
    let units = [UnitId::new("H-01-TNMT"), UnitId::new("H-01")];
    let without: Vec<_> = expected
        .iter()
        .filter(|r| units.contains(&r.unit))
        .map(|r| OpenDossier {
            alarms: Vec::new(),
            ..r.clone()
        })
        .collect();
    same_rows(
        &ok(store.open_rows(Selection::Units(&units), RowAlarms::Omitted)),
        &without,
        "two units' rows without alarms",
    );
    let both: Vec<_> = expected
        .iter()
        .filter(|r| units.contains(&r.unit))
        .cloned()
        .collect();
    same_standings(
        store,
        Selection::Units(&units),
        &both,
        "two units' standings",
    );
    // A rebuild, and a catch-up for another context, give the same rows.
    let rebuilt = ok(rebuild(store, &context, 1));
    assert!(rebuilt.rebuilt);
    same_rows(&ok(store.open_all()), &expected, "rows after a rebuild");
    same_standings(
        store,
        Selection::All,
        &expected,
        "standings after a rebuild",
    );
    let other = ok(catch_up(store, &context, 2, 1_000));
    assert!(other.rebuilt, "another context fingerprint rebuilds");
    same_rows(
        &ok(store.open_all()),
        &expected,
        "rows after a rebuild for another context",
    );
}
