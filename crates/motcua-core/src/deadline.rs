//! Due dates: from the procedure's time limit, the working calendar and the dossier's clock
//! events (supplement rounds, financial obligations, extensions, apologies), with a trace that
//! explains every step.
//!
//! The clock starts at reception, normalised to the next working instant (a dossier received
//! after hours counts from the next session). Then, in time order:
//!
//! - a supplement round under [`SupplementPolicy::Pause`] or a payment wait (when the procedure
//!   says it pauses) moves the due later by the time waited, in the limit's own kind of time:
//!   working minutes, or wall-clock time for calendar-day limits (added before the due is
//!   rolled forward to a working day);
//! - a supplement round under [`SupplementPolicy::Shift`] pushes the due back by the calendar
//!   days waited (rolled forward to a working day);
//! - while such a wait is still open the clock stands where the wait began: nothing moves until
//!   it ends ([`Dues::clock_stopped_at`]);
//! - a supplement round under [`SupplementPolicy::Restart`] stops the clock; when the complete
//!   dossier arrives the whole limit is counted again from then;
//! - an extension under law replaces the official due; an apology sets only the promised due.

use crate::ids::DossierId;
use crate::procedure::{Procedure, SupplementPolicy, TimeLimit};
use crate::state::DossierState;
use motcua_calendar::{Calendar, CalendarError, CalendarVersion, DayInfo};
use serde::Serialize;
use std::fmt;
use time::OffsetDateTime;

/// How finished dossiers are compared with their due (*so sánh theo ngày hay theo thời điểm*).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Compare local dates: finished on the due date is on time. The statistics default.
    #[default]
    Date,
    /// Compare instants: finished one minute after the due instant is late.
    Instant,
}

/// How far ahead "due soon" (*sắp đến hạn*) looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueSoonWindow {
    /// Due on or before the n-th next working day. The default is 1.
    WorkingDays(u32),
    /// Due within this many clock hours.
    Hours(u32),
}

impl Default for DueSoonWindow {
    fn default() -> Self {
        DueSoonWindow::WorkingDays(1)
    }
}

/// Settings that judge dossiers against their dues, each with the documented default.
///
/// ```
/// use motcua_core::{Granularity, JudgingRules};
/// let rules = JudgingRules::default();
/// assert_eq!(rules.granularity, Granularity::Date);
/// assert!(rules.multiple_supplements_late);
/// assert_eq!(rules.accept_within_working_hours, 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct JudgingRules {
    /// Date (default) or instant comparison.
    pub granularity: Granularity,
    /// The "due soon" window (default: the next working day).
    pub due_soon: DueSoonWindow,
    /// Count a finished dossier with more than one supplement request as late, as the
    /// Decision 766 progress formula does (default: true).
    pub multiple_supplements_late: bool,
    /// Working hours staff have to accept or refuse an online submission (default: 8).
    pub accept_within_working_hours: u32,
}

impl Default for JudgingRules {
    fn default() -> Self {
        JudgingRules {
            granularity: Granularity::Date,
            due_soon: DueSoonWindow::default(),
            multiple_supplements_late: true,
            accept_within_working_hours: 8,
        }
    }
}

/// Why the clock stood still.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseCause {
    /// Waiting for the applicant to supplement.
    Supplement,
    /// Waiting for a financial obligation to be paid.
    Payment,
}

impl PauseCause {
    fn label(self) -> &'static str {
        match self {
            PauseCause::Supplement => "waiting for a supplement",
            PauseCause::Payment => "waiting for payment",
        }
    }
}

/// The due dates of one dossier as of an instant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dues {
    /// Reception normalised to working time: where the clock starts.
    #[serde(with = "time::serde::rfc3339::option")]
    pub clock_start: Option<OffsetDateTime>,
    /// The official due (*hạn xử lý*): moved by pauses, restarts and extensions, never by apologies.
    /// `None` with no limit, before reception, or while a restart waits for the applicant.
    #[serde(with = "time::serde::rfc3339::option")]
    pub official: Option<OffsetDateTime>,
    /// The due promised to the applicant: the last apology's new appointment, else the official due.
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised: Option<OffsetDateTime>,
    /// For a submission not yet received: when staff must accept or refuse it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub accept_by: Option<OffsetDateTime>,
    /// Working minutes the clock stood still in waits that have ended, since it last started.
    pub paused_minutes: u64,
    /// Whether the clock is stopped now by a wait, and why.
    pub paused_by: Option<PauseCause>,
    /// When the clock last (re)started: reception, or the supply that restarted it.
    #[serde(with = "time::serde::rfc3339::option")]
    pub counting_from: Option<OffsetDateTime>,
    /// While a wait that stops the clock is still open as of the as-of instant: when it began.
    /// The clock reads there until the wait ends, so the dues, the time left and the judgement
    /// do not move while the dossier waits (*tạm dừng*).
    #[serde(with = "time::serde::rfc3339::option")]
    pub clock_stopped_at: Option<OffsetDateTime>,
    /// While the applicant is asked to supplement and the procedure sets a time for it: when
    /// that time runs out (*hạn bổ sung hồ sơ*), counted from the request like a time limit.
    #[serde(with = "time::serde::rfc3339::option")]
    pub supplement_due: Option<OffsetDateTime>,
}

