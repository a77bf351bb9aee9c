//! Statutory days off of the Vietnamese public sector, year by year, following the law in
//! force that year.
//!
//! | day | rule |
//! |---|---|
//! | 1 January (Tết Dương lịch) | every year |
//! | Tết Nguyên Đán | the last day of the lunar year and lunar 1/1–3/1 (4 days) before 2013 (Labour Code 1994 art. 73); lunar 1/1–4/1 and the last day of the year (5 days) from 2013 (Labour Code 2012 art. 115, Labour Code 2019 art. 112) |
//! | Hùng Kings' Commemoration (10/3 lunar) | from 2007 (Law 84/2007/QH11 amending the Labour Code) |
//! | 30 April (Ngày Chiến thắng) | from 1976 |
//! | 1 May (Ngày Quốc tế Lao động) | every year |
//! | 2 September (Quốc khánh) | every year; plus one adjacent day from 2021 (Labour Code 2019): 1 September when 2 September is a Tuesday, Wednesday, Friday or Saturday, 3 September when it is a Monday, Thursday or Sunday |
//! | 24 November (Ngày Văn hóa Việt Nam) | from 2026 (Resolution 80-NQ/TW) |
//! | compensatory days (nghỉ bù) | from 1995: a holiday on a Saturday or Sunday gives the next working day not already a holiday or compensatory day; for Tết from 2014, a Saturday gives the previous working day instead |
//!
//! Public holidays are listed even when they fall on a weekend. Before 1995 the same days are
//! applied without compensatory days: a simplification (the decrees in force from 1946 to
//! 1994 differed in details). Announced swaps are data, not rules: see `data/swaps.tsv`.
//!
//! The compensatory-day and adjacent-day rules reproduce the announced spans of the public
//! sector; they agree with the open-source `holidays` package (country `VN`), which the
//! test suite uses as an oracle for 1995–2026.

use crate::lunar;
use crate::{CalendarError, DayOffKind};
use std::collections::BTreeMap;
use time::{Date, Month, Weekday};

fn date(y: i32, m: Month, d: u8) -> Option<Date> {
    Date::from_calendar_date(y, m, d).ok()
}

fn jdn_date(jdn: i64) -> Option<Date> {
    i32::try_from(jdn)
        .ok()
        .and_then(|j| Date::from_julian_day(j).ok())
}

