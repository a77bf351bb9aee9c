//! The record a one-stop system syncs to the national public-service portal (*Cổng Dịch vụ
//! công quốc gia*, DVCQG) for each dossier: codes, channel, received, due, status 1–10,
//! returned, the supplement rounds with the due before and after each, fees and online
//! payment, components with digitised and reused counts, and the processing history one row
//! per step. It maps almost one-to-one onto the event stream; `docs/forms.md` documents every
//! field.
//!
//! A sync job follows a store by log position: [`SyncedRecord`] pairs a record with the global
//! position up to which it is current, so the job resumes from the last position it sent.

use crate::error::RenderError;
use crate::forms::{Components, Dossier, FormError, Named, StepRow};
use motcua_core::procedure::Fee;
use motcua_core::{DossierState, EventKind, LateReason, ReturnMethod, TimeClass};
use serde::Serialize;
use time::OffsetDateTime;

/// The version of the record's structure; raised when a field changes meaning or goes.
pub const PORTAL_RECORD_VERSION: u32 = 1;

/// One supplement round (*yêu cầu bổ sung*) and what it did to the due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplementRound {
    /// When the applicant was asked.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// What was asked for.
    pub reason: String,
    /// By when the applicant had to supplement, if the procedure sets a time.
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplement_by: Option<OffsetDateTime>,
    /// When it was supplied, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplied_at: Option<OffsetDateTime>,
    /// When the time to supplement ran out, if it did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expired_at: Option<OffsetDateTime>,
    /// The official due just before the request.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_before: Option<OffsetDateTime>,
    /// The official due just after the round closed (restarted, paused or shifted as the
    /// procedure's supplement policy says); `None` while it is open.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_after: Option<OffsetDateTime>,
}

/// One financial obligation (*nghĩa vụ tài chính*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Payment {
    /// When payment was asked for.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// Amount in đồng.
    pub amount_vnd: u64,
    /// When it was paid, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    pub paid_at: Option<OffsetDateTime>,
    /// Paid online (indicator 3.6), once paid.
    pub online: Option<bool>,
}

/// The national-portal record of one dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PortalRecord {
    /// `"motcua-portal-record"`.
    pub format: &'static str,
    /// [`PORTAL_RECORD_VERSION`].
    pub version: u32,
    /// The dossier's code (*mã hồ sơ*).
    pub dossier: String,
    /// The procedure (*mã, tên thủ tục*).
    pub procedure: Named,
    /// Its field (*lĩnh vực*).
    pub field: Option<String>,
    /// The channel's national code: 1 in person, 2 online, 3 by post.
    pub channel: u8,
    /// The unit that received it.
    pub receiving_unit: Named,
    /// The unit handling it now (*đơn vị xử lý*).
    pub handling_unit: Named,
    /// Submitted online or by post at.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// Received at (*ngày tiếp nhận*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    /// The official due (*hạn xử lý*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_at: Option<OffsetDateTime>,
    /// The due promised to the applicant: the official due, or the new appointment of the
    /// latest apology (which does not move the official due).
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised_due_at: Option<OffsetDateTime>,
    /// The national status code, 1–10 (*trạng thái*).
    pub status: u8,
    /// The end of processing: result ready, else refused, withdrawn or stopped.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Returned to the applicant at (*ngày trả kết quả*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub returned_at: Option<OffsetDateTime>,
    /// How it was returned.
    pub return_method: Option<ReturnMethod>,
    /// Early, on time, late; within time, due soon, overdue; not judged.
    pub time_class: TimeClass,
    /// Why it is late, if it is.
    pub late_reason: Option<LateReason>,
    /// The supplement rounds, in order.
    pub supplements: Vec<SupplementRound>,
    /// The fees the procedure charges.
    pub fees: Vec<Fee>,
    /// The financial obligations asked and paid, in order.
    pub payments: Vec<Payment>,
    /// Whether the last obligation paid was paid online.
    pub paid_online: Option<bool>,
    /// Components, digitised and reused, as the latest `digitised` event counts them.
    pub components: Option<Components>,
    /// Whether an electronic result was issued.
    pub electronic_result: Option<bool>,
    /// The processing history, one row per step run.
    pub history: Vec<StepRow>,
}

