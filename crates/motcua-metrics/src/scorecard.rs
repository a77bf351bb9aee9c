//! [`Scorecard`]: each unit's rates against a [`TargetSet`], verdicts, level summaries and a
//! ranking within each level.

use motcua_core::{Catalogue, Level, UnitId};
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::counts::Counts;
use crate::indicator::{Indicator, OnlineDenominator};
use crate::levels::LevelHistory;
use crate::period::Period;
use crate::ratio::Ratio;
use crate::report::Report;
use crate::score::{Points, ScoringScheme};
use crate::target::TargetSet;

/// The outcome of judging a rate against a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The rate reaches the target.
    Pass,
    /// The rate falls short of the target.
    Fail,
    /// No target for the unit's level, or nothing to judge (zero denominator).
    NotApplicable,
}

impl Verdict {
    /// The verdict of a rate against an optional target.
    ///
    /// ```
    /// use motcua_metrics::{Ratio, Verdict};
    /// assert_eq!(Verdict::judge(Ratio::new(97, 100), Some(9_700)), Verdict::Pass);
    /// assert_eq!(Verdict::judge(Ratio::new(9_699, 10_000), Some(9_700)), Verdict::Fail);
    /// assert_eq!(Verdict::judge(Ratio::new(0, 0), Some(9_700)), Verdict::NotApplicable);
    /// assert_eq!(Verdict::judge(Ratio::new(1, 2), None), Verdict::NotApplicable);
    /// ```
    pub fn judge(rate: Ratio, target_bp: Option<u32>) -> Verdict {
        match target_bp.and_then(|t| rate.meets(t)) {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => Verdict::NotApplicable,
        }
    }

    /// The overall verdict of several: fail if any fails, pass if at least one passes and none
    /// fails, else not applicable.
    ///
    /// ```
    /// use motcua_metrics::Verdict::*;
    /// use motcua_metrics::Verdict;
    /// assert_eq!(Verdict::overall([Pass, NotApplicable, Fail]), Fail);
    /// assert_eq!(Verdict::overall([NotApplicable, Pass]), Pass);
    /// assert_eq!(Verdict::overall([NotApplicable]), NotApplicable);
    /// ```
    pub fn overall(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
        let mut any_pass = false;
        for v in verdicts {
            match v {
                Verdict::Fail => return Verdict::Fail,
                Verdict::Pass => any_pass = true,
                Verdict::NotApplicable => {}
            }
        }
        if any_pass {
            Verdict::Pass
        } else {
            Verdict::NotApplicable
        }
    }
}

/// Which figures a unit is judged on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The dossiers the unit received itself. The default.
    #[default]
    Own,
    /// The unit's dossiers and all its descendants'.
    WithDescendants,
}

/// Pass / fail / not-applicable tallies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct VerdictTally {
    /// Passing.
    pub pass: u64,
    /// Failing.
    pub fail: u64,
    /// Not judged.
    pub not_applicable: u64,
}

impl VerdictTally {
    fn add(&mut self, v: Verdict) {
        let slot = match v {
            Verdict::Pass => &mut self.pass,
            Verdict::Fail => &mut self.fail,
            Verdict::NotApplicable => &mut self.not_applicable,
        };
        *slot = slot.saturating_add(1);
    }
}

/// One indicator of one unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IndicatorScore {
    /// Which indicator.
    pub indicator: Indicator,
    /// The unit's rate.
    pub rate: Ratio,
    /// The target for the unit's level, in basis points.
    pub target_bp: Option<u32>,
    /// The rate against the target.
    pub verdict: Verdict,
}

/// One unit's line on the scorecard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnitScore {
    /// The unit.
    pub unit: UnitId,
    /// Its name.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// Each indicator, in [`Indicator::ALL`] order.
    pub indicators: Vec<IndicatorScore>,
    /// Fail if any indicator fails; pass if at least one passes and none fails.
    pub verdict: Verdict,
    /// The Decision 766 score of the unit's figures.
    pub points: Points,
}

