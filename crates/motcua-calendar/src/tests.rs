//! Behavioural and property tests of the calendar.

use crate::*;
use proptest::prelude::*;
use std::sync::OnceLock;
use time::macros::{date, datetime, time};
use time::Duration;

fn vn() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

fn is_inside_session(cal: &Calendar, t: OffsetDateTime, allow_end: bool) -> bool {
    let t = t.to_offset(cal.offset());
    let Ok(sessions) = cal.sessions_on(t.date()) else {
        return false;
    };
    sessions.iter().any(|s| {
        t.time() >= s.start() && (t.time() < s.end() || (allow_end && t.time() == s.end()))
    })
}

#[test]
fn session_and_pattern_validation() {
    assert!(Session::new(time!(7:30), time!(7:30)).is_err());
    assert!(Session::new(time!(7:30:10), time!(8:00)).is_err());
    let a = Session::new(time!(8:00), time!(10:00)).unwrap();
    let b = Session::new(time!(9:00), time!(11:00)).unwrap();
    let e = WeeklyPattern::closed()
        .with_sessions(Weekday::Monday, vec![a, b])
        .unwrap_err();
    assert!(
        matches!(e, CalendarError::OverlappingSessions { .. }),
        "{e}"
    );
    assert_eq!(WeeklyPattern::default(), WeeklyPattern::office_default());
}

#[test]
fn builder_errors_and_range() {
    assert!(matches!(
        CalendarBuilder::new("x").years(2030, 2020).build(),
        Err(CalendarError::InvalidYears { .. })
    ));
    assert!(CalendarBuilder::new("x")
        .years(i32::MIN, i32::MAX)
        .build()
        .is_err());
    assert!(CalendarBuilder::vietnam()
        .years(1700, 1900)
        .build()
        .is_err());
    let cal = vn();
    assert_eq!(cal.first_day(), date!(1900 - 01 - 01));
    assert_eq!(cal.last_day(), date!(2200 - 12 - 31));
    let e = cal.day(date!(2201 - 01 - 01)).unwrap_err();
    assert!(
        e.to_string().contains("2201-01-01") && e.to_string().contains("1900-01-01"),
        "{e}"
    );
    assert!(cal
        .add_working_days(datetime!(2200-12-30 9:00 +7), 5)
        .is_err());
    assert!(cal
        .add_working_days(datetime!(1850-01-01 9:00 +7), 0)
        .is_err());
    assert!(cal
        .add_working_minutes(datetime!(2024-01-01 9:00 +7), u64::MAX)
        .is_err());
    assert!(cal
        .add_calendar_days(datetime!(2024-01-01 9:00 +7), u32::MAX)
        .is_err());
    assert!(cal
        .add_working_days(datetime!(2024-01-01 9:00 +7), u32::MAX)
        .is_err());
    assert!(cal
        .non_working_days(date!(2024 - 01 - 02), date!(2024 - 01 - 01))
        .unwrap()
        .is_empty());
}

#[test]
fn version_changes_with_content() {
    let a = CalendarBuilder::vietnam()
        .years(2024, 2025)
        .build()
        .unwrap();
    let b = CalendarBuilder::vietnam()
        .years(2024, 2025)
        .build()
        .unwrap();
    let c = CalendarBuilder::vietnam()
        .years(2024, 2025)
        .day_off(date!(2025 - 06 - 02), DayOffKind::Local, "x")
        .build()
        .unwrap();
    assert_eq!(a.version(), b.version());
    assert_ne!(a.version().hash, c.version().hash);
    assert_eq!(a.version().name, "vn-public-sector");
    let d = CalendarBuilder::vietnam()
        .years(2024, 2025)
        .offset(UtcOffset::UTC)
        .build()
        .unwrap();
    assert_ne!(a.version().hash, d.version().hash);
}

#[test]
fn half_open_sessions_and_normalisation() {
    let cal = vn();
    assert_eq!(
        cal.next_working_instant(datetime!(2024-05-10 17:00 +7))
            .unwrap(),
        datetime!(2024-05-13 7:30 +7)
    );
    assert_eq!(
        cal.next_working_instant(datetime!(2024-05-10 11:30 +7))
            .unwrap(),
        datetime!(2024-05-10 13:00 +7)
    );
    assert_eq!(
        cal.next_working_instant(datetime!(2024-05-10 16:59:59 +7))
            .unwrap(),
        datetime!(2024-05-10 16:59:59 +7)
    );
    assert_eq!(
        cal.next_working_instant(datetime!(2024-05-10 7:29 +7))
            .unwrap(),
        datetime!(2024-05-10 7:30 +7)
    );
    // Any offset in, calendar offset out.
    let t = cal
        .next_working_instant(datetime!(2024-05-10 01:00 UTC))
        .unwrap();
    assert_eq!(t, datetime!(2024-05-10 8:00 +7));
    assert_eq!(t.offset(), cal.offset());
}

