//! [`LevelHistory`]: levels that change over time. A unit's level in a report is its level as of
//! the period's start, and the report says which date that was.

use motcua_core::{Level, Unit, UnitId};
use serde::{Deserialize, Serialize};
use time::{Date, Month};

/// One change to the levels.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum LevelChange {
    /// A level ceases to exist: from `from`, units of that level are counted in no level (they
    /// still count in the province, by unit and by procedure, and are listed as unplaced).
    Abolished {
        /// The level.
        level: Level,
        /// The first day without it (`YYYY-MM-DD`).
        #[serde(with = "iso_date")]
        from: Date,
    },
    /// A unit moves to another level from a date (e.g. a commune merged into a ward of another
    /// level).
    Moved {
        /// The unit.
        unit: UnitId,
        /// Its level from `from` on.
        level: Level,
        /// The first day at the new level (`YYYY-MM-DD`).
        #[serde(with = "iso_date")]
        from: Date,
    },
}

/// Dates as `YYYY-MM-DD` in JSON.
pub(crate) mod iso_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::{Date, Month};

    pub fn serialize<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!(
            "{:04}-{:02}-{:02}",
            date.year(),
            u8::from(date.month()),
            date.day()
        ))
    }

    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u8 = parts.next()?.parse().ok()?;
        let day: u8 = parts.next()?.parse().ok()?;
        Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date YYYY-MM-DD")))
    }
}

/// The changes to the levels over time, applied on top of the catalogue's levels.
///
/// ```
/// use motcua_metrics::LevelHistory;
/// use motcua_core::{Level, Unit, UnitId};
/// use time::macros::date;
/// let huyen = Unit { id: UnitId::new("H1"), name: "Huyện A".into(), level: Level::District, parent: None };
/// let history = LevelHistory::vietnam();
/// assert_eq!(history.level_of(&huyen, date!(2025-06-30)), Some(Level::District));
/// assert_eq!(history.level_of(&huyen, date!(2025-07-01)), None); // no district level from 1 July 2025
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LevelHistory {
    /// The changes, in any order.
    pub changes: Vec<LevelChange>,
}

impl LevelHistory {
    /// Vietnam's: the district level is abolished from 1 July 2025 (two-level local
    /// government).
    pub fn vietnam() -> LevelHistory {
        let from = Date::from_calendar_date(2025, Month::July, 1).unwrap_or(Date::MAX);
        LevelHistory {
            changes: vec![LevelChange::Abolished {
                level: Level::District,
                from,
            }],
        }
    }

    /// The unit's level on `on`: the catalogue's, moved by the latest move in effect, `None` if
    /// that level is abolished by then.
    pub fn level_of(&self, unit: &Unit, on: Date) -> Option<Level> {
        let mut level = unit.level;
        let mut moved_from: Option<Date> = None;
        for change in &self.changes {
            if let LevelChange::Moved {
                unit: id,
                level: l,
                from,
            } = change
            {
                if id == &unit.id && *from <= on && moved_from.is_none_or(|m| m <= *from) {
                    level = *l;
                    moved_from = Some(*from);
                }
            }
        }
        let abolished = self.changes.iter().any(|c| {
            matches!(c, LevelChange::Abolished { level: l, from } if *l == level && *from <= on)
        });
        (!abolished).then_some(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn moves_apply_from_their_date_latest_first() {
        let xa = Unit {
            id: UnitId::new("XA"),
            name: "Xã".into(),
            level: Level::Commune,
            parent: None,
        };
        let history = LevelHistory {
            changes: vec![
                LevelChange::Moved {
                    unit: UnitId::new("XA"),
                    level: Level::Department,
                    from: date!(2026 - 01 - 01),
                },
                LevelChange::Moved {
                    unit: UnitId::new("XA"),
                    level: Level::District,
                    from: date!(2024 - 01 - 01),
                },
                LevelChange::Abolished {
                    level: Level::District,
                    from: date!(2025 - 07 - 01),
                },
            ],
        };
        assert_eq!(
            history.level_of(&xa, date!(2023 - 12 - 31)),
            Some(Level::Commune)
        );
        assert_eq!(
            history.level_of(&xa, date!(2024 - 05 - 01)),
            Some(Level::District)
        );
        assert_eq!(history.level_of(&xa, date!(2025 - 08 - 01)), None);
        assert_eq!(
            history.level_of(&xa, date!(2026 - 02 - 01)),
            Some(Level::Department)
        );
    }
}
