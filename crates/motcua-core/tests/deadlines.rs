//! Scenario tests that read like the law: each states a situation and the due it must give.

mod common;

use common::{calendar, catalogue_with, procedure, Story};
use motcua_core::deadline::{self, TraceEntry};
use motcua_core::{
    Channel, ClockState, Context, EventKind, JudgingRules, LateReason, PauseCause, ReturnMethod,
    Status, SupplementPolicy, TimeClass, TimeLimit,
};
use time::macros::datetime;

fn policies() -> motcua_core::Catalogue {
    catalogue_with(vec![
        procedure("WD5P", TimeLimit::WorkingDays(5), SupplementPolicy::Pause),
        procedure("WD5R", TimeLimit::WorkingDays(5), SupplementPolicy::Restart),
        procedure("WD5S", TimeLimit::WorkingDays(5), SupplementPolicy::Shift),
    ])
}

#[test]
fn received_inside_office_hours_counts_from_reception() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 16:50 +7), "P15");
    let v = s.view(datetime!(2024-03-04 09:00 +7));
    assert_eq!(v.official_due, Some(datetime!(2024-03-22 16:50 +7)));
    assert_eq!(v.status, Status::Received);
    assert_eq!(v.clock, ClockState::Running);
}

#[test]
fn received_friday_after_hours_counts_from_monday_morning() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 17:10 +7), "P15");
    let v = s.view(datetime!(2024-03-04 09:00 +7));
    assert_eq!(v.official_due, Some(datetime!(2024-03-25 07:30 +7)));
    let state = motcua_core::fold(&s.events);
    let e = deadline::explain(
        &state,
        c.procedure(&"P15".into()).unwrap(),
        calendar(),
        datetime!(2024-03-04 09:00 +7),
        &JudgingRules::default(),
    )
    .unwrap();
    assert!(e.entries.iter().any(|t| matches!(t, TraceEntry::Received { clock_starts, .. } if *clock_starts == datetime!(2024-03-04 07:30 +7))));
    assert!(e.to_string().contains("outside office hours"), "{e}");
}

#[test]
fn same_day_procedure_uses_the_15_00_cut_off() {
    let c = policies();
    let mut before = Story::new(&c, "D1");
    before.received(datetime!(2024-03-04 14:59 +7), "SAME");
    assert_eq!(
        before.view(datetime!(2024-03-04 15:00 +7)).official_due,
        Some(datetime!(2024-03-04 17:00 +7))
    );
    let mut after = Story::new(&c, "D2");
    after.received(datetime!(2024-03-04 15:01 +7), "SAME");
    assert_eq!(
        after.view(datetime!(2024-03-04 15:02 +7)).official_due,
        Some(datetime!(2024-03-05 17:00 +7))
    );
}

#[test]
fn received_the_working_day_before_tet_skips_the_holiday() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-02-07 10:00 +7), "WD5R");
    assert_eq!(
        s.view(datetime!(2024-02-07 11:00 +7)).official_due,
        Some(datetime!(2024-02-21 10:00 +7))
    );
    let state = motcua_core::fold(&s.events);
    let e = deadline::explain(
        &state,
        c.procedure(&"WD5R".into()).unwrap(),
        calendar(),
        datetime!(2024-02-07 11:00 +7),
        &JudgingRules::default(),
    )
    .unwrap();
    let text = e.to_string();
    assert!(
        text.contains("2024-02-12") && text.contains("weekend"),
        "{text}"
    );
}

fn supplement_round(code: &str) -> Story<'static> {
    let c: &'static motcua_core::Catalogue = Box::leak(Box::new(policies()));
    let mut s = Story::new(c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), code)
        .then(
            datetime!(2024-03-05 09:00 +7),
            EventKind::SupplementRequested {
                reason: "thiếu giấy tờ".into(),
            },
        )
        .then(
            datetime!(2024-03-07 09:00 +7),
            EventKind::SupplementSupplied,
        );
    s
}