#[test]
fn working_minutes_land_on_session_end() {
    let cal = vn();
    let s = datetime!(2024-05-13 9:00 +7);
    assert_eq!(
        cal.add_working_minutes(s, 150).unwrap(),
        datetime!(2024-05-13 11:30 +7)
    );
    assert_eq!(
        cal.add_working_minutes(s, 151).unwrap(),
        datetime!(2024-05-13 13:01 +7)
    );
    assert_eq!(
        cal.add_working_minutes(s, 390).unwrap(),
        datetime!(2024-05-13 17:00 +7)
    );
    assert_eq!(
        cal.add_working_minutes(s, 391).unwrap(),
        datetime!(2024-05-14 7:31 +7)
    );
    assert_eq!(
        cal.add_working_minutes(datetime!(2024-05-11 9:00 +7), 0)
            .unwrap(),
        datetime!(2024-05-13 7:30 +7)
    );
    // Friday 16:00 + 8 working hours: 1h Friday, 7h Monday → Monday 16:00.
    assert_eq!(
        cal.add_working_minutes(datetime!(2024-05-10 16:00 +7), 480)
            .unwrap(),
        datetime!(2024-05-13 16:00 +7)
    );
    assert_eq!(
        cal.working_minutes_between(datetime!(2024-05-13 9:00 +7), datetime!(2024-05-13 9:00 +7))
            .unwrap(),
        0
    );
    assert_eq!(
        cal.working_minutes_between(
            datetime!(2024-05-13 10:00 +7),
            datetime!(2024-05-13 9:00 +7)
        )
        .unwrap(),
        0
    );
    // Both ends: [a, b) counts a, not b.
    assert_eq!(
        cal.working_minutes_between(datetime!(2024-05-13 7:30 +7), datetime!(2024-05-13 7:31 +7))
            .unwrap(),
        1
    );
    assert_eq!(
        cal.working_minutes_between(
            datetime!(2024-05-13 11:30 +7),
            datetime!(2024-05-13 13:00 +7)
        )
        .unwrap(),
        0
    );
    assert_eq!(
        cal.working_minutes_between(
            datetime!(2024-05-13 7:30 +7),
            datetime!(2024-05-13 7:30:59 +7)
        )
        .unwrap(),
        0
    );
}

#[test]
fn working_days_and_between_ends() {
    let cal = vn();
    let s = datetime!(2024-05-13 9:00 +7);
    assert_eq!(cal.add_working_days(s, 0).unwrap(), s);
    assert_eq!(
        cal.add_working_days(s, 5).unwrap(),
        datetime!(2024-05-20 9:00 +7)
    );
    let wt = cal
        .working_time_between(s, datetime!(2024-05-20 9:00 +7))
        .unwrap();
    assert_eq!(
        wt,
        WorkingTime {
            days: 5,
            minutes: 5 * 480
        }
    );
    let wt = cal
        .working_time_between(s, datetime!(2024-05-20 8:59 +7))
        .unwrap();
    assert_eq!(wt.days, 4);
    // Received after close: the day does not count.
    let late = datetime!(2024-05-13 17:30 +7);
    assert_eq!(
        cal.add_working_days(late, 1).unwrap(),
        datetime!(2024-05-15 7:30 +7)
    );
    assert_eq!(
        cal.working_time_between(late, datetime!(2024-05-14 17:00 +7))
            .unwrap(),
        WorkingTime {
            days: 0,
            minutes: 480
        }
    );
}

#[test]
fn clamped_to_close_on_short_day() {
    // Saturday mornings only, and a make-up Saturday.
    let am = Session::new(time!(7:30), time!(11:30)).unwrap();
    let pattern = WeeklyPattern::office_default()
        .with_sessions(Weekday::Saturday, vec![am])
        .unwrap();
    let cal = CalendarBuilder::new("sat-am")
        .years(2024, 2024)
        .weekly(pattern)
        .build()
        .unwrap();
    // Friday 15:00 + 1 working day → Saturday, which closes at 11:30.
    let due = cal
        .add_working_days(datetime!(2024-05-10 15:00 +7), 1)
        .unwrap();
    assert_eq!(due, datetime!(2024-05-11 11:30 +7));
    assert_eq!(
        cal.working_time_between(datetime!(2024-05-10 15:00 +7), due)
            .unwrap()
            .days,
        1
    );
    assert_eq!(
        cal.close_of_day(date!(2024 - 05 - 11)).unwrap(),
        datetime!(2024-05-11 11:30 +7)
    );
    assert!(matches!(
        cal.close_of_day(date!(2024 - 05 - 12)),
        Err(CalendarError::NotWorkingDay { .. })
    ));
    // A make-up day worked like Saturday.
    let cal = CalendarBuilder::new("x")
        .years(2024, 2024)
        .makeup_workday_like(date!(2024 - 05 - 12), "CN làm bù", Weekday::Tuesday)
        .makeup_workday_like(date!(2024 - 05 - 19), "CN làm bù", Weekday::Saturday)
        .build()
        .unwrap();
    assert!(cal.is_working_day(date!(2024 - 05 - 12)).unwrap());
    assert_eq!(cal.sessions_on(date!(2024 - 05 - 12)).unwrap().len(), 2);
    // Saturday has no sessions in the default pattern: a day "worked like Saturday" is closed.
    assert!(!cal.is_working_day(date!(2024 - 05 - 19)).unwrap());
}

#[test]
fn calendar_days_and_same_day() {
    let cal = vn();
    // 30 calendar days from 1 April 2024 → 1 May (holiday) → the opening of 2 May.
    assert_eq!(
        cal.add_calendar_days(datetime!(2024-04-01 10:00 +7), 30)
            .unwrap(),
        datetime!(2024-05-02 07:30 +7)
    );
    assert_eq!(
        cal.add_calendar_days(datetime!(2024-04-01 10:00 +7), 0)
            .unwrap(),
        datetime!(2024-04-01 10:00 +7)
    );
    let c = time!(15:00);
    assert_eq!(
        cal.same_day_due(datetime!(2024-04-26 16:00 +7), c).unwrap(),
        datetime!(2024-05-02 17:00 +7)
    );
    assert_eq!(
        cal.same_day_due(datetime!(2024-04-26 06:00 +7), c).unwrap(),
        datetime!(2024-04-26 17:00 +7)
    );
}

