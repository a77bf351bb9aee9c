//! Where one dossier view falls in a period: the single place the counting rules live.
//!
//! Rules (the period is `[start, end)`, the view is built as of `end`):
//! - *received*: `received_at` in the period.
//! - *open at* an instant `t`: received before `t` and not finished before `t`.
//! - *carried over*: open at `start`.
//! - *finished in the period*: the view's status is finished and `finished_at` is in the period.
//! - *open at the end*: open at `end`; its class is the view's (within time, due soon, overdue).
//!   A dossier the view shows finished at or after `end` (an event exactly at `end` belongs to
//!   the next period) is open at the end: overdue if it was past its due, within time otherwise.
//! - *alive*: submitted or received before `end` and not finished before `start`.

use motcua_core::{DossierView, LateReason, Status, TimeClass};
use time::OffsetDateTime;

use crate::period::Period;

/// How a dossier finished in the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finish {
    Early,
    OnTime,
    Late,
    Withdrawn,
    Refused,
    Stopped,
}

/// How an open dossier stands at the period end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Open {
    WithinTime,
    DueSoon,
    Overdue,
}

/// Where one view falls in one period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    pub alive: bool,
    pub received: bool,
    pub carried_over: bool,
    pub finished: Option<Finish>,
    pub open_at_end: Option<Open>,
    /// When it was received, in Unix nanoseconds.
    pub received_ns: Option<i128>,
    /// When the view says it finished, in Unix nanoseconds.
    pub finished_ns: Option<i128>,
}

/// An instant as Unix nanoseconds: comparing these is much cheaper than comparing
/// `OffsetDateTime`s, which normalise their offsets on every comparison.
#[inline]
fn ns(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos()
}

/// A period's bounds in Unix nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bounds {
    start: i128,
    end: i128,
}

impl Bounds {
    pub(crate) fn of(period: &Period) -> Bounds {
        Bounds {
            start: ns(period.start),
            end: period.end_after_ns(),
        }
    }
}

fn finish_kind(view: &DossierView) -> Finish {
    match view.status {
        Status::Withdrawn => Finish::Withdrawn,
        Status::Refused => Finish::Refused,
        Status::Stopped => Finish::Stopped,
        // A result: judged by the view. Classes that do not fit a result (an inconsistent,
        // hand-made view) are read leniently: overdue as late, anything else as on time.
        _ => match view.time_class {
            TimeClass::Early => Finish::Early,
            TimeClass::Late | TimeClass::Overdue => Finish::Late,
            TimeClass::OnTime
            | TimeClass::WithinTime
            | TimeClass::DueSoon
            | TimeClass::NotJudged => Finish::OnTime,
        },
    }
}

fn open_kind(view: &DossierView) -> Open {
    if view.status.is_finished() {
        // Finished at or after the end: it was open at the end, and the view no longer says
        // whether it was due soon then.
        let past_due = view.time_class == TimeClass::Late
            && view.late_reason == Some(LateReason::PastDue)
            || view.overdue_minutes > 0;
        return if past_due {
            Open::Overdue
        } else {
            Open::WithinTime
        };
    }
    match view.time_class {
        TimeClass::DueSoon => Open::DueSoon,
        TimeClass::Overdue | TimeClass::Late => Open::Overdue,
        TimeClass::WithinTime | TimeClass::Early | TimeClass::OnTime | TimeClass::NotJudged => {
            Open::WithinTime
        }
    }
}

/// Places one view in one period.
pub(crate) fn place(view: &DossierView, period: &Period) -> Placement {
    place_in(view, Bounds::of(period))
}

