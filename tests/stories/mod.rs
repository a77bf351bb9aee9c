//! Random catalogues and legal stories for the deadline property tests: every limit kind,
//! supplement policy, payment pause and step share, with events on the rules' edges.
// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

use motcua::{
    rules, Catalogue, Channel, DossierId, DossierState, DueSoonWindow, Event, EventKind,
    Granularity, JudgingRules, Level, Procedure, ProcedureCode, StepSpec, SupplementPolicy,
    TimeLimit, Unit, UnitId,
};
use proptest::prelude::*;
use time::macros::{date, offset, time};
use time::{Duration, OffsetDateTime, Time};

/// Times of day where the rules have edges.
pub const EDGES: [Time; 20] = [
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

pub fn limit() -> impl Strategy<Value = TimeLimit> {
    (0..LIMIT_KINDS).prop_flat_map(limit_of_kind)
}

/// The kinds of time limit: working days, working hours, calendar days, same day, none.
pub const LIMIT_KINDS: usize = 5;

/// A limit of one kind (numbered as in [`LIMIT_KINDS`]).
pub fn limit_of_kind(kind: usize) -> BoxedStrategy<TimeLimit> {
    match kind {
        0 => (1u32..=15).prop_map(TimeLimit::WorkingDays).boxed(),
        1 => (1u32..=20).prop_map(TimeLimit::WorkingHours).boxed(),
        2 => (1u32..=45).prop_map(TimeLimit::CalendarDays).boxed(),
        3 => Just(TimeLimit::SameDay {
            cutoff: time!(15:00),
        })
        .boxed(),
        _ => Just(TimeLimit::None).boxed(),
    }
}

/// Every supplement policy.
pub const POLICIES: [SupplementPolicy; 3] = [
    SupplementPolicy::Restart,
    SupplementPolicy::Pause,
    SupplementPolicy::Shift,
];

pub fn policy() -> impl Strategy<Value = SupplementPolicy> {
    prop_oneof![
        Just(SupplementPolicy::Restart),
        Just(SupplementPolicy::Pause),
        Just(SupplementPolicy::Shift),
    ]
}

pub fn shares() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(vec![]),
        Just(vec![100]),
        Just(vec![0]),
        (0u8..=100).prop_flat_map(|a| (Just(a), 0u8..=(100 - a)).prop_map(|(a, b)| vec![a, b])),
        (1u8..=33, 1u8..=33, 1u8..=33).prop_map(|(a, b, c)| vec![a, b, c]),
    ]
}

pub fn judging() -> impl Strategy<Value = JudgingRules> {
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

pub fn catalogue(
    limit: TimeLimit,
    policy: SupplementPolicy,
    pays: bool,
    shares: &[u8],
) -> Catalogue {
    catalogue_with_supply(limit, policy, pays, shares, None)
}

/// [`catalogue`] with a time for the applicant to supplement.
pub fn catalogue_with_supply(
    limit: TimeLimit,
    policy: SupplementPolicy,
    pays: bool,
    shares: &[u8],
    supply: Option<TimeLimit>,
) -> Catalogue {
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
            supplement_time_limit: supply,
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
pub struct Action {
    what: u8,
    days: u8,
    edge: usize,
    extra_days: u8,
}

pub fn action() -> impl Strategy<Value = Action> {
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
pub fn story(
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
        .assume_offset(offset!(+7));
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
            metadata: Default::default(),
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
        let next = day.with_time(EDGES[a.edge]).assume_offset(offset!(+7));
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
