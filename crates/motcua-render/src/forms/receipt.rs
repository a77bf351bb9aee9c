//! Form 01, the receipt and appointment slip (*giấy tiếp nhận hồ sơ và hẹn trả kết quả*):
//! issued when the dossier is received; it gives the appointment (the official due as it stood
//! at reception) and where the result is returned.

use super::page::{self, named, Page};
use super::{Dossier, Form, FormError, FormId, FormKind, Heading, Named};
use motcua_core::procedure::{Fee, TimeLimit};
use motcua_core::EventKind;
use serde::Serialize;
use time::OffsetDateTime;

/// The dossier's components as the events record them: counts only (a `digitised` event
/// carries how many components the dossier has, how many are stored as files and how many
/// were reused from digitised data; the names of the papers are the host's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Components {
    /// Components the dossier has (*thành phần hồ sơ*).
    pub count: u32,
    /// Of them, stored as files (*số hóa*).
    pub digitised: u32,
    /// Of them, taken from already digitised data (*tái sử dụng*).
    pub reused: u32,
}

impl Components {
    /// From a view's `digitisation` triple.
    pub(crate) fn from_view(d: Option<(u32, u32, u32)>) -> Option<Components> {
        d.map(|(count, digitised, reused)| Components {
            count,
            digitised,
            reused,
        })
    }
}

/// Form 01: the receipt and appointment slip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// `"form": "receipt"`, `"number": "01"`, the version.
    #[serde(flatten)]
    pub id: FormId,
    /// The dossier, its procedure and the receiving unit.
    pub heading: Heading,
    /// When the slip was issued: the reception.
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
    /// The officer who recorded the reception (*người tiếp nhận*), from the event's metadata.
    pub received_by: Option<String>,
    /// The procedure's legal time limit (*thời hạn giải quyết*).
    pub time_limit: Option<TimeLimit>,
    /// The appointment to return the result (*ngày hẹn trả kết quả*): the official due as
    /// computed at reception. `None` for a procedure without a time limit.
    #[serde(with = "time::serde::rfc3339::option")]
    pub appointment: Option<OffsetDateTime>,
    /// Where the result is returned (*nơi trả kết quả*): the receiving unit's one-stop desk.
    pub return_place: Named,
    /// The components received, as counted by the latest `digitised` event known; `None`
    /// when none was recorded.
    pub components: Option<Components>,
    /// The fees the procedure charges (*phí, lệ phí*).
    pub fees: Vec<Fee>,
}

impl Receipt {
    /// Form 01 of `dossier`.
    ///
    /// # Errors
    ///
    /// [`FormError::NotApplicable`] for a dossier never received (refused at reception, or
    /// submitted and not accepted yet); [`FormError::View`] when it cannot be judged.
    pub fn build(dossier: &Dossier<'_>) -> Result<Receipt, FormError> {
        let (_, view) = dossier.state_and_view()?;
        let Some(index) = dossier
            .known()
            .iter()
            .position(|e| matches!(e.kind, EventKind::Received { .. }))
        else {
            return Err(dossier.not_applicable(
                FormKind::Receipt,
                &view,
                "it was never received (refused at reception, or submitted and not accepted yet)",
            ));
        };
        let at_reception = dossier.view_after(index)?;
        let issued_at = dossier.known()[index].occurred_at;
        let procedure = dossier.context.catalogue.procedure(&view.procedure);
        Ok(Receipt {
            id: FormId::of(FormKind::Receipt),
            heading: dossier.heading(&view),
            issued_at,
            received_by: dossier.officer_at(index),
            time_limit: procedure.map(|p| p.time_limit),
            appointment: at_reception.official_due,
            return_place: dossier.unit(&view.unit),
            components: Components::from_view(view.digitisation),
            fees: procedure.map(|p| p.fees.clone()).unwrap_or_default(),
        })
    }
}

impl Form for Receipt {
    const KIND: FormKind = FormKind::Receipt;

    fn page(&self) -> Result<String, std::fmt::Error> {
        let h = &self.heading;
        let mut p = Page::new(FormKind::Receipt, &h.unit, &h.dossier)?;
        p.para(
            &format!("{} tiếp nhận hồ sơ của:", named(&h.unit)),
            "received the dossier of",
        )?;
        p.fields(&[
            (
                "Ông/bà (người nộp hồ sơ)",
                "Applicant",
                "………………………………………………".to_owned(),
            ),
            ("Mã hồ sơ", "Dossier code", h.dossier.clone()),
            ("Thủ tục hành chính", "Procedure", named(&h.procedure)),
            ("Lĩnh vực", "Field", h.field.clone().unwrap_or_default()),
            ("Kênh tiếp nhận", "Channel", page::channel(h.channel)),
            (
                "Thời điểm tiếp nhận",
                "Received at",
                page::when(Some(self.issued_at)),
            ),
            (
                "Thành phần hồ sơ",
                "Components",
                components(self.components),
            ),
            (
                "Thời hạn giải quyết",
                "Time limit",
                self.time_limit.map(limit).unwrap_or_default(),
            ),
            (
                "Thời gian trả kết quả",
                "Appointment to return the result",
                match self.appointment {
                    Some(t) => page::when(Some(t)),
                    None => "Không quy định thời hạn (no time limit)".to_owned(),
                },
            ),
            (
                "Nơi trả kết quả",
                "Where the result is returned",
                format!(
                    "Bộ phận tiếp nhận và trả kết quả, {}",
                    named(&self.return_place)
                ),
            ),
            ("Phí, lệ phí", "Fees", fees(&self.fees)),
        ])?;
        if let Some(officer) = &self.received_by {
            p.fields(&[("Cán bộ tiếp nhận", "Officer receiving", officer.clone())])?;
        }
        p.para(
            "Vào sổ theo dõi hồ sơ, quyển số: …… số thứ tự: ……",
            "entered in the tracking log, book no. and entry no.",
        )?;
        p.signatures(&[
            ("NGƯỜI NỘP HỒ SƠ", "applicant"),
            ("NGƯỜI TIẾP NHẬN HỒ SƠ", "officer receiving the dossier"),
        ])?;
        p.finish()
    }
}

/// Components in words.
fn components(c: Option<Components>) -> String {
    match c {
        None => "Theo danh mục thủ tục (as the procedure lists; not counted in the events)"
            .to_owned(),
        Some(c) => format!(
            "{} thành phần, trong đó {} đã số hóa, {} tái sử dụng ({} components, {} digitised, {} reused)",
            c.count, c.digitised, c.reused, c.count, c.digitised, c.reused
        ),
    }
}

/// A time limit in words.
pub(super) fn limit(l: TimeLimit) -> String {
    match l {
        TimeLimit::WorkingDays(n) => format!("{n} ngày làm việc ({n} working days)"),
        TimeLimit::WorkingHours(n) => format!("{n} giờ làm việc ({n} working hours)"),
        TimeLimit::CalendarDays(n) => format!("{n} ngày ({n} calendar days)"),
        TimeLimit::SameDay { cutoff } => format!(
            "Trong ngày, tiếp nhận trước {:02}:{:02} (same day, received before the cut-off)",
            cutoff.hour(),
            cutoff.minute()
        ),
        TimeLimit::None => "Không quy định (none)".to_owned(),
    }
}

/// Fees in words: each with its amount, or that there is none.
pub(super) fn fees(fees: &[Fee]) -> String {
    if fees.is_empty() {
        return "Không (none)".to_owned();
    }
    fees.iter()
        .map(|f| {
            format!(
                "{}: {} đồng",
                f.name,
                crate::format::num(f.amount_vnd).replace(',', ".")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
