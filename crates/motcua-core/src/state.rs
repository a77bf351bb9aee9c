//! The state a dossier's events fold into, and `evolve`, the fold step.
//!
//! The state records facts only; due dates depend on the procedure and the calendar and are
//! derived in [`crate::view`].

use crate::event::{Event, EventKind, ReturnMethod};
use crate::ids::{DossierId, ProcedureCode, UnitId};
use crate::procedure::Channel;
use crate::status::Status;
use serde::Serialize;
use time::OffsetDateTime;

/// One request to supplement the dossier and how it ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplementRound {
    /// When it was requested.
    pub requested_at: OffsetDateTime,
    /// What was asked for.
    pub reason: String,
    /// When the round closed, and whether by supply (true) or expiry (false).
    pub closed: Option<(OffsetDateTime, bool)>,
}

/// One financial obligation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaymentRound {
    /// When payment was requested.
    pub requested_at: OffsetDateTime,
    /// Amount in VND.
    pub amount_vnd: u64,
    /// When it was paid and whether online.
    pub paid: Option<(OffsetDateTime, bool)>,
}

/// One run of a workflow step at a unit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRun {
    /// The step's id.
    pub step: String,
    /// The unit handling it.
    pub unit: UnitId,
    /// When it started.
    pub started_at: OffsetDateTime,
    /// When it finished, if it has.
    pub finished_at: Option<OffsetDateTime>,
}

/// A hand-over between units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Transfer {
    /// When.
    pub at: OffsetDateTime,
    /// From which unit.
    pub from: UnitId,
    /// To which unit.
    pub to: UnitId,
}

/// A change of a due date: an apology (promised due) or an extension (official due).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DueChange {
    /// When it was issued.
    pub at: OffsetDateTime,
    /// The new due.
    pub new_due: OffsetDateTime,
    /// The reason (apology) or legal basis (extension).
    pub basis: String,
}

/// The folded facts of one dossier.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DossierState {
    /// The dossier, once an event has been applied.
    pub dossier_id: Option<DossierId>,
    /// The sequence number of the last event applied; 0 for a new stream.
    pub version: u64,
    /// When the last event happened.
    pub last_occurred_at: Option<OffsetDateTime>,
    /// When the last event was recorded.
    pub last_recorded_at: Option<OffsetDateTime>,
    /// The current status; `None` before the first event.
    pub status: Option<Status>,
    /// The procedure applied for.
    pub procedure: Option<ProcedureCode>,
    /// The unit that received the dossier.
    pub receiving_unit: Option<UnitId>,
    /// The unit that holds it now (after transfers).
    pub current_unit: Option<UnitId>,
    /// How it arrived.
    pub channel: Option<Channel>,
    /// When it was submitted online or by post.
    pub submitted_at: Option<OffsetDateTime>,
    /// When it was received; the clock starts here.
    pub received_at: Option<OffsetDateTime>,
    /// Supplement rounds, in order.
    pub supplements: Vec<SupplementRound>,
    /// Financial obligations, in order.
    pub payments: Vec<PaymentRound>,
    /// Workflow step runs, in order of start.
    pub steps: Vec<StepRun>,
    /// Indices into [`steps`](Self::steps) of the runs still open, in order of start: kept by
    /// [`evolve`] so that finding a step's open run does not scan every earlier run.
    pub open_steps: Vec<usize>,
    /// Transfers between units.
    pub transfers: Vec<Transfer>,
    /// Apologies with new appointments.
    pub apologies: Vec<DueChange>,
    /// Extensions under law.
    pub extensions: Vec<DueChange>,
    /// When the dossier was finished (result ready, refused, withdrawn, stopped) and the reason.
    pub finished_at: Option<OffsetDateTime>,
    /// Whether the result was issued electronically.
    pub electronic_result: Option<bool>,
    /// When and how the result was returned.
    pub returned: Option<(OffsetDateTime, ReturnMethod)>,
    /// The applicant's rating: satisfied or not.
    pub satisfied: Option<bool>,
    /// When the applicant rated.
    pub rated_at: Option<OffsetDateTime>,
    /// Components, digitised components and reused components, once recorded.
    pub digitisation: Option<(u32, u32, u32)>,
    /// Feedback or complaints filed about the handling.
    pub feedback: u32,
    /// The calendar version the dossier was re-evaluated under, if it was.
    pub calendar: Option<String>,
    /// The reason given for a refusal, withdrawal or stop.
    pub end_reason: Option<String>,
}