#[test]
fn pause_adds_the_working_time_waited() {
    let s = supplement_round("WD5P");
    assert_eq!(
        s.view(datetime!(2024-03-08 09:00 +7)).official_due,
        Some(datetime!(2024-03-13 09:00 +7))
    );
}

#[test]
fn restart_counts_the_whole_limit_again_from_the_supply() {
    let s = supplement_round("WD5R");
    assert_eq!(
        s.view(datetime!(2024-03-08 09:00 +7)).official_due,
        Some(datetime!(2024-03-14 09:00 +7))
    );
}

#[test]
fn shift_moves_the_due_by_calendar_days_waited() {
    let s = supplement_round("WD5S");
    assert_eq!(
        s.view(datetime!(2024-03-08 09:00 +7)).official_due,
        Some(datetime!(2024-03-13 09:00 +7))
    );
}

#[test]
fn while_waiting_under_restart_the_clock_is_stopped_and_never_overdue() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "WD5R").then(
        datetime!(2024-03-05 09:00 +7),
        EventKind::SupplementRequested { reason: "x".into() },
    );
    let v = s.view(datetime!(2024-04-30 09:00 +7));
    assert_eq!(v.official_due, None);
    assert_eq!(v.clock, ClockState::Paused(PauseCause::Supplement));
    assert_eq!(v.time_class, TimeClass::WithinTime);
    assert_eq!(v.status, Status::SupplementRequested);
}

#[test]
fn an_open_pause_holds_the_due_until_the_wait_ends() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "WD5P").then(
        datetime!(2024-03-05 09:00 +7),
        EventKind::SupplementRequested { reason: "x".into() },
    );
    // While the applicant has not supplied, the clock stands where the wait began: the due,
    // the time left and the judgement are those of Tuesday 09:00, however long the wait.
    for as_of in [
        datetime!(2024-03-06 09:00 +7),
        datetime!(2024-03-12 16:00 +7),
        datetime!(2024-04-30 09:00 +7),
    ] {
        let v = s.view(as_of);
        assert_eq!(v.official_due, Some(datetime!(2024-03-11 09:00 +7)));
        assert_eq!(v.clock, ClockState::Paused(PauseCause::Supplement));
        assert_eq!(v.left_minutes, 4 * 480);
        assert_eq!(v.used_minutes, 480);
        assert_eq!(v.overdue_minutes, 0);
        assert_eq!(v.time_class, TimeClass::WithinTime);
    }
    // Supplied on Thursday 09:00: two working days waited move the due to Wednesday 13 March.
    s.then(
        datetime!(2024-03-07 09:00 +7),
        EventKind::SupplementSupplied,
    );
    let v = s.view(datetime!(2024-03-07 09:00 +7));
    assert_eq!(v.official_due, Some(datetime!(2024-03-13 09:00 +7)));
    assert_eq!(v.left_minutes, 4 * 480);
}

#[test]
fn apology_moves_only_the_promised_due_and_the_dossier_is_still_late() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 16:50 +7), "P15")
        .then(
            datetime!(2024-03-20 10:00 +7),
            EventKind::ApologyIssued {
                new_due: datetime!(2024-03-29 17:00 +7),
                reason: "chờ ý kiến".into(),
            },
        )
        .then(
            datetime!(2024-03-27 10:00 +7),
            EventKind::ResultReady { electronic: true },
        );
    let v = s.view(datetime!(2024-03-28 10:00 +7));
    assert_eq!(v.official_due, Some(datetime!(2024-03-22 16:50 +7)));
    assert_eq!(v.promised_due, Some(datetime!(2024-03-29 17:00 +7)));
    assert_eq!(v.time_class, TimeClass::Late);
    assert_eq!(v.late_reason, Some(LateReason::PastDue));
}

