//! The calendar: precomputed per-day tables and day-level queries.

use crate::table::Table;
use crate::{
    CalendarError, CalendarVersion, DayInfo, DayOffKind, DayReason, Session, WeeklyPattern,
};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};
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

    /// Fills this profile's row of the minute table: [`CLOCK_SLOTS`] packed entries, entry
    /// `hour << 8 | minute` ([`clock_slot`]) describing that minute `[m, m + 1)` of the day
    /// (sessions are whole minutes, so each minute is entirely inside or outside a session;
    /// the slots of minutes 60–255 of each hour and of hours 24–31 are never read and hold 0):
    ///
    /// * bit 12 ([`E_OPEN`]): the minute is before the day's close, i.e. [`Profile::place`]
    ///   finds a position on this day;
    /// * bits 16..29 ([`E_LATE_SHIFT`]): the clock slot from which a time of day placed in
    ///   this day's sessions lands after an instant in this minute ("late"): the minute itself
    ///   inside a session (then the part of the minute decides), the end of the previous
    ///   session in a gap, 0 before the opening, [`SLOT_NEVER`] after the close;
    /// * bits 29..40 ([`E_WORKED`]): working minutes in `[00:00, m)`, at the shift of the
    ///   working minutes of the year-day key, so that one addition gives the working minutes
    ///   since the start of the range;
    /// * bits 40..53 ([`E_PLACE_SHIFT`]): the clock slot of [`Profile::place_or_close`]: the
    ///   minute itself inside a session, else the next session start, else the close (0 when
    ///   closed); above any part of a minute, so that `entry & E_PLACE` plus that part orders
    ///   like the placed instant;
    /// * bit 63 ([`E_WORKING`]): the minute lies inside a session.
    ///
    /// So, with `r` the part of the minute already elapsed inside a session (else nothing),
    /// `worked_before = worked minutes + r` and `place_or_close = place + r`.
    fn fill_minute_row(&self, out: &mut [u64; CLOCK_SLOTS]) {
        let mut worked = 0u64;
        let close = (self.close_ns / NS_PER_MIN) as u32;
        for m in 0..MINUTES_PER_DAY as u32 {
            let next = self
                .sessions
                .iter()
                .find(|s| m < s.end_minute())
                .map(Session::start_minute);
            let prev_end = self
                .sessions
                .iter()
                .rev()
                .map(Session::end_minute)
                .find(|&e| e <= m);
            let (working, open, place) = match next {
                Some(a) if m >= a => (true, true, m),
                Some(a) => (false, true, a),
                None => (false, false, close),
            };
            let late = match (working, open) {
                (true, _) => clock_slot(m),
                (false, true) => prev_end.map_or(0, clock_slot),
                (false, false) => SLOT_NEVER,
            };
            let mut e = worked << K_MIN_SHIFT
                | u64::from(late) << E_LATE_SHIFT
                | u64::from(clock_slot(place)) << E_PLACE_SHIFT;
            if working {
                e |= E_WORKING;
                worked += 1;
            }
            if open {
                e |= E_OPEN;
            }
            out[clock_slot(m) as usize] = e;
        }
    }
}

/// The clock slot `hour << 8 | minute` of minute `m` of the day: what an instant's
/// `(hour, minute)` gives with one shift and one mask (the two bytes of its `Time`); ordered
/// like `m`.
pub(crate) const fn clock_slot(m: u32) -> u32 {
    (m / 60) << HOUR_SHIFT | (m % 60)
}

/// Clock slots per hour, as a shift.
pub(crate) const HOUR_SHIFT: u32 = 8;