#[test]
fn days_off_reasons() {
    let cal = vn();
    let kind = |d: Date| match cal.day(d).unwrap().reason {
        DayReason::DayOff { kind, .. } => Some(kind),
        _ => None,
    };
    assert_eq!(kind(date!(2024 - 04 - 29)), Some(DayOffKind::SwapOff));
    assert_eq!(kind(date!(2024 - 04 - 30)), Some(DayOffKind::Holiday));
    assert!(matches!(
        cal.day(date!(2024 - 05 - 04)).unwrap().reason,
        DayReason::MakeupWorkday { .. }
    ));
    assert_eq!(
        cal.day(date!(2024 - 05 - 05)).unwrap().reason,
        DayReason::Weekend
    );
    assert_eq!(
        cal.day(date!(2024 - 05 - 06)).unwrap().reason,
        DayReason::RegularWorkday
    );
    // Public holidays are listed even on a weekend: 2 September 2023 was a Saturday.
    assert_eq!(kind(date!(2023 - 09 - 02)), Some(DayOffKind::Holiday));
    assert_eq!(kind(date!(2023 - 09 - 04)), Some(DayOffKind::Compensatory));
    assert_eq!(kind(date!(2026 - 11 - 24)), Some(DayOffKind::Holiday));
    assert_eq!(kind(date!(2025 - 11 - 24)), None);
    // No Hùng Kings' day before 2007 (10/3 lunar 2006 = 7 April 2006, a Friday).
    assert_eq!(kind(date!(2006 - 04 - 07)), None);
    assert_eq!(kind(date!(2007 - 04 - 26)), Some(DayOffKind::Holiday));
    // The 2 September adjacent day from 2021.
    assert_eq!(kind(date!(2021 - 09 - 03)), Some(DayOffKind::Holiday));
    assert_eq!(kind(date!(2020 - 09 - 03)), None);
    // Tết 4 days before 2013, 5 from 2013 (2012: eve 22/1, 23–25/1 + compensatory 26/1).
    assert_eq!(kind(date!(2012 - 01 - 26)), Some(DayOffKind::Compensatory));
}

/// Announced public-sector spans (first day off, last day off), each a run of consecutive
/// non-working days, from the notices named in data/swaps.tsv and the press.
#[test]
fn announced_spans() {
    let cal = vn();
    let spans = [
        (date!(2014 - 01 - 28), date!(2014 - 02 - 05)),
        (date!(2015 - 02 - 15), date!(2015 - 02 - 23)),
        (date!(2018 - 02 - 14), date!(2018 - 02 - 20)),
        (date!(2018 - 12 - 29), date!(2019 - 01 - 01)),
        (date!(2019 - 04 - 27), date!(2019 - 05 - 01)),
        (date!(2020 - 01 - 23), date!(2020 - 01 - 29)),
        (date!(2021 - 02 - 10), date!(2021 - 02 - 16)),
        (date!(2021 - 09 - 02), date!(2021 - 09 - 05)),
        (date!(2023 - 01 - 20), date!(2023 - 01 - 26)),
        (date!(2023 - 04 - 29), date!(2023 - 05 - 03)),
        (date!(2024 - 02 - 08), date!(2024 - 02 - 14)),
        (date!(2024 - 04 - 27), date!(2024 - 05 - 01)),
        (date!(2025 - 01 - 25), date!(2025 - 02 - 02)),
        (date!(2025 - 04 - 30), date!(2025 - 05 - 04)),
        (date!(2026 - 01 - 01), date!(2026 - 01 - 04)),
        (date!(2026 - 02 - 14), date!(2026 - 02 - 22)),
        (date!(2026 - 08 - 29), date!(2026 - 09 - 02)),
    ];
    for (a, b) in spans {
        assert!(
            cal.is_working_day(a - Duration::days(1)).unwrap(),
            "day before {a}"
        );
        assert!(
            cal.is_working_day(b + Duration::days(1)).unwrap(),
            "day after {b}"
        );
        let n = cal.non_working_days(a, b).unwrap().len() as i64;
        assert_eq!(n, (b - a).whole_days() + 1, "span {a}..={b}");
    }
    for sat in [
        date!(2024 - 05 - 04),
        date!(2025 - 04 - 26),
        date!(2026 - 08 - 22),
        date!(2026 - 01 - 10),
    ] {
        assert!(cal.is_working_day(sat).unwrap(), "{sat}");
    }
}

#[test]
fn shipped_data_parses_and_has_sources() {
    let lines = file::parse_overrides(SWAPS_TSV).unwrap();
    assert!(lines.len() >= 30);
    for l in &lines {
        assert!(!l.source.is_empty(), "line {} has no source", l.line);
        let wd = l.date.weekday();
        match l.kind {
            None => assert_eq!(
                wd,
                Weekday::Saturday,
                "make-up day {} is a Saturday",
                l.date
            ),
            Some(_) => assert!(
                wd != Weekday::Saturday && wd != Weekday::Sunday,
                "{}",
                l.date
            ),
        }
    }
    // Swaps balance: as many make-up days as swap days off.
    let off = lines
        .iter()
        .filter(|l| l.kind == Some(DayOffKind::SwapOff))
        .count();
    assert_eq!(off, lines.len() - off);
    assert!(CalendarBuilder::vietnam().build().is_ok());
}

#[test]
fn override_file_errors_name_the_line() {
    let e = CalendarBuilder::new("x")
        .load_overrides("# ok\n\n2024-01-01\tbogus\tx\n")
        .unwrap_err();
    assert_eq!(
        e,
        CalendarError::Parse {
            line: 3,
            message: e.to_string().split_once(": ").unwrap().1.to_string()
        }
    );
    assert!(e.to_string().contains("bogus"));
    assert!(CalendarBuilder::new("x")
        .load_overrides("2024-02-30\tlocal\tx")
        .is_err());
    assert!(CalendarBuilder::new("x")
        .load_overrides("2024-02-03\tlocal\t")
        .is_err());
    let cal = CalendarBuilder::new("x")
        .years(2024, 2024)
        .load_overrides("2024-02-03\tmakeup-workday:tue\tx\tsrc\r\n")
        .unwrap()
        .build()
        .unwrap();
    assert!(cal.is_working_day(date!(2024 - 02 - 03)).unwrap());
    let cal = CalendarBuilder::new("x")
        .years(2024, 2024)
        .load_overrides_from("2024-02-05\tlocal\tx\n".as_bytes())
        .unwrap()
        .build()
        .unwrap();
    assert!(!cal.is_working_day(date!(2024 - 02 - 05)).unwrap());
}

