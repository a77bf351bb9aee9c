//! Office sessions: half-open intervals of local time.

use crate::CalendarError;
use time::Time;

/// One office session, half-open `[start, end)` in the calendar's local time.
///
/// Both bounds must be whole minutes (seconds and nanoseconds zero) and `start < end`.
/// Since `end` is exclusive and [`Time`] stops at 23:59:59.999…, the latest possible end
/// is 23:59.
///
/// ```
/// use motcua_calendar::{Session, Time};
/// let s = Session::new(Time::from_hms(7, 30, 0)?, Time::from_hms(11, 30, 0)?)?;
/// assert_eq!(s.minutes(), 240);
/// assert!(Session::new(Time::from_hms(12, 0, 0)?, Time::from_hms(11, 0, 0)?).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Session {
    start: Time,
    end: Time,
}

impl Session {
    /// A session `[start, end)`; error if `start >= end` or a bound is not a whole minute.
    pub fn new(start: Time, end: Time) -> Result<Session, CalendarError> {
        let whole = |t: Time| t.second() == 0 && t.nanosecond() == 0;
        if !whole(start) || !whole(end) {
            return Err(CalendarError::InvalidSession {
                start,
                end,
                reason: "expected whole minutes (no seconds)",
            });
        }
        if start >= end {
            return Err(CalendarError::InvalidSession {
                start,
                end,
                reason: "expected start before end",
            });
        }
        Ok(Session { start, end })
    }

    /// Inclusive start.
    pub fn start(&self) -> Time {
        self.start
    }

    /// Exclusive end.
    pub fn end(&self) -> Time {
        self.end
    }

    /// Length in minutes.
    pub fn minutes(&self) -> u32 {
        self.end_minute() - self.start_minute()
    }

    pub(crate) fn start_minute(&self) -> u32 {
        u32::from(self.start.hour()) * 60 + u32::from(self.start.minute())
    }

    pub(crate) fn end_minute(&self) -> u32 {
        u32::from(self.end.hour()) * 60 + u32::from(self.end.minute())
    }
}
