//! Deadline alarms (*cảnh báo hạn*): the instants at which a dossier's judgement will change if
//! nothing more is recorded — the accept deadline passes, "due soon" begins, the official due
//! passes, the promised due passes, an open step's due passes, the applicant's time to supply
//! runs out.
//!
//! Alarms are exact to the minute: each is the first whole minute at which the new judgement
//! holds (a due compared by date passes at midnight after its date; one compared by instant, at
//! the first minute after it). Between two consecutive alarms the view's time class and flags
//! stay the same, and at each alarm one of them changes (property-tested against a view taken
//! every minute). While the dossier's clock is stopped (a wait still open, a restart awaiting
//! the complete dossier) its dues do not move, so only the applicant's supply deadline can ring.

use crate::deadline::{DueSoonWindow, Granularity};
use crate::event::Event;
use crate::ids::UnitId;
use crate::metadata::{DossierHandlers, OfficerId};
use crate::status::Status;
use crate::view::{ClockState, Context, DossierView, TimeClass, ViewError};
use motcua_calendar::CalendarError;
use serde::Serialize;
use time::{Duration, OffsetDateTime, Time};

/// What changes when an alarm rings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlarmKind {
    /// A submission not yet accepted passes its accept deadline (`accept_overdue`).
    AcceptDeadlinePassed,
    /// The dossier becomes due soon (*sắp đến hạn*).
    DueSoonBegins,
    /// The official due passes: the dossier becomes overdue (*quá hạn*).
    OfficialDuePassed,
    /// The due promised to the applicant passes (`promised_overdue`).
    PromisedDuePassed,
    /// An open step's own due passes: the step becomes late.
    StepDuePassed {
        /// The step.
        step: String,
        /// The unit handling it.
        unit: UnitId,
    },
    /// The applicant's time to supplement runs out (`supplement_overdue`).
    SupplementDuePassed,
}

impl AlarmKind {
    /// What changes, in words.
    pub fn label(&self) -> String {
        match self {
            AlarmKind::AcceptDeadlinePassed => "accept deadline passes".to_owned(),
            AlarmKind::DueSoonBegins => "due soon begins".to_owned(),
            AlarmKind::OfficialDuePassed => "official due passes: overdue".to_owned(),
            AlarmKind::PromisedDuePassed => "promised due passes".to_owned(),
            AlarmKind::StepDuePassed { step, unit } => {
                format!("step {step} at {unit}: its due passes")
            }
            AlarmKind::SupplementDuePassed => {
                "the applicant's time to supplement runs out".to_owned()
            }
        }
    }
}

/// A judgement change at a known instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alarm {
    /// The first whole minute at which the change holds.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// What changes.
    #[serde(flatten)]
    pub kind: AlarmKind,
}

/// Who answers for an alarm (*đơn vị, cán bộ chịu trách nhiệm*): the unit to notify and, when
/// the events name one, the officer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Responsible {
    /// The unit handling the step whose due passes; for the dossier's own dues, the unit
    /// holding the dossier.
    pub unit: UnitId,
    /// Who started the step whose due passes; for the dossier's own dues, who started its
    /// latest open step, else who recorded its latest event naming an officer.
    pub officer: Option<OfficerId>,
}

