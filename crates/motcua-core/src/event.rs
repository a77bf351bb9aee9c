//! Lifecycle events of a dossier: the facts an event stream is made of.

use crate::ids::{DossierId, ProcedureCode, UnitId};
use crate::metadata::EventMetadata;
use crate::procedure::Channel;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// One recorded fact about one dossier.
///
/// `sequence` numbers a dossier's events from 1 without gaps. `occurred_at` is when the fact
/// happened (business time, used by deadline rules); `recorded_at` is when the host system
/// learnt it (used for "as known at" queries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id of this event, for idempotent appends.
    pub event_id: Uuid,
    /// The dossier this event belongs to.
    pub dossier_id: DossierId,
    /// Position in the dossier's stream, from 1.
    pub sequence: u64,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// When it was recorded.
    #[serde(with = "time::serde::rfc3339")]
    pub recorded_at: OffsetDateTime,
    /// Who recorded it and in answer to what; empty when the host did not say. Never read by
    /// the fold, the rules or the deadlines. In JSON the `meta` object, left out when empty.
    #[serde(
        default,
        rename = "meta",
        skip_serializing_if = "EventMetadata::is_empty"
    )]
    pub metadata: EventMetadata,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// The prefix of one dossier's events known at `known_at`: those recorded at or before it.
///
/// The events must be one dossier's, in sequence order, already checked: within a dossier
/// `recorded_at` never goes backwards, so the known events are a prefix of the stream and the
/// first event recorded after `known_at` ends it. This is what "as known at" queries (see
/// [`crate::Context::view_known_at`]) fold.
///
/// ```
/// use motcua_core::{known_prefix, DossierId, Event, EventKind};
/// use time::macros::datetime;
///
/// let event = |seq: u64, recorded| Event {
///     event_id: uuid::Uuid::from_u128(u128::from(seq)),
///     dossier_id: DossierId::new("D"),
///     sequence: seq,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: recorded,
///     kind: EventKind::FeedbackFiled { summary: String::new() },
///     metadata: Default::default(),
/// };
/// let events = [
///     event(1, datetime!(2024-03-04 09:00 +7)),
///     event(2, datetime!(2024-03-05 09:00 +7)),
///     event(3, datetime!(2024-03-06 09:00 +7)),
/// ];
/// // Recorded at or before the instant: the first two.
/// assert_eq!(known_prefix(&events, datetime!(2024-03-05 09:00 +7)).len(), 2);
/// assert!(known_prefix(&events, datetime!(2024-03-01 00:00 +7)).is_empty());
/// assert_eq!(known_prefix(&events, datetime!(2024-12-31 00:00 +7)), &events[..]);
/// ```
pub fn known_prefix(events: &[Event], known_at: OffsetDateTime) -> &[Event] {
    let known = events
        .iter()
        .position(|e| e.recorded_at > known_at)
        .unwrap_or(events.len());
    &events[..known]
}

/// How a result reached the applicant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnMethod {
    /// At the one-stop desk.
    InPerson,
    /// Online (electronic result sent through the portal).
    Online,
    /// By post.
    Postal,
}

impl ReturnMethod {
    /// The method's English name.
    pub const fn label(self) -> &'static str {
        match self {
            ReturnMethod::InPerson => "in person",
            ReturnMethod::Online => "online",
            ReturnMethod::Postal => "by post",
        }
    }
}

