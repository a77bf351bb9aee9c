//! The monthly trend: per calendar month of the period, the dossiers received (and online) and
//! the dossiers handled (and late), so the on-time and online rates can be drawn month by month.

use serde::{Serialize, Serializer};
use std::fmt;
use time::{Month, OffsetDateTime};

use crate::period::{Period, VIETNAM_OFFSET};
use crate::ratio::Ratio;

/// A calendar month in UTC+07:00; serialized and displayed as `2024-01`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonthKey {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u8,
}

impl MonthKey {
    /// The month an instant falls in, in UTC+07:00.
    ///
    /// ```
    /// use motcua_metrics::MonthKey;
    /// use time::macros::datetime;
    /// let m = MonthKey::of(datetime!(2024-01-31 17:30 UTC)); // 00:30 on 1 February in Vietnam
    /// assert_eq!(m.to_string(), "2024-02");
    /// ```
    pub fn of(t: OffsetDateTime) -> MonthKey {
        // An instant whose Vietnam time leaves the representable years keeps its own offset.
        let local = t.checked_to_offset(VIETNAM_OFFSET).unwrap_or(t);
        MonthKey {
            year: local.year(),
            month: u8::from(local.month()),
        }
    }
}

impl fmt::Display for MonthKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for MonthKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// One month of the trend. Mergeable: fields add.
///
/// The on-time rate of the trend is over the dossiers *handled* in the month (a view built as of
/// the period end cannot say how an open dossier stood at an earlier month end); the online rate
/// is over the dossiers received in the month, under the e-result rule.
///
/// ```
/// use motcua_metrics::TrendPoint;
/// let p = TrendPoint { received: 10, online_counted: 4, handled: 8, handled_late: 2 };
/// assert_eq!(p.on_time_rate().percent_2dp().as_deref(), Some("75.00"));
/// assert_eq!(p.online_rate().percent_2dp().as_deref(), Some("40.00"));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct TrendPoint {
    /// Received in the month.
    pub received: u64,
    /// Of those, counting as online (3.3).
    pub online_counted: u64,
    /// With a result in the month.
    pub handled: u64,
    /// Of those, late.
    pub handled_late: u64,
}

impl TrendPoint {
    /// Adds another month's figures.
    pub fn merge(&mut self, other: &TrendPoint) {
        self.received = self.received.saturating_add(other.received);
        self.online_counted = self.online_counted.saturating_add(other.online_counted);
        self.handled = self.handled.saturating_add(other.handled);
        self.handled_late = self.handled_late.saturating_add(other.handled_late);
    }

    /// On time among the dossiers handled in the month.
    pub fn on_time_rate(&self) -> Ratio {
        Ratio::new(self.handled.saturating_sub(self.handled_late), self.handled)
    }

    /// Online among the dossiers received in the month.
    pub fn online_rate(&self) -> Ratio {
        Ratio::new(self.online_counted, self.received)
    }
}

/// The months of a period, for placing instants quickly (a binary search on Unix seconds).
#[derive(Clone, Debug)]
pub(crate) struct MonthGrid {
    /// The start of each month slice (the period start for the first), in Unix seconds.
    starts: Vec<i64>,
    keys: Vec<MonthKey>,
    end: i64,
}

impl MonthGrid {
    pub(crate) fn new(period: &Period) -> MonthGrid {
        let mut starts = vec![period.start.unix_timestamp()];
        let mut keys = vec![MonthKey::of(period.start)];
        let local = period
            .start
            .checked_to_offset(VIETNAM_OFFSET)
            .unwrap_or(period.start);
        let (mut year, mut month) = (local.year(), local.month());
        loop {
            if month == Month::December {
                year = year.saturating_add(1);
            }
            month = month.next();
            let Ok(date) = time::Date::from_calendar_date(year, month, 1) else {
                break;
            };
            let next = date.midnight().assume_offset(VIETNAM_OFFSET);
            if !period.contains(next) {
                break;
            }
            starts.push(next.unix_timestamp());
            keys.push(MonthKey {
                year,
                month: u8::from(month),
            });
        }
        MonthGrid {
            starts,
            keys,
            end: period.end.unix_timestamp(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    pub(crate) fn key(&self, index: usize) -> Option<MonthKey> {
        self.keys.get(index).copied()
    }

    /// The slot of an instant known to lie in the period.
    #[cfg(test)]
    pub(crate) fn index(&self, t: OffsetDateTime) -> usize {
        self.index_ns(t.unix_timestamp_nanos())
    }

    /// The slot of an instant (Unix nanoseconds) known to lie in the period.
    #[inline]
    pub(crate) fn index_ns(&self, t: i128) -> usize {
        let secs = i64::try_from(t.div_euclid(1_000_000_000)).unwrap_or(i64::MAX);
        let s = secs.min(self.end);
        self.starts
            .partition_point(|&start| start <= s)
            .saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn grid_slices_the_period_by_month() {
        let p = Period::new(
            datetime!(2024-01-15 00:00 +7),
            datetime!(2024-04-01 00:00 +7),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let g = MonthGrid::new(&p);
        assert_eq!(g.len(), 3);
        let keys: Vec<String> = (0..g.len())
            .filter_map(|i| g.key(i))
            .map(|k| k.to_string())
            .collect();
        assert_eq!(keys, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(g.index(datetime!(2024-01-15 00:00 +7)), 0);
        assert_eq!(g.index(datetime!(2024-01-31 23:59 +7)), 0);
        assert_eq!(g.index(datetime!(2024-02-01 00:00 +7)), 1);
        assert_eq!(g.index(datetime!(2024-03-31 23:59 +7)), 2);
        let day =
            Period::day(time::macros::date!(2024 - 12 - 31)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(MonthGrid::new(&day).len(), 1);
    }
}