/// Ignoring the make-up Saturdays (keeping the swap days off) changes a share of the 1–60
/// working-day deadlines starting in 2010–2026; domain notes put it near 9%.
#[test]
fn share_of_deadlines_changed_by_swaps() {
    let cal = vn();
    let no_swaps = CalendarBuilder::vietnam();
    let mut b = no_swaps;
    for l in file::parse_overrides(SWAPS_TSV).unwrap() {
        if l.kind.is_none() {
            b = b.clear_day(l.date);
        }
    }
    let plain = b.build().unwrap();
    let (mut changed, mut total) = (0u64, 0u64);
    let mut d = date!(2010 - 01 - 01);
    while d <= date!(2026 - 12 - 31) {
        let s = PrimitiveLocal::at(d);
        for n in 1..=60 {
            total += 1;
            if cal.add_working_days(s, n).unwrap() != plain.add_working_days(s, n).unwrap() {
                changed += 1;
            }
        }
        d += Duration::days(1);
    }
    let share = changed as f64 / total as f64;
    println!(
        "deadlines changed by swaps: {changed}/{total} = {:.1}%",
        share * 100.0
    );
    assert!((0.04..0.20).contains(&share), "share {share}");
}

struct PrimitiveLocal;
impl PrimitiveLocal {
    fn at(d: Date) -> OffsetDateTime {
        d.with_time(time!(9:00))
            .assume_offset(time::macros::offset!(+7))
    }
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    // 2009–2027 at minute resolution, in a random offset.
    (0i64..(19 * 366 * 1440), -12i8..=14).prop_map(|(m, h)| {
        let t = datetime!(2009-01-01 0:00 +7) + Duration::minutes(m);
        t.to_offset(UtcOffset::from_hms(h, 0, 0).unwrap())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn add_days_then_between(s in instant(), n in 0u32..400) {
        let cal = vn();
        let e = cal.add_working_days(s, n).unwrap();
        prop_assert_eq!(cal.working_time_between(s, e).unwrap().days, n);
        prop_assert!(is_inside_session(cal, e, true));
        prop_assert!(e >= s);
        prop_assert_eq!(e.offset(), cal.offset());
    }

    #[test]
    fn add_minutes_then_between(s in instant(), m in 0u64..100_000) {
        let cal = vn();
        let e = cal.add_working_minutes(s, m).unwrap();
        prop_assert_eq!(cal.working_minutes_between(s, e).unwrap(), m);
        prop_assert!(is_inside_session(cal, e, m > 0));
        // Earliest: one second earlier, fewer minutes have elapsed.
        if m > 0 {
            prop_assert!(cal.working_minutes_between(s, e - Duration::seconds(1)).unwrap() < m);
        }
    }

    #[test]
    fn monotone(s in instant(), d in 0i64..100_000, n in 0u32..200, k in 0u32..5) {
        let cal = vn();
        let s2 = s + Duration::minutes(d);
        prop_assert!(cal.add_working_days(s, n).unwrap() <= cal.add_working_days(s2, n).unwrap());
        prop_assert!(cal.add_working_days(s, n).unwrap() < cal.add_working_days(s, n + 1 + k).unwrap());
        prop_assert!(cal.add_working_minutes(s, u64::from(n)).unwrap() <= cal.add_working_minutes(s2, u64::from(n)).unwrap());
        prop_assert!(cal.add_calendar_days(s, n).unwrap() <= cal.add_calendar_days(s, n + k).unwrap());
        prop_assert!(cal.add_calendar_days(s, n).unwrap() <= cal.add_calendar_days(s2, n).unwrap());
        prop_assert!(cal.same_day_due(s, time!(15:00)).unwrap() <= cal.same_day_due(s2, time!(15:00)).unwrap());
        prop_assert!(cal.working_minutes_between(s, s2).unwrap() <= cal.working_minutes_between(s, s2 + Duration::hours(1)).unwrap());
    }

    #[test]
    fn results_are_working_time(s in instant(), n in 0u32..100) {
        let cal = vn();
        let t = cal.next_working_instant(s).unwrap();
        prop_assert!(is_inside_session(cal, t, false));
        prop_assert!(cal.is_working_day(cal.add_calendar_days(s, n).unwrap().date()).unwrap());
        let sd = cal.same_day_due(s, time!(15:00)).unwrap();
        prop_assert_eq!(sd, cal.close_of_day(sd.date()).unwrap());
    }

    #[test]
    fn between_adds_up(a in instant(), d1 in 0i64..50_000, d2 in 0i64..50_000) {
        let cal = vn();
        let b = a + Duration::minutes(d1);
        let c = b + Duration::minutes(d2);
        let ab = cal.working_minutes_between(a, b).unwrap();
        let bc = cal.working_minutes_between(b, c).unwrap();
        prop_assert_eq!(ab + bc, cal.working_minutes_between(a, c).unwrap());
    }

    #[test]
    fn no_panic_anywhere(secs in any::<i32>(), scale in 0i64..8, n in any::<u32>(), m in any::<u64>(), y in any::<i32>(), mo in any::<u8>(), dd in any::<u8>(), leap in any::<bool>()) {
        let cal = vn();
        let t = OffsetDateTime::from_unix_timestamp(i64::from(secs) * scale).unwrap();
        let _ = cal.add_working_days(t, n);
        let _ = cal.add_working_minutes(t, m);
        let _ = cal.add_calendar_days(t, n);
        let _ = cal.working_time_between(t, t + Duration::days(i64::from(n % 100_000)));
        let _ = cal.same_day_due(t, time!(15:00));
        let _ = cal.next_working_instant(t);
        let _ = cal.day(t.date());
        let _ = cal.non_working_days(t.date(), t.date() + Duration::days(3));
        let _ = lunar::from_lunar(lunar::LunarDate { year: y, month: mo, day: dd, leap });
        let _ = lunar::to_lunar(t.date());
    }

    #[test]
    fn lunar_round_trip(jd in 2_378_497i32..=2_524_958) {
        let d = Date::from_julian_day(jd).unwrap();
        let l = lunar::to_lunar(d).unwrap();
        prop_assert_eq!(lunar::from_lunar(l).unwrap(), d);
    }
}

#[test]
fn makeup_counts_and_swap_does_not() {
    let cal = vn();
    // Thursday 2 May 2024 09:00 + 2 working days = Saturday 4 May (make-up) 09:00.
    assert_eq!(
        cal.add_working_days(datetime!(2024-05-02 9:00 +7), 2)
            .unwrap(),
        datetime!(2024-05-04 9:00 +7)
    );
    // Friday 26 April 2024 + 1 working day skips the 29/4 swap day off → 2 May.
    assert_eq!(
        cal.add_working_days(datetime!(2024-04-26 9:00 +7), 1)
            .unwrap(),
        datetime!(2024-05-02 9:00 +7)
    );
    assert_eq!(
        cal.working_minutes_between(
            datetime!(2024-05-03 17:00 +7),
            datetime!(2024-05-06 7:30 +7)
        )
        .unwrap(),
        480
    );
}

// ---------------------------------------------------------------------------------------------
// The O(1) table path of `working_minutes_between` / `working_time_between` against a
// straightforward reference that knows nothing of the tables: walk the local days, sum the
// overlaps of each session with [a, b), and count working days by stepping.

/// A calendar with unusual sessions (touching sessions, a day open until 23:59, one-session
/// days, make-up days with other weekdays' sessions), so that the minute table has many rows,
/// over a short range so that both ends are reached.
fn odd() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        let s = |a: Time, b: Time| Session::new(a, b).unwrap();
        let p = WeeklyPattern::closed()
            .with_sessions(
                Weekday::Monday,
                vec![
                    s(time!(8:00), time!(10:00)),
                    s(time!(10:00), time!(12:00)),
                    s(time!(13:00), time!(17:00)),
                ],
            )
            .unwrap()
            .with_sessions(Weekday::Tuesday, vec![s(time!(0:00), time!(23:59))])
            .unwrap()
            .with_sessions(Weekday::Wednesday, vec![s(time!(13:30), time!(14:00))])
            .unwrap()
            .with_sessions(
                Weekday::Thursday,
                vec![s(time!(7:30), time!(11:30)), s(time!(13:00), time!(17:00))],
            )
            .unwrap()
            .with_sessions(Weekday::Friday, vec![s(time!(7:00), time!(11:30))])
            .unwrap()
            .with_sessions(Weekday::Saturday, vec![s(time!(9:00), time!(10:00))])
            .unwrap();
        CalendarBuilder::new("odd")
            .weekly(p)
            .years(2020, 2021)
            .day_off(date!(2020 - 01 - 01), DayOffKind::Holiday, "a")
            .day_off(date!(2021 - 12 - 30), DayOffKind::Holiday, "b")
            .day_off(date!(2021 - 12 - 31), DayOffKind::Holiday, "c")
            .makeup_workday_like(date!(2020 - 03 - 08), "x", Weekday::Tuesday)
            .makeup_workday_like(date!(2020 - 03 - 15), "y", Weekday::Saturday)
            .makeup_workday(date!(2021 - 06 - 06), "z")
            .build()
            .unwrap()
    })
}