/// What happened to a dossier. In JSON the variant is the `type` field, in snake case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// Submitted online or by post before reception (status 1, *mới đăng ký*).
    Submitted {
        /// The procedure applied for.
        procedure: ProcedureCode,
        /// The unit it was submitted to.
        unit: UnitId,
        /// How it was submitted.
        channel: Channel,
    },
    /// Received with a receipt and appointment slip, form 01 (status 2, *tiếp nhận*). Starts the clock.
    Received {
        /// The procedure applied for.
        procedure: ProcedureCode,
        /// The receiving unit.
        unit: UnitId,
        /// How the dossier arrived.
        channel: Channel,
    },
    /// Refused at reception, form 03 (status 3, *không tiếp nhận*).
    RefusedAtReception {
        /// Why.
        reason: String,
    },
    /// A workflow step started at a unit (*chuyển xử lý*). Starting a finished step again
    /// returns the dossier to it.
    StepStarted {
        /// The step's id in the procedure.
        step: String,
        /// The unit handling it.
        unit: UnitId,
    },
    /// A workflow step finished.
    StepFinished {
        /// The step's id.
        step: String,
    },
    /// Handed from one unit to another (*liên thông*).
    Transferred {
        /// The unit handing over.
        from: UnitId,
        /// The unit taking over.
        to: UnitId,
    },
    /// The applicant is asked to supplement the dossier, form 02 (status 5).
    SupplementRequested {
        /// What is missing.
        reason: String,
    },
    /// The applicant supplied what was asked.
    SupplementSupplied,
    /// The time to supplement ran out; processing stops.
    SupplementExpired,
    /// A financial obligation must be paid before the result (status 6).
    PaymentRequested {
        /// Amount in VND.
        amount_vnd: u64,
    },
    /// The obligation was paid.
    PaymentMade {
        /// Paid online (indicator 3.6).
        online: bool,
    },
    /// Apology and new appointment, form 04 (*phiếu xin lỗi và hẹn lại*). Moves only the
    /// promised due; the official due stays and the dossier still counts late.
    ApologyIssued {
        /// The new appointment.
        #[serde(with = "time::serde::rfc3339")]
        new_due: OffsetDateTime,
        /// Why the dossier is late.
        reason: String,
    },
    /// Extension granted under a specific law: moves the official due.
    DueExtended {
        /// The new official due.
        #[serde(with = "time::serde::rfc3339")]
        new_due: OffsetDateTime,
        /// The legal basis for the extension.
        legal_basis: String,
    },
    /// Withdrawn at the applicant's request (status 7).
    Withdrawn {
        /// Why, as the applicant said.
        reason: String,
    },
    /// Processing stopped by the agency (status 8).
    Stopped {
        /// Why.
        reason: String,
    },
    /// The result is ready (status 9).
    ResultReady {
        /// An electronic result was issued (indicators 3.3 and 4.1).
        electronic: bool,
    },
    /// The result was returned to the applicant (status 10).
    ResultReturned {
        /// How.
        method: ReturnMethod,
    },
    /// The applicant rated the service.
    Rated {
        /// Satisfied or not.
        satisfied: bool,
    },
    /// The dossier's components were stored as files (*số hóa*), some reused from data already
    /// digitised (*tái sử dụng*): indicators 4.2 and 4.3.
    Digitised {
        /// Components the dossier has.
        components: u32,
        /// Components stored as files.
        digitised: u32,
        /// Components taken from already digitised data instead of being submitted again.
        reused: u32,
    },
    /// The applicant filed feedback or a complaint about the handling (*phản ánh, kiến nghị*):
    /// indicator 5.4.
    FeedbackFiled {
        /// What it is about.
        summary: String,
    },
    /// An open dossier is judged from now on under a newer calendar version (a swap announced
    /// after it was received), by the host's explicit choice. Finished dossiers are never
    /// re-evaluated. See [`crate::calendars`].
    CalendarReevaluated {
        /// The calendar version's identity, `name@hash` (see `CalendarVersion`'s `Display`).
        calendar: String,
    },
}

impl EventKind {
    /// The event's type name as written in JSON (`received`, `step_started`, …).
    pub const fn name(&self) -> &'static str {
        Self::NAMES[self.index()]
    }

    /// The event's type as its position in [`EventKind::NAMES`] (declaration order): a stable
    /// small number for compact encodings.
    pub const fn index(&self) -> usize {
        match self {
            EventKind::Submitted { .. } => 0,
            EventKind::Received { .. } => 1,
            EventKind::RefusedAtReception { .. } => 2,
            EventKind::StepStarted { .. } => 3,
            EventKind::StepFinished { .. } => 4,
            EventKind::Transferred { .. } => 5,
            EventKind::SupplementRequested { .. } => 6,
            EventKind::SupplementSupplied => 7,
            EventKind::SupplementExpired => 8,
            EventKind::PaymentRequested { .. } => 9,
            EventKind::PaymentMade { .. } => 10,
            EventKind::ApologyIssued { .. } => 11,
            EventKind::DueExtended { .. } => 12,
            EventKind::Withdrawn { .. } => 13,
            EventKind::Stopped { .. } => 14,
            EventKind::ResultReady { .. } => 15,
            EventKind::ResultReturned { .. } => 16,
            EventKind::Rated { .. } => 17,
            EventKind::Digitised { .. } => 18,
            EventKind::FeedbackFiled { .. } => 19,
            EventKind::CalendarReevaluated { .. } => 20,
        }
    }

    /// Every event type name, in declaration order (the JSON `type` values).
    pub const NAMES: [&'static str; 21] = [
        "submitted",
        "received",
        "refused_at_reception",
        "step_started",
        "step_finished",
        "transferred",
        "supplement_requested",
        "supplement_supplied",
        "supplement_expired",
        "payment_requested",
        "payment_made",
        "apology_issued",
        "due_extended",
        "withdrawn",
        "stopped",
        "result_ready",
        "result_returned",
        "rated",
        "digitised",
        "feedback_filed",
        "calendar_reevaluated",
    ];
}
