//! The derived view of a dossier as of an instant: status, dues, clock, time class and steps.

use crate::calendars::CalendarHistory;
use crate::deadline::{
    self, DeadlineError, DueSoonWindow, Granularity, JudgingRules, NoTrace, PauseCause,
};
use crate::event::Event;
use crate::ids::{DossierId, ProcedureCode, UnitId};
use crate::procedure::{Catalogue, Channel, Procedure};
use crate::state::{self, DossierState};
use crate::status::Status;
use motcua_calendar::{Calendar, CalendarError};
use serde::Serialize;
use std::cmp::Ordering;
use time::OffsetDateTime;

/// How a dossier stands against its due (*trước hạn / đúng hạn / quá hạn*, *trong hạn / sắp đến
/// hạn / quá hạn*).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TimeClass {
    /// Finished before the due date.
    Early,
    /// Finished on the due date (or instant).
    OnTime,
    /// Finished after the due, or with more than one supplement request under the 766 rule.
    Late,
    /// Open and not due soon.
    WithinTime,
    /// Open and due within the due-soon window.
    DueSoon,
    /// Open and past its due.
    Overdue,
    /// Not judged: not yet received, refused, withdrawn or stopped.
    NotJudged,
}

impl TimeClass {
    /// The class's English name.
    pub const fn label(self) -> &'static str {
        match self {
            TimeClass::Early => "early",
            TimeClass::OnTime => "on time",
            TimeClass::Late => "late",
            TimeClass::WithinTime => "within time",
            TimeClass::DueSoon => "due soon",
            TimeClass::Overdue => "overdue",
            TimeClass::NotJudged => "not judged",
        }
    }
}

/// Why a dossier is late or overdue.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum LateReason {
    /// It went past its official due.
    PastDue,
    /// More than one supplement request (the Decision 766 rule).
    MultipleSupplements,
}

/// What the clock is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockState {
    /// Not received yet.
    NotStarted,
    /// Counting.
    Running,
    /// Standing still while waiting.
    Paused(PauseCause),
    /// The dossier is finished.
    Stopped,
    /// The procedure has no time limit.
    NoLimit,
}

impl ClockState {
    /// The clock's state in words.
    pub const fn label(self) -> &'static str {
        match self {
            ClockState::NotStarted => "not started (not yet received)",
            ClockState::Running => "running",
            ClockState::Paused(PauseCause::Supplement) => "paused, waiting for a supplement",
            ClockState::Paused(PauseCause::Payment) => "paused, waiting for payment",
            ClockState::Stopped => "stopped (the dossier is finished)",
            ClockState::NoLimit => "no time limit",
        }
    }
}

/// Where a dossier's clock counts from, kept beside a view so that the view can be taken again
/// at a later instant without the events (see [`Standing`](crate::Standing)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClockBasis {
    /// When the clock last (re)started: reception, or the supply that restarted it.
    pub counting_from: Option<OffsetDateTime>,
    /// Working minutes the clock stood still in waits that ended since it last started.
    pub paused_minutes: u64,
    /// Where a wait still open stopped the clock (*tạm dừng*): it reads there until the wait
    /// ends.
    pub stopped_at: Option<OffsetDateTime>,
}

/// One step run with its own due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepView {
    /// The step's id.
    pub step: String,
    /// The unit handling it.
    pub unit: UnitId,
    /// When it started.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it finished.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Its own due, from its share of the limit; `None` when the procedure gives it no share.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// Finished after its due, or still open past it.
    pub late: bool,
}