/// One line of a due computation's trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TraceEntry {
    /// The rule applied.
    Rule {
        /// The procedure's code and name.
        procedure: String,
        /// Its time limit.
        limit: TimeLimit,
        /// Its supplement policy.
        supplement_policy: SupplementPolicy,
        /// Whether payment waits pause the clock.
        payment_pauses_clock: bool,
        /// The calendar used.
        calendar: CalendarVersion,
        /// The dates the procedure version is in force (`always`, `from 2025-07-01`, …).
        in_force: String,
    },
    /// Reception and where the clock starts.
    Received {
        /// When received.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The start of the clock.
        #[serde(with = "time::serde::rfc3339")]
        clock_starts: OffsetDateTime,
    },
    /// The limit counted from an instant, with every day skipped.
    Counted {
        /// Counted from.
        #[serde(with = "time::serde::rfc3339")]
        from: OffsetDateTime,
        /// The due it gives.
        #[serde(with = "time::serde::rfc3339")]
        due: OffsetDateTime,
        /// The non-working days skipped on the way, and why.
        skipped: Vec<DayInfo>,
        /// Make-up working days (normally closed days worked) counted on the way.
        makeup_days: Vec<DayInfo>,
        /// Whether this count restarts the limit after a supplement.
        restart: bool,
    },
    /// The clock stood still.
    Paused {
        /// Why.
        cause: PauseCause,
        /// From.
        #[serde(with = "time::serde::rfc3339")]
        from: OffsetDateTime,
        /// Until, or `None` while still waiting (the clock stands at `from` until then).
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
        /// Working minutes not counted (0 while still waiting).
        working_minutes: u64,
        /// Under a calendar-day limit, the wall-clock minutes the due moved by (the time
        /// waited, rule 6); `None` under a limit in working time, or while still waiting.
        #[serde(skip_serializing_if = "Option::is_none")]
        wall_minutes: Option<u64>,
        /// The due after the pause.
        #[serde(with = "time::serde::rfc3339")]
        due: OffsetDateTime,
    },
    /// A legacy shift: the due moved by the calendar days waited.
    Shifted {
        /// From.
        #[serde(with = "time::serde::rfc3339")]
        from: OffsetDateTime,
        /// Until, or `None` while still waiting.
        #[serde(with = "time::serde::rfc3339::option")]
        until: Option<OffsetDateTime>,
        /// Calendar days waited.
        calendar_days: u32,
        /// The due after the shift.
        #[serde(with = "time::serde::rfc3339")]
        due: OffsetDateTime,
    },
    /// The clock stopped for a supplement under the restart policy and has not restarted yet.
    AwaitingRestart {
        /// Since when.
        #[serde(with = "time::serde::rfc3339")]
        since: OffsetDateTime,
    },
    /// An extension under law moved the official due.
    Extended {
        /// When granted.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// The legal basis.
        legal_basis: String,
        /// The new official due.
        #[serde(with = "time::serde::rfc3339")]
        due: OffsetDateTime,
    },
    /// An apology promised a new date; the official due stays.
    Apology {
        /// When issued.
        #[serde(with = "time::serde::rfc3339")]
        at: OffsetDateTime,
        /// Why.
        reason: String,
        /// The promised date.
        #[serde(with = "time::serde::rfc3339")]
        promised: OffsetDateTime,
    },
    /// The applicant was asked to supplement and has until `due` to do so.
    SupplementDue {
        /// When the supplement was requested.
        #[serde(with = "time::serde::rfc3339")]
        requested: OffsetDateTime,
        /// The procedure's time to supplement.
        limit: TimeLimit,
        /// When that time runs out.
        #[serde(with = "time::serde::rfc3339")]
        due: OffsetDateTime,
    },
    /// The procedure has no time limit.
    NoLimit,
}

/// Why a due could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeadlineError {
    /// The calendar does not cover an instant the dossier needs.
    #[error("dossier {dossier}: {source}")]
    Calendar {
        /// The dossier.
        dossier: DossierId,
        /// The calendar's error.
        source: CalendarError,
    },
}

/// The full trace of a due computation: `Display` gives the text `motcua explain` prints;
/// `Serialize` gives the JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// The entries, in the order they were applied.
    pub entries: Vec<TraceEntry>,
    /// The result.
    pub dues: Dues,
}

