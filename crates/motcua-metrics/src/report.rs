//! [`Report`]: one period's figures by unit, level, procedure, field, channel and for the whole
//! province, with the monthly trend, the blame of late steps, the status table and the overdue
//! list; built in one pass and mergeable.

use motcua_core::{
    Catalogue, Channel, DossierId, DossierView, Event, Level, ProcedureCode, UnitId,
};
use serde::ser::SerializeSeq;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::Date;

use crate::classify::{place_in, Bounds, Finish, Open};
use crate::counts::Counts;
use crate::facts::ProcedureFacts;
use crate::hash::FxBuild;
use crate::levels::LevelHistory;
use crate::officers::OfficerBreakdown;
use crate::overdue::{self, OverdueEntry};
use crate::period::{Period, VIETNAM_OFFSET};
use crate::trend::{MonthGrid, MonthKey, TrendPoint};

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

/// A workflow step of a procedure, for the blame of late steps.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct StepKey {
    /// The procedure.
    pub procedure: ProcedureCode,
    /// The step's id in the procedure.
    pub step: String,
}

/// The figures of one period (see [`Counts`] for what each means).
///
/// Keyed by the dossier's receiving unit, by that unit's level *as of the period start* (the
/// catalogue's level changed by a [`LevelHistory`]; [`Report::levels_as_of`] says which day),
/// by procedure, by the procedure's field, by channel, and for the whole province;
/// `by_unit_with_descendants` adds each unit's figures into every ancestor's (from
/// [`Catalogue::ancestry`]). The trend holds, per month of the period, the dossiers received
/// and handled (province-wide and per level). Late workflow steps are blamed on the unit that
/// ran the step, not the receiving unit (`late_steps_by_unit`), and counted per procedure step.
/// The status table counts, by national status code 1–10, the dossiers alive during the period
/// (submitted or received before its end and not finished before its start) with their status
/// at the period end. The overdue list holds every dossier open and overdue at the period end,
/// most overdue first.
///
/// Reports of disjoint sets of views over the same period [merge](Report::merge) into exactly
/// the report of their union, so shards can be reported apart and combined.
///
/// Figures of a unit missing from the catalogue count in the province, by unit and by
/// procedure, but in no level ([`Report::unknown_units`]); so do those of a unit whose level
/// was abolished by the period start ([`Report::unplaced_units`]).
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
/// #     official_due: Some(datetime!(2024-03-04 08:00 +7)), promised_due: Some(datetime!(2024-03-04 08:00 +7)), promised_overdue: false,
/// #     accept_by: None, accept_overdue: false, clock: ClockState::Running, used_minutes: 9000,
/// #     left_minutes: 0, overdue_minutes: 7_680, time_class: TimeClass::Overdue,
/// #     late_reason: Some(LateReason::PastDue), supplement_rounds: 0, supplement_due: None, supplement_overdue: false, supplement_expired: false, steps: Box::default(),
/// #     electronic_result: None, paid_online: None, satisfied: None, rated_at: None, digitisation: None, feedback: 0,
/// # };
/// // `view`: a dossier received in March, still open and overdue at the end of the quarter.
/// let report = Report::build(&catalogue, [&view], period);
/// assert_eq!(report.province().open_overdue, 1);
/// assert_eq!(report.level(Level::Commune).received, 1);
/// assert_eq!(report.overdue()[0].overdue_minutes, 7_680);
/// assert_eq!(report.status_counts().get(&4), Some(&1));
/// assert_eq!(report.trend().keys().map(|m| m.to_string()).collect::<Vec<_>>(), ["2024-03"]);
///
/// let mut whole = Report::new(period);
/// whole.merge(&report)?;
/// assert_eq!(whole, report);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    period: Period,
    #[serde(with = "crate::levels::iso_date")]
    levels_as_of: Date,
    province: Counts,
    by_level: BTreeMap<Level, Counts>,
    by_unit: BTreeMap<UnitId, Counts>,
    by_unit_with_descendants: BTreeMap<UnitId, Counts>,
    by_procedure: BTreeMap<ProcedureCode, Counts>,
    by_field: BTreeMap<String, Counts>,
    by_channel: BTreeMap<Channel, Counts>,
    trend: BTreeMap<MonthKey, TrendPoint>,
    trend_by_level: BTreeMap<Level, BTreeMap<MonthKey, TrendPoint>>,
    late_steps_by_unit: BTreeMap<UnitId, u64>,
    #[serde(serialize_with = "steps_as_list")]
    late_steps_by_step: BTreeMap<StepKey, u64>,
    status_counts: BTreeMap<u8, u64>,
    overdue: Vec<OverdueEntry>,
    unknown_units: BTreeSet<UnitId>,
    unplaced_units: BTreeSet<UnitId>,
    /// Dossiers that could not be judged, by id, with the reason: the report counts the rest.
    unjudged: BTreeMap<DossierId, String>,
    /// The opt-in section by officer ([`Report::with_officers`]); absent from the serialized
    /// report unless asked for, so a report without it is byte for byte what it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    officers: Option<OfficerBreakdown>,
}

