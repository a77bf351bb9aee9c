//! [`TargetSet`]: the thresholds a plan sets, per indicator and level, as data, with known
//! presets and a check for hosts' own files.

use motcua_core::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::indicator::{Indicator, OnlineDenominator};
use crate::ratio::BP_PER_WHOLE;

/// One indicator's targets, in basis points (9 700 = 97 %): for every level, and per level
/// (a level's own target wins).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelTargets {
    /// The target for every level without its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<u32>,
    /// Per-level targets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_level: BTreeMap<Level, u32>,
}

impl LevelTargets {
    fn all(bp: u32) -> LevelTargets {
        LevelTargets {
            all: Some(bp),
            by_level: BTreeMap::new(),
        }
    }

    fn by_level(levels: impl IntoIterator<Item = (Level, u32)>) -> LevelTargets {
        LevelTargets {
            all: None,
            by_level: levels.into_iter().collect(),
        }
    }
}

/// Why a target set was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The set has no name.
    #[error("the target set has an empty name; give it one, e.g. \"my-province-2025\"")]
    EmptyName,
    /// A target above 100 %.
    #[error("target for {indicator} ({}) is {bp} basis points, above 10000 (100%); targets are basis points, 9700 = 97%", level.map_or("all", Level::label))]
    AboveWhole {
        /// The indicator's key.
        indicator: &'static str,
        /// The level whose target it is; `None` for the target of every level (`all`).
        level: Option<Level>,
        /// The target given.
        bp: u32,
    },
}

/// A plan's targets: per indicator, for every level or per level, in basis points (9 700 =
/// 97 %), and how the online rate is measured. A missing target means the indicator is not
/// judged (*not applicable*) for that level.
///
/// In a host's JSON file (`motcua report --targets FILE`):
///
/// ```json
/// {
///   "name": "my-province-2025",
///   "description": "Plan 12/KH-UBND",
///   "online_denominator": "all_received",
///   "targets": {
///     "on_time": {"all": 9800},
///     "online": {"by_level": {"department": 9000, "commune": 7000}}
///   }
/// }
/// ```
///
/// ```
/// use motcua_metrics::{Indicator, TargetSet};
/// use motcua_core::Level;
///
/// let t = TargetSet::preset("dong-nai-2024").ok_or("no preset")?;
/// assert_eq!(t.target_bp(Indicator::Online, Level::Department), Some(8_000));
/// assert_eq!(t.target_bp(Indicator::Online, Level::Commune), Some(3_000));
/// assert_eq!(t.target_bp(Indicator::Online, Level::Province), None);
/// assert_eq!(t.target_bp(Indicator::OnTime, Level::Commune), Some(9_700));
/// assert!(TargetSet::preset("atlantis-2024").is_none());
/// # Ok::<(), &str>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSet {
    /// The plan's name, e.g. `dong-nai-2024`.
    pub name: String,
    /// Where the targets come from.
    #[serde(default)]
    pub description: String,
    /// How the online rate (3.3) is measured.
    #[serde(default)]
    pub online_denominator: OnlineDenominator,
    /// Targets per indicator.
    #[serde(default)]
    pub targets: BTreeMap<Indicator, LevelTargets>,
}

