//! Laws of a well-formed view, over random catalogues and legal stories (`tests/stories`):
//! what is true of every dossier at every instant, whatever the rules' details.

mod stories;

use motcua::calendar::Calendar;
use motcua::{
    Catalogue, ClockState, Context, DossierView, Event, JudgingRules, LateReason, SupplementPolicy,
    TimeClass, TimeLimit,
};
use proptest::prelude::*;
use stories::{action, catalogue, judging, limit, policy, shares, story, EDGES};
use time::macros::{datetime, time};
use time::{Duration, OffsetDateTime};

fn view(
    catalogue: &Catalogue,
    calendar: &Calendar,
    rules: JudgingRules,
    events: &[Event],
    as_of: OffsetDateTime,
) -> DossierView {
    let context = Context {
        rules,
        ..Context::new(catalogue, calendar)
    };
    context.view_events(events, as_of).expect("a view")
}

/// The instants of the quiet gap after the last event: every 37 minutes for ten days (a step
/// prime to the sessions' edges, so that every minute of the day is met over the gap).
fn gap(events: &[Event]) -> Vec<OffsetDateTime> {
    let last = events
        .last()
        .map_or(datetime!(2024-01-01 00:00 +7), |e| e.occurred_at);
    (0..390).map(|i| last + Duration::minutes(37 * i)).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// `overdue_minutes > 0` exactly when the dossier is overdue or late past its due; while
    /// the clock is stopped the dues, the time left and the judgement stand still; while it
    /// runs the time left never rises.
    #[test]
    fn a_view_is_well_formed_over_a_quiet_gap(
        limit in limit(),
        policy in policy(),
        pays in any::<bool>(),
        shares in shares(),
        rules in judging(),
        start_day in 0u16..900,
        start_edge in 0..EDGES.len(),
        online in any::<bool>(),
        actions in prop::collection::vec(action(), 0..12),
    ) {
        let catalogue = catalogue(limit, policy, pays, &shares);
        let calendar = Calendar::vietnam();
        let events = story(&catalogue, shares.len(), start_day, start_edge, online, &actions);
        let mut previous: Option<DossierView> = None;
        for as_of in gap(&events) {
            let v = view(&catalogue, &calendar, rules, &events, as_of);
            let past_due = v.time_class == TimeClass::Overdue
                || v.late_reason == Some(LateReason::PastDue);
            if past_due {
                prop_assert!(v.overdue_minutes > 0, "past due with 0 overdue minutes at {as_of}: {v:?}");
            }
            if v.overdue_minutes > 0 {
                prop_assert!(
                    matches!(v.time_class, TimeClass::Overdue | TimeClass::Late),
                    "{} overdue minutes but {:?} at {as_of}", v.overdue_minutes, v.time_class
                );
            }
            if v.time_class == TimeClass::Overdue {
                prop_assert_eq!(v.left_minutes, 0);
            }
            if let Some(p) = &previous {
                match v.clock {
                    ClockState::Paused(_) | ClockState::Stopped => {
                        prop_assert_eq!(v.official_due, p.official_due);
                        prop_assert_eq!(v.promised_due, p.promised_due);
                        prop_assert_eq!(v.left_minutes, p.left_minutes);
                        prop_assert_eq!(v.overdue_minutes, p.overdue_minutes);
                        prop_assert_eq!(v.used_minutes, p.used_minutes);
                        prop_assert_eq!(v.time_class, p.time_class);
                        prop_assert_eq!(&v.steps, &p.steps);
                    }
                    ClockState::Running => {
                        prop_assert_eq!(v.official_due, p.official_due);
                        prop_assert!(v.left_minutes <= p.left_minutes,
                            "time left rose from {} to {} at {as_of}", p.left_minutes, v.left_minutes);
                        prop_assert!(v.used_minutes >= p.used_minutes);
                        prop_assert!(v.overdue_minutes >= p.overdue_minutes);
                    }
                    ClockState::NotStarted | ClockState::NoLimit => {}
                }
            }
            // With shares of at most 100 %, no step is due after the dossier.
            if let Some(due) = v.official_due {
                for step in v.steps.iter() {
                    prop_assert!(step.due.is_none_or(|d| d <= due), "step due after the dossier: {step:?}, {due}");
                }
            }
            previous = Some(v);
        }
    }

    /// A later reception, or a later start of a step, never gives an earlier due.
    #[test]
    fn a_later_start_never_gives_an_earlier_due(
        limit in limit(),
        share in 0u8..=100,
        day in 0u16..900,
        minute in 0i64..1440,
        later in 0i64..(3 * 1440),
    ) {
        let catalogue = catalogue(limit, SupplementPolicy::Restart, false, &[share]);
        let calendar = Calendar::vietnam();
        let at = datetime!(2024-01-01 00:00 +7) + Duration::days(i64::from(day)) + Duration::minutes(minute);
        let dues = |received: OffsetDateTime, step: OffsetDateTime| {
            let acts = [];
            let mut events = story(&catalogue, 1, 0, 0, false, &acts);
            events[0].occurred_at = received;
            events[0].recorded_at = received;
            events.push(motcua::Event {
                event_id: uuid::Uuid::from_u128(99),
                dossier_id: events[0].dossier_id.clone(),
                sequence: 2,
                occurred_at: step,
                recorded_at: step,
                kind: motcua::EventKind::StepStarted { step: "s0".into(), unit: "U1".into() },
                metadata: Default::default(),
            });
            let v = view(&catalogue, &calendar, JudgingRules::default(), &events, step);
            (v.official_due, v.steps[0].due)
        };
        let (due, step_due) = dues(at, at);
        let (due_later, _) = dues(at + Duration::minutes(later), at + Duration::minutes(later));
        let (_, step_due_later) = dues(at, at + Duration::minutes(later));
        prop_assert!(due <= due_later, "received {at}: {due:?}; {later} min later: {due_later:?}");
        prop_assert!(step_due <= step_due_later, "step from {at}: {step_due:?}; {later} min later: {step_due_later:?}");
    }

    /// One working day is eight working hours: the same due from any reception instant.
    #[test]
    fn working_days_and_hours_agree(days in 1u32..30, day in 0u16..900, minute in 0i64..1440) {
        let calendar = Calendar::vietnam();
        let at = datetime!(2024-01-01 00:00 +7) + Duration::days(i64::from(day)) + Duration::minutes(minute);
        let due = |limit| {
            let catalogue = catalogue(limit, SupplementPolicy::Restart, false, &[]);
            let events = {
                let mut e = story(&catalogue, 0, 0, 0, false, &[]);
                e[0].occurred_at = at;
                e[0].recorded_at = at;
                e
            };
            view(&catalogue, &calendar, JudgingRules::default(), &events, at).official_due
        };
        prop_assert_eq!(due(TimeLimit::WorkingDays(days)), due(TimeLimit::WorkingHours(days * 8)));
    }
}

/// The same-day cut-off as a law's edge: a minute before 15:00 and at 15:00.
#[test]
fn the_cut_off_is_the_edge_of_the_same_day() {
    let calendar = Calendar::vietnam();
    let catalogue = catalogue(
        TimeLimit::SameDay {
            cutoff: time!(15:00),
        },
        SupplementPolicy::Restart,
        false,
        &[],
    );
    let due = |at: OffsetDateTime| {
        let mut e = story(&catalogue, 0, 0, 0, false, &[]);
        e[0].occurred_at = at;
        e[0].recorded_at = at;
        view(&catalogue, &calendar, JudgingRules::default(), &e, at).official_due
    };
    assert_eq!(
        due(datetime!(2024-03-04 14:59 +7)),
        Some(datetime!(2024-03-04 17:00 +7))
    );
    assert_eq!(
        due(datetime!(2024-03-04 15:00 +7)),
        Some(datetime!(2024-03-05 17:00 +7))
    );
}