/// A dossier as of an instant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DossierView {
    /// The dossier.
    pub dossier_id: DossierId,
    /// The procedure.
    pub procedure: ProcedureCode,
    /// The unit that received it.
    pub unit: UnitId,
    /// The unit that holds it now.
    pub current_unit: UnitId,
    /// How it arrived.
    pub channel: Channel,
    /// Its status.
    pub status: Status,
    /// The national portal's code for the status.
    pub national_code: u8,
    /// Submitted online or by post at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// Received at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    /// Finished at (result ready, refused, withdrawn, stopped).
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// The official due.
    #[serde(with = "time::serde::rfc3339::option")]
    pub official_due: Option<OffsetDateTime>,
    /// The due promised to the applicant (after apologies).
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised_due: Option<OffsetDateTime>,
    /// Open and past the due promised to the applicant (compared as the official due is,
    /// where the clock reads): the appointment on the slip has been missed.
    pub promised_overdue: bool,
    /// For a submission not yet received, when it must be accepted or refused.
    #[serde(with = "time::serde::rfc3339::option")]
    pub accept_by: Option<OffsetDateTime>,
    /// A submission still waiting past its accept deadline.
    pub accept_overdue: bool,
    /// What the clock is doing.
    pub clock: ClockState,
    /// Working minutes counted against the limit so far: from where the clock last started to
    /// where it reads (the as-of instant, the end, or the start of a wait still open), less the
    /// waits that stopped it.
    pub used_minutes: u32,
    /// Working minutes from where the clock reads to the official due (0 when past it, or with
    /// no due). Constant while the clock is stopped; never rises while it runs.
    pub left_minutes: u32,
    /// Working minutes past the official due, once the dossier is past it under the configured
    /// comparison (by date, the default: from the day after the due date), and at least 1 then,
    /// even when no working minute has passed since the due (the night after a due at a close, a
    /// weekend); 0 otherwise, and for a dossier not judged. So `overdue_minutes > 0` exactly
    /// when the dossier is overdue, or late past its due.
    pub overdue_minutes: u32,
    /// How it stands against its due.
    pub time_class: TimeClass,
    /// Why it is late or overdue.
    pub late_reason: Option<LateReason>,
    /// Number of supplement requests (65,535 and more show as 65,535).
    pub supplement_rounds: u16,
    /// While the applicant is asked to supplement and the procedure sets a time for it: when it
    /// runs out (*hạn bổ sung hồ sơ*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplement_due: Option<OffsetDateTime>,
    /// Still waiting for the applicant past [`supplement_due`](Self::supplement_due) (compared
    /// as dues are): the agency may stop the dossier.
    pub supplement_overdue: bool,
    /// Stopped because the applicant did not supplement in time (a `supplement_expired` event).
    pub supplement_expired: bool,
    /// Step runs with their own dues (a boxed slice: a view is never grown after it is built,
    /// and this keeps [`DossierView`] within 256 bytes).
    pub steps: Box<[StepView]>,
    /// Electronic result issued.
    pub electronic_result: Option<bool>,
    /// The last obligation paid online (`None` if nothing was paid).
    pub paid_online: Option<bool>,
    /// The applicant's rating.
    pub satisfied: Option<bool>,
    /// When the applicant rated.
    #[serde(with = "time::serde::rfc3339::option")]
    pub rated_at: Option<OffsetDateTime>,
    /// Components, digitised components and reused components, if recorded.
    pub digitisation: Option<(u32, u32, u32)>,
    /// Feedback or complaints filed about the handling.
    pub feedback: u32,
}

impl DossierView {
    /// Number of steps that were late.
    pub fn late_steps(&self) -> usize {
        self.steps.iter().filter(|s| s.late).count()
    }
}

