//! The procedure catalogue: procedures (*thủ tục hành chính*) and the units that handle them.

use crate::ids::{ProcedureCode, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::{Date, Time};

/// An administrative level (*cấp*).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// A ministry (*bộ*).
    Ministry,
    /// The province itself (*cấp tỉnh*).
    Province,
    /// A department, board or sector of the province (*sở, ban, ngành*).
    Department,
    /// A district (*cấp huyện*), abolished on 1 July 2025.
    District,
    /// A commune, ward or town (*cấp xã*).
    Commune,
}

impl Level {
    /// Every level, from the top.
    pub const ALL: [Level; 5] = [
        Level::Ministry,
        Level::Province,
        Level::Department,
        Level::District,
        Level::Commune,
    ];

    /// The level's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Level::Ministry => "ministry",
            Level::Province => "province",
            Level::Department => "department",
            Level::District => "district",
            Level::Commune => "commune",
        }
    }
}

/// How a dossier reached the desk (*kênh*), with the national code 1–3.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 1 — in person at the one-stop desk (*trực tiếp*).
    InPerson,
    /// 2 — online through a public service portal (*trực tuyến*).
    Online,
    /// 3 — by the public postal service (*bưu chính công ích*).
    Postal,
}

impl Channel {
    /// The channel's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Channel::InPerson => "in person",
            Channel::Online => "online",
            Channel::Postal => "postal",
        }
    }

    /// The national channel code: 1 in person, 2 online, 3 postal.
    pub const fn national_code(self) -> u8 {
        match self {
            Channel::InPerson => 1,
            Channel::Online => 2,
            Channel::Postal => 3,
        }
    }
}

/// The longest time limit a catalogue may set, in calendar or working days (2,500 working days
/// are about ten years; in working hours, eight times as many): longer limits could give dues past the working
/// calendar's end, which no report could judge.
pub const MAX_LIMIT_DAYS: u32 = 2_500;

/// A procedure's legal time limit (*thời hạn giải quyết*).
///
/// In a catalogue file: `{"working_days": 15}`, `{"working_hours": 4}` (a half day),
/// `{"calendar_days": 30}`, `{"same_day": {"cutoff": "15:00"}}` or `"none"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// Working days (*ngày làm việc*): weekends and days off are skipped.
    WorkingDays(u32),
    /// Working hours (*giờ làm việc*); half a day is 4 hours.
    WorkingHours(u32),
    /// Calendar days (*ngày*); a due date falling on a day off moves to the next working day.
    CalendarDays(u32),
    /// Same day: received before the cut-off, due at close that day; else at close of the next
    /// working day.
    SameDay {
        /// The cut-off time of day, 15:00 by law.
        #[serde(with = "crate::hhmm")]
        cutoff: Time,
    },
    /// No time limit.
    None,
}

impl TimeLimit {
    /// The budget in working minutes, counting a working day as 8 hours as one-stop systems do;
    /// used to split the limit between workflow steps. `None` for no limit.
    pub fn nominal_minutes(self) -> Option<u64> {
        match self {
            TimeLimit::WorkingDays(d) | TimeLimit::CalendarDays(d) => Some(u64::from(d) * 480),
            TimeLimit::WorkingHours(h) => Some(u64::from(h) * 60),
            TimeLimit::SameDay { .. } => Some(480),
            TimeLimit::None => None,
        }
    }
}

/// What the clock does while the applicant is asked to supplement the dossier
/// (*yêu cầu bổ sung hồ sơ*).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupplementPolicy {
    /// The time limit is counted again from zero when the complete dossier arrives: the common
    /// reading of Decree 61/2018. The default.
    #[default]
    Restart,
    /// The working time spent waiting for the applicant does not count: the Decision 766
    /// progress formula's reading.
    Pause,
    /// Legacy: the due date is pushed back by the calendar days waited.
    Shift,
}

/// The online service level a procedure is offered at (Decree 42/2022).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OnlineService {
    /// Not offered online (information only).
    #[default]
    None,
    /// Partial online service (*DVC trực tuyến một phần*).
    Partial,
    /// Full online service (*DVC trực tuyến toàn trình*).
    Full,
}