#[test]
fn apology_then_a_return_a_day_late() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 16:50 +7), "P15")
        .then(
            datetime!(2024-03-21 10:00 +7),
            EventKind::ApologyIssued {
                new_due: datetime!(2024-03-25 17:00 +7),
                reason: "x".into(),
            },
        )
        .then(
            datetime!(2024-03-25 10:00 +7),
            EventKind::ResultReady { electronic: false },
        )
        .then(
            datetime!(2024-03-25 15:00 +7),
            EventKind::ResultReturned {
                method: ReturnMethod::InPerson,
            },
        );
    let v = s.view(datetime!(2024-03-26 10:00 +7));
    assert_eq!(v.time_class, TimeClass::Late);
    assert_eq!(v.status, Status::Returned);
    assert_eq!(v.national_code, 10);
}

#[test]
fn extension_under_law_moves_the_official_due() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 16:50 +7), "P15")
        .then(
            datetime!(2024-03-20 10:00 +7),
            EventKind::DueExtended {
                new_due: datetime!(2024-03-29 17:00 +7),
                legal_basis: "Điều 13 Nghị định 15/2021".into(),
            },
        )
        .then(
            datetime!(2024-03-27 10:00 +7),
            EventKind::ResultReady { electronic: true },
        );
    let v = s.view(datetime!(2024-03-28 10:00 +7));
    assert_eq!(v.official_due, Some(datetime!(2024-03-29 17:00 +7)));
    assert_eq!(v.time_class, TimeClass::Early);
}

#[test]
fn two_supplement_rounds_count_late_under_the_766_rule_only() {
    let c = policies();
    for code in ["WD5P", "WD5R", "WD5S"] {
        let mut s = Story::new(&c, code);
        s.received(datetime!(2024-03-04 09:00 +7), code)
            .then(
                datetime!(2024-03-04 10:00 +7),
                EventKind::SupplementRequested { reason: "1".into() },
            )
            .then(
                datetime!(2024-03-04 11:00 +7),
                EventKind::SupplementSupplied,
            )
            .then(
                datetime!(2024-03-04 14:00 +7),
                EventKind::SupplementRequested { reason: "2".into() },
            )
            .then(
                datetime!(2024-03-04 15:00 +7),
                EventKind::SupplementSupplied,
            )
            .then(
                datetime!(2024-03-05 10:00 +7),
                EventKind::ResultReady { electronic: true },
            );
        let v = s.view(datetime!(2024-03-06 10:00 +7));
        assert_eq!(
            (v.time_class, v.late_reason),
            (TimeClass::Late, Some(LateReason::MultipleSupplements)),
            "{code}"
        );
        assert_eq!(v.supplement_rounds, 2);
        let mut context = Context::new(&c, calendar());
        context.rules.multiple_supplements_late = false;
        let lenient = context
            .view_events(&s.events, datetime!(2024-03-06 10:00 +7))
            .unwrap();
        assert_eq!(lenient.time_class, TimeClass::Early, "{code}");
    }
}

#[test]
fn open_dossier_goes_within_time_then_due_soon_then_overdue() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-01 16:50 +7), "P15");
    assert_eq!(
        s.view(datetime!(2024-03-20 10:00 +7)).time_class,
        TimeClass::WithinTime
    );
    assert_eq!(
        s.view(datetime!(2024-03-21 10:00 +7)).time_class,
        TimeClass::DueSoon
    );
    // Date granularity: still not overdue later on the due date itself.
    assert_eq!(
        s.view(datetime!(2024-03-22 17:30 +7)).time_class,
        TimeClass::DueSoon
    );
    let late = s.view(datetime!(2024-03-25 08:00 +7));
    assert_eq!(late.time_class, TimeClass::Overdue);
    assert_eq!(late.late_reason, Some(LateReason::PastDue));
    assert_eq!(
        late.overdue_minutes,
        10 + 30,
        "16:50–17:00 Friday and 07:30–08:00 Monday"
    );
}