/// Clock slots per row of the minute table: 32 hours of 256 minutes, so that any
/// `(hour << 8 | minute) & (CLOCK_SLOTS - 1)` is in bounds without a check.
pub(crate) const CLOCK_SLOTS: usize = 32 << HOUR_SHIFT;
/// A clock slot after every real one (see [`E_LATE_SHIFT`]); 13 bits.
pub(crate) const SLOT_NEVER: u32 = (1 << 13) - 1;
/// Minutes per day: the width of a row of the minute table.
pub(crate) const MINUTES_PER_DAY: usize = 1440;
/// Year-day table: slots per year. The slot of `(year, ordinal)` is
/// `(year << 10 | ordinal) - (first_year << 10)`, which the compiler reads straight from the
/// packed `time::Date` (one mask); ordinals run 1–366, the other slots repeat the next real
/// day (so "the next slot" is always "the same or the next day" and the working-minute
/// counts never decrease).
pub(crate) const YEAR_SLOTS: usize = 1 << YEAR_SHIFT;
/// `log2(YEAR_SLOTS)`.
pub(crate) const YEAR_SHIFT: u32 = 10;
/// Year-day key: row of the day in the minute table (bits 0..3).
pub(crate) const K_ROW: u64 = 0b111;
/// Year-day key: shift of the row of the first working day after the day (3 bits).
pub(crate) const K_NEXT_ROW_SHIFT: u32 = 3;
/// Year-day key: shift of the working days up to and including the day (23 bits).
pub(crate) const K_WD_SHIFT: u32 = 6;
/// Year-day key: mask of the working days through the day, once shifted.
pub(crate) const K_WD_MASK: u64 = (1 << 23) - 1;
/// Year-day key: shift of the working minutes strictly before the day (35 bits).
pub(crate) const K_MIN_SHIFT: u32 = 29;
/// Minute-table entry: working minutes before the minute, in place (see
/// [`Profile::fill_minute_row`]).
pub(crate) const E_WORKED: u64 = 0x7FF << K_MIN_SHIFT;
/// Minute-table entry: the minute lies inside a session (the sign bit, so that an arithmetic
/// shift makes it a mask).
pub(crate) const E_WORKING: u64 = 1 << 63;
/// Minute-table entry: the minute is before the day's close.
pub(crate) const E_OPEN: u64 = 1 << 12;
/// Minute-table entry: shift of the "late from" clock slot (13 bits).
pub(crate) const E_LATE_SHIFT: u32 = 16;
/// Minute-table entry: shift of the place-or-close clock slot (13 bits).
pub(crate) const E_PLACE_SHIFT: u32 = 40;
/// Minute-table entry: mask of the place-or-close clock slot, in place.
pub(crate) const E_PLACE: u64 = (SLOT_NEVER as u64) << E_PLACE_SHIFT;
/// Part of a minute (`second << 32 | nanosecond`): below bit [`E_PLACE_SHIFT`].
pub(crate) const SUB_MASK: u64 = (1 << E_PLACE_SHIFT) - 1;

/// Uniform tables: the offset, in clock slots of [`Inner::uniform_minutes`], of the entries
/// for days off: minute 64 of the same hour on, slots that are no minute and hold 0 (the low
/// word of a uniform day key: below its high word, and the sum stays in the table).
pub(crate) const U_CLOSED: u64 = 64;

/// A position in local time split for the table lookups: year-day slot (see
/// [`YEAR_SLOTS`]), clock slot (`hour << 8 | minute`), the part of the minute
/// (`second << 32 | nanosecond`, below 2^38, only ever compared or masked), and what the
/// tables say of them: the day's key and the minute's entry. Orders like the instant it
/// stands for (the key and entry follow from the slots).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub(crate) yd: usize,
    pub(crate) min: u32,
    pub(crate) sub: u64,
    pub(crate) key: u64,
    pub(crate) entry: u64,
}