/// Reference working minutes in `[a, b)`; `None` when an end is out of the range.
fn ref_minutes(cal: &Calendar, a: OffsetDateTime, b: OffsetDateTime) -> Option<u64> {
    let off = cal.offset();
    let (a, b) = (a.checked_to_offset(off)?, b.checked_to_offset(off)?);
    cal.sessions_on(a.date()).ok()?;
    cal.sessions_on(b.date()).ok()?;
    let mut ns: i128 = 0;
    let mut d = a.date();
    while d <= b.date() {
        for s in cal.sessions_on(d).ok()? {
            let lo = d.with_time(s.start()).assume_offset(off).max(a);
            let hi = d.with_time(s.end()).assume_offset(off).min(b);
            if hi > lo {
                ns += (hi - lo).whole_nanoseconds();
            }
        }
        d = d.next_day()?;
    }
    Some((ns / 60_000_000_000) as u64)
}

/// `tod` placed in the sessions of `d`: itself inside one, else the next start, else the close.
fn ref_place(cal: &Calendar, d: Date, tod: Time) -> Option<OffsetDateTime> {
    let ss = cal.sessions_on(d).ok()?;
    let t = ss
        .iter()
        .find(|s| tod < s.end())
        .map_or(ss.last()?.end(), |s| tod.max(s.start()));
    Some(d.with_time(t).assume_offset(cal.offset()))
}

/// Reference normalisation: the first working position at or after `t` (date, time of day).
fn ref_normalise(cal: &Calendar, t: OffsetDateTime) -> Option<(Date, Time)> {
    let t = t.checked_to_offset(cal.offset())?;
    let mut d = t.date();
    let mut tod = Some(t.time());
    loop {
        for s in cal.sessions_on(d).ok()? {
            match tod {
                Some(x) if x >= s.end() => {}
                Some(x) => return Some((d, x.max(s.start()))),
                None => return Some((d, s.start())),
            }
        }
        tod = None;
        d = d.next_day()?;
    }
}

/// Reference working days: the largest `n` with `add_working_days(a, n) <= b`, by stepping
/// over the working days from the normalised start. `None` when that start does not exist.
fn ref_days(cal: &Calendar, a: OffsetDateTime, b: OffsetDateTime) -> Option<u32> {
    if b <= a {
        return Some(0);
    }
    let (mut d, tod) = ref_normalise(cal, a)?;
    let mut best = 0;
    let mut k = 0;
    while ref_place(cal, d, tod)? <= b {
        best = k;
        k += 1;
        loop {
            d = d.next_day()?;
            match cal.sessions_on(d) {
                Ok(ss) if !ss.is_empty() => break,
                Ok(_) => {}
                Err(_) => return Some(best),
            }
        }
    }
    Some(best)
}