impl TargetSet {
    /// The names [`TargetSet::preset`] knows.
    pub const PRESETS: [&'static str; 4] =
        ["dong-nai-2024", "dong-nai-2026", "thanh-hoa-2025", "qd766"];

    /// A known plan by name (see [`TargetSet::PRESETS`]).
    pub fn preset(name: &str) -> Option<TargetSet> {
        match name {
            "dong-nai-2024" => Some(TargetSet::dong_nai_2024()),
            "dong-nai-2026" => Some(TargetSet::dong_nai_2026()),
            "thanh-hoa-2025" => Some(TargetSet::thanh_hoa_2025()),
            "qd766" => Some(TargetSet::qd766()),
            _ => None,
        }
    }

    fn named(name: &str, description: &str, targets: Vec<(Indicator, LevelTargets)>) -> TargetSet {
        TargetSet {
            name: name.into(),
            description: description.into(),
            online_denominator: OnlineDenominator::AllReceived,
            targets: targets.into_iter().collect(),
        }
    }

    /// Đồng Nai 2024: online ≥ 80 % (departments), ≥ 40 % (districts), ≥ 30 % (communes);
    /// on-time ≥ 97 %; satisfaction (from ratings) ≥ 94 %.
    pub fn dong_nai_2024() -> TargetSet {
        TargetSet::named(
            "dong-nai-2024",
            "Đồng Nai 2024 plan: online, on-time and satisfaction targets",
            vec![
                (Indicator::OnTime, LevelTargets::all(9_700)),
                (
                    Indicator::Online,
                    LevelTargets::by_level([
                        (Level::Department, 8_000),
                        (Level::District, 4_000),
                        (Level::Commune, 3_000),
                    ]),
                ),
                (Indicator::Satisfaction, LevelTargets::all(9_400)),
            ],
        )
    }

    /// Đồng Nai 2026: on-time ≥ 98 %. Only this target is published; the others are not
    /// judged until they are known.
    pub fn dong_nai_2026() -> TargetSet {
        TargetSet::named(
            "dong-nai-2026",
            "Đồng Nai 2026 plan: on-time target (the only one published)",
            vec![(Indicator::OnTime, LevelTargets::all(9_800))],
        )
    }

    /// Thanh Hóa 2025 (set per procedure; applied here to each unit's dossiers): online ≥ 90 %
    /// (departments and districts), ≥ 70 % (communes).
    pub fn thanh_hoa_2025() -> TargetSet {
        TargetSet::named(
            "thanh-hoa-2025",
            "Thanh Hóa 2025 plan: online targets (per procedure in the plan, per unit here)",
            vec![(
                Indicator::Online,
                LevelTargets::by_level([
                    (Level::Department, 9_000),
                    (Level::District, 9_000),
                    (Level::Commune, 7_000),
                ]),
            )],
        )
    }

    /// Decision 766's thresholds: online (3.3) 50 %, digitised (4.2) 80 %, reuse (4.3) 80 %,
    /// satisfaction (5.4) 90 %, for every level. Indicators whose threshold the decision's
    /// published formulas do not give are not judged.
    pub fn qd766() -> TargetSet {
        TargetSet::named(
            "qd766",
            "Decision 766/QĐ-TTg thresholds",
            vec![
                (Indicator::Online, LevelTargets::all(5_000)),
                (Indicator::Digitised, LevelTargets::all(8_000)),
                (Indicator::Reuse, LevelTargets::all(8_000)),
                (Indicator::Satisfaction766, LevelTargets::all(9_000)),
            ],
        )
    }

    /// The target for an indicator at a level, in basis points; `None` when not judged.
    pub fn target_bp(&self, indicator: Indicator, level: Level) -> Option<u32> {
        let t = self.targets.get(&indicator)?;
        t.by_level.get(&level).copied().or(t.all)
    }

    /// Checks a set read from a host's file.
    ///
    /// # Errors
    /// [`TargetError::EmptyName`], or [`TargetError::AboveWhole`] for a target above 100 %.
    ///
    /// ```
    /// use motcua_metrics::{TargetSet, TargetError};
    /// let mut t = TargetSet::qd766();
    /// assert_eq!(t.check(), Ok(()));
    /// t.name.clear();
    /// assert_eq!(t.check(), Err(TargetError::EmptyName));
    /// ```
    pub fn check(&self) -> Result<(), TargetError> {
        if self.name.trim().is_empty() {
            return Err(TargetError::EmptyName);
        }
        for (indicator, t) in &self.targets {
            let all = t.all.map(|bp| (None, bp));
            let levels = t.by_level.iter().map(|(level, bp)| (Some(*level), *bp));
            for (level, bp) in all.into_iter().chain(levels) {
                if bp > BP_PER_WHOLE {
                    return Err(TargetError::AboveWhole {
                        indicator: indicator.key(),
                        level,
                        bp,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_by_name() {
        for name in TargetSet::PRESETS {
            let t = TargetSet::preset(name);
            assert_eq!(t.as_ref().map(|t| t.name.as_str()), Some(name));
            assert_eq!(t.map(|t| t.check()), Some(Ok(())));
        }
        let t = TargetSet::dong_nai_2024();
        assert_eq!(t.target_bp(Indicator::Online, Level::District), Some(4_000));
        assert_eq!(
            t.target_bp(Indicator::Satisfaction, Level::Department),
            Some(9_400)
        );
        let t = TargetSet::dong_nai_2026();
        assert_eq!(t.target_bp(Indicator::OnTime, Level::District), Some(9_800));
        assert_eq!(t.target_bp(Indicator::Online, Level::District), None);
        assert_eq!(t.target_bp(Indicator::Satisfaction, Level::District), None);
        let t = TargetSet::thanh_hoa_2025();
        assert_eq!(t.target_bp(Indicator::Online, Level::District), Some(9_000));
        assert_eq!(t.target_bp(Indicator::Online, Level::Commune), Some(7_000));
        assert_eq!(t.target_bp(Indicator::Online, Level::Province), None);
        let t = TargetSet::qd766();
        assert_eq!(t.target_bp(Indicator::Online, Level::Commune), Some(5_000));
        assert_eq!(
            t.target_bp(Indicator::Reuse, Level::Department),
            Some(8_000)
        );
        assert_eq!(
            t.target_bp(Indicator::Satisfaction766, Level::Commune),
            Some(9_000)
        );
        assert_eq!(t.target_bp(Indicator::OnTime, Level::Commune), None);
    }

    #[test]
    fn a_level_target_wins_over_all() {
        let mut t = TargetSet::qd766();
        t.targets
            .entry(Indicator::Online)
            .or_default()
            .by_level
            .insert(Level::Commune, 3_000);
        assert_eq!(t.target_bp(Indicator::Online, Level::Commune), Some(3_000));
        assert_eq!(t.target_bp(Indicator::Online, Level::District), Some(5_000));
        t.targets.entry(Indicator::Online).or_default().all = Some(10_001);
        assert_eq!(
            t.check(),
            Err(TargetError::AboveWhole {
                indicator: "online",
                level: None,
                bp: 10_001
            })
        );
    }
}
