//! Prints the days off of the built-in Vietnamese calendar for a range of years, one a line:
//! `date<TAB>kind<TAB>name` (make-up working days as `makeup-workday`).
//!
//! `cargo run -p motcua-calendar --example days_off -- 2024 2026`

use motcua_calendar::{Calendar, Date, DayReason, Month};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let first: i32 = args.get(1).map_or(Ok(2024), |s| s.parse())?;
    let last: i32 = args.get(2).map_or(Ok(first), |s| s.parse())?;
    let cal = Calendar::vietnam();
    let from = Date::from_calendar_date(first, Month::January, 1)?;
    let to = Date::from_calendar_date(last, Month::December, 31)?;
    for d in cal.overrides_in(from, to) {
        match d.reason {
            DayReason::DayOff { kind, name } => println!("{}\t{kind}\t{name}", d.date),
            DayReason::MakeupWorkday { name } => println!("{}\tmakeup-workday\t{name}", d.date),
            _ => {}
        }
    }
    Ok(())
}
