//! The forms of Circular 01/2018/TT-VPCP (*Thông tư 01/2018/TT-VPCP hướng dẫn thi hành Nghị
//! định 61/2018/NĐ-CP*), each built from a dossier's events, the catalogue and the calendar, as
//! data (a versioned JSON structure a host can feed to its own templates) and as a printable
//! A4 HTML page (no script, no network, every text escaped).
//!
//! | number | form | builder |
//! |---|---|---|
//! | 01 | receipt and appointment slip (*giấy tiếp nhận hồ sơ và hẹn trả kết quả*) | [`Receipt::build`] |
//! | 02 | request to supplement (*phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*) | [`SupplementRequest::build`] |
//! | 03 | refusal (*phiếu từ chối tiếp nhận giải quyết hồ sơ*) | [`Refusal::build`] |
//! | 04 | apology and new appointment (*phiếu xin lỗi và hẹn lại ngày trả kết quả*) | [`Apology::build`] |
//! | 05 | processing control sheet (*phiếu kiểm soát quá trình giải quyết hồ sơ*) | [`ControlSheet::build`] |
//! | 06 | tracking log of a unit for a period (*sổ theo dõi hồ sơ*) | [`TrackingLog::builder`] |
//!
//! A form that does not apply to a dossier (a refusal for a dossier never refused) is
//! [`FormError::NotApplicable`], never an empty page. Dues are the engine's: the same
//! [`motcua_core::Context::view`] the reports count, so the slip the applicant holds and the
//! figures a province is ranked on cannot disagree. `docs/forms.md` documents every field.
//!
//! ```
//! use motcua_core::calendar::Calendar;
//! use motcua_core::{Channel, Context, DossierId, Event, EventKind};
//! use motcua_render::forms::{ControlSheet, Dossier, Form, FormError, Receipt, Refusal};
//! use time::macros::datetime;
//!
//! let catalogue = motcua_io::read_catalogue(r#"{"format": "motcua-catalogue", "version": 1,
//!   "units": [{"id": "X", "name": "UBND xã X", "level": "commune"}],
//!   "procedures": [{"code": "P", "name": "Thủ tục P", "field": "F", "level": "commune",
//!     "time_limit": {"working_days": 3}}]}"#)?;
//! let calendar = Calendar::vietnam();
//! let events = [Event {
//!     event_id: uuid::Uuid::from_u128(1),
//!     dossier_id: DossierId::new("D1"),
//!     sequence: 1,
//!     occurred_at: datetime!(2024-03-04 09:00 +7),
//!     recorded_at: datetime!(2024-03-04 09:00 +7),
//!     metadata: Default::default(),
//!     kind: EventKind::Received { procedure: "P".into(), unit: "X".into(), channel: Channel::InPerson },
//! }];
//! let dossier = Dossier {
//!     context: Context::new(&catalogue, &calendar),
//!     events: &events,
//!     as_of: datetime!(2024-03-05 17:00 +7),
//! };
//! let slip = Receipt::build(&dossier)?;
//! // Three working days from Monday 09:00.
//! assert_eq!(slip.appointment, Some(datetime!(2024-03-07 09:00 +7)));
//! assert!(slip.html()?.contains("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"));
//! assert!(slip.json()?.starts_with("{\n  \"form\": \"receipt\",\n  \"number\": \"01\""));
//! assert!(ControlSheet::build(&dossier)?.steps.is_empty());
//! // Never refused: form 03 does not apply.
//! assert!(matches!(Refusal::build(&dossier), Err(FormError::NotApplicable { .. })));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apology;
mod control_sheet;
mod page;
mod receipt;
mod refusal;
mod supplement;
mod tracking_log;

pub use apology::Apology;
pub use control_sheet::ControlSheet;
pub use receipt::{Components, Receipt};
pub use refusal::Refusal;
pub use supplement::SupplementRequest;
pub use tracking_log::{TrackingLog, TrackingLogBuilder, TrackingLogRow};

use crate::error::RenderError;
use motcua_core::deadline::Granularity;
use motcua_core::{Context, DossierId, DossierState, DossierView, Event, ViewError};
use serde::Serialize;
use std::cmp::Ordering;
use time::OffsetDateTime;

/// The version of every form's JSON structure; raised when a field changes meaning or goes.
pub const FORM_VERSION: u32 = 1;

