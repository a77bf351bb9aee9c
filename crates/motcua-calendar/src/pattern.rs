//! The weekly pattern of office sessions.

use crate::{CalendarError, Session};
use time::{Time, Weekday};

/// Sessions per weekday.
///
/// The default ([`WeeklyPattern::office_default`]) is Monday–Friday 07:30–11:30 and
/// 13:00–17:00, Saturday and Sunday closed.
///
/// ```
/// use motcua_calendar::{Session, Time, Weekday, WeeklyPattern};
/// let p = WeeklyPattern::office_default();
/// assert_eq!(p.sessions(Weekday::Monday).len(), 2);
/// assert!(p.sessions(Weekday::Sunday).is_empty());
/// // Thanh Hóa's hours: 07:00–11:30 and 13:30–17:00.
/// let am = Session::new(Time::from_hms(7, 0, 0)?, Time::from_hms(11, 30, 0)?)?;
/// let pm = Session::new(Time::from_hms(13, 30, 0)?, Time::from_hms(17, 0, 0)?)?;
/// let p = WeeklyPattern::closed().with_sessions(Weekday::Monday, vec![am, pm])?;
/// assert_eq!(p.sessions(Weekday::Monday)[0].minutes(), 270);
/// // Unsorted or overlapping sessions are refused.
/// assert!(WeeklyPattern::closed().with_sessions(Weekday::Monday, vec![pm, am]).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WeeklyPattern {
    /// Indexed by `Weekday::number_days_from_monday`.
    days: [Vec<Session>; 7],
}

impl WeeklyPattern {
    /// Monday–Friday 07:30–11:30 and 13:00–17:00; weekend closed.
    pub fn office_default() -> Self {
        let mut p = Self::closed();
        let t = |h, m| Time::from_hms(h, m, 0).unwrap_or(Time::MIDNIGHT);
        let sessions = [
            Session::new(t(7, 30), t(11, 30)),
            Session::new(t(13, 0), t(17, 0)),
        ];
        let sessions: Vec<Session> = sessions.into_iter().flatten().collect();
        for day in &mut p.days[0..5] {
            day.clone_from(&sessions);
        }
        p
    }

    /// Every day closed.
    pub fn closed() -> Self {
        WeeklyPattern {
            days: Default::default(),
        }
    }

    /// Replace the sessions of `day`. They must be sorted and non-overlapping (touching,
    /// e.g. `[8:00, 10:00)` then `[10:00, 12:00)`, is allowed).
    pub fn with_sessions(
        mut self,
        day: Weekday,
        sessions: Vec<Session>,
    ) -> Result<Self, CalendarError> {
        for w in sessions.windows(2) {
            if w[1].start() < w[0].end() {
                return Err(CalendarError::OverlappingSessions {
                    day,
                    previous_end: w[0].end(),
                    next_start: w[1].start(),
                });
            }
        }
        self.days[usize::from(day.number_days_from_monday())] = sessions;
        Ok(self)
    }

    /// The sessions of `day` (empty when closed).
    pub fn sessions(&self, day: Weekday) -> &[Session] {
        &self.days[usize::from(day.number_days_from_monday())]
    }
}

impl Default for WeeklyPattern {
    fn default() -> Self {
        Self::office_default()
    }
}