#[test]
fn instant_granularity_judges_minutes_past_the_due() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "H4").then(
        datetime!(2024-03-04 13:30 +7),
        EventKind::ResultReady { electronic: true },
    );
    let as_of = datetime!(2024-03-05 09:00 +7);
    // 4 working hours from 09:00: 09:00–11:30 and 13:00–14:30.
    assert_eq!(
        s.view(as_of).official_due,
        Some(datetime!(2024-03-04 14:30 +7))
    );
    assert_eq!(s.view(as_of).time_class, TimeClass::OnTime);
    let mut s2 = Story::new(&c, "D2");
    s2.received(datetime!(2024-03-04 09:00 +7), "H4").then(
        datetime!(2024-03-04 15:00 +7),
        EventKind::ResultReady { electronic: true },
    );
    assert_eq!(
        s2.view(as_of).time_class,
        TimeClass::OnTime,
        "same date: on time by date"
    );
    let mut context = Context::new(&c, calendar());
    context.rules.granularity = motcua_core::Granularity::Instant;
    assert_eq!(
        context.view_events(&s2.events, as_of).unwrap().time_class,
        TimeClass::Late
    );
}

#[test]
fn payment_wait_pauses_only_where_the_procedure_says_so() {
    let c = policies();
    for (code, due) in [
        ("PAY", datetime!(2024-03-12 09:00 +7)),
        ("WD5P", datetime!(2024-03-11 09:00 +7)),
    ] {
        let mut s = Story::new(&c, code);
        s.received(datetime!(2024-03-04 09:00 +7), code)
            .then(
                datetime!(2024-03-05 09:00 +7),
                EventKind::PaymentRequested {
                    amount_vnd: 100_000,
                },
            )
            .then(
                datetime!(2024-03-06 09:00 +7),
                EventKind::PaymentMade { online: true },
            );
        let v = s.view(datetime!(2024-03-06 10:00 +7));
        assert_eq!(v.official_due, Some(due), "{code}");
        assert_eq!(v.paid_online, Some(true));
    }
}

#[test]
fn calendar_day_limits_roll_forward_to_a_working_day() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    // 30 calendar days after Wed 2024-03-06 is Fri 2024-04-05: a working day.
    s.received(datetime!(2024-03-06 10:00 +7), "CAL30");
    assert_eq!(
        s.view(datetime!(2024-03-07 10:00 +7)).official_due,
        Some(datetime!(2024-04-05 10:00 +7))
    );
    // 30 calendar days after Thu 2024-03-07 is Sat 2024-04-06: rolled to the opening of Monday.
    let mut s = Story::new(&c, "D2");
    s.received(datetime!(2024-03-07 10:00 +7), "CAL30");
    assert_eq!(
        s.view(datetime!(2024-03-08 10:00 +7)).official_due,
        Some(datetime!(2024-04-08 07:30 +7))
    );
}

#[test]
fn a_procedure_without_a_limit_is_never_overdue() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "NONE");
    let v = s.view(datetime!(2026-03-04 09:00 +7));
    assert_eq!(v.official_due, None);
    assert_eq!(v.clock, ClockState::NoLimit);
    assert_eq!(v.time_class, TimeClass::WithinTime);
}

#[test]
fn a_late_step_inside_an_on_time_dossier_is_blamed() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 08:00 +7), "STEPS")
        .then(
            datetime!(2024-03-04 08:00 +7),
            EventKind::StepStarted {
                step: "a".into(),
                unit: "H1-A".into(),
            },
        )
        .then(
            datetime!(2024-03-13 10:00 +7),
            EventKind::StepFinished { step: "a".into() },
        )
        .then(
            datetime!(2024-03-13 10:00 +7),
            EventKind::Transferred {
                from: "H1-A".into(),
                to: "H1".into(),
            },
        )
        .then(
            datetime!(2024-03-13 10:00 +7),
            EventKind::StepStarted {
                step: "b".into(),
                unit: "H1".into(),
            },
        )
        .then(
            datetime!(2024-03-14 10:00 +7),
            EventKind::StepFinished { step: "b".into() },
        )
        .then(
            datetime!(2024-03-14 11:00 +7),
            EventKind::ResultReady { electronic: true },
        );
    let v = s.view(datetime!(2024-03-15 10:00 +7));
    assert_eq!(v.time_class, TimeClass::Early);
    assert_eq!(v.steps.len(), 2);
    assert_eq!(v.steps[0].due, Some(datetime!(2024-03-12 08:00 +7)));
    assert!(v.steps[0].late);
    // Its own share would run to 19 March 10:00, but no step is due after the dossier.
    assert_eq!(v.steps[1].due, Some(datetime!(2024-03-18 08:00 +7)));
    assert!(!v.steps[1].late);
    assert_eq!(v.late_steps(), 1);
    assert_eq!(v.current_unit.as_str(), "H1");
}

