//! Vietnamese working-time calendar: office sessions, days off, make-up working days,
//! the Vietnamese lunisolar calendar and O(1) working-time arithmetic.
//!
//! Every legal time limit of a one-stop administrative procedure is counted in working time:
//! working days (Monday–Friday minus days off plus make-up Saturdays), working hours (the
//! union of the office sessions of working days), calendar days rolled to a working day, and
//! same-day procedures with a 15:00 cut-off. This crate answers those questions for a
//! [`Calendar`] built once over a range of years (1900–2200 by default) and precomputed, so
//! each operation costs O(1) or O(log n) whatever the amount.
//!
//! ```
//! use motcua_calendar::{Calendar, CalendarBuilder, Time};
//! use time::macros::datetime;
//!
//! let cal = Calendar::vietnam();
//! // A dossier received Friday 26 April 2024 at 10:00 with a 5-working-day limit: the 29/4
//! // swap, 30/4 and 1/5 are skipped, Saturday 4 May (make-up day) counts.
//! let due = cal.add_working_days(datetime!(2024-04-26 10:00 +7), 5)?;
//! assert_eq!(due, datetime!(2024-05-07 10:00 +7));
//! // Which days were skipped, and why:
//! for d in cal.non_working_days(due.date() - time::Duration::days(11), due.date())? {
//!     println!("{} {:?}", d.date, d.reason);
//! }
//! // A host adds a provincial day off on top of the national calendar:
//! let local = CalendarBuilder::vietnam()
//!     .load_overrides("2024-05-06\tlocal\tNgày lễ của tỉnh\tQĐ 1/UBND\n")?
//!     .build()?;
//! assert_eq!(local.add_working_days(datetime!(2024-04-26 10:00 +7), 5)?, datetime!(2024-05-08 10:00 +7));
//! assert_ne!(local.version(), cal.version());
//! # Ok::<(), motcua_calendar::CalendarError>(())
//! ```
//!
//! # Conventions
//!
//! * **Local time.** All computation happens at the calendar's offset (UTC+07:00 by
//!   default, no DST). Instants with any offset are accepted and converted; results are
//!   returned at the calendar's offset.
//! * **Sessions are half-open** `[start, end)`: 11:30 and 17:00 are outside the default
//!   sessions. A position outside every session *normalises* to the start of the next session
//!   ([`Calendar::next_working_instant`]): Friday 17:00 → Monday 07:30.
//! * **Working minutes** between `a` and `b` are the working time in `[a, b)`, floored to
//!   whole minutes; 0 when `b <= a`. [`Calendar::add_working_minutes`] returns the *earliest*
//!   instant at which the minutes have elapsed, so it can land exactly on a session end
//!   (17:00) and `working_minutes_between(s, add_working_minutes(s, m)) == m`.
//! * **Working days**: [`Calendar::add_working_days`] keeps the normalised start's time of
//!   day on the n-th following working day (clamped to that day's sessions);
//!   [`Calendar::working_time_between`]`.days` is the largest `n` with
//!   `add_working_days(a, n) <= b`, so `between(s, add_working_days(s, n)).days == n`.
//! * **Calendar days** ([`Calendar::add_calendar_days`]): same time of day `n` days later;
//!   if that date is not a working day, the opening of the next working day (so the result is
//!   monotone in the start).
//! * **Same day** ([`Calendar::same_day_due`]): received (normalised) before the cut-off →
//!   close of that day, else close of the next working day.
//! * **Range.** Dates, instants and results outside the precomputed range give
//!   [`CalendarError::OutOfRange`]; nothing panics, and a huge amount simply runs out of
//!   range.
//! * **Versions.** [`Calendar::version`] names the calendar and hashes its whole content,
//!   so a due date can record the calendar it was computed under.
//!
//! # Modules
//!
//! * [`lunar`]: the Vietnamese lunisolar calendar (solar ↔ lunar), from Meeus' astronomy.
//! * [`holidays`]: statutory days off by year.
//! * [`file`](mod@file): the override file format (announced swaps, local days off).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod arith;
mod baked;
mod builder;
mod calendar;
mod day;
mod error;
pub mod file;
pub mod holidays;
pub mod lunar;
mod pattern;
mod session;
mod table;
mod vietnam;

pub use builder::{CalendarBuilder, DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR};
pub use calendar::Calendar;
pub use day::{CalendarVersion, DayInfo, DayOffKind, DayReason, WorkingTime};
pub use error::CalendarError;
pub use pattern::WeeklyPattern;
pub use session::Session;
pub use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};
pub use vietnam::{SWAPS_TSV, VIETNAM_OFFSET};

#[cfg(test)]
mod tests;

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