/// A record with the global log position up to which it is current: one line of `motcua
/// portal-records` (`{"position": 1234, "record": {…}}`).
#[derive(Clone, Debug, Serialize)]
pub struct SyncedRecord<'a> {
    /// The store's global position the record reflects every event up to.
    pub position: u64,
    /// The record.
    pub record: &'a PortalRecord,
}

impl SyncedRecord<'_> {
    /// The line: compact JSON and a line feed.
    ///
    /// # Errors
    ///
    /// [`RenderError::Json`] if it cannot be serialised (a bug, not bad data).
    pub fn line(&self) -> Result<String, RenderError> {
        let mut text = serde_json::to_string(self).map_err(|source| RenderError::Json {
            what: "a portal record",
            source,
        })?;
        text.push('\n');
        Ok(text)
    }
}

impl PortalRecord {
    /// The record of `dossier` as of its as-of instant.
    ///
    /// # Errors
    ///
    /// [`FormError::NoEvents`] when no event happened by then; [`FormError::View`] when the
    /// dossier cannot be judged.
    pub fn build(dossier: &Dossier<'_>) -> Result<PortalRecord, FormError> {
        let (state, view) = dossier.state_and_view()?;
        let procedure = dossier.context.procedure_for(&state)?;
        let mut supplements = Vec::with_capacity(state.supplements.len());
        let mut open: Option<usize> = None;
        // The dossier folded one event at a time (not again from the start for each round: a
        // dossier of thousands of rounds is read in one pass), viewed just before and just
        // after the events that open and close a round, as of that event's instant.
        let mut folded = DossierState::default();
        for (i, e) in dossier.known().iter().enumerate() {
            let round_event = matches!(
                e.kind,
                EventKind::SupplementRequested { .. }
                    | EventKind::SupplementSupplied
                    | EventKind::SupplementExpired
            );
            let before = if round_event && i > 0 {
                Some(dossier.context.view(&folded, e.occurred_at)?)
            } else {
                None
            };
            folded = motcua_core::state::evolve(folded, e);
            if !round_event {
                continue;
            }
            let after = dossier.context.view(&folded, e.occurred_at)?;
            match &e.kind {
                EventKind::SupplementRequested { reason } => {
                    supplements.push(SupplementRound {
                        requested_at: e.occurred_at,
                        reason: reason.clone(),
                        supplement_by: after.supplement_due,
                        supplied_at: None,
                        expired_at: None,
                        due_before: before.and_then(|v| v.official_due),
                        due_after: None,
                    });
                    open = Some(supplements.len() - 1);
                }
                _ => {
                    if let Some(round) = open.take().and_then(|r| supplements.get_mut(r)) {
                        if matches!(e.kind, EventKind::SupplementSupplied) {
                            round.supplied_at = Some(e.occurred_at);
                        } else {
                            round.expired_at = Some(e.occurred_at);
                        }
                        round.due_after = after.official_due;
                    }
                }
            }
        }
        let history = dossier.step_rows(procedure, &view);
        let heading = dossier.heading(&view);
        Ok(PortalRecord {
            format: "motcua-portal-record",
            version: PORTAL_RECORD_VERSION,
            dossier: heading.dossier,
            procedure: heading.procedure,
            field: heading.field,
            channel: heading.channel,
            receiving_unit: heading.unit,
            handling_unit: dossier.unit(&view.current_unit),
            submitted_at: view.submitted_at,
            received_at: view.received_at,
            due_at: view.official_due,
            promised_due_at: view.promised_due,
            status: view.national_code,
            finished_at: view.finished_at,
            returned_at: state.returned.map(|(at, _)| at),
            return_method: state.returned.map(|(_, method)| method),
            time_class: view.time_class,
            late_reason: view.late_reason,
            supplements,
            fees: procedure.fees.clone(),
            payments: state
                .payments
                .iter()
                .map(|p| Payment {
                    requested_at: p.requested_at,
                    amount_vnd: p.amount_vnd,
                    paid_at: p.paid.map(|(at, _)| at),
                    online: p.paid.map(|(_, online)| online),
                })
                .collect(),
            paid_online: view.paid_online,
            components: Components::from_view(view.digitisation),
            electronic_result: view.electronic_result,
            history,
        })
    }

    /// The record as pretty JSON with a final line feed.
    ///
    /// # Errors
    ///
    /// [`RenderError::Json`] if it cannot be serialised (a bug, not bad data).
    pub fn json(&self) -> Result<String, RenderError> {
        crate::forms::to_json(self, "a portal record")
    }
}