impl DossierState {
    /// The open supplement round, if the dossier is waiting for the applicant.
    pub fn open_supplement(&self) -> Option<&SupplementRound> {
        self.supplements.last().filter(|r| r.closed.is_none())
    }

    /// The unpaid obligation, if the dossier is waiting for payment.
    pub fn open_payment(&self) -> Option<&PaymentRound> {
        self.payments.last().filter(|p| p.paid.is_none())
    }

    /// The open run of a step, if it is running.
    pub fn open_step(&self, step: &str) -> Option<&StepRun> {
        self.find_open_step(step)
            .and_then(|(_, i)| self.steps.get(i))
    }

    /// The latest-started open run of `step`: its place in [`open_steps`](Self::open_steps) and
    /// its index in [`steps`](Self::steps).
    ///
    /// Only the step's name is compared: [`evolve`] pushes an index onto `open_steps` with a run
    /// whose `finished_at` is `None`, and removes it (on `StepFinished`, or all of them on
    /// `ResultReady`) before it sets that run's `finished_at`, so every run `open_steps` names is
    /// unfinished.
    fn find_open_step(&self, step: &str) -> Option<(usize, usize)> {
        self.open_steps
            .iter()
            .enumerate()
            .rev()
            .find(|(_, i)| self.steps.get(**i).is_some_and(|r| r.step == step))
            .map(|(k, i)| (k, *i))
    }

    /// True once the dossier is finished: refused, withdrawn, stopped, result ready or returned.
    pub fn is_finished(&self) -> bool {
        self.status.is_some_and(Status::is_finished)
    }

    /// The status to return to when a wait (supplement or payment) ends.
    fn resume_status(&self) -> Status {
        if self.open_supplement().is_some() {
            Status::SupplementRequested
        } else if self.open_payment().is_some() {
            Status::AwaitingPayment
        } else {
            Status::Processing
        }
    }
}