/// The forms of Circular 01/2018/TT-VPCP, by their number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FormKind {
    /// 01 — receipt and appointment slip (*giấy tiếp nhận hồ sơ và hẹn trả kết quả*).
    Receipt,
    /// 02 — request to supplement (*phiếu yêu cầu bổ sung, hoàn thiện hồ sơ*).
    SupplementRequest,
    /// 03 — refusal (*phiếu từ chối tiếp nhận giải quyết hồ sơ*).
    Refusal,
    /// 04 — apology and new appointment (*phiếu xin lỗi và hẹn lại ngày trả kết quả*).
    Apology,
    /// 05 — processing control sheet (*phiếu kiểm soát quá trình giải quyết hồ sơ*).
    ControlSheet,
    /// 06 — tracking log (*sổ theo dõi hồ sơ*).
    TrackingLog,
}

impl FormKind {
    /// Every form, in number order.
    pub const ALL: [FormKind; 6] = [
        FormKind::Receipt,
        FormKind::SupplementRequest,
        FormKind::Refusal,
        FormKind::Apology,
        FormKind::ControlSheet,
        FormKind::TrackingLog,
    ];

    /// The form's number in the circular, `"01"` to `"06"`.
    pub const fn number(self) -> &'static str {
        match self {
            FormKind::Receipt => "01",
            FormKind::SupplementRequest => "02",
            FormKind::Refusal => "03",
            FormKind::Apology => "04",
            FormKind::ControlSheet => "05",
            FormKind::TrackingLog => "06",
        }
    }

    /// The form's key, as in JSON and on the command line: `receipt`, `supplement-request`…
    pub const fn key(self) -> &'static str {
        match self {
            FormKind::Receipt => "receipt",
            FormKind::SupplementRequest => "supplement-request",
            FormKind::Refusal => "refusal",
            FormKind::Apology => "apology",
            FormKind::ControlSheet => "control-sheet",
            FormKind::TrackingLog => "tracking-log",
        }
    }

    /// The form's title in Vietnamese, as the circular prints it.
    pub const fn title_vi(self) -> &'static str {
        match self {
            FormKind::Receipt => "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            FormKind::SupplementRequest => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            FormKind::Refusal => "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            FormKind::Apology => "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
            FormKind::ControlSheet => "Phiếu kiểm soát quá trình giải quyết hồ sơ",
            FormKind::TrackingLog => "Sổ theo dõi hồ sơ",
        }
    }

    /// The form's title in English.
    pub const fn title_en(self) -> &'static str {
        match self {
            FormKind::Receipt => "Receipt and appointment slip",
            FormKind::SupplementRequest => "Request to supplement the dossier",
            FormKind::Refusal => "Refusal to accept the dossier",
            FormKind::Apology => "Apology and new appointment",
            FormKind::ControlSheet => "Processing control sheet",
            FormKind::TrackingLog => "Dossier tracking log",
        }
    }

    /// The form in error messages: `form 01`…
    pub const fn what(self) -> &'static str {
        match self {
            FormKind::Receipt => "form 01",
            FormKind::SupplementRequest => "form 02",
            FormKind::Refusal => "form 03",
            FormKind::Apology => "form 04",
            FormKind::ControlSheet => "form 05",
            FormKind::TrackingLog => "form 06",
        }
    }

    /// The form for a key or a number (`"receipt"`, `"01"`, `"1"`).
    ///
    /// ```
    /// use motcua_render::forms::FormKind;
    /// assert_eq!(FormKind::parse("03"), Some(FormKind::Refusal));
    /// assert_eq!(FormKind::parse("5"), Some(FormKind::ControlSheet));
    /// assert_eq!(FormKind::parse("apology"), Some(FormKind::Apology));
    /// assert_eq!(FormKind::parse("07"), None);
    /// ```
    pub fn parse(text: &str) -> Option<FormKind> {
        FormKind::ALL.into_iter().find(|k| {
            k.key() == text || k.number() == text || k.number().trim_start_matches('0') == text
        })
    }
}

impl std::fmt::Display for FormKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "form {} ({})", self.number(), self.key())
    }
}

