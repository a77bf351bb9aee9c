//! Form 05, the processing control sheet (*phiếu kiểm soát quá trình giải quyết hồ sơ*): the
//! dossier's journey from the desk through every step and back, one row per step run with its
//! unit, when it was handed over, its own due, when it finished and whether early, on time or
//! late: exactly the step views and blame the engine computes.

use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Heading, StepRow};
use crate::escape::html as esc;
use motcua_core::{LateReason, TimeClass};
use serde::Serialize;
use std::fmt::Write;
use time::OffsetDateTime;

/// Form 05: the processing control sheet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ControlSheet {
    /// `"form": "control-sheet"`, `"number": "05"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The dossier, its procedure and the receiving unit (the desk that hands it over first).
    pub heading: Heading,
    /// The instant the sheet shows the dossier as of.
    #[serde(with = "time::serde::rfc3339")]
    pub as_of: OffsetDateTime,
    /// The official due (*hạn giải quyết*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub official_due: Option<OffsetDateTime>,
    /// The due promised to the applicant: the official due, or the new appointment of the
    /// latest apology.
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised_due: Option<OffsetDateTime>,
    /// One row per step run, in order of start.
    pub steps: Vec<StepRow>,
    /// When the dossier was finished (result ready, or refused, withdrawn, stopped).
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// When the result was returned to the applicant.
    #[serde(with = "time::serde::rfc3339::option")]
    pub returned_at: Option<OffsetDateTime>,
    /// How the dossier as a whole stands (the engine's time class).
    pub time_class: TimeClass,
    /// Why it is late, if it is.
    pub late_reason: Option<LateReason>,
    /// Supplement rounds it has had.
    pub supplement_rounds: u16,
}

impl ControlSheet {
    /// Form 05 of `dossier` as of its as-of instant.
    ///
    /// # Errors
    ///
    /// [`FormError::NotApplicable`] for a dossier never received.
    pub fn build(dossier: &Dossier<'_>) -> Result<ControlSheet, FormError> {
        let (state, view) = dossier.state_and_view()?;
        if view.received_at.is_none() {
            return Err(dossier.not_applicable(
                FormKind::ControlSheet,
                &view,
                "it was never received, so it was never handed over for processing",
            ));
        }
        let procedure = dossier.context.procedure_for(&state)?;
        let steps = dossier.step_rows(procedure, &view);
        Ok(ControlSheet {
            id: FormId::of(FormKind::ControlSheet),
            heading: dossier.heading(&view),
            as_of: dossier.as_of,
            official_due: view.official_due,
            promised_due: view.promised_due,
            steps,
            finished_at: view.finished_at,
            returned_at: state.returned.map(|(at, _)| at),
            time_class: view.time_class,
            late_reason: view.late_reason,
            supplement_rounds: view.supplement_rounds,
        })
    }
}

