//! Calendar versions over time, and the policy for open dossiers when a new one arrives.
//!
//! Yearly day swaps are announced late (the 2024 swap 17 days ahead), so a calendar is versioned
//! data. A due date written on a receipt is a promise made under the calendar version of that day:
//! by default a dossier stays **pinned** to the version in force when it was received. A host may
//! instead **re-evaluate** open dossiers under a new version; each re-evaluation is then recorded
//! as a [`EventKind::CalendarReevaluated`] event, so the dossier's history explains why its due
//! moved. Finished dossiers are never re-judged: the rules refuse that event for them.

use crate::event::EventKind;
use crate::state::DossierState;
use motcua_calendar::Calendar;
use time::OffsetDateTime;

/// What happens to open dossiers when a new calendar version is published.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CalendarPolicy {
    /// Keep the version in force at reception (default): the receipt's promise stands.
    #[default]
    Pinned,
    /// Judge open dossiers under the newest version, recording a re-evaluation event.
    Reevaluate,
}

/// Why a calendar history could not be built or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// Versions must be published in time order.
    #[error(
        "calendar {version} is published at {at}, not after the previous version ({previous})"
    )]
    OutOfOrder {
        /// The version published.
        version: String,
        /// Its publication instant.
        at: OffsetDateTime,
        /// The previous version's publication instant.
        previous: OffsetDateTime,
    },
    /// A dossier names a version the history does not hold.
    #[error("calendar version {0} is not in the calendar history")]
    UnknownVersion(String),
}

/// Calendar versions in the order they were published.
///
/// ```
/// use motcua_core::calendars::CalendarHistory;
/// use motcua_calendar::{Calendar, CalendarBuilder, DayOffKind};
/// use time::macros::{date, datetime};
///
/// let v1 = Calendar::vietnam();
/// let v2 = CalendarBuilder::vietnam()
///     .day_off(date!(2024-03-15), DayOffKind::Local, "Ngày hội tỉnh")
///     .build()?;
/// let history = CalendarHistory::new(v1.clone()).publish(datetime!(2024-03-08 00:00 +7), v2.clone())?;
/// assert_eq!(history.in_force_at(datetime!(2024-03-07 09:00 +7)).version(), v1.version());
/// assert_eq!(history.in_force_at(datetime!(2024-03-08 09:00 +7)).version(), v2.version());
/// assert_eq!(history.latest().version(), v2.version());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct CalendarHistory {
    first: Calendar,
    published: Vec<(OffsetDateTime, Calendar)>,
}

impl CalendarHistory {
    /// A history whose first version has always been in force.
    pub fn new(first: Calendar) -> Self {
        CalendarHistory {
            first,
            published: Vec::new(),
        }
    }

    /// Adds a version published at `at`, later than every version before it.
    pub fn publish(mut self, at: OffsetDateTime, calendar: Calendar) -> Result<Self, HistoryError> {
        if let Some((previous, _)) = self.published.last() {
            if at <= *previous {
                return Err(HistoryError::OutOfOrder {
                    version: calendar.version().to_string(),
                    at,
                    previous: *previous,
                });
            }
        }
        self.published.push((at, calendar));
        Ok(self)
    }

    /// The version in force at an instant: the last published at or before it.
    pub fn in_force_at(&self, t: OffsetDateTime) -> &Calendar {
        let n = self.published.partition_point(|(at, _)| *at <= t);
        match n.checked_sub(1).and_then(|i| self.published.get(i)) {
            Some((_, calendar)) => calendar,
            None => &self.first,
        }
    }

    /// The newest version.
    pub fn latest(&self) -> &Calendar {
        self.published.last().map_or(&self.first, |(_, c)| c)
    }

    /// The version with this identity (`name@hash`).
    pub fn version(&self, id: &str) -> Option<&Calendar> {
        std::iter::once(&self.first)
            .chain(self.published.iter().map(|(_, c)| c))
            .find(|c| c.version().to_string() == id)
    }

    /// The version with this content hash ([`CalendarVersion::hash`](motcua_calendar::CalendarVersion)).
    pub fn by_hash(&self, hash: u64) -> Option<&Calendar> {
        std::iter::once(&self.first)
            .chain(self.published.iter().map(|(_, c)| c))
            .find(|c| c.version().hash == hash)
    }

    /// The version a dossier is judged under: the one it was re-evaluated under, else the one
    /// in force when it was received (or submitted).
    pub fn for_dossier(&self, state: &DossierState) -> Result<&Calendar, HistoryError> {
        if let Some(id) = &state.calendar {
            return self
                .version(id)
                .ok_or_else(|| HistoryError::UnknownVersion(id.clone()));
        }
        Ok(match state.received_at.or(state.submitted_at) {
            Some(t) => self.in_force_at(t),
            None => self.latest(),
        })
    }

    /// Under [`CalendarPolicy::Reevaluate`], the event that moves an open dossier onto the newest
    /// version, if it is not already under it; under [`CalendarPolicy::Pinned`], nothing. Pass the
    /// event through the decider to record it.
    pub fn reevaluation(&self, state: &DossierState, policy: CalendarPolicy) -> Option<EventKind> {
        if policy == CalendarPolicy::Pinned || state.is_finished() || state.received_at.is_none() {
            return None;
        }
        let latest = self.latest().version().to_string();
        let current = self
            .for_dossier(state)
            .ok()
            .map(|c| c.version().to_string());
        (current.as_deref() != Some(latest.as_str()))
            .then_some(EventKind::CalendarReevaluated { calendar: latest })
    }
}