/// A fee or charge (*phí, lệ phí*), in đồng.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fee {
    /// What the fee is for.
    pub name: String,
    /// Amount in VND.
    pub amount_vnd: u64,
}

/// One step of an inter-agency workflow (*quy trình liên thông*) with its share of the time limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepSpec {
    /// The step's code, unique within the procedure (e.g. `appraisal`).
    pub id: String,
    /// The step's name.
    pub name: String,
    /// The step's share of the time limit, in percent.
    pub share_percent: u8,
    /// The unit expected to handle the step, if fixed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<UnitId>,
}

/// A procedure (*thủ tục hành chính*) as the catalogue defines it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Procedure {
    /// The procedure's code.
    pub code: ProcedureCode,
    /// The procedure's name, as the catalogue gives it.
    pub name: String,
    /// Its field (*lĩnh vực*), e.g. civil status, construction.
    pub field: String,
    /// The level that handles it.
    pub level: Level,
    /// Units that may receive it; empty means any unit of the procedure's level.
    #[serde(default)]
    pub units: Vec<UnitId>,
    /// The legal time limit.
    pub time_limit: TimeLimit,
    /// What the clock does during a supplement round.
    #[serde(default)]
    pub supplement_policy: SupplementPolicy,
    /// Whether waiting for a financial obligation pauses the clock.
    #[serde(default)]
    pub payment_pauses_clock: bool,
    /// The time the applicant has to supplement the dossier when asked (*thời hạn bổ sung hồ
    /// sơ*), counted from the request like a time limit; past it the agency may stop the dossier
    /// (a `supplement_expired` event). `None` when the procedure sets none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement_time_limit: Option<TimeLimit>,
    /// The online service level.
    #[serde(default)]
    pub online_service: OnlineService,
    /// Whether the result is a document (an online dossier then needs an electronic result to
    /// count as online).
    #[serde(default = "yes")]
    pub result_is_document: bool,
    /// Fees and charges.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Workflow steps, each with a share of the time limit.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
}

fn yes() -> bool {
    true
}

impl Procedure {
    /// The step with this id, if the procedure defines it.
    pub fn step(&self, id: &str) -> Option<&StepSpec> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// Whether any fee is due.
    pub fn has_fees(&self) -> bool {
        self.fees.iter().any(|f| f.amount_vnd > 0)
    }
}

/// One version of a procedure's rules, in force on the dates `[effective_from, effective_until]`
/// (both ends included; an open end means "always"). A dossier is judged under the version in
/// force on the day it was received, so changing the catalogue never changes an old dossier's due
/// (e.g. the Decree 61/107 rules until 2025-06-30, Decree 118 from 2025-07-01).
///
/// In a catalogue file the dates are optional fields of the procedure entry:
/// `"effective_from": "2025-07-01"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureVersion {
    /// The procedure as this version defines it.
    #[serde(flatten)]
    pub procedure: Procedure,
    /// First day in force; `None` for "since always".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::isodate::option"
    )]
    pub effective_from: Option<Date>,
    /// Last day in force; `None` for "until further notice".
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::isodate::option"
    )]
    pub effective_until: Option<Date>,
}

impl ProcedureVersion {
    /// A version in force on every date.
    pub fn always(procedure: Procedure) -> Self {
        ProcedureVersion {
            procedure,
            effective_from: None,
            effective_until: None,
        }
    }

    /// Whether this version is in force on `date`.
    pub fn in_force_on(&self, date: Date) -> bool {
        self.effective_from.is_none_or(|f| f <= date)
            && self.effective_until.is_none_or(|u| date <= u)
    }
}

/// An agency (*cơ quan, đơn vị*) in the unit tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// The unit's code.
    pub id: UnitId,
    /// The unit's name, as the catalogue gives it.
    pub name: String,
    /// Its level.
    pub level: Level,
    /// The unit above it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<UnitId>,
}

