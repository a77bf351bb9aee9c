//! Form 03, the refusal (*phiếu từ chối tiếp nhận giải quyết hồ sơ*): a dossier refused at
//! reception, with the reason.

use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Heading};
use motcua_core::EventKind;
use serde::Serialize;
use time::OffsetDateTime;

/// Form 03: the refusal to accept a dossier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Refusal {
    /// `"form": "refusal"`, `"number": "03"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The dossier, its procedure and the unit it was presented to.
    pub heading: Heading,
    /// When it was refused.
    #[serde(with = "time::serde::rfc3339")]
    pub refused_at: OffsetDateTime,
    /// The officer who recorded the refusal, from the event's metadata.
    pub refused_by: Option<String>,
    /// Why (*lý do từ chối*), as recorded.
    pub reason: String,
}

impl Refusal {
    /// Form 03 of `dossier`.
    ///
    /// # Errors
    ///
    /// [`FormError::NotApplicable`] for a dossier not refused at reception.
    pub fn build(dossier: &Dossier<'_>) -> Result<Refusal, FormError> {
        let (_, view) = dossier.state_and_view()?;
        let refused = dossier
            .known()
            .iter()
            .enumerate()
            .find_map(|(i, e)| match &e.kind {
                EventKind::RefusedAtReception { reason } => {
                    Some((i, e.occurred_at, reason.clone()))
                }
                _ => None,
            });
        let Some((index, refused_at, reason)) = refused else {
            return Err(dossier.not_applicable(
                FormKind::Refusal,
                &view,
                "it was not refused at reception",
            ));
        };
        Ok(Refusal {
            id: FormId::of(FormKind::Refusal),
            heading: dossier.heading(&view),
            refused_at,
            refused_by: dossier.officer_at(index),
            reason,
        })
    }
}

impl Form for Refusal {
    const KIND: FormKind = FormKind::Refusal;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let h = &self.heading;
        let mut p = Page::new(FormKind::Refusal, &h.unit, &h.dossier)?;
        p.para(
            &format!(
                "{} nhận được hồ sơ của ông/bà ……………………………… đề nghị giải quyết thủ tục {}.",
                named(&h.unit),
                named(&h.procedure)
            ),
            "received the applicant's dossier for the procedure above",
        )?;
        p.para(
            "Qua xem xét, cơ quan, đơn vị từ chối tiếp nhận, giải quyết hồ sơ này với lý do sau:",
            "after review, the agency refuses to accept and handle this dossier for the reason below",
        )?;
        p.fields(&[
            ("Mã hồ sơ", "Dossier code", h.dossier.clone()),
            ("Kênh", "Channel", page::channel(h.channel)),
            (
                "Thời điểm nộp",
                "Submitted at",
                page::when(h.submitted_at.or(Some(self.refused_at))),
            ),
            (
                "Thời điểm từ chối",
                "Refused at",
                page::when(Some(self.refused_at)),
            ),
            ("Lý do từ chối", "Reason", self.reason.clone()),
        ])?;
        if let Some(officer) = &self.refused_by {
            p.fields(&[("Cán bộ tiếp nhận", "Officer", officer.clone())])?;
        }
        p.para(
            "Xin thông báo để ông/bà được biết và thực hiện.",
            "for the applicant's information",
        )?;
        p.signatures(&[("NGƯỜI TIẾP NHẬN HỒ SƠ", "officer receiving the dossier")])?;
        p.finish()
    }
}
