//! The crate's single error type.

use time::{Date, Time, Weekday};

/// Everything that can go wrong in this crate. Every message names the offending value and
/// what was expected; no operation panics on bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// A date or instant (or the result of an arithmetic operation) lies outside the
    /// calendar's precomputed range.
    #[error("{what} is outside the calendar's supported range {first}..={last}")]
    OutOfRange {
        /// The offending value, described (e.g. `date 2301-01-01`).
        what: String,
        /// First supported day.
        first: Date,
        /// Last supported day.
        last: Date,
    },
    /// A session whose bounds are not valid.
    #[error("invalid session {start}..{end}: {reason}")]
    InvalidSession {
        /// Start given.
        start: Time,
        /// End given.
        end: Time,
        /// What was expected.
        reason: &'static str,
    },
    /// Sessions of one weekday that are unsorted or overlap.
    #[error("sessions of {day} overlap or are unsorted: a session ending at {previous_end} is followed by one starting at {next_start}; expected sorted, non-overlapping sessions")]
    OverlappingSessions {
        /// The weekday concerned.
        day: Weekday,
        /// End of the earlier session.
        previous_end: Time,
        /// Start of the following session.
        next_start: Time,
    },
    /// An operation that needs a working day was given a day without sessions.
    #[error("{date} is not a working day")]
    NotWorkingDay {
        /// The day concerned.
        date: Date,
    },
    /// A line of an override file could not be parsed.
    #[error("line {line}: {message}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What was found and what was expected.
        message: String,
    },
    /// An override file that could not be read, or is not UTF-8 text.
    #[error("the override file could not be read: {message}; expected UTF-8 text")]
    Unreadable {
        /// What the reader reported.
        message: String,
    },
    /// A lunar computation outside the supported range of the lunar calendar.
    #[error("{what} is outside the supported range of the lunar calendar (solar dates {first}..={last})")]
    LunarOutOfRange {
        /// The offending value, described.
        what: String,
        /// First supported solar date.
        first: Date,
        /// Last supported solar date.
        last: Date,
    },
    /// A leap month that the given lunar year does not have.
    #[error("lunar year {year} has no leap month {month} (its leap month: {actual})")]
    NoSuchLeapMonth {
        /// Lunar year.
        year: i32,
        /// Month asked for.
        month: u8,
        /// The year's actual leap month, described (`none` or `month N`).
        actual: String,
    },
    /// A lunar date with an impossible month or day.
    #[error("invalid lunar date {year}-{month:02}-{day:02}: {reason}")]
    InvalidLunarDate {
        /// Lunar year.
        year: i32,
        /// Lunar month.
        month: u8,
        /// Lunar day.
        day: u8,
        /// What was expected.
        reason: String,
    },
    /// An invalid supported range for a builder.
    #[error("invalid year range {first}..={last}: {reason}")]
    InvalidYears {
        /// First year given.
        first: i32,
        /// Last year given.
        last: i32,
        /// What was expected.
        reason: &'static str,
    },
}