/// Something wrong in a catalogue: names the procedure or unit and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Two versions of a procedure are in force on the same day (or a code is repeated without
    /// effective dates).
    #[error("procedure {code} is defined twice for the same dates; versions of a procedure need effective dates that do not overlap")]
    DuplicateProcedure {
        /// The repeated code.
        code: ProcedureCode,
    },
    /// A version ends before it starts.
    #[error("procedure {code}: effective_until {until} is before effective_from {from}")]
    EmptyVersion {
        /// The procedure.
        code: ProcedureCode,
        /// First day.
        from: Date,
        /// Last day.
        until: Date,
    },
    /// Two units share a code.
    #[error("unit {id} is defined twice; each unit code must be unique")]
    DuplicateUnit {
        /// The repeated code.
        id: UnitId,
    },
    /// A unit names a parent that is not in the catalogue.
    #[error("unit {id} names parent {parent}, which is not in the catalogue")]
    UnknownParent {
        /// The unit.
        id: UnitId,
        /// The missing parent.
        parent: UnitId,
    },
    /// The unit tree has a cycle.
    #[error("unit {id} is its own ancestor; the unit tree must not have cycles")]
    UnitCycle {
        /// A unit on the cycle.
        id: UnitId,
    },
    /// A procedure names a unit that is not in the catalogue.
    #[error("procedure {code} names unit {unit}, which is not in the catalogue")]
    UnknownUnit {
        /// The procedure.
        code: ProcedureCode,
        /// The missing unit.
        unit: UnitId,
    },
    /// A time limit of zero days or hours.
    #[error("procedure {code} has a time limit of zero; use \"none\" for a procedure without a limit, or a positive amount")]
    ZeroTimeLimit {
        /// The procedure.
        code: ProcedureCode,
    },
    /// A time limit longer than the engine judges ([`MAX_LIMIT_DAYS`] calendar or working days,
    /// or their working hours).
    #[error("procedure {code}: {what} of {limit:?} is longer than motcua judges (at most {MAX_LIMIT_DAYS} calendar or working days, about ten years, or {} working hours)", MAX_LIMIT_DAYS * 8)]
    LimitTooLong {
        /// The procedure.
        code: ProcedureCode,
        /// Which limit: `time_limit` or `supplement_time_limit`.
        what: &'static str,
        /// The limit given.
        limit: TimeLimit,
    },
    /// A time to supplement of zero days or hours.
    #[error("procedure {code} gives the applicant no time to supplement (`supplement_time_limit` of zero); leave the field out when the procedure sets none")]
    ZeroSupplementTimeLimit {
        /// The procedure.
        code: ProcedureCode,
    },
    /// Step shares add up to more than the whole limit, or steps repeat an id.
    #[error("procedure {code}: {problem}")]
    BadSteps {
        /// The procedure.
        code: ProcedureCode,
        /// What is wrong with its steps.
        problem: String,
    },
    /// A required text is empty.
    #[error("{what} has an empty {field}")]
    Empty {
        /// Which procedure or unit.
        what: String,
        /// The empty field.
        field: &'static str,
    },
}

/// The host's catalogue: its units and the procedures they handle.
///
/// ```
/// use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
///
/// let unit = Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None };
/// let procedure = Procedure {
///     code: ProcedureCode::new("1.001193"),
///     name: "Đăng ký khai sinh".into(),
///     field: "Hộ tịch".into(),
///     level: Level::Commune,
///     units: vec![],
///     time_limit: TimeLimit::WorkingDays(1),
///     supplement_policy: Default::default(),
///     payment_pauses_clock: false, supplement_time_limit: None,
///     online_service: Default::default(),
///     result_is_document: true,
///     fees: vec![],
///     steps: vec![],
/// };
/// let catalogue = Catalogue::new(vec![unit], vec![procedure])?;
/// assert_eq!(catalogue.procedure(&ProcedureCode::new("1.001193")).map(|p| p.time_limit), Some(TimeLimit::WorkingDays(1)));
/// # Ok::<(), motcua_core::CatalogueError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Catalogue {
    units: BTreeMap<UnitId, Unit>,
    /// Each code's versions, in date order, never overlapping.
    procedures: BTreeMap<ProcedureCode, Vec<ProcedureVersion>>,
}

