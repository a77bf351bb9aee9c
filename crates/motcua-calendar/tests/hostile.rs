//! Hostile input to the calendar: every error of the override file parser and of the calendar's
//! arithmetic, with the whole message asserted; instants at the edges of the calendar's range
//! and of `time`'s range (years -9999 and 9999, offsets of ±23:59) give typed errors, never a
//! panic or an overflow. A refused override file leaves the calendar it was meant for as it was.
//!
//! | error | test |
//! |---|---|
//! | `Parse` (fields, date, kind, name, out of range) | `override_lines_name_the_line_field_and_form` |
//! | `Unreadable` | `an_unreadable_override_file_says_so` |
//! | `OutOfRange` | `dates_outside_the_range_are_typed_errors`, `instants_at_the_edges_of_time_are_typed_errors`, `huge_amounts_run_out_of_range` |
//! | `NotWorkingDay` | `closing_time_of_a_day_off_is_an_error` |
//! | `InvalidSession`, `OverlappingSessions` | `bad_sessions_are_explained` |
//! | `InvalidYears` | `bad_year_ranges_are_explained` |
//! | `LunarOutOfRange`, `NoSuchLeapMonth`, `InvalidLunarDate` | `bad_lunar_dates_are_explained` |

use motcua_calendar::file::parse_overrides;
use motcua_calendar::lunar::{from_lunar, leap_month, to_lunar, LunarDate};
use motcua_calendar::{
    Calendar, CalendarBuilder, CalendarError, OffsetDateTime, Session, Weekday, WeeklyPattern,
};
use time::macros::{date, datetime, time};

const RANGE: &str = "the calendar's supported range 1900-01-01..=2200-12-31";

fn parse_error(text: &str) -> String {
    let parsed = parse_overrides(text).err().map(|e| e.to_string());
    let loaded = CalendarBuilder::vietnam()
        .load_overrides(text)
        .err()
        .map(|e| e.to_string());
    // What the parser refuses, loading refuses with the same words.
    if parsed.is_some() {
        assert_eq!(parsed, loaded);
    }
    loaded.unwrap_or_else(|| panic!("accepted: {text:?}"))
}

#[test]
fn override_lines_name_the_line_field_and_form() {
    let cases = [
        (
            "# provincial days off\n2024-05-06 local Ngày lễ tỉnh\n",
            "line 2: expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found 1 (fields are separated by one TAB character, not spaces)",
        ),
        (
            "2024-05-06\tlocal\n",
            "line 1: expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found 2",
        ),
        (
            "2024-05-06\tlocal\tx\tQĐ 1\textra\n",
            "line 1: expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found 5",
        ),
        (
            "\n\n2024-5-6\tlocal\tx\n",
            "line 3: expected a date YYYY-MM-DD in field 1, found \"2024-5-6\"",
        ),
        (
            "06/05/2024\tlocal\tx\n",
            "line 1: expected a date YYYY-MM-DD in field 1, found \"06/05/2024\"",
        ),
        (
            "2023-02-29\tlocal\tx\n",
            "line 1: expected a date YYYY-MM-DD in field 1, found \"2023-02-29\", which is not a day of the calendar",
        ),
        (
            "２０２４-05-06\tlocal\tx\n",
            "line 1: expected a date YYYY-MM-DD in field 1, found \"２０２４-05-06\"",
        ),
        (
            "2024-05-06\tLocal\tx\n",
            "line 1: expected kind holiday, compensatory, swap-off, local or makeup-workday[:mon..sun] in field 2, found \"Local\"",
        ),
        (
            "2024-05-04\tholiday\tx\n2024-05-04\tmakeup-workday:xyz\tx\n",
            "line 2: expected kind holiday, compensatory, swap-off, local or makeup-workday[:mon..sun] in field 2, found \"makeup-workday:xyz\"",
        ),
        ("2024-05-06\tlocal\t \n", "line 1: expected a non-empty name in field 3"),
    ];
    for (text, expected) in cases {
        assert_eq!(parse_error(text), expected, "for {text:?}");
    }
}

