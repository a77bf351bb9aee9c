//! The Vietnamese lunisolar calendar (âm lịch), computed from published astronomy.
//!
//! # Method
//!
//! Written from J. Meeus, *Astronomical Algorithms* (2nd ed., 1998):
//!
//! * true new moons: chapter 49 (mean phase, the periodic terms and the fourteen planetary
//!   arguments), converted from dynamical time to UT with the Espenak–Meeus polynomial
//!   expressions for ΔT;
//! * the sun's apparent longitude: chapter 25 (low-accuracy solar coordinates, ~0.01°).
//!
//! The rules are those of the traditional Chinese/Vietnamese calendar:
//!
//! * a month begins on the local civil day containing the new moon;
//! * the month containing the December solstice (sun at 270°) is month 11;
//! * when 13 new moons start between two consecutive month 11s, the first month after month 11
//!   during which the sun enters no new 30° sector (no major solar term, *trung khí*) is the
//!   leap month and repeats the preceding month's number;
//! * a lunar year starts with month 1.
//!
//! **Meridian**: every computation uses UTC+07:00, also before 1968, although North Vietnam
//! kept UTC+08:00 until 1967: the published Vietnamese tables use UTC+7 throughout and so do
//! we. This is why Vietnam and China differ in some years (Tết 1985: 21 January in Vietnam,
//! 20 February in China; also 2007 and 2030).
//!
//! **Floor, not truncation**: Julian days are turned into civil days with `floor`, which
//! matters for negative intermediate values; truncating ports get month 11 wrong in years
//! before 1900.
//!
//! Supported solar range: 1800-01-01 to 2200-12-31 (both directions); outside it every
//! function returns [`CalendarError::LunarOutOfRange`].
//!
//! ```
//! use motcua_calendar::lunar::{to_lunar, from_lunar, LunarDate};
//! use motcua_calendar::{Date, Month};
//! let tet = from_lunar(LunarDate { year: 2024, month: 1, day: 1, leap: false })?;
//! assert_eq!(tet, Date::from_calendar_date(2024, Month::February, 10)?);
//! let l = to_lunar(Date::from_calendar_date(2023, Month::April, 1)?)?;
//! assert_eq!((l.year, l.month, l.day, l.leap), (2023, 2, 11, true)); // leap 2nd month
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::CalendarError;
use std::f64::consts::PI;
use std::fmt;
use time::{Date, Month};

/// The meridian of the Vietnamese calendar, hours east of Greenwich.
pub const TIME_ZONE_HOURS: f64 = 7.0;
/// Julian day number of 1800-01-01, first supported day.
const FIRST_JDN: i64 = 2_378_497;
/// Julian day number of 2200-12-31, last supported day.
const LAST_JDN: i64 = 2_524_958;

/// A date of the Vietnamese lunisolar calendar.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct LunarDate {
    /// Lunar year (the Gregorian year in which its month 1 begins).
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–30.
    pub day: u8,
    /// True for the leap (intercalary, *nhuận*) month.
    pub leap: bool,
}

impl fmt::Display for LunarDate {
    /// `YYYY-MM-DD`, followed by ` leap` for a leap month.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)?;
        if self.leap {
            f.write_str(" leap")?;
        }
        Ok(())
    }
}

fn first_date() -> Date {
    Date::from_julian_day(FIRST_JDN as i32).unwrap_or(Date::MIN)
}

fn last_date() -> Date {
    Date::from_julian_day(LAST_JDN as i32).unwrap_or(Date::MAX)
}

fn out_of_range(what: String) -> CalendarError {
    CalendarError::LunarOutOfRange {
        what,
        first: first_date(),
        last: last_date(),
    }
}

#[inline]
fn sin_deg(x: f64) -> f64 {
    (x * PI / 180.0).sin()
}

