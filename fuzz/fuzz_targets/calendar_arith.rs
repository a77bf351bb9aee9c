//! Calendar arithmetic on arbitrary instants and amounts: never panics, never overflows; every
//! result that comes back is working time, not before the start, and measuring it back gives the
//! amount.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use motcua_calendar::Calendar;
use std::sync::OnceLock;
use time::{OffsetDateTime, Time, UtcOffset};

#[derive(Arbitrary, Debug)]
struct Input {
    /// Use the raw values as they come (edges, overflow) instead of folding them into range.
    raw: bool,
    unix_seconds: i64,
    offset_minutes: i16,
    amount: u32,
    minutes: u64,
    cutoff_minute: u16,
}

fn calendar() -> &'static Calendar {
    static CAL: OnceLock<Calendar> = OnceLock::new();
    CAL.get_or_init(Calendar::vietnam)
}

fuzz_target!(|input: Input| {
    let cal = calendar();
    let Ok(offset) = UtcOffset::from_whole_seconds(i32::from(input.offset_minutes % (18 * 60)) * 60) else { return };
    // Most inputs folded into 1900–2200 (the calendar's range) and amounts up to a few years;
    // raw inputs probe the edges.
    const Y1900: i64 = -2_208_988_800;
    const SPAN: i64 = 300 * 365 * 86_400;
    let (seconds, amount, minutes) = if input.raw {
        (input.unix_seconds, input.amount, input.minutes)
    } else {
        (Y1900 + input.unix_seconds.rem_euclid(SPAN), input.amount % 3000, input.minutes % 2_000_000)
    };
    let input = Input { unix_seconds: seconds, amount, minutes, ..input };
    let Ok(start) = OffsetDateTime::from_unix_timestamp(input.unix_seconds) else { return };
    let Some(start) = start.checked_to_offset(offset) else { return };
    if let Ok(due) = cal.add_working_days(start, input.amount) {
        assert!(due >= start || cal.next_working_instant(start).is_ok_and(|n| due >= n));
        if let Ok(between) = cal.working_time_between(start, due) {
            assert_eq!(between.days, input.amount, "between(s, add_working_days(s, n)).days == n");
        }
    }
    if let Ok(due) = cal.add_working_minutes(start, input.minutes) {
        if let Ok(m) = cal.working_minutes_between(start, due) {
            assert_eq!(m, input.minutes, "working minutes back");
        }
    }
    let _ = cal.add_calendar_days(start, input.amount);
    let cutoff = Time::from_hms(((input.cutoff_minute / 60) % 24) as u8, (input.cutoff_minute % 60) as u8, 0);
    if let Ok(cutoff) = cutoff {
        let _ = cal.same_day_due(start, cutoff);
    }
    let _ = cal.next_working_instant(start);
    let _ = cal.day(start.date());
});