/// Computes the dues of a dossier as of `as_of` (waits still open count up to `as_of`).
///
/// ```
/// use motcua_core::{deadline, Catalogue, Channel, DossierId, Event, EventKind};
/// # use motcua_core::{Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// use motcua_calendar::Calendar;
/// use time::macros::datetime;
/// # let procedure = Procedure { code: ProcedureCode::new("2.001"), name: "Đăng ký hộ kinh doanh".into(),
/// #     field: "Thành lập và hoạt động hộ kinh doanh".into(), level: Level::District, units: vec![],
/// #     time_limit: TimeLimit::WorkingDays(3), supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None,
/// #     online_service: Default::default(), result_is_document: true, fees: vec![], steps: vec![] };
///
/// // Received on Friday 2024-03-01 at 16:50, within office hours: due 3 working days later.
/// let received = Event {
///     event_id: uuid::Uuid::nil(), dossier_id: DossierId::new("D1"), sequence: 1,
///     occurred_at: datetime!(2024-03-01 16:50 +7), recorded_at: datetime!(2024-03-01 16:50 +7),
///     kind: EventKind::Received { procedure: "2.001".into(), unit: "H01".into(), channel: Channel::InPerson },
///     metadata: Default::default(),
/// };
/// let state = motcua_core::fold([&received]);
/// let calendar = Calendar::vietnam();
/// let dues = deadline::dues(&state, &procedure, &calendar, datetime!(2024-03-02 00:00 +7))?;
/// assert_eq!(dues.official, Some(datetime!(2024-03-06 16:50 +7)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn dues(
    state: &DossierState,
    procedure: &Procedure,
    calendar: &Calendar,
    as_of: OffsetDateTime,
) -> Result<Dues, DeadlineError> {
    compute(
        state,
        procedure,
        calendar,
        as_of,
        &JudgingRules::default(),
        &mut NoTrace,
    )
}

/// The dates a procedure version is in force, in words: `always`, `from 2025-07-01`,
/// `until 2025-06-30`, `from 2024-01-01 until 2025-06-30`.
pub fn in_force_text(version: &crate::procedure::ProcedureVersion) -> String {
    match (version.effective_from, version.effective_until) {
        (None, None) => "always".to_owned(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(u)) => format!("until {u}"),
        (Some(f), Some(u)) => format!("from {f} until {u}"),
    }
}

/// [`dues`] with the judging rules (for the accept deadline) and a full trace. To explain a
/// dossier under the procedure and calendar versions it is judged by, use
/// [`crate::Context::explain`].
pub fn explain(
    state: &DossierState,
    procedure: &Procedure,
    calendar: &Calendar,
    as_of: OffsetDateTime,
    rules: &JudgingRules,
) -> Result<Explanation, DeadlineError> {
    let mut entries = Vec::new();
    let dues = compute(state, procedure, calendar, as_of, rules, &mut entries)?;
    Ok(Explanation { entries, dues })
}

/// Receives trace entries; a no-op for the fast path.
pub(crate) trait Trace {
    const ON: bool;
    fn push(&mut self, entry: TraceEntry);
}

pub(crate) struct NoTrace;

impl Trace for NoTrace {
    const ON: bool = false;
    fn push(&mut self, _: TraceEntry) {}
}

impl Trace for Vec<TraceEntry> {
    const ON: bool = true;
    fn push(&mut self, entry: TraceEntry) {
        Vec::push(self, entry);
    }
}

/// A wait that may stop the clock, in time order.
#[derive(Clone, Copy)]
enum Wait {
    Supplement {
        from: OffsetDateTime,
        until: Option<OffsetDateTime>,
        supplied: bool,
    },
    Payment {
        from: OffsetDateTime,
        until: Option<OffsetDateTime>,
    },
    Extension {
        at: OffsetDateTime,
        index: usize,
    },
}

impl Wait {
    fn at(&self) -> OffsetDateTime {
        match *self {
            Wait::Supplement { from, .. } | Wait::Payment { from, .. } => from,
            Wait::Extension { at, .. } => at,
        }
    }
}

/// The waits of a dossier that may stop its clock or move its due, in time order (a stable
/// sort: an extension recorded at the same instant as a wait keeps its place after it).
fn waits(state: &DossierState, procedure: &Procedure) -> Vec<Wait> {
    let mut waits: Vec<Wait> =
        Vec::with_capacity(state.supplements.len() + state.payments.len() + state.extensions.len());
    waits.extend(state.supplements.iter().map(|r| Wait::Supplement {
        from: r.requested_at,
        until: r.closed.map(|(t, _)| t),
        supplied: r.closed.is_some_and(|(_, s)| s),
    }));
    if procedure.payment_pauses_clock {
        waits.extend(state.payments.iter().map(|p| Wait::Payment {
            from: p.requested_at,
            until: p.paid.map(|(t, _)| t),
        }));
    }
    waits.extend(
        state
            .extensions
            .iter()
            .enumerate()
            .map(|(index, e)| Wait::Extension { at: e.at, index }),
    );
    waits.sort_by_key(Wait::at);
    waits
}