impl Alarm {
    /// Who answers for this alarm of the dossier `view` shows, with `handlers` taken from the
    /// same events ([`DossierHandlers::of`]).
    ///
    /// ```
    /// use motcua_core::{Alarm, AlarmKind, DossierHandlers, OfficerId, StepHandlers};
    /// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
    /// # use motcua_core::calendar::Calendar;
    /// # let catalogue = Catalogue::new(vec![Unit { id: UnitId::new("X"), name: "X".into(), level: Level::Commune, parent: None }],
    /// #   vec![Procedure { code: ProcedureCode::new("P"), name: "P".into(), field: "f".into(), level: Level::Commune, units: vec![],
    /// #   time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
    /// #   online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] }])?;
    /// # let received = Event { event_id: uuid::Uuid::nil(), dossier_id: DossierId::new("D"), sequence: 1,
    /// #     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7), recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
    /// #     kind: EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson },
    /// #     metadata: motcua_core::EventMetadata::by(OfficerId::new("tn.a").unwrap()) };
    /// # let calendar = Calendar::vietnam();
    /// # let context = Context::new(&catalogue, &calendar);
    /// let events = [received]; // received at unit X by officer tn.a, no step started
    /// let (view, alarms) = context.view_and_alarms(&events, events[0].occurred_at)?;
    /// let handlers = DossierHandlers::of(&events);
    /// let overdue = alarms.iter().find(|a| a.kind == AlarmKind::OfficialDuePassed).unwrap();
    /// let who = overdue.responsible(&view, &handlers);
    /// assert_eq!((who.unit.as_str(), who.officer.as_ref().map(OfficerId::as_str)), ("X", Some("tn.a")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn responsible(&self, view: &DossierView, handlers: &DossierHandlers) -> Responsible {
        match &self.kind {
            AlarmKind::StepDuePassed { unit, step } => Responsible {
                unit: unit.clone(),
                officer: handlers.open_step_starter(&view.steps, Some(step)).cloned(),
            },
            _ => Responsible {
                unit: view.current_unit.clone(),
                officer: handlers
                    .open_step_starter(&view.steps, None)
                    .or(handlers.latest.as_ref())
                    .cloned(),
            },
        }
    }
}