fn check_between_against_reference(
    cal: &Calendar,
    a: OffsetDateTime,
    b: OffsetDateTime,
) -> Result<(), TestCaseError> {
    let fast_m = cal.working_minutes_between(a, b);
    let fast_t = cal.working_time_between(a, b);
    match ref_minutes(cal, a, b) {
        None => {
            prop_assert!(fast_m.is_err(), "{a} {b}: {fast_m:?}");
            prop_assert!(fast_t.is_err(), "{a} {b}: {fast_t:?}");
        }
        Some(m) => {
            prop_assert_eq!(fast_m.ok(), Some(m), "minutes {} → {}", a, b);
            match ref_days(cal, a, b) {
                None => prop_assert!(fast_t.is_err(), "{a} {b}: {fast_t:?}"),
                Some(days) => prop_assert_eq!(
                    fast_t.ok(),
                    Some(WorkingTime { days, minutes: m }),
                    "time {} → {}",
                    a,
                    b
                ),
            }
        }
    }
    Ok(())
}

/// Instants from `from` over `days` days: any nanosecond, or exactly on a minute near the
/// usual session bounds (both ends of each session included), in a random offset.
fn fine_instant(from: OffsetDateTime, days: i64) -> impl Strategy<Value = OffsetDateTime> {
    let minutes = vec![
        0, 1, 419, 420, 449, 450, 451, 479, 480, 599, 600, 601, 689, 690, 691, 719, 720, 779, 780,
        781, 809, 810, 839, 840, 1019, 1020, 1021, 1438, 1439,
    ];
    let offset = (-12i8..=14).prop_map(|h| UtcOffset::from_hms(h, 0, 0).unwrap());
    prop_oneof![
        (0..days * 86_400, 0i64..1_000_000_000, offset.clone()).prop_map(move |(s, ns, o)| {
            (from + Duration::seconds(s) + Duration::nanoseconds(ns)).to_offset(o)
        }),
        (0..days, prop::sample::select(minutes), offset).prop_map(move |(d, m, o)| {
            (from + Duration::days(d) + Duration::minutes(m)).to_offset(o)
        }),
    ]
}

/// A second end: independent, or shortly after / before / equal to `a` (down to the
/// nanosecond).
fn second_end(
    a: OffsetDateTime,
    from: OffsetDateTime,
    days: i64,
) -> impl Strategy<Value = OffsetDateTime> {
    prop_oneof![
        fine_instant(from, days),
        (0i64..90 * 1440).prop_map(move |m| a + Duration::minutes(m)),
        (-3i64..=3).prop_map(move |ns| a + Duration::nanoseconds(ns)),
        (0i64..3 * 86_400).prop_map(move |s| a - Duration::seconds(s)),
        (0i64..60 * 86_400, 0i64..1_000_000_000)
            .prop_map(move |(s, ns)| a + Duration::seconds(s) + Duration::nanoseconds(ns)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn between_equals_reference_vietnam(
        (a, b) in fine_instant(datetime!(2009-01-01 0:00 +7), 19 * 366)
            .prop_flat_map(|a| (Just(a), second_end(a, datetime!(2009-01-01 0:00 +7), 19 * 366)))
    ) {
        check_between_against_reference(vn(), a, b)?;
    }

    #[test]
    fn between_equals_reference_odd_calendar_and_range_ends(
        (a, b) in fine_instant(datetime!(2019-12-20 0:00 +7), 2 * 366 + 25)
            .prop_flat_map(|a| (Just(a), second_end(a, datetime!(2019-12-20 0:00 +7), 2 * 366 + 25)))
    ) {
        check_between_against_reference(odd(), a, b)?;
    }
}

#[test]
fn between_equals_reference_at_every_minute_of_a_week() {
    // Every minute pair boundary of a week with a make-up Saturday and a swap day off
    // (2024-04-26 .. 2024-05-06): a from every 10th minute, b at every minute after it.
    let cal = vn();
    let from = datetime!(2024-04-26 0:00 +7);
    for i in (0..10 * 1440).step_by(10) {
        let a = from + Duration::minutes(i);
        for j in (i..10 * 1440).step_by(7) {
            let b = from + Duration::minutes(j);
            check_between_against_reference(cal, a, b).unwrap();
            // Within the minute, both orders of the seconds.
            let (a2, b2) = (a + Duration::seconds(31), b + Duration::seconds(17));
            check_between_against_reference(cal, a2, b2).unwrap();
            check_between_against_reference(cal, a + Duration::seconds(5), b2).unwrap();
        }
        assert_eq!(
            cal.add_working_days(a + Duration::seconds(31), 3).ok(),
            ref_add_days(cal, a + Duration::seconds(31), 3)
        );
    }
}

/// Reference `add_working_days`: normalise, step over `n` working days, place the time of day.
/// `None` when the range ends first.
fn ref_add_days(cal: &Calendar, a: OffsetDateTime, n: u32) -> Option<OffsetDateTime> {
    let (mut d, tod) = ref_normalise(cal, a)?;
    for _ in 0..n {
        loop {
            d = d.next_day()?;
            if !cal.sessions_on(d).ok()?.is_empty() {
                break;
            }
        }
    }
    ref_place(cal, d, tod)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn add_days_equals_reference(
        a in fine_instant(datetime!(2009-01-01 0:00 +7), 19 * 366),
        n in prop_oneof![0u32..5, 0u32..400],
    ) {
        let fast = vn().add_working_days(a, n);
        prop_assert_eq!(fast.ok(), ref_add_days(vn(), a, n), "{} + {}", a, n);
    }

    #[test]
    fn add_days_equals_reference_odd_calendar_and_range_ends(
        a in fine_instant(datetime!(2019-12-20 0:00 +7), 2 * 366 + 25),
        n in prop_oneof![0u32..5, 0u32..200],
    ) {
        let fast = odd().add_working_days(a, n);
        let reference = ref_add_days(odd(), a, n);
        prop_assert_eq!(fast.is_err(), reference.is_none(), "{} + {}: {:?}", a, n, fast);
        prop_assert_eq!(fast.ok(), reference, "{} + {}", a, n);
    }
}

// The fast paths for calendars whose working days all have the same sessions (the Vietnamese
// default: days from working minutes, lookups of both ends in parallel) against the same
// reference, over the whole supported range and past both ends, in odd offsets (any hours,
// minutes and seconds, not only whole hours).

/// A uniform calendar whose working days' row is not the first one built (every Monday, with
/// other sessions, is a day off), over a short range so that both ends are reached.
fn uniform_swapped() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        let s = |a: Time, b: Time| Session::new(a, b).unwrap();
        let mut p = WeeklyPattern::closed()
            .with_sessions(Weekday::Monday, vec![s(time!(8:00), time!(12:00))])
            .unwrap();
        for wd in [
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
        ] {
            p = p
                .with_sessions(
                    wd,
                    vec![s(time!(7:00), time!(11:30)), s(time!(13:30), time!(16:45))],
                )
                .unwrap();
        }
        let mut b = CalendarBuilder::new("uniform")
            .weekly(p)
            .years(2020, 2020)
            .makeup_workday_like(date!(2020 - 06 - 06), "m", Weekday::Friday);
        let mut d = date!(2020 - 01 - 06);
        while d.year() == 2020 {
            b = b.day_off(d, DayOffKind::Local, "monday");
            d += Duration::days(7);
        }
        b.build().unwrap()
    })
}