#[test]
fn an_override_outside_the_calendar_years_is_refused() {
    assert_eq!(
        CalendarBuilder::vietnam()
            .load_overrides("2024-05-06\tlocal\tx\n0024-05-06\tlocal\tx\n")
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("line 2: the date 0024-05-06 is outside the calendar's years 1900..=2200; expected a date within them")
    );
}

#[test]
fn a_refused_override_file_changes_nothing() {
    let base = CalendarBuilder::vietnam()
        .build()
        .map(|c| c.version().clone());
    // The first line is good; the file is refused whole, and the builder is consumed, so the
    // caller still holds only what it had.
    let refused =
        CalendarBuilder::vietnam().load_overrides("2024-05-06\tlocal\tx\n2024-05-07\tlocal\n");
    assert!(refused.is_err());
    assert_eq!(
        Calendar::vietnam().version().clone(),
        base.unwrap_or_else(|e| panic!("{e}"))
    );
    // A byte order mark and Windows line ends are not errors.
    let with_bom = CalendarBuilder::vietnam()
        .load_overrides("\u{feff}2024-05-06\tlocal\tx\r\n")
        .and_then(CalendarBuilder::build);
    let without = CalendarBuilder::vietnam()
        .load_overrides("2024-05-06\tlocal\tx\n")
        .and_then(CalendarBuilder::build);
    assert_eq!(
        with_bom.map(|c| c.version().clone()),
        without.map(|c| c.version().clone())
    );
}

struct Failing;

impl std::io::Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("device not ready"))
    }
}

#[test]
fn an_unreadable_override_file_says_so() {
    let err = CalendarBuilder::vietnam()
        .load_overrides_from(Failing)
        .err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("the override file could not be read: device not ready; expected UTF-8 text")
    );
    let err = CalendarBuilder::vietnam()
        .load_overrides_from(&b"2024-05-06\tlocal\t\xff\n"[..])
        .err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("the override file could not be read: stream did not contain valid UTF-8; expected UTF-8 text")
    );
}

