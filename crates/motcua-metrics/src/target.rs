//! [`TargetSet`]: the thresholds a province sets for a year, as data, with known presets.

use motcua_core::Level;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::indicator::Indicator;

/// Targets for a year's plan, in basis points (9 700 = 97 %). A missing target means the
/// indicator is not judged (*not applicable*) for that level.
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
pub struct TargetSet {
    /// The plan's name, e.g. `dong-nai-2024`.
    pub name: String,
    /// On-time rate target for every level.
    pub on_time_bp: Option<u32>,
    /// Satisfaction rate target for every level.
    pub satisfaction_bp: Option<u32>,
    /// Online rate target per level; a level not listed is not judged.
    #[serde(default)]
    pub online_bp_by_level: BTreeMap<Level, u32>,
}

impl TargetSet {
    /// The names [`TargetSet::preset`] knows.
    pub const PRESETS: [&'static str; 2] = ["dong-nai-2024", "dong-nai-2026"];

    /// A known plan by name (see [`TargetSet::PRESETS`]).
    pub fn preset(name: &str) -> Option<TargetSet> {
        match name {
            "dong-nai-2024" => Some(TargetSet::dong_nai_2024()),
            "dong-nai-2026" => Some(TargetSet::dong_nai_2026()),
            _ => None,
        }
    }

    /// Đồng Nai 2024: online ≥ 80 % (departments), ≥ 40 % (districts), ≥ 30 % (communes);
    /// on-time ≥ 97 %; satisfaction ≥ 94 %.
    pub fn dong_nai_2024() -> TargetSet {
        TargetSet {
            name: "dong-nai-2024".into(),
            on_time_bp: Some(9_700),
            satisfaction_bp: Some(9_400),
            online_bp_by_level: BTreeMap::from([
                (Level::Department, 8_000),
                (Level::District, 4_000),
                (Level::Commune, 3_000),
            ]),
        }
    }

    /// Đồng Nai 2026: on-time ≥ 98 %. Only this target is published; the others are not
    /// judged until they are known.
    pub fn dong_nai_2026() -> TargetSet {
        TargetSet {
            name: "dong-nai-2026".into(),
            on_time_bp: Some(9_800),
            satisfaction_bp: None,
            online_bp_by_level: BTreeMap::new(),
        }
    }

    /// The target for an indicator at a level, in basis points; `None` when not judged.
    pub fn target_bp(&self, indicator: Indicator, level: Level) -> Option<u32> {
        match indicator {
            Indicator::OnTime => self.on_time_bp,
            Indicator::Satisfaction => self.satisfaction_bp,
            Indicator::Online => self.online_bp_by_level.get(&level).copied(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_by_name() {
        for name in TargetSet::PRESETS {
            assert_eq!(
                TargetSet::preset(name).map(|t| t.name),
                Some(name.to_string())
            );
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
    }
}