/// Why a form could not be built.
#[derive(Debug, thiserror::Error)]
pub enum FormError {
    /// The form does not apply to the dossier (e.g. a refusal for a dossier never refused).
    #[error("{form} does not apply to dossier {dossier}: {why}")]
    NotApplicable {
        /// The form asked for.
        form: FormKind,
        /// The dossier.
        dossier: DossierId,
        /// Why, in words.
        why: String,
    },
    /// The dossier has fewer rounds (supplement requests, apologies) than the one asked for.
    #[error("{form}: dossier {dossier} has {rounds} round(s), not round {asked}")]
    NoSuchRound {
        /// The form asked for.
        form: FormKind,
        /// The dossier.
        dossier: DossierId,
        /// The rounds it has.
        rounds: usize,
        /// The round asked for, from 1.
        asked: usize,
    },
    /// The dossier has no event by the as-of instant.
    #[error("no event of the dossier happened by the as-of instant")]
    NoEvents,
    /// The dossier could not be viewed (procedure not in the catalogue, no version in force…).
    #[error(transparent)]
    View(#[from] ViewError),
    /// The text could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// What a form's JSON begins with: which form, its number in the circular and the version of
/// its structure (`{"form": "receipt", "number": "01", "version": 1, …}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FormId {
    /// The form's key.
    pub form: FormKind,
    /// Its number in Circular 01/2018/TT-VPCP.
    pub number: &'static str,
    /// The version of the structure, [`FORM_VERSION`].
    pub version: u32,
}

impl FormId {
    /// The id of `kind` at the current version.
    pub const fn of(kind: FormKind) -> FormId {
        FormId {
            form: kind,
            number: kind.number(),
            version: FORM_VERSION,
        }
    }
}

/// An id with the name the catalogue gives it (`None` when the catalogue does not know it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Named {
    /// The id (unit id, procedure code).
    pub id: String,
    /// The catalogue's name.
    pub name: Option<String>,
}

/// What every dossier form begins with: the dossier, its procedure and the unit that
/// received it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// The dossier's code (*mã hồ sơ*).
    pub dossier: String,
    /// The procedure (*thủ tục hành chính*), by code and name.
    pub procedure: Named,
    /// The procedure's field (*lĩnh vực*).
    pub field: Option<String>,
    /// The unit that received the dossier (*cơ quan tiếp nhận*).
    pub unit: Named,
    /// The channel's national code: 1 in person, 2 online, 3 by post (*kênh*).
    pub channel: u8,
    /// When it was submitted online or by post, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    pub submitted_at: Option<OffsetDateTime>,
    /// When it was received, if it was.
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
}

/// One dossier, as the forms read it: its events and the context that judges them.
#[derive(Clone, Copy)]
pub struct Dossier<'a> {
    /// Catalogue, calendar and judging rules.
    pub context: Context<'a>,
    /// The dossier's events, in sequence order, already checked (read from a store or an
    /// import).
    pub events: &'a [Event],
    /// The instant the dossier is judged at; events that happened later are left out.
    pub as_of: OffsetDateTime,
}

impl<'a> Dossier<'a> {
    /// The dossier's events that happened by the as-of instant.
    pub(crate) fn known(&self) -> &'a [Event] {
        let n = self
            .events
            .iter()
            .take_while(|e| e.occurred_at <= self.as_of)
            .count();
        &self.events[..n]
    }

    /// The folded state and the view as of the as-of instant.
    pub(crate) fn state_and_view(&self) -> Result<(DossierState, DossierView), FormError> {
        let known = self.known();
        if known.is_empty() {
            return Err(FormError::NoEvents);
        }
        let state = known
            .iter()
            .fold(DossierState::default(), motcua_core::state::evolve);
        let view = self.context.view(&state, self.as_of)?;
        Ok((state, view))
    }

    /// The view just after the event at `index` (the dossier as it stood when that event was
    /// recorded: the due written on a slip issued then).
    pub(crate) fn view_after(&self, index: usize) -> Result<DossierView, FormError> {
        let known = self.known();
        let upto = &known[..=index.min(known.len().saturating_sub(1))];
        let at = upto.last().ok_or(FormError::NoEvents)?.occurred_at;
        Ok(self.context.view_events(upto, at)?)
    }

    /// The view just before the event at `index`, as of that event's instant; `None` for the
    /// first event.
    pub(crate) fn view_before(&self, index: usize) -> Result<Option<DossierView>, FormError> {
        let known = self.known();
        if index == 0 || index > known.len() {
            return Ok(None);
        }
        let at = known[index].occurred_at;
        Ok(Some(self.context.view_events(&known[..index], at)?))
    }

    /// The heading of a dossier form.
    pub(crate) fn heading(&self, view: &DossierView) -> Heading {
        let catalogue = self.context.catalogue;
        let procedure = catalogue.procedure(&view.procedure);
        Heading {
            dossier: view.dossier_id.as_str().to_owned(),
            procedure: Named {
                id: view.procedure.as_str().to_owned(),
                name: procedure.map(|p| p.name.clone()),
            },
            field: procedure.map(|p| p.field.clone()),
            unit: self.unit(&view.unit),
            channel: view.channel.national_code(),
            submitted_at: view.submitted_at,
            received_at: view.received_at,
        }
    }

    /// A unit with its catalogue name.
    pub(crate) fn unit(&self, unit: &motcua_core::UnitId) -> Named {
        Named {
            id: unit.as_str().to_owned(),
            name: self.context.catalogue.unit(unit).map(|u| u.name.clone()),
        }
    }

    /// The error for a form that does not apply.
    pub(crate) fn not_applicable(
        &self,
        form: FormKind,
        view: &DossierView,
        why: &str,
    ) -> FormError {
        FormError::NotApplicable {
            form,
            dossier: view.dossier_id.clone(),
            why: why.to_owned(),
        }
    }
}

