//! Decision 766 scoring as data: groups with their maximum points, the indicators derivable from
//! dossier events with their points and thresholds, and the bands.
//!
//! The rule for an indicator with threshold `T` and `P` points: `score = P` if `rate ≥ T`, else
//! `rate × P / T`. Scores are kept exactly in ten-thousandths of a point (integers, rounded half
//! up once per indicator) and displayed with two decimals.

use serde::Serialize;
use std::cmp::Ordering;

use crate::counts::Counts;
use crate::indicator::{Indicator, OnlineDenominator};
use crate::ratio::Ratio;

/// Ten-thousandths of a point in one point.
pub const E4: u64 = 10_000;

/// A Decision 766 group, with its maximum points (18 + 20 + 12 + 10 + 22 + 18 = 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Transparency (*công khai, minh bạch*), 18 points: not derivable from dossier events.
    Transparency,
    /// Progress (*tiến độ giải quyết*), 20 points.
    Progress,
    /// Online service (*dịch vụ trực tuyến*), 12 points.
    OnlineService,
    /// Online payment (*thanh toán trực tuyến*), 10 points.
    OnlinePayment,
    /// Digitisation (*số hóa hồ sơ*), 22 points.
    Digitisation,
    /// Satisfaction (*mức độ hài lòng*), 18 points.
    Satisfaction,
}

impl Group {
    /// Every group, in the portal's order.
    pub const ALL: [Group; 6] = [
        Group::Transparency,
        Group::Progress,
        Group::OnlineService,
        Group::OnlinePayment,
        Group::Digitisation,
        Group::Satisfaction,
    ];

    /// The group's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Group::Transparency => "transparency",
            Group::Progress => "progress",
            Group::OnlineService => "online service",
            Group::OnlinePayment => "online payment",
            Group::Digitisation => "digitisation",
            Group::Satisfaction => "satisfaction",
        }
    }

    /// The group's Vietnamese name.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Group::Transparency => "công khai, minh bạch",
            Group::Progress => "tiến độ giải quyết",
            Group::OnlineService => "dịch vụ trực tuyến",
            Group::OnlinePayment => "thanh toán trực tuyến",
            Group::Digitisation => "số hóa hồ sơ",
            Group::Satisfaction => "mức độ hài lòng",
        }
    }
}

/// A band of the score on 100.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// 90–100 (published).
    Excellent,
    /// 70–90 (an intermediate band of ours, not published by Decision 766).
    Good,
    /// 50–70 (an intermediate band of ours, not published by Decision 766).
    Fair,
    /// Below 50 (published).
    Weak,
}

impl Band {
    /// The band's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Band::Excellent => "excellent",
            Band::Good => "good",
            Band::Fair => "fair",
            Band::Weak => "weak",
        }
    }

    /// The band's Vietnamese name.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Band::Excellent => "xuất sắc",
            Band::Good => "tốt",
            Band::Fair => "trung bình",
            Band::Weak => "yếu",
        }
    }
}

/// One indicator's place in the scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemRule {
    /// The indicator.
    pub indicator: Indicator,
    /// Its points `P`.
    pub points: u32,
    /// Its threshold `T`, in basis points.
    pub threshold_bp: u32,
    /// What of this rule is ours rather than published, if anything.
    pub assumption: Option<&'static str>,
}

/// One group of the scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupRule {
    /// The group.
    pub group: Group,
    /// Its maximum points (published).
    pub max_points: u32,
    /// The indicators scored in it that dossier events give; empty for transparency.
    pub items: Vec<ItemRule>,
}

/// A band's lower bound.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BandRule {
    /// The band.
    pub band: Band,
    /// The lowest score on 100 in it, in hundredths of a point (9 000 = 90 points).
    pub from_e2: u64,
    /// Published by Decision 766 (`false`: an intermediate band of ours).
    pub published: bool,
}