fn is_weekend(d: Date) -> bool {
    matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Statutory days off (holidays and compensatory days) for `first..=last`, in date order.
/// Requires the lunar calendar, so the years must lie within 1800–2200.
pub fn statutory_days(
    first: i32,
    last: i32,
) -> Result<Vec<(Date, DayOffKind, String)>, CalendarError> {
    let mut out: BTreeMap<Date, (DayOffKind, String)> = BTreeMap::new();
    for y in first..=last {
        for (d, k, n) in statutory_year(y)? {
            out.insert(d, (k, n));
        }
    }
    Ok(out.into_iter().map(|(d, (k, n))| (d, k, n)).collect())
}

/// Statutory days off of one Gregorian year.
pub fn statutory_year(y: i32) -> Result<Vec<(Date, DayOffKind, String)>, CalendarError> {
    if !(1800..=2200).contains(&y) {
        return Err(CalendarError::LunarOutOfRange {
            what: format!("statutory days of year {y}"),
            first: date(1800, Month::January, 1).unwrap_or(Date::MIN),
            last: date(2200, Month::December, 31).unwrap_or(Date::MAX),
        });
    }
    let mut hol: BTreeMap<Date, String> = BTreeMap::new();
    // Holidays whose weekend occurrence gives a compensatory day (outside Tết).
    let mut observed: Vec<Date> = Vec::new();
    let mut add = |hol: &mut BTreeMap<Date, String>, d: Option<Date>, name: &str, obs: bool| {
        if let Some(d) = d {
            hol.insert(d, name.to_string());
            if obs {
                observed.push(d);
            }
        }
    };
    add(&mut hol, date(y, Month::January, 1), "Tết Dương lịch", true);
    let (tet, m3) = lunar::tet_and_month3(y);
    let tet_days: &[(i64, &str)] = if y >= 2013 {
        &[
            (-1, "Tết Nguyên Đán (ngày cuối năm Âm lịch)"),
            (0, "Tết Nguyên Đán (mùng 1)"),
            (1, "Tết Nguyên Đán (mùng 2)"),
            (2, "Tết Nguyên Đán (mùng 3)"),
            (3, "Tết Nguyên Đán (mùng 4)"),
        ]
    } else {
        &[
            (-1, "Tết Nguyên Đán (ngày cuối năm Âm lịch)"),
            (0, "Tết Nguyên Đán (mùng 1)"),
            (1, "Tết Nguyên Đán (mùng 2)"),
            (2, "Tết Nguyên Đán (mùng 3)"),
        ]
    };
    let tet_dates: Vec<Date> = tet_days
        .iter()
        .filter_map(|(o, _)| jdn_date(tet + o))
        .collect();
    for (o, name) in tet_days {
        add(&mut hol, jdn_date(tet + o), name, false);
    }
    if y >= 2007 {
        add(
            &mut hol,
            jdn_date(m3 + 9),
            "Giỗ Tổ Hùng Vương (10/3 Âm lịch)",
            true,
        );
    }
    if y >= 1976 {
        add(
            &mut hol,
            date(y, Month::April, 30),
            "Ngày Chiến thắng (30/4)",
            true,
        );
    }
    add(
        &mut hol,
        date(y, Month::May, 1),
        "Ngày Quốc tế Lao động (1/5)",
        true,
    );
    let sep2 = date(y, Month::September, 2);
    add(&mut hol, sep2, "Quốc khánh (2/9)", true);
    if y >= 2021 {
        if let Some(s) = sep2 {
            let delta: i64 = match s.weekday() {
                Weekday::Monday | Weekday::Thursday | Weekday::Sunday => 1,
                _ => -1,
            };
            add(
                &mut hol,
                jdn_date(i64::from(s.to_julian_day()) + delta),
                "Quốc khánh (ngày liền kề)",
                false,
            );
        }
    }
    if y >= 2026 {
        add(
            &mut hol,
            date(y, Month::November, 24),
            "Ngày Văn hóa Việt Nam (24/11)",
            true,
        );
    }
    let mut comp: BTreeMap<Date, String> = BTreeMap::new();
    if y >= 1995 {
        let taken = |d: Date, hol: &BTreeMap<Date, String>, comp: &BTreeMap<Date, String>| {
            is_weekend(d) || hol.contains_key(&d) || comp.contains_key(&d)
        };
        let step =
            |d: Date, back: bool, hol: &BTreeMap<Date, String>, comp: &BTreeMap<Date, String>| {
                let mut x = d;
                for _ in 0..60 {
                    x = if back {
                        x.previous_day()?
                    } else {
                        x.next_day()?
                    };
                    if !taken(x, hol, comp) {
                        return Some(x);
                    }
                }
                None
            };
        for d in &tet_dates {
            let back = match d.weekday() {
                Weekday::Saturday => y >= 2014,
                Weekday::Sunday => false,
                _ => continue,
            };
            if let Some(c) = step(*d, back, &hol, &comp) {
                comp.insert(c, "Nghỉ bù Tết Nguyên Đán".to_string());
            }
        }
        observed.sort();
        for d in observed {
            if is_weekend(d) {
                if let Some(c) = step(d, false, &hol, &comp) {
                    let name = hol
                        .get(&d)
                        .map_or(String::new(), |n| format!("Nghỉ bù {n}"));
                    comp.insert(c, name);
                }
            }
        }
    }
    let mut out: Vec<(Date, DayOffKind, String)> = hol
        .into_iter()
        .map(|(d, n)| (d, DayOffKind::Holiday, n))
        .collect();
    out.extend(
        comp.into_iter()
            .map(|(d, n)| (d, DayOffKind::Compensatory, n)),
    );
    out.sort_by_key(|a| a.0);
    Ok(out)
}
