//! `motcua verify`'s check of the tables derived from the log that readers trust without
//! reading the events: the table of every dossier's standing (`dossier_standings`, read by
//! reports) and the open-dossier projection (`open_dossiers`, its alarms and standings, read
//! by `dossiers` and `alarms`). A row deleted, edited or added behind motcua's back would
//! change their answers without a word, so each row is compared with the row the dossier's
//! events give, in one pass over the dossiers. A table that is not current (behind the log,
//! being rebuilt, or judged with another catalogue) is not compared: readers then read events.

use crate::data::AnyStore;
use crate::open_list;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, DossierId, Event, UnitId};
use motcua_store::open_dossiers::{
    row_of, OpenDossier, OpenDossierTable, Page, Selection, StoredStanding,
};
use motcua_store::standings::{row_of_stream, StandingRow, StandingTable};
use motcua_store::{DossierRange, DossierScan, EventStore, StoreError};
use std::collections::BTreeMap;

/// How many dossiers a check names; the others are counted.
const NAMED: usize = 10;

/// Which derived table a mismatch is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Table {
    /// Every dossier's standing (`dossier_standings`), read by reports.
    Standings,
    /// The open dossiers (`open_dossiers`, `open_alarms`, `open_standings`), read by the
    /// desk's lists.
    OpenDossiers,
}

/// How a row differs from what the log gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    /// The table holds no row for a dossier the log gives one.
    Missing,
    /// Its row differs from the one its events give.
    Differs,
    /// The table holds a row the log does not give.
    Extra,
}

/// A dossier whose row in a derived table is not what its events give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mismatch {
    pub(crate) table: Table,
    pub(crate) how: How,
    pub(crate) dossier: DossierId,
}

/// What the check found: the first [`NAMED`] mismatches, and how many there are in all and in
/// each table.
#[derive(Debug, Default)]
pub(crate) struct DerivedCheck {
    pub(crate) named: Vec<Mismatch>,
    pub(crate) count: u64,
    standings: u64,
    open: u64,
}

impl DerivedCheck {
    fn note(&mut self, table: Table, how: How, dossier: &DossierId) {
        self.count += 1;
        match table {
            Table::Standings => self.standings += 1,
            Table::OpenDossiers => self.open += 1,
        }
        if self.named.len() < NAMED {
            self.named.push(Mismatch {
                table,
                how,
                dossier: dossier.clone(),
            });
        }
    }

    /// The mismatches found in `table`.
    pub(crate) fn count_in(&self, table: Table) -> u64 {
        match table {
            Table::Standings => self.standings,
            Table::OpenDossiers => self.open,
        }
    }
}

/// An open dossier as the projection keeps it.
#[derive(Default)]
struct OpenRow {
    /// Its row (its standing read apart); `None` when only a standing is left of it.
    row: Option<OpenDossier>,
    /// Its standing as stored and the unit the standing is filed under (which `dossiers
    /// --unit` selects by); `None` for a store that keeps no standings (schema 3 and older).
    standing: Option<(Option<StoredStanding>, Option<UnitId>)>,
}

