//! The Rust side of `benches/numpy_busday.py`: the same 1,000,000 (date, n) pairs through
//! [`Calendar::add_working_days_date`] on the Vietnamese calendar *without* make-up Saturdays
//! (numpy's `busday_offset` cannot express them).
//!
//! * `busday_compare holidays` prints the days off (one ISO date a line) for numpy;
//! * `busday_compare run` prints `ns_per_element=…` and `checksum=…` (sum of the Julian day
//!   numbers of the results) and, with `--dump FILE`, writes every result date.
//!
//! Build with `--release`. The pairs come from a 64-bit LCG shared with the Python script.

use motcua_calendar::{file, Calendar, CalendarBuilder, Date, DayReason, Month, SWAPS_TSV};
use std::io::Write;
use std::time::Instant;

const N: usize = 1_000_000;

fn calendar() -> Result<Calendar, Box<dyn std::error::Error>> {
    let mut b = CalendarBuilder::vietnam().years(2009, 2028);
    for l in file::parse_overrides(SWAPS_TSV)? {
        if l.kind.is_none() {
            b = b.clear_day(l.date);
        }
    }
    Ok(b.build()?)
}

/// The shared generator: start dates in 2010-01-01 + [0, 6000) days, n in [0, 60].
fn pairs() -> Vec<(Date, u32)> {
    let base = Date::from_calendar_date(2010, Month::January, 1).unwrap_or(Date::MIN);
    let mut x: u64 = 0x853c_49e6_748f_ea9b;
    (0..N)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let day = ((x >> 33) % 6000) as i64;
            let n = ((x >> 20) % 61) as u32;
            (base + time::Duration::days(day), n)
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let cal = calendar()?;
    let out = std::io::stdout();
    let mut out = out.lock();
    match args.get(1).map(String::as_str) {
        Some("holidays") => {
            let from = Date::from_calendar_date(2009, Month::January, 1)?;
            let to = Date::from_calendar_date(2028, Month::December, 31)?;
            for d in cal.non_working_days(from, to)? {
                if matches!(d.reason, DayReason::DayOff { .. }) {
                    writeln!(out, "{}", d.date)?;
                }
            }
        }
        Some("run") => {
            let pairs = pairs();
            let mut results = vec![Date::MIN; N];
            let mut best = f64::MAX;
            for _ in 0..5 {
                let t = Instant::now();
                for (r, &(d, n)) in results.iter_mut().zip(&pairs) {
                    *r = cal.add_working_days_date(d, n)?;
                }
                best = best.min(t.elapsed().as_secs_f64());
            }
            let checksum: i64 = results.iter().map(|d| i64::from(d.to_julian_day())).sum();
            writeln!(out, "ns_per_element={:.2}", best * 1e9 / N as f64)?;
            writeln!(out, "checksum={checksum}")?;
            if let (Some("--dump"), Some(path)) = (args.get(2).map(String::as_str), args.get(3)) {
                let mut s = String::with_capacity(N * 11);
                for d in &results {
                    s.push_str(&d.to_string());
                    s.push('\n');
                }
                std::fs::write(path, s)?;
            }
        }
        _ => eprintln!("usage: busday_compare holidays | run [--dump FILE]"),
    }
    Ok(())
}
