//! The reference clock: the deadline rules of `docs/deadline-rules.md` applied the way a clerk
//! with a calendar and a pencil would, one day and one session at a time.
//!
//! It reads only the calendar's facts (which days are working days and their sessions) and the
//! dossier's folded facts, never the calendar's tables or the engine's arithmetic, and it
//! composes the rules differently where it can: a due in working days is counted as working
//! minutes (a day is 8 hours on the Vietnamese calendar), and every wait is added once at the
//! end instead of moving the due wait by wait. Slow and obviously right is its whole job; the
//! differential tests in `deadline_reference.rs` hold the engine to it.
//!
//! It assumes instants on whole minutes and the Vietnamese calendar (every working day has the
//! same 480 minutes), which is what the tests generate.

use motcua::calendar::Calendar;
use motcua::{
    DossierState, DueSoonWindow, Granularity, JudgingRules, LateReason, PauseCause, Procedure,
    Status, SupplementPolicy, TimeClass, TimeLimit,
};
use std::cmp::Ordering;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

/// A local instant (the calendar's offset).
type Local = PrimitiveDateTime;

/// The calendar read as a clerk reads it: days and their sessions.
pub struct Clerk<'a> {
    cal: &'a Calendar,
}

impl<'a> Clerk<'a> {
    pub fn new(cal: &'a Calendar) -> Self {
        Clerk { cal }
    }

    fn local(&self, t: OffsetDateTime) -> Local {
        let l = t.to_offset(self.cal.offset());
        PrimitiveDateTime::new(l.date(), l.time())
    }

    fn instant(&self, l: Local) -> OffsetDateTime {
        l.assume_offset(self.cal.offset())
    }

    /// The sessions of a day as local instants, in order (none on a day off).
    fn sessions(&self, d: Date) -> Vec<(Local, Local)> {
        self.cal
            .sessions_on(d)
            .expect("date inside the calendar")
            .iter()
            .map(|s| (d.with_time(s.start()), d.with_time(s.end())))
            .collect()
    }

    fn is_working_day(&self, d: Date) -> bool {
        !self.sessions(d).is_empty()
    }

    fn next_working_day(&self, d: Date) -> Date {
        let mut d = d.next_day().expect("in range");
        while !self.is_working_day(d) {
            d = d.next_day().expect("in range");
        }
        d
    }

    /// `t` itself inside a session, else the start of the next session.
    pub fn next_working_instant(&self, t: OffsetDateTime) -> OffsetDateTime {
        self.instant(self.normalise(self.local(t)))
    }

    fn normalise(&self, t: Local) -> Local {
        let mut d = t.date();
        let mut at = t;
        loop {
            for (a, b) in self.sessions(d) {
                if at < b {
                    return at.max(a);
                }
            }
            d = d.next_day().expect("in range");
            at = d.midnight();
        }
    }

    /// The earliest instant at which `minutes` working minutes have passed since `t`.
    pub fn add_working_minutes(&self, t: OffsetDateTime, minutes: u64) -> OffsetDateTime {
        let mut at = self.normalise(self.local(t));
        let mut left = minutes as i64;
        if left == 0 {
            return self.instant(at);
        }
        let mut d = at.date();
        loop {
            for (a, b) in self.sessions(d) {
                if b <= at {
                    continue;
                }
                let s = at.max(a);
                let free = (b - s).whole_minutes();
                if left <= free {
                    return self.instant(s + Duration::minutes(left));
                }
                left -= free;
            }
            d = d.next_day().expect("in range");
            at = d.midnight();
        }
    }

    /// A due in working time: where the minutes run out, as the next session's start when
    /// that is a session's end.
    pub fn working_due(&self, t: OffsetDateTime, minutes: u64) -> OffsetDateTime {
        self.next_working_instant(self.add_working_minutes(t, minutes))
    }

    /// Working minutes in [a, b).
    pub fn working_minutes(&self, a: OffsetDateTime, b: OffsetDateTime) -> u64 {
        if b <= a {
            return 0;
        }
        let (a, b) = (self.local(a), self.local(b));
        let mut total = 0;
        let mut d = a.date();
        while d <= b.date() {
            for (s, e) in self.sessions(d) {
                let (x, y) = (s.max(a), e.min(b));
                if x < y {
                    total += (y - x).whole_minutes() as u64;
                }
            }
            d = d.next_day().expect("in range");
        }
        total
    }

    /// A calendar-day due placed on a working day: inside its sessions on a working day (the
    /// next session's start in a gap or before the opening, the close after it), the opening
    /// of the next working day on a day off.
    pub fn roll(&self, t: OffsetDateTime) -> OffsetDateTime {
        let l = self.local(t);
        let sessions = self.sessions(l.date());
        if sessions.is_empty() {
            let d = self.next_working_day(l.date());
            return self.instant(self.sessions(d)[0].0);
        }
        for &(a, b) in &sessions {
            if l < b {
                return self.instant(l.max(a));
            }
        }
        self.instant(sessions[sessions.len() - 1].1)
    }

