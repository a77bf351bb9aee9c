//! Differential tests: the engine's view of random dossiers, judged at random instants, equals
//! the reference clock's (`tests/reference`), field by field: dues, the clock's reading, the
//! judgement and every step. Catalogues cover every limit kind × supplement policy × payment
//! pause × steps with shares (0 %, 100 %, and splits); stories put events on session edges
//! (07:30, 11:30, 13:00, 17:00 and a minute either side), the 15:00 cut-off, after hours and at
//! midnight, on weekends, make-up Saturdays, across Tết and the yearly swaps, with several
//! supplement rounds and waits that span holidays.

mod reference;

use motcua::calendar::Calendar;
use motcua::{
    fold, rules, Catalogue, Channel, ClockState, Context, DossierId, DossierState, DueSoonWindow,
    Event, EventKind, Granularity, JudgingRules, Level, Procedure, ProcedureCode, StepSpec,
    SupplementPolicy, TimeLimit, Unit, UnitId,
};
use proptest::prelude::*;
use reference::{expected, Clerk};
use time::macros::{date, time};
use time::{Duration, OffsetDateTime, Time};

/// Times of day where the rules have edges.
const EDGES: [Time; 20] = [
    time!(00:00),
    time!(06:59),
    time!(07:29),
    time!(07:30),
    time!(07:31),
    time!(09:00),
    time!(11:29),
    time!(11:30),
    time!(11:31),
    time!(12:00),
    time!(12:59),
    time!(13:00),
    time!(13:01),
    time!(14:59),
    time!(15:00),
    time!(15:01),
    time!(16:59),
    time!(17:00),
    time!(17:01),
    time!(20:00),
];

fn limit() -> impl Strategy<Value = TimeLimit> {
    prop_oneof![
        (1u32..=15).prop_map(TimeLimit::WorkingDays),
        (1u32..=20).prop_map(TimeLimit::WorkingHours),
        (1u32..=45).prop_map(TimeLimit::CalendarDays),
        Just(TimeLimit::SameDay {
            cutoff: time!(15:00)
        }),
        Just(TimeLimit::None),
    ]
}

fn policy() -> impl Strategy<Value = SupplementPolicy> {
    prop_oneof![
        Just(SupplementPolicy::Restart),
        Just(SupplementPolicy::Pause),
        Just(SupplementPolicy::Shift),
    ]
}

fn shares() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![]),
        Just(vec![100]),
        Just(vec![0]),
        (0u8..=100).prop_flat_map(|a| (Just(a), 0u8..=(100 - a)).prop_map(|(a, b)| vec![a, b])),
        (1u8..=33, 1u8..=33, 1u8..=33).prop_map(|(a, b, c)| vec![a, b, c]),
    ]
}

fn judging() -> impl Strategy<Value = JudgingRules> {
    (
        prop_oneof![Just(Granularity::Date), Just(Granularity::Instant)],
        prop_oneof![
            Just(DueSoonWindow::WorkingDays(1)),
            Just(DueSoonWindow::WorkingDays(2)),
            Just(DueSoonWindow::Hours(24)),
        ],
        any::<bool>(),
    )
        .prop_map(
            |(granularity, due_soon, multiple_supplements_late)| JudgingRules {
                granularity,
                due_soon,
                multiple_supplements_late,
                ..JudgingRules::default()
            },
        )
}

fn catalogue(limit: TimeLimit, policy: SupplementPolicy, pays: bool, shares: &[u8]) -> Catalogue {
    let steps = shares
        .iter()
        .enumerate()
        .map(|(i, &share_percent)| StepSpec {
            id: format!("s{i}"),
            name: format!("step {i}"),
            share_percent,
            unit: None,
        })
        .collect();
    Catalogue::new(
        vec![Unit {
            id: UnitId::new("U1"),
            name: "UBND".into(),
            level: Level::District,
            parent: None,
        }],
        vec![Procedure {
            code: ProcedureCode::new("P"),
            name: "p".into(),
            field: "f".into(),
            level: Level::District,
            units: vec![],
            time_limit: limit,
            supplement_policy: policy,
            payment_pauses_clock: pays,
            online_service: Default::default(),
            result_is_document: true,
            fees: vec![],
            steps,
        }],
    )
    .expect("a valid catalogue")
}