/// Any UTC offset, hours, minutes and seconds of one sign.
fn odd_offset() -> impl Strategy<Value = UtcOffset> {
    (-25i32..=25, 0i32..60, 0i32..60, any::<bool>()).prop_map(|(h, m, s, round)| {
        let (m, s) = if round { (m - m % 15, 0) } else { (m, s) };
        let sign = if h < 0 { -1 } else { 1 };
        UtcOffset::from_hms(h.clamp(-25, 25) as i8, (sign * m) as i8, (sign * s) as i8)
            .unwrap_or(UtcOffset::UTC)
    })
}

/// An instant anywhere from `from` over `days` days (any nanosecond, or a whole minute), in
/// an odd offset.
fn anywhere(from: OffsetDateTime, days: i64) -> impl Strategy<Value = OffsetDateTime> {
    (
        0..days * 1440,
        prop_oneof![Just(0i64), 0i64..60_000_000_000],
        odd_offset(),
        any::<bool>(),
    )
        .prop_map(move |(m, ns, o, local)| {
            let t = from + Duration::minutes(m) + Duration::nanoseconds(ns);
            // Half of them at the calendar's offset (the fast path), half converted.
            if local {
                t
            } else {
                t.to_offset(o)
            }
        })
}

/// A second end near the first: before it, equal (to the nanosecond), or up to 120 days after.
fn near(a: OffsetDateTime) -> impl Strategy<Value = OffsetDateTime> {
    (
        prop_oneof![
            (-3i64 * 86_400_000_000_000..=0),
            (-3i64..=3),
            (0i64..120 * 86_400_000_000_000),
            (0i64..120).prop_map(|m| m * 60_000_000_000),
        ],
        odd_offset(),
        any::<bool>(),
    )
        .prop_map(move |(ns, o, same)| {
            let b = a + Duration::nanoseconds(ns);
            if same {
                b
            } else {
                b.to_offset(o)
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn uniform_fast_path_equals_reference_over_the_whole_range(
        (a, b) in anywhere(datetime!(1899-12-20 0:00 +7), 301 * 366 + 30)
            .prop_flat_map(|a| (Just(a), near(a)))
    ) {
        check_between_against_reference(vn(), a, b)?;
        prop_assert_eq!(vn().add_working_days(a, 3).ok(), ref_add_days(vn(), a, 3), "{} + 3", a);
    }

    #[test]
    fn uniform_fast_path_equals_reference_at_the_range_ends(
        (a, b) in prop_oneof![
            anywhere(datetime!(1899-12-25 0:00 +7), 14),
            anywhere(datetime!(2200-12-20 0:00 +7), 14),
        ].prop_flat_map(|a| (Just(a), near(a)))
    ) {
        check_between_against_reference(vn(), a, b)?;
    }

    #[test]
    fn uniform_fast_path_equals_reference_other_sessions(
        (a, b) in anywhere(datetime!(2019-12-20 0:00 +7), 366 + 25)
            .prop_flat_map(|a| (Just(a), near(a))),
        n in 0u32..80,
    ) {
        let cal = uniform_swapped();
        check_between_against_reference(cal, a, b)?;
        prop_assert_eq!(cal.add_working_days(a, n).ok(), ref_add_days(cal, a, n), "{} + {}", a, n);
    }
}

/// A uniform calendar open all day but the last minute, every day but a few days off, in an
/// offset with minutes and seconds: sessions touching midnight and the end of the minute
/// table's rows.
fn uniform_all_day() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(|| {
        let all_day = vec![Session::new(time!(0:00), time!(23:59)).unwrap()];
        let mut p = WeeklyPattern::closed();
        for wd in [
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Saturday,
            Weekday::Sunday,
        ] {
            p = p.with_sessions(wd, all_day.clone()).unwrap();
        }
        CalendarBuilder::new("all-day")
            .weekly(p)
            .offset(UtcOffset::from_hms(5, 45, 30).unwrap())
            .years(2023, 2024)
            .day_off(date!(2023 - 01 - 01), DayOffKind::Holiday, "a")
            .day_off(date!(2024 - 02 - 29), DayOffKind::Holiday, "leap day")
            .day_off(date!(2024 - 12 - 31), DayOffKind::Holiday, "b")
            .build()
            .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn uniform_fast_path_equals_reference_all_day_sessions(
        (a, b) in prop_oneof![
            anywhere(datetime!(2022-12-30 0:00 +5:45:30), 2 * 366 + 5),
            anywhere(datetime!(2024-02-27 0:00 +5:45:30), 4),
            anywhere(datetime!(2024-12-28 0:00 +5:45:30), 6),
        ].prop_flat_map(|a| (Just(a), near(a)))
    ) {
        let cal = uniform_all_day();
        check_between_against_reference(cal, a, b)?;
        prop_assert_eq!(cal.add_working_days(a, 2).ok(), ref_add_days(cal, a, 2), "{} + 2", a);
    }
}

#[test]
fn uniform_calendars_take_the_uniform_path() {
    assert_ne!(vn().inner.day_minutes, 0);
    assert_eq!(vn().inner.day_minutes, 480);
    assert_eq!(uniform_swapped().inner.day_minutes, 465);
    assert_eq!(odd().inner.day_minutes, 0);
    // The uniform tables: present for uniform calendars, down to the day before the last
    // working day of the range (which has no working time after its close); absent otherwise.
    let cal = vn();
    assert!(cal.pos_uniform(datetime!(2024-05-13 9:00 +7)).is_some());
    assert!(cal.pos_uniform(datetime!(1900-01-01 0:00 +7)).is_some());
    assert!(cal.pos_uniform(datetime!(2024-05-13 9:00 +8)).is_none());
    let last = cal.last_day();
    let mut d = last;
    while cal.sessions_on(d).unwrap().is_empty() {
        d = d.previous_day().unwrap();
    }
    let mut before = d.previous_day().unwrap();
    assert!(cal
        .pos_uniform(d.midnight().assume_offset(cal.offset()))
        .is_none());
    assert!(cal
        .pos_uniform(
            before
                .with_hms(23, 59, 59)
                .unwrap()
                .assume_offset(cal.offset())
        )
        .is_some());
    while cal.sessions_on(before).unwrap().is_empty() {
        before = before.previous_day().unwrap();
    }
    assert_eq!(
        cal.working_time_between(
            before
                .with_hms(9, 0, 0)
                .unwrap()
                .assume_offset(cal.offset()),
            d.with_hms(9, 0, 0).unwrap().assume_offset(cal.offset()),
        )
        .unwrap(),
        WorkingTime {
            days: 1,
            minutes: 480
        }
    );
    // A day off reads the slots 64 minutes on in the same hour: none is a minute, all 0.
    for slot in (0..24).flat_map(|h| (0..60).map(move |m| h << 8 | m)) {
        assert_eq!(cal.inner.uniform_minutes[slot + 64], 0);
    }
    let u = &cal.inner.uniform_minutes;
    assert_eq!((u[12 << 8] >> 32, u[12 << 8] as u32), (240, 0));
    assert_eq!(
        (u[(13 << 8) + 1] >> 32, u[(13 << 8) + 1] as u32),
        (241, u32::MAX)
    );
    assert_eq!((u[23 << 8 | 59] >> 32, u[23 << 8 | 59] as u32), (480, 0));
    assert!(uniform_swapped().inner.uniform_day.len() > 300);
    assert_eq!(uniform_all_day().inner.day_minutes, 1439);
    assert!(!uniform_all_day().inner.uniform_day.is_empty());
    assert!(odd().inner.uniform_day.is_empty());
}

/// The baked built-in calendar (`build.rs`, `baked.rs`) is the computed one: every table, the
/// version, the range and the days by date, field by field.
#[test]
fn the_baked_calendar_is_the_computed_one() {
    use crate::table::Table;
    let baked = Calendar::vietnam_baked();
    let computed = Calendar::vietnam();
    let (b, c) = (&*baked.inner, &*computed.inner);
    assert!(
        matches!(b.year_day, Table::Baked(_)),
        "Calendar::vietnam_baked() computed its tables instead of reading the baked ones"
    );
    assert!(matches!(c.year_day, Table::Built(_)));
    assert_eq!(b.version, c.version);
    assert_eq!((b.offset, b.offset_secs), (c.offset, c.offset_secs));
    assert_eq!(b.pattern, c.pattern);
    assert_eq!((b.first, b.last, b.first_jd), (c.first, c.last, c.first_jd));
    assert!(
        b.overrides.get().is_none(),
        "the days by date are made on first use"
    );
    assert_eq!(baked.overrides(), computed.overrides());
    assert!(baked.overrides().len() > 3_000);
    for (p, q) in b.profiles.iter().zip(&c.profiles) {
        assert_eq!(p.sessions, q.sessions);
        assert_eq!(
            (&p.spans, p.total_ns, p.close_ns),
            (&q.spans, q.total_ns, q.close_ns)
        );
    }
    assert_eq!(&*b.day_profile, &*c.day_profile);
    assert_eq!(&*b.wd_before, &*c.wd_before);
    assert_eq!(&*b.year_day, &*c.year_day);
    assert!(b.minute_table[..] == c.minute_table[..]);
    assert_eq!(b.row_first, c.row_first);
    assert_eq!((b.day_minutes, b.day_magic), (c.day_minutes, c.day_magic));
    assert_eq!(b.total_minutes, c.total_minutes);
    assert_eq!(&*b.uniform_day, &*c.uniform_day);
    assert!(
        !b.uniform_day.is_empty(),
        "the built-in calendar's working days are all alike"
    );
    assert!(b.uniform_minutes[..] == c.uniform_minutes[..]);
    assert_eq!(b.year_start, c.year_start);
    assert_eq!((b.first_year, b.yd_base), (c.first_year, c.yd_base));
    assert_eq!(b.offset_parts, c.offset_parts);
    assert_eq!(&*b.working, &*c.working);
    assert_eq!(b.working_dates, c.working_dates);
    assert_eq!(&*b.working_rows, &*c.working_rows);
    assert_eq!(baked.table_bytes(), computed.table_bytes());
    assert_eq!(format!("{baked:?}"), format!("{computed:?}"));
}