/// The due in working time `minutes` working minutes after `from` (*hạn tính theo thời gian làm
/// việc*): the instant they run out, written as the start of the next session when that is a
/// session's end, so that a due counted in working minutes keeps the time of day exactly as one
/// counted in working days does (8 working hours from Monday 07:30 is Tuesday 07:30, as one
/// working day is; and a due never sits at a close that the next morning's first minute would
/// be judged late against).
///
/// ```
/// use motcua_calendar::Calendar;
/// use time::macros::datetime;
/// let cal = Calendar::vietnam();
/// let due = motcua_core::deadline::working_due(&cal, datetime!(2024-03-04 07:30 +7), 8 * 60)?;
/// assert_eq!(due, datetime!(2024-03-05 07:30 +7));
/// assert_eq!(due, cal.add_working_days(datetime!(2024-03-04 07:30 +7), 1)?);
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
pub fn working_due(
    calendar: &Calendar,
    from: OffsetDateTime,
    minutes: u64,
) -> Result<OffsetDateTime, CalendarError> {
    let end = calendar.add_working_minutes(from, minutes)?;
    calendar.next_working_instant(end)
}

/// A time limit counted from an instant with no wait: the due a dossier received at `from`
/// would have (rules 2–5 of docs/deadline-rules.md); `None` for no limit.
///
/// ```
/// use motcua_calendar::Calendar;
/// use motcua_core::{deadline, TimeLimit};
/// use time::macros::datetime;
/// let cal = Calendar::vietnam();
/// let due = deadline::limit_due(&cal, datetime!(2024-08-26 09:05 +7), TimeLimit::CalendarDays(30))?;
/// assert_eq!(due, Some(datetime!(2024-09-25 09:05 +7)));
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
pub fn limit_due(
    calendar: &Calendar,
    from: OffsetDateTime,
    limit: TimeLimit,
) -> Result<Option<OffsetDateTime>, CalendarError> {
    if limit == TimeLimit::None {
        return Ok(None);
    }
    let start = calendar.next_working_instant(from)?;
    Running::counted(calendar, start, limit)?.due(calendar, 0)
}

/// The due as the computation moves it, in the limit's own kind of time.
#[derive(Clone, Copy)]
enum Running {
    /// A due in working time (working days or hours, or an extension's due under such a
    /// limit): a pause moves it by the working minutes waited ([`working_due`]).
    Working(OffsetDateTime),
    /// A calendar-day due before it is rolled forward to a working day: a pause moves it by
    /// the wall-clock time waited; [`Calendar::roll_forward`] places it at the end.
    Wall(OffsetDateTime),
    /// A same-day due counted from a start, the close of a working day: a pause moves it by
    /// the working minutes waited, to the instant they run out (a whole day's wait gives the
    /// next day's close), but never past the close a dossier complete at the wait's end would
    /// have (`cutoff`): pausing is never more lenient than restarting.
    SameDay {
        at: OffsetDateTime,
        cutoff: time::Time,
    },
    /// An extension's due under a same-day limit: moved like [`Running::SameDay`], uncapped.
    Close(OffsetDateTime),
    /// Stopped by a supplement under the restart policy: no due until the dossier is complete.
    AwaitingRestart,
}

impl Running {
    /// The limit counted from a normalised start.
    fn counted(
        calendar: &Calendar,
        start: OffsetDateTime,
        limit: TimeLimit,
    ) -> Result<Running, CalendarError> {
        Ok(match limit {
            TimeLimit::WorkingDays(n) => Running::Working(calendar.add_working_days(start, n)?),
            TimeLimit::WorkingHours(h) => {
                Running::Working(working_due(calendar, start, u64::from(h) * 60)?)
            }
            TimeLimit::CalendarDays(n) => {
                Running::Wall(start.saturating_add(time::Duration::days(i64::from(n))))
            }
            TimeLimit::SameDay { cutoff } => Running::SameDay {
                at: calendar.same_day_due(start, cutoff)?,
                cutoff,
            },
            TimeLimit::None => Running::Working(start),
        })
    }

    /// An extension's due, kept as given and moved by later pauses in the limit's kind of time.
    fn fixed(limit: TimeLimit, at: OffsetDateTime) -> Running {
        match limit {
            TimeLimit::CalendarDays(_) => Running::Wall(at),
            TimeLimit::SameDay { .. } => Running::Close(at),
            _ => Running::Working(at),
        }
    }