/// One step of a random story: what to try, how many days later, at which edge.
#[derive(Clone, Debug)]
struct Action {
    what: u8,
    days: u8,
    edge: usize,
    extra_days: u8,
}

fn action() -> impl Strategy<Value = Action> {
    (
        0u8..12,
        prop_oneof![4 => Just(0u8), 3 => Just(1u8), 2 => 2u8..5, 1 => 5u8..40],
        0..EDGES.len(),
        1u8..20,
    )
        .prop_map(|(what, days, edge, extra_days)| Action {
            what,
            days,
            edge,
            extra_days,
        })
}

/// Builds a legal story from the actions: each candidate event goes through the rules, and one
/// they refuse is skipped.
fn story(
    catalogue: &Catalogue,
    shares: usize,
    start_day: u16,
    start_edge: usize,
    online: bool,
    actions: &[Action],
) -> Vec<Event> {
    let first_day = date!(2024 - 01 - 01) + Duration::days(i64::from(start_day));
    let mut at = first_day
        .with_time(EDGES[start_edge])
        .assume_offset(time::macros::offset!(+7));
    let mut state = DossierState::default();
    let mut events = Vec::new();
    let id = DossierId::new("D");
    let mut push = |state: &mut DossierState, at: OffsetDateTime, kind: EventKind| {
        let event = Event {
            event_id: uuid::Uuid::from_u128(events.len() as u128 + 1),
            dossier_id: id.clone(),
            sequence: state.version + 1,
            occurred_at: at,
            recorded_at: at,
            kind,
        };
        if rules::check(&event, state, catalogue).is_ok() {
            *state = motcua::state::evolve(std::mem::take(state), &event);
            events.push(event);
        }
    };
    let reception = |channel| EventKind::Received {
        procedure: "P".into(),
        unit: "U1".into(),
        channel,
    };
    if online {
        push(
            &mut state,
            at,
            EventKind::Submitted {
                procedure: "P".into(),
                unit: "U1".into(),
                channel: Channel::Online,
            },
        );
    } else {
        push(&mut state, at, reception(Channel::InPerson));
    }
    for a in actions {
        let day = at.date() + Duration::days(i64::from(a.days));
        let next = day
            .with_time(EDGES[a.edge])
            .assume_offset(time::macros::offset!(+7));
        at = next.max(at);
        let step = |i: u8| {
            if shares == 0 {
                "free".to_owned()
            } else {
                format!("s{}", usize::from(i) % shares)
            }
        };
        let later = at + Duration::days(i64::from(a.extra_days));
        let kind = match a.what {
            0 if online => reception(Channel::Online),
            0 | 1 => EventKind::StepStarted {
                step: step(a.extra_days),
                unit: "U1".into(),
            },
            2 => EventKind::StepFinished {
                step: step(a.extra_days),
            },
            3 => EventKind::SupplementRequested {
                reason: "thiếu".into(),
            },
            4 | 5 => EventKind::SupplementSupplied,
            6 => EventKind::PaymentRequested { amount_vnd: 1 },
            7 => EventKind::PaymentMade { online: true },
            8 => EventKind::DueExtended {
                new_due: later,
                legal_basis: "luật".into(),
            },
            9 => EventKind::ApologyIssued {
                new_due: later,
                reason: "xin lỗi".into(),
            },
            10 => EventKind::ResultReady { electronic: true },
            _ if a.extra_days == 1 => EventKind::SupplementExpired,
            _ if a.extra_days == 2 => EventKind::Withdrawn { reason: "r".into() },
            _ => EventKind::SupplementRequested {
                reason: "lần nữa".into(),
            },
        };
        push(&mut state, at, kind);
    }
    events
}

