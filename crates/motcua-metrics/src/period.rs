//! [`Period`]: the half-open time span a report covers.

use serde::Serialize;
use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

/// Vietnam's offset, UTC+07:00: calendar periods start at local midnight.
pub const VIETNAM_OFFSET: UtcOffset = time::macros::offset!(+7);

/// Why a period could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PeriodError {
    /// The end is not after the start.
    #[error("period end {end} is not after its start {start}; a period is [start, end) with start < end")]
    Empty {
        /// The start.
        start: OffsetDateTime,
        /// The end.
        end: OffsetDateTime,
    },
    /// A quarter outside 1–4.
    #[error("quarter {quarter} does not exist; quarters are 1 to 4")]
    BadQuarter {
        /// The quarter asked for.
        quarter: u8,
    },
    /// A year, month or day outside what `time` represents.
    #[error("{what} is not a representable date")]
    BadDate {
        /// The date asked for, as text.
        what: String,
    },
}

/// A half-open span of time `[start, end)`: an instant exactly at `end` belongs to the next
/// period, so consecutive periods never count a dossier twice. Or, made by
/// [`Period::through`], a closed one `[start, end]` that takes in `end` itself: what a report
/// as of an instant covers.
///
/// The calendar constructors start and end at local midnight in UTC+07:00.
///
/// ```
/// use motcua_metrics::Period;
/// use time::{macros::datetime, Month};
///
/// let q1 = Period::quarter(2024, 1)?;
/// assert_eq!(q1.start, datetime!(2024-01-01 00:00 +7));
/// assert_eq!(q1.end, datetime!(2024-04-01 00:00 +7));
/// assert!(q1.contains(datetime!(2024-03-31 23:59:59 +7)));
/// assert!(!q1.contains(q1.end));
/// assert_eq!(Period::month(2024, Month::December)?.end, datetime!(2025-01-01 00:00 +7));
/// # Ok::<(), motcua_metrics::PeriodError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    /// The first instant in the period.
    #[serde(with = "time::serde::rfc3339")]
    pub start: OffsetDateTime,
    /// The end of the period: the first instant after it, or with
    /// [`Period::includes_end`] its last instant. Views for a report are built as of this
    /// instant.
    #[serde(with = "time::serde::rfc3339")]
    pub end: OffsetDateTime,
    /// Whether `end` itself lies in the period ([`Period::through`]); serialised only when
    /// it does.
    #[serde(skip_serializing_if = "is_false")]
    pub includes_end: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Period {
    /// The period from `start` through `end` itself, `[start, end]`: what a report as of
    /// `end` covers, where whatever happened at that very instant has happened (a dossier
    /// received or finished at `end` is received or finished in the period, as a view built
    /// as of `end` says, and a dossier due at `end` is not overdue yet).
    ///
    /// [`PeriodError::Empty`] unless `start` is at or before `end`; `start == end` is the
    /// period of that one instant.
    ///
    /// ```
    /// use motcua_metrics::Period;
    /// use time::macros::datetime;
    /// let as_of = datetime!(2024-12-31 17:00 +7);
    /// let p = Period::through(datetime!(2024-01-01 00:00 +7), as_of)?;
    /// assert!(p.contains(as_of));
    /// assert!(!p.contains(as_of + time::Duration::nanoseconds(1)));
    /// assert_eq!((p.end, p.includes_end), (as_of, true));
    /// # Ok::<(), motcua_metrics::PeriodError>(())
    /// ```
    pub fn through(start: OffsetDateTime, end: OffsetDateTime) -> Result<Period, PeriodError> {
        if start <= end {
            Ok(Period {
                start,
                end,
                includes_end: true,
            })
        } else {
            Err(PeriodError::Empty { start, end })
        }
    }

    /// The period `[start, end)`.
    ///
    /// # Errors
    /// [`PeriodError::Empty`] unless `start` is before `end`.
    ///
    /// ```
    /// use motcua_metrics::Period;
    /// use time::macros::datetime;
    /// assert!(Period::new(datetime!(2024-01-01 00:00 +7), datetime!(2024-01-01 00:00 +7)).is_err());
    /// ```
    pub fn new(start: OffsetDateTime, end: OffsetDateTime) -> Result<Period, PeriodError> {
        if start < end {
            Ok(Period {
                start,
                end,
                includes_end: false,
            })
        } else {
            Err(PeriodError::Empty { start, end })
        }
    }

    /// The calendar year `year` in UTC+07:00.
    ///
    /// # Errors
    /// [`PeriodError::BadDate`] for a year `time` cannot represent.
    ///
    /// ```
    /// use motcua_metrics::Period;
    /// use time::macros::datetime;
    /// let p = Period::year(2024)?;
    /// assert_eq!((p.start, p.end), (datetime!(2024-01-01 00:00 +7), datetime!(2025-01-01 00:00 +7)));
    /// # Ok::<(), motcua_metrics::PeriodError>(())
    /// ```
    pub fn year(year: i32) -> Result<Period, PeriodError> {
        let next = year
            .checked_add(1)
            .ok_or_else(|| bad_date(format!("year {year}")))?;
        Period::new(
            midnight(year, Month::January, 1)?,
            midnight(next, Month::January, 1)?,
        )
    }

    /// The month `month` of `year` in UTC+07:00.
    ///
    /// # Errors
    /// [`PeriodError::BadDate`] for a year `time` cannot represent.
    ///
    /// ```
    /// use motcua_metrics::Period;
    /// use time::{macros::datetime, Month};
    /// let p = Period::month(2024, Month::February)?;
    /// assert_eq!((p.start, p.end), (datetime!(2024-02-01 00:00 +7), datetime!(2024-03-01 00:00 +7)));
    /// # Ok::<(), motcua_metrics::PeriodError>(())
    /// ```
    pub fn month(year: i32, month: Month) -> Result<Period, PeriodError> {
        let (next_year, next_month) = if month == Month::December {
            (
                year.checked_add(1)
                    .ok_or_else(|| bad_date(format!("year {year}")))?,
                Month::January,
            )
        } else {
            (year, month.next())
        };
        Period::new(
            midnight(year, month, 1)?,
            midnight(next_year, next_month, 1)?,
        )
    }

    /// The quarter `quarter` (1–4) of `year` in UTC+07:00: Q1 is January to March.
    ///
    /// # Errors
    /// [`PeriodError::BadQuarter`] outside 1–4; [`PeriodError::BadDate`] for a year `time`
    /// cannot represent.
    ///
    /// ```
    /// use motcua_metrics::{Period, PeriodError};
    /// use time::macros::datetime;
    /// let q4 = Period::quarter(2024, 4)?;
    /// assert_eq!((q4.start, q4.end), (datetime!(2024-10-01 00:00 +7), datetime!(2025-01-01 00:00 +7)));
    /// assert_eq!(Period::quarter(2024, 5), Err(PeriodError::BadQuarter { quarter: 5 }));
    /// # Ok::<(), motcua_metrics::PeriodError>(())
    /// ```
    pub fn quarter(year: i32, quarter: u8) -> Result<Period, PeriodError> {
        let first = match quarter {
            1 => Month::January,
            2 => Month::April,
            3 => Month::July,
            4 => Month::October,
            _ => return Err(PeriodError::BadQuarter { quarter }),
        };
        let start = Period::month(year, first)?;
        let end = Period::month(year, first.nth_next(2))?;
        Period::new(start.start, end.end)
    }

    /// The day `date` in UTC+07:00, midnight to midnight.
    ///
    /// # Errors
    /// [`PeriodError::BadDate`] for the last day `time` represents.
    ///
    /// ```
    /// use motcua_metrics::Period;
    /// use time::macros::{date, datetime};
    /// let p = Period::day(date!(2024-02-29))?;
    /// assert_eq!((p.start, p.end), (datetime!(2024-02-29 00:00 +7), datetime!(2024-03-01 00:00 +7)));
    /// # Ok::<(), motcua_metrics::PeriodError>(())
    /// ```
    pub fn day(date: Date) -> Result<Period, PeriodError> {
        let next = date
            .next_day()
            .ok_or_else(|| bad_date(format!("the day after {date}")))?;
        Period::new(at_midnight(date), at_midnight(next))
    }

    /// Whether `t` lies in the period: `[start, end)`, or `[start, end]` when it includes
    /// its end.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.start <= t && (t < self.end || self.includes_end && t == self.end)
    }

    /// The first instant after the period in Unix nanoseconds: `end`, or one nanosecond after
    /// it when the period includes its end.
    pub(crate) fn end_after_ns(&self) -> i128 {
        self.end.unix_timestamp_nanos() + i128::from(self.includes_end)
    }
}