impl Form for ControlSheet {
    const KIND: FormKind = FormKind::ControlSheet;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let h = &self.heading;
        let mut p = Page::new(FormKind::ControlSheet, &h.unit, &h.dossier)?;
        p.fields(&[
            ("Mã hồ sơ", "Dossier code", h.dossier.clone()),
            ("Thủ tục hành chính", "Procedure", named(&h.procedure)),
            ("Cơ quan tiếp nhận", "Received by", named(&h.unit)),
            (
                "Thời điểm tiếp nhận",
                "Received at",
                page::when(h.received_at),
            ),
            (
                "Hạn giải quyết",
                "Official due",
                page::when(self.official_due),
            ),
        ])?;
        let mut t = String::new();
        writeln!(
            t,
            "<table class=\"grid\"><tr><th>STT<br><small>No.</small></th>\
             <th>Tên cơ quan, đơn vị / bước<br><small>Unit / step</small></th>\
             <th>Giao, nhận hồ sơ<br><small>Handed over at</small></th>\
             <th>Hạn của bước<br><small>Own due</small></th>\
             <th>Hoàn thành<br><small>Finished at</small></th>\
             <th>Kết quả<br><small>Result</small></th></tr>"
        )?;
        writeln!(
            t,
            "<tr><td class=\"c\">1</td><td>Bộ phận tiếp nhận và trả kết quả — {}<br>\
             <small>one-stop desk: received</small></td><td class=\"c\">{}</td>\
             <td class=\"c\"></td><td class=\"c\"></td><td></td></tr>",
            esc(&named(&h.unit)),
            esc(&page::short(h.received_at))
        )?;
        for (n, s) in self.steps.iter().enumerate() {
            let step = match &s.step_name {
                Some(name) => format!("{name} ({})", s.step),
                None => s.step.clone(),
            };
            writeln!(
                t,
                "<tr><td class=\"c\">{}</td><td>{}<br><small>{}</small>{}</td><td class=\"c\">{}</td>\
                 <td class=\"c\">{}</td><td class=\"c\">{}</td><td>{}</td></tr>",
                n + 2,
                esc(&named(&s.unit)),
                esc(&step),
                officers(s),
                esc(&page::short(Some(s.started_at))),
                esc(&page::short(s.due)),
                esc(&page::short(s.finished_at)),
                esc(s.outcome.label())
            )?;
        }
        writeln!(
            t,
            "<tr><td class=\"c\">{}</td><td>Bộ phận tiếp nhận và trả kết quả — {}<br>\
             <small>one-stop desk: result returned</small></td><td class=\"c\">{}</td>\
             <td class=\"c\">{}</td><td class=\"c\">{}</td><td>{}</td></tr>",
            self.steps.len() + 2,
            esc(&named(&h.unit)),
            esc(&page::short(self.finished_at)),
            esc(&page::short(self.official_due)),
            esc(&page::short(self.returned_at)),
            esc(time_class(self.time_class))
        )?;
        writeln!(t, "</table>")?;
        p.raw(&t)?;
        let mut notes = vec![format!(
            "Tình trạng tính đến {} (as of).",
            page::when(Some(self.as_of))
        )];
        if let Some(promised) = self.promised_due.filter(|p| Some(*p) != self.official_due) {
            notes.push(format!(
                "Hẹn lại sau phiếu xin lỗi (promised after an apology): {}.",
                page::when(Some(promised))
            ));
        }
        if self.supplement_rounds > 0 {
            notes.push(format!(
                "Số lần yêu cầu bổ sung (supplement rounds): {}.",
                self.supplement_rounds
            ));
        }
        if self.late_reason == Some(LateReason::MultipleSupplements) {
            notes.push(
                "Quá hạn do yêu cầu bổ sung nhiều hơn một lần (late: more than one supplement request, Decision 766)."
                    .to_owned(),
            );
        }
        for note in notes {
            p.raw(&format!("<p class=\"note\">{}</p>\n", esc(&note)))?;
        }
        p.signatures(&[
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "officer receiving the dossier"),
            ("LÃNH ĐẠO ĐƠN VỊ", "head of the unit"),
        ])?;
        p.finish()
    }
}

/// The officers of a step run, as a line under its unit: who took it over (*nhận*) and who
/// handed it on (*giao*); nothing when the events name neither.
fn officers(s: &StepRow) -> String {
    let mut parts = Vec::new();
    if let Some(o) = &s.started_by {
        parts.push(format!("nhận / received: {o}"));
    }
    if let Some(o) = &s.finished_by {
        parts.push(format!("giao / handed on: {o}"));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "<br><small>Cán bộ (officer) — {}</small>",
        esc(&parts.join("; "))
    )
}

/// A dossier's time class in Vietnamese, with English.
pub(super) fn time_class(c: TimeClass) -> &'static str {
    match c {
        TimeClass::Early => "Trước hạn (early)",
        TimeClass::OnTime => "Đúng hạn (on time)",
        TimeClass::Late => "Quá hạn (late)",
        TimeClass::WithinTime => "Đang xử lý, trong hạn (within time)",
        TimeClass::DueSoon => "Sắp đến hạn (due soon)",
        TimeClass::Overdue => "Đang xử lý, quá hạn (overdue)",
        TimeClass::NotJudged => "Không đánh giá (not judged)",
    }
}