/// A position found in the uniform tables ([`Calendar::pos_uniform`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct UniformPos {
    /// Working minutes from the start of the range to the position's minute.
    pub(crate) worked: u64,
    /// The part of the minute already worked, as `second << 32 | nanosecond` (only ever
    /// compared; below `2^38`): the part inside a session, else 0.
    pub(crate) part: u64,
    /// All ones when the position lies inside a session, else 0.
    pub(crate) session: u64,
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
    /// Read through [`Calendar::overrides`] (filled on first use for the built-in calendar).
    pub(crate) overrides: OnceLock<BTreeMap<Date, Override>>,
    /// Profiles: 0 closed, 1 + weekday (Monday = 0) for the weekday patterns.
    pub(crate) profiles: [Profile; 8],
    /// Profile of each day.
    pub(crate) day_profile: Table<u8>,
    /// Working days strictly before day `i` (length days + 1).
    pub(crate) wd_before: Table<u32>,
    /// The year-day table: per slot (see [`YEAR_SLOTS`]) a key packed in a `u64`: working
    /// minutes strictly before the day (bits 29..64), working days up to and including it
    /// (bits 6..29), the minute-table row of the first working day after it (bits 3..6) and
    /// its own row (bits 0..3). The slots that are no date repeat the next day and a last
    /// slot holds the totals, so the working-minute counts never decrease. An instant already
    /// at the calendar's offset finds its slot from its packed date with one mask and one
    /// subtraction, and one load gives an endpoint of a working-time interval everything but
    /// its within-day part.
    pub(crate) year_day: Table<u64>,
    /// The minute table: per distinct day profile (row), per clock slot, a packed entry
    /// (see `Profile::fill_minute_row`). Eight rows, so that a 3-bit row needs no bounds
    /// check; the rows past the distinct profiles stay 0.
    pub(crate) minute_table: Box<[[u64; CLOCK_SLOTS]; 8]>,
    /// First session start per row, as a clock slot shifted to [`E_PLACE_SHIFT`]; 0 for a
    /// closed row.
    pub(crate) row_first: [u64; 8],
    /// Working minutes of every working day when all working days have the same sessions, at
    /// least two minutes (then working days follow from working minutes, see
    /// `Calendar::time_uniform`), else 0.
    pub(crate) day_minutes: u64,
    /// `ceil(2^64 / day_minutes)`: the high word of `n * day_magic` is `n / day_minutes` for
    /// every `n < 2^53` (the error `n * (day_magic * day_minutes - 2^64) < n * 1440` stays
    /// below `2^64`; a range has fewer than `2^34` working minutes).
    pub(crate) day_magic: u64,
    /// Working minutes in the whole range: an instant with that many before it has no
    /// working time after it.
    pub(crate) total_minutes: u64,
    /// The uniform year-day table, for calendars whose working days are all alike
    /// ([`Inner::day_minutes`] not 0) with fewer than `2^31` working minutes; empty otherwise.
    /// Per year-day slot (as [`Inner::year_day`]): the working minutes strictly before the day
    /// in the high word, and in the low word [`U_CLOSED`] for a day off, else 0. It stops
    /// before the slot of the last working day of the range, so that every position it finds
    /// has working time after it (others take the general path).
    pub(crate) uniform_day: Table<u64>,
    /// The uniform minute table: per clock slot of a working day, the working minutes before
    /// the minute in the high word and, in the low word, all ones when the minute lies inside a
    /// session, else 0. [`U_CLOSED`] slots on, the same for a day off: 0.
    pub(crate) uniform_minutes: Box<[u64; CLOCK_SLOTS]>,
    /// Day index of 1 January of each year of the range (length years + 1).
    pub(crate) year_start: Vec<u32>,
    pub(crate) first_year: i32,
    /// `first_year << 10`: slot of (year, ordinal) = `(year << 10 | ordinal) - yd_base`.
    pub(crate) yd_base: i32,
    /// The calendar's offset as `(seconds, minutes)` bytes and hours ([`offset_parts`]).
    pub(crate) offset_parts: (u16, i8),
    /// Day index of the k-th working day.
    pub(crate) working: Table<u32>,
    /// Date of the k-th working day (saves a Julian-day conversion on the hot paths).
    pub(crate) working_dates: Vec<Date>,
    /// Minute-table row of the k-th working day.
    pub(crate) working_rows: Table<u8>,
}

