//! Working-time arithmetic: O(1) or O(log n) per call over the precomputed tables.

use crate::calendar::{Local, NS_PER_MIN};
use crate::{Calendar, CalendarError, WorkingTime};
use time::{Date, OffsetDateTime, Time};

impl Calendar {
    /// `t` itself if it lies inside a session, else the start of the next session.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// // Friday 17:00 is outside (sessions are half-open) → Monday 07:30.
    /// let t = cal.next_working_instant(datetime!(2024-05-10 17:00 +7))?;
    /// assert_eq!(t, datetime!(2024-05-13 07:30 +7));
    /// // Lunch break → 13:00; instants in other offsets are converted.
    /// let t = cal.next_working_instant(datetime!(2024-05-13 05:00 UTC))?;
    /// assert_eq!(t, datetime!(2024-05-13 13:00 +7));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    pub fn next_working_instant(&self, t: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
        let l = self.normalise(self.local(t)?)?;
        self.instant(l)
    }

    /// The same local time of day on the `n`-th working day after the normalised start
    /// (`n = 0`: the normalised start). When that day's sessions close before that time, the
    /// day's close; when the time falls in a gap of that day, the next session's start.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// // Received Friday 26 April 2024 at 09:00; 3 working days skip the 29/4 swap,
    /// // 30/4, 1/5 and count Saturday 4 May (make-up working day).
    /// let due = cal.add_working_days(datetime!(2024-04-26 09:00 +7), 3)?;
    /// assert_eq!(due, datetime!(2024-05-04 09:00 +7));
    /// // Received Saturday: counting starts Monday 07:30.
    /// let due = cal.add_working_days(datetime!(2024-05-11 10:00 +7), 1)?;
    /// assert_eq!(due, datetime!(2024-05-14 07:30 +7));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    #[inline]
    pub fn add_working_days(
        &self,
        start: OffsetDateTime,
        n: u32,
    ) -> Result<OffsetDateTime, CalendarError> {
        let l = self.normalise(self.local(start)?)?;
        let inner = &*self.inner;
        let k = inner.wd_before[l.day] as usize + n as usize;
        let (Some(&d), Some(&date)) = (inner.working.get(k), inner.working_dates.get(k)) else {
            return Err(self.out_of_range(format!("{start} + {n} working days")));
        };
        self.instant_on(date, self.profile(d as usize).place_or_close(l.ns))
    }

    /// Date-level working-day offset (like `numpy.busday_offset(date, n, roll="forward")`):
    /// the first working day on or after `date`, then `n` working days later.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// let d = Date::from_calendar_date(2024, Month::April, 27)?; // Saturday
    /// assert_eq!(cal.add_working_days_date(d, 0)?, Date::from_calendar_date(2024, Month::May, 2)?);
    /// assert_eq!(cal.add_working_days_date(d, 2)?, Date::from_calendar_date(2024, Month::May, 4)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn add_working_days_date(&self, date: Date, n: u32) -> Result<Date, CalendarError> {
        let i = self.index(date)?;
        let inner = &*self.inner;
        let k = inner.wd_before[i] as usize + n as usize;
        match inner.working_dates.get(k) {
            Some(&d) => Ok(d),
            None => Err(self.out_of_range(format!("{date} + {n} working days"))),
        }
    }

    /// The earliest instant at which `minutes` working minutes have elapsed since the
    /// normalised start. It can land exactly on a session end (e.g. 17:00); `0` gives the
    /// normalised start.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// // 8 working hours from Monday 09:00: 2h30 + 4h Monday, 1h30 Tuesday.
    /// let due = cal.add_working_minutes(datetime!(2024-05-13 09:00 +7), 8 * 60)?;
    /// assert_eq!(due, datetime!(2024-05-14 09:00 +7));
    /// // A full day from 07:30 ends at 17:00 the same day, not at 07:30 the next.
    /// let due = cal.add_working_minutes(datetime!(2024-05-13 07:30 +7), 480)?;
    /// assert_eq!(due, datetime!(2024-05-13 17:00 +7));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    pub fn add_working_minutes(
        &self,
        start: OffsetDateTime,
        minutes: u64,
    ) -> Result<OffsetDateTime, CalendarError> {
        let l = self.normalise(self.local(start)?)?;
        if minutes == 0 {
            return self.instant(l);
        }
        let inner = &*self.inner;
        let w = self.profile(l.day).worked_before(l.ns);
        let too_far = || self.out_of_range(format!("{start} + {minutes} working minutes"));
        let m = inner.min_before[l.day]
            .checked_add(minutes)
            .and_then(|x| x.checked_add(w / NS_PER_MIN))
            .ok_or_else(too_far)?;
        let r = w % NS_PER_MIN;
        // The day holding the target: last day with min_before <= key.
        let key = if r == 0 { m - 1 } else { m };
        let p = inner.min_before.partition_point(|&x| x <= key);
        if p == 0 || p >= inner.min_before.len() {
            return Err(too_far());
        }
        let day = p - 1;
        let within = (m - inner.min_before[day]) * NS_PER_MIN + r;
        self.instant(Local {
            day,
            ns: self.profile(day).at_worked(within),
        })
    }

    /// The normalised start plus `n` calendar days at the same time of day (clamped to that
    /// day's sessions as in [`Calendar::add_working_days`]); when that date is not a working
    /// day, the opening of the next working day. Opening, not the same time of day: a start
    /// whose date lands on the working day itself keeps its time, which is never before the
    /// opening, so the result is monotone in the start.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// // Friday 26 April 2024 + 3 calendar days = Monday 29 April, a swap day off; 30/4 and
    /// // 1/5 are holidays, so the due date rolls to Thursday 2 May.
    /// let due = cal.add_calendar_days(datetime!(2024-04-26 10:00 +7), 3)?;
    /// assert_eq!(due, datetime!(2024-05-02 07:30 +7));
    /// // + 8 lands on Saturday 4 May, a make-up working day.
    /// let due = cal.add_calendar_days(datetime!(2024-04-26 10:00 +7), 8)?;
    /// assert_eq!(due, datetime!(2024-05-04 10:00 +7));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    pub fn add_calendar_days(
        &self,
        start: OffsetDateTime,
        n: u32,
    ) -> Result<OffsetDateTime, CalendarError> {
        let l = self.normalise(self.local(start)?)?;
        let too_far = || format!("{start} + {n} calendar days");
        let target = l.day + n as usize;
        if target >= self.inner.day_profile.len() {
            return Err(self.out_of_range(too_far()));
        }
        let day = self.working_day_from(target, too_far)?;
        // Rolled forward: the opening of the working day, so that a later start never gives
        // an earlier due (a start whose date lands directly on that day gives its own time,
        // which is not before the opening).
        let ns = if day == target {
            self.profile(day).place_or_close(l.ns)
        } else {
            self.profile(day).first_start()
        };
        self.instant(Local { day, ns })
    }

    /// Due instant of a same-day procedure: normalise `received`; if its time of day is
    /// before `cutoff`, the close of that day, else the close of the next working day.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Time};
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// let cutoff = Time::from_hms(15, 0, 0)?;
    /// assert_eq!(cal.same_day_due(datetime!(2024-05-13 14:59 +7), cutoff)?, datetime!(2024-05-13 17:00 +7));
    /// assert_eq!(cal.same_day_due(datetime!(2024-05-13 15:00 +7), cutoff)?, datetime!(2024-05-14 17:00 +7));
    /// // Received Saturday: normalised to Monday 07:30, due Monday's close.
    /// assert_eq!(cal.same_day_due(datetime!(2024-05-11 16:00 +7), cutoff)?, datetime!(2024-05-13 17:00 +7));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn same_day_due(
        &self,
        received: OffsetDateTime,
        cutoff: Time,
    ) -> Result<OffsetDateTime, CalendarError> {
        let l = self.normalise(self.local(received)?)?;
        let (h, m, s, nano) = cutoff.as_hms_nano();
        let cut = ((u64::from(h) * 60 + u64::from(m)) * 60 + u64::from(s)) * 1_000_000_000
            + u64::from(nano);
        let day = if l.ns < cut {
            l.day
        } else {
            self.working_day_from(l.day + 1, || format!("next working day after {received}"))?
        };
        self.instant(Local {
            day,
            ns: self.profile(day).close_ns,
        })
    }

    /// Working minutes in `[a, b)` (floor; 0 when `b <= a`).
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// let m = cal.working_minutes_between(datetime!(2024-05-10 16:00 +7), datetime!(2024-05-13 08:30 +7))?;
    /// assert_eq!(m, 120);
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    #[inline]
    pub fn working_minutes_between(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<u64, CalendarError> {
        let la = self.local(a)?;
        let lb = self.local(b)?;
        Ok(self.minutes_local(la, lb))
    }

    #[inline]
    fn minutes_local(&self, la: Local, lb: Local) -> u64 {
        if lb <= la {
            return 0;
        }
        let inner = &*self.inner;
        let ma = inner.min_before[la.day];
        let mb = inner.min_before[lb.day];
        let wa = self.profile(la.day).worked_before(la.ns) as i64;
        let wb = self.profile(lb.day).worked_before(lb.ns) as i64;
        let q = (wb - wa).div_euclid(NS_PER_MIN as i64);
        ((mb - ma) as i64 + q).max(0) as u64
    }

    /// Working time from `a` to `b`: `minutes` as in [`Calendar::working_minutes_between`];
    /// `days` is the largest `n` with `add_working_days(a, n) <= b` (0 when `b <= a`). So
    /// `working_time_between(s, add_working_days(s, n)?)?.days == n` for every `s` and `n`.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// let wt = cal.working_time_between(datetime!(2024-05-13 09:00 +7), datetime!(2024-05-15 08:00 +7))?;
    /// assert_eq!((wt.days, wt.minutes), (1, 15 * 60));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    #[inline]
    pub fn working_time_between(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<WorkingTime, CalendarError> {
        let la = self.local(a)?;
        let lb = self.local(b)?;
        if lb <= la {
            return Ok(WorkingTime {
                days: 0,
                minutes: 0,
            });
        }
        let minutes = self.minutes_local(la, lb);
        let na = self.normalise(la)?;
        let inner = &*self.inner;
        let ia = i64::from(inner.wd_before[na.day]);
        // Index of the last working day on or before b's day.
        let ib = i64::from(inner.wd_before[lb.day + 1]) - 1;
        let mut days = ib - ia;
        if days >= 0 {
            let d = inner.working[ib as usize] as usize;
            let cand = Local {
                day: d,
                ns: self.profile(d).place_or_close(na.ns),
            };
            if cand > lb {
                days -= 1;
            }
        }
        Ok(WorkingTime {
            days: days.max(0) as u32,
            minutes,
        })
    }
}