/// Why a view could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ViewError {
    /// No event of the dossier happened by the as-of instant.
    #[error("{}no event by {}", whose(dossier), crate::rules::rfc3339(*as_of))]
    NoEvents {
        /// The dossier.
        dossier: DossierId,
        /// The as-of instant.
        as_of: OffsetDateTime,
    },
    /// The dossier's procedure is not in the catalogue.
    #[error("dossier {dossier}: procedure {procedure} is not in the catalogue")]
    UnknownProcedure {
        /// The dossier.
        dossier: DossierId,
        /// The unknown code.
        procedure: ProcedureCode,
    },
    /// No version of the dossier's procedure was in force on the day it was received.
    #[error("dossier {dossier}: no version of procedure {procedure} was in force on {date}, the day it was received; add one with effective dates covering it")]
    NotInForce {
        /// The dossier.
        dossier: DossierId,
        /// The procedure.
        procedure: ProcedureCode,
        /// The reception (or submission) date.
        date: time::Date,
    },
    /// The dossier's calendar version is not in the history.
    #[error(transparent)]
    Calendar(#[from] crate::calendars::HistoryError),
    /// A due could not be computed.
    #[error(transparent)]
    Deadline(#[from] DeadlineError),
    /// A [`Standing`](crate::Standing) asked about an instant before it was taken, or under a
    /// calendar the context does not hold: the dossier must be viewed from its events.
    #[error("dossier {dossier}: its standing was taken at {} under another calendar or after {}; view it from its events", crate::rules::rfc3339(*at), crate::rules::rfc3339(*as_of))]
    StandingMoved {
        /// The dossier.
        dossier: DossierId,
        /// When the standing was taken.
        at: OffsetDateTime,
        /// The instant asked about.
        as_of: OffsetDateTime,
    },
}

/// Everything a view needs besides the events: the catalogue, the calendar and the judging rules.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// Procedures and units.
    pub catalogue: &'a Catalogue,
    /// The working calendar (with a history: its newest version).
    pub calendar: &'a Calendar,
    /// How to judge.
    pub rules: JudgingRules,
    /// Calendar versions over time: when set, each dossier is judged under its own version
    /// (pinned at reception, or the one it was re-evaluated under).
    pub history: Option<&'a CalendarHistory>,
}

impl<'a> Context<'a> {
    /// A context with the default judging rules and one calendar for every dossier.
    pub fn new(catalogue: &'a Catalogue, calendar: &'a Calendar) -> Self {
        Context {
            catalogue,
            calendar,
            rules: JudgingRules::default(),
            history: None,
        }
    }

    /// A context that judges each dossier under the calendar version it was promised under.
    pub fn with_history(catalogue: &'a Catalogue, history: &'a CalendarHistory) -> Self {
        Context {
            catalogue,
            calendar: history.latest(),
            rules: JudgingRules::default(),
            history: Some(history),
        }
    }