/// [`Inner::uniform_minutes`] from the minute-table row of the working days (`working`), when
/// the calendar is `uniform`; all 0 otherwise.
fn uniform_minute_table(working: &[u64; CLOCK_SLOTS], uniform: bool) -> Box<[u64; CLOCK_SLOTS]> {
    let mut minutes: Box<[u64; CLOCK_SLOTS]> =
        match vec![0u64; CLOCK_SLOTS].into_boxed_slice().try_into() {
            Ok(t) => t,
            Err(_) => Box::new([0u64; CLOCK_SLOTS]),
        };
    if !uniform {
        return minutes;
    }
    // The slots that are no minute hold 0 in `working`, and so here: a day off reads them.
    for (u, &e) in minutes.iter_mut().zip(working.iter()) {
        let session = if e & E_WORKING != 0 { 0xFFFF_FFFF } else { 0 };
        *u = ((e & E_WORKED) >> K_MIN_SHIFT) << 32 | session;
    }
    minutes
}

/// [`Inner::uniform_day`] from the general year-day table, for a uniform calendar.
fn uniform_day_table(year_day: &[u64]) -> Vec<u64> {
    // The last slot whose key has a row is the last working day's own (the slots that are no
    // date repeat a later day).
    let end = year_day.iter().rposition(|&k| k & K_ROW != 0).unwrap_or(0);
    year_day[..end]
        .iter()
        .map(|&k| (k >> K_MIN_SHIFT) << 32 | if k & K_ROW == 0 { U_CLOSED } else { 0 })
        .collect()
}

/// The offset's seconds and minutes packed in a `u16`, and its hours: equal iff the offsets
/// are (two compares against the offset as it lies in memory).
#[inline(always)]
pub(crate) fn offset_parts(o: UtcOffset) -> (u16, i8) {
    let (h, m, s) = o.as_hms();
    (u16::from_le_bytes([s as u8, m as u8]), h)
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
            .field("overrides", &self.overrides().len())
            .field("working_days", &self.inner.working.len())
            .finish()
    }
}

/// The per-day tables of a calendar: what takes the time to compute (a few milliseconds for
/// 1900–2200), and what the build script bakes into the program for the built-in calendar
/// (`build.rs`, [`Calendar::vietnam_baked`]). The rest of a calendar follows from them and its
/// weekly pattern in microseconds ([`Calendar::assemble`]).
pub(crate) struct DayTables {
    /// Profile of each day ([`Inner::day_profile`]).
    pub(crate) day_profile: Table<u8>,
    /// [`Inner::wd_before`].
    pub(crate) wd_before: Table<u32>,
    /// [`Inner::year_day`].
    pub(crate) year_day: Table<u64>,
    /// [`Inner::uniform_day`].
    pub(crate) uniform_day: Table<u64>,
    /// [`Inner::working`].
    pub(crate) working: Table<u32>,
    /// [`Inner::working_rows`].
    pub(crate) working_rows: Table<u8>,
    /// The profile whose sessions each row of the minute table holds (at most eight rows).
    pub(crate) row_profile: Vec<usize>,
}

/// The profiles of a weekly pattern: 0 closed, 1 + weekday (Monday = 0).
pub(crate) fn profiles_of(pattern: &WeeklyPattern) -> [Profile; 8] {
    let mut profiles: [Profile; 8] = Default::default();
    let mut wd = Weekday::Monday;
    for p in profiles.iter_mut().skip(1) {
        *p = Profile::new(pattern.sessions(wd));
        wd = wd.next();
    }
    profiles
}

/// Day index of 1 January of each year from `first`'s to the one after `last`'s.
fn year_starts(first: Date, last: Date) -> Vec<u32> {
    let first_jd = i64::from(first.to_julian_day());
    let n = i64::from(last.to_julian_day()) - first_jd + 1;
    (first.year()..=last.year() + 1)
        .map(|y| {
            let jd = Date::from_calendar_date(y, time::Month::January, 1)
                .map_or(first_jd + n, |d| i64::from(d.to_julian_day()));
            (jd - first_jd) as u32
        })
        .collect()
}

/// Working minutes of every working day when the working days of `rows` (their minute-table
/// rows) all have the sessions of row 1 and at least two minutes ([`Inner::day_minutes`]).
fn uniform_day_minutes(profiles: &[Profile; 8], row_profile: &[usize], rows: &[u8]) -> u64 {
    match (rows.first(), row_profile.get(1)) {
        (Some(&1), Some(&p)) if rows.iter().all(|&x| x == 1) => {
            Some(profiles[p].total_ns / NS_PER_MIN).filter(|&d| d >= 2)
        }
        _ => None,
    }
    .unwrap_or(0)
}