fn steps_as_list<S: Serializer>(map: &BTreeMap<StepKey, u64>, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        procedure: &'a ProcedureCode,
        step: &'a str,
        late_steps: u64,
    }
    let mut seq = s.serialize_seq(Some(map.len()))?;
    for (k, n) in map {
        seq.serialize_element(&Row {
            procedure: &k.procedure,
            step: &k.step,
            late_steps: *n,
        })?;
    }
    seq.end()
}

/// Something that adds into itself.
trait Tally {
    fn add(&mut self, other: &Self);
}

impl Tally for Counts {
    fn add(&mut self, other: &Self) {
        self.merge(other);
    }
}

impl Tally for TrendPoint {
    fn add(&mut self, other: &Self) {
        self.merge(other);
    }
}

impl Tally for u64 {
    fn add(&mut self, other: &Self) {
        *self = self.saturating_add(*other);
    }
}

impl<K: Ord + Clone, V: Tally + Default> Tally for BTreeMap<K, V> {
    fn add(&mut self, other: &Self) {
        for (k, v) in other {
            add_into(self, k, v);
        }
    }
}

fn add_into<K: Ord + Clone, V: Tally + Default>(map: &mut BTreeMap<K, V>, key: &K, value: &V) {
    match map.get_mut(key) {
        Some(slot) => slot.add(value),
        None => {
            let mut v = V::default();
            v.add(value);
            map.insert(key.clone(), v);
        }
    }
}

/// One (unit, procedure, channel) cell of the builder.
struct Cell<'v> {
    unit: &'v UnitId,
    procedure: &'v ProcedureCode,
    channel: Channel,
    facts: ProcedureFacts,
    counts: Counts,
    trend: Vec<TrendPoint>,
}

/// The one-pass builder: tallies into cells found through a hash table, rolled up at the end.
struct Builder<'v> {
    period: Period,
    bounds: Bounds,
    grid: MonthGrid,
    index: HashMap<(&'v str, &'v str, Channel), usize, FxBuild>,
    cells: Vec<Cell<'v>>,
    status: [u64; 256],
    overdue: Vec<OverdueEntry>,
    blame_units: HashMap<&'v str, (u64, &'v UnitId), FxBuild>,
    blame_steps: HashMap<(&'v str, &'v str), (u64, &'v DossierView, usize), FxBuild>,
}