impl UnitScore {
    /// The score of one indicator.
    pub fn indicator(&self, indicator: Indicator) -> Option<&IndicatorScore> {
        self.indicators.iter().find(|s| s.indicator == indicator)
    }

    fn rate(&self, indicator: Indicator) -> Ratio {
        self.indicator(indicator)
            .map_or(Ratio::new(0, 0), |s| s.rate)
    }
}

/// A unit's place in its level's ranking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Ranked {
    /// 1 for the best.
    pub rank: u32,
    /// The unit.
    pub unit: UnitId,
    /// Its on-time rate (the first key).
    pub on_time_rate: Ratio,
    /// Its online rate (the third key).
    pub online_rate: Ratio,
    /// Its 766 score on 100 over the applicable points, in hundredths (the first key).
    pub score_100_e2: Option<u64>,
}

/// One level of the scorecard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelCard {
    /// The level.
    pub level: Level,
    /// Its units, by code.
    pub units: Vec<UnitScore>,
    /// Overall verdicts of its units.
    pub overall: VerdictTally,
    /// Verdicts per indicator.
    pub by_indicator: BTreeMap<Indicator, VerdictTally>,
    /// Its units ranked by 766 score (exact, over the applicable points), then on-time rate,
    /// then online rate (exact; not applicable last), then unit code.
    pub ranking: Vec<Ranked>,
}

/// Every catalogue unit judged against a target set and scored under Decision 766, grouped by
/// level as of the period start (from the top), units by code within a level.
///
/// ```
/// use motcua_metrics::{Counts, Indicator, Period, Report, Scorecard, TargetSet, Verdict};
/// use motcua_core::{Catalogue, Level, Unit, UnitId};
///
/// let so = Unit { id: UnitId::new("SO-TP"), name: "Sở Tư pháp".into(), level: Level::Department, parent: None };
/// let catalogue = Catalogue::new(vec![so], vec![])?;
/// let report = Report::new(Period::year(2024)?); // no dossiers at all
/// let card = Scorecard::build(&report, &catalogue, &TargetSet::dong_nai_2024());
/// let unit = &card.levels[0].units[0];
/// assert_eq!(unit.indicator(Indicator::Online).map(|s| s.target_bp), Some(Some(8_000)));
/// assert_eq!(unit.verdict, Verdict::NotApplicable); // nothing to judge
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scorecard {
    /// The target set's name.
    pub targets: String,
    /// The period judged.
    pub period: Period,
    /// Which figures units were judged on.
    pub scope: Scope,
    /// How the online rate was measured.
    pub online_denominator: OnlineDenominator,
    /// The scoring scheme.
    pub scheme: ScoringScheme,
    /// The day units' levels were taken as of.
    #[serde(with = "crate::levels::iso_date")]
    pub levels_as_of: time::Date,
    /// The levels that have units, from the top.
    pub levels: Vec<LevelCard>,
    /// Catalogue units whose level no longer existed at `levels_as_of` (not judged).
    pub unplaced: Vec<UnitId>,
}

impl Scorecard {
    /// Judges every catalogue unit on its own figures.
    pub fn build(report: &Report, catalogue: &Catalogue, targets: &TargetSet) -> Scorecard {
        Scorecard::build_with(report, catalogue, targets, Scope::Own)
    }

    /// Judges every catalogue unit on the figures of `scope`.
    pub fn build_with(
        report: &Report,
        catalogue: &Catalogue,
        targets: &TargetSet,
        scope: Scope,
    ) -> Scorecard {
        Scorecard::build_full(
            report,
            catalogue,
            targets,
            scope,
            &LevelHistory::vietnam(),
            &ScoringScheme::qd766(),
        )
    }