    /// The close of a working day.
    fn close(&self, d: Date) -> Local {
        let s = self.sessions(d);
        s[s.len() - 1].1
    }

    /// Same day: received (normalised) before the cut-off, the close of that day; else the
    /// close of the next working day.
    pub fn same_day(&self, received: OffsetDateTime, cutoff: Time) -> OffsetDateTime {
        let s = self.normalise(self.local(received));
        if s.time() < cutoff {
            self.instant(self.close(s.date()))
        } else {
            self.instant(self.close(self.next_working_day(s.date())))
        }
    }

    fn date(&self, t: OffsetDateTime) -> Date {
        self.local(t).date()
    }
}

/// What the reference says of a dossier as of an instant: the fields the engine's view must
/// equal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    pub official_due: Option<OffsetDateTime>,
    pub promised_due: Option<OffsetDateTime>,
    pub accept_by: Option<OffsetDateTime>,
    pub accept_overdue: bool,
    pub used_minutes: u64,
    pub left_minutes: u64,
    pub overdue_minutes: u64,
    pub time_class: TimeClass,
    pub late_reason: Option<LateReason>,
    pub paused_by: Option<PauseCause>,
    /// (due, late) of every step run, in order.
    pub steps: Vec<(Option<OffsetDateTime>, bool)>,
    pub supplement_due: Option<OffsetDateTime>,
    pub supplement_overdue: bool,
    pub promised_overdue: bool,
}

/// A wait that stops the clock: (from, until, cause, supplied).
struct Wait {
    from: OffsetDateTime,
    until: Option<OffsetDateTime>,
    supplement: bool,
    supplied: bool,
}