/// The instants a story is judged at: every event's instant and a minute either side, and
/// later instants at edges.
fn as_ofs(events: &[Event], later: &[(u8, usize)]) -> Vec<OffsetDateTime> {
    let mut out = Vec::new();
    for e in events {
        out.push(e.occurred_at);
        out.push(e.occurred_at + Duration::minutes(1));
        out.push(e.occurred_at - Duration::minutes(1));
    }
    if let Some(last) = events.last() {
        for &(days, edge) in later {
            let day = last.occurred_at.date() + Duration::days(i64::from(days));
            out.push(
                day.with_time(EDGES[edge])
                    .assume_offset(time::macros::offset!(+7)),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

fn check_story(
    catalogue: &Catalogue,
    calendar: &Calendar,
    rules: JudgingRules,
    events: &[Event],
    as_ofs: &[OffsetDateTime],
) -> Result<(), TestCaseError> {
    let clerk = Clerk::new(calendar);
    let context = Context {
        rules,
        ..Context::new(catalogue, calendar)
    };
    let procedure = catalogue
        .procedure(&ProcedureCode::new("P"))
        .expect("the procedure");
    for &as_of in as_ofs {
        if events.first().is_none_or(|e| e.occurred_at > as_of) {
            continue;
        }
        let view = context
            .view_events(events, as_of)
            .map_err(|e| TestCaseError::fail(format!("view failed: {e}")))?;
        let state = fold(events.iter().take_while(|e| e.occurred_at <= as_of));
        let want = expected(&clerk, &state, procedure, &rules, as_of);
        let got_steps: Vec<_> = view.steps.iter().map(|s| (s.due, s.late)).collect();
        let paused = match view.clock {
            ClockState::Paused(c) => Some(c),
            _ => None,
        };
        let got = (
            view.official_due,
            view.promised_due,
            view.accept_by,
            view.accept_overdue,
            view.used_minutes,
            view.left_minutes,
            view.overdue_minutes,
            view.time_class,
            view.late_reason,
            paused,
            got_steps,
        );
        let wanted = (
            want.official_due,
            want.promised_due,
            want.accept_by,
            want.accept_overdue,
            want.used_minutes,
            want.left_minutes,
            want.overdue_minutes,
            want.time_class,
            want.late_reason,
            want.paused_by,
            want.steps.clone(),
        );
        prop_assert_eq!(
            &got,
            &wanted,
            "as of {}, limit {:?}, policy {:?}, pays {}, rules {:?}\n(official, promised, accept_by, accept_overdue, used, left, overdue, class, reason, paused, steps)\nevents:\n{}",
            as_of,
            procedure.time_limit,
            procedure.supplement_policy,
            procedure.payment_pauses_clock,
            rules,
            events
                .iter()
                .map(|e| format!("  {} {:?}", e.occurred_at, e.kind))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Every field of the view and of every step equals the reference clock's.
    #[test]
    fn the_engine_agrees_with_the_reference_clock(
        limit in limit(),
        policy in policy(),
        pays in any::<bool>(),
        shares in shares(),
        rules in judging(),
        start_day in 0u16..900,
        start_edge in 0..EDGES.len(),
        online in any::<bool>(),
        actions in prop::collection::vec(action(), 0..14),
        later in prop::collection::vec((0u8..60, 0..EDGES.len()), 0..6),
    ) {
        let catalogue = catalogue(limit, policy, pays, &shares);
        let calendar = Calendar::vietnam();
        let events = story(&catalogue, shares.len(), start_day, start_edge, online, &actions);
        let instants = as_ofs(&events, &later);
        check_story(&catalogue, &calendar, rules, &events, &instants)?;
    }
}