    /// The due moved later by a wait that ended at `end`: `minutes` working minutes and `wall`
    /// wall-clock time.
    fn paused(
        self,
        calendar: &Calendar,
        minutes: u64,
        wall: time::Duration,
        end: OffsetDateTime,
    ) -> Result<Running, CalendarError> {
        Ok(match self {
            Running::SameDay { at, cutoff } if minutes > 0 => {
                let moved = calendar.add_working_minutes(at, minutes)?;
                let complete_then = calendar.same_day_due(end, cutoff)?;
                Running::SameDay {
                    at: moved.min(complete_then),
                    cutoff,
                }
            }
            Running::Working(t) if minutes > 0 => {
                Running::Working(working_due(calendar, t, minutes)?)
            }
            Running::Wall(t) if wall.is_positive() => Running::Wall(t.saturating_add(wall)),
            Running::Close(t) if minutes > 0 => {
                Running::Close(calendar.add_working_minutes(t, minutes)?)
            }
            other => other,
        })
    }

    /// The due this gives, with the legacy shift's calendar days applied last.
    fn due(
        self,
        calendar: &Calendar,
        shift_days: u32,
    ) -> Result<Option<OffsetDateTime>, CalendarError> {
        let due = match self {
            Running::Working(t) | Running::Close(t) | Running::SameDay { at: t, .. } => t,
            Running::Wall(t) => calendar.roll_forward(t)?,
            Running::AwaitingRestart => return Ok(None),
        };
        if shift_days == 0 {
            return Ok(Some(due));
        }
        let shifted = due.saturating_add(time::Duration::days(i64::from(shift_days)));
        calendar.roll_forward(shifted).map(Some)
    }
}