/// ΔT = TT − UT in seconds (Espenak & Meeus polynomial expressions).
fn delta_t_seconds(year: f64) -> f64 {
    let y = year;
    if y < 1700.0 {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    } else if y < 1800.0 {
        let t = y - 1700.0;
        8.83 + 0.1603 * t - 0.005_928_5 * t * t + 0.000_133_36 * t.powi(3) - t.powi(4) / 1_174_000.0
    } else if y < 1860.0 {
        let t = y - 1800.0;
        13.72 - 0.332_447 * t + 0.006_861_2 * t.powi(2) + 0.004_111_6 * t.powi(3)
            - 0.000_374_36 * t.powi(4)
            + 0.000_012_127_2 * t.powi(5)
            - 0.000_000_169_9 * t.powi(6)
            + 0.000_000_000_875 * t.powi(7)
    } else if y < 1900.0 {
        let t = y - 1860.0;
        7.62 + 0.5737 * t - 0.251_754 * t.powi(2) + 0.016_806_68 * t.powi(3)
            - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0
    } else if y < 1920.0 {
        let t = y - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if y < 1941.0 {
        let t = y - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3)
    } else if y < 1961.0 {
        let t = y - 1950.0;
        29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0
    } else if y < 1986.0 {
        let t = y - 1975.0;
        45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0
    } else if y < 2005.0 {
        let t = y - 2000.0;
        63.86 + 0.3345 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if y < 2050.0 {
        let t = y - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t * t
    } else if y < 2150.0 {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y)
    } else {
        let u = (y - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    }
}

fn jde_to_jd_ut(jde: f64) -> f64 {
    let year = 2000.0 + (jde - 2_451_545.0) / 365.25;
    jde - delta_t_seconds(year) / 86_400.0
}

/// Julian Ephemeris Day of the true new moon with lunation number `k` (k = 0: 2000-01-06).
/// Meeus chapter 49.
fn new_moon_jde(k: i64) -> f64 {
    let k = k as f64;
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let mut jde = 2_451_550.097_66 + 29.530_588_861 * k + 0.000_154_37 * t2 - 0.000_000_150 * t3
        + 0.000_000_000_73 * t4;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = 2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3;
    let mp =
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4;
    let f =
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4;
    let om = 124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3;
    let terms: [(f64, f64); 25] = [
        (-0.407_20, sin_deg(mp)),
        (0.172_41 * e, sin_deg(m)),
        (0.016_08, sin_deg(2.0 * mp)),
        (0.010_39, sin_deg(2.0 * f)),
        (0.007_39 * e, sin_deg(mp - m)),
        (-0.005_14 * e, sin_deg(mp + m)),
        (0.002_08 * e * e, sin_deg(2.0 * m)),
        (-0.001_11, sin_deg(mp - 2.0 * f)),
        (-0.000_57, sin_deg(mp + 2.0 * f)),
        (0.000_56 * e, sin_deg(2.0 * mp + m)),
        (-0.000_42, sin_deg(3.0 * mp)),
        (0.000_42 * e, sin_deg(m + 2.0 * f)),
        (0.000_38 * e, sin_deg(m - 2.0 * f)),
        (-0.000_24 * e, sin_deg(2.0 * mp - m)),
        (-0.000_17, sin_deg(om)),
        (-0.000_07, sin_deg(mp + 2.0 * m)),
        (0.000_04, sin_deg(2.0 * mp - 2.0 * f)),
        (0.000_04, sin_deg(3.0 * m)),
        (0.000_03, sin_deg(mp + m - 2.0 * f)),
        (0.000_03, sin_deg(2.0 * mp + 2.0 * f)),
        (-0.000_03, sin_deg(mp + m + 2.0 * f)),
        (0.000_03, sin_deg(mp - m + 2.0 * f)),
        (-0.000_02, sin_deg(mp - m - 2.0 * f)),
        (-0.000_02, sin_deg(3.0 * mp + m)),
        (0.000_02, sin_deg(4.0 * mp)),
    ];
    for (c, s) in terms {
        jde += c * s;
    }
    let planetary: [(f64, f64); 14] = [
        (0.000_325, 299.77 + 0.107_408 * k - 0.009_173 * t2),
        (0.000_165, 251.88 + 0.016_321 * k),
        (0.000_164, 251.83 + 26.651_886 * k),
        (0.000_126, 349.42 + 36.412_478 * k),
        (0.000_110, 84.66 + 18.206_239 * k),
        (0.000_062, 141.74 + 53.303_771 * k),
        (0.000_060, 207.14 + 2.453_732 * k),
        (0.000_056, 154.84 + 7.306_860 * k),
        (0.000_047, 34.52 + 27.261_239 * k),
        (0.000_042, 207.19 + 0.121_824 * k),
        (0.000_040, 291.34 + 1.844_379 * k),
        (0.000_037, 161.72 + 24.198_154 * k),
        (0.000_035, 239.56 + 25.513_099 * k),
        (0.000_023, 331.55 + 3.592_518 * k),
    ];
    for (c, a) in planetary {
        jde += c * sin_deg(a);
    }
    jde
}

/// Local (UTC+7) Julian day number of the civil day containing new moon `k`.
fn new_moon_day(k: i64) -> i64 {
    let jd = jde_to_jd_ut(new_moon_jde(k));
    (jd + 0.5 + TIME_ZONE_HOURS / 24.0).floor() as i64
}

/// The sun's apparent longitude in degrees, `[0, 360)`, at `jd_ut` (Meeus chapter 25).
fn sun_longitude(jd_ut: f64) -> f64 {
    let year = 2000.0 + (jd_ut - 2_451_545.0) / 365.25;
    let jde = jd_ut + delta_t_seconds(year) / 86_400.0;
    let t = (jde - 2_451_545.0) / 36_525.0;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t * t;
    let m = 357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t * t;
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * sin_deg(m)
        + (0.019_993 - 0.000_101 * t) * sin_deg(2.0 * m)
        + 0.000_289 * sin_deg(3.0 * m);
    let omega = 125.04 - 1_934.136 * t;
    let lambda = l0 + c - 0.005_69 - 0.004_78 * sin_deg(omega);
    lambda.rem_euclid(360.0)
}

/// The 30° sector (0–11) of the sun's longitude at local midnight starting day `jdn`.
fn sector_at_day_start(jdn: i64) -> i64 {
    let jd_ut = jdn as f64 - 0.5 - TIME_ZONE_HOURS / 24.0;
    (sun_longitude(jd_ut) / 30.0).floor() as i64
}

/// Lunation number of the month containing local day `jdn`.
fn lunation_containing(jdn: i64) -> i64 {
    let mut k = ((jdn as f64 - 2_451_550.1) / 29.530_588_861).floor() as i64;
    while new_moon_day(k + 1) <= jdn {
        k += 1;
    }
    while new_moon_day(k) > jdn {
        k -= 1;
    }
    k
}

fn jdn_of(year: i32, month: Month, day: u8) -> i64 {
    Date::from_calendar_date(year, month, day).map_or(0, |d| i64::from(d.to_julian_day()))
}

/// Lunation number of month 11 of Gregorian year `y`, the month holding the December solstice.
fn month11(y: i32) -> i64 {
    let k = lunation_containing(jdn_of(y, Month::December, 31));
    // The month containing 31 December holds the solstice unless the sun had already reached
    // 270° when it began; then the solstice fell in the month before.
    if sector_at_day_start(new_moon_day(k)) >= 9 {
        k - 1
    } else {
        k
    }
}

/// The months of the solstice year ending with Gregorian year `y`: from month 11 of `y - 1`
/// (inclusive) to month 11 of `y` (exclusive).
#[derive(Clone, Debug)]
pub(crate) struct Sui {
    /// `(first day jdn, month number, leap)`.
    pub(crate) months: Vec<(i64, u8, bool)>,
    /// First day of month 11 of `y`.
    pub(crate) end: i64,
}

pub(crate) fn sui(y: i32) -> Sui {
    let k0 = month11(y - 1);
    let k1 = month11(y);
    let leap_year = k1 - k0 == 13;
    // First days of the months k0..=k1.
    let starts: Vec<i64> = (k0..=k1).map(new_moon_day).collect();
    let mut months = Vec::with_capacity(13);
    months.push((starts[0], 11u8, false));
    let mut number = 11u8;
    let mut found = false;
    for w in starts.windows(2).skip(1) {
        let leap = leap_year && !found && sector_at_day_start(w[0]) == sector_at_day_start(w[1]);
        if leap {
            found = true;
        } else {
            number = number % 12 + 1;
        }
        months.push((w[0], number, leap));
    }
    Sui {
        months,
        end: starts.last().copied().unwrap_or(0),
    }
}

fn check_date(date: Date) -> Result<i64, CalendarError> {
    let jdn = i64::from(date.to_julian_day());
    if !(FIRST_JDN..=LAST_JDN).contains(&jdn) {
        return Err(out_of_range(format!("date {date}")));
    }
    Ok(jdn)
}

/// Converts a Gregorian date to the Vietnamese lunar calendar.
///
/// ```
/// use motcua_calendar::lunar::to_lunar;
/// use motcua_calendar::{Date, Month};
/// // Tết 1985 was 21 January in Vietnam (20 February in China).
/// let l = to_lunar(Date::from_calendar_date(1985, Month::January, 21)?)?;
/// assert_eq!((l.year, l.month, l.day, l.leap), (1985, 1, 1, false));
/// assert!(to_lunar(Date::from_calendar_date(1700, Month::January, 1)?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn to_lunar(date: Date) -> Result<LunarDate, CalendarError> {
    let jdn = check_date(date)?;
    let y = date.year();
    // The solstice year holding `jdn` ends with month 11 of `sui_year`.
    let sui_year = if jdn >= new_moon_day(month11(y)) {
        y + 1
    } else {
        y
    };
    let s = sui(sui_year);
    let idx = s.months.iter().rposition(|m| m.0 <= jdn).unwrap_or(0);
    let (start, month, leap) = s.months[idx];
    // Months 11 and 12 (and their leap months) open the solstice year and still belong to the
    // previous lunar year.
    let year = if month >= 11 { sui_year - 1 } else { sui_year };
    Ok(LunarDate {
        year,
        month,
        day: u8::try_from(jdn - start + 1).unwrap_or(0),
        leap,
    })
}