/// One step run, as form 05 and the portal record's history show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StepRow {
    /// The step's id in the procedure.
    pub step: String,
    /// The step's name in the catalogue, if it defines the step.
    pub step_name: Option<String>,
    /// The unit handling it (*cơ quan, đơn vị giải quyết*).
    pub unit: Named,
    /// When it started: the dossier handed over to the unit (*thời gian giao, nhận hồ sơ*).
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// The step's own due, from its share of the limit; `None` without a share.
    #[serde(with = "time::serde::rfc3339::option")]
    pub due: Option<OffsetDateTime>,
    /// When it finished, if it has.
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Early, on time or late (or still open) against its own due.
    pub outcome: Outcome,
    /// The officer who recorded the step's start: who took the dossier over at the unit
    /// (*người nhận*), from the event's metadata; `None` when not recorded.
    pub started_by: Option<String>,
    /// The officer who recorded its end (its `step_finished`, or the `result_ready` that closed
    /// it): who handed the dossier on (*người giao*).
    pub finished_by: Option<String>,
}

/// One round of a form a dossier may have several of (supplement requests, apologies).
pub(crate) struct Round {
    /// The index of its event in the known events.
    pub index: usize,
    /// Which round, from 1.
    pub round: usize,
    /// How many the dossier has had.
    pub rounds: usize,
}

impl Dossier<'_> {
    /// The step runs of a view (built from the known events), each with its name, outcome
    /// and the officers who started and finished it.
    pub(crate) fn step_rows(
        &self,
        procedure: &motcua_core::Procedure,
        view: &DossierView,
    ) -> Vec<StepRow> {
        let handlers = motcua_core::step_handlers(self.known());
        let officer = |o: Option<&motcua_core::OfficerId>| o.map(|o| o.as_str().to_owned());
        view.steps
            .iter()
            .enumerate()
            .map(|(i, s)| StepRow {
                step: s.step.clone(),
                step_name: procedure.step(&s.step).map(|spec| spec.name.clone()),
                unit: self.unit(&s.unit),
                started_at: s.started_at,
                due: s.due,
                finished_at: s.finished_at,
                outcome: Outcome::of(&self.context, s.due, s.finished_at, s.late),
                started_by: officer(handlers.get(i).and_then(|h| h.started_by.as_ref())),
                finished_by: officer(handlers.get(i).and_then(|h| h.finished_by.as_ref())),
            })
            .collect()
    }

    /// The officer who recorded the known event at `index`, if the metadata names one.
    pub(crate) fn officer_at(&self, index: usize) -> Option<String> {
        self.known()
            .get(index)
            .and_then(|e| e.metadata.officer.as_ref())
            .map(|o| o.as_str().to_owned())
    }

    /// Round `asked` (from 1; the latest when `None`) of the events `is_round` picks;
    /// [`FormError::NotApplicable`] with `never` when there is none.
    pub(crate) fn round(
        &self,
        form: FormKind,
        view: &DossierView,
        is_round: fn(&motcua_core::EventKind) -> bool,
        asked: Option<usize>,
        never: &str,
    ) -> Result<Round, FormError> {
        let indices: Vec<usize> = self
            .known()
            .iter()
            .enumerate()
            .filter(|(_, e)| is_round(&e.kind))
            .map(|(i, _)| i)
            .collect();
        if indices.is_empty() {
            return Err(self.not_applicable(form, view, never));
        }
        let round = asked.unwrap_or(indices.len());
        match round.checked_sub(1).and_then(|i| indices.get(i)) {
            Some(&index) => Ok(Round {
                index,
                round,
                rounds: indices.len(),
            }),
            None => Err(FormError::NoSuchRound {
                form,
                dossier: view.dossier_id.clone(),
                rounds: indices.len(),
                asked: round,
            }),
        }
    }
}