impl Catalogue {
    /// Checks and indexes units and procedures, each in force on every date.
    pub fn new(units: Vec<Unit>, procedures: Vec<Procedure>) -> Result<Self, CatalogueError> {
        Self::with_versions(
            units,
            procedures
                .into_iter()
                .map(ProcedureVersion::always)
                .collect(),
        )
    }

    /// Checks and indexes units and dated procedure versions.
    ///
    /// ```
    /// use motcua_core::{Catalogue, ProcedureVersion, TimeLimit};
    /// # use motcua_core::{Level, Procedure, ProcedureCode};
    /// # let p = |limit| Procedure { code: ProcedureCode::new("1.0001"), name: "Cấp phép".into(), field: "x".into(),
    /// #     level: Level::Department, units: vec![], time_limit: limit, supplement_policy: Default::default(),
    /// #     payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] };
    /// use time::macros::date;
    /// let catalogue = Catalogue::with_versions(vec![], vec![
    ///     ProcedureVersion { procedure: p(TimeLimit::WorkingDays(15)), effective_from: None, effective_until: Some(date!(2025-06-30)) },
    ///     ProcedureVersion { procedure: p(TimeLimit::WorkingDays(10)), effective_from: Some(date!(2025-07-01)), effective_until: None },
    /// ])?;
    /// let code = "1.0001".into();
    /// assert_eq!(catalogue.procedure_at(&code, date!(2025-06-30)).map(|p| p.time_limit), Some(TimeLimit::WorkingDays(15)));
    /// assert_eq!(catalogue.procedure_at(&code, date!(2025-07-01)).map(|p| p.time_limit), Some(TimeLimit::WorkingDays(10)));
    /// # Ok::<(), motcua_core::CatalogueError>(())
    /// ```
    pub fn with_versions(
        units: Vec<Unit>,
        procedures: Vec<ProcedureVersion>,
    ) -> Result<Self, CatalogueError> {
        let mut unit_map = BTreeMap::new();
        for unit in units {
            if unit.name.trim().is_empty() {
                return Err(CatalogueError::Empty {
                    what: format!("unit {}", unit.id),
                    field: "name",
                });
            }
            if let Some(old) = unit_map.insert(unit.id.clone(), unit) {
                return Err(CatalogueError::DuplicateUnit { id: old.id });
            }
        }
        for unit in unit_map.values() {
            check_ancestry(&unit_map, unit)?;
        }
        let mut procedure_map: BTreeMap<ProcedureCode, Vec<ProcedureVersion>> = BTreeMap::new();
        for version in procedures {
            check_procedure(&unit_map, &version.procedure)?;
            if let (Some(from), Some(until)) = (version.effective_from, version.effective_until) {
                if until < from {
                    return Err(CatalogueError::EmptyVersion {
                        code: version.procedure.code.clone(),
                        from,
                        until,
                    });
                }
            }
            procedure_map
                .entry(version.procedure.code.clone())
                .or_default()
                .push(version);
        }
        for (code, versions) in &mut procedure_map {
            versions.sort_by_key(|v| v.effective_from);
            // Sorted by start: two versions overlap when one ends on or after the next starts.
            for pair in versions.windows(2) {
                let (ends, starts) = (pair[0].effective_until, pair[1].effective_from);
                if ends.is_none() || starts.is_none() || ends >= starts {
                    return Err(CatalogueError::DuplicateProcedure { code: code.clone() });
                }
            }
        }
        Ok(Catalogue {
            units: unit_map,
            procedures: procedure_map,
        })
    }

    /// The procedure with this code: its latest version.
    pub fn procedure(&self, code: &ProcedureCode) -> Option<&Procedure> {
        self.procedures
            .get(code)
            .and_then(|v| v.last())
            .map(|v| &v.procedure)
    }

    /// The version of the procedure in force on `date`.
    pub fn procedure_at(&self, code: &ProcedureCode, date: Date) -> Option<&Procedure> {
        self.version_at(code, date).map(|v| &v.procedure)
    }

    /// The dated version of the procedure in force on `date`.
    pub fn version_at(&self, code: &ProcedureCode, date: Date) -> Option<&ProcedureVersion> {
        self.procedures
            .get(code)?
            .iter()
            .find(|v| v.in_force_on(date))
    }

