//! The calendar: precomputed per-day tables and day-level queries.

use crate::{
    CalendarError, CalendarVersion, DayInfo, DayOffKind, DayReason, Session, WeeklyPattern,
};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset, Weekday};

pub(crate) const NS_PER_MIN: u64 = 60_000_000_000;
pub(crate) const NS_PER_DAY: u64 = 86_400_000_000_000;
const UNIX_EPOCH_JD: i64 = 2_440_588;

/// An override of the weekly pattern for one date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Override {
    DayOff { kind: DayOffKind, name: String },
    Makeup { name: String, like: Weekday },
}

/// The sessions of one kind of day, in nanoseconds of the local day.
#[derive(Clone, Debug, Default)]
pub(crate) struct Profile {
    pub(crate) sessions: Vec<Session>,
    /// `(start_ns, end_ns, worked_ns_before_start)` per session.
    pub(crate) spans: Vec<(u64, u64, u64)>,
    pub(crate) total_ns: u64,
    pub(crate) close_ns: u64,
}

impl Profile {
    fn new(sessions: &[Session]) -> Profile {
        let mut spans = Vec::with_capacity(sessions.len());
        let mut cum = 0;
        for s in sessions {
            let a = u64::from(s.start_minute()) * NS_PER_MIN;
            let b = u64::from(s.end_minute()) * NS_PER_MIN;
            spans.push((a, b, cum));
            cum += b - a;
        }
        Profile {
            sessions: sessions.to_vec(),
            close_ns: spans.last().map_or(0, |s| s.1),
            spans,
            total_ns: cum,
        }
    }

    #[inline]
    pub(crate) fn working(&self) -> bool {
        !self.spans.is_empty()
    }

    /// The earliest working instant at or after `ns` within this day, if any.
    #[inline]
    pub(crate) fn place(&self, ns: u64) -> Option<u64> {
        for &(a, b, _) in &self.spans {
            if ns < b {
                return Some(ns.max(a));
            }
        }
        None
    }

    /// [`Profile::place`], or the day's close when `ns` is at or after it.
    #[inline]
    pub(crate) fn place_or_close(&self, ns: u64) -> u64 {
        self.place(ns).unwrap_or(self.close_ns)
    }

    /// Working nanoseconds in `[00:00, ns)`.
    #[inline]
    pub(crate) fn worked_before(&self, ns: u64) -> u64 {
        for &(a, b, cum) in &self.spans {
            if ns < b {
                return cum + ns.saturating_sub(a);
            }
        }
        self.total_ns
    }

    /// The earliest time of day at which `w` (in `(0, total]`) working nanoseconds have elapsed.
    #[inline]
    pub(crate) fn at_worked(&self, w: u64) -> u64 {
        for &(a, b, cum) in &self.spans {
            if w <= cum + (b - a) {
                return a + (w - cum);
            }
        }
        self.close_ns
    }

    pub(crate) fn first_start(&self) -> u64 {
        self.spans.first().map_or(0, |s| s.0)
    }
}

/// A position in local time: day index in the table and nanoseconds since local midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Local {
    pub(crate) day: usize,
    pub(crate) ns: u64,
}

pub(crate) struct Inner {
    pub(crate) version: CalendarVersion,
    pub(crate) offset: UtcOffset,
    pub(crate) offset_secs: i64,
    pub(crate) pattern: WeeklyPattern,
    pub(crate) first: Date,
    pub(crate) last: Date,
    pub(crate) first_jd: i64,
    pub(crate) overrides: BTreeMap<Date, Override>,
    /// Profiles: 0 closed, 1 + weekday (Monday = 0) for the weekday patterns.
    pub(crate) profiles: [Profile; 8],
    /// Profile of each day.
    pub(crate) day_profile: Vec<u8>,
    /// Working days strictly before day `i` (length days + 1).
    pub(crate) wd_before: Vec<u32>,
    /// Working minutes strictly before day `i` (length days + 1).
    pub(crate) min_before: Vec<u64>,
    /// Day index of the k-th working day.
    pub(crate) working: Vec<u32>,
    /// Date of the k-th working day (saves a Julian-day conversion on the hot paths).
    pub(crate) working_dates: Vec<Date>,
    /// Day index of 1 January of each year of the range (length years + 1).
    pub(crate) year_start: Vec<u32>,
    pub(crate) first_year: i32,
}

