//! Mergeable metrics and scorecards for motcua: the figures provinces report and are judged by,
//! derived from dossier views.
//!
//! Everything here is pure and synchronous: no I/O, no clock, no randomness, no floats in stored
//! values, and output order never depends on hashing.
//!
//! - [`Ratio`]: an exact rate; two-decimal display, half up; a zero denominator is *not
//!   applicable*; targets compared exactly in basis points.
//! - [`Period`]: the half-open span `[start, end)` a report covers (years, quarters, months and
//!   days at UTC+07:00).
//! - [`Counts`]: the mergeable tally of a group of dossiers: received, carried over, handled
//!   early / on time / late, open within time / due soon / overdue, withdrawn, refused, stopped,
//!   online, ratings, late steps; with the on-time, online, late and satisfaction rates.
//! - [`Report`]: one pass over the views of a period (each built as of the period end), keyed by
//!   unit, level, procedure and province, with the status table and the overdue list; partial
//!   reports merge into the whole.
//! - [`OfficerBreakdown`]: the opt-in section of a report by officer (dossiers handled, steps
//!   finished, late steps), from the events' metadata.
//! - [`TargetSet`], [`Scorecard`]: targets as data (with presets), verdicts per unit and
//!   indicator, level summaries and rankings.
//!
//! ```
//! use motcua_metrics::{Period, Report, Scorecard, TargetSet};
//! use motcua_core::{calendar::Calendar, Catalogue, Context, DossierId, Event, EventKind, Level};
//! use motcua_core::{Channel, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
//! use time::macros::datetime;
//!
//! let unit = Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None };
//! let procedure = Procedure {
//!     code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(), field: "Hộ tịch".into(),
//!     level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
//!     supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
//!     online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![],
//! };
//! let catalogue = Catalogue::new(vec![unit], vec![procedure])?;
//! let calendar = Calendar::vietnam();
//! let context = Context::new(&catalogue, &calendar);
//!
//! // One dossier received online on Tuesday 2 January 2024, result the next morning.
//! let event = |seq, at, kind| Event {
//!     event_id: Default::default(), dossier_id: DossierId::new("H1"), sequence: seq,
//!     occurred_at: at, recorded_at: at, kind,
//!     metadata: Default::default(),
//! };
//! let events = [
//!     event(1, datetime!(2024-01-02 09:00 +7), EventKind::Received {
//!         procedure: ProcedureCode::new("1.001193"), unit: UnitId::new("XA01"), channel: Channel::Online,
//!     }),
//!     event(2, datetime!(2024-01-03 08:00 +7), EventKind::ResultReady { electronic: true }),
//! ];
//! let period = Period::month(2024, time::Month::January)?;
//! let view = context.view_events(&events, period.end)?;
//!
//! let report = Report::build(&catalogue, [&view], period);
//! assert_eq!(report.province().received, 1);
//! assert_eq!(report.province().on_time_rate().to_string(), "100.00%");
//!
//! let card = Scorecard::build(&report, &catalogue, &TargetSet::dong_nai_2024());
//! assert_eq!(card.levels[0].ranking[0].unit.as_str(), "XA01");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod classify;
pub mod counts;
pub mod facts;
mod hash;
pub mod indicator;
pub mod levels;
pub mod officers;
pub mod overdue;
pub mod period;
pub mod ratio;
pub mod report;
pub mod score;
pub mod scorecard;
pub mod target;
pub mod trend;

#[cfg(test)]
mod formulas;
#[cfg(test)]
mod testkit;

pub use counts::Counts;
pub use facts::ProcedureFacts;
pub use indicator::{Indicator, OnlineDenominator};
pub use levels::{LevelChange, LevelHistory};
pub use officers::{OfficerBreakdown, OfficerCounts};
pub use overdue::OverdueEntry;
pub use period::{Period, PeriodError, VIETNAM_OFFSET};
pub use ratio::Ratio;
pub use report::{MergeError, Report, StepKey};
pub use score::{Band, Group, Points, ScoringScheme};
pub use scorecard::{
    IndicatorScore, LevelCard, Ranked, Scope, Scorecard, UnitScore, Verdict, VerdictTally,
};
pub use target::{LevelTargets, TargetError, TargetSet};
pub use trend::{MonthKey, TrendPoint};

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