/// The leap month of lunar year `year`, if any.
///
/// ```
/// use motcua_calendar::lunar::leap_month;
/// assert_eq!(leap_month(2020)?, Some(4));
/// assert_eq!(leap_month(2023)?, Some(2));
/// assert_eq!(leap_month(2025)?, Some(6));
/// assert_eq!(leap_month(2024)?, None);
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
pub fn leap_month(year: i32) -> Result<Option<u8>, CalendarError> {
    if !(1800..=2199).contains(&year) {
        return Err(out_of_range(format!("lunar year {year}")));
    }
    // Months 1–10 of `year` lie in the solstice year `year`; months 11–12 in `year + 1`.
    let early = sui(year)
        .months
        .iter()
        .find(|m| m.2 && m.1 <= 10)
        .map(|m| m.1);
    if early.is_some() {
        return Ok(early);
    }
    Ok(sui(year + 1)
        .months
        .iter()
        .find(|m| m.2 && m.1 >= 11)
        .map(|m| m.1))
}

/// Converts a Vietnamese lunar date to the Gregorian calendar.
///
/// Errors: [`CalendarError::NoSuchLeapMonth`] when `leap` is set and the year has no such
/// leap month; [`CalendarError::InvalidLunarDate`] for a month outside 1–12 or a day past
/// the month's length (29 or 30); [`CalendarError::LunarOutOfRange`] outside the range.
///
/// ```
/// use motcua_calendar::lunar::{from_lunar, LunarDate};
/// use motcua_calendar::{Date, Month, CalendarError};
/// // Hùng Kings' day 2025: 10/3 lunar.
/// let d = from_lunar(LunarDate { year: 2025, month: 3, day: 10, leap: false })?;
/// assert_eq!(d, Date::from_calendar_date(2025, Month::April, 7)?);
/// let e = from_lunar(LunarDate { year: 2024, month: 4, day: 1, leap: true });
/// assert!(matches!(e, Err(CalendarError::NoSuchLeapMonth { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn from_lunar(l: LunarDate) -> Result<Date, CalendarError> {
    if !(1..=12).contains(&l.month) || !(1..=30).contains(&l.day) {
        return Err(CalendarError::InvalidLunarDate {
            year: l.year,
            month: l.month,
            day: l.day,
            reason: "expected month 1–12 and day 1–30".into(),
        });
    }
    if !(1799..=2200).contains(&l.year) {
        return Err(out_of_range(format!("lunar date {l}")));
    }
    let sui_year = if l.month >= 11 { l.year + 1 } else { l.year };
    let s = sui(sui_year);
    let Some(i) = s
        .months
        .iter()
        .position(|m| m.1 == l.month && m.2 == l.leap)
    else {
        if l.leap {
            let actual = match leap_month(l.year) {
                Ok(Some(m)) => format!("month {m}"),
                _ => "none".to_string(),
            };
            return Err(CalendarError::NoSuchLeapMonth {
                year: l.year,
                month: l.month,
                actual,
            });
        }
        return Err(out_of_range(format!("lunar date {l}")));
    };
    let start = s.months[i].0;
    let end = s.months.get(i + 1).map_or(s.end, |m| m.0);
    let len = end - start;
    if i64::from(l.day) > len {
        return Err(CalendarError::InvalidLunarDate {
            year: l.year,
            month: l.month,
            day: l.day,
            reason: format!("this month has {len} days"),
        });
    }
    let jdn = start + i64::from(l.day) - 1;
    if !(FIRST_JDN..=LAST_JDN).contains(&jdn) {
        return Err(out_of_range(format!("lunar date {l}")));
    }
    Date::from_julian_day(jdn as i32).map_err(|_| out_of_range(format!("lunar date {l}")))
}