/// A working-time calendar over a fixed, precomputed range of years.
///
/// Cloning is cheap (the tables are shared). See the [crate documentation](crate) for the
/// interval conventions.
#[derive(Clone)]
pub struct Calendar {
    pub(crate) inner: Arc<Inner>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("version", &self.inner.version)
            .field("offset", &self.inner.offset)
            .field("first_day", &self.inner.first)
            .field("last_day", &self.inner.last)
            .field("overrides", &self.inner.overrides.len())
            .field("working_days", &self.inner.working.len())
            .finish()
    }
}

impl Calendar {
    /// Infallible once the inputs are validated (`first <= last`).
    pub(crate) fn precompute(
        version: CalendarVersion,
        offset: UtcOffset,
        pattern: WeeklyPattern,
        first: Date,
        last: Date,
        overrides: BTreeMap<Date, Override>,
    ) -> Calendar {
        let first_jd = i64::from(first.to_julian_day());
        let n = usize::try_from(i64::from(last.to_julian_day()) - first_jd + 1).unwrap_or(0);
        let mut profiles: [Profile; 8] = Default::default();
        let mut wd = Weekday::Monday;
        for p in profiles.iter_mut().skip(1) {
            *p = Profile::new(pattern.sessions(wd));
            wd = wd.next();
        }
        // Julian day number 0 was a Monday.
        let mut day_profile: Vec<u8> = (0..n)
            .map(|i| 1 + ((first_jd + i as i64).rem_euclid(7)) as u8)
            .collect();
        for (date, o) in overrides.range(first..=last) {
            let i = (i64::from(date.to_julian_day()) - first_jd) as usize;
            day_profile[i] = match o {
                Override::DayOff { .. } => 0,
                Override::Makeup { like, .. } => 1 + like.number_days_from_monday(),
            };
        }
        let mut wd_before = Vec::with_capacity(n + 1);
        let mut min_before = Vec::with_capacity(n + 1);
        let mut working = Vec::new();
        let (mut w, mut m) = (0u32, 0u64);
        for (i, &p) in day_profile.iter().enumerate() {
            wd_before.push(w);
            min_before.push(m);
            let prof = &profiles[usize::from(p)];
            if prof.working() {
                working.push(i as u32);
                w += 1;
                m += prof.total_ns / NS_PER_MIN;
            }
        }
        wd_before.push(w);
        min_before.push(m);
        let working_dates = working
            .iter()
            .map(|&i| Date::from_julian_day((first_jd + i64::from(i)) as i32).unwrap_or(first))
            .collect();
        let first_year = first.year();
        let year_start = (first_year..=last.year() + 1)
            .map(|y| {
                let jd = Date::from_calendar_date(y, time::Month::January, 1)
                    .map_or(first_jd + n as i64, |d| i64::from(d.to_julian_day()));
                (jd - first_jd) as u32
            })
            .collect();
        Calendar {
            inner: Arc::new(Inner {
                version,
                offset,
                offset_secs: i64::from(offset.whole_seconds()),
                pattern,
                first,
                last,
                first_jd,
                overrides,
                profiles,
                day_profile,
                wd_before,
                min_before,
                working,
                working_dates,
                year_start,
                first_year,
            }),
        }
    }

    /// The calendar's version identity (name and content hash).
    pub fn version(&self) -> &CalendarVersion {
        &self.inner.version
    }

    /// The calendar's UTC offset; results are returned at this offset.
    pub fn offset(&self) -> UtcOffset {
        self.inner.offset
    }

    /// The weekly pattern the calendar was built with.
    pub fn weekly_pattern(&self) -> &WeeklyPattern {
        &self.inner.pattern
    }

    /// First day of the supported range.
    pub fn first_day(&self) -> Date {
        self.inner.first
    }

    /// Last day of the supported range.
    pub fn last_day(&self) -> Date {
        self.inner.last
    }

    /// Approximate heap memory of the precomputed tables, in bytes.
    pub fn table_bytes(&self) -> usize {
        let i = &self.inner;
        i.day_profile.capacity()
            + i.wd_before.capacity() * 4
            + i.min_before.capacity() * 8
            + i.working.capacity() * 4
            + i.working_dates.capacity() * std::mem::size_of::<Date>()
            + i.year_start.capacity() * 4
    }

    pub(crate) fn out_of_range(&self, what: String) -> CalendarError {
        CalendarError::OutOfRange {
            what,
            first: self.inner.first,
            last: self.inner.last,
        }
    }