    /// Judges every catalogue unit on the figures of `scope`, with units' levels as of the
    /// report's [`Report::levels_as_of`] under `levels` (pass the history the report was built
    /// with), scored under `scheme`.
    pub fn build_full(
        report: &Report,
        catalogue: &Catalogue,
        targets: &TargetSet,
        scope: Scope,
        levels: &LevelHistory,
        scheme: &ScoringScheme,
    ) -> Scorecard {
        let mut by_level: BTreeMap<Level, Vec<UnitScore>> = BTreeMap::new();
        let mut unplaced = Vec::new();
        let as_of = report.levels_as_of();
        for unit in catalogue.units() {
            let Some(level) = levels.level_of(unit, as_of) else {
                unplaced.push(unit.id.clone());
                continue;
            };
            let counts = match scope {
                Scope::Own => report.unit(&unit.id),
                Scope::WithDescendants => report.unit_with_descendants(&unit.id),
            };
            let score = score_unit(&unit.id, &unit.name, level, &counts, targets, scheme);
            by_level.entry(level).or_default().push(score);
        }
        let levels = by_level
            .into_iter()
            .map(|(level, units)| level_card(level, units))
            .collect();
        Scorecard {
            targets: targets.name.clone(),
            period: report.period(),
            scope,
            online_denominator: targets.online_denominator,
            scheme: scheme.clone(),
            levels_as_of: as_of,
            levels,
            unplaced,
        }
    }

    /// The card of one level, if it has units.
    pub fn level(&self, level: Level) -> Option<&LevelCard> {
        self.levels.iter().find(|c| c.level == level)
    }

    /// The line of one unit, if the catalogue has it.
    pub fn unit(&self, unit: &UnitId) -> Option<&UnitScore> {
        self.levels
            .iter()
            .flat_map(|c| c.units.iter())
            .find(|u| &u.unit == unit)
    }
}

fn score_unit(
    id: &UnitId,
    name: &str,
    level: Level,
    counts: &Counts,
    targets: &TargetSet,
    scheme: &ScoringScheme,
) -> UnitScore {
    let indicators: Vec<IndicatorScore> = Indicator::ALL
        .iter()
        .map(|&indicator| {
            let rate = indicator.rate_with(counts, targets.online_denominator);
            let target_bp = targets.target_bp(indicator, level);
            IndicatorScore {
                indicator,
                rate,
                target_bp,
                verdict: Verdict::judge(rate, target_bp),
            }
        })
        .collect();
    let verdict = Verdict::overall(indicators.iter().map(|s| s.verdict));
    UnitScore {
        unit: id.clone(),
        name: name.to_owned(),
        level,
        indicators,
        verdict,
        points: scheme.score(counts, targets.online_denominator),
    }
}

/// Best first: 766 score, on-time rate, then online rate (not applicable below any rate), then
/// unit code.
fn ranking_order(a: &UnitScore, b: &UnitScore) -> Ordering {
    b.points
        .cmp_score(&a.points)
        .then_with(|| {
            b.rate(Indicator::OnTime)
                .cmp_value(&a.rate(Indicator::OnTime))
        })
        .then_with(|| {
            b.rate(Indicator::Online)
                .cmp_value(&a.rate(Indicator::Online))
        })
        .then_with(|| a.unit.cmp(&b.unit))
}

