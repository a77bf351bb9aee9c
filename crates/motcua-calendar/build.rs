//! Bakes the built-in Vietnamese calendar's per-day tables into the library: computes them
//! for `CalendarBuilder::vietnam()` (`DayTables::compute`, as its `build` does) with the
//! crate's own sources (the modules below are `src/`'s, declared as `src/lib.rs` declares
//! them) and writes them, in the target's byte order, with what goes beside them, to
//! `$OUT_DIR/vietnam/`. `src/baked.rs` includes them; `Calendar::vietnam_baked()` reads them
//! in place.
#![allow(dead_code, unused_imports, clippy::all)]

#[path = "src/arith.rs"]
mod arith;
#[path = "src/baked_stub.rs"]
mod baked;
#[path = "src/builder.rs"]
mod builder;
#[path = "src/calendar.rs"]
mod calendar;
#[path = "src/day.rs"]
mod day;
#[path = "src/error.rs"]
mod error;
#[path = "src/file.rs"]
pub mod file;
#[path = "src/holidays.rs"]
pub mod holidays;
#[path = "src/lunar.rs"]
pub mod lunar;
#[path = "src/pattern.rs"]
mod pattern;
#[path = "src/session.rs"]
mod session;
#[path = "src/table.rs"]
mod table;
#[path = "src/vietnam.rs"]
mod vietnam;

pub use builder::{CalendarBuilder, DEFAULT_FIRST_YEAR, DEFAULT_LAST_YEAR};
pub use calendar::Calendar;
pub use day::{CalendarVersion, DayInfo, DayOffKind, DayReason, WorkingTime};
pub use error::CalendarError;
pub use pattern::WeeklyPattern;
pub use session::Session;
pub use time::{Date, Month, OffsetDateTime, Time, UtcOffset, Weekday};
pub use vietnam::{SWAPS_TSV, VIETNAM_OFFSET};

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=build.rs");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for a build script");
    let dir = Path::new(&out).join("vietnam");
    std::fs::create_dir_all(&dir).expect("cannot make $OUT_DIR/vietnam");
    let big = std::env::var("CARGO_CFG_TARGET_ENDIAN").as_deref() == Ok("big");
    let parts = CalendarBuilder::vietnam()
        .into_parts()
        .unwrap_or_else(|e| panic!("the built-in calendar does not build: {e}"));
    let days = calendar::DayTables::compute(
        &calendar::profiles_of(&parts.pattern),
        parts.first,
        parts.last,
        &parts.overrides,
    );
    let write = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.join(name), bytes)
            .unwrap_or_else(|e| panic!("cannot write $OUT_DIR/vietnam/{name}: {e}"))
    };
    // Little-endian bytes, each word turned round for a big-endian target.
    let ordered = |mut bytes: Vec<u8>, size: usize| -> Vec<u8> {
        if big {
            bytes.chunks_mut(size).for_each(<[u8]>::reverse);
        }
        bytes
    };
    let u32s = |words: &[u32]| ordered(words.iter().flat_map(|w| w.to_le_bytes()).collect(), 4);
    let u64s = |words: &[u64]| ordered(words.iter().flat_map(|w| w.to_le_bytes()).collect(), 8);
    write("day_profile.bin", days.day_profile.to_vec());
    write("wd_before.bin", u32s(&days.wd_before));
    write("year_day.bin", u64s(&days.year_day));
    write("uniform_day.bin", u64s(&days.uniform_day));
    write("working.bin", u32s(&days.working));
    write("working_rows.bin", days.working_rows.to_vec());
    let mut meta = String::new();
    let _ = writeln!(meta, "// Written by motcua-calendar's build.rs.");
    let _ = writeln!(meta, "pub(crate) const HASH: u64 = {};", parts.version.hash);
    let _ = writeln!(
        meta,
        "pub(crate) const ROW_PROFILE: &[usize] = &{:?};",
        days.row_profile
    );
    let _ = writeln!(
        meta,
        "pub(crate) const FIRST_JD: i32 = {};",
        parts.first.to_julian_day()
    );
    let _ = writeln!(
        meta,
        "pub(crate) const LAST_JD: i32 = {};",
        parts.last.to_julian_day()
    );
    write("meta.rs", meta.into_bytes());
}