pub(crate) fn compute<T: Trace>(
    state: &DossierState,
    procedure: &Procedure,
    calendar: &Calendar,
    as_of: OffsetDateTime,
    rules: &JudgingRules,
    trace: &mut T,
) -> Result<Dues, DeadlineError> {
    let dossier = || {
        state
            .dossier_id
            .clone()
            .unwrap_or_else(|| DossierId::new(""))
    };
    let cal_err = |source: CalendarError| DeadlineError::Calendar {
        dossier: dossier(),
        source,
    };
    if T::ON {
        trace.push(TraceEntry::Rule {
            procedure: format!("{} {}", procedure.code, procedure.name),
            limit: procedure.time_limit,
            supplement_policy: procedure.supplement_policy,
            payment_pauses_clock: procedure.payment_pauses_clock,
            calendar: calendar.version().clone(),
            in_force: "always".to_owned(),
        });
    }
    let mut dues = Dues::default();
    let Some(received) = state.received_at else {
        if let (Some(submitted), Some(crate::status::Status::Submitted)) =
            (state.submitted_at, state.status)
        {
            let minutes = u64::from(rules.accept_within_working_hours) * 60;
            dues.accept_by = Some(working_due(calendar, submitted, minutes).map_err(cal_err)?);
        }
        return Ok(dues);
    };
    let start = calendar.next_working_instant(received).map_err(cal_err)?;
    dues.clock_start = Some(start);
    dues.counting_from = Some(start);
    if T::ON {
        trace.push(TraceEntry::Received {
            at: received,
            clock_starts: start,
        });
    }
    let open_round = state.open_supplement().filter(|_| !state.is_finished());
    if let (Some(round), Some(supply)) = (open_round, procedure.supplement_time_limit) {
        let due = limit_due(calendar, round.requested_at, supply).map_err(cal_err)?;
        dues.supplement_due = due;
        if let (true, Some(due)) = (T::ON, due) {
            trace.push(TraceEntry::SupplementDue {
                requested: round.requested_at,
                limit: supply,
                due,
            });
        }
    }
    let limit = procedure.time_limit;
    if limit == TimeLimit::None {
        // No official due, whatever extension is recorded; an apology's appointment is still
        // what the applicant was promised.
        dues.promised = state.apologies.last().map(|a| a.new_due);
        trace.push(TraceEntry::NoLimit);
        return Ok(dues);
    }
    let horizon = state.finished_at.map_or(as_of, |f| f.min(as_of));
    // Where wall-clock waits start counting: the clock's origin (a wait before a Monday-morning
    // start costs nothing), or the wait's own start after an extension.
    let mut origin = Some(start);
    let mut running = Running::counted(calendar, start, limit).map_err(cal_err)?;
    let mut shift_days: u32 = 0;
    if T::ON {
        let due = running.due(calendar, 0).map_err(cal_err)?;
        count_trace(calendar, start, due, false, trace).map_err(cal_err)?;
    }

    for wait in waits(state, procedure) {
        let (from, until, cause) = match wait {
            Wait::Extension { index, .. } => {
                let Some(ext) = state.extensions.get(index) else {
                    continue;
                };
                running = Running::fixed(limit, ext.new_due);
                origin = None;
                shift_days = 0;
                if T::ON {
                    trace.push(TraceEntry::Extended {
                        at: ext.at,
                        legal_basis: ext.basis.clone(),
                        due: ext.new_due,
                    });
                }
                continue;
            }
            Wait::Supplement {
                from,
                until,
                supplied,
            } => match procedure.supplement_policy {
                SupplementPolicy::Pause => (from, until, PauseCause::Supplement),
                SupplementPolicy::Shift => {
                    let Some(end) = until.map(|u| u.min(horizon).max(from)) else {
                        let held = hold::<T>(&mut dues, PauseCause::Supplement, from, running);
                        if let Some(due) = held(calendar, shift_days).map_err(cal_err)? {
                            trace.push(TraceEntry::Shifted {
                                from,
                                until,
                                calendar_days: 0,
                                due,
                            });
                        }
                        continue;
                    };
                    let local = |t: OffsetDateTime| local_date(t, calendar.offset());
                    let days = u32::try_from((local(end) - local(from)).whole_days().max(0))
                        .unwrap_or(u32::MAX);
                    shift_days = shift_days.saturating_add(days);
                    let minutes = calendar
                        .working_minutes_between(from, end)
                        .map_err(cal_err)?;
                    dues.paused_minutes = dues.paused_minutes.saturating_add(minutes);
                    if T::ON {
                        if let Some(due) = running.due(calendar, shift_days).map_err(cal_err)? {
                            trace.push(TraceEntry::Shifted {
                                from,
                                until,
                                calendar_days: days,
                                due,
                            });
                        }
                    }
                    continue;
                }
                SupplementPolicy::Restart => {
                    match until {
                        Some(t) if supplied => {
                            let restart = calendar.next_working_instant(t).map_err(cal_err)?;
                            dues.counting_from = Some(restart);
                            dues.paused_minutes = 0;
                            origin = Some(restart);
                            running =
                                Running::counted(calendar, restart, limit).map_err(cal_err)?;
                            shift_days = 0;
                            if T::ON {
                                let due = running.due(calendar, 0).map_err(cal_err)?;
                                count_trace(calendar, restart, due, true, trace)
                                    .map_err(cal_err)?;
                            }
                        }
                        Some(_) => {}
                        None => {
                            running = Running::AwaitingRestart;
                            dues.paused_by = Some(PauseCause::Supplement);
                            dues.clock_stopped_at = Some(from);
                            trace.push(TraceEntry::AwaitingRestart { since: from });
                        }
                    }
                    continue;
                }
            },
            Wait::Payment { from, until } => (from, until, PauseCause::Payment),
        };
        // A pause: the clock stands still for the time waited, measured in the limit's own kind
        // of time (working minutes, or wall-clock time for calendar-day limits). A wait still
        // open stops the clock where it began: the due does not move until it ends.
        let Some(end) = until.map(|u| u.min(horizon).max(from)) else {
            let held = hold::<T>(&mut dues, cause, from, running);
            if let Some(due) = held(calendar, shift_days).map_err(cal_err)? {
                trace.push(TraceEntry::Paused {
                    cause,
                    from,
                    until,
                    working_minutes: 0,
                    wall_minutes: None,
                    due,
                });
            }
            continue;
        };
        let minutes = calendar
            .working_minutes_between(from, end)
            .map_err(cal_err)?;
        let wall = end - origin.map_or(from, |o| from.max(o));
        let wall_minutes = matches!(running, Running::Wall(_))
            .then(|| u64::try_from(wall.whole_minutes()).unwrap_or(0));
        dues.paused_minutes = dues.paused_minutes.saturating_add(minutes);
        running = running
            .paused(calendar, minutes, wall, end)
            .map_err(cal_err)?;
        if T::ON {
            if let Some(due) = running.due(calendar, shift_days).map_err(cal_err)? {
                trace.push(TraceEntry::Paused {
                    cause,
                    from,
                    until,
                    working_minutes: minutes,
                    wall_minutes,
                    due,
                });
            }
        }
    }
    let due = running.due(calendar, shift_days).map_err(cal_err)?;
    dues.official = due;
    dues.promised = due;
    if let Some(apology) = state.apologies.last() {
        dues.promised = Some(apology.new_due);
    }
    if T::ON {
        for apology in &state.apologies {
            trace.push(TraceEntry::Apology {
                at: apology.at,
                reason: apology.basis.clone(),
                promised: apology.new_due,
            });
        }
    }
    Ok(dues)
}

/// A wait still open as of the as-of instant: the clock stands where it began (`from`), so
/// nothing moves until the wait ends. Gives what tells the due the clock holds, for the trace
/// (`None` when tracing is off).
fn hold<T: Trace>(
    dues: &mut Dues,
    cause: PauseCause,
    from: OffsetDateTime,
    running: Running,
) -> impl FnOnce(&Calendar, u32) -> Result<Option<OffsetDateTime>, CalendarError> {
    dues.paused_by = Some(cause);
    dues.clock_stopped_at = Some(from);
    move |calendar, shift_days| {
        if T::ON {
            running.due(calendar, shift_days)
        } else {
            Ok(None)
        }
    }
}

