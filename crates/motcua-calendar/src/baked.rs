//! The built-in calendar's per-day tables, baked into the program by the build script
//! (`build.rs`): [`Calendar::vietnam_baked`] reads them in place instead of computing them.

use crate::calendar::{Calendar, DayTables, YEAR_SLOTS};
use crate::table::Table;
use crate::CalendarBuilder;
use std::sync::OnceLock;

/// What the build script wrote beside the tables: the version hash, the minute-table rows'
/// profiles and the range itself (Julian day numbers).
mod meta {
    include!(concat!(env!("OUT_DIR"), "/vietnam/meta.rs"));
}

/// Bytes aligned for any of the tables' words.
#[repr(C, align(8))]
struct Aligned<B: ?Sized>(B);

/// A file the build script wrote, included at an alignment of 8.
macro_rules! baked {
    ($file:literal) => {{
        static BYTES: &Aligned<[u8]> = &Aligned(*include_bytes!(concat!(
            env!("OUT_DIR"),
            "/vietnam/",
            $file
        )));
        &BYTES.0
    }};
}

/// The words the tables are made of: integers, for which every bit pattern is a value.
trait Word: Copy + 'static {}
impl Word for u8 {}
impl Word for u32 {}
impl Word for u64 {}

/// `bytes` as words (written by the build script in the target's byte order); `None` when
/// they are not aligned for them or not a whole number of them.
fn words<T: Word>(bytes: &'static [u8]) -> Option<&'static [T]> {
    let size = std::mem::size_of::<T>();
    if !bytes.len().is_multiple_of(size)
        || bytes.as_ptr().align_offset(std::mem::align_of::<T>()) != 0
    {
        return None;
    }
    // SAFETY: `T` is `u8`, `u32` or `u64` (`Word` is implemented for nothing else), for which
    // every bit pattern is a value; the pointer is aligned for `T` (checked above); the
    // `bytes.len() / size` words cover exactly `bytes` (checked above), which live, unchanged,
    // for the whole program.
    Some(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<T>(), bytes.len() / size) })
}

/// The built-in calendar on its baked tables; `None` when they do not fit its range (they are
/// computed from this crate's own sources when it is compiled: never, but a table that does not
/// fit must not be indexed).
pub(crate) fn vietnam() -> Option<Calendar> {
    let parts = CalendarBuilder::vietnam().frame(meta::HASH).ok()?;
    let (first_jd, last_jd) = (parts.first.to_julian_day(), parts.last.to_julian_day());
    if (first_jd, last_jd) != (meta::FIRST_JD, meta::LAST_JD) {
        return None;
    }
    let days = usize::try_from(last_jd - first_jd + 1).ok()?;
    let years = usize::try_from(parts.last.year() - parts.first.year() + 1).ok()?;
    let day_profile = words::<u8>(baked!("day_profile.bin"))?;
    let wd_before = words::<u32>(baked!("wd_before.bin"))?;
    let year_day = words::<u64>(baked!("year_day.bin"))?;
    let uniform_day = words::<u64>(baked!("uniform_day.bin"))?;
    let working = words::<u32>(baked!("working.bin"))?;
    let working_rows = words::<u8>(baked!("working_rows.bin"))?;
    let fits = day_profile.len() == days
        && wd_before.len() == days + 1
        && year_day.len() == years * YEAR_SLOTS + 1
        && uniform_day.len() <= year_day.len()
        && working.len() == working_rows.len()
        && wd_before
            .last()
            .is_some_and(|&w| w as usize == working.len())
        && working.iter().all(|&i| (i as usize) < days)
        && working.windows(2).all(|w| w[0] < w[1])
        && day_profile.iter().all(|&p| p < 8)
        && working_rows.iter().all(|&r| r < 8)
        && !meta::ROW_PROFILE.is_empty()
        && meta::ROW_PROFILE.len() <= 8
        && meta::ROW_PROFILE.iter().all(|&p| p < 8);
    if !fits {
        return None;
    }
    Some(Calendar::assemble(
        parts.version,
        parts.offset,
        parts.pattern,
        parts.first,
        parts.last,
        OnceLock::new(),
        DayTables {
            day_profile: Table::Baked(day_profile),
            wd_before: Table::Baked(wd_before),
            year_day: Table::Baked(year_day),
            uniform_day: Table::Baked(uniform_day),
            working: Table::Baked(working),
            working_rows: Table::Baked(working_rows),
            row_profile: meta::ROW_PROFILE.to_vec(),
        },
    ))
}