/// Tết (lunar 1/1) of `year` as a Julian day number, and the first day of lunar 3 of `year`
/// (for the Hùng Kings' day): read from the table of 1800–2200 (`tet_table.rs`, tested equal
/// to [`tet_and_month3_computed`]), computed outside it.
pub(crate) fn tet_and_month3(year: i32) -> (i64, i64) {
    let i = i64::from(year) - i64::from(tet_table::FIRST_YEAR);
    if let Some(&(tet, m3)) = usize::try_from(i)
        .ok()
        .and_then(|i| tet_table::TET_TABLE.get(i))
    {
        let jan1 = jdn_of(year, Month::January, 1);
        let tet = jan1 + i64::from(tet);
        return (tet, tet + i64::from(m3));
    }
    tet_and_month3_computed(year)
}

/// [`tet_and_month3`] from the astronomy. Cheaper than two `from_lunar` calls.
pub(crate) fn tet_and_month3_computed(year: i32) -> (i64, i64) {
    let s = sui(year);
    let tet = s
        .months
        .iter()
        .find(|m| m.1 == 1 && !m.2)
        .map_or(0, |m| m.0);
    let m3 = s
        .months
        .iter()
        .find(|m| m.1 == 3 && !m.2)
        .map_or(0, |m| m.0);
    (tet, m3)
}

#[path = "lunar/tet_table.rs"]
mod tet_table;

#[cfg(test)]
mod tests;
