//! A dossier's standing (*tình trạng hồ sơ*): its view at its last event with what it takes to
//! see it at any later instant without its events.
//!
//! After a dossier's last event nothing moves but the clock: its dues, its steps' dues and
//! everything its events say stay as they are, while the minutes used, left and overdue, the
//! time class and the overdue flags follow the instant asked about. A [`Standing`] keeps the
//! first part (the view as of the last event, and the [`ClockBasis`] the minutes count from),
//! and [`Context::view_at`] computes the second part for a later instant with the same code
//! [`Context::view`] ends with. So, for every instant at or after the last event,
//! `view_at(standing(events), t) == view_events(events, t)`: property-tested against views
//! taken from the events (`tests/standing_law.rs`). A desk's projection keeps standings so
//! that listing thousands of open dossiers reads no event.

use crate::alarm::Alarm;
use crate::event::Event;
use crate::state::{self, DossierState};
use crate::view::{ClockBasis, Context, DossierView, ViewError};
use motcua_calendar::CalendarError;
use time::OffsetDateTime;

/// A dossier's view at an instant (its last event's, or the latest any of its events occurred
/// at, from [`Context::standing`]) with the basis of its clock: what [`Context::view_at`] needs to show it at any later instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Standing {
    /// The instant the view was taken at: the standing answers for instants at or after it.
    pub at: OffsetDateTime,
    /// The view at [`Standing::at`].
    pub view: DossierView,
    /// Where its clock counts from.
    pub clock: ClockBasis,
    /// The content hash of the calendar it was judged under
    /// ([`CalendarVersion::hash`](motcua_calendar::CalendarVersion)).
    pub calendar: u64,
}

impl<'a> Context<'a> {
    /// The standing of a dossier as of its last event (the latest instant any of its events
    /// occurred at): its view then, and what it takes to see it later ([`Context::view_at`]).
    ///
    /// The events must be one dossier's, in sequence order, already checked.
    ///
    /// ```
    /// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId, TimeClass};
    /// # use motcua_core::calendar::Calendar;
    /// # let catalogue = Catalogue::new(vec![Unit { id: UnitId::new("X"), name: "X".into(), level: Level::Commune, parent: None }],
    /// #   vec![Procedure { code: ProcedureCode::new("P"), name: "P".into(), field: "f".into(), level: Level::Commune, units: vec![],
    /// #   time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
    /// #   online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] }])?;
    /// use time::macros::datetime;
    /// let received = Event { event_id: uuid::Uuid::nil(), dossier_id: DossierId::new("D"), sequence: 1,
    ///     occurred_at: datetime!(2024-03-04 09:00 +7), recorded_at: datetime!(2024-03-04 09:00 +7),
    ///     kind: EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson }, metadata: Default::default() };
    /// let calendar = Calendar::vietnam();
    /// let context = Context::new(&catalogue, &calendar);
    /// let standing = context.standing(std::slice::from_ref(&received))?;
    /// // Due Thursday 7 March 09:00: overdue on Friday, seen without the events.
    /// let friday = datetime!(2024-03-08 10:00 +7);
    /// let view = context.view_at(standing, friday)?;
    /// assert_eq!(view.time_class, TimeClass::Overdue);
    /// assert_eq!(view, context.view_events(&[received], friday)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// As [`Context::view_events`] as of the last event ([`ViewError::NoEvents`] for no event).
    pub fn standing(&self, events: &[Event]) -> Result<Standing, ViewError> {
        // The latest instant any event occurred at: the last event's, unless the stream goes
        // back in time (a store's raw append does not check), when the view as of the last
        // event would leave out the events after it that occurred later.
        let Some(at) = events.iter().map(|e| e.occurred_at).max() else {
            return Err(ViewError::NoEvents {
                dossier: crate::ids::DossierId::new(""),
                as_of: OffsetDateTime::UNIX_EPOCH,
            });
        };
        // Every event occurred by `at`: the standing is of them all.
        let state = events.iter().fold(DossierState::default(), state::evolve);
        let context = self.for_dossier(&state)?;
        let (view, clock) = context.view_and_basis(&state, at)?;
        Ok(Standing {
            at,
            view,
            clock,
            calendar: context.calendar.version().hash,
        })
    }

    /// The view of a dossier at `as_of`, from its standing (taken by value, as a fold takes its
    /// state: the view is the standing's, moved on): equal to [`Context::view_events`] of its
    /// events at `as_of`, computed without them.
    ///
    /// # Errors
    /// [`ViewError::StandingMoved`] when `as_of` is before [`Standing::at`] (events up to then
    /// are not in the standing) or when the standing was judged under a calendar this context
    /// does not hold; [`ViewError::Deadline`] when the calendar cannot count to `as_of`.
    pub fn view_at(
        &self,
        standing: Standing,
        as_of: OffsetDateTime,
    ) -> Result<DossierView, ViewError> {
        self.moved_on(standing, as_of).map(|(_, view)| view)
    }

    /// [`Context::view_at`] with the alarms after `as_of` ([`Context::alarms`]): equal to
    /// [`Context::view_and_alarms`] of its events.
    ///
    /// # Errors
    /// As [`Context::view_at`].
    pub fn view_and_alarms_at(
        &self,
        standing: Standing,
        as_of: OffsetDateTime,
    ) -> Result<(DossierView, Vec<Alarm>), ViewError> {
        let (context, view) = self.moved_on(standing, as_of)?;
        let alarms = context
            .alarms_of(&view, as_of)
            .map_err(|source| calendar_error(&view, source))?;
        Ok((view, alarms))
    }

    /// The alarms after the standing's own instant ([`Context::alarms`] as of its last event),
    /// from the view it keeps: nothing to move on.
    ///
    /// # Errors
    /// As [`Context::view_at`].
    pub fn alarms_of_standing(&self, standing: &Standing) -> Result<Vec<Alarm>, ViewError> {
        let context = self.for_standing(standing, standing.at)?;
        context
            .alarms_of(&standing.view, standing.at)
            .map_err(|source| calendar_error(&standing.view, source))
    }

    /// The standing's view moved on to `as_of`, with the context of its calendar.
    fn moved_on(
        &self,
        standing: Standing,
        as_of: OffsetDateTime,
    ) -> Result<(Context<'a>, DossierView), ViewError> {
        let context = self.for_standing(&standing, as_of)?;
        let mut view = standing.view;
        context
            .judge_at(&mut view, &standing.clock, as_of)
            .map_err(|source| calendar_error(&view, source))?;
        Ok((context, view))
    }

    /// This context with the standing's calendar, when `as_of` is one the standing answers for.
    fn for_standing(
        &self,
        standing: &Standing,
        as_of: OffsetDateTime,
    ) -> Result<Context<'a>, ViewError> {
        let moved = || ViewError::StandingMoved {
            dossier: standing.view.dossier_id.clone(),
            at: standing.at,
            as_of,
        };
        if as_of < standing.at {
            return Err(moved());
        }
        let calendar = match self.history {
            None => Some(self.calendar).filter(|c| c.version().hash == standing.calendar),
            Some(history) => history.by_hash(standing.calendar),
        };
        match calendar {
            Some(calendar) => Ok(Context {
                calendar,
                history: None,
                ..*self
            }),
            None => Err(moved()),
        }
    }
}

fn calendar_error(view: &DossierView, source: CalendarError) -> ViewError {
    ViewError::Deadline(crate::deadline::DeadlineError::Calendar {
        dossier: view.dossier_id.clone(),
        source,
    })
}