/// A scoring scheme: groups, indicator points and thresholds, bands.
///
/// ```
/// use motcua_metrics::{Counts, OnlineDenominator, ScoringScheme};
/// use motcua_metrics::score::Band;
/// let scheme = ScoringScheme::qd766();
/// assert_eq!(scheme.groups.iter().map(|g| g.max_points).sum::<u32>(), 100);
/// // 40 % online against the 50 % threshold: 40/50 × 12 = 9.6 points.
/// let c = Counts { received: 10, online_counted: 4, ..Counts::default() };
/// let s = scheme.score(&c, OnlineDenominator::AllReceived);
/// assert_eq!(s.total_e4, 96_000);
/// assert_eq!(s.applicable_max, 12);
/// assert_eq!(s.score_100_e2(), Some(8_000)); // 9.6 of 12 = 80.00 on 100
/// assert_eq!(s.band, Some(Band::Good));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ScoringScheme {
    /// The scheme's name.
    pub name: &'static str,
    /// The groups.
    pub groups: Vec<GroupRule>,
    /// The bands, best first.
    pub bands: Vec<BandRule>,
}

/// One indicator's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemPoints {
    /// The indicator.
    pub indicator: Indicator,
    /// Its rate.
    pub rate: Ratio,
    /// Its points `P`.
    pub points: u32,
    /// Its threshold, in basis points.
    pub threshold_bp: u32,
    /// The score in ten-thousandths of a point; `None` when the rate is not applicable.
    pub points_e4: Option<u64>,
}

/// One group's points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupPoints {
    /// The group.
    pub group: Group,
    /// Its published maximum.
    pub max_points: u32,
    /// The points of its applicable indicators.
    pub applicable_max: u32,
    /// The score in ten-thousandths of a point; `None` when nothing in it is applicable.
    pub points_e4: Option<u64>,
    /// Its indicators.
    pub items: Vec<ItemPoints>,
}

/// A unit's score under a scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Points {
    /// Per group.
    pub groups: Vec<GroupPoints>,
    /// The sum of the applicable indicators' scores, in ten-thousandths of a point.
    pub total_e4: u64,
    /// The points that could be earned on the applicable indicators (transparency and
    /// indicators with a zero denominator excluded).
    pub applicable_max: u32,
    /// The band of the score on 100 (`total / applicable_max × 100`); `None` when nothing is
    /// applicable.
    pub band: Option<Band>,
}

impl Points {
    /// The score scaled to 100 over the applicable points, in hundredths, rounded half up.
    pub fn score_100_e2(&self) -> Option<u64> {
        if self.applicable_max == 0 {
            return None;
        }
        let max = u128::from(self.applicable_max);
        let e2 = (u128::from(self.total_e4) * 2 + max) / (max * 2);
        Some(u64::try_from(e2).unwrap_or(u64::MAX))
    }

    /// Compares two scores on 100 exactly; a score with nothing applicable is lowest.
    pub fn cmp_score(&self, other: &Points) -> Ordering {
        Ratio::new(self.total_e4, u64::from(self.applicable_max))
            .cmp_value(&Ratio::new(other.total_e4, u64::from(other.applicable_max)))
    }
}

/// Points in ten-thousandths shown with two decimals, half up (`96000` → `"9.60"`).
///
/// ```
/// assert_eq!(motcua_metrics::score::display_e4(96_000), "9.60");
/// assert_eq!(motcua_metrics::score::display_e4(12_345), "1.23");
/// assert_eq!(motcua_metrics::score::display_e4(12_350), "1.24");
/// ```
pub fn display_e4(e4: u64) -> String {
    let e2 = e4 / 100 + u64::from(e4 % 100 >= 50);
    format!("{}.{:02}", e2 / 100, e2 % 100)
}

/// The 766 rule for one rate, in ten-thousandths of a point: `P` if `rate ≥ T`, else
/// `rate × P / T`, rounded half up; `None` when the rate is not applicable.
///
/// ```
/// use motcua_metrics::{score::indicator_points_e4, Ratio};
/// assert_eq!(indicator_points_e4(Ratio::new(9, 10), 18, 9_000), Some(180_000)); // at T: all
/// assert_eq!(indicator_points_e4(Ratio::new(45, 100), 12, 5_000), Some(108_000)); // 45/50 × 12
/// assert_eq!(indicator_points_e4(Ratio::new(0, 0), 12, 5_000), None);
/// ```
pub fn indicator_points_e4(rate: Ratio, points: u32, threshold_bp: u32) -> Option<u64> {
    let full = u64::from(points).saturating_mul(E4);
    match rate.meets(threshold_bp)? {
        true => Some(full),
        false => {
            // rate × P / T = num × P × 10⁴ (bp) × 10⁴ (e4) / (den × T).
            let num = u128::from(rate.num) * u128::from(points) * 10_000 * u128::from(E4);
            let den = u128::from(rate.den) * u128::from(threshold_bp);
            let e4 = (num * 2 + den) / (den * 2);
            Some(u64::try_from(e4).unwrap_or(u64::MAX).min(full))
        }
    }
}

