//! `motcua verify`'s check of the table of standings (`dossier_standings`): derived from the
//! log and trusted by reports, so a row deleted or edited behind motcua's back would change
//! their figures without a word. Each row is compared with the row the dossier's events give.

use crate::data::AnyStore;
use crate::open_list;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, DossierId, Event};
use motcua_store::standings::{row_of_stream, StandingRow, StandingTable};
use motcua_store::{DossierRange, DossierScan, EventStore, StoreError};
use std::collections::BTreeMap;

/// How many dossiers a check names; the others are counted.
const NAMED: usize = 10;

/// A dossier whose row in the table of standings is not what its events give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The table holds no row for a dossier of the log.
    Missing(DossierId),
    /// Its row differs from the one its events give.
    Differs(DossierId),
    /// The table holds a row for a dossier the log does not hold.
    Extra(DossierId),
}

/// What the check found: the first [`NAMED`] mismatches, and how many there are.
#[derive(Debug, Default)]
pub(crate) struct StandingsCheck {
    pub(crate) named: Vec<Mismatch>,
    pub(crate) count: u64,
}

impl StandingsCheck {
    fn note(&mut self, mismatch: Mismatch) {
        self.count += 1;
        if self.named.len() < NAMED {
            self.named.push(mismatch);
        }
    }
}

/// Compares every row of `store`'s table of standings with the row its dossier's events give,
/// judged with `catalogue` and the built-in calendar, as the store's writers keep it. `None`
/// when there is nothing to compare: the store keeps no such table, or the table is not
/// current (behind the log, being rebuilt, or judged with another catalogue), in which case
/// reports read events and never the table.
pub(crate) fn check(
    store: &AnyStore,
    catalogue: &Catalogue,
) -> Result<Option<StandingsCheck>, StoreError> {
    if !store.keeps_standings() {
        return Ok(None);
    }
    let fingerprint = open_list::fingerprint(catalogue, None);
    let last = store.last_position()?;
    let current = store
        .standings_state()?
        .head
        .is_some_and(|head| head.context == fingerprint && head.position == last);
    if !current {
        return Ok(None);
    }
    let mut rows: BTreeMap<DossierId, StandingRow> = store
        .standing_rows()?
        .into_iter()
        .map(|row| (row.dossier_id.clone(), row))
        .collect();
    let calendar = Calendar::vietnam();
    let context = Context::new(catalogue, &calendar);
    let mut found = StandingsCheck::default();
    store.scan_dossiers(&DossierRange::ALL, |events: &[Event]| {
        let Some(first) = events.first() else {
            return Ok::<(), StoreError>(());
        };
        let id = &first.dossier_id;
        match (rows.remove(id), row_of_stream(&context, events)) {
            (Some(stored), Some(expected)) if stored == expected => {}
            (None, _) => found.note(Mismatch::Missing(id.clone())),
            (Some(_), _) => found.note(Mismatch::Differs(id.clone())),
        }
        Ok(())
    })?;
    for id in rows.into_keys() {
        found.note(Mismatch::Extra(id));
    }
    Ok(Some(found))
}

/// One mismatch as a line of `verify`'s output.
pub(crate) fn line(mismatch: &Mismatch, vi: bool) -> String {
    match (mismatch, vi) {
        (Mismatch::Missing(id), false) => {
            format!("table of standings: dossier {id} has no row (deleted)")
        }
        (Mismatch::Differs(id), false) => {
            format!(
                "table of standings: dossier {id}: its row is not what its events give (edited)"
            )
        }
        (Mismatch::Extra(id), false) => format!(
            "table of standings: a row for dossier {id}, which the log does not hold (added)"
        ),
        (Mismatch::Missing(id), true) => {
            format!("bảng tình trạng hồ sơ: hồ sơ {id} không có dòng (đã bị xoá)")
        }
        (Mismatch::Differs(id), true) => format!(
            "bảng tình trạng hồ sơ: hồ sơ {id}: dòng không khớp với các sự kiện (đã bị sửa)"
        ),
        (Mismatch::Extra(id), true) => format!(
            "bảng tình trạng hồ sơ: có dòng của hồ sơ {id} mà nhật ký không có (đã bị thêm)"
        ),
    }
}