    /// Every version of every procedure, by code then date.
    pub fn versions(&self) -> impl Iterator<Item = &ProcedureVersion> {
        self.procedures.values().flatten()
    }

    /// The unit with this code.
    pub fn unit(&self, id: &UnitId) -> Option<&Unit> {
        self.units.get(id)
    }

    /// All procedures (the latest version of each), by code.
    pub fn procedures(&self) -> impl Iterator<Item = &Procedure> {
        self.procedures
            .values()
            .filter_map(|v| v.last())
            .map(|v| &v.procedure)
    }

    /// All units, by code.
    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// The unit and its ancestors, nearest first.
    pub fn ancestry<'a>(&'a self, id: &UnitId) -> impl Iterator<Item = &'a Unit> + 'a {
        let mut next = self.units.get(id);
        std::iter::from_fn(move || {
            let current = next?;
            next = current.parent.as_ref().and_then(|p| self.units.get(p));
            Some(current)
        })
    }
}

fn check_ancestry(units: &BTreeMap<UnitId, Unit>, unit: &Unit) -> Result<(), CatalogueError> {
    let mut current = unit;
    for _ in 0..=units.len() {
        let Some(parent) = &current.parent else {
            return Ok(());
        };
        current = units
            .get(parent)
            .ok_or_else(|| CatalogueError::UnknownParent {
                id: current.id.clone(),
                parent: parent.clone(),
            })?;
    }
    Err(CatalogueError::UnitCycle {
        id: unit.id.clone(),
    })
}

fn check_procedure(units: &BTreeMap<UnitId, Unit>, p: &Procedure) -> Result<(), CatalogueError> {
    if p.name.trim().is_empty() {
        return Err(CatalogueError::Empty {
            what: format!("procedure {}", p.code),
            field: "name",
        });
    }
    if let Some(unit) = p.units.iter().find(|u| !units.contains_key(*u)) {
        return Err(CatalogueError::UnknownUnit {
            code: p.code.clone(),
            unit: unit.clone(),
        });
    }
    if matches!(
        p.time_limit,
        TimeLimit::WorkingDays(0) | TimeLimit::WorkingHours(0) | TimeLimit::CalendarDays(0)
    ) {
        return Err(CatalogueError::ZeroTimeLimit {
            code: p.code.clone(),
        });
    }
    if matches!(
        p.supplement_time_limit,
        Some(TimeLimit::WorkingDays(0) | TimeLimit::WorkingHours(0) | TimeLimit::CalendarDays(0))
    ) {
        return Err(CatalogueError::ZeroSupplementTimeLimit {
            code: p.code.clone(),
        });
    }
    for (what, limit) in [
        ("time_limit", Some(p.time_limit)),
        ("supplement_time_limit", p.supplement_time_limit),
    ] {
        let too_long = match limit {
            Some(TimeLimit::WorkingDays(n) | TimeLimit::CalendarDays(n)) => n > MAX_LIMIT_DAYS,
            Some(TimeLimit::WorkingHours(h)) => h > MAX_LIMIT_DAYS * 8,
            _ => false,
        };
        if let (true, Some(limit)) = (too_long, limit) {
            return Err(CatalogueError::LimitTooLong {
                code: p.code.clone(),
                what,
                limit,
            });
        }
    }
    let total: u32 = p.steps.iter().map(|s| u32::from(s.share_percent)).sum();
    if total > 100 {
        return Err(CatalogueError::BadSteps {
            code: p.code.clone(),
            problem: format!(
                "step shares add up to {total}%, more than the whole time limit (100%)"
            ),
        });
    }
    for (i, step) in p.steps.iter().enumerate() {
        if p.steps[..i].iter().any(|s| s.id == step.id) {
            return Err(CatalogueError::BadSteps {
                code: p.code.clone(),
                problem: format!("step id {:?} is used twice", step.id),
            });
        }
        if let Some(unit) = step.unit.as_ref().filter(|u| !units.contains_key(*u)) {
            return Err(CatalogueError::UnknownUnit {
                code: p.code.clone(),
                unit: unit.clone(),
            });
        }
    }
    Ok(())
}
