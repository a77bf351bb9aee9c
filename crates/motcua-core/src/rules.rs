//! Which events are legal in which state: the transition rules shared by the decider and the
//! importers.

use crate::event::{Event, EventKind};
use crate::ids::{DossierId, ProcedureCode, UnitId};
use crate::procedure::Catalogue;
use crate::state::DossierState;
use crate::status::Status;
use time::OffsetDateTime;

/// Why an event or command was rejected. Every variant names the dossier and the event's
/// sequence number, and says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// The event names no dossier (an empty id).
    #[error("event {sequence} has an empty `dossier_id`; every event names its dossier's code")]
    EmptyDossierId {
        /// The event's sequence number.
        sequence: u64,
    },
    /// The event belongs to another dossier than the stream it was applied to.
    #[error("event {sequence} names dossier {found} but was applied to dossier {expected}")]
    WrongDossier {
        /// The stream's dossier.
        expected: DossierId,
        /// The dossier the event names.
        found: DossierId,
        /// The event's sequence number.
        sequence: u64,
    },
    /// A gap or repeat in the dossier's sequence numbers.
    #[error("dossier {dossier}, event {found}: sequence {found} is out of order, expected {expected} (events of a dossier are numbered 1, 2, 3… without gaps)")]
    OutOfSequence {
        /// The dossier.
        dossier: DossierId,
        /// The next sequence number the stream expects.
        expected: u64,
        /// The sequence number found.
        found: u64,
    },
    /// An instant outside the years the engine judges ([`FIRST_YEAR`]–[`LAST_YEAR`]): such a
    /// dossier could not be judged by any report, so it is refused before anything is stored.
    #[error("dossier {dossier}, event {sequence}: {field} {} is outside the years motcua judges ({}–{}, so that every due stays inside the working calendar's 1900–2200)", rfc3339(*.found), FIRST_YEAR, LAST_YEAR)]
    OutOfRange {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// Which instant: `occurred_at`, `recorded_at` or `new_due`.
        field: &'static str,
        /// The instant given.
        found: OffsetDateTime,
    },
    /// An event dated before the previous event of the same dossier.
    #[error("dossier {dossier}, event {sequence}: {field} {} is before the previous event's {}; events must be in time order", rfc3339(*.found), rfc3339(*.previous))]
    TimeWentBackwards {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// `occurred_at` or `recorded_at`.
        field: &'static str,
        /// The previous event's instant.
        previous: OffsetDateTime,
        /// This event's instant.
        found: OffsetDateTime,
    },
    /// The event cannot happen in the dossier's current status.
    #[error("dossier {dossier}, event {sequence}: `{event}` is not allowed when the dossier is {}; expected {expected}", status_name(*.status))]
    IllegalTransition {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The event's type.
        event: &'static str,
        /// The dossier's status before the event.
        status: Option<Status>,
        /// What state the event needs.
        expected: &'static str,
    },
    /// The procedure is not in the catalogue.
    #[error("dossier {dossier}, event {sequence}: procedure {procedure} is not in the catalogue")]
    UnknownProcedure {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The unknown code.
        procedure: ProcedureCode,
    },
    /// The unit is not in the catalogue, or may not receive this procedure.
    #[error("dossier {dossier}, event {sequence}: unit {unit} {problem}")]
    BadUnit {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The unit.
        unit: UnitId,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The step is not defined by the procedure, or is not in the state the event needs.
    #[error("dossier {dossier}, event {sequence}: step {step:?} {problem}")]
    BadStep {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The step id.
        step: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A new due date that does not move the due later.
    #[error("dossier {dossier}, event {sequence}: the new due {} must be after {} (the event's time, or the due it replaces)", rfc3339(*.new_due), rfc3339(*.after))]
    DueNotLater {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The new due given.
        new_due: OffsetDateTime,
        /// The instant it must follow.
        after: OffsetDateTime,
    },
}

/// The first year whose instants an event may carry: the working calendar starts in 1900.
/// (Checked in UTC.)
pub const FIRST_YEAR: i32 = 1900;
/// The last year whose instants an event may carry: the calendar ends in 2200 and the longest
/// time limit a catalogue may set is ten years ([`crate::procedure::MAX_LIMIT_DAYS`]), so every
/// due of such an event stays inside the calendar.
pub const LAST_YEAR: i32 = 2189;

/// 1900-01-01T00:00:00Z and 2190-01-01T00:00:00Z as Unix seconds: the judged years' bounds.
const FIRST_SECOND: i64 = -2_208_988_800;
const AFTER_LAST_SECOND: i64 = 6_942_585_600;

/// Checks that an instant lies in the years the engine judges (UTC), by its Unix time: no
/// calendar arithmetic on the hot path of every check.
fn in_range(event: &Event, field: &'static str, t: OffsetDateTime) -> Result<(), DecideError> {
    if (FIRST_SECOND..AFTER_LAST_SECOND).contains(&t.unix_timestamp()) {
        return Ok(());
    }
    Err(DecideError::OutOfRange {
        dossier: event.dossier_id.clone(),
        sequence: event.sequence,
        field,
        found: t,
    })
}

/// An instant as the event files write it (RFC 3339), or as `time` displays it when RFC 3339
/// cannot express it.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}

fn status_name(status: Option<Status>) -> &'static str {
    status.map_or("new (no event yet)", Status::label)
}

