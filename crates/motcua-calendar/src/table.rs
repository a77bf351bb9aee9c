//! A table of the calendar: built by this process, or baked into the program at compile time.

use std::ops::Deref;

/// One of a calendar's precomputed tables: computed here ([`Table::Built`]), or baked into the
/// program by the build script ([`Table::Baked`], the built-in calendar's). Reads through it are
/// reads of a slice either way.
pub(crate) enum Table<T: 'static> {
    /// Computed by [`CalendarBuilder::build`](crate::CalendarBuilder::build).
    Built(Box<[T]>),
    /// Part of the program's read-only data: mapped from its file as the pages are read,
    /// shared by every process that runs it.
    Baked(&'static [T]),
}

impl<T> Deref for Table<T> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        match self {
            Table::Built(b) => b,
            Table::Baked(s) => s,
        }
    }
}

impl<T> From<Vec<T>> for Table<T> {
    fn from(v: Vec<T>) -> Table<T> {
        Table::Built(v.into_boxed_slice())
    }
}