/// How a step or a dossier finished against its due (*trước hạn / đúng hạn / quá hạn*), or
/// stands if it is still open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Finished before its due (*trước hạn*).
    Early,
    /// Finished on its due (*đúng hạn*).
    OnTime,
    /// Finished after its due (*quá hạn*).
    Late,
    /// Still open, not past its due (*đang xử lý, trong hạn*).
    Open,
    /// Still open and past its due (*đang xử lý, quá hạn*).
    Overdue,
    /// It has no due of its own (*không có thời hạn riêng*).
    NoDue,
}

impl Outcome {
    /// How a run from `finished` (or open, `None`) stands against `due`; `late` is the engine's
    /// judgement (finished after its due, or still open past it), which decides between late
    /// and not; early and on time are told apart under the context's comparison (dates by
    /// default).
    pub(crate) fn of(
        context: &Context<'_>,
        due: Option<OffsetDateTime>,
        finished: Option<OffsetDateTime>,
        late: bool,
    ) -> Outcome {
        let Some(due) = due else {
            return Outcome::NoDue;
        };
        match (finished, late) {
            (None, false) => Outcome::Open,
            (None, true) => Outcome::Overdue,
            (Some(_), true) => Outcome::Late,
            (Some(end), false) => {
                let offset = context.calendar.offset();
                let order = match context.rules.granularity {
                    Granularity::Date => motcua_core::deadline::local_date(end, offset)
                        .cmp(&motcua_core::deadline::local_date(due, offset)),
                    Granularity::Instant => end.cmp(&due),
                };
                if order == Ordering::Less {
                    Outcome::Early
                } else {
                    Outcome::OnTime
                }
            }
        }
    }

    /// In Vietnamese, with English.
    pub const fn label(self) -> &'static str {
        match self {
            Outcome::Early => "Trước hạn (early)",
            Outcome::OnTime => "Đúng hạn (on time)",
            Outcome::Late => "Quá hạn (late)",
            Outcome::Open => "Đang xử lý, trong hạn (open, within time)",
            Outcome::Overdue => "Đang xử lý, quá hạn (open, overdue)",
            Outcome::NoDue => "Không có thời hạn riêng (no own due)",
        }
    }
}

/// What every form can be: versioned JSON data and a printable page. Bring it into scope to
/// call `json()` and `html()` on a built form.
pub trait Form: Serialize {
    /// Which form this is.
    const KIND: FormKind;

    /// Writes the printable page.
    #[doc(hidden)]
    fn page(&self) -> Result<String, std::fmt::Error>;

    /// The form as pretty JSON with a final line feed.
    ///
    /// # Errors
    ///
    /// [`RenderError::Json`] if it cannot be serialised (a bug, not bad data).
    fn json(&self) -> Result<String, RenderError> {
        to_json(self, Self::KIND.what())
    }

    /// The printable A4 page (HTML; A4 landscape for the tracking log).
    ///
    /// # Errors
    ///
    /// [`RenderError::Format`] if a value cannot be formatted (a bug, not bad data).
    fn html(&self) -> Result<String, RenderError> {
        self.page().map_err(RenderError::format(Self::KIND.what()))
    }
}

/// Serialises a value to pretty JSON with a final line feed.
pub(crate) fn to_json<T: Serialize + ?Sized>(
    form: &T,
    what: &'static str,
) -> Result<String, RenderError> {
    let mut text =
        serde_json::to_string_pretty(form).map_err(|source| RenderError::Json { what, source })?;
    text.push('\n');
    Ok(text)
}
