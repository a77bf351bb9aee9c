//! The built-in Vietnamese public-sector calendar.

use crate::calendar::{Calendar, Override};
use crate::{CalendarBuilder, CalendarVersion, WeeklyPattern};
use std::collections::BTreeMap;
use time::{
    macros::{date, offset},
    Date, UtcOffset,
};

/// The shipped table of announced swaps (format: [`file`](mod@crate::file)).
pub const SWAPS_TSV: &str = include_str!("data/swaps.tsv");

/// The name of the built-in calendar's version.
pub const VIETNAM_NAME: &str = "vn-public-sector";

/// The built-in calendar's offset from UTC: Indochina Time, UTC+07:00 (giờ Đông Dương). A
/// caller that needs only the offset (to read "now" in local time) need not build the
/// calendar's tables for it.
///
/// ```
/// use motcua_calendar::{Calendar, VIETNAM_OFFSET};
/// assert_eq!(Calendar::vietnam().offset(), VIETNAM_OFFSET);
/// ```
pub const VIETNAM_OFFSET: UtcOffset = offset!(+7);

impl CalendarBuilder {
    /// A builder pre-filled with the Vietnamese public-sector calendar: UTC+07:00, Monday–Friday
    /// 07:30–11:30 and 13:00–17:00, statutory days off computed for the chosen years (see
    /// [`crate::holidays`]) and the shipped announced swaps ([`crate::SWAPS_TSV`]). Hosts add
    /// their own days (next year's announcement, a province's day) with
    /// [`CalendarBuilder::load_overrides`], [`CalendarBuilder::day_off`], etc.; they replace
    /// the built-in entries for the same date. The years must lie within 1800–2200.
    ///
    /// ```
    /// use motcua_calendar::{CalendarBuilder, Date, Month};
    /// let cal = CalendarBuilder::vietnam().years(2020, 2030).build()?;
    /// assert!(!cal.is_working_day(Date::from_calendar_date(2026, Month::November, 24)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn vietnam() -> CalendarBuilder {
        let b = CalendarBuilder::new(VIETNAM_NAME)
            .offset(VIETNAM_OFFSET)
            .set_vietnam_rules(true);
        // The shipped table is tested to parse; fall back to the rules alone otherwise.
        match b.clone().load_overrides(SWAPS_TSV) {
            Ok(b) => b,
            Err(_) => b,
        }
    }
}

impl Calendar {
    /// The built-in Vietnamese public-sector calendar over 1900–2200
    /// ([`CalendarBuilder::vietnam`] with default years), its tables computed by this process.
    /// Takes 1–2 ms and 6.7 MB; build it once and clone it (clones share the tables). A
    /// short-lived process that judges a few thousand dossiers starts faster with
    /// [`Calendar::vietnam_baked`], the same calendar read from the program's file.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam();
    /// // Tết Giáp Thìn 2024: 8–14 February off.
    /// assert!(!cal.is_working_day(Date::from_calendar_date(2024, Month::February, 8)?)?);
    /// assert!(cal.is_working_day(Date::from_calendar_date(2024, Month::February, 15)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn vietnam() -> Calendar {
        match CalendarBuilder::vietnam().build() {
            Ok(c) => c,
            // Unreachable with the shipped data (tested); never panic.
            Err(_) => Calendar::precompute(
                CalendarVersion {
                    name: format!("{VIETNAM_NAME}-fallback"),
                    hash: 0,
                },
                VIETNAM_OFFSET,
                WeeklyPattern::office_default(),
                date!(1900 - 01 - 01),
                date!(2200 - 12 - 31),
                BTreeMap::new(),
            ),
        }
    }

    /// [`Calendar::vietnam`], its per-day tables baked into the program when this crate was
    /// compiled: the build script computes them with the same code (a test holds every table
    /// equal), and they are read in place from the program's file, as the pages are touched.
    /// It takes about 0.3 ms instead of a build's 1–2 ms and 6.7 MB of fresh memory (about
    /// 4 ms in a fresh process, where every page of the tables is new), which is what a
    /// command answering one desk's question in milliseconds needs (`motcua dossiers`,
    /// `alarms`, `explain`).
    ///
    /// The trade: arithmetic is a little slower on tables read from the program's file than on
    /// tables just built in memory (`cargo bench --bench calendar`, dates spread over
    /// 2010–2026, the two in the same run: `add_working_days` 8.25 against 7.87 ns a call,
    /// `working_time_between` 5.68 against 5.29 ns; BENCHMARKS.md). A long computation over
    /// many dossiers may as well build its calendar once with [`Calendar::vietnam`]. The
    /// answers are the same.
    ///
    /// ```
    /// use motcua_calendar::{Calendar, Date, Month};
    /// let cal = Calendar::vietnam_baked();
    /// assert_eq!(cal.version(), Calendar::vietnam().version());
    /// assert!(!cal.is_working_day(Date::from_calendar_date(2024, Month::February, 8)?)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn vietnam_baked() -> Calendar {
        crate::baked::vietnam().unwrap_or_else(Calendar::vietnam)
    }
}

/// The built-in calendar's days off and make-up working days by date: what
/// [`Calendar::overrides`] fills on first use for the calendar with baked tables.
pub(crate) fn builtin_overrides() -> BTreeMap<Date, Override> {
    CalendarBuilder::vietnam()
        .into_parts()
        .map(|parts| parts.overrides)
        .unwrap_or_default()
}