/// Applies one event to a state: total and deterministic.
///
/// `evolve` trusts its input: it never fails and never panics, and an event that makes no sense
/// for the state changes only what it can (its sequence and times). Validate untrusted events
/// with [`crate::rules::check`] first, as [`crate::decider`] and the importers do.
pub fn evolve(mut state: DossierState, event: &Event) -> DossierState {
    let at = event.occurred_at;
    if state.dossier_id.is_none() {
        state.dossier_id = Some(event.dossier_id.clone());
    }
    state.version = event.sequence;
    state.last_occurred_at = Some(at);
    state.last_recorded_at = Some(event.recorded_at);
    match &event.kind {
        EventKind::Submitted {
            procedure,
            unit,
            channel,
        } => {
            state.procedure = Some(procedure.clone());
            state.receiving_unit = Some(unit.clone());
            state.current_unit = Some(unit.clone());
            state.channel = Some(*channel);
            state.submitted_at = Some(at);
            state.status = Some(Status::Submitted);
        }
        EventKind::Received {
            procedure,
            unit,
            channel,
        } => {
            state.procedure = Some(procedure.clone());
            state.receiving_unit = Some(unit.clone());
            state.current_unit = Some(unit.clone());
            state.channel = Some(*channel);
            state.received_at = Some(at);
            state.status = Some(Status::Received);
        }
        EventKind::RefusedAtReception { reason } => finish(&mut state, at, Status::Refused, reason),
        EventKind::StepStarted { step, unit } => {
            state.open_steps.push(state.steps.len());
            state.steps.push(StepRun {
                step: step.clone(),
                unit: unit.clone(),
                started_at: at,
                finished_at: None,
            });
            state.current_unit = Some(unit.clone());
            state.status = Some(state.resume_status());
        }
        EventKind::StepFinished { step } => {
            if let Some((k, i)) = state.find_open_step(step) {
                state.open_steps.remove(k);
                if let Some(run) = state.steps.get_mut(i) {
                    run.finished_at = Some(at);
                }
            }
            state.status = Some(state.resume_status());
        }
        EventKind::Transferred { from, to } => {
            state.transfers.push(Transfer {
                at,
                from: from.clone(),
                to: to.clone(),
            });
            state.current_unit = Some(to.clone());
            state.status = Some(state.resume_status());
        }
        EventKind::SupplementRequested { reason } => {
            state.supplements.push(SupplementRound {
                requested_at: at,
                reason: reason.clone(),
                closed: None,
            });
            state.status = Some(Status::SupplementRequested);
        }
        EventKind::SupplementSupplied => {
            if let Some(round) = state.supplements.last_mut().filter(|r| r.closed.is_none()) {
                round.closed = Some((at, true));
            }
            state.status = Some(state.resume_status());
        }
        EventKind::SupplementExpired => {
            if let Some(round) = state.supplements.last_mut().filter(|r| r.closed.is_none()) {
                round.closed = Some((at, false));
            }
            finish(
                &mut state,
                at,
                Status::Stopped,
                "supplement not provided in time",
            );
        }
        EventKind::PaymentRequested { amount_vnd } => {
            state.payments.push(PaymentRound {
                requested_at: at,
                amount_vnd: *amount_vnd,
                paid: None,
            });
            state.status = Some(Status::AwaitingPayment);
        }
        EventKind::PaymentMade { online } => {
            if let Some(p) = state.payments.last_mut().filter(|p| p.paid.is_none()) {
                p.paid = Some((at, *online));
            }
            state.status = Some(state.resume_status());
        }
        EventKind::ApologyIssued { new_due, reason } => {
            state.apologies.push(DueChange {
                at,
                new_due: *new_due,
                basis: reason.clone(),
            });
        }
        EventKind::DueExtended {
            new_due,
            legal_basis,
        } => {
            state.extensions.push(DueChange {
                at,
                new_due: *new_due,
                basis: legal_basis.clone(),
            });
        }
        EventKind::Withdrawn { reason } => finish(&mut state, at, Status::Withdrawn, reason),
        EventKind::Stopped { reason } => finish(&mut state, at, Status::Stopped, reason),
        EventKind::ResultReady { electronic } => {
            for i in std::mem::take(&mut state.open_steps) {
                if let Some(run) = state.steps.get_mut(i) {
                    run.finished_at = Some(at);
                }
            }
            state.electronic_result = Some(*electronic);
            state.finished_at = Some(at);
            state.status = Some(Status::ResultReady);
        }
        EventKind::ResultReturned { method } => {
            state.returned = Some((at, *method));
            if state.finished_at.is_none() {
                state.finished_at = Some(at);
            }
            state.status = Some(Status::Returned);
        }
        EventKind::Rated { satisfied } => {
            state.satisfied = Some(*satisfied);
            state.rated_at = Some(at);
        }
        EventKind::Digitised {
            components,
            digitised,
            reused,
        } => {
            state.digitisation = Some((*components, *digitised, *reused));
        }
        EventKind::FeedbackFiled { .. } => state.feedback = state.feedback.saturating_add(1),
        EventKind::CalendarReevaluated { calendar } => state.calendar = Some(calendar.clone()),
    }
    state
}

fn finish(state: &mut DossierState, at: OffsetDateTime, status: Status, reason: &str) {
    state.finished_at = Some(at);
    state.end_reason = Some(reason.to_owned());
    state.status = Some(status);
}
