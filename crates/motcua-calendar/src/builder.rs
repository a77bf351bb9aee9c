//! Building calendars.

use crate::calendar::{Calendar, Override};
use crate::day::Fnv;
use crate::{CalendarError, CalendarVersion, DayOffKind, WeeklyPattern};
use std::collections::BTreeMap;
use time::{Date, Month, UtcOffset, Weekday};

/// Default first supported year.
pub const DEFAULT_FIRST_YEAR: i32 = 1900;
/// Default last supported year.
pub const DEFAULT_LAST_YEAR: i32 = 2200;

/// Builds a [`Calendar`].
///
/// Defaults: offset UTC+07:00, [`WeeklyPattern::office_default`], years
/// [`DEFAULT_FIRST_YEAR`]`..=`[`DEFAULT_LAST_YEAR`] (1900–2200), no days off.
/// Overrides given later replace earlier ones for the same date; explicit overrides always
/// replace the statutory days computed by [`CalendarBuilder::vietnam`].
///
/// ```
/// use motcua_calendar::{CalendarBuilder, DayOffKind, Date, Month};
/// let d = |m, day| Date::from_calendar_date(2024, m, day).unwrap();
/// let cal = CalendarBuilder::new("my-office")
///     .years(2024, 2024)
///     .day_off(d(Month::April, 29), DayOffKind::SwapOff, "Nghỉ hoán đổi")
///     .makeup_workday(d(Month::May, 4), "Làm bù cho ngày 29/4")
///     .build()?;
/// assert!(!cal.is_working_day(d(Month::April, 29))?);
/// assert!(cal.is_working_day(d(Month::May, 4))?); // a Saturday
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
#[derive(Clone, Debug)]
pub struct CalendarBuilder {
    name: String,
    offset: UtcOffset,
    pattern: WeeklyPattern,
    first_year: i32,
    last_year: i32,
    vietnam_rules: bool,
    entries: Vec<(Date, Override)>,
}

impl CalendarBuilder {
    /// The years the calendar will cover.
    pub(crate) fn year_range(&self) -> (i32, i32) {
        (self.first_year, self.last_year)
    }

