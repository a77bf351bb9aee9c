//! Rule versions by effective date, calendar versions with the pinned and re-evaluate policies,
//! and bitemporal as-of: a dossier is judged under what was in force, and known, when it counts.

mod common;

use common::{calendar, procedure, Story};
use motcua_core::calendar::{CalendarBuilder, DayOffKind};
use motcua_core::calendars::{CalendarHistory, CalendarPolicy};
use motcua_core::deadline::TraceEntry;
use motcua_core::{
    Catalogue, Channel, Context, DecideError, DossierState, Event, EventKind, Level,
    ProcedureVersion, SupplementPolicy, TimeLimit, Unit, UnitId,
};
use time::macros::{date, datetime};
use time::{Date, Weekday};

fn units() -> Vec<Unit> {
    vec![Unit {
        id: UnitId::new("H1"),
        name: "UBND huyện Một".into(),
        level: Level::District,
        parent: None,
    }]
}

/// Decree 61/107 rules until 2025-06-30 (15 working days), Decree 118 from 2025-07-01 (10).
fn versioned() -> Catalogue {
    let v = |days, from, until| ProcedureVersion {
        procedure: procedure("P", TimeLimit::WorkingDays(days), SupplementPolicy::Restart),
        effective_from: from,
        effective_until: until,
    };
    Catalogue::with_versions(
        units(),
        vec![
            v(15, None, Some(date!(2025 - 06 - 30))),
            v(10, Some(date!(2025 - 07 - 01)), None),
        ],
    )
    .unwrap()
}

#[test]
fn a_dossier_is_judged_under_the_rules_in_force_when_it_was_received() {
    let c = versioned();
    let mut june = Story::new(&c, "JUNE");
    june.received(datetime!(2025-06-30 09:00 +7), "P");
    let mut july = Story::new(&c, "JULY");
    july.received(datetime!(2025-07-01 09:00 +7), "P");
    let as_of = datetime!(2025-07-02 09:00 +7);
    let wd = |start, n| calendar().add_working_days(start, n).unwrap();
    assert_eq!(
        june.view(as_of).official_due,
        Some(wd(datetime!(2025-06-30 09:00 +7), 15))
    );
    assert_eq!(
        july.view(as_of).official_due,
        Some(wd(datetime!(2025-07-01 09:00 +7), 10))
    );
}

#[test]
fn adding_a_new_rule_version_never_changes_an_old_dossiers_due() {
    let old_only = Catalogue::new(
        units(),
        vec![procedure(
            "P",
            TimeLimit::WorkingDays(15),
            SupplementPolicy::Restart,
        )],
    )
    .unwrap();
    let both = versioned();
    let mut before = Story::new(&old_only, "D");
    before.received(datetime!(2025-06-20 09:00 +7), "P");
    let events = before.events.clone();
    let as_of = datetime!(2025-08-01 09:00 +7);
    let under_old = Context::new(&old_only, calendar())
        .view_events(&events, as_of)
        .unwrap();
    let under_new = Context::new(&both, calendar())
        .view_events(&events, as_of)
        .unwrap();
    assert_eq!(under_old.official_due, under_new.official_due);
    assert_eq!(under_old.time_class, under_new.time_class);
}

#[test]
fn a_dossier_received_when_no_version_is_in_force_is_an_error_naming_the_date() {
    let late_only = Catalogue::with_versions(
        units(),
        vec![ProcedureVersion {
            procedure: procedure("P", TimeLimit::WorkingDays(10), SupplementPolicy::Restart),
            effective_from: Some(date!(2025 - 07 - 01)),
            effective_until: None,
        }],
    )
    .unwrap();
    let err = not_in_force(&late_only, datetime!(2025-06-20 09:00 +7));
    assert!(
        err.contains("no version of procedure P was in force on 2025-06-20"),
        "{err}"
    );
}