impl ScoringScheme {
    /// Decision 766/QĐ-TTg as far as dossier events reach. Published: the group maxima, the
    /// scoring rule, the thresholds 3.3 ≥ 50 %, 4.2 ≥ 80 %, 4.3 ≥ 80 %, 5.4 ≥ 90 %, the bands
    /// excellent (≥ 90) and weak (< 50). Ours, marked `assumption`: the split of a group's
    /// points between its derivable indicators, a threshold of 100 % where none is published
    /// (the score is then `rate × P`), and the intermediate bands good (≥ 70) and fair (≥ 50).
    pub fn qd766() -> ScoringScheme {
        let item = |indicator, points, threshold_bp, assumption| ItemRule {
            indicator,
            points,
            threshold_bp,
            assumption,
        };
        const NO_T: Option<&str> = Some("no published threshold: 100% (score = rate × points)");
        ScoringScheme {
            name: "qd766",
            groups: vec![
                GroupRule {
                    group: Group::Transparency,
                    max_points: 18,
                    items: vec![],
                },
                GroupRule {
                    group: Group::Progress,
                    max_points: 20,
                    items: vec![item(
                        Indicator::OnTime,
                        20,
                        10_000,
                        Some("all 20 points on 2.1 (2.2 is reported, not scored); no published threshold: 100%"),
                    )],
                },
                GroupRule {
                    group: Group::OnlineService,
                    max_points: 12,
                    items: vec![item(
                        Indicator::Online,
                        12,
                        5_000,
                        Some("all 12 points on 3.3"),
                    )],
                },
                GroupRule {
                    group: Group::OnlinePayment,
                    max_points: 10,
                    items: vec![item(Indicator::OnlinePayment, 10, 10_000, NO_T)],
                },
                GroupRule {
                    group: Group::Digitisation,
                    max_points: 22,
                    items: vec![
                        item(
                            Indicator::EResult,
                            6,
                            10_000,
                            Some("split 6/8/8 between 4.1/4.2/4.3; no published threshold for 4.1: 100%"),
                        ),
                        item(
                            Indicator::Digitised,
                            8,
                            8_000,
                            Some("split 6/8/8 between 4.1/4.2/4.3"),
                        ),
                        item(
                            Indicator::Reuse,
                            8,
                            8_000,
                            Some("split 6/8/8 between 4.1/4.2/4.3"),
                        ),
                    ],
                },
                GroupRule {
                    group: Group::Satisfaction,
                    max_points: 18,
                    items: vec![item(
                        Indicator::Satisfaction766,
                        18,
                        9_000,
                        Some("all 18 points on 5.4"),
                    )],
                },
            ],
            bands: vec![
                BandRule {
                    band: Band::Excellent,
                    from_e2: 9_000,
                    published: true,
                },
                BandRule {
                    band: Band::Good,
                    from_e2: 7_000,
                    published: false,
                },
                BandRule {
                    band: Band::Fair,
                    from_e2: 5_000,
                    published: false,
                },
                BandRule {
                    band: Band::Weak,
                    from_e2: 0,
                    published: true,
                },
            ],
        }
    }

    /// The band of a score on 100 in hundredths.
    pub fn band(&self, score_100_e2: u64) -> Option<Band> {
        self.bands
            .iter()
            .find(|b| score_100_e2 >= b.from_e2)
            .map(|b| b.band)
    }

