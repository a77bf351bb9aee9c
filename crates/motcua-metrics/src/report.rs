//! [`Report`]: one period's figures by unit, level, procedure and for the whole province, with
//! the status table and the overdue list; built in one pass and mergeable.

use motcua_core::{Catalogue, DossierView, Level, ProcedureCode, UnitId};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::classify::place;
use crate::counts::Counts;
use crate::overdue::{self, OverdueEntry};
use crate::period::Period;

/// Why two reports could not be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The reports cover different periods.
    #[error("cannot merge a report for {theirs:?} into one for {ours:?}; partial reports must cover the same period")]
    PeriodMismatch {
        /// This report's period.
        ours: Period,
        /// The other report's period.
        theirs: Period,
    },
}

/// The figures of one period (see [`Counts`] for what each means).
///
/// Keyed by the dossier's receiving unit, by that unit's level in the catalogue, by procedure,
/// and for the whole province; `by_unit_with_descendants` adds each unit's figures into every
/// ancestor's (from [`Catalogue::ancestry`]). The status table counts, by national status code
/// 1–10, the dossiers alive during the period (submitted or received before its end and not
/// finished before its start) with their status at the period end. The overdue list holds every
/// dossier open and overdue at the period end, most overdue first.
///
/// Reports of disjoint sets of views over the same period [merge](Report::merge) into exactly
/// the report of their union, so shards can be reported apart and combined.
///
/// Figures of a unit missing from the catalogue count in the province, by unit and by
/// procedure, but in no level; such units are listed in [`Report::unknown_units`].
///
/// ```
/// use motcua_metrics::{Period, Report};
/// use motcua_core::{Catalogue, Level, Unit, UnitId};
/// # use motcua_core::*;
/// # use time::macros::datetime;
/// let xa = Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None };
/// let catalogue = Catalogue::new(vec![xa], vec![])?;
/// let period = Period::quarter(2024, 1)?;
/// # let view = DossierView {
/// #     dossier_id: DossierId::new("H1"), procedure: ProcedureCode::new("1.001193"),
/// #     unit: UnitId::new("XA01"), current_unit: UnitId::new("XA01"), channel: Channel::InPerson,
/// #     status: Status::Processing, national_code: 4, submitted_at: None,
/// #     received_at: Some(datetime!(2024-03-01 08:00 +7)), finished_at: None,
/// #     official_due: Some(datetime!(2024-03-04 08:00 +7)), promised_due: Some(datetime!(2024-03-04 08:00 +7)),
/// #     accept_by: None, accept_overdue: false, clock: ClockState::Running, used_minutes: 9000,
/// #     left_minutes: 0, overdue_minutes: 7_680, time_class: TimeClass::Overdue,
/// #     late_reason: Some(LateReason::PastDue), supplement_rounds: 0, steps: vec![],
/// #     electronic_result: None, paid_online: None, satisfied: None, rated_at: None, digitisation: None, feedback: 0,
/// # };
/// // `view`: a dossier received in March, still open and overdue at the end of the quarter.
/// let report = Report::build(&catalogue, [&view], period);
/// assert_eq!(report.province().open_overdue, 1);
/// assert_eq!(report.level(Level::Commune).received, 1);
/// assert_eq!(report.overdue()[0].overdue_minutes, 7_680);
/// assert_eq!(report.status_counts().get(&4), Some(&1));
///
/// let mut whole = Report::new(period);
/// whole.merge(&report)?;
/// assert_eq!(whole, report);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    period: Period,
    province: Counts,
    by_level: BTreeMap<Level, Counts>,
    by_unit: BTreeMap<UnitId, Counts>,
    by_unit_with_descendants: BTreeMap<UnitId, Counts>,
    by_procedure: BTreeMap<ProcedureCode, Counts>,
    status_counts: BTreeMap<u8, u64>,
    overdue: Vec<OverdueEntry>,
    unknown_units: BTreeSet<UnitId>,
}

fn add_into<K: Ord>(map: &mut BTreeMap<K, Counts>, key: K, counts: &Counts) {
    map.entry(key).or_default().merge(counts);
}

fn merge_maps<K: Ord + Clone>(ours: &mut BTreeMap<K, Counts>, theirs: &BTreeMap<K, Counts>) {
    for (k, c) in theirs {
        add_into(ours, k.clone(), c);
    }
}

impl Report {
    /// The empty report for a period: the identity of [`Report::merge`].
    pub fn new(period: Period) -> Report {
        Report {
            period,
            province: Counts::default(),
            by_level: BTreeMap::new(),
            by_unit: BTreeMap::new(),
            by_unit_with_descendants: BTreeMap::new(),
            by_procedure: BTreeMap::new(),
            status_counts: BTreeMap::new(),
            overdue: Vec::new(),
            unknown_units: BTreeSet::new(),
        }
    }

