//! Working-time arithmetic: O(1) or O(log n) per call over the precomputed tables.

use crate::calendar::{
    Inner, Local, Pos, UniformPos, CLOCK_SLOTS, E_LATE_SHIFT, E_OPEN, E_PLACE, E_PLACE_SHIFT,
    E_WORKED, E_WORKING, HOUR_SHIFT, K_MIN_SHIFT, K_NEXT_ROW_SHIFT, K_ROW, K_WD_MASK, K_WD_SHIFT,
    NS_PER_MIN, SUB_MASK,
};
use crate::{Calendar, CalendarError, WorkingTime};
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

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
    #[inline(always)]
    pub fn add_working_days(
        &self,
        start: OffsetDateTime,
        n: u32,
    ) -> Result<OffsetDateTime, CalendarError> {
        let uniform = self.inner.day_minutes != 0;
        if let Some(t) = self
            .pos_fast(start, uniform)
            .and_then(|p| self.add_days_core(p, n))
        {
            return Ok(t);
        }
        self.add_working_days_slow(start, n)
    }

    /// [`Calendar::add_working_days`] through the tables: the normalised start and its time of
    /// day from the start's minute entry, the target working day's date and row by index, the
    /// time of day placed in that row: no loop, no division. `None` when the general path must
    /// decide (out of range, or an error to report).
    #[inline(always)]
    fn add_days_core(&self, pa: Pos, n: u32) -> Option<OffsetDateTime> {
        let inner = &*self.inner;
        let (ia, tkey) = normalised(inner, pa);
        let k = ia as usize + n as usize;
        let (&date, &row) = (inner.working_dates.get(k)?, inner.working_rows.get(k)?);
        let tmin = (tkey >> E_PLACE_SHIFT) as usize;
        let ec = inner.minute_table[usize::from(row) & 7][tmin & (CLOCK_SLOTS - 1)];
        let place = (ec >> E_PLACE_SHIFT) as u32;
        let sub = tkey & SUB_MASK & working_mask(ec);
        let time = Time::from_hms_nano(
            (place >> HOUR_SHIFT) as u8,
            (place & ((1 << HOUR_SHIFT) - 1)) as u8,
            (sub >> 32) as u8,
            sub as u32,
        )
        .ok()?;
        Some(PrimitiveDateTime::new(date, time).assume_offset(inner.offset))
    }

    #[inline(never)]
    fn add_working_days_slow(
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
        let yd = &inner.year_day;
        let min_at = |i: usize| yd[i] >> K_MIN_SHIFT;
        let slot0 = self.slot_of_day(l.day);
        let m = min_at(slot0)
            .checked_add(minutes)
            .and_then(|x| x.checked_add(w / NS_PER_MIN))
            .ok_or_else(too_far)?;
        let r = w % NS_PER_MIN;
        // The day holding the target: last day with (working minutes before it) <= key.
        let key = if r == 0 { m - 1 } else { m };
        // In the year-day table a repeated slot (366 of a common year) is followed by the
        // day it repeats, so the last slot with that property is a real day, or the totals.
        // Galloping search from the start's slot (where the property holds), then a binary
        // search in the last gap: the partition point of the whole table, found near the
        // start for the usual amounts.
        let (mut lo, mut step) = (slot0, 1);
        let hi = loop {
            let probe = lo + step;
            if probe >= yd.len() {
                break yd.len();
            }
            if min_at(probe) > key {
                break probe;
            }
            lo = probe;
            step *= 2;
        };
        let p = lo + 1 + yd[lo + 1..hi].partition_point(|&x| x >> K_MIN_SHIFT <= key);
        if p >= yd.len() {
            return Err(too_far());
        }
        let day = self.day_of_slot(p - 1);
        let within = (m - min_at(p - 1)) * NS_PER_MIN + r;
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

    /// Where a due counted in calendar days lands (*ngày hẹn rơi vào ngày nghỉ thì chuyển sang
    /// ngày làm việc kế tiếp*): on a working day, `t` placed in that day's sessions (itself
    /// inside a session, the next session's start in a gap or before the opening, the day's
    /// close after it: the due keeps its date); on a day off, the opening of the next working
    /// day. Unlike [`Calendar::add_calendar_days`], `t` is not normalised first, so a due at a
    /// close stays on its own date.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// // Saturday 21 September 2024 07:40 → Monday 23 September 07:30.
    /// assert_eq!(cal.roll_forward(datetime!(2024-09-21 07:40 +7))?, datetime!(2024-09-23 07:30 +7));
    /// // A working day: kept inside its sessions, and on its date.
    /// assert_eq!(cal.roll_forward(datetime!(2024-09-30 14:05 +7))?, datetime!(2024-09-30 14:05 +7));
    /// assert_eq!(cal.roll_forward(datetime!(2024-09-30 12:00 +7))?, datetime!(2024-09-30 13:00 +7));
    /// assert_eq!(cal.roll_forward(datetime!(2024-09-30 19:00 +7))?, datetime!(2024-09-30 17:00 +7));
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    pub fn roll_forward(&self, t: OffsetDateTime) -> Result<OffsetDateTime, CalendarError> {
        let l = self.local(t)?;
        let profile = self.profile(l.day);
        if profile.working() {
            return self.instant(Local {
                day: l.day,
                ns: profile.place_or_close(l.ns),
            });
        }
        let day = self.working_day_from(l.day + 1, || format!("working day on or after {t}"))?;
        self.instant(Local {
            day,
            ns: self.profile(day).first_start(),
        })
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
    /// O(1): two day keys (working minutes before the day) and two minute-table entries
    /// (working minutes before the minute of the day), no loop and no division.
    ///
    /// ```
    /// use motcua_calendar::Calendar;
    /// use time::macros::datetime;
    /// let cal = Calendar::vietnam();
    /// let m = cal.working_minutes_between(datetime!(2024-05-10 16:00 +7), datetime!(2024-05-13 08:30 +7))?;
    /// assert_eq!(m, 120);
    /// # Ok::<(), motcua_calendar::CalendarError>(())
    /// ```
    #[inline(always)]
    pub fn working_minutes_between(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<u64, CalendarError> {
        // Working days all alike (the usual calendar), at the calendar's offset: the uniform
        // tables. Otherwise, or at the range's ends, out of line.
        let Some(ua) = self.pos_uniform(a) else {
            return self.working_minutes_between_slow(a, b);
        };
        let Some(ub) = self.pos_uniform(b) else {
            return self.working_minutes_between_slow(a, b);
        };
        Ok(uniform_minutes(ua, ub))
    }

    #[inline(never)]
    fn working_minutes_between_slow(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<u64, CalendarError> {
        if let (Some(ua), Some(ub)) = (self.pos_uniform_any(a), self.pos_uniform_any(b)) {
            return Ok(uniform_minutes(ua, ub));
        }
        let uniform = self.inner.day_minutes != 0;
        if let (Some(pa), Some(pb)) = (self.pos_fast(a, uniform), self.pos_fast(b, uniform)) {
            return Ok(minutes_from(pa, pb));
        }
        let pa = self.pos(a)?;
        let pb = self.pos(b)?;
        Ok(minutes_from(pa, pb))
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
    #[inline(always)]
    pub fn working_time_between(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<WorkingTime, CalendarError> {
        // Working days all alike (the usual calendar), at the calendar's offset: the uniform
        // tables, the days from the working minutes. Otherwise, at the range's ends or for an
        // error to report, out of line.
        let Some(ua) = self.pos_uniform(a) else {
            return self.working_time_between_slow(a, b);
        };
        let Some(ub) = self.pos_uniform(b) else {
            return self.working_time_between_slow(a, b);
        };
        Ok(self.time_uniform(ua, ub))
    }

    #[inline(never)]
    fn working_time_between_slow(
        &self,
        a: OffsetDateTime,
        b: OffsetDateTime,
    ) -> Result<WorkingTime, CalendarError> {
        if let (Some(ua), Some(ub)) = (self.pos_uniform_any(a), self.pos_uniform_any(b)) {
            return Ok(self.time_uniform(ua, ub));
        }
        let (pa, pb) = match (self.pos_fast(a, false), self.pos_fast(b, false)) {
            (Some(pa), Some(pb)) => (pa, pb),
            _ => (self.pos_general(a)?, self.pos_general(b)?),
        };
        if let Some(wt) = self.time_general(pa, pb) {
            return Ok(wt);
        }
        // `a` lies after the close of the last working day of the range: normalising it
        // fails, unless `b <= a` (then nothing is counted, as before normalising).
        if pb <= pa {
            return Ok(WorkingTime {
                days: 0,
                minutes: 0,
            });
        }
        Err(self.out_of_range(format!(
            "next working time after {}",
            self.day_text(self.day_of_slot(pa.yd))
        )))
    }

    /// [`Calendar::working_time_between`] of two positions in the uniform tables (the
    /// calendar's working days are all alike, and there is working time after `a`).
    #[inline(always)]
    fn time_uniform(&self, a: UniformPos, b: UniformPos) -> WorkingTime {
        // Every working day has the same sessions, `D` working minutes. Normalised, `a` is on
        // working day `ia` at a working time of day `T`, `W(T)` worked before it that day, and
        // every working day has `T` among its working instants, so add_working_days(a, n)
        // lands exactly at `T` on working day `ia + n`, `n * D` working minutes after `a`.
        // That is after `b` exactly when `worked(b) - worked(a)`, in nanoseconds, is below
        // `n * D`, or equal to it with `b` outside a session (a landing at a session start is
        // after any `b` in the gap before it, where nothing is worked). So `days` is
        // `floor((worked(b) - worked(a) - [b not in a session]) / D)`: that nanosecond
        // borrows a minute like the part of the minute does, as one more unit of `b`'s part
        // (which stays below `2^38`). When `worked(b) <= worked(a)` both counts are 0 (`b`
        // before `a` or less than a working minute after it); otherwise neither goes below 0.
        if b.worked <= a.worked {
            return WorkingTime {
                days: 0,
                minutes: 0,
            };
        }
        let d = b.worked - a.worked;
        let n = d - u64::from(b.part.wrapping_sub(b.session) <= a.part);
        let days = (u128::from(n) * u128::from(self.inner.day_magic)) >> 64;
        WorkingTime {
            days: days as u32,
            minutes: d - u64::from(b.part < a.part),
        }
    }

    /// [`Calendar::working_time_between`] of two positions, any calendar; `None` when `a`
    /// cannot be normalised (no working time after it in the range).
    fn time_general(&self, pa: Pos, pb: Pos) -> Option<WorkingTime> {
        let inner = &*self.inner;
        let minutes = minutes_from(pa, pb);
        if worked(pa) >= inner.total_minutes {
            return None;
        }
        // Normalised a: on a's day when a is before its close ("open"), else at the first
        // session start of the next working day; `ia` is the index of that working day and
        // `tkey` its time of day (clock slot at bit 40, part of the minute below).
        let (ia, tkey) = normalised(inner, pa);
        // `ib`: index of the last working day on or before b's day. add_working_days(a, ib - ia)
        // lands on it at the normalised time of day placed in that day's sessions; when that
        // day is b's day and the landing is after b, one day less. The landing is after b
        // exactly when the time of day is at or after b's entry's "late from" slot, plus, inside
        // a session, b's part of the minute and one nanosecond (never on a closed day or after
        // its close: the slot is past every time of day).
        let ib = wd_through(pb.key) as i64 - 1;
        let late_from = ((pb.entry << (E_PLACE_SHIFT - E_LATE_SHIFT)) & E_PLACE)
            + elapsed(pb)
            + (pb.entry >> 63);
        let late = tkey >= late_from;
        let days = ib - ia as i64 - i64::from(late);
        Some(WorkingTime {
            days: days.max(0) as u32,
            minutes,
        })
    }
}

/// Working days up to and including a day, from its year-day key.
#[inline(always)]
fn wd_through(k: u64) -> u64 {
    (k >> K_WD_SHIFT) & K_WD_MASK
}

/// The normalised position of `pa`: the index of its working day, and its time of day as a
/// key (clock slot at [`E_PLACE_SHIFT`], part of the minute below). On `pa`'s day when `pa`
/// is before the close ("open"), else the first session start of the next working day (index
/// past the last working day when there is none). Selected without a branch: `open` is
/// unpredictable.
#[inline(always)]
fn normalised(inner: &Inner, pa: Pos) -> (u64, u64) {
    let open = pa.entry & E_OPEN != 0;
    let ia = wd_through(pa.key) - u64::from(open);
    let first = inner.row_first[((pa.key >> K_NEXT_ROW_SHIFT) & K_ROW) as usize];
    let open_mask = 0u64.wrapping_sub(u64::from(open));
    // Not open means not working: the part of the minute is then masked out.
    let tkey =
        (pa.entry & E_PLACE & open_mask | first & !open_mask) + (pa.sub & working_mask(pa.entry));
    (ia, tkey)
}

/// All ones when the minute-table entry `e` is inside a session, else 0 (a select without a
/// branch: whether a minute is worked is unpredictable).
#[inline(always)]
fn working_mask(e: u64) -> u64 {
    ((e & E_WORKING) as i64 >> 63) as u64
}

/// Working minutes from the start of the range to the minute of `p`: those before its day
/// (year-day key) plus those before its minute (minute entry), one addition as both sit at
/// the same shift.
#[inline(always)]
fn worked(p: Pos) -> u64 {
    (p.key + (p.entry & E_WORKED)) >> K_MIN_SHIFT
}

/// The part of `p`'s minute already worked: all of it inside a session, else nothing.
#[inline(always)]
fn elapsed(p: Pos) -> u64 {
    p.sub & working_mask(p.entry)
}

/// Working minutes from `a` to `b` in the uniform tables, 0 when `b <= a`: the parts of the
/// minutes borrow one when the later one is the smaller. Worked minutes are below `2^31`.
#[inline(always)]
fn uniform_minutes(a: UniformPos, b: UniformPos) -> u64 {
    if b.worked <= a.worked {
        return 0;
    }
    b.worked - a.worked - u64::from(b.part < a.part)
}

/// Working minutes from `a` to `b` (`a < b`): `F` (working minutes before the minute, see
/// [`worked`]), and the part of the minute already elapsed (`r`, only inside a session)
/// borrows one minute when `r_b < r_a`. This is
/// `floor((worked_ns(b) - worked_ns(a)) / 1 min)` without the division.
#[inline(always)]
fn minutes_from(pa: Pos, pb: Pos) -> u64 {
    worked(pb).saturating_sub(worked(pa) + u64::from(elapsed(pb) < elapsed(pa)))
}