/// Compares every row of `store`'s current derived tables with the rows its dossiers' events
/// give, judged with `catalogue` and the built-in calendar, as the store's writers keep them.
/// `None` when there is nothing to compare: neither table is kept or current.
pub(crate) fn check(
    store: &AnyStore,
    catalogue: &Catalogue,
) -> Result<Option<DerivedCheck>, StoreError> {
    let fingerprint = open_list::fingerprint(catalogue, None);
    let last = store.last_position()?;
    let standings_current = store.keeps_standings()
        && store
            .standings_state()?
            .head
            .is_some_and(|head| head.context == fingerprint && head.position == last);
    let open_current = store
        .open_head()?
        .is_some_and(|head| head.context == fingerprint && head.position == last);
    if !standings_current && !open_current {
        return Ok(None);
    }
    let mut standings: BTreeMap<DossierId, StandingRow> = if standings_current {
        store
            .standing_rows()?
            .into_iter()
            .map(|row| (row.dossier_id.clone(), row))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut open = if open_current {
        open_rows(store, catalogue)?
    } else {
        BTreeMap::new()
    };
    let calendar = Calendar::vietnam();
    let context = Context::new(catalogue, &calendar);
    let mut found = DerivedCheck::default();
    store.scan_dossiers(&DossierRange::ALL, |events: &[Event]| {
        let Some(first) = events.first() else {
            return Ok::<(), StoreError>(());
        };
        let id = &first.dossier_id;
        if standings_current {
            match (standings.remove(id), row_of_stream(&context, events)) {
                (Some(stored), Some(expected)) if stored == expected => {}
                (None, _) => found.note(Table::Standings, How::Missing, id),
                (Some(_), _) => found.note(Table::Standings, How::Differs, id),
            }
        }
        if open_current {
            match (open.remove(id), row_of(&context, events)) {
                (None, None) => {}
                (Some(stored), Some(expected)) if same_open_row(&stored, &expected) => {}
                (None | Some(OpenRow { row: None, .. }), Some(_)) => {
                    found.note(Table::OpenDossiers, How::Missing, id);
                }
                (Some(_), Some(_)) => found.note(Table::OpenDossiers, How::Differs, id),
                // Kept open although its events finish it.
                (Some(_), None) => found.note(Table::OpenDossiers, How::Extra, id),
            }
        }
        Ok(())
    })?;
    for id in standings.into_keys() {
        found.note(Table::Standings, How::Extra, &id);
    }
    for id in open.into_keys() {
        found.note(Table::OpenDossiers, How::Extra, &id);
    }
    Ok(Some(found))
}

/// Every row of the projection with its stored standing and the unit that standing is filed
/// under (asked unit by unit, as a desk's list asks), by dossier; a standing left without its
/// row too.
fn open_rows(
    store: &AnyStore,
    catalogue: &Catalogue,
) -> Result<BTreeMap<DossierId, OpenRow>, StoreError> {
    let mut rows: BTreeMap<DossierId, OpenRow> = store
        .open_all()?
        .into_iter()
        .map(|row| {
            let id = row.dossier_id.clone();
            let open = OpenRow {
                row: Some(row),
                standing: None,
            };
            (id, open)
        })
        .collect();
    // A store that keeps no standings (read-only, from before them): rows alone.
    let Some(standings) = store.open_standings(Selection::All, Page::ALL)? else {
        return Ok(rows);
    };
    for open in rows.values_mut() {
        open.standing = Some((None, None));
    }
    for (dossier, standing) in standings {
        rows.entry(dossier).or_default().standing = Some((standing, None));
    }
    for unit in catalogue.units() {
        let filed = store
            .open_standings(Selection::Units(std::slice::from_ref(&unit.id)), Page::ALL)?
            .unwrap_or_default();
        for (dossier, _) in filed {
            if let Some((_, under)) = rows.entry(dossier).or_default().standing.as_mut() {
                *under = Some(unit.id.clone());
            }
        }
    }
    Ok(rows)
}

/// Whether a stored open row is the one the dossier's events give: the same unit, status,
/// events, alarm instants and stored standing.
fn same_open_row(open: &OpenRow, expected: &OpenDossier) -> bool {
    let Some(stored) = &open.row else {
        return false;
    };
    let standing_matches = match &open.standing {
        None => true,
        Some((standing, under)) => {
            *standing == expected.stored_standing() && under.as_ref() == Some(&expected.unit)
        }
    };
    standing_matches
        && stored.unit == expected.unit
        && stored.status == expected.status
        && stored.events == expected.events
        && stored.alarms == expected.alarms
}

/// One mismatch as a line of `verify`'s output.
pub(crate) fn line(mismatch: &Mismatch, vi: bool) -> String {
    let id = &mismatch.dossier;
    let table = match (mismatch.table, vi) {
        (Table::Standings, false) => "table of standings",
        (Table::OpenDossiers, false) => "open-dossier list",
        (Table::Standings, true) => "bảng tình trạng hồ sơ",
        (Table::OpenDossiers, true) => "danh sách hồ sơ đang giải quyết",
    };
    match (mismatch.how, vi) {
        (How::Missing, false) => format!("{table}: dossier {id} has no row (deleted)"),
        (How::Differs, false) => {
            format!("{table}: dossier {id}: its row is not what its events give (edited)")
        }
        (How::Extra, false) => {
            format!("{table}: a row for dossier {id}, which the log does not give (added)")
        }
        (How::Missing, true) => format!("{table}: hồ sơ {id} không có dòng (đã bị xoá)"),
        (How::Differs, true) => {
            format!("{table}: hồ sơ {id}: dòng không khớp với các sự kiện (đã bị sửa)")
        }
        (How::Extra, true) => {
            format!("{table}: có dòng của hồ sơ {id} mà nhật ký không có (đã bị thêm)")
        }
    }
}

/// What restores `table`, and what is wrong until then: the line after its mismatches.
pub(crate) fn repair(table: Table, vi: bool) -> &'static str {
    match (table, vi) {
        (Table::Standings, false) => {
            "the table of standings is rebuilt from the log by the next write once its position is reset (docs/standings.md); until then reports that read it are wrong"
        }
        (Table::Standings, true) => {
            "bảng tình trạng hồ sơ được dựng lại từ nhật ký ở lần ghi kế tiếp sau khi đặt lại vị trí của nó (docs/standings.md); cho đến lúc đó, báo cáo đọc từ bảng này sẽ sai"
        }
        (Table::OpenDossiers, false) => {
            "the open-dossier list is rebuilt from the log by the next write once its position is removed (table open_head); until then `dossiers` and `alarms`, which read it, are wrong"
        }
        (Table::OpenDossiers, true) => {
            "danh sách hồ sơ đang giải quyết được dựng lại từ nhật ký ở lần ghi kế tiếp sau khi xoá vị trí của nó (bảng open_head); cho đến lúc đó, `dossiers` và `alarms` đọc từ danh sách này sẽ sai"
        }
    }
}