    /// Scores one tally.
    pub fn score(&self, counts: &Counts, online: OnlineDenominator) -> Points {
        let mut total_e4: u64 = 0;
        let mut applicable_max: u32 = 0;
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let items: Vec<ItemPoints> = g
                    .items
                    .iter()
                    .map(|r| {
                        let rate = r.indicator.rate_with(counts, online);
                        ItemPoints {
                            indicator: r.indicator,
                            rate,
                            points: r.points,
                            threshold_bp: r.threshold_bp,
                            points_e4: indicator_points_e4(rate, r.points, r.threshold_bp),
                        }
                    })
                    .collect();
                let mut group_max = 0u32;
                let mut group_e4: Option<u64> = None;
                for i in &items {
                    if let Some(p) = i.points_e4 {
                        group_max = group_max.saturating_add(i.points);
                        group_e4 = Some(group_e4.unwrap_or(0).saturating_add(p));
                    }
                }
                total_e4 = total_e4.saturating_add(group_e4.unwrap_or(0));
                applicable_max = applicable_max.saturating_add(group_max);
                GroupPoints {
                    group: g.group,
                    max_points: g.max_points,
                    applicable_max: group_max,
                    points_e4: group_e4,
                    items,
                }
            })
            .collect();
        let mut points = Points {
            groups,
            total_e4,
            applicable_max,
            band: None,
        };
        points.band = points.score_100_e2().and_then(|s| self.band(s));
        points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_at_and_below_the_threshold() {
        assert_eq!(
            indicator_points_e4(Ratio::new(8, 10), 8, 8_000),
            Some(80_000)
        );
        assert_eq!(
            indicator_points_e4(Ratio::new(10, 10), 8, 8_000),
            Some(80_000)
        );
        // 60 % of an 80 % threshold: 0.75 × 8 = 6.
        assert_eq!(
            indicator_points_e4(Ratio::new(6, 10), 8, 8_000),
            Some(60_000)
        );
        // No threshold published: 100 %; 97 % of 20 points = 19.4.
        assert_eq!(
            indicator_points_e4(Ratio::new(97, 100), 20, 10_000),
            Some(194_000)
        );
        // 1/3 of 12 over 50 %: 8 points.
        assert_eq!(
            indicator_points_e4(Ratio::new(1, 3), 12, 5_000),
            Some(80_000)
        );
        assert_eq!(indicator_points_e4(Ratio::new(0, 5), 12, 5_000), Some(0));
        assert_eq!(indicator_points_e4(Ratio::new(0, 5), 12, 0), Some(120_000));
    }

    #[test]
    fn a_full_hand_computed_unit() {
        // 10 judged, 1 late, 1 flagged; 10 received, 6 online; 4 fee dossiers, 2 paid online;
        // 10 document results, 8 electronic; 9 digitised; 5 reused.
        let c = Counts {
            received: 10,
            online_counted: 6,
            handled_early: 9,
            handled_late: 1,
            flagged: 1,
            fee_dossiers: 4,
            paid_online: 2,
            document_results: 10,
            electronic_results: 8,
            digitised: 9,
            reused: 5,
            ..Counts::default()
        };
        let s = ScoringScheme::qd766().score(&c, OnlineDenominator::AllReceived);
        let by: Vec<(Group, Option<u64>)> =
            s.groups.iter().map(|g| (g.group, g.points_e4)).collect();
        assert_eq!(
            by,
            [
                (Group::Transparency, None),
                (Group::Progress, Some(180_000)),      // 90 % × 20
                (Group::OnlineService, Some(120_000)), // 60 % ≥ 50 %
                (Group::OnlinePayment, Some(50_000)),  // 50 % × 10
                // 4.1 80 % × 6 = 4.8; 4.2 90 % ≥ 80 %: 8; 4.3 50/80 × 8 = 5
                (Group::Digitisation, Some(178_000)),
                // 5.4 = 100 − 10 − 10 = 80 %; 80/90 × 18 = 16
                (Group::Satisfaction, Some(160_000)),
            ]
        );
        // 18 + 12 + 5 + 17.8 + 16 = 68.8 of the 82 applicable points (transparency n/a).
        assert_eq!(s.total_e4, 688_000);
        assert_eq!(s.applicable_max, 82);
        // 68.8 / 82 × 100 = 83.902… → 83.90: good.
        assert_eq!(s.score_100_e2(), Some(8_390));
        assert_eq!(s.band, Some(Band::Good));
        assert_eq!(display_e4(s.total_e4), "68.80");
    }

    #[test]
    fn nothing_applicable_has_no_band() {
        let s = ScoringScheme::qd766().score(&Counts::default(), OnlineDenominator::AllReceived);
        assert_eq!((s.total_e4, s.applicable_max, s.band), (0, 0, None));
        assert_eq!(s.score_100_e2(), None);
        assert!(s.groups.iter().all(|g| g.points_e4.is_none()));
    }
}