    /// The calendar a dossier is judged under: with a history, the version pinned at reception or
    /// the one it was re-evaluated under; else the context's calendar.
    pub fn calendar_for(&self, state: &DossierState) -> Result<&'a Calendar, ViewError> {
        Ok(self.for_dossier(state)?.calendar)
    }

    /// The full trace of a dossier's due as of `as_of`, under the procedure version and the
    /// calendar version the dossier is judged by (both named in the trace's rule entry).
    pub fn explain(
        &self,
        state: &DossierState,
        as_of: OffsetDateTime,
    ) -> Result<deadline::Explanation, ViewError> {
        let context = self.for_dossier(state)?;
        let procedure = context.procedure_for(state)?;
        let mut explanation =
            deadline::explain(state, procedure, context.calendar, as_of, &context.rules)?;
        let date = state
            .received_at
            .or(state.submitted_at)
            .map(|t| context.local_date(t));
        let version = date.and_then(|d| context.catalogue.version_at(&procedure.code, d));
        if let (Some(version), Some(deadline::TraceEntry::Rule { in_force, .. })) =
            (version, explanation.entries.first_mut())
        {
            *in_force = deadline::in_force_text(version);
        }
        Ok(explanation)
    }

    /// This context with the calendar a dossier is judged under.
    pub(crate) fn for_dossier(&self, state: &DossierState) -> Result<Context<'a>, ViewError> {
        match self.history {
            None => Ok(*self),
            Some(history) => Ok(Context {
                calendar: history.for_dossier(state)?,
                history: None,
                ..*self
            }),
        }
    }

    /// The view of a dossier from its events, counting only events that happened by `as_of`.
    ///
    /// The events must be one dossier's, in sequence order, already checked (read from a store
    /// or an import).
    pub fn view_events(
        &self,
        events: &[Event],
        as_of: OffsetDateTime,
    ) -> Result<DossierView, ViewError> {
        let state = events
            .iter()
            .take_while(|e| e.occurred_at <= as_of)
            .fold(DossierState::default(), state::evolve);
        self.view(&state, as_of)
            .map_err(|e| name_dossier(e, events))
    }

    /// The view as of `as_of` *as known at* `known_at`: events recorded after `known_at` are
    /// ignored, so a report published at `known_at` can be reproduced exactly after late records
    /// arrive (bitemporal as-of).
    ///
    /// Within a dossier both `occurred_at` and `recorded_at` never go backwards, so the events
    /// known are a prefix of the stream.
    ///
    /// ```
    /// # use motcua_core::{Catalogue, Channel, Context, DossierId, Event, EventKind, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId, Status};
    /// # use motcua_core::calendar::Calendar;
    /// # let catalogue = Catalogue::new(vec![Unit { id: UnitId::new("X"), name: "X".into(), level: Level::Commune, parent: None }],
    /// #   vec![Procedure { code: ProcedureCode::new("P"), name: "P".into(), field: "f".into(), level: Level::Commune, units: vec![],
    /// #   time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
    /// #   online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] }])?;
    /// use time::macros::datetime;
    /// let event = |seq, occurred, recorded, kind| Event { event_id: uuid::Uuid::from_u128(seq as u128),
    ///     dossier_id: DossierId::new("D"), sequence: seq, occurred_at: occurred, recorded_at: recorded, kind, metadata: Default::default() };
    /// let events = [
    ///     event(1, datetime!(2024-03-04 09:00 +7), datetime!(2024-03-04 09:00 +7),
    ///           EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson }),
    ///     // The result was ready on 6 March but only entered on 10 March.
    ///     event(2, datetime!(2024-03-06 10:00 +7), datetime!(2024-03-10 08:00 +7), EventKind::ResultReady { electronic: true }),
    /// ];
    /// let calendar = Calendar::vietnam();
    /// let context = Context::new(&catalogue, &calendar);
    /// let as_of = datetime!(2024-03-08 17:00 +7);
    /// assert_eq!(context.view_known_at(&events, as_of, datetime!(2024-03-08 17:00 +7))?.status, Status::Received);
    /// assert_eq!(context.view_known_at(&events, as_of, datetime!(2024-03-10 09:00 +7))?.status, Status::ResultReady);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view_known_at(
        &self,
        events: &[Event],
        as_of: OffsetDateTime,
        known_at: OffsetDateTime,
    ) -> Result<DossierView, ViewError> {
        self.view_events(crate::event::known_prefix(events, known_at), as_of)
            .map_err(|e| name_dossier(e, events))
    }

    /// The view of a folded dossier as of `as_of`.
    pub fn view(
        &self,
        state: &DossierState,
        as_of: OffsetDateTime,
    ) -> Result<DossierView, ViewError> {
        self.view_and_basis(state, as_of).map(|(view, _)| view)
    }

    /// [`Context::view`], with the basis its clock's minutes were counted from.
    pub(crate) fn view_and_basis(
        &self,
        state: &DossierState,
        as_of: OffsetDateTime,
    ) -> Result<(DossierView, ClockBasis), ViewError> {
        if self.history.is_some() {
            return self.for_dossier(state)?.view_and_basis(state, as_of);
        }
        let no_events = || ViewError::NoEvents {
            dossier: state
                .dossier_id
                .clone()
                .unwrap_or_else(|| DossierId::new("")),
            as_of,
        };
        let (Some(dossier_id), Some(status), Some(code), Some(unit), Some(channel)) = (
            state.dossier_id.clone(),
            state.status,
            state.procedure.clone(),
            state.receiving_unit.clone(),
            state.channel,
        ) else {
            return Err(no_events());
        };
        let procedure = self.procedure_for(state)?;
        let dues = deadline::compute(
            state,
            procedure,
            self.calendar,
            as_of,
            &self.rules,
            &mut NoTrace,
        )?;
        let cal_err = |source: CalendarError| DeadlineError::Calendar {
            dossier: dossier_id.clone(),
            source,
        };

        let end = state.finished_at.map_or(as_of, |f| f.min(as_of));
        // Where the clock reads: the end (finished, or the as-of instant), or where a wait still
        // open stopped it.
        let clock_at = dues.clock_stopped_at.map_or(end, |t| t.min(end));
        let clock = if state.received_at.is_none() {
            ClockState::NotStarted
        } else if state.is_finished() {
            ClockState::Stopped
        } else if procedure.time_limit == crate::procedure::TimeLimit::None {
            ClockState::NoLimit
        } else if let Some(cause) = dues.paused_by {
            ClockState::Paused(cause)
        } else {
            ClockState::Running
        };
        let steps = self
            .steps(state, procedure, clock_at, dues.official)
            .map_err(cal_err)?;
        let basis = ClockBasis {
            counting_from: dues.counting_from,
            paused_minutes: dues.paused_minutes,
            stopped_at: dues.clock_stopped_at,
        };
        let mut view = DossierView {
            dossier_id,
            procedure: code,
            current_unit: state.current_unit.clone().unwrap_or_else(|| unit.clone()),
            unit,
            channel,
            status,
            national_code: status.national_code(),
            submitted_at: state.submitted_at,
            received_at: state.received_at,
            finished_at: state.finished_at,
            official_due: dues.official,
            promised_due: dues.promised,
            promised_overdue: false,
            accept_by: dues.accept_by,
            accept_overdue: false,
            clock,
            used_minutes: 0,
            left_minutes: 0,
            overdue_minutes: 0,
            time_class: TimeClass::NotJudged,
            late_reason: None,
            supplement_rounds: u16::try_from(state.supplements.len()).unwrap_or(u16::MAX),
            supplement_due: dues.supplement_due,
            supplement_overdue: false,
            supplement_expired: status == Status::Stopped
                && state
                    .supplements
                    .last()
                    .is_some_and(|r| r.closed.is_some_and(|(_, supplied)| !supplied)),
            steps,
            electronic_result: state.electronic_result,
            paid_online: state
                .payments
                .iter()
                .rev()
                .find_map(|p| p.paid.map(|(_, online)| online)),
            satisfied: state.satisfied,
            rated_at: state.rated_at,
            digitisation: state.digitisation,
            feedback: state.feedback,
        };
        if let Err(source) = self.judge_at(&mut view, &basis, as_of) {
            return Err(DeadlineError::Calendar {
                dossier: view.dossier_id,
                source,
            }
            .into());
        }
        Ok((view, basis))
    }

    /// Sets what in `view` depends on the instant it is taken at, from what does not: the
    /// minutes used, left and overdue, the time class and why it is late, each step's lateness,
    /// and the accept, promised and supplement flags. [`Context::view`] ends with it; a
    /// [`Standing`](crate::Standing) is moved to a later instant with it.
    pub(crate) fn judge_at(
        &self,
        view: &mut DossierView,
        basis: &ClockBasis,
        as_of: OffsetDateTime,
    ) -> Result<(), CalendarError> {
        let end = view.finished_at.map_or(as_of, |f| f.min(as_of));
        let clock_at = basis.stopped_at.map_or(end, |t| t.min(end));
        let mut used_minutes = 0u64;
        let mut left_minutes = 0u64;
        let mut overdue_minutes = 0u64;
        if let Some(from) = basis.counting_from {
            let elapsed = self.calendar.working_minutes_between(from, clock_at)?;
            used_minutes = elapsed.saturating_sub(basis.paused_minutes);
            if let Some(due) = view.official_due {
                left_minutes = self.calendar.working_minutes_between(clock_at, due)?;
                if self.compare(clock_at, due) == Ordering::Greater {
                    // Past its due under the configured comparison: at least a minute, even when
                    // no working minute has passed since (the night after a due at a close, a
                    // weekend), so that `overdue_minutes > 0` exactly when it is past due.
                    overdue_minutes = self.calendar.working_minutes_between(due, clock_at)?.max(1);
                }
            }
        }
        let (time_class, late_reason) = self.judge(view, clock_at)?;
        if time_class == TimeClass::NotJudged {
            // Refused, withdrawn or stopped: not judged, so never overdue.
            overdue_minutes = 0;
        }
        for step in view.steps.iter_mut() {
            let end = step.finished_at.map_or(clock_at, |f| f.min(clock_at));
            step.late = step
                .due
                .is_some_and(|d| self.compare(end, d) == Ordering::Greater);
        }
        let finished = view.status.is_finished();
        view.used_minutes = saturating_u32(used_minutes);
        view.left_minutes = saturating_u32(left_minutes);
        view.overdue_minutes = saturating_u32(overdue_minutes);
        view.time_class = time_class;
        view.late_reason = late_reason;
        view.accept_overdue = view.accept_by.is_some_and(|by| as_of > by);
        view.promised_overdue = !finished
            && view.received_at.is_some()
            && view
                .promised_due
                .is_some_and(|p| self.compare(clock_at, p) == Ordering::Greater);
        view.supplement_overdue = view
            .supplement_due
            .is_some_and(|d| self.compare(end, d) == Ordering::Greater);
        Ok(())
    }

    /// The version of the dossier's procedure it is judged under: the one in force on the local
    /// date it was received (or submitted, before reception).
    pub fn procedure_for(&self, state: &DossierState) -> Result<&'a Procedure, ViewError> {
        let dossier = || {
            state
                .dossier_id
                .clone()
                .unwrap_or_else(|| DossierId::new(""))
        };
        let Some(code) = state.procedure.as_ref() else {
            return Err(ViewError::NoEvents {
                dossier: dossier(),
                as_of: OffsetDateTime::UNIX_EPOCH,
            });
        };
        let reception = state.received_at.or(state.submitted_at);
        let Some(date) = reception.map(|t| self.local_date(t)) else {
            return self
                .catalogue
                .procedure(code)
                .ok_or_else(|| ViewError::UnknownProcedure {
                    dossier: dossier(),
                    procedure: code.clone(),
                });
        };
        self.catalogue.procedure_at(code, date).ok_or_else(|| {
            if self.catalogue.procedure(code).is_some() {
                ViewError::NotInForce {
                    dossier: dossier(),
                    procedure: code.clone(),
                    date,
                }
            } else {
                ViewError::UnknownProcedure {
                    dossier: dossier(),
                    procedure: code.clone(),
                }
            }
        })
    }

    fn judge(
        &self,
        view: &DossierView,
        as_of: OffsetDateTime,
    ) -> Result<(TimeClass, Option<LateReason>), CalendarError> {
        let due = view.official_due;
        match view.status {
            Status::Submitted | Status::Refused | Status::Withdrawn | Status::Stopped => {
                Ok((TimeClass::NotJudged, None))
            }
            Status::ResultReady | Status::Returned => {
                if self.rules.multiple_supplements_late && view.supplement_rounds > 1 {
                    return Ok((TimeClass::Late, Some(LateReason::MultipleSupplements)));
                }
                let (Some(end), Some(due)) = (view.finished_at, due) else {
                    return Ok((TimeClass::OnTime, None));
                };
                Ok(match self.compare(end, due) {
                    Ordering::Greater => (TimeClass::Late, Some(LateReason::PastDue)),
                    Ordering::Less if self.local_date(end) < self.local_date(due) => {
                        (TimeClass::Early, None)
                    }
                    _ => (TimeClass::OnTime, None),
                })
            }
            Status::Received
            | Status::Processing
            | Status::SupplementRequested
            | Status::AwaitingPayment => {
                let Some(due) = due else {
                    return Ok((TimeClass::WithinTime, None));
                };
                if self.compare(as_of, due) == Ordering::Greater {
                    return Ok((TimeClass::Overdue, Some(LateReason::PastDue)));
                }
                let soon = match self.rules.due_soon {
                    DueSoonWindow::WorkingDays(n) => {
                        let mut day = self.local_date(as_of);
                        for _ in 0..n {
                            day = self.calendar.next_working_day(day)?;
                        }
                        self.local_date(due) <= day
                    }
                    DueSoonWindow::Hours(h) => due <= as_of + time::Duration::hours(i64::from(h)),
                };
                Ok((
                    if soon {
                        TimeClass::DueSoon
                    } else {
                        TimeClass::WithinTime
                    },
                    None,
                ))
            }
        }
    }

    /// Compares an end instant with a due under the configured granularity.
    fn compare(&self, end: OffsetDateTime, due: OffsetDateTime) -> Ordering {
        match self.rules.granularity {
            Granularity::Date => self.local_date(end).cmp(&self.local_date(due)),
            Granularity::Instant => end.cmp(&due),
        }
    }

    fn local_date(&self, t: OffsetDateTime) -> time::Date {
        crate::deadline::local_date(t, self.calendar.offset())
    }

    /// The view's step runs, built in one allocation of the exact size (views of many dossiers
    /// are derived in bulk; collecting a `Result` iterator would grow and then shrink).
    ///
    /// A step's budget is its share of the limit in the limit's own unit, counted like the
    /// dossier's due from the step's normalised start ([`step_due`]); the waits that stop the
    /// dossier's clock stop the step's too; and no step is due after the dossier.
    fn steps(
        &self,
        state: &DossierState,
        procedure: &Procedure,
        clock_at: OffsetDateTime,
        official: Option<OffsetDateTime>,
    ) -> Result<Box<[StepView]>, CalendarError> {
        let mut steps = Vec::with_capacity(state.steps.len());
        for run in &state.steps {
            let end = run.finished_at.map_or(clock_at, |f| f.min(clock_at));
            let due = match procedure.step(&run.step) {
                Some(spec) => {
                    let start = self.calendar.next_working_instant(run.started_at)?;
                    let waited = self.waited(state, procedure, start, end)?;
                    step_due(
                        self.calendar,
                        procedure.time_limit,
                        spec.share_percent,
                        start,
                        waited,
                    )?
                    .map(|d| official.map_or(d, |o| d.min(o)))
                }
                None => None,
            };
            steps.push(StepView {
                step: run.step.clone(),
                unit: run.unit.clone(),
                started_at: run.started_at,
                finished_at: run.finished_at,
                due,
                // Set with the rest of what depends on the instant, by `judge_at`.
                late: false,
            });
        }
        Ok(steps.into_boxed_slice())
    }

    /// The time inside `[from, to)` spent in waits that stop the clock (supplement rounds, and
    /// payment waits when the procedure says they pause it): working minutes and wall-clock time.
    fn waited(
        &self,
        state: &DossierState,
        procedure: &Procedure,
        from: OffsetDateTime,
        to: OffsetDateTime,
    ) -> Result<Waited, CalendarError> {
        let payments = state
            .payments
            .iter()
            .filter(|_| procedure.payment_pauses_clock)
            .map(|p| (p.requested_at, p.paid.map(|(t, _)| t)));
        let waits = state
            .supplements
            .iter()
            .map(|r| (r.requested_at, r.closed.map(|(t, _)| t)))
            .chain(payments);
        let mut total = Waited::default();
        for (start, end) in waits {
            let (a, b) = (start.max(from), end.unwrap_or(to).min(to));
            if a < b {
                total.minutes = total
                    .minutes
                    .saturating_add(self.calendar.working_minutes_between(a, b)?);
                total.wall = total.wall.saturating_add(b - a);
            }
        }
        Ok(total)
    }
}

