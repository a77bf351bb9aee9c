//! Property tests for the deadline laws: each rule with a law behind it, over random reception
//! instants (2015–2025), limits and waits, on the Vietnamese calendar.

mod common;

use common::{calendar, catalogue_with, procedure};
use motcua_core::{
    deadline, fold, Channel, Context, DossierId, DossierState, Event, EventKind, EventMetadata,
    OfficerId, Procedure, SupplementPolicy, TimeClass, TimeLimit,
};
use proptest::prelude::*;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const MINUTES_2015_2025: i64 = 11 * 365 * 1440;

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (0..MINUTES_2015_2025).prop_map(|m| datetime!(2015-01-01 00:00 +7) + Duration::minutes(m))
}

fn limit() -> impl Strategy<Value = TimeLimit> {
    prop_oneof![
        (1u32..60).prop_map(TimeLimit::WorkingDays),
        (1u32..80).prop_map(TimeLimit::WorkingHours),
        (1u32..60).prop_map(TimeLimit::CalendarDays),
        Just(TimeLimit::SameDay {
            cutoff: time::macros::time!(15:00)
        }),
    ]
}

fn event(seq: u64, at: OffsetDateTime, kind: EventKind) -> Event {
    Event {
        event_id: uuid::Uuid::from_u128(u128::from(seq)),
        dossier_id: DossierId::new("D"),
        sequence: seq,
        occurred_at: at,
        recorded_at: at,
        kind,
        metadata: Default::default(),
    }
}

fn received(at: OffsetDateTime, code: &str) -> Event {
    event(
        1,
        at,
        EventKind::Received {
            procedure: code.into(),
            unit: "H1".into(),
            channel: Channel::InPerson,
        },
    )
}

/// Received, then one supplement round from `received + request` lasting `wait` (or still open).
fn with_supplement(at: OffsetDateTime, request: Duration, wait: Option<Duration>) -> Vec<Event> {
    let mut events = vec![
        received(at, "X"),
        event(
            2,
            at + request,
            EventKind::SupplementRequested { reason: "x".into() },
        ),
    ];
    if let Some(wait) = wait {
        events.push(event(3, at + request + wait, EventKind::SupplementSupplied));
    }
    events
}

/// Any metadata: an officer or none, ids or none.
fn metadata() -> impl Strategy<Value = EventMetadata> {
    let officer = proptest::option::of("[a-z][a-z0-9.]{0,11}")
        .prop_map(|o| o.map(|text| OfficerId::new(text).unwrap()));
    let id = proptest::option::of(any::<u128>().prop_map(uuid::Uuid::from_u128));
    (officer, id.clone(), id).prop_map(|(officer, correlation_id, causation_id)| EventMetadata {
        officer,
        correlation_id,
        causation_id,
    })
}

fn due(state: &DossierState, p: &Procedure, as_of: OffsetDateTime) -> Option<OffsetDateTime> {
    deadline::dues(state, p, calendar(), as_of)
        .unwrap()
        .official
}

fn far(at: OffsetDateTime) -> OffsetDateTime {
    at + Duration::days(400)
}