/// Places one view in a period given by its bounds.
#[inline]
pub(crate) fn place_in(view: &DossierView, b: Bounds) -> Placement {
    let received = view.received_at.map(ns);
    let first = view.submitted_at.map(ns).or(received);
    // When the view says the dossier finished: `None` while open (or when a finished view
    // lacks the instant).
    let finished = if view.status.is_finished() {
        view.finished_at.map(ns)
    } else {
        None
    };
    let is_finished = view.status.is_finished();
    // Open at `t`: received before `t` and not finished before `t`.
    let open_at = |t: i128| {
        received.is_some_and(|r| r < t) && (!is_finished || finished.is_some_and(|f| f >= t))
    };
    let finished_before_start = finished.is_some_and(|f| f < b.start);
    let alive = first.is_some_and(|t| t < b.end) && !finished_before_start;
    let in_period = |t: i128| b.start <= t && t < b.end;
    Placement {
        alive,
        received: received.is_some_and(in_period),
        carried_over: open_at(b.start),
        finished: finished
            .filter(|f| in_period(*f))
            .map(|_| finish_kind(view)),
        open_at_end: open_at(b.end).then(|| open_kind(view)),
        received_ns: received,
        finished_ns: finished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{at, period_jan, ViewBuilder};

    #[test]
    fn received_and_open_in_the_period() {
        let v = ViewBuilder::new("A")
            .received(at(5))
            .open(TimeClass::DueSoon)
            .build();
        let p = place(&v, &period_jan());
        assert_eq!(
            p,
            Placement {
                alive: true,
                received: true,
                carried_over: false,
                finished: None,
                open_at_end: Some(Open::DueSoon),
                received_ns: Some(at(5).unix_timestamp_nanos()),
                finished_ns: None,
            }
        );
    }

    #[test]
    fn carried_over_and_finished() {
        let v = ViewBuilder::new("A")
            .received(at(-3))
            .result(at(10), TimeClass::Late)
            .build();
        let p = place(&v, &period_jan());
        assert!(p.carried_over && !p.received && p.alive);
        assert_eq!(p.finished, Some(Finish::Late));
        assert_eq!(p.open_at_end, None);
    }

    #[test]
    fn finished_before_the_period_is_not_alive() {
        let v = ViewBuilder::new("A")
            .received(at(-10))
            .result(at(-2), TimeClass::Early)
            .build();
        let p = place(&v, &period_jan());
        assert!(!p.alive && !p.carried_over && !p.received);
        assert_eq!((p.finished, p.open_at_end), (None, None));
    }

    #[test]
    fn finished_exactly_at_start_is_carried_over_and_handled() {
        let period = period_jan();
        let v = ViewBuilder::new("A")
            .received(at(-2))
            .result(period.start, TimeClass::OnTime)
            .build();
        let p = place(&v, &period);
        assert!(p.carried_over);
        assert_eq!(p.finished, Some(Finish::OnTime));
    }

    #[test]
    fn finished_exactly_at_end_is_open_at_end() {
        let period = period_jan();
        let late = ViewBuilder::new("A")
            .received(at(3))
            .result(period.end, TimeClass::Late)
            .overdue(90)
            .build();
        let p = place(&late, &period);
        assert_eq!((p.finished, p.open_at_end), (None, Some(Open::Overdue)));
        let early = ViewBuilder::new("B")
            .received(at(3))
            .result(period.end, TimeClass::Early)
            .build();
        assert_eq!(place(&early, &period).open_at_end, Some(Open::WithinTime));
    }

    #[test]
    fn a_period_through_its_end_takes_in_what_happened_at_it() {
        let jan = period_jan();
        let period = Period::through(jan.start, jan.end).unwrap_or_else(|e| panic!("{e}"));
        let finished = ViewBuilder::new("A")
            .received(at(3))
            .result(period.end, TimeClass::OnTime)
            .build();
        let p = place(&finished, &period);
        assert_eq!((p.finished, p.open_at_end), (Some(Finish::OnTime), None));
        let received = ViewBuilder::new("B")
            .received(period.end)
            .open(TimeClass::WithinTime)
            .build();
        let p = place(&received, &period);
        assert!(p.alive && p.received);
        assert_eq!(p.open_at_end, Some(Open::WithinTime));
    }

    #[test]
    fn received_exactly_at_end_is_next_period() {
        let period = period_jan();
        let v = ViewBuilder::new("A")
            .received(period.end)
            .open(TimeClass::WithinTime)
            .build();
        let p = place(&v, &period);
        assert!(!p.alive && !p.received);
        assert_eq!(p.open_at_end, None);
    }

    #[test]
    fn refused_submission_is_alive_but_never_received() {
        let v = ViewBuilder::new("A")
            .submitted(at(2))
            .ended(Status::Refused, at(3))
            .build();
        let p = place(&v, &period_jan());
        assert!(p.alive && !p.received && !p.carried_over);
        assert_eq!(p.finished, Some(Finish::Refused));
    }

    #[test]
    fn pending_submission_is_alive_only() {
        let v = ViewBuilder::new("A").submitted(at(2)).build();
        let p = place(&v, &period_jan());
        assert!(p.alive && !p.received);
        assert_eq!((p.finished, p.open_at_end), (None, None));
    }
}