/// The rules, from the folded facts of the events that happened by `as_of`.
pub fn expected(
    clerk: &Clerk<'_>,
    state: &DossierState,
    procedure: &Procedure,
    rules: &JudgingRules,
    as_of: OffsetDateTime,
) -> Expected {
    let status = state.status.expect("a dossier with events");
    let compare = |a: OffsetDateTime, b: OffsetDateTime| match rules.granularity {
        Granularity::Date => clerk.date(a).cmp(&clerk.date(b)),
        Granularity::Instant => a.cmp(&b),
    };
    let mut out = Expected {
        official_due: None,
        promised_due: None,
        accept_by: None,
        accept_overdue: false,
        used_minutes: 0,
        left_minutes: 0,
        overdue_minutes: 0,
        time_class: TimeClass::NotJudged,
        late_reason: None,
        paused_by: None,
        steps: Vec::new(),
        supplement_due: None,
        supplement_overdue: false,
        promised_overdue: false,
    };
    let Some(received) = state.received_at else {
        if status == Status::Submitted {
            let by = clerk.working_due(
                state.submitted_at.expect("submitted"),
                u64::from(rules.accept_within_working_hours) * 60,
            );
            out.accept_by = Some(by);
            out.accept_overdue = as_of > by;
        }
        return out;
    };
    let start = clerk.next_working_instant(received);
    let end = state.finished_at.map_or(as_of, |f| f.min(as_of));
    // The applicant's time to supplement, from the open round's request, counted as a limit.
    let open_round = state
        .supplements
        .last()
        .filter(|r| r.closed.is_none() && !state.is_finished());
    if let (Some(round), Some(supply)) = (open_round, procedure.supplement_time_limit) {
        let s = clerk.next_working_instant(round.requested_at);
        let due = match supply {
            TimeLimit::WorkingDays(n) => clerk.working_due(s, u64::from(n) * 480),
            TimeLimit::WorkingHours(h) => clerk.working_due(s, u64::from(h) * 60),
            TimeLimit::CalendarDays(n) => clerk.roll(s + Duration::days(i64::from(n))),
            TimeLimit::SameDay { cutoff } => clerk.same_day(s, cutoff),
            TimeLimit::None => s,
        };
        out.supplement_due = Some(due);
        out.supplement_overdue = compare(end, due) == Ordering::Greater;
    }
    let limit = procedure.time_limit;

    // Every wait that stops the clock, in time order; extensions and restarts cut the story
    // into phases, and only the waits of the last phase move its due.
    let mut waits: Vec<Wait> = state
        .supplements
        .iter()
        .map(|r| Wait {
            from: r.requested_at,
            until: r.closed.map(|c| c.0),
            supplement: true,
            supplied: r.closed.is_some_and(|c| c.1),
        })
        .collect();
    if procedure.payment_pauses_clock {
        waits.extend(state.payments.iter().map(|p| Wait {
            from: p.requested_at,
            until: p.paid.map(|c| c.0),
            supplement: false,
            supplied: false,
        }));
    }
    waits.sort_by_key(|w| w.from);

    // The phase: where the due is counted from, and what it is before the waits.
    enum Base {
        Count(OffsetDateTime),
        Extended(OffsetDateTime),
        Awaiting,
    }
    let mut base = Base::Count(start);
    let mut counting_from = start;
    let mut phase_start = start; // waits before this do not move the due
    let mut stopped_at: Option<OffsetDateTime> = None;
    let restart = procedure.supplement_policy == SupplementPolicy::Restart;
    let mut events: Vec<(OffsetDateTime, u8, usize)> = Vec::new(); // (at, 0 wait / 1 extension, index)
    for (i, w) in waits.iter().enumerate() {
        events.push((w.from, 0, i));
    }
    for (i, e) in state.extensions.iter().enumerate() {
        events.push((e.at, 1, i));
    }
    // Waits sort before an extension at the same instant only if recorded so; the engine
    // keeps supplements, then payments, then extensions at equal instants (a stable sort).
    events.sort_by_key(|e| (e.0, e.1));
    let mut phase_waits: Vec<usize> = Vec::new();
    if limit != TimeLimit::None {
        for &(_, kind, i) in &events {
            if kind == 1 {
                base = Base::Extended(state.extensions[i].new_due);
                phase_waits.clear();
                phase_start = state.extensions[i].at;
                continue;
            }
            let w = &waits[i];
            if w.supplement && restart {
                match w.until {
                    Some(t) if w.supplied => {
                        counting_from = clerk.next_working_instant(t);
                        base = Base::Count(counting_from);
                        phase_start = counting_from;
                        phase_waits.clear();
                    }
                    Some(_) => {}
                    None => {
                        base = Base::Awaiting;
                        stopped_at = Some(w.from);
                        out.paused_by = Some(PauseCause::Supplement);
                    }
                }
                continue;
            }
            if w.until.is_none() {
                stopped_at = Some(w.from);
                out.paused_by = Some(if w.supplement {
                    PauseCause::Supplement
                } else {
                    PauseCause::Payment
                });
            }
            phase_waits.push(i);
        }
    }
    // Closed waits of the phase, clipped to the clock's reading.
    let closed: Vec<(OffsetDateTime, OffsetDateTime, bool)> = phase_waits
        .iter()
        .map(|&i| &waits[i])
        .filter_map(|w| {
            w.until
                .map(|u| (w.from, u.min(end).max(w.from), w.supplement))
        })
        .collect();
    let shift = procedure.supplement_policy == SupplementPolicy::Shift;
    let mut waited_minutes = 0u64;
    let mut waited_wall = Duration::ZERO;
    let mut shift_days = 0i64;
    for &(a, b, supplement) in &closed {
        if supplement && shift {
            shift_days += (clerk.date(b) - clerk.date(a)).whole_days();
        } else {
            waited_minutes += clerk.working_minutes(a, b);
            let from = a.max(phase_start);
            if b > from {
                waited_wall += b - from;
            }
        }
    }
    let due = match (limit, &base) {
        (TimeLimit::None, _) | (_, Base::Awaiting) => None,
        (TimeLimit::WorkingDays(n), Base::Count(s)) => {
            Some(clerk.working_due(*s, u64::from(n) * 480 + waited_minutes))
        }
        (TimeLimit::WorkingHours(h), Base::Count(s)) => {
            Some(clerk.working_due(*s, u64::from(h) * 60 + waited_minutes))
        }
        (TimeLimit::CalendarDays(n), Base::Count(s)) => {
            Some(clerk.roll(*s + Duration::days(i64::from(n)) + waited_wall))
        }
        (TimeLimit::SameDay { cutoff }, Base::Count(s)) => {
            // Wait by wait: moved by the working time waited, but never past the close a
            // dossier complete at the wait's end would have.
            let mut due = clerk.same_day(*s, cutoff);
            for &(a, b, supplement) in &closed {
                if supplement && shift {
                    continue;
                }
                let minutes = clerk.working_minutes(a, b);
                if minutes > 0 {
                    due = clerk
                        .add_working_minutes(due, minutes)
                        .min(clerk.same_day(b, cutoff));
                }
            }
            Some(due)
        }
        (TimeLimit::CalendarDays(_), Base::Extended(at)) => Some(clerk.roll(*at + waited_wall)),
        (TimeLimit::SameDay { .. }, Base::Extended(at)) => Some(if waited_minutes == 0 {
            *at
        } else {
            clerk.add_working_minutes(*at, waited_minutes)
        }),
        (_, Base::Extended(at)) => Some(if waited_minutes == 0 {
            *at
        } else {
            clerk.working_due(*at, waited_minutes)
        }),
    };
    let due = due.map(|d| {
        if shift_days == 0 {
            d
        } else {
            clerk.roll(d + Duration::days(shift_days))
        }
    });
    out.official_due = due;
    out.promised_due = state.apologies.last().map(|a| a.new_due).or(due);
    let clock_at = stopped_at.map_or(end, |s| s.min(end));
    out.promised_overdue = !state.is_finished()
        && out
            .promised_due
            .is_some_and(|p| compare(clock_at, p) == Ordering::Greater);

    // The clock's reading.
    if limit != TimeLimit::None {
        // Working time waited since the clock last started, up to its reading.
        let paused: u64 = waits
            .iter()
            .filter(|w| !(w.supplement && restart))
            .filter_map(|w| {
                w.until
                    .map(|u| (w.from.max(counting_from), u.min(clock_at)))
            })
            .map(|(a, b)| clerk.working_minutes(a, b))
            .sum();
        out.used_minutes = clerk
            .working_minutes(counting_from, clock_at)
            .saturating_sub(paused);
    } else {
        out.used_minutes = clerk.working_minutes(counting_from, clock_at);
        out.paused_by = None;
    }
    if let Some(due) = due {
        out.left_minutes = clerk.working_minutes(clock_at, due);
        if compare(clock_at, due) == Ordering::Greater {
            out.overdue_minutes = clerk.working_minutes(due, clock_at).max(1);
        }
    }

    // The judgement.
    (out.time_class, out.late_reason) = match status {
        Status::Submitted | Status::Refused | Status::Withdrawn | Status::Stopped => {
            (TimeClass::NotJudged, None)
        }
        Status::ResultReady | Status::Returned => {
            let finished = state.finished_at.expect("finished");
            if rules.multiple_supplements_late && state.supplements.len() > 1 {
                (TimeClass::Late, Some(LateReason::MultipleSupplements))
            } else {
                match due {
                    None => (TimeClass::OnTime, None),
                    Some(d) if compare(finished, d) == Ordering::Greater => {
                        (TimeClass::Late, Some(LateReason::PastDue))
                    }
                    Some(d) if clerk.date(finished) < clerk.date(d) => (TimeClass::Early, None),
                    Some(_) => (TimeClass::OnTime, None),
                }
            }
        }
        _ => match due {
            None => (TimeClass::WithinTime, None),
            Some(d) if compare(clock_at, d) == Ordering::Greater => {
                (TimeClass::Overdue, Some(LateReason::PastDue))
            }
            Some(d) => {
                let soon = match rules.due_soon {
                    DueSoonWindow::WorkingDays(n) => {
                        let mut day = clerk.date(clock_at);
                        for _ in 0..n {
                            day = clerk.next_working_day(day);
                        }
                        clerk.date(d) <= day
                    }
                    DueSoonWindow::Hours(h) => d <= clock_at + Duration::hours(i64::from(h)),
                };
                if soon {
                    (TimeClass::DueSoon, None)
                } else {
                    (TimeClass::WithinTime, None)
                }
            }
        },
    };
    if state.is_finished() {
        out.paused_by = None;
    }
    if out.time_class == TimeClass::NotJudged {
        out.overdue_minutes = 0;
    }

    // Steps: the share of the limit in the limit's own unit, from the step's normalised start,
    // moved by the waits inside the step, never after the dossier's due.
    for run in &state.steps {
        let step_end = run.finished_at.map_or(clock_at, |f| f.min(clock_at));
        let Some(spec) = procedure.step(&run.step) else {
            out.steps.push((None, false));
            continue;
        };
        let s = clerk.next_working_instant(run.started_at);
        let share = u64::from(spec.share_percent);
        let mut minutes = 0u64;
        let mut wall = Duration::ZERO;
        for w in &waits {
            let (a, b) = (w.from.max(s), w.until.unwrap_or(step_end).min(step_end));
            if a < b {
                minutes += clerk.working_minutes(a, b);
                wall += b - a;
            }
        }
        let own = match limit {
            TimeLimit::WorkingDays(n) => {
                Some(clerk.working_due(s, u64::from(n) * 480 * share / 100 + minutes))
            }
            TimeLimit::WorkingHours(h) => {
                Some(clerk.working_due(s, u64::from(h) * 60 * share / 100 + minutes))
            }
            TimeLimit::SameDay { .. } => Some(clerk.working_due(s, 480 * share / 100 + minutes)),
            TimeLimit::CalendarDays(n) => Some(
                clerk
                    .roll(s + Duration::minutes((u64::from(n) * 1440 * share / 100) as i64) + wall),
            ),
            TimeLimit::None => None,
        };
        let step_due = own.map(|o| due.map_or(o, |d| o.min(d)));
        let late = step_due.is_some_and(|d| compare(step_end, d) == Ordering::Greater);
        out.steps.push((step_due, late));
    }
    out
}
