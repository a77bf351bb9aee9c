//! Form 02, the request to supplement (*phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*): what is
//! missing and by when, one form per supplement round.

use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Heading, Named, Round};
use motcua_core::EventKind;
use serde::Serialize;
use time::OffsetDateTime;

/// Form 02: the request to supplement of one round.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SupplementRequest {
    /// `"form": "supplement-request"`, `"number": "02"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The dossier, its procedure and the receiving unit.
    pub heading: Heading,
    /// Which round this is, from 1.
    pub round: usize,
    /// How many rounds the dossier has had (more than one counts the dossier late under the
    /// Decision 766 rule).
    pub rounds: usize,
    /// The unit asking (the one holding the dossier when it asked).
    pub requested_by: Named,
    /// The officer who recorded the request, from the event's metadata.
    pub officer: Option<String>,
    /// When it was asked.
    #[serde(with = "time::serde::rfc3339")]
    pub requested_at: OffsetDateTime,
    /// What is missing (*nội dung yêu cầu bổ sung*), as recorded.
    pub missing: String,
    /// By when the applicant must supplement (*thời hạn bổ sung*), when the procedure sets a
    /// time to supplement.
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplement_by: Option<OffsetDateTime>,
    /// The official due before the request.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due_before: Option<OffsetDateTime>,
    /// When the applicant supplied it, if they have by the as-of instant.
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplied_at: Option<OffsetDateTime>,
    /// When the time to supplement ran out and processing stopped, if it did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expired_at: Option<OffsetDateTime>,
}

impl SupplementRequest {
    /// Form 02 of round `round` (from 1; the latest when `None`) of `dossier`.
    ///
    /// # Errors
    ///
    /// [`FormError::NotApplicable`] for a dossier never asked to supplement;
    /// [`FormError::NoSuchRound`] for a round it has not had.
    pub fn build(
        dossier: &Dossier<'_>,
        round: Option<usize>,
    ) -> Result<SupplementRequest, FormError> {
        let (state, view) = dossier.state_and_view()?;
        let Round {
            index,
            round,
            rounds,
        } = dossier.round(
            FormKind::SupplementRequest,
            &view,
            |k| matches!(k, EventKind::SupplementRequested { .. }),
            round,
            "it was never asked to supplement",
        )?;
        let after = dossier.view_after(index)?;
        let before = dossier.view_before(index)?;
        let record = state.supplements.get(round - 1);
        let closed = record.and_then(|r| r.closed);
        Ok(SupplementRequest {
            id: FormId::of(FormKind::SupplementRequest),
            heading: dossier.heading(&view),
            round,
            rounds,
            requested_by: dossier.unit(&after.current_unit),
            officer: dossier.officer_at(index),
            requested_at: dossier.known()[index].occurred_at,
            missing: record.map(|r| r.reason.clone()).unwrap_or_default(),
            supplement_by: after.supplement_due,
            due_before: before.and_then(|v| v.official_due),
            supplied_at: closed.and_then(|(at, supplied)| supplied.then_some(at)),
            expired_at: closed.and_then(|(at, supplied)| (!supplied).then_some(at)),
        })
    }
}

impl Form for SupplementRequest {
    const KIND: FormKind = FormKind::SupplementRequest;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let h = &self.heading;
        let mut p = Page::new(FormKind::SupplementRequest, &self.requested_by, &h.dossier)?;
        p.para(
            &format!(
                "{} đã nhận hồ sơ của ông/bà ……………………………… đề nghị giải quyết thủ tục {}.",
                named(&self.requested_by),
                named(&h.procedure)
            ),
            "received the applicant's dossier for the procedure above",
        )?;
        p.para(
            "Sau khi xem xét, hồ sơ chưa đầy đủ, chưa hợp lệ; đề nghị ông/bà bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:",
            "the dossier is incomplete; please supplement the following",
        )?;
        p.fields(&[
            ("Mã hồ sơ", "Dossier code", h.dossier.clone()),
            (
                "Thời điểm tiếp nhận",
                "Received at",
                page::when(h.received_at),
            ),
            (
                "Lần yêu cầu bổ sung",
                "Supplement round",
                format!("{} / {}", self.round, self.rounds),
            ),
            (
                "Thời điểm yêu cầu",
                "Requested at",
                page::when(Some(self.requested_at)),
            ),
            (
                "Nội dung yêu cầu bổ sung",
                "What is missing",
                self.missing.clone(),
            ),
            (
                "Thời hạn bổ sung",
                "Supplement by",
                match self.supplement_by {
                    Some(t) => page::when(Some(t)),
                    None => "Thủ tục không quy định (the procedure sets none)".to_owned(),
                },
            ),
            (
                "Hạn giải quyết trước khi yêu cầu",
                "Due before the request",
                page::when(self.due_before),
            ),
        ])?;
        if let Some(officer) = &self.officer {
            p.fields(&[("Cán bộ hướng dẫn", "Officer", officer.clone())])?;
        }
        p.para(
            "Lý do: hồ sơ chưa đầy đủ thành phần hoặc chưa hợp lệ theo quy định. Mọi vướng mắc xin liên hệ Bộ phận tiếp nhận và trả kết quả.",
            "reason: the dossier lacks components or is not valid; ask the one-stop desk for help",
        )?;
        p.signatures(&[("NGƯỜI HƯỚNG DẪN", "officer giving the guidance")])?;
        p.finish()
    }
}