impl<'v> Builder<'v> {
    fn new(period: Period) -> Builder<'v> {
        Builder {
            period,
            bounds: Bounds::of(&period),
            grid: MonthGrid::new(&period),
            index: HashMap::default(),
            cells: Vec::new(),
            status: [0; 256],
            overdue: Vec::new(),
            blame_units: HashMap::default(),
            blame_steps: HashMap::default(),
        }
    }

    #[inline]
    fn cell(&mut self, catalogue: &Catalogue, view: &'v DossierView) -> usize {
        let key = (view.unit.as_str(), view.procedure.as_str(), view.channel);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        let i = self.cells.len();
        self.cells.push(Cell {
            unit: &view.unit,
            procedure: &view.procedure,
            channel: view.channel,
            facts: ProcedureFacts::lookup(catalogue, &view.procedure),
            counts: Counts::default(),
            trend: vec![TrendPoint::default(); self.grid.len()],
        });
        self.index.insert(key, i);
        i
    }

    #[inline]
    fn add(&mut self, catalogue: &Catalogue, view: &'v DossierView) {
        let p = place_in(view, self.bounds);
        if !p.alive {
            return;
        }
        let code = usize::from(view.status.national_code());
        self.status[code] = self.status[code].saturating_add(1);
        let i = self.cell(catalogue, view);
        let grid = &self.grid;
        let cell = &mut self.cells[i];
        cell.counts.add_placement(view, &p, &cell.facts);
        if p.received {
            if let Some(t) = p.received_ns {
                let slot = &mut cell.trend[grid.index_ns(t)];
                slot.received += 1;
                let counted = view.channel == Channel::Online
                    && (!cell.facts.result_is_document || view.electronic_result == Some(true));
                slot.online_counted += u64::from(counted);
            }
        }
        let handled = matches!(
            p.finished,
            Some(Finish::Early | Finish::OnTime | Finish::Late)
        );
        if handled {
            if let Some(t) = p.finished_ns {
                let slot = &mut cell.trend[grid.index_ns(t)];
                slot.handled += 1;
                slot.handled_late += u64::from(p.finished == Some(Finish::Late));
            }
        }
        if p.open_at_end == Some(Open::Overdue) {
            self.overdue.push(OverdueEntry::from_view(view));
        }
        if (handled || p.open_at_end.is_some()) && !view.steps.is_empty() {
            for (n, step) in view.steps.iter().enumerate() {
                if !step.late {
                    continue;
                }
                self.blame_units
                    .entry(step.unit.as_str())
                    .or_insert((0, &step.unit))
                    .0 += 1;
                self.blame_steps
                    .entry((view.procedure.as_str(), step.step.as_str()))
                    .or_insert((0, view, n))
                    .0 += 1;
            }
        }
    }

    fn finish(self, catalogue: &Catalogue, levels: &LevelHistory) -> Report {
        let mut r = Report::new(self.period);
        let as_of = r.levels_as_of;
        for cell in &self.cells {
            if !cell.counts.is_empty() {
                let c = &cell.counts;
                r.province.merge(c);
                add_into(&mut r.by_unit, cell.unit, c);
                add_into(&mut r.by_procedure, cell.procedure, c);
                add_into(&mut r.by_channel, &cell.channel, c);
                let field = catalogue
                    .procedure(cell.procedure)
                    .map_or("", |p| p.field.as_str());
                match r.by_field.get_mut(field) {
                    Some(slot) => slot.merge(c),
                    None => {
                        r.by_field.insert(field.to_owned(), c.clone());
                    }
                }
            }
            let level = match catalogue.unit(cell.unit) {
                Some(unit) => {
                    let level = levels.level_of(unit, as_of);
                    if level.is_none() && !cell.counts.is_empty() {
                        r.unplaced_units.insert(cell.unit.clone());
                    }
                    level
                }
                None => {
                    if !cell.counts.is_empty() {
                        r.unknown_units.insert(cell.unit.clone());
                    }
                    None
                }
            };
            if let Some(level) = level {
                if !cell.counts.is_empty() {
                    add_into(&mut r.by_level, &level, &cell.counts);
                }
            }
            for (m, point) in cell.trend.iter().enumerate() {
                if *point == TrendPoint::default() {
                    continue;
                }
                let Some(key) = self.grid.key(m) else {
                    continue;
                };
                add_into(&mut r.trend, &key, point);
                if let Some(level) = level {
                    r.trend_by_level
                        .entry(level)
                        .or_default()
                        .entry(key)
                        .or_default()
                        .merge(point);
                }
            }
        }
        for (unit, counts) in &r.by_unit {
            for ancestor in catalogue.ancestry(unit) {
                add_into(&mut r.by_unit_with_descendants, &ancestor.id, counts);
            }
            if catalogue.unit(unit).is_none() {
                add_into(&mut r.by_unit_with_descendants, unit, counts);
            }
        }
        for (n, id) in self.blame_units.into_values() {
            add_into(&mut r.late_steps_by_unit, id, &n);
        }
        for (n, view, i) in self.blame_steps.into_values() {
            if let Some(step) = view.steps.get(i) {
                let key = StepKey {
                    procedure: view.procedure.clone(),
                    step: step.step.clone(),
                };
                add_into(&mut r.late_steps_by_step, &key, &n);
            }
        }
        for (code, n) in self.status.iter().enumerate() {
            if *n > 0 {
                if let Ok(code) = u8::try_from(code) {
                    r.status_counts.insert(code, *n);
                }
            }
        }
        r.overdue = self.overdue;
        overdue::sort(&mut r.overdue);
        r
    }
}