const OPEN: &str = "a received dossier still being handled";
const ACTIVE: &str = "a received dossier being processed and not waiting for the applicant";

fn is_open(status: Option<Status>) -> bool {
    matches!(
        status,
        Some(
            Status::Received
                | Status::Processing
                | Status::SupplementRequested
                | Status::AwaitingPayment
        )
    )
}

fn is_active(status: Option<Status>) -> bool {
    matches!(status, Some(Status::Received | Status::Processing))
}

/// Checks that `event` may follow `state`: same dossier, next sequence number, times not going
/// backwards, a legal transition, and procedures, units and steps known to the catalogue.
///
/// ```
/// use motcua_core::{rules, Catalogue, DossierState, Event, EventKind, DossierId};
/// use time::macros::datetime;
///
/// let event = Event {
///     event_id: uuid::Uuid::nil(),
///     dossier_id: DossierId::new("D1"),
///     sequence: 1,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// let err = rules::check(&event, &DossierState::default(), &Catalogue::default()).unwrap_err();
/// assert!(err.to_string().contains("`supplement_supplied` is not allowed"));
/// ```
pub fn check(
    event: &Event,
    state: &DossierState,
    catalogue: &Catalogue,
) -> Result<(), DecideError> {
    let dossier = &event.dossier_id;
    let sequence = event.sequence;
    if dossier.as_str().trim().is_empty() {
        return Err(DecideError::EmptyDossierId { sequence });
    }
    if let Some(expected) = &state.dossier_id {
        if expected != dossier {
            return Err(DecideError::WrongDossier {
                expected: expected.clone(),
                found: dossier.clone(),
                sequence,
            });
        }
    }
    let next = state.version.saturating_add(1);
    if sequence != next {
        return Err(DecideError::OutOfSequence {
            dossier: dossier.clone(),
            expected: next,
            found: sequence,
        });
    }
    in_range(event, "occurred_at", event.occurred_at)?;
    in_range(event, "recorded_at", event.recorded_at)?;
    if let EventKind::ApologyIssued { new_due, .. } | EventKind::DueExtended { new_due, .. } =
        &event.kind
    {
        in_range(event, "new_due", *new_due)?;
    }
    for (field, previous, found) in [
        ("occurred_at", state.last_occurred_at, event.occurred_at),
        ("recorded_at", state.last_recorded_at, event.recorded_at),
    ] {
        if let Some(previous) = previous.filter(|p| found < *p) {
            return Err(DecideError::TimeWentBackwards {
                dossier: dossier.clone(),
                sequence,
                field,
                previous,
                found,
            });
        }
    }
    let status = state.status;
    let illegal = |expected: &'static str| DecideError::IllegalTransition {
        dossier: dossier.clone(),
        sequence,
        event: event.kind.name(),
        status,
        expected,
    };
    let require =
        |ok: bool, expected: &'static str| if ok { Ok(()) } else { Err(illegal(expected)) };
    let bad_step = |step: &str, problem: &'static str| DecideError::BadStep {
        dossier: dossier.clone(),
        sequence,
        step: step.to_owned(),
        problem,
    };
    match &event.kind {
        EventKind::Submitted {
            procedure, unit, ..
        } => {
            require(
                status.is_none(),
                "a new dossier (submission is its first event)",
            )?;
            check_reception(event, catalogue, procedure, unit)
        }
        EventKind::Received {
            procedure, unit, ..
        } => {
            require(
                matches!(status, None | Some(Status::Submitted)),
                "a new or submitted dossier",
            )?;
            check_reception(event, catalogue, procedure, unit)
        }
        EventKind::RefusedAtReception { .. } => require(
            status == Some(Status::Submitted),
            "a submitted dossier not yet received",
        ),
        EventKind::StepStarted { step, unit } => {
            require(is_active(status), ACTIVE)?;
            check_unit(event, catalogue, unit)?;
            if let Some(procedure) = state
                .procedure
                .as_ref()
                .and_then(|p| catalogue.procedure(p))
            {
                if !procedure.steps.is_empty() && procedure.step(step).is_none() {
                    return Err(bad_step(step, "is not a step of the dossier's procedure"));
                }
            }
            if state.open_step(step).is_some() {
                return Err(bad_step(
                    step,
                    "is already running; finish it before starting it again",
                ));
            }
            Ok(())
        }
        EventKind::StepFinished { step } => {
            require(is_open(status), OPEN)?;
            if state.open_step(step).is_none() {
                return Err(bad_step(
                    step,
                    "is not running; a step must be started before it finishes",
                ));
            }
            Ok(())
        }
        EventKind::Transferred { from, to } => {
            require(is_active(status), ACTIVE)?;
            check_unit(event, catalogue, to)?;
            if state.current_unit.as_ref() != Some(from) {
                return Err(DecideError::BadUnit {
                    dossier: dossier.clone(),
                    sequence,
                    unit: from.clone(),
                    problem: "does not hold the dossier, so it cannot transfer it",
                });
            }
            Ok(())
        }
        EventKind::SupplementRequested { .. } | EventKind::PaymentRequested { .. } => {
            require(is_active(status), ACTIVE)
        }
        EventKind::SupplementSupplied | EventKind::SupplementExpired => require(
            state.open_supplement().is_some() && is_open(status),
            "a dossier waiting for a supplement",
        ),
        EventKind::PaymentMade { .. } => require(
            state.open_payment().is_some() && is_open(status),
            "a dossier waiting for payment",
        ),
        EventKind::ApologyIssued { new_due, .. } | EventKind::DueExtended { new_due, .. } => {
            require(is_open(status), OPEN)?;
            let previous = match &event.kind {
                EventKind::ApologyIssued { .. } => state.apologies.last(),
                _ => state.extensions.last(),
            };
            let after = previous.map_or(event.occurred_at, |c| c.new_due.max(event.occurred_at));
            if *new_due <= after {
                return Err(DecideError::DueNotLater {
                    dossier: dossier.clone(),
                    sequence,
                    new_due: *new_due,
                    after,
                });
            }
            Ok(())
        }
        EventKind::Withdrawn { .. } => require(
            status == Some(Status::Submitted) || is_open(status),
            "a dossier submitted or being handled, before its result is ready",
        ),
        EventKind::Stopped { .. } => require(is_open(status), OPEN),
        EventKind::ResultReady { .. } => require(is_active(status), ACTIVE),
        EventKind::ResultReturned { .. } => require(
            status == Some(Status::ResultReady),
            "a dossier whose result is ready",
        ),
        EventKind::Digitised {
            components,
            digitised,
            reused,
        } => {
            require(state.received_at.is_some(), "a received dossier")?;
            require(
                digitised <= components && reused <= digitised,
                "counts with reused ≤ digitised ≤ components",
            )
        }
        EventKind::CalendarReevaluated { .. } => require(
            is_open(status),
            "a received dossier still being handled (finished dossiers are never re-judged)",
        ),
        EventKind::FeedbackFiled { .. } => {
            require(status.is_some(), "a dossier that was submitted or received")
        }
        EventKind::Rated { .. } => require(
            matches!(status, Some(Status::ResultReady | Status::Returned))
                && state.satisfied.is_none(),
            "a dossier with a result that has not been rated yet",
        ),
    }
}