impl DayTables {
    /// Computes the tables of the days `first..=last` (`first <= last`).
    pub(crate) fn compute(
        profiles: &[Profile; 8],
        first: Date,
        last: Date,
        overrides: &BTreeMap<Date, Override>,
    ) -> DayTables {
        let first_jd = i64::from(first.to_julian_day());
        let n = usize::try_from(i64::from(last.to_julian_day()) - first_jd + 1).unwrap_or(0);
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
        // Distinct profiles get one row of the minute table each.
        let mut row_of = [0u8; 8];
        let mut row_profile: Vec<usize> = Vec::with_capacity(8);
        for (p, prof) in profiles.iter().enumerate() {
            let row = row_profile
                .iter()
                .position(|&q| profiles[q].sessions == prof.sessions)
                .unwrap_or_else(|| {
                    row_profile.push(p);
                    row_profile.len() - 1
                });
            row_of[p] = row as u8;
        }
        // When every working day of the range has the same sessions, their row is row 1
        // (rows are only labels): the lookups then need not wait for the day's key.
        let mut used = day_profile
            .iter()
            .map(|&p| row_of[usize::from(p)])
            .filter(|&r| r != 0);
        if let Some(r) = used.next() {
            if r != 1 && used.all(|x| x == r) {
                for x in row_of.iter_mut() {
                    *x = match *x {
                        1 => r,
                        y if y == r => 1,
                        y => y,
                    };
                }
                row_profile.swap(1, usize::from(r));
            }
        }
        let year_start = year_starts(first, last);
        let years = year_start.len() - 1;
        // One forward pass fills the dense working-day counts and the year-day slots of the
        // real days (minutes, working days and row); a backward pass adds the row of the next
        // working day and fills the slots that are no date from the next day.
        let mut wd_before = Vec::with_capacity(n + 1);
        let mut working = Vec::with_capacity(n);
        let mut working_rows = Vec::with_capacity(n);
        let mut year_day = vec![0u64; years * YEAR_SLOTS + 1];
        let (mut w, mut m) = (0u32, 0u64);
        for y in 0..years {
            let (a, b) = (year_start[y] as usize, year_start[y + 1] as usize);
            for (slot, i) in (y * YEAR_SLOTS + 1..).zip(a..b) {
                let p = usize::from(day_profile[i]);
                wd_before.push(w);
                let prof = &profiles[p];
                if prof.working() {
                    working.push(i as u32);
                    working_rows.push(row_of[p]);
                    w += 1;
                }
                year_day[slot] = (m << K_MIN_SHIFT)
                    | ((u64::from(w) & K_WD_MASK) << K_WD_SHIFT)
                    | u64::from(row_of[p]);
                m += prof.total_ns / NS_PER_MIN;
            }
        }
        wd_before.push(w);
        year_day[years * YEAR_SLOTS] =
            (m << K_MIN_SHIFT) | ((u64::from(w) & K_WD_MASK) << K_WD_SHIFT);
        let mut next_row = 0u64;
        for y in (0..years).rev() {
            let len = (year_start[y + 1] - year_start[y]) as usize;
            let base = y * YEAR_SLOTS;
            for slot in (base + len + 1..base + YEAR_SLOTS).rev() {
                year_day[slot] = year_day[slot + 1];
            }
            for slot in (base + 1..=base + len).rev() {
                let row = year_day[slot] & K_ROW;
                year_day[slot] |= next_row << K_NEXT_ROW_SHIFT;
                if row != 0 {
                    next_row = row;
                }
            }
            year_day[base] = year_day[base + 1];
        }
        let uniform =
            uniform_day_minutes(profiles, &row_profile, &working_rows) != 0 && m < 1 << 31;
        let uniform_day = if uniform {
            uniform_day_table(&year_day)
        } else {
            Vec::new()
        };
        DayTables {
            day_profile: day_profile.into(),
            wd_before: wd_before.into(),
            year_day: year_day.into(),
            uniform_day: uniform_day.into(),
            working: working.into(),
            working_rows: working_rows.into(),
            row_profile,
        }
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
        let profiles = profiles_of(&pattern);
        let days = DayTables::compute(&profiles, first, last, &overrides);
        Calendar::assemble(
            version,
            offset,
            pattern,
            first,
            last,
            OnceLock::from(overrides),
            days,
        )
    }