/// The trace entry of a count of the limit, with every day skipped and every make-up day
/// counted between its start and its due.
fn count_trace<T: Trace>(
    calendar: &Calendar,
    from: OffsetDateTime,
    due: Option<OffsetDateTime>,
    restart: bool,
    trace: &mut T,
) -> Result<(), CalendarError> {
    let Some(due) = due else {
        return Ok(());
    };
    let offset = calendar.offset();
    let (first, last) = (local_date(from, offset), local_date(due, offset));
    let skipped = calendar.non_working_days(first, last)?;
    let makeup_days = calendar
        .overrides_in(first, last)
        .into_iter()
        .filter(|d| matches!(d.reason, motcua_calendar::DayReason::MakeupWorkday { .. }))
        .collect();
    trace.push(TraceEntry::Counted {
        from,
        due,
        skipped,
        makeup_days,
        restart,
    });
    Ok(())
}

/// A wall-clock span of `minutes` as a clerk reads it, in the `units` given for days, hours
/// and minutes: `9 d 6 h 25 min`, `2 h`, `0 min` (what is zero left out, but for a span of
/// nothing).
///
/// ```
/// use motcua_core::deadline::wall_time;
/// const EN: [&str; 3] = ["d", "h", "min"];
/// assert_eq!(wall_time(9 * 1440 + 6 * 60 + 25, EN), "9 d 6 h 25 min");
/// assert_eq!(wall_time(120, EN), "2 h");
/// assert_eq!(wall_time(0, EN), "0 min");
/// assert_eq!(wall_time(1445, ["ngày", "giờ", "phút"]), "1 ngày 5 phút");
/// ```
pub fn wall_time(minutes: u64, units: [&str; 3]) -> String {
    let [d, h, m] = units;
    let (days, hours, rest) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} {d}"));
    }
    if hours > 0 {
        parts.push(format!("{hours} {h}"));
    }
    if rest > 0 || parts.is_empty() {
        parts.push(format!("{rest} {m}"));
    }
    parts.join(" ")
}

fn fmt_instant(t: OffsetDateTime) -> String {
    let date = t.date();
    format!(
        "{} {:04}-{:02}-{:02} {:02}:{:02}",
        weekday_short(date.weekday()),
        date.year(),
        u8::from(date.month()),
        date.day(),
        t.hour(),
        t.minute()
    )
}

fn weekday_short(day: time::Weekday) -> &'static str {
    match day {
        time::Weekday::Monday => "Mon",
        time::Weekday::Tuesday => "Tue",
        time::Weekday::Wednesday => "Wed",
        time::Weekday::Thursday => "Thu",
        time::Weekday::Friday => "Fri",
        time::Weekday::Saturday => "Sat",
        time::Weekday::Sunday => "Sun",
    }
}

/// The local date of an instant at `offset`. Total: an instant whose local time would fall
/// outside the representable years (±9999) keeps its own date instead of panicking; such an
/// instant is far outside any calendar and is refused there with an error.
pub fn local_date(t: OffsetDateTime, offset: time::UtcOffset) -> time::Date {
    t.checked_to_offset(offset)
        .map_or(t.date(), |local| local.date())
}

/// Formats an instant the way explanations and reports show it: `Mon 2024-03-04 09:00`.
pub fn display_instant(t: OffsetDateTime) -> String {
    fmt_instant(t)
}