fn level_card(level: Level, mut units: Vec<UnitScore>) -> LevelCard {
    units.sort_by(|a, b| a.unit.cmp(&b.unit));
    let mut overall = VerdictTally::default();
    let mut by_indicator: BTreeMap<Indicator, VerdictTally> = BTreeMap::new();
    for u in &units {
        overall.add(u.verdict);
        for s in &u.indicators {
            by_indicator.entry(s.indicator).or_default().add(s.verdict);
        }
    }
    let mut order: Vec<&UnitScore> = units.iter().collect();
    order.sort_by(|a, b| ranking_order(a, b));
    let ranking = order
        .iter()
        .enumerate()
        .map(|(i, u)| Ranked {
            rank: u32::try_from(i).map_or(u32::MAX, |i| i.saturating_add(1)),
            unit: u.unit.clone(),
            on_time_rate: u.rate(Indicator::OnTime),
            online_rate: u.rate(Indicator::Online),
            score_100_e2: u.points.score_100_e2(),
        })
        .collect();
    LevelCard {
        level,
        units,
        overall,
        by_indicator,
        ranking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{at, catalogue, period_jan, ViewBuilder};
    use motcua_core::{DossierView, TimeClass};

    /// `n` dossiers received in January at `unit`, `online` of them online, `late` of them
    /// finished late and the rest early, `satisfied` of `rated` satisfied.
    fn batch(
        unit: &str,
        n: u64,
        online: u64,
        late: u64,
        rated: u64,
        satisfied: u64,
    ) -> Vec<DossierView> {
        (0..n)
            .map(|i| {
                let mut b = ViewBuilder::new(&format!("{unit}-{i:05}")).unit(unit);
                if i < online {
                    b = b.online().e_result(true);
                }
                let class = if i < late {
                    TimeClass::Late
                } else {
                    TimeClass::Early
                };
                b = b.received(at(1)).result(at(2), class);
                if i < rated {
                    b = b.rated(i < satisfied);
                }
                b.build()
            })
            .collect()
    }

    fn card(views: &[DossierView], targets: &TargetSet) -> Scorecard {
        Scorecard::build(
            &Report::build(&catalogue(), views, period_jan()),
            &catalogue(),
            targets,
        )
    }

    fn verdicts(card: &Scorecard, unit: &str) -> Vec<Verdict> {
        card.unit(&UnitId::new(unit))
            .map(|u| u.indicators.iter().map(|s| s.verdict).collect())
            .unwrap_or_default()
    }

    #[test]
    fn on_time_boundary_is_exact() {
        // 97.00 % passes 97 %; 96.99 % fails.
        let mut views = batch("SO1", 10_000, 10_000, 300, 0, 0);
        views.extend(batch("SO2", 10_000, 10_000, 301, 0, 0));
        let c = card(&views, &TargetSet::dong_nai_2024());
        let so1 = c.unit(&UnitId::new("SO1")).map(|u| u.indicators[0].clone());
        assert_eq!(
            so1.as_ref().map(|s| s.rate.percent_2dp()),
            Some(Some("97.00".into()))
        );
        assert_eq!(so1.map(|s| s.verdict), Some(Verdict::Pass));
        let so2 = c.unit(&UnitId::new("SO2")).map(|u| u.indicators[0].clone());
        assert_eq!(
            so2.as_ref().map(|s| s.rate.percent_2dp()),
            Some(Some("96.99".into()))
        );
        assert_eq!(so2.map(|s| s.verdict), Some(Verdict::Fail));
        // 2026 asks 98 %: both fail.
        let c = card(&views, &TargetSet::dong_nai_2026());
        let mut expected = [Verdict::NotApplicable; 8];
        expected[0] = Verdict::Fail;
        assert_eq!(verdicts(&c, "SO1"), expected);
    }

    #[test]
    fn online_targets_depend_on_level() {
        // 35 % online: fails a department's 80 %, fails a district's 40 %, passes a commune's 30 %.
        let mut views = batch("SO1", 20, 7, 0, 0, 0);
        views.extend(batch("HUYEN1", 20, 7, 0, 0, 0));
        views.extend(batch("XA1", 20, 7, 0, 0, 0));
        let c = card(&views, &TargetSet::dong_nai_2024());
        let online = |u: &str| {
            c.unit(&UnitId::new(u))
                .and_then(|s| s.indicator(Indicator::Online))
                .map(|s| (s.target_bp, s.verdict))
        };
        assert_eq!(online("SO1"), Some((Some(8_000), Verdict::Fail)));
        assert_eq!(online("HUYEN1"), Some((Some(4_000), Verdict::Fail)));
        assert_eq!(online("XA1"), Some((Some(3_000), Verdict::Pass)));
        // The province has no online target; it received nothing anyway.
        assert_eq!(online("TINH"), Some((None, Verdict::NotApplicable)));
    }

    #[test]
    fn overall_verdicts_and_level_summaries() {
        let mut views = batch("XA1", 100, 40, 0, 100, 95); // all pass
        views.extend(batch("XA2", 100, 40, 0, 100, 90)); // satisfaction 90 % < 94 %: fails
        let c = card(&views, &TargetSet::dong_nai_2024());
        assert_eq!(
            c.unit(&UnitId::new("XA1")).map(|u| u.verdict),
            Some(Verdict::Pass)
        );
        assert_eq!(
            c.unit(&UnitId::new("XA2")).map(|u| u.verdict),
            Some(Verdict::Fail)
        );
        assert_eq!(
            c.unit(&UnitId::new("SO1")).map(|u| u.verdict),
            Some(Verdict::NotApplicable)
        );
        let communes = c
            .level(Level::Commune)
            .cloned()
            .unwrap_or_else(|| panic!("no communes"));
        assert_eq!(
            communes.overall,
            VerdictTally {
                pass: 1,
                fail: 1,
                not_applicable: 0
            }
        );
        assert_eq!(
            communes.by_indicator.get(&Indicator::Satisfaction),
            Some(&VerdictTally {
                pass: 1,
                fail: 1,
                not_applicable: 0
            })
        );
        assert_eq!(
            communes.by_indicator.get(&Indicator::Online),
            Some(&VerdictTally {
                pass: 2,
                fail: 0,
                not_applicable: 0
            })
        );
        // Levels from the top, units by code.
        let levels: Vec<Level> = c.levels.iter().map(|l| l.level).collect();
        assert_eq!(
            levels,
            [
                Level::Province,
                Level::Department,
                Level::District,
                Level::Commune
            ]
        );
        let depts: Vec<&str> = c.levels[1].units.iter().map(|u| u.unit.as_str()).collect();
        assert_eq!(depts, ["SO1", "SO2"]);
    }

    #[test]
    fn ranking_by_on_time_then_online_then_code() {
        let mut views = batch("XA2", 10, 5, 1, 0, 0); // 90 % on time, 50 % online
        views.extend(batch("XA1", 10, 3, 1, 0, 0)); // 90 %, 30 %
        let c = card(&views, &TargetSet::dong_nai_2024());
        let rank: Vec<(u32, &str)> = c.levels[3]
            .ranking
            .iter()
            .map(|r| (r.rank, r.unit.as_str()))
            .collect();
        assert_eq!(rank, [(1, "XA2"), (2, "XA1")]);
        // Equal rates: by code. Units with nothing rank last.
        let mut views = batch("XA2", 10, 5, 1, 0, 0);
        views.extend(batch("XA1", 20, 10, 2, 0, 0));
        views.extend(batch("SO2", 1, 1, 0, 0, 0));
        let c = card(&views, &TargetSet::dong_nai_2024());
        let rank: Vec<&str> = c.levels[3]
            .ranking
            .iter()
            .map(|r| r.unit.as_str())
            .collect();
        assert_eq!(rank, ["XA1", "XA2"]);
        let rank: Vec<&str> = c.levels[1]
            .ranking
            .iter()
            .map(|r| r.unit.as_str())
            .collect();
        assert_eq!(rank, ["SO2", "SO1"]);
    }

    #[test]
    fn scope_with_descendants() {
        let views = batch("XA1", 10, 10, 0, 0, 0);
        let report = Report::build(&catalogue(), &views, period_jan());
        let own = Scorecard::build(&report, &catalogue(), &TargetSet::dong_nai_2024());
        assert_eq!(verdicts(&own, "HUYEN1")[1], Verdict::NotApplicable);
        let all = Scorecard::build_with(
            &report,
            &catalogue(),
            &TargetSet::dong_nai_2024(),
            Scope::WithDescendants,
        );
        assert_eq!(verdicts(&all, "HUYEN1")[1], Verdict::Pass);
    }
}