    /// A calendar from its per-day tables (computed, or baked by the build script) and what
    /// follows from them and the weekly pattern: the minute table, the working days' dates,
    /// the uniform minute table. `overrides` may be left to fill on first use (the built-in
    /// calendar's, see [`Calendar::overrides`]).
    pub(crate) fn assemble(
        version: CalendarVersion,
        offset: UtcOffset,
        pattern: WeeklyPattern,
        first: Date,
        last: Date,
        overrides: OnceLock<BTreeMap<Date, Override>>,
        days: DayTables,
    ) -> Calendar {
        let profiles = profiles_of(&pattern);
        let first_jd = i64::from(first.to_julian_day());
        // Built on the heap: 512 KiB would not fit every test thread's stack.
        let rows: Box<[[u64; CLOCK_SLOTS]]> = vec![[0u64; CLOCK_SLOTS]; 8].into_boxed_slice();
        let mut minute_table: Box<[[u64; CLOCK_SLOTS]; 8]> = match rows.try_into() {
            Ok(t) => t,
            Err(_) => Box::new([[0u64; CLOCK_SLOTS]; 8]),
        };
        let mut row_first = [0u64; 8];
        for (row, &p) in days.row_profile.iter().enumerate().take(8) {
            profiles[p].fill_minute_row(&mut minute_table[row]);
            let first = clock_slot((profiles[p].first_start() / NS_PER_MIN) as u32);
            row_first[row] = u64::from(first) << E_PLACE_SHIFT;
        }
        let year_start = year_starts(first, last);
        // The dates of the working days, walked forward day by day (cheaper than converting
        // each day index).
        let mut working_dates = Vec::with_capacity(days.working.len());
        let (mut date, mut at) = (first, 0u32);
        for &i in days.working.iter() {
            while at < i {
                date = date.next_day().unwrap_or(date);
                at += 1;
            }
            working_dates.push(date);
        }
        // Working days all alike: their common row's minutes (at most 1440; one minute a day
        // is left to the general path, its magic number would not fit).
        let day_minutes = uniform_day_minutes(&profiles, &days.row_profile, &days.working_rows);
        let day_magic = u64::MAX.checked_div(day_minutes).map_or(0, |q| q + 1);
        // The year-day table's last slot holds the totals.
        let total_minutes = days.year_day.last().map_or(0, |&k| k >> K_MIN_SHIFT);
        let uniform_minutes = uniform_minute_table(
            &minute_table[1],
            day_minutes != 0 && total_minutes < 1 << 31,
        );
        let first_year = first.year();
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
                day_profile: days.day_profile,
                wd_before: days.wd_before,
                year_day: days.year_day,
                minute_table,
                row_first,
                day_minutes,
                day_magic,
                total_minutes,
                uniform_day: days.uniform_day,
                uniform_minutes,
                year_start,
                first_year,
                yd_base: first_year << YEAR_SHIFT,
                offset_parts: offset_parts(offset),
                working: days.working,
                working_dates,
                working_rows: days.working_rows,
            }),
        }
    }

    /// The days off and make-up working days the calendar was built with (the built-in
    /// calendar's are made on first use: only names and explanations need them).
    pub(crate) fn overrides(&self) -> &BTreeMap<Date, Override> {
        self.inner
            .overrides
            .get_or_init(crate::vietnam::builtin_overrides)
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
        i.day_profile.len()
            + i.wd_before.len() * 4
            + i.year_day.len() * 8
            + i.uniform_day.len() * 8
            + std::mem::size_of_val(&*i.uniform_minutes)
            + i.year_start.len() * 4
            + std::mem::size_of_val(&*i.minute_table)
            + std::mem::size_of_val(&i.row_first)
            + i.working.len() * 4
            + i.working_dates.len() * std::mem::size_of::<Date>()
            + i.working_rows.len()
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

    /// The day's date as text for messages (`#day` if it has none).
    pub(crate) fn day_text(&self, day: usize) -> String {
        self.date_at(day)
            .map_or_else(|_| format!("day #{day}"), |d| d.to_string())
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
            return Err(self.instant_out_of_range(t));
        }
        let secs = t.unix_timestamp() + self.inner.offset_secs;
        let jd = secs.div_euclid(86_400) + UNIX_EPOCH_JD;
        let i = jd - self.inner.first_jd;
        if i < 0 || i >= self.inner.day_profile.len() as i64 {
            return Err(self.instant_out_of_range(t));
        }
        let ns = secs.rem_euclid(86_400) as u64 * 1_000_000_000 + u64::from(t.nanosecond());
        Ok(Local {
            day: i as usize,
            ns,
        })
    }

    /// Converts an instant to a year-day slot, minute of the day and the part of the minute.
    /// Out of line: the hot paths try [`Calendar::pos_fast`] first.
    #[inline(never)]
    pub(crate) fn pos(&self, t: OffsetDateTime) -> Result<Pos, CalendarError> {
        self.pos_with(t, self.inner.day_minutes != 0)
    }

    /// [`Calendar::pos`] with the minute entries of each day's own row, also for a calendar
    /// whose working days are all alike (see `uniform` in [`Calendar::pos_local`]).
    #[inline(never)]
    pub(crate) fn pos_general(&self, t: OffsetDateTime) -> Result<Pos, CalendarError> {
        self.pos_with(t, false)
    }

    fn pos_with(&self, t: OffsetDateTime, uniform: bool) -> Result<Pos, CalendarError> {
        self.at_offset(t)
            .and_then(|l| self.pos_local(l, uniform))
            .ok_or_else(|| self.instant_out_of_range(t))
    }

    /// `t` at the calendar's offset; `None` when that is out of `time`'s range.
    fn at_offset(&self, t: OffsetDateTime) -> Option<OffsetDateTime> {
        if t.offset() == self.inner.offset {
            Some(t)
        } else {
            t.checked_to_offset(self.inner.offset)
        }
    }

    /// The position of an instant at the calendar's offset in the uniform tables
    /// ([`Inner::uniform_day`]): one mask and a subtraction give the year-day slot, one range
    /// check and two loads the day key and the minute entry, whose sum is the working minutes
    /// before the minute. `None` for another offset, a calendar without uniform tables, or a
    /// day out of them (then the general tables decide).
    #[inline(always)]
    pub(crate) fn pos_uniform(&self, t: OffsetDateTime) -> Option<UniformPos> {
        let inner = &*self.inner;
        if !self.at_calendar_offset(t) {
            return None;
        }
        let key = *inner.uniform_day.get(self.year_day_slot(t))?;
        // Clock slot `hour << 8 | minute` (the two bytes of `Time`, one 16-bit load), in the
        // row for days off when the key says so.
        let time = t.time();
        let slot = usize::from(time.hour()) << HOUR_SHIFT | usize::from(time.minute());
        let e = inner.uniform_minutes[(slot + key as usize) & (CLOCK_SLOTS - 1)];
        let sub = u64::from(time.second()) << 32 | u64::from(time.nanosecond());
        // The low word of the entry, all ones or 0, widened with its sign.
        let session = e as u32 as i32 as i64 as u64;
        Some(UniformPos {
            // The day key's low word plus the entry's never carries: one of them is 0.
            worked: (key + e) >> 32,
            part: sub & session,
            session,
        })
    }

    /// [`Calendar::pos_uniform`] of an instant in any offset.
    pub(crate) fn pos_uniform_any(&self, t: OffsetDateTime) -> Option<UniformPos> {
        self.pos_uniform(self.at_offset(t)?)
    }

    /// [`Calendar::pos`] of an instant at the calendar's offset (the usual case): a mask and
    /// a subtraction give the year-day slot, one range check (the table's own bounds) and two
    /// loads the key and entry; no multiplication, division or Julian day. `None` for another
    /// offset or out of range (then [`Calendar::pos`] decides).
    #[inline(always)]
    pub(crate) fn pos_fast(&self, t: OffsetDateTime, uniform: bool) -> Option<Pos> {
        if !self.at_calendar_offset(t) {
            return None;
        }
        self.pos_local(t, uniform)
    }

    /// Whether `t` is at the calendar's offset: two compares against the offset as it lies in
    /// memory ([`offset_parts`]).
    #[inline(always)]
    fn at_calendar_offset(&self, t: OffsetDateTime) -> bool {
        offset_parts(t.offset()) == self.inner.offset_parts
    }

    /// The year-day slot of `l`'s date (see [`YEAR_SLOTS`]), `l` at the calendar's offset.
    /// `y << 10 | ordinal` is the packed date less its leap-year bit: one mask and one
    /// subtraction. Before the range the slot wraps around to a huge number; after it, past
    /// the tables. The totals slot and the repeated slots are no (year, ordinal).
    #[inline(always)]
    fn year_day_slot(&self, l: OffsetDateTime) -> usize {
        let (y, ord) = l.to_ordinal_date();
        ((y << YEAR_SHIFT) | i32::from(ord)).wrapping_sub(self.inner.yd_base) as u32 as usize
    }

    /// [`Calendar::pos`] of an instant at the calendar's offset; `None` out of range.
    /// `uniform`: the calendar's working days are all alike ([`Inner::day_minutes`] is not
    /// 0), the caller having tested it.
    #[inline(always)]
    fn pos_local(&self, l: OffsetDateTime, uniform: bool) -> Option<Pos> {
        let inner = &*self.inner;
        let yd = self.year_day_slot(l);
        let key = *inner.year_day.get(yd)?;
        // The time of day as its four fields side by side (what `Time` holds, so this is one
        // load): clock slot `hour << 8 | minute` above bit 40, the part of the minute below.
        let (h, m, s, nano) = l.time().as_hms_nano();
        let hms = u64::from(h) << 48 | u64::from(m) << 40 | u64::from(s) << 32 | u64::from(nano);
        let min = (hms >> 40) as usize & (CLOCK_SLOTS - 1);
        let row = (key & K_ROW) as usize;
        let entry = if uniform {
            // Working days all alike, in row 1, and closed days all 0 where it matters (no
            // working minute, not open): the entry does not wait for the key, only masked by
            // its row (0 or 1).
            inner.minute_table[1][min] & 0u64.wrapping_sub(key & 1)
        } else {
            inner.minute_table[row][min]
        };
        Some(Pos {
            yd,
            min: min as u32,
            sub: hms & ((1 << 40) - 1),
            key,
            entry,
        })
    }

    /// The year-day slot of day index `day` (`day` within the range).
    pub(crate) fn slot_of_day(&self, day: usize) -> usize {
        let ys = &self.inner.year_start;
        // 400 Gregorian years have 146,097 days: the estimate is off by at most one year.
        let mut y = (day * 400 / 146_097).min(ys.len() - 2);
        while y > 0 && ys[y] as usize > day {
            y -= 1;
        }
        while y + 2 < ys.len() && ys[y + 1] as usize <= day {
            y += 1;
        }
        y * YEAR_SLOTS + (day - ys[y] as usize) + 1
    }

    /// The day index of the year-day slot of a date.
    pub(crate) fn day_of_slot(&self, yd: usize) -> usize {
        (self.inner.year_start[yd / YEAR_SLOTS] as usize + yd % YEAR_SLOTS).saturating_sub(1)
    }

    #[cold]
    #[inline(never)]
    fn instant_out_of_range(&self, t: OffsetDateTime) -> CalendarError {
        self.out_of_range(format!("instant {t}"))
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
            format!("next working time after {}", self.day_text(l.day))
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
        let reason = match self.overrides().get(&date) {
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
        self.overrides()
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