#[test]
fn dates_outside_the_range_are_typed_errors() {
    let cal = Calendar::vietnam();
    for d in [
        date!(1899 - 12 - 31),
        date!(2201 - 01 - 01),
        date!(-9999 - 01 - 01),
        date!(9999 - 12 - 31),
    ] {
        let expected = format!("date {d} is outside {RANGE}");
        let e = |r: Result<(), CalendarError>| r.err().map(|e| e.to_string());
        assert_eq!(
            e(cal.day(d).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert_eq!(
            e(cal.is_working_day(d).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert_eq!(
            e(cal.next_working_day(d).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert_eq!(
            e(cal.close_of_day(d).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert_eq!(
            e(cal.add_working_days_date(d, 3).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert_eq!(
            e(cal.non_working_days(d, date!(2024 - 01 - 01)).map(|_| ())).as_deref(),
            Some(expected.as_str())
        );
        assert!(cal.overrides_in(d, d).is_empty());
    }
    // The first and last days of the range answer.
    assert!(cal.day(date!(1900 - 01 - 01)).is_ok());
    assert!(cal.day(date!(2200 - 12 - 31)).is_ok());
}

fn outcome(r: Result<OffsetDateTime, CalendarError>) -> String {
    match r {
        Ok(t) => format!("ok {t}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn instants_at_the_edges_of_time_are_typed_errors() {
    let cal = Calendar::vietnam();
    let outside = [
        datetime!(1800-01-01 00:00 +7),
        datetime!(1899-12-31 23:59 +7),
        datetime!(1899-12-31 16:59 UTC),
        datetime!(2200-12-31 17:00 UTC),
        datetime!(9999-12-31 23:59:59.999_999_999 UTC),
        datetime!(9999-12-31 23:59 +23:59),
        datetime!(-9999-01-01 00:00 UTC),
        datetime!(-9999-01-01 00:00 -23:59),
    ];
    for t in outside {
        let expected = format!("instant {t} is outside {RANGE}");
        assert_eq!(outcome(cal.next_working_instant(t)), expected);
        assert_eq!(outcome(cal.add_working_days(t, 1)), expected);
        assert_eq!(outcome(cal.add_working_minutes(t, 1)), expected);
        assert_eq!(outcome(cal.add_calendar_days(t, 1)), expected);
        assert_eq!(outcome(cal.same_day_due(t, time!(15:00))), expected);
        let inside = datetime!(2024-01-01 00:00 +7);
        assert_eq!(
            cal.working_time_between(t, inside)
                .err()
                .map(|e| e.to_string()),
            Some(expected.clone())
        );
        assert_eq!(
            cal.working_minutes_between(inside, t)
                .err()
                .map(|e| e.to_string()),
            Some(expected.clone())
        );
    }
    // The first instant of the range, given in any offset, works.
    assert_eq!(
        outcome(cal.add_working_days(datetime!(1900-01-01 00:00 +7), 1)),
        "ok 1900-01-03 7:30:00.0 +07:00:00"
    );
    assert_eq!(
        outcome(cal.add_working_days(datetime!(1899-12-31 17:00 UTC), 1)),
        "ok 1900-01-03 7:30:00.0 +07:00:00"
    );
    // At the end of the range, results past it are errors; what fits, fits.
    let late = datetime!(2200-12-31 16:00 +7);
    assert_eq!(
        outcome(cal.next_working_instant(late)),
        "ok 2200-12-31 16:00:00.0 +07:00:00"
    );
    assert_eq!(
        outcome(cal.add_working_days(late, 1)),
        format!("2200-12-31 16:00:00.0 +07:00:00 + 1 working days is outside {RANGE}")
    );
    assert_eq!(
        outcome(cal.same_day_due(late, time!(15:00))),
        format!("next working day after 2200-12-31 16:00:00.0 +07:00:00 is outside {RANGE}")
    );
    assert_eq!(
        cal.working_time_between(late, datetime!(2200-12-31 23:59 +7))
            .map(|w| (w.days, w.minutes)),
        Ok((0, 60))
    );
    // After the last session of the range there is no working time left to go to.
    let last = datetime!(2200-12-31 23:59 +7);
    assert!(matches!(
        cal.next_working_instant(last),
        Err(CalendarError::OutOfRange { .. })
    ));
}

#[test]
fn running_out_of_working_time_names_a_date() {
    let cal = Calendar::vietnam();
    assert_eq!(
        outcome(cal.next_working_instant(datetime!(2200-12-31 23:59 +7))),
        format!("next working time after 2200-12-31 is outside {RANGE}")
    );
}

#[test]
fn huge_amounts_run_out_of_range() {
    let cal = Calendar::vietnam();
    let t = datetime!(2024-04-26 10:00 +7);
    assert_eq!(
        outcome(cal.add_working_days(t, u32::MAX)),
        format!("2024-04-26 10:00:00.0 +07:00:00 + 4294967295 working days is outside {RANGE}")
    );
    assert_eq!(
        outcome(cal.add_working_minutes(t, u64::MAX)),
        format!("2024-04-26 10:00:00.0 +07:00:00 + 18446744073709551615 working minutes is outside {RANGE}")
    );
    assert_eq!(
        outcome(cal.add_calendar_days(t, u32::MAX)),
        format!("2024-04-26 10:00:00.0 +07:00:00 + 4294967295 calendar days is outside {RANGE}")
    );
    assert_eq!(
        cal.add_working_days_date(date!(2024 - 04 - 26), u32::MAX)
            .err()
            .map(|e| e.to_string()),
        Some(format!(
            "2024-04-26 + 4294967295 working days is outside {RANGE}"
        ))
    );
    // The whole range, end to end: the largest answer there is, without overflow.
    let whole = cal.working_time_between(
        datetime!(1900-01-01 00:00 +7),
        datetime!(2200-12-31 17:00 +7),
    );
    assert!(whole.is_ok_and(|w| w.days > 75_000 && w.minutes > 36_000_000));
}

#[test]
fn closing_time_of_a_day_off_is_an_error() {
    let cal = Calendar::vietnam();
    assert_eq!(
        cal.close_of_day(date!(2024 - 05 - 05))
            .err()
            .map(|e| e.to_string())
            .as_deref(),
        Some("2024-05-05 is not a working day")
    );
}

#[test]
fn bad_sessions_are_explained() {
    let e = |r: Result<Session, CalendarError>| r.err().map(|e| e.to_string());
    assert_eq!(
        e(Session::new(time!(17:00), time!(08:00))).as_deref(),
        Some("invalid session 17:00:00.0..8:00:00.0: expected start before end")
    );
    assert_eq!(
        e(Session::new(time!(08:00:30), time!(09:00))).as_deref(),
        Some("invalid session 8:00:30.0..9:00:00.0: expected whole minutes (no seconds)")
    );
    let sessions = [
        Session::new(time!(08:00), time!(12:00)),
        Session::new(time!(11:00), time!(17:00)),
    ];
    let sessions: Vec<Session> = sessions.into_iter().filter_map(Result::ok).collect();
    let err = WeeklyPattern::office_default()
        .with_sessions(Weekday::Monday, sessions)
        .err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("sessions of Monday overlap or are unsorted: a session ending at 12:00:00.0 is followed by one starting at 11:00:00.0; expected sorted, non-overlapping sessions")
    );
}

#[test]
fn bad_year_ranges_are_explained() {
    let e = |first, last| {
        CalendarBuilder::new("x")
            .years(first, last)
            .build()
            .err()
            .map(|e| e.to_string())
    };
    assert_eq!(
        e(2000, 1999).as_deref(),
        Some("invalid year range 2000..=1999: expected first <= last")
    );
    assert_eq!(
        e(-9999, 1999).as_deref(),
        Some("invalid year range -9999..=1999: expected years within -9998..=9998")
    );
    assert_eq!(
        e(2000, i32::MAX).as_deref(),
        Some("invalid year range 2000..=2147483647: expected years within -9998..=9998")
    );
}

#[test]
fn bad_lunar_dates_are_explained() {
    let lunar = |year, month, day, leap| LunarDate {
        year,
        month,
        day,
        leap,
    };
    let e = |l| from_lunar(l).err().map(|e| e.to_string());
    assert_eq!(
        e(lunar(2024, 4, 1, true)).as_deref(),
        Some("lunar year 2024 has no leap month 4 (its leap month: none)")
    );
    assert_eq!(
        e(lunar(2024, 13, 1, false)).as_deref(),
        Some("invalid lunar date 2024-13-01: expected month 1–12 and day 1–30")
    );
    assert_eq!(
        e(lunar(2024, 1, 31, false)).as_deref(),
        Some("invalid lunar date 2024-01-31: expected month 1–12 and day 1–30")
    );
    assert_eq!(
        e(lunar(9999, 1, 1, false)).as_deref(),
        Some("lunar date 9999-01-01 is outside the supported range of the lunar calendar (solar dates 1800-01-01..=2200-12-31)")
    );
    assert_eq!(
        to_lunar(date!(-9999-01-01)).err().map(|e| e.to_string()).as_deref(),
        Some("date -9999-01-01 is outside the supported range of the lunar calendar (solar dates 1800-01-01..=2200-12-31)")
    );
    assert_eq!(
        leap_month(i32::MIN).err().map(|e| e.to_string()).as_deref(),
        Some("lunar year -2147483648 is outside the supported range of the lunar calendar (solar dates 1800-01-01..=2200-12-31)")
    );
    // The edges of the lunar range answer.
    assert!(to_lunar(date!(1800 - 01 - 01)).is_ok());
    assert!(to_lunar(date!(2200 - 12 - 31)).is_ok());
}
