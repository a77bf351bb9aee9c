//! Form 04, the apology and new appointment (*phiếu xin lỗi và hẹn lại ngày trả kết quả*):
//! issued by the unit that caused the delay. The new appointment moves only the promised due;
//! the official due stays and the dossier still counts late.

use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Heading, Named, Round};
use motcua_core::EventKind;
use serde::Serialize;
use time::OffsetDateTime;

/// Form 04: one apology with its new appointment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Apology {
    /// `"form": "apology"`, `"number": "04"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The dossier, its procedure and the receiving unit.
    pub heading: Heading,
    /// Which apology this is, from 1.
    pub round: usize,
    /// How many the dossier has had.
    pub rounds: usize,
    /// The unit apologising: the one holding the dossier when the apology was issued.
    pub issued_by: Named,
    /// Units of the steps already late when it was issued (the engine's blame), in step order.
    pub late_steps: Vec<Named>,
    /// The officer who recorded the apology, from the event's metadata.
    pub officer: Option<String>,
    /// When it was issued.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// Why the dossier is late (*lý do*), as recorded.
    pub reason: String,
    /// The appointment the applicant held before (the previous promise, else the official due).
    #[serde(with = "time::serde::rfc3339::option")]
    pub previous_appointment: Option<OffsetDateTime>,
    /// The official due, which the apology does not move.
    #[serde(with = "time::serde::rfc3339::option")]
    pub official_due: Option<OffsetDateTime>,
    /// The new appointment (*hẹn lại ngày trả kết quả*).
    #[serde(with = "time::serde::rfc3339")]
    pub new_appointment: OffsetDateTime,
}

impl Apology {
    /// Form 04 of apology `round` (from 1; the latest when `None`) of `dossier`.
    ///
    /// # Errors
    ///
    /// [`FormError::NotApplicable`] for a dossier that never had an apology issued;
    /// [`FormError::NoSuchRound`] for a round it has not had.
    pub fn build(dossier: &Dossier<'_>, round: Option<usize>) -> Result<Apology, FormError> {
        let (_, view) = dossier.state_and_view()?;
        let known = dossier.known();
        let Round {
            index,
            round,
            rounds,
        } = dossier.round(
            FormKind::Apology,
            &view,
            |k| matches!(k, EventKind::ApologyIssued { .. }),
            round,
            "no apology and new appointment was issued for it",
        )?;
        let EventKind::ApologyIssued { new_due, reason } = &known[index].kind else {
            return Err(FormError::NoEvents);
        };
        let after = dossier.view_after(index)?;
        let before = dossier.view_before(index)?;
        let mut late_steps: Vec<Named> = Vec::new();
        for step in after.steps.iter().filter(|s| s.late) {
            let unit = dossier.unit(&step.unit);
            if !late_steps.contains(&unit) {
                late_steps.push(unit);
            }
        }
        Ok(Apology {
            id: FormId::of(FormKind::Apology),
            heading: dossier.heading(&view),
            round,
            rounds,
            issued_by: dossier.unit(&after.current_unit),
            late_steps,
            officer: dossier.officer_at(index),
            issued_at: known[index].occurred_at,
            reason: reason.clone(),
            previous_appointment: before.and_then(|v| v.promised_due.or(v.official_due)),
            official_due: after.official_due,
            new_appointment: *new_due,
        })
    }
}

impl Form for Apology {
    const KIND: FormKind = FormKind::Apology;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let h = &self.heading;
        let mut p = Page::new(FormKind::Apology, &self.issued_by, &h.dossier)?;
        p.para(
            &format!(
                "Ngày {} , {} tiếp nhận giải quyết hồ sơ đề nghị {} của ông/bà ………………………………",
                page::when(h.received_at),
                named(&h.unit),
                named(&h.procedure)
            ),
            "the dossier above was received on the date shown",
        )?;
        p.para(
            "Thời gian hẹn trả kết quả giải quyết hồ sơ đã quá hạn. Lý do:",
            "the appointment to return the result has passed or will pass; the reason",
        )?;
        let late = if self.late_steps.is_empty() {
            "—".to_owned()
        } else {
            self.late_steps
                .iter()
                .map(named)
                .collect::<Vec<_>>()
                .join("; ")
        };
        p.fields(&[
            ("Mã hồ sơ", "Dossier code", h.dossier.clone()),
            ("Lý do", "Reason", self.reason.clone()),
            ("Bước giải quyết đã quá hạn tại", "Late steps at", late),
            (
                "Hẹn trả kết quả trước đây",
                "Previous appointment",
                page::when(self.previous_appointment),
            ),
            (
                "Hạn giải quyết theo quy định (không đổi)",
                "Official due (unchanged)",
                page::when(self.official_due),
            ),
            (
                "Hẹn lại ngày trả kết quả",
                "New appointment",
                page::when(Some(self.new_appointment)),
            ),
            (
                "Ngày lập phiếu",
                "Issued at",
                page::when(Some(self.issued_at)),
            ),
        ])?;
        if let Some(officer) = &self.officer {
            p.fields(&[("Cán bộ lập phiếu", "Officer", officer.clone())])?;
        }
        p.para(
            &format!(
                "{} xin lỗi ông/bà và hẹn trả kết quả vào thời gian trên. Sự chậm trễ này vẫn được tính là quá hạn.",
                named(&self.issued_by)
            ),
            "we apologise and will return the result at the new appointment; the dossier still counts as late",
        )?;
        p.signatures(&[("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "head of the unit")])?;
        p.finish()
    }
}