/// Merges two lists sorted in [`OverdueEntry::list_order`] into one.
fn merge_sorted(a: Vec<OverdueEntry>, b: Vec<OverdueEntry>) -> Vec<OverdueEntry> {
    if b.is_empty() {
        return a;
    }
    if a.is_empty() {
        return b;
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let mut a = a.into_iter().peekable();
    let mut b = b.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x.list_order(y) != std::cmp::Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next);
    }
    out
}

impl Report {
    /// The empty report for a period: the identity of [`Report::merge`].
    pub fn new(period: Period) -> Report {
        Report {
            period,
            levels_as_of: period
                .start
                .checked_to_offset(VIETNAM_OFFSET)
                .unwrap_or(period.start)
                .date(),
            province: Counts::default(),
            by_level: BTreeMap::new(),
            by_unit: BTreeMap::new(),
            by_unit_with_descendants: BTreeMap::new(),
            by_procedure: BTreeMap::new(),
            by_field: BTreeMap::new(),
            by_channel: BTreeMap::new(),
            trend: BTreeMap::new(),
            trend_by_level: BTreeMap::new(),
            late_steps_by_unit: BTreeMap::new(),
            late_steps_by_step: BTreeMap::new(),
            status_counts: BTreeMap::new(),
            overdue: Vec::new(),
            unknown_units: BTreeSet::new(),
            unplaced_units: BTreeSet::new(),
            unjudged: BTreeMap::new(),
            officers: None,
        }
    }