fn bad_date(what: String) -> PeriodError {
    PeriodError::BadDate { what }
}

fn midnight(year: i32, month: Month, day: u8) -> Result<OffsetDateTime, PeriodError> {
    Date::from_calendar_date(year, month, day)
        .map(at_midnight)
        .map_err(|_| bad_date(format!("{year}-{:02}-{day:02}", u8::from(month))))
}

fn at_midnight(date: Date) -> OffsetDateTime {
    date.with_time(Time::MIDNIGHT).assume_offset(VIETNAM_OFFSET)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn months_tile_the_year() {
        let year = Period::year(2025).unwrap();
        let mut at = year.start;
        for m in 1..=12u8 {
            let month = Month::try_from(m).unwrap();
            let p = Period::month(2025, month).unwrap();
            assert_eq!(p.start, at);
            at = p.end;
        }
        assert_eq!(at, year.end);
    }

    #[test]
    fn quarters_tile_the_year() {
        let year = Period::year(2024).unwrap();
        let qs: Vec<Period> = (1..=4).map(|q| Period::quarter(2024, q).unwrap()).collect();
        assert_eq!(qs[0].start, year.start);
        assert_eq!(qs[3].end, year.end);
        for w in qs.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        assert_eq!(qs[1].start, datetime!(2024-04-01 00:00 +7));
        assert_eq!(qs[2].start, datetime!(2024-07-01 00:00 +7));
    }

    #[test]
    fn start_is_local_midnight() {
        let p = Period::day(date!(2024 - 01 - 05)).unwrap();
        assert_eq!(p.start, datetime!(2024-01-04 17:00 UTC));
        assert!(p.contains(datetime!(2024-01-05 23:59:59.999 +7)));
        assert!(!p.contains(datetime!(2024-01-06 00:00 +7)));
        assert!(!p.contains(datetime!(2024-01-04 23:59 +7)));
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            Period::quarter(2024, 0),
            Err(PeriodError::BadQuarter { quarter: 0 })
        );
        assert!(matches!(
            Period::year(i32::MAX),
            Err(PeriodError::BadDate { .. })
        ));
        assert!(matches!(
            Period::day(Date::MAX),
            Err(PeriodError::BadDate { .. })
        ));
        let t = datetime!(2024-01-01 00:00 +7);
        assert_eq!(
            Period::new(t, t),
            Err(PeriodError::Empty { start: t, end: t })
        );
    }
}