    /// A builder with the defaults above and no days off.
    pub fn new(name: impl Into<String>) -> Self {
        CalendarBuilder {
            name: name.into(),
            offset: UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC),
            pattern: WeeklyPattern::office_default(),
            first_year: DEFAULT_FIRST_YEAR,
            last_year: DEFAULT_LAST_YEAR,
            vietnam_rules: false,
            entries: Vec::new(),
        }
    }

    /// The calendar's UTC offset (no DST). All local computation happens at this offset.
    pub fn offset(mut self, offset: UtcOffset) -> Self {
        self.offset = offset;
        self
    }

    /// The weekly pattern of sessions.
    pub fn weekly(mut self, pattern: WeeklyPattern) -> Self {
        self.pattern = pattern;
        self
    }

    /// The supported (precomputed) range, whole years, inclusive.
    pub fn years(mut self, first: i32, last: i32) -> Self {
        self.first_year = first;
        self.last_year = last;
        self
    }

    /// Marks `date` as a day off.
    pub fn day_off(mut self, date: Date, kind: DayOffKind, name: impl Into<String>) -> Self {
        self.entries.push((
            date,
            Override::DayOff {
                kind,
                name: name.into(),
            },
        ));
        self
    }

    /// Marks `date` (normally closed) as a make-up working day worked with Monday's sessions.
    pub fn makeup_workday(self, date: Date, name: impl Into<String>) -> Self {
        self.makeup_workday_like(date, name, Weekday::Monday)
    }

    /// Marks `date` as a make-up working day worked with the sessions of weekday `like`.
    pub fn makeup_workday_like(
        mut self,
        date: Date,
        name: impl Into<String>,
        like: Weekday,
    ) -> Self {
        self.entries.push((
            date,
            Override::Makeup {
                name: name.into(),
                like,
            },
        ));
        self
    }

    /// Removes every override (explicit or loaded) for `date`; statutory days computed by the
    /// Vietnamese rules are not affected (override them with [`CalendarBuilder::makeup_workday`]
    /// or a `workday` line instead).
    pub fn clear_day(mut self, date: Date) -> Self {
        self.entries.retain(|(d, _)| *d != date);
        self
    }

    pub(crate) fn push_entry(&mut self, date: Date, o: Override) {
        self.entries.push((date, o));
    }

    pub(crate) fn set_vietnam_rules(mut self, on: bool) -> Self {
        self.vietnam_rules = on;
        self
    }

    /// The supported range as dates, validated.
    fn range(&self) -> Result<(Date, Date), CalendarError> {
        let (first, last) = (self.first_year, self.last_year);
        let err = |reason| CalendarError::InvalidYears {
            first,
            last,
            reason,
        };
        if first > last {
            return Err(err("expected first <= last"));
        }
        if !(-9998..=9998).contains(&first) || !(-9998..=9998).contains(&last) {
            return Err(err("expected years within -9998..=9998"));
        }
        let a = Date::from_calendar_date(first, Month::January, 1)
            .map_err(|_| err("invalid first year"))?;
        let b = Date::from_calendar_date(last, Month::December, 31)
            .map_err(|_| err("invalid last year"))?;
        Ok((a, b))
    }

    /// Validates, computes statutory days (Vietnamese builder), applies overrides and
    /// precomputes the working-time index.
    pub fn build(self) -> Result<Calendar, CalendarError> {
        let parts = self.into_parts()?;
        Ok(Calendar::precompute(
            parts.version,
            parts.offset,
            parts.pattern,
            parts.first,
            parts.last,
            parts.overrides,
        ))
    }

    /// Everything [`CalendarBuilder::build`] computes before the tables: the range, the days off
    /// and make-up days by date, and the version.
    pub(crate) fn into_parts(mut self) -> Result<Parts, CalendarError> {
        let entries = std::mem::take(&mut self.entries);
        let (rules, first_year, last_year) = (self.vietnam_rules, self.first_year, self.last_year);
        let mut parts = self.frame(0)?;
        if rules {
            for (date, kind, name) in crate::holidays::statutory_days(first_year, last_year)? {
                parts
                    .overrides
                    .insert(date, Override::DayOff { kind, name });
            }
        }
        for (date, o) in entries {
            parts.overrides.insert(date, o);
        }
        parts.version.hash = version_hash(
            &parts.pattern,
            parts.offset,
            parts.first,
            parts.last,
            &parts.overrides,
        );
        Ok(parts)
    }
}

impl CalendarBuilder {
    /// [`CalendarBuilder::into_parts`] without the days by date (left empty) and with the
    /// version hash given: the frame the baked tables of the built-in calendar go in.
    pub(crate) fn frame(self, hash: u64) -> Result<Parts, CalendarError> {
        let (first, last) = self.range()?;
        Ok(Parts {
            version: CalendarVersion {
                name: self.name,
                hash,
            },
            offset: self.offset,
            pattern: self.pattern,
            first,
            last,
            overrides: BTreeMap::new(),
        })
    }
}

/// What a [`CalendarBuilder`] says, validated: [`CalendarBuilder::into_parts`].
pub(crate) struct Parts {
    pub(crate) version: CalendarVersion,
    pub(crate) offset: UtcOffset,
    pub(crate) pattern: WeeklyPattern,
    pub(crate) first: Date,
    pub(crate) last: Date,
    pub(crate) overrides: BTreeMap<Date, Override>,
}

fn version_hash(
    pattern: &WeeklyPattern,
    offset: UtcOffset,
    first: Date,
    last: Date,
    map: &BTreeMap<Date, Override>,
) -> u64 {
    let mut h = Fnv::new();
    h.bytes(b"motcua-calendar/1");
    h.i32(offset.whole_seconds());
    h.i32(first.to_julian_day());
    h.i32(last.to_julian_day());
    let mut wd = Weekday::Monday;
    for _ in 0..7 {
        let s = pattern.sessions(wd);
        h.u32(s.len() as u32);
        for x in s {
            h.u32(x.start_minute());
            h.u32(x.end_minute());
        }
        wd = wd.next();
    }
    h.u32(map.len() as u32);
    for (d, o) in map {
        h.i32(d.to_julian_day());
        match o {
            Override::DayOff { kind, name } => {
                h.bytes(&[kind.tag()]);
                h.str(name);
            }
            Override::Makeup { name, like } => {
                h.bytes(&[16, like.number_days_from_monday()]);
                h.str(name);
            }
        }
    }
    h.0
}