/// Time spent waiting, in both measures.
#[derive(Clone, Copy, Debug, Default)]
struct Waited {
    minutes: u64,
    wall: time::Duration,
}

/// A step's own due: `share_percent` of the procedure's limit, in the limit's own unit, from the
/// step's normalised `start`, moved by the time `waited` inside the step. Working days: the
/// whole days of the share counted as the dossier's working days are (same time of day), the
/// rest in working minutes (a day is 8 hours); working hours and same-day limits in working
/// minutes ([`deadline::working_due`]); calendar days as wall-clock time rolled forward to a
/// working day ([`Calendar::roll_forward`]). `None` for a procedure without a limit.
fn step_due(
    calendar: &Calendar,
    limit: crate::procedure::TimeLimit,
    share_percent: u8,
    start: OffsetDateTime,
    waited: Waited,
) -> Result<Option<OffsetDateTime>, CalendarError> {
    use crate::procedure::TimeLimit;
    let share = u64::from(share_percent);
    let minutes = |total: u64| total * share / 100;
    Ok(Some(match limit {
        TimeLimit::WorkingDays(n) => {
            let hundredths = u64::from(n) * share;
            let days = u32::try_from(hundredths / 100).unwrap_or(u32::MAX);
            let rest = (hundredths % 100) * 480 / 100 + waited.minutes;
            let due = calendar.add_working_days(start, days)?;
            if rest == 0 {
                due
            } else {
                deadline::working_due(calendar, due, rest)?
            }
        }
        TimeLimit::WorkingHours(h) => {
            deadline::working_due(calendar, start, minutes(u64::from(h) * 60) + waited.minutes)?
        }
        TimeLimit::SameDay { .. } => {
            deadline::working_due(calendar, start, minutes(480) + waited.minutes)?
        }
        TimeLimit::CalendarDays(n) => {
            let budget = time::Duration::minutes(
                i64::try_from(minutes(u64::from(n) * 1440)).unwrap_or(i64::MAX),
            );
            calendar.roll_forward(start.saturating_add(budget).saturating_add(waited.wall))?
        }
        TimeLimit::None => return Ok(None),
    }))
}