    /// The report of a set of views, in one pass. Each view must have been built as of
    /// `period.end`; views of dossiers not alive during the period are skipped.
    pub fn build<'v>(
        catalogue: &Catalogue,
        views: impl IntoIterator<Item = &'v DossierView>,
        period: Period,
    ) -> Report {
        let mut report = Report::new(period);
        for view in views {
            report.add_view(catalogue, view);
        }
        report.finish();
        report
    }

    /// Adds one view (built as of the period end). Call [`Report::finish`] after the last one
    /// to sort the overdue list; [`Report::build`] does both.
    pub fn add_view(&mut self, catalogue: &Catalogue, view: &DossierView) {
        let placement = place(view, &self.period);
        if !placement.alive {
            return;
        }
        let n = self
            .status_counts
            .entry(view.status.national_code())
            .or_insert(0);
        *n = n.saturating_add(1);
        let mut counts = Counts::default();
        counts.add_placement(view, &placement);
        if counts.is_empty() {
            return;
        }
        if counts.open_overdue > 0 {
            self.overdue.push(OverdueEntry::from_view(view));
        }
        self.province.merge(&counts);
        add_into(&mut self.by_unit, view.unit.clone(), &counts);
        add_into(&mut self.by_procedure, view.procedure.clone(), &counts);
        add_into(
            &mut self.by_unit_with_descendants,
            view.unit.clone(),
            &counts,
        );
        for ancestor in catalogue.ancestry(&view.unit).filter(|u| u.id != view.unit) {
            add_into(
                &mut self.by_unit_with_descendants,
                ancestor.id.clone(),
                &counts,
            );
        }
        match catalogue.unit(&view.unit) {
            Some(unit) => add_into(&mut self.by_level, unit.level, &counts),
            None => {
                self.unknown_units.insert(view.unit.clone());
            }
        }
    }

    /// Puts the overdue list in its order (most overdue first, then dossier id).
    pub fn finish(&mut self) {
        overdue::sort(&mut self.overdue);
    }

    /// Adds a partial report of the same period into this one: counts add, the overdue list is
    /// joined and re-sorted. Associative and commutative, with [`Report::new`] as identity.
    ///
    /// # Errors
    /// [`MergeError::PeriodMismatch`] if `other` covers another period; `self` is then unchanged.
    pub fn merge(&mut self, other: &Report) -> Result<(), MergeError> {
        if self.period != other.period {
            return Err(MergeError::PeriodMismatch {
                ours: self.period,
                theirs: other.period,
            });
        }
        self.province.merge(&other.province);
        merge_maps(&mut self.by_level, &other.by_level);
        merge_maps(&mut self.by_unit, &other.by_unit);
        merge_maps(
            &mut self.by_unit_with_descendants,
            &other.by_unit_with_descendants,
        );
        merge_maps(&mut self.by_procedure, &other.by_procedure);
        for (code, n) in &other.status_counts {
            let entry = self.status_counts.entry(*code).or_insert(0);
            *entry = entry.saturating_add(*n);
        }
        self.overdue.extend(other.overdue.iter().cloned());
        self.finish();
        self.unknown_units
            .extend(other.unknown_units.iter().cloned());
        Ok(())
    }

    /// The period covered.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The whole province.
    pub fn province(&self) -> &Counts {
        &self.province
    }

    /// Figures by level.
    pub fn by_level(&self) -> &BTreeMap<Level, Counts> {
        &self.by_level
    }

    /// Figures by receiving unit, without descendants.
    pub fn by_unit(&self) -> &BTreeMap<UnitId, Counts> {
        &self.by_unit
    }

    /// Figures by unit, each including all its descendants.
    pub fn by_unit_with_descendants(&self) -> &BTreeMap<UnitId, Counts> {
        &self.by_unit_with_descendants
    }

    /// Figures by procedure.
    pub fn by_procedure(&self) -> &BTreeMap<ProcedureCode, Counts> {
        &self.by_procedure
    }

    /// A level's figures (empty if none).
    pub fn level(&self, level: Level) -> Counts {
        self.by_level.get(&level).cloned().unwrap_or_default()
    }

    /// A unit's own figures (empty if none).
    pub fn unit(&self, unit: &UnitId) -> Counts {
        self.by_unit.get(unit).cloned().unwrap_or_default()
    }

    /// A unit's figures with all its descendants' (empty if none).
    pub fn unit_with_descendants(&self, unit: &UnitId) -> Counts {
        self.by_unit_with_descendants
            .get(unit)
            .cloned()
            .unwrap_or_default()
    }

    /// A procedure's figures (empty if none).
    pub fn procedure(&self, code: &ProcedureCode) -> Counts {
        self.by_procedure.get(code).cloned().unwrap_or_default()
    }

    /// National status code (1–10) → number of dossiers alive in the period with that status at
    /// its end.
    pub fn status_counts(&self) -> &BTreeMap<u8, u64> {
        &self.status_counts
    }

    /// Dossiers open and overdue at the period end, most overdue first, then by dossier id.
    pub fn overdue(&self) -> &[OverdueEntry] {
        &self.overdue
    }

    /// Receiving units the catalogue does not know (their figures are in no level).
    pub fn unknown_units(&self) -> &BTreeSet<UnitId> {
        &self.unknown_units
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{arb_view, at, catalogue, period_jan, ViewBuilder};
    use crate::testkit_json::to_json;
    use motcua_core::TimeClass;
    use proptest::prelude::*;

    fn views() -> Vec<DossierView> {
        vec![
            ViewBuilder::new("D1")
                .unit("SO1")
                .procedure("P1")
                .online()
                .received(at(1))
                .result(at(3), TimeClass::Early)
                .build(),
            ViewBuilder::new("D2")
                .unit("XA1")
                .procedure("P3")
                .received(at(2))
                .overdue(120)
                .open(TimeClass::Overdue)
                .build(),
            ViewBuilder::new("D3")
                .unit("XA2")
                .procedure("P3")
                .received(at(-9))
                .overdue(900)
                .open(TimeClass::Overdue)
                .build(),
            ViewBuilder::new("D4")
                .unit("HUYEN1")
                .procedure("P2")
                .online()
                .received(at(4))
                .open(TimeClass::WithinTime)
                .build(),
            ViewBuilder::new("D5")
                .unit("GHOST")
                .procedure("P1")
                .received(at(5))
                .result(at(6), TimeClass::OnTime)
                .build(),
            ViewBuilder::new("D6")
                .unit("XA1")
                .procedure("P3")
                .submitted(at(7))
                .build(),
            ViewBuilder::new("D7")
                .unit("XA1")
                .procedure("P3")
                .received(at(-40))
                .result(at(-30), TimeClass::Late)
                .build(),
        ]
    }

    #[test]
    fn keyed_by_unit_level_procedure_and_province() {
        let cat = catalogue();
        let r = Report::build(&cat, &views(), period_jan());
        let p = r.province();
        assert_eq!(
            (p.received, p.carried_over, p.handled(), p.open()),
            (4, 1, 2, 3)
        );
        assert_eq!(r.unit(&UnitId::new("XA1")).open_overdue, 1);
        assert_eq!(r.unit(&UnitId::new("XA1")).received, 1);
        assert_eq!(r.level(Level::Commune).open_overdue, 2);
        assert_eq!(r.level(Level::District).online_received, 1);
        assert_eq!(r.level(Level::Department).handled_early, 1);
        assert_eq!(r.procedure(&ProcedureCode::new("P1")).handled(), 2);
        // GHOST is in the province and by unit, not in a level.
        assert_eq!(
            r.unknown_units()
                .iter()
                .map(UnitId::as_str)
                .collect::<Vec<_>>(),
            ["GHOST"]
        );
        let by_levels: Counts = r.by_level().values().sum();
        assert_eq!(by_levels + r.unit(&UnitId::new("GHOST")), p.clone());
        let by_units: Counts = r.by_unit().values().sum();
        assert_eq!(&by_units, p);
        let by_procs: Counts = r.by_procedure().values().sum();
        assert_eq!(&by_procs, p);
    }

    #[test]
    fn unit_with_descendants_rolls_up_the_tree() {
        let r = Report::build(&catalogue(), &views(), period_jan());
        let district = r.unit_with_descendants(&UnitId::new("HUYEN1"));
        assert_eq!(
            district,
            r.unit(&UnitId::new("HUYEN1"))
                + r.unit(&UnitId::new("XA1"))
                + r.unit(&UnitId::new("XA2"))
        );
        assert_eq!(district.received, 2);
        assert_eq!(district.open(), 3);
        let province = r.unit_with_descendants(&UnitId::new("TINH"));
        // Everything but GHOST, which the catalogue does not place under the province.
        assert_eq!(
            province + r.unit(&UnitId::new("GHOST")),
            r.province().clone()
        );
        assert_eq!(
            r.unit_with_descendants(&UnitId::new("SO2")),
            Counts::default()
        );
        assert_eq!(
            r.unit_with_descendants(&UnitId::new("XA1")),
            r.unit(&UnitId::new("XA1"))
        );
    }

    #[test]
    fn overdue_list_and_status_table() {
        let r = Report::build(&catalogue(), &views(), period_jan());
        let list: Vec<(&str, u64)> = r
            .overdue()
            .iter()
            .map(|e| (e.dossier_id.as_str(), e.overdue_minutes))
            .collect();
        assert_eq!(list, [("D3", 900), ("D2", 120)]);
        assert_eq!(r.overdue()[1].unit.as_str(), "XA1");
        // D7 finished in December: not alive. D6 is a pending submission (code 1).
        let table: Vec<(u8, u64)> = r.status_counts().iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(table, [(1, 1), (4, 3), (10, 2)]);
    }

    #[test]
    fn merge_needs_the_same_period() {
        let mut a = Report::new(period_jan());
        let b = Report::new(
            Period::month(2024, time::Month::February).unwrap_or_else(|_| unreachable!()),
        );
        assert!(matches!(
            a.merge(&b),
            Err(MergeError::PeriodMismatch { .. })
        ));
        assert_eq!(a, Report::new(period_jan()));
    }

    #[test]
    fn serializes_every_section() {
        let r = Report::build(&catalogue(), &views()[..3], period_jan());
        let json = to_json(&r);
        assert!(json.starts_with("{\"period\":{\"start\":\"2024-01-01T00:00:00+07:00\",\"end\":\"2024-02-01T00:00:00+07:00\"},\"province\":{"));
        for key in [
            "\"by_level\":{\"department\":",
            "\"by_unit\":{\"SO1\":",
            "\"by_unit_with_descendants\":{\"HUYEN1\":",
            "\"by_procedure\":{\"P1\":",
            "\"status_counts\":{\"4\":2,\"10\":1}",
            "\"overdue\":[{\"dossier_id\":\"D3\"",
            "\"late_reason\":\"past_due\"",
            "\"unknown_units\":[]",
        ] {
            assert!(json.contains(key), "{key} missing from {json}");
        }
    }

    fn report(views: &[DossierView]) -> Report {
        Report::build(&catalogue(), views, period_jan())
    }

    fn merged(parts: &[Report]) -> Report {
        let mut whole = Report::new(period_jan());
        for part in parts {
            whole.merge(part).unwrap_or_else(|e| panic!("{e}"));
        }
        whole
    }

    proptest! {
        #[test]
        fn partition_reports_merge_to_the_whole(
            views in proptest::collection::vec(arb_view(), 0..40),
            labels in proptest::collection::vec(0usize..4, 40),
        ) {
            let mut parts: Vec<Vec<DossierView>> = vec![vec![]; 4];
            for (v, l) in views.iter().zip(&labels) {
                parts[*l].push(v.clone());
            }
            let reports: Vec<Report> = parts.iter().map(|p| report(p)).collect();
            let whole = report(&views);
            prop_assert_eq!(merged(&reports), whole.clone());
            let mut reversed = reports.clone();
            reversed.reverse();
            prop_assert_eq!(to_json(&merged(&reversed)), to_json(&whole));
        }

        #[test]
        fn merge_is_associative_and_commutative(
            a in proptest::collection::vec(arb_view(), 0..12),
            b in proptest::collection::vec(arb_view(), 0..12),
            c in proptest::collection::vec(arb_view(), 0..12),
        ) {
            let (a, b, c) = (report(&a), report(&b), report(&c));
            let mut ab = a.clone();
            ab.merge(&b).unwrap_or_else(|e| panic!("{e}"));
            let mut ab_c = ab.clone();
            ab_c.merge(&c).unwrap_or_else(|e| panic!("{e}"));
            let mut bc = b.clone();
            bc.merge(&c).unwrap_or_else(|e| panic!("{e}"));
            let mut a_bc = a.clone();
            a_bc.merge(&bc).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&ab_c, &a_bc);
            let mut ba = b.clone();
            ba.merge(&a).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&ab, &ba);
            let mut a_id = a.clone();
            a_id.merge(&Report::new(period_jan())).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&a_id, &a);
            let mut id_a = Report::new(period_jan());
            id_a.merge(&a).unwrap_or_else(|e| panic!("{e}"));
            prop_assert_eq!(&id_a, &a);
        }

        #[test]
        fn overdue_list_matches_open_overdue(views in proptest::collection::vec(arb_view(), 0..40)) {
            let r = report(&views);
            prop_assert_eq!(r.overdue().len() as u64, r.province().open_overdue);
            let alive: u64 = r.status_counts().values().sum();
            prop_assert!(alive >= r.province().to_handle());
        }
    }
}