    #[inline]
    pub(crate) fn index(&self, date: Date) -> Result<usize, CalendarError> {
        let i = i64::from(date.to_julian_day()) - self.inner.first_jd;
        if i < 0 || i >= self.inner.day_profile.len() as i64 {
            return Err(self.out_of_range(format!("date {date}")));
        }
        Ok(i as usize)
    }

    #[inline]
    pub(crate) fn profile(&self, day: usize) -> &Profile {
        &self.inner.profiles[usize::from(self.inner.day_profile[day])]
    }

    pub(crate) fn date_at(&self, day: usize) -> Result<Date, CalendarError> {
        Date::from_julian_day((self.inner.first_jd + day as i64) as i32)
            .map_err(|_| self.out_of_range(format!("day #{day}")))
    }

    /// Converts an instant to the calendar's local time.
    #[inline]
    pub(crate) fn local(&self, t: OffsetDateTime) -> Result<Local, CalendarError> {
        if t.offset() == self.inner.offset {
            // Fast path: already local; index by (year, ordinal) through the per-year table.
            let (y, ord) = t.to_ordinal_date();
            let yi = i64::from(y) - i64::from(self.inner.first_year);
            if yi >= 0 && (yi as usize) + 1 < self.inner.year_start.len() {
                let day = self.inner.year_start[yi as usize] as usize + usize::from(ord) - 1;
                let (h, m, s, nano) = t.time().as_hms_nano();
                let secs = (u64::from(h) * 60 + u64::from(m)) * 60 + u64::from(s);
                return Ok(Local {
                    day,
                    ns: secs * 1_000_000_000 + u64::from(nano),
                });
            }
            return Err(self.out_of_range(format!("instant {t}")));
        }
        let secs = t.unix_timestamp() + self.inner.offset_secs;
        let jd = secs.div_euclid(86_400) + UNIX_EPOCH_JD;
        let i = jd - self.inner.first_jd;
        if i < 0 || i >= self.inner.day_profile.len() as i64 {
            return Err(self.out_of_range(format!("instant {t}")));
        }
        let ns = secs.rem_euclid(86_400) as u64 * 1_000_000_000 + u64::from(t.nanosecond());
        Ok(Local {
            day: i as usize,
            ns,
        })
    }

    /// Converts a local position back to an instant at the calendar's offset.
    #[inline]
    pub(crate) fn instant(&self, l: Local) -> Result<OffsetDateTime, CalendarError> {
        self.instant_on(self.date_at(l.day)?, l.ns)
    }

    /// An instant at the calendar's offset from a local date and nanoseconds of the day.
    #[inline]
    pub(crate) fn instant_on(&self, date: Date, ns: u64) -> Result<OffsetDateTime, CalendarError> {
        let ns = ns.min(NS_PER_DAY - 1);
        let secs = ns / 1_000_000_000;
        let time = Time::from_hms_nano(
            (secs / 3600) as u8,
            ((secs / 60) % 60) as u8,
            (secs % 60) as u8,
            (ns % 1_000_000_000) as u32,
        )
        .map_err(|_| self.out_of_range(format!("time of day {ns} ns")))?;
        Ok(PrimitiveDateTime::new(date, time).assume_offset(self.inner.offset))
    }

    /// The earliest working position at or after `l` (same as `l` inside a session).
    #[inline]
    pub(crate) fn normalise(&self, l: Local) -> Result<Local, CalendarError> {
        if let Some(ns) = self.profile(l.day).place(l.ns) {
            return Ok(Local { day: l.day, ns });
        }
        let day = self.working_day_from(l.day + 1, || {
            format!("next working time after day #{}", l.day)
        })?;
        Ok(Local {
            day,
            ns: self.profile(day).first_start(),
        })
    }

    /// The first working day with index `>= i`.
    #[inline]
    pub(crate) fn working_day_from(
        &self,
        i: usize,
        what: impl FnOnce() -> String,
    ) -> Result<usize, CalendarError> {
        let k = self.inner.wd_before.get(i).copied().unwrap_or(u32::MAX) as usize;
        match self.inner.working.get(k) {
            Some(&d) => Ok(d as usize),
            None => Err(self.out_of_range(what())),
        }
    }