/// Minutes as a view keeps them: 32 bits hold 8 million working days, far past any calendar.
fn saturating_u32(minutes: u64) -> u32 {
    u32::try_from(minutes).unwrap_or(u32::MAX)
}

/// `error` naming the dossier of `events` when the folded state knew no id (no event by the
/// as-of instant, or none known yet): the events are one dossier's, so the first names it.
fn name_dossier(error: ViewError, events: &[Event]) -> ViewError {
    match (error, events.first()) {
        (ViewError::NoEvents { dossier, as_of }, Some(first)) if dossier.as_str().is_empty() => {
            ViewError::NoEvents {
                dossier: first.dossier_id.clone(),
                as_of,
            }
        }
        (error, _) => error,
    }
}

/// "dossier X: " for an error message, or "the dossier has " when the id is not known.
fn whose(dossier: &DossierId) -> String {
    if dossier.as_str().is_empty() {
        "the dossier has ".to_owned()
    } else {
        format!("dossier {dossier} has ")
    }
}

#[cfg(test)]
mod size {
    /// Issue 7's memory target: a derived view takes at most 256 bytes inline (its ids are
    /// shared with the events; only step runs, when a procedure has steps, live on the heap).
    #[test]
    fn a_view_fits_in_256_bytes() {
        assert!(std::mem::size_of::<super::DossierView>() <= 256);
        assert_eq!(std::mem::size_of::<super::StepView>(), 96);
    }
}