#[test]
fn online_submission_must_be_accepted_within_8_working_hours() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.then(
        datetime!(2024-03-01 16:00 +7),
        EventKind::Submitted {
            procedure: "P15".into(),
            unit: "H1".into(),
            channel: Channel::Online,
        },
    );
    let v = s.view(datetime!(2024-03-04 15:59 +7));
    assert_eq!(v.accept_by, Some(datetime!(2024-03-04 16:00 +7)));
    assert!(!v.accept_overdue);
    assert_eq!(v.status.national_code(), 1);
    assert!(s.view(datetime!(2024-03-04 16:30 +7)).accept_overdue);
    s.then(
        datetime!(2024-03-04 16:30 +7),
        EventKind::Received {
            procedure: "P15".into(),
            unit: "H1".into(),
            channel: Channel::Online,
        },
    );
    let v = s.view(datetime!(2024-03-04 16:31 +7));
    assert_eq!(v.accept_by, None);
    assert_eq!(v.submitted_at, Some(datetime!(2024-03-01 16:00 +7)));
}

#[test]
fn views_as_of_an_earlier_instant_ignore_later_events() {
    let c = policies();
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "WD5R").then(
        datetime!(2024-03-06 09:00 +7),
        EventKind::ResultReady { electronic: true },
    );
    let before = s.view(datetime!(2024-03-05 09:00 +7));
    assert_eq!(before.status, Status::Received);
    assert_eq!(before.finished_at, None);
    assert_eq!(
        s.view(datetime!(2024-03-07 09:00 +7)).status,
        Status::ResultReady
    );
}

#[test]
fn the_explanation_serialises_to_json() {
    let s = supplement_round("WD5P");
    let state = motcua_core::fold(&s.events);
    let e = deadline::explain(
        &state,
        s.catalogue.procedure(&"WD5P".into()).unwrap(),
        calendar(),
        datetime!(2024-03-08 09:00 +7),
        &JudgingRules::default(),
    )
    .unwrap();
    let json = serde_json::to_value(&e).unwrap();
    let kinds: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["rule", "received", "counted", "paused"]);
    assert_eq!(json["entries"][3]["working_minutes"], 960);
}

#[test]
fn instants_at_the_edge_of_representable_time_give_errors_not_panics() {
    // Found by the calendar_arith fuzz target: shifting 9999-12-31T23:59:59Z to UTC+7 leaves the
    // representable years.
    let c = policies();
    let edge = time::OffsetDateTime::new_utc(
        time::macros::date!(9999 - 12 - 31),
        time::macros::time!(23:59:59),
    );
    let mut s = Story::new(&c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "P15");
    // The decider refuses such an instant before anything is stored…
    assert!(s
        .try_then(edge, EventKind::ResultReady { electronic: true })
        .is_err());
    // …and a view of unchecked events that carry one is an error, not a panic.
    let mut events = s.events.clone();
    let mut last = events[0].clone();
    last.sequence = 2;
    last.occurred_at = edge;
    last.recorded_at = edge;
    last.kind = EventKind::ResultReady { electronic: true };
    events.push(last);
    let context = Context::new(&c, calendar());
    assert!(
        context.view_events(&events, edge).is_err(),
        "out of the calendar's range: an error"
    );
    let mut late = events[0].clone();
    late.occurred_at = edge;
    late.recorded_at = edge;
    assert!(context.view_events(&[late], edge).is_err());
}