impl Context<'_> {
    /// The alarms of a dossier after `as_of`, in time order (then by kind), if nothing more is
    /// recorded: only events that happened by `as_of` count. Empty for a finished dossier.
    ///
    /// ```
    /// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
    /// # use motcua_core::calendar::Calendar;
    /// # use motcua_core::alarm::AlarmKind;
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
    /// // Due Thursday 7 March 09:00: due soon from Wednesday (the next working day is Thursday),
    /// // overdue from Friday (dates are compared).
    /// let alarms = context.alarms(&[received], datetime!(2024-03-04 10:00 +7))?;
    /// let when: Vec<_> = alarms.iter().map(|a| (a.at, a.kind.clone())).collect();
    /// assert_eq!(when, [
    ///     (datetime!(2024-03-06 00:00 +7), AlarmKind::DueSoonBegins),
    ///     (datetime!(2024-03-08 00:00 +7), AlarmKind::OfficialDuePassed),
    ///     (datetime!(2024-03-08 00:00 +7), AlarmKind::PromisedDuePassed),
    /// ]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alarms(&self, events: &[Event], as_of: OffsetDateTime) -> Result<Vec<Alarm>, ViewError> {
        self.view_and_alarms(events, as_of)
            .map(|(_, alarms)| alarms)
    }

    /// The view of a dossier as of `as_of` ([`Context::view_events`]) with its alarms after it
    /// ([`Context::alarms`]), the view built once for both.
    pub fn view_and_alarms(
        &self,
        events: &[Event],
        as_of: OffsetDateTime,
    ) -> Result<(DossierView, Vec<Alarm>), ViewError> {
        let view = self.view_events(events, as_of)?;
        let context = match self.history {
            None => *self,
            Some(_) => {
                let state = events
                    .iter()
                    .take_while(|e| e.occurred_at <= as_of)
                    .fold(crate::state::DossierState::default(), crate::state::evolve);
                self.for_dossier(&state)?
            }
        };
        match context.alarms_of(&view, as_of) {
            Ok(alarms) => Ok((view, alarms)),
            Err(source) => Err(ViewError::Deadline(
                crate::deadline::DeadlineError::Calendar {
                    dossier: view.dossier_id.clone(),
                    source,
                },
            )),
        }
    }

    pub(crate) fn alarms_of(
        &self,
        view: &DossierView,
        as_of: OffsetDateTime,
    ) -> Result<Vec<Alarm>, CalendarError> {
        let mut alarms = Vec::new();
        let mut ring = |at: Option<OffsetDateTime>, kind: AlarmKind| {
            if let Some(at) = at.filter(|at| *at > as_of) {
                alarms.push(Alarm { at, kind });
            }
        };
        if view.status == Status::Submitted {
            if let (Some(by), false) = (view.accept_by, view.accept_overdue) {
                ring(Some(after_instant(by)), AlarmKind::AcceptDeadlinePassed);
            }
        }
        if view.status.is_finished() || view.received_at.is_none() {
            alarms.sort_by(|a, b| (a.at, &a.kind).cmp(&(b.at, &b.kind)));
            return Ok(alarms);
        }
        if let (Some(due), false) = (view.supplement_due, view.supplement_overdue) {
            ring(Some(self.passes(due)), AlarmKind::SupplementDuePassed);
        }
        // The clock reads at the as-of instant (it is not stopped by a wait): the promised due
        // can pass, with or without a time limit.
        if matches!(view.clock, ClockState::Running | ClockState::NoLimit) {
            if let (Some(promised), false) = (view.promised_due, view.promised_overdue) {
                ring(Some(self.passes(promised)), AlarmKind::PromisedDuePassed);
            }
        }
        if view.clock == ClockState::Running {
            if let Some(due) = view.official_due {
                if view.time_class == TimeClass::WithinTime {
                    ring(self.due_soon_begins(due, as_of)?, AlarmKind::DueSoonBegins);
                }
                if view.time_class != TimeClass::Overdue {
                    ring(Some(self.passes(due)), AlarmKind::OfficialDuePassed);
                }
            }
            for step in view
                .steps
                .iter()
                .filter(|s| s.finished_at.is_none() && !s.late)
            {
                if let Some(due) = step.due {
                    ring(
                        Some(self.passes(due)),
                        AlarmKind::StepDuePassed {
                            step: step.step.clone(),
                            unit: step.unit.clone(),
                        },
                    );
                }
            }
        }
        alarms.sort_by(|a, b| (a.at, &a.kind).cmp(&(b.at, &b.kind)));
        Ok(alarms)
    }

    /// The first whole minute at which an instant is past `due` under the comparison in force.
    fn passes(&self, due: OffsetDateTime) -> OffsetDateTime {
        match self.rules.granularity {
            Granularity::Instant => after_instant(due),
            Granularity::Date => {
                let date = crate::deadline::local_date(due, self.calendar.offset());
                date.next_day().map_or(due, |next| {
                    next.with_time(Time::MIDNIGHT)
                        .assume_offset(self.calendar.offset())
                })
            }
        }
    }

    /// When "due soon" begins for a dossier due at `due`, judged after `as_of`.
    fn due_soon_begins(
        &self,
        due: OffsetDateTime,
        as_of: OffsetDateTime,
    ) -> Result<Option<OffsetDateTime>, CalendarError> {
        match self.rules.due_soon {
            DueSoonWindow::Hours(h) => Ok(Some(ceil_minute(due - Duration::hours(i64::from(h))))),
            DueSoonWindow::WorkingDays(n) => {
                // Due soon on a date D when the due date is at most the n-th working day after
                // D: the first such date after the as-of date, from its midnight.
                let offset = self.calendar.offset();
                let due_date = crate::deadline::local_date(due, offset);
                let mut day = crate::deadline::local_date(as_of, offset);
                while day < due_date {
                    let Some(next) = day.next_day() else {
                        return Ok(None);
                    };
                    day = next;
                    let mut horizon = day;
                    for _ in 0..n {
                        horizon = self.calendar.next_working_day(horizon)?;
                    }
                    if due_date <= horizon {
                        return Ok(Some(day.with_time(Time::MIDNIGHT).assume_offset(offset)));
                    }
                }
                Ok(None)
            }
        }
    }
}

/// The first whole minute strictly after `t`.
fn after_instant(t: OffsetDateTime) -> OffsetDateTime {
    floor_minute(t) + Duration::minutes(1)
}

/// `t` with its seconds dropped.
fn floor_minute(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_second(0)
        .and_then(|t| t.replace_nanosecond(0))
        .unwrap_or(t)
}

/// The first whole minute at or after `t`.
fn ceil_minute(t: OffsetDateTime) -> OffsetDateTime {
    let floor = floor_minute(t);
    if floor == t {
        t
    } else {
        floor + Duration::minutes(1)
    }
}