fn check_unit(event: &Event, catalogue: &Catalogue, unit: &UnitId) -> Result<(), DecideError> {
    if catalogue.unit(unit).is_none() {
        return Err(DecideError::BadUnit {
            dossier: event.dossier_id.clone(),
            sequence: event.sequence,
            unit: unit.clone(),
            problem: "is not in the catalogue",
        });
    }
    Ok(())
}

fn check_reception(
    event: &Event,
    catalogue: &Catalogue,
    procedure: &ProcedureCode,
    unit: &UnitId,
) -> Result<(), DecideError> {
    let Some(p) = catalogue.procedure(procedure) else {
        return Err(DecideError::UnknownProcedure {
            dossier: event.dossier_id.clone(),
            sequence: event.sequence,
            procedure: procedure.clone(),
        });
    };
    check_unit(event, catalogue, unit)?;
    if !p.units.is_empty() && !p.units.contains(unit) {
        return Err(DecideError::BadUnit {
            dossier: event.dossier_id.clone(),
            sequence: event.sequence,
            unit: unit.clone(),
            problem: "is not one of the units the catalogue lists for this procedure",
        });
    }
    Ok(())
}

#[cfg(test)]
mod range {
    use super::{AFTER_LAST_SECOND, FIRST_SECOND, FIRST_YEAR, LAST_YEAR};
    use time::{Date, Month, Time};

    /// The Unix bounds are exactly the first and the year after the last judged year.
    #[test]
    fn the_bounds_are_the_judged_years() {
        let at = |year| {
            Date::from_calendar_date(year, Month::January, 1)
                .map(|d| d.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp())
        };
        assert_eq!(at(FIRST_YEAR), Ok(FIRST_SECOND));
        assert_eq!(at(LAST_YEAR + 1), Ok(AFTER_LAST_SECOND));
    }
}