/// The error viewing dossier `D` of procedure `P` received at `at` under `catalogue`.
fn not_in_force(catalogue: &Catalogue, at: time::OffsetDateTime) -> String {
    let mut s = Story::new(catalogue, "D");
    s.received(at, "P");
    Context::new(catalogue, calendar())
        .view_events(&s.events, datetime!(2025-07-02 09:00 +7))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The example catalogue of docs/catalogue-format.md (2.000636: 15 working days under Decree
/// 61/2018 as amended by 107/2021 until 2025-06-30, 10 under Decree 118/2025 from 2025-07-01),
/// read the way motcua-io's reader does, less the header checks it owns.
fn example_2025() -> Catalogue {
    let text = include_str!("../../../docs/examples/catalogue-2025-versions.json");
    let file: serde_json::Value = serde_json::from_str(text).unwrap();
    let units: Vec<Unit> = serde_json::from_value(file["units"].clone()).unwrap();
    let procedures: Vec<ProcedureVersion> =
        serde_json::from_value(file["procedures"].clone()).unwrap();
    Catalogue::with_versions(units, procedures).unwrap()
}

/// A dossier of 2.000636 received online at the Department of Industry and Trade.
fn received_2025(catalogue: &Catalogue, id: &str, at: time::OffsetDateTime) -> Vec<Event> {
    let mut s = Story::new(catalogue, id);
    receive_2025(&mut s, at);
    s.events
}

/// Receives the story's dossier of 2.000636 online at the Department of Industry and Trade.
fn receive_2025(story: &mut Story<'_>, at: time::OffsetDateTime) {
    story.then(
        at,
        EventKind::Received {
            procedure: "2.000636".into(),
            unit: "T01-SCT".into(),
            channel: Channel::Online,
        },
    );
}

/// The trace's rule entry: the limit applied and the dates its version is in force.
fn rule_of(
    catalogue: &Catalogue,
    events: &[Event],
    as_of: time::OffsetDateTime,
) -> (TimeLimit, String) {
    let state = events
        .iter()
        .fold(DossierState::default(), motcua_core::state::evolve);
    let explanation = Context::new(catalogue, calendar())
        .explain(&state, as_of)
        .unwrap();
    match explanation.entries.first() {
        Some(TraceEntry::Rule {
            limit, in_force, ..
        }) => (*limit, in_force.clone()),
        other => panic!("the trace starts with {other:?}"),
    }
}

#[test]
fn the_2025_example_judges_30_june_and_1_july_under_their_own_versions() {
    let c = example_2025();
    // Monday 30 June is the last day of the old rules; Tuesday 1 July, the first of the new, is
    // a working day (no day off in July 2025).
    assert_eq!(date!(2025 - 06 - 30).weekday(), Weekday::Monday);
    assert_eq!(calendar().is_working_day(date!(2025 - 07 - 01)), Ok(true));
    let june = received_2025(&c, "SCT-250630-0001", datetime!(2025-06-30 09:00 +7));
    let july = received_2025(&c, "SCT-250701-0001", datetime!(2025-07-01 09:00 +7));
    let as_of = datetime!(2025-07-02 09:00 +7);
    let context = Context::new(&c, calendar());
    // 15 working days: 1–4, 7–11, 14–18 July and Monday 21 July.
    assert_eq!(
        context.view_events(&june, as_of).unwrap().official_due,
        Some(datetime!(2025-07-21 09:00 +7))
    );
    // 10 working days: 2–4, 7–11, 14 and 15 July — six days before the older dossier.
    assert_eq!(
        context.view_events(&july, as_of).unwrap().official_due,
        Some(datetime!(2025-07-15 09:00 +7))
    );
    assert_eq!(
        rule_of(&c, &june, as_of),
        (TimeLimit::WorkingDays(15), "until 2025-06-30".to_owned())
    );
    assert_eq!(
        rule_of(&c, &july, as_of),
        (TimeLimit::WorkingDays(10), "from 2025-07-01".to_owned())
    );
}

#[test]
fn the_version_is_chosen_by_the_local_date_of_reception_not_of_submission() {
    let c = example_2025();
    let as_of = datetime!(2025-07-02 09:00 +7);
    // 23:59 on 30 June in Vietnam: still the old rules.
    let late_june = received_2025(&c, "A", datetime!(2025-06-30 23:59 +7));
    assert_eq!(rule_of(&c, &late_june, as_of).0, TimeLimit::WorkingDays(15));
    // 17:30 UTC on 30 June is 00:30 on 1 July in Vietnam: the new rules.
    let utc = received_2025(&c, "B", datetime!(2025-06-30 17:30 UTC));
    assert_eq!(rule_of(&c, &utc, as_of).0, TimeLimit::WorkingDays(10));
    // Submitted online on 30 June, received on 1 July: judged from reception, under the new
    // rules.
    let mut s = Story::new(&c, "C");
    s.then(
        datetime!(2025-06-30 16:00 +7),
        EventKind::Submitted {
            procedure: "2.000636".into(),
            unit: "T01-SCT".into(),
            channel: Channel::Online,
        },
    );
    assert_eq!(
        rule_of(&c, &s.events, as_of),
        (TimeLimit::WorkingDays(15), "until 2025-06-30".to_owned()),
        "before reception, the submission date chooses"
    );
    receive_2025(&mut s, datetime!(2025-07-01 08:00 +7));
    assert_eq!(rule_of(&c, &s.events, as_of).0, TimeLimit::WorkingDays(10));
}

/// Version `P` with these dates.
fn dated(from: Option<Date>, until: Option<Date>) -> ProcedureVersion {
    ProcedureVersion {
        procedure: procedure("P", TimeLimit::WorkingDays(10), SupplementPolicy::Restart),
        effective_from: from,
        effective_until: until,
    }
}

#[test]
fn versions_that_end_before_they_start_or_overlap_are_refused() {
    let refused = |versions| {
        Catalogue::with_versions(units(), versions)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let (june_30, july_1) = (date!(2025 - 06 - 30), date!(2025 - 07 - 01));
    assert_eq!(
        refused(vec![dated(Some(july_1), Some(june_30))]),
        "procedure P: effective_until 2025-06-30 is before effective_from 2025-07-01"
    );
    let twice = "procedure P is defined twice for the same dates; versions of a procedure need effective dates that do not overlap";
    // Sharing a day: both ends are included.
    assert_eq!(
        refused(vec![dated(None, Some(july_1)), dated(Some(july_1), None)]),
        twice
    );
    // A new version added without closing the old one.
    assert_eq!(
        refused(vec![
            dated(Some(date!(2021 - 01 - 01)), None),
            dated(Some(july_1), None)
        ]),
        twice
    );
    // The same code twice without dates.
    assert_eq!(refused(vec![dated(None, None), dated(None, None)]), twice);
    // A version of one day, and versions given in any order, are fine.
    assert!(Catalogue::with_versions(
        units(),
        vec![
            dated(Some(july_1), None),
            dated(Some(june_30), Some(june_30)),
            dated(None, Some(date!(2025 - 06 - 29))),
        ],
    )
    .is_ok());
}

#[test]
fn a_gap_between_versions_is_accepted_and_a_dossier_received_in_it_is_an_error() {
    let c = Catalogue::with_versions(
        units(),
        vec![
            dated(None, Some(date!(2025 - 06 - 29))),
            dated(Some(date!(2025 - 07 - 01)), None),
        ],
    )
    .unwrap();
    assert_eq!(
        not_in_force(&c, datetime!(2025-06-30 09:00 +7)),
        "dossier D: no version of procedure P was in force on 2025-06-30, the day it was received; add one with effective dates covering it"
    );
}

/// Version 2 of the calendar, published Friday 8 March 2024, makes Friday 15 March a day off.
fn history() -> CalendarHistory {
    let v2 = CalendarBuilder::vietnam()
        .day_off(date!(2024 - 03 - 15), DayOffKind::Local, "Ngày hội tỉnh")
        .build()
        .unwrap();
    CalendarHistory::new(calendar().clone())
        .publish(datetime!(2024-03-08 00:00 +7), v2)
        .unwrap()
}

#[test]
fn a_swap_announced_after_reception_leaves_a_pinned_dossier_alone() {
    let c = common::catalogue();
    let h = history();
    let mut s = Story::new(&c, "D");
    s.received(datetime!(2024-03-04 09:00 +7), "P15");
    let context = Context::with_history(&c, &h);
    let v = context
        .view_events(&s.events, datetime!(2024-03-11 09:00 +7))
        .unwrap();
    assert_eq!(
        v.official_due,
        Some(datetime!(2024-03-25 09:00 +7)),
        "the receipt's promise stands"
    );
    assert_eq!(h.reevaluation(&s.state, CalendarPolicy::Pinned), None);
    // A dossier received after the announcement is judged under the new version.
    let mut later = Story::new(&c, "L");
    later.received(datetime!(2024-03-08 09:00 +7), "P15");
    let v = context
        .view_events(&later.events, datetime!(2024-03-11 09:00 +7))
        .unwrap();
    assert_eq!(
        v.official_due,
        Some(datetime!(2024-04-01 09:00 +7)),
        "15 March skipped: 11–14, 18–22, 25–29, 1 April"
    );
}

#[test]
fn a_swap_announced_after_reception_moves_a_reevaluated_dossier_and_the_history_says_so() {
    let c = common::catalogue();
    let h = history();
    let mut s = Story::new(&c, "D");
    s.received(datetime!(2024-03-04 09:00 +7), "P15");
    let event = h
        .reevaluation(&s.state, CalendarPolicy::Reevaluate)
        .expect("an open dossier under an old version");
    s.then(datetime!(2024-03-08 08:00 +7), event);
    let v = Context::with_history(&c, &h)
        .view_events(&s.events, datetime!(2024-03-11 09:00 +7))
        .unwrap();
    assert_eq!(v.official_due, Some(datetime!(2024-03-26 09:00 +7)));
    assert!(
        matches!(&s.events[1].kind, EventKind::CalendarReevaluated { calendar } if calendar == &h.latest().version().to_string())
    );
    assert_eq!(
        h.reevaluation(&s.state, CalendarPolicy::Reevaluate),
        None,
        "already under the newest version"
    );
}

#[test]
fn finished_dossiers_are_never_re_judged() {
    let c = common::catalogue();
    let h = history();
    let mut s = Story::new(&c, "D");
    s.received(datetime!(2024-03-04 09:00 +7), "P15").then(
        datetime!(2024-03-06 09:00 +7),
        EventKind::ResultReady { electronic: true },
    );
    assert_eq!(h.reevaluation(&s.state, CalendarPolicy::Reevaluate), None);
    let err = s
        .try_then(
            datetime!(2024-03-08 08:00 +7),
            EventKind::CalendarReevaluated {
                calendar: h.latest().version().to_string(),
            },
        )
        .err()
        .unwrap();
    assert!(matches!(err, DecideError::IllegalTransition { .. }));
    assert!(
        err.to_string()
            .contains("finished dossiers are never re-judged"),
        "{err}"
    );
}

#[test]
fn a_dossier_returned_to_an_earlier_step_runs_it_again_with_a_new_due() {
    let c = common::catalogue();
    let mut s = Story::new(&c, "D");
    s.received(datetime!(2024-03-04 08:00 +7), "STEPS")
        .then(
            datetime!(2024-03-04 08:00 +7),
            EventKind::StepStarted {
                step: "a".into(),
                unit: "H1-A".into(),
            },
        )
        .then(
            datetime!(2024-03-05 08:00 +7),
            EventKind::StepFinished { step: "a".into() },
        )
        .then(
            datetime!(2024-03-05 08:00 +7),
            EventKind::StepStarted {
                step: "b".into(),
                unit: "H1".into(),
            },
        )
        .then(
            datetime!(2024-03-06 08:00 +7),
            EventKind::StepFinished { step: "b".into() },
        )
        // Sent back for re-appraisal.
        .then(
            datetime!(2024-03-06 09:00 +7),
            EventKind::StepStarted {
                step: "a".into(),
                unit: "H1-A".into(),
            },
        );
    let v = s.view(datetime!(2024-03-07 09:00 +7));
    let runs: Vec<(&str, bool)> = v
        .steps
        .iter()
        .map(|r| (r.step.as_str(), r.finished_at.is_some()))
        .collect();
    assert_eq!(runs, [("a", true), ("b", true), ("a", false)]);
    assert_eq!(
        v.steps[2].due,
        Some(datetime!(2024-03-14 09:00 +7)),
        "60% of 10 days from the new start"
    );
}

#[test]
fn a_report_as_known_at_an_instant_ignores_later_records() {
    let c = common::catalogue();
    let mut s = Story::new(&c, "D");
    s.received(datetime!(2024-03-04 09:00 +7), "P15");
    // Entered four days late.
    let late = motcua_core::Command {
        dossier_id: s.id.clone(),
        event_id: uuid::Uuid::from_u128(99),
        occurred_at: datetime!(2024-03-06 10:00 +7),
        recorded_at: datetime!(2024-03-10 08:00 +7),
        kind: EventKind::ResultReady { electronic: true },
        metadata: Default::default(),
    };
    let events = motcua_core::Decider::new(&c)
        .decide(late, &s.state)
        .unwrap();
    s.events.extend(events);
    let context = Context::new(&c, calendar());
    let as_of = datetime!(2024-03-08 17:00 +7);
    let published = context
        .view_known_at(&s.events, as_of, datetime!(2024-03-08 17:00 +7))
        .unwrap();
    let corrected = context
        .view_known_at(&s.events, as_of, datetime!(2024-03-10 09:00 +7))
        .unwrap();
    assert_eq!(published.time_class, motcua_core::TimeClass::WithinTime);
    assert_eq!(corrected.time_class, motcua_core::TimeClass::Early);
}