    /// The same report with the section by officer: dossiers handled, steps finished and late
    /// steps per officer (see [`crate::officers`]), filled by [`Report::add_officers`].
    ///
    /// ```
    /// use motcua_metrics::{Period, Report};
    /// let period = Period::year(2024)?;
    /// assert!(Report::new(period).officers().is_none());
    /// let report = Report::new(period).with_officers();
    /// assert_eq!(report.officers().map(|o| o.len()), Some(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_officers(mut self) -> Report {
        self.officers.get_or_insert_with(OfficerBreakdown::default);
        self
    }

    /// Counts one dossier in the section by officer (and turns the section on): `view` must be
    /// the one counted in the report (built as of the period end), `events` the dossier's
    /// events it was built from; events that happened after the period end are left out, as
    /// the view leaves them out.
    pub fn add_officers(&mut self, events: &[Event], view: &DossierView) {
        let end = self.period.end;
        let known = events.partition_point(|e| e.occurred_at <= end);
        let bounds = Bounds::of(&self.period);
        self.officers
            .get_or_insert_with(OfficerBreakdown::default)
            .add(bounds, &events[..known], view);
    }

    /// The section by officer, when the report has it ([`Report::with_officers`]).
    pub fn officers(&self) -> Option<&OfficerBreakdown> {
        self.officers.as_ref()
    }

    /// The report of a set of views, in one pass, with Vietnam's level history
    /// ([`LevelHistory::vietnam`]). Each view must have been built as of `period.end`; views of
    /// dossiers not alive during the period are skipped.
    pub fn build<'v>(
        catalogue: &Catalogue,
        views: impl IntoIterator<Item = &'v DossierView>,
        period: Period,
    ) -> Report {
        Report::build_with_levels(catalogue, views, period, &LevelHistory::vietnam())
    }

    /// [`Report::build`] with another level history.
    pub fn build_with_levels<'v>(
        catalogue: &Catalogue,
        views: impl IntoIterator<Item = &'v DossierView>,
        period: Period,
        levels: &LevelHistory,
    ) -> Report {
        let mut builder = Builder::new(period);
        for view in views {
            builder.add(catalogue, view);
        }
        builder.finish(catalogue, levels)
    }

    /// Adds one view (built as of the period end). Equivalent to merging the report of that
    /// view alone; [`Report::build`] is much faster for many views.
    pub fn add_view(&mut self, catalogue: &Catalogue, view: &DossierView) {
        let one = Report::build(catalogue, [view], self.period);
        // Built for this report's period: no period to check.
        self.merge_unchecked(one);
    }

    /// Adds a partial report of the same period into this one: counts add, the overdue lists
    /// are merged in order. Associative and commutative, with [`Report::new`] as identity.
    ///
    /// # Errors
    /// [`MergeError::PeriodMismatch`] if `other` covers another period; `self` is then unchanged.
    pub fn merge(&mut self, other: &Report) -> Result<(), MergeError> {
        self.check_period(other)?;
        self.merge_maps(other);
        let mine = std::mem::take(&mut self.overdue);
        self.overdue = merge_sorted(mine, other.overdue.clone());
        Ok(())
    }

    /// [`Report::merge`], consuming the other report (no copy of its overdue list).
    ///
    /// # Errors
    /// [`MergeError::PeriodMismatch`] if `other` covers another period; `self` is then unchanged.
    pub fn merge_owned(&mut self, other: Report) -> Result<(), MergeError> {
        self.check_period(&other)?;
        self.merge_unchecked(other);
        Ok(())
    }

    fn merge_unchecked(&mut self, mut other: Report) {
        self.merge_maps(&other);
        let mine = std::mem::take(&mut self.overdue);
        self.overdue = merge_sorted(mine, std::mem::take(&mut other.overdue));
    }

    fn check_period(&self, other: &Report) -> Result<(), MergeError> {
        if self.period != other.period {
            return Err(MergeError::PeriodMismatch {
                ours: self.period,
                theirs: other.period,
            });
        }
        Ok(())
    }

    fn merge_maps(&mut self, other: &Report) {
        for (dossier, reason) in &other.unjudged {
            self.unjudged
                .entry(dossier.clone())
                .or_insert_with(|| reason.clone());
        }
        self.province.merge(&other.province);
        self.by_level.add(&other.by_level);
        self.by_unit.add(&other.by_unit);
        self.by_unit_with_descendants
            .add(&other.by_unit_with_descendants);
        self.by_procedure.add(&other.by_procedure);
        self.by_field.add(&other.by_field);
        self.by_channel.add(&other.by_channel);
        self.trend.add(&other.trend);
        for (level, trend) in &other.trend_by_level {
            self.trend_by_level.entry(*level).or_default().add(trend);
        }
        self.late_steps_by_unit.add(&other.late_steps_by_unit);
        self.late_steps_by_step.add(&other.late_steps_by_step);
        self.status_counts.add(&other.status_counts);
        self.unknown_units
            .extend(other.unknown_units.iter().cloned());
        self.unplaced_units
            .extend(other.unplaced_units.iter().cloned());
        if let Some(theirs) = &other.officers {
            self.officers
                .get_or_insert_with(OfficerBreakdown::default)
                .merge(theirs);
        }
    }

    /// The period covered.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The day units' levels are taken as of: the period's first day (UTC+07:00).
    pub fn levels_as_of(&self) -> Date {
        self.levels_as_of
    }

    /// The whole province.
    pub fn province(&self) -> &Counts {
        &self.province
    }

    /// Figures by level (as of [`Report::levels_as_of`]).
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

    /// Figures by the procedure's field (*lĩnh vực*); `""` for procedures the catalogue lacks.
    pub fn by_field(&self) -> &BTreeMap<String, Counts> {
        &self.by_field
    }

    /// Figures by channel.
    pub fn by_channel(&self) -> &BTreeMap<Channel, Counts> {
        &self.by_channel
    }

    /// The province's monthly trend.
    pub fn trend(&self) -> &BTreeMap<MonthKey, TrendPoint> {
        &self.trend
    }

    /// The monthly trend per level.
    pub fn trend_by_level(&self) -> &BTreeMap<Level, BTreeMap<MonthKey, TrendPoint>> {
        &self.trend_by_level
    }

    /// Late workflow steps blamed on the unit that ran the step.
    pub fn late_steps_by_unit(&self) -> &BTreeMap<UnitId, u64> {
        &self.late_steps_by_unit
    }

    /// Late workflow steps per procedure step.
    pub fn late_steps_by_step(&self) -> &BTreeMap<StepKey, u64> {
        &self.late_steps_by_step
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

    /// Records a dossier that could not be judged (its view could not be built: a procedure
    /// the catalogue does not know, a due outside the calendar's range), with the reason. It is
    /// counted nowhere; the report of the others stands, and says it is partial.
    ///
    /// ```
    /// use motcua_metrics::{Period, Report};
    /// let mut report = Report::new(Period::year(2024)?);
    /// assert!(!report.is_partial());
    /// report.record_unjudged(motcua_core::DossierId::new("D-1"), "procedure X is not in the catalogue".into());
    /// assert!(report.is_partial());
    /// assert_eq!(report.unjudged().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_unjudged(&mut self, dossier: DossierId, reason: String) {
        self.unjudged.entry(dossier).or_insert(reason);
    }

    /// The dossiers that could not be judged, by id, with their reasons.
    pub fn unjudged(&self) -> &BTreeMap<DossierId, String> {
        &self.unjudged
    }

    /// Whether some dossier could not be judged: the figures count the others only.
    pub fn is_partial(&self) -> bool {
        !self.unjudged.is_empty()
    }

    /// Receiving units the catalogue does not know (their figures are in no level).
    pub fn unknown_units(&self) -> &BTreeSet<UnitId> {
        &self.unknown_units
    }

    /// Catalogue units whose level no longer existed at [`Report::levels_as_of`] (their
    /// figures are in no level).
    pub fn unplaced_units(&self) -> &BTreeSet<UnitId> {
        &self.unplaced_units
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::to_json;
    use crate::testkit::{arb_view, at, catalogue, period_jan, ViewBuilder};
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
        assert!(json.starts_with("{\"period\":{\"start\":\"2024-01-01T00:00:00+07:00\",\"end\":\"2024-02-01T00:00:00+07:00\"},\"levels_as_of\":\"2024-01-01\",\"province\":{"));
        for key in [
            "\"by_level\":{\"department\":",
            "\"by_unit\":{\"SO1\":",
            "\"by_unit_with_descendants\":{\"HUYEN1\":",
            "\"by_procedure\":{\"P1\":",
            "\"status_counts\":{\"4\":2,\"10\":1}",
            "\"overdue\":[{\"dossier_id\":\"D3\"",
            "\"late_reason\":\"past_due\"",
            "\"unknown_units\":[]",
            "\"by_field\":{\"Test\":",
            "\"by_channel\":{\"in_person\":",
            "\"trend\":{\"2024-01\":{\"received\":",
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
        fn partitions_by_unit_and_by_time_merge_to_the_whole(
            views in proptest::collection::vec(arb_view(), 0..40),
        ) {
            let whole = report(&views);
            // By receiving unit.
            let mut by_unit: BTreeMap<UnitId, Vec<DossierView>> = BTreeMap::new();
            for v in &views {
                by_unit.entry(v.unit.clone()).or_default().push(v.clone());
            }
            let parts: Vec<Report> = by_unit.values().map(|p| report(p)).collect();
            prop_assert_eq!(&merged(&parts), &whole);
            // By time: first instant before, in the first half, in the second half of January.
            let mid = at(15);
            let mut by_time: Vec<Vec<DossierView>> = vec![vec![]; 4];
            for v in &views {
                let t = v.submitted_at.or(v.received_at);
                let slot = match t {
                    None => 0,
                    Some(t) if t < period_jan().start => 1,
                    Some(t) if t < mid => 2,
                    Some(_) => 3,
                };
                by_time[slot].push(v.clone());
            }
            let parts: Vec<Report> = by_time.iter().map(|p| report(p)).collect();
            let mut owned = Report::new(period_jan());
            for part in parts.iter().rev() {
                owned.merge_owned(part.clone()).unwrap_or_else(|e| panic!("{e}"));
            }
            prop_assert_eq!(&owned, &whole);
            prop_assert_eq!(to_json(&merged(&parts)), to_json(&whole));
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
        fn adding_views_one_by_one_equals_building(views in proptest::collection::vec(arb_view(), 0..20)) {
            let mut one_by_one = Report::new(period_jan());
            for v in &views {
                one_by_one.add_view(&catalogue(), v);
            }
            prop_assert_eq!(one_by_one, report(&views));
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