fn fmt_limit(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} working day(s)"),
        TimeLimit::WorkingHours(n) => format!("{n} working hour(s)"),
        TimeLimit::CalendarDays(n) => {
            format!("{n} calendar day(s), rolled forward to a working day")
        }
        TimeLimit::SameDay { cutoff } => format!(
            "same day, cut-off {:02}:{:02}",
            cutoff.hour(),
            cutoff.minute()
        ),
        TimeLimit::None => "no time limit".to_owned(),
    }
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceEntry::Rule { procedure, limit, supplement_policy, payment_pauses_clock, calendar, in_force } => write!(
                f,
                "rule: {procedure} (version in force {in_force}): {}; supplement policy {}; payment wait {}; calendar {calendar}",
                fmt_limit(*limit),
                match supplement_policy {
                    SupplementPolicy::Restart => "restart",
                    SupplementPolicy::Pause => "pause",
                    SupplementPolicy::Shift => "shift",
                },
                if *payment_pauses_clock { "pauses the clock" } else { "does not pause the clock" },
            ),
            TraceEntry::Received { at, clock_starts } => {
                if at == clock_starts {
                    write!(f, "received {} (inside office hours): the clock starts then", fmt_instant(*at))
                } else {
                    write!(
                        f,
                        "received {} (outside office hours): the clock starts at the next session, {}",
                        fmt_instant(*at),
                        fmt_instant(*clock_starts)
                    )
                }
            }
            TraceEntry::Counted { from, due, skipped, makeup_days, restart } => {
                let what = if *restart { "complete dossier arrived: limit counted again" } else { "limit counted" };
                write!(f, "{what} from {} gives {}", fmt_instant(*from), fmt_instant(*due))?;
                let mut days: Vec<(&DayInfo, &str)> = skipped.iter().map(|d| (d, "skipped")).collect();
                days.extend(makeup_days.iter().map(|d| (d, "counted")));
                days.sort_by_key(|(d, _)| d.date);
                for (day, verb) in days {
                    write!(f, "\n    {verb} {} {}: {}", weekday_short(day.date.weekday()), day.date, day_reason(day))?;
                }
                Ok(())
            }
            TraceEntry::Paused { cause, from, until: None, due, .. } => write!(
                f,
                "clock stopped {} since {}: the due stays {} and moves by the time waited when the wait ends",
                cause.label(),
                fmt_instant(*from),
                fmt_instant(*due)
            ),
            TraceEntry::Paused { cause, from, until: Some(until), wall_minutes: Some(wall), due, .. } => write!(
                f,
                "clock paused {} from {} to {}: the due moves by the time waited, {}; due now {}",
                cause.label(),
                fmt_instant(*from),
                fmt_instant(*until),
                wall_time(*wall, ["d", "h", "min"]),
                fmt_instant(*due)
            ),
            TraceEntry::Paused { cause, from, until: Some(until), working_minutes, due, .. } => write!(
                f,
                "clock paused {} from {} to {}: {} working minute(s) not counted; due now {}",
                cause.label(),
                fmt_instant(*from),
                fmt_instant(*until),
                working_minutes,
                fmt_instant(*due)
            ),
            TraceEntry::Shifted { from, until: None, due, .. } => write!(
                f,
                "waiting for a supplement since {}: the due stays {} and is shifted by the calendar days waited when the supplement arrives",
                fmt_instant(*from),
                fmt_instant(*due)
            ),
            TraceEntry::Shifted { from, until: Some(until), calendar_days, due } => write!(
                f,
                "waiting for a supplement from {} to {}: due shifted by {calendar_days} calendar day(s) to {}",
                fmt_instant(*from),
                fmt_instant(*until),
                fmt_instant(*due)
            ),
            TraceEntry::AwaitingRestart { since } => write!(
                f,
                "supplement requested {}: the clock is stopped and the limit restarts when the complete dossier arrives",
                fmt_instant(*since)
            ),
            TraceEntry::Extended { at, legal_basis, due } => write!(
                f,
                "extension granted {} under {legal_basis}: official due now {}",
                fmt_instant(*at),
                fmt_instant(*due)
            ),
            TraceEntry::Apology { at, reason, promised } => write!(
                f,
                "apology issued {} ({reason}): new appointment {}; the official due does not move",
                fmt_instant(*at),
                fmt_instant(*promised)
            ),
            TraceEntry::SupplementDue { requested, limit, due } => write!(
                f,
                "supplement requested {}: the applicant has {} to supply it, until {}",
                fmt_instant(*requested),
                fmt_limit(*limit),
                fmt_instant(*due)
            ),
            TraceEntry::NoLimit => f.write_str("the procedure has no time limit: never overdue"),
        }
    }
}

fn day_reason(day: &DayInfo) -> String {
    use motcua_calendar::{DayOffKind, DayReason};
    match &day.reason {
        DayReason::Weekend => "weekend".to_owned(),
        DayReason::DayOff { kind, name } => {
            let kind = match kind {
                DayOffKind::Holiday => "public holiday",
                DayOffKind::Compensatory => "compensatory day off",
                DayOffKind::SwapOff => "swapped day off",
                _ => "local day off",
            };
            format!("{kind}, {name}")
        }
        DayReason::MakeupWorkday { name } => format!("make-up working day, {name}"),
        DayReason::RegularWorkday => "working day".to_owned(),
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            writeln!(f, "{:>2}. {entry}", i + 1)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{PauseCause, TraceEntry};
    use time::macros::datetime;

    /// Under a calendar-day limit a pause moves the due by the time waited, and the trace says
    /// so; under a limit in working time it says how many working minutes were not counted.
    #[test]
    fn a_pause_is_explained_in_the_kind_of_time_the_limit_counts() {
        let paused = |wall_minutes| TraceEntry::Paused {
            cause: PauseCause::Supplement,
            from: datetime!(2024-08-26 09:05 +7),
            until: Some(datetime!(2024-09-04 15:30 +7)),
            working_minutes: 2695,
            wall_minutes,
            due: datetime!(2024-09-30 14:05 +7),
        };
        let wall = paused(Some(9 * 1440 + 6 * 60 + 25)).to_string();
        assert!(
            wall.ends_with(
                "to Wed 2024-09-04 15:30: the due moves by the time waited, 9 d 6 h 25 min; due now Mon 2024-09-30 14:05"
            ),
            "{wall}"
        );
        let working = paused(None).to_string();
        assert!(
            working.contains(": 2695 working minute(s) not counted; due now"),
            "{working}"
        );
    }
}