    /// Everything about one day: whether it is worked and why.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, DayReason, DayOffKind, Date, Month};
    /// let cal = Calendar::vietnam();
    /// let d = cal.day(Date::from_calendar_date(2024, Month::April, 30)?)?;
    /// assert!(!d.working);
    /// assert!(matches!(d.reason, DayReason::DayOff { kind: DayOffKind::Holiday, .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn day(&self, date: Date) -> Result<DayInfo, CalendarError> {
        let i = self.index(date)?;
        let working = self.profile(i).working();
        let reason = match self.inner.overrides.get(&date) {
            Some(Override::DayOff { kind, name }) => DayReason::DayOff {
                kind: *kind,
                name: name.clone(),
            },
            Some(Override::Makeup { name, .. }) => DayReason::MakeupWorkday { name: name.clone() },
            None if working => DayReason::RegularWorkday,
            None => DayReason::Weekend,
        };
        Ok(DayInfo {
            date,
            working,
            reason,
        })
    }

    /// Whether `date` has at least one session.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// // Saturday 4 May 2024 was a make-up working day.
    /// assert!(cal.is_working_day(Date::from_calendar_date(2024, Month::May, 4)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        Ok(self.profile(self.index(date)?).working())
    }

    /// The sessions of `date` (empty for a non-working day).
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// assert_eq!(cal.sessions_on(Date::from_calendar_date(2024, Month::May, 6)?)?.len(), 2);
    /// assert!(cal.sessions_on(Date::from_calendar_date(2024, Month::May, 5)?)?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sessions_on(&self, date: Date) -> Result<&[Session], CalendarError> {
        Ok(&self.profile(self.index(date)?).sessions)
    }

    /// The end of the last session of `date`; [`CalendarError::NotWorkingDay`] for a
    /// non-working day.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// let close = cal.close_of_day(Date::from_calendar_date(2024, Month::May, 6)?)?;
    /// assert_eq!(close.to_string(), "2024-05-06 17:00:00.0 +07:00:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn close_of_day(&self, date: Date) -> Result<OffsetDateTime, CalendarError> {
        let i = self.index(date)?;
        let p = self.profile(i);
        if !p.working() {
            return Err(CalendarError::NotWorkingDay { date });
        }
        self.instant(Local {
            day: i,
            ns: p.close_ns,
        })
    }

    /// The first working day strictly after `date`.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// // Friday 26 April 2024 → Thursday 2 May (29/4 swap, 30/4 and 1/5 holidays, weekend).
    /// let next = cal.next_working_day(Date::from_calendar_date(2024, Month::April, 26)?)?;
    /// assert_eq!(next, Date::from_calendar_date(2024, Month::May, 2)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_working_day(&self, date: Date) -> Result<Date, CalendarError> {
        let i = self.index(date)?;
        let d = self.working_day_from(i + 1, || format!("next working day after {date}"))?;
        self.date_at(d)
    }

    /// Every non-working day in `from..=to` (inclusive), in date order, with its reason:
    /// weekends and days off. Empty when `from > to`.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// let days = cal.non_working_days(
    ///     Date::from_calendar_date(2024, Month::April, 27)?,
    ///     Date::from_calendar_date(2024, Month::May, 5)?,
    /// )?;
    /// // 27 Sat is a weekend; 28 Sun; 29 swap; 30 and 1 holidays; 4 May is worked; 5 Sun.
    /// assert_eq!(days.len(), 6);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn non_working_days(&self, from: Date, to: Date) -> Result<Vec<DayInfo>, CalendarError> {
        let a = self.index(from)?;
        let b = self.index(to)?;
        let mut out = Vec::new();
        for i in a..=b {
            if !self.profile(i).working() {
                out.push(self.day(self.date_at(i)?)?);
            }
        }
        Ok(out)
    }

    /// Every override (day off or make-up working day) in `from..=to`, in date order.
    pub fn overrides_in(&self, from: Date, to: Date) -> Vec<DayInfo> {
        if from > to {
            return Vec::new();
        }
        self.inner
            .overrides
            .range(from..=to)
            .map(|(d, o)| {
                let working = self
                    .is_working_day(*d)
                    .unwrap_or(matches!(o, Override::Makeup { .. }));
                let reason = match o {
                    Override::DayOff { kind, name } => DayReason::DayOff {
                        kind: *kind,
                        name: name.clone(),
                    },
                    Override::Makeup { name, .. } => {
                        DayReason::MakeupWorkday { name: name.clone() }
                    }
                };
                DayInfo {
                    date: *d,
                    working,
                    reason,
                }
            })
            .collect()
    }
}
