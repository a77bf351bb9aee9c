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
}

/// When the view says the dossier finished: `None` while open (or when a finished view lacks
/// the instant).
fn finished_at(view: &DossierView) -> Option<OffsetDateTime> {
    if view.status.is_finished() {
        view.finished_at
    } else {
        None
    }
}

fn open_at(view: &DossierView, t: OffsetDateTime) -> bool {
    let received_before = view.received_at.is_some_and(|r| r < t);
    let not_finished_before = if view.status.is_finished() {
        view.finished_at.is_some_and(|f| f >= t)
    } else {
        true
    };
    received_before && not_finished_before
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
    let first = view.submitted_at.or(view.received_at);
    let finished_before_start =
        view.status.is_finished() && view.finished_at.is_some_and(|f| f < period.start);
    let alive = first.is_some_and(|t| t < period.end) && !finished_before_start;
    let finished = finished_at(view)
        .filter(|f| period.contains(*f))
        .map(|_| finish_kind(view));
    let open_at_end = open_at(view, period.end).then(|| open_kind(view));
    Placement {
        alive,
        received: view.received_at.is_some_and(|r| period.contains(r)),
        carried_over: open_at(view, period.start),
        finished,
        open_at_end,
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
                open_at_end: Some(Open::DueSoon)
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