fn is_working_time(t: OffsetDateTime) -> bool {
    let cal = calendar();
    let local = t.to_offset(cal.offset());
    let Ok(sessions) = cal.sessions_on(local.date()) else {
        return false;
    };
    sessions
        .iter()
        .any(|s| s.start() <= local.time() && local.time() <= s.end())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn more_time_limit_never_gives_an_earlier_due(at in instant(), n in 1u32..60, k in 0u32..30) {
        let state = fold(&[received(at, "X")]);
        for (short, long) in [
            (TimeLimit::WorkingDays(n), TimeLimit::WorkingDays(n + k)),
            (TimeLimit::WorkingHours(n), TimeLimit::WorkingHours(n + k)),
            (TimeLimit::CalendarDays(n), TimeLimit::CalendarDays(n + k)),
        ] {
            let a = due(&state, &procedure("X", short, SupplementPolicy::Pause), at);
            let b = due(&state, &procedure("X", long, SupplementPolicy::Pause), at);
            prop_assert!(a <= b, "{short:?} gives {a:?}, {long:?} gives {b:?}");
        }
    }

    #[test]
    fn the_due_is_always_working_time(at in instant(), limit in limit()) {
        let state = fold(&[received(at, "X")]);
        let d = due(&state, &procedure("X", limit, SupplementPolicy::Pause), at).unwrap();
        prop_assert!(d >= at, "due {d} before reception {at}");
        prop_assert!(is_working_time(d), "due {d} is outside office hours");
    }

    #[test]
    fn a_pause_never_makes_a_due_earlier(
        at in instant(), limit in limit(),
        request in 0i64..(30 * 1440), wait in proptest::option::of(0i64..(40 * 1440)),
    ) {
        let plain = fold(&[received(at, "X")]);
        let paused = fold(&with_supplement(at, Duration::minutes(request), wait.map(Duration::minutes)));
        let as_of = far(at);
        for policy in [SupplementPolicy::Pause, SupplementPolicy::Shift] {
            let p = procedure("X", limit, policy);
            let without = due(&plain, &p, as_of);
            let with = due(&paused, &p, as_of);
            prop_assert!(with >= without, "{policy:?}: {with:?} < {without:?}");
        }
    }

    #[test]
    fn restart_gives_a_due_at_least_as_late_as_pause(
        at in instant(), limit in limit(),
        request in 0i64..(30 * 1440), wait in 0i64..(40 * 1440),
    ) {
        let state = fold(&with_supplement(at, Duration::minutes(request), Some(Duration::minutes(wait))));
        let as_of = far(at);
        let restart = due(&state, &procedure("X", limit, SupplementPolicy::Restart), as_of);
        let pause = due(&state, &procedure("X", limit, SupplementPolicy::Pause), as_of);
        prop_assert!(restart >= pause, "restart {restart:?} < pause {pause:?}");
    }

    #[test]
    fn overdue_stays_overdue_until_the_dossier_finishes(
        at in instant(), n in 1u32..30, t1 in 0i64..(60 * 1440), dt in 0i64..(60 * 1440),
    ) {
        let catalogue = catalogue_with(vec![procedure("X", TimeLimit::WorkingDays(n), SupplementPolicy::Pause)]);
        let events = [received(at, "X")];
        let context = Context::new(&catalogue, calendar());
        let first = context.view_events(&events, at + Duration::minutes(t1)).unwrap();
        let later = context.view_events(&events, at + Duration::minutes(t1 + dt)).unwrap();
        if first.time_class == TimeClass::Overdue {
            prop_assert_eq!(later.time_class, TimeClass::Overdue);
            prop_assert!(later.overdue_minutes >= first.overdue_minutes);
        }
        prop_assert!(later.used_minutes >= first.used_minutes);
    }

    #[test]
    fn events_survive_a_json_round_trip_and_replay_the_same(
        at in instant(), request in 0i64..(10 * 1440), wait in proptest::option::of(0i64..(10 * 1440)),
    ) {
        let events = with_supplement(at, Duration::minutes(request), wait.map(Duration::minutes));
        let json: Vec<String> = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let back: Vec<Event> = json.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
        prop_assert_eq!(&back, &events);
        let catalogue = catalogue_with(vec![procedure("X", TimeLimit::WorkingDays(5), SupplementPolicy::Pause)]);
        let replayed = motcua_core::Decider::new(&catalogue).replay(&back).unwrap();
        prop_assert_eq!(replayed, fold(&events));
    }

    #[test]
    fn as_of_t_as_known_at_k_equals_replaying_only_what_was_recorded_by_k(
        at in instant(), gaps in proptest::collection::vec((0i64..(3 * 1440), 0i64..(5 * 1440)), 4),
        t in 0i64..(20 * 1440), k in 0i64..(25 * 1440),
    ) {
        // Received, supplement requested, supplied, result ready: each recorded after a delay.
        let kinds = [
            EventKind::Received { procedure: "X".into(), unit: "H1".into(), channel: Channel::InPerson },
            EventKind::SupplementRequested { reason: "x".into() },
            EventKind::SupplementSupplied,
            EventKind::ResultReady { electronic: true },
        ];
        let mut events = Vec::new();
        let (mut occurred, mut recorded) = (at, at);
        for (i, (kind, (gap, delay))) in kinds.into_iter().zip(gaps).enumerate() {
            occurred += Duration::minutes(gap);
            recorded = recorded.max(occurred + Duration::minutes(delay));
            let mut e = event(i as u64 + 1, occurred, kind);
            e.recorded_at = recorded;
            events.push(e);
        }
        let catalogue = catalogue_with(vec![procedure("X", TimeLimit::WorkingDays(5), SupplementPolicy::Pause)]);
        let context = Context::new(&catalogue, calendar());
        let (as_of, known_at) = (at + Duration::minutes(t), at + Duration::minutes(k));
        let recorded_by_k: Vec<Event> = events.iter().filter(|e| e.recorded_at <= known_at).cloned().collect();
        let bitemporal = context.view_known_at(&events, as_of, known_at).ok();
        let replayed = context.view_events(&recorded_by_k, as_of).ok();
        prop_assert_eq!(bitemporal, replayed);
    }

    #[test]
    fn metadata_never_changes_a_view(
        at in instant(), request in 0i64..(10 * 1440), wait in proptest::option::of(0i64..(10 * 1440)),
        metas in proptest::collection::vec(metadata(), 3), t in 0i64..(30 * 1440),
    ) {
        let bare = with_supplement(at, Duration::minutes(request), wait.map(Duration::minutes));
        let mut signed = bare.clone();
        for (e, meta) in signed.iter_mut().zip(metas) {
            e.metadata = meta;
        }
        let catalogue = catalogue_with(vec![procedure("X", TimeLimit::WorkingDays(5), SupplementPolicy::Pause)]);
        let decider = motcua_core::Decider::new(&catalogue);
        prop_assert_eq!(decider.replay(&signed).unwrap(), decider.replay(&bare).unwrap());
        prop_assert_eq!(fold(&signed), fold(&bare));
        let context = Context::new(&catalogue, calendar());
        let as_of = at + Duration::minutes(t);
        prop_assert_eq!(context.view_events(&signed, as_of).unwrap(), context.view_events(&bare, as_of).unwrap());
        prop_assert_eq!(context.alarms(&signed, as_of).ok(), context.alarms(&bare, as_of).ok());
        // And metadata survives the JSON form.
        let json: Vec<String> = signed.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
        let back: Vec<Event> = json.iter().map(|j| serde_json::from_str(j).unwrap()).collect();
        prop_assert_eq!(back, signed);
    }
}
