//! Limits: very long streams of one dossier (a million events fold, replay and view in linear
//! time, without overflow), and instants at the edges of the calendar's range (1900–2200) and of
//! `time`'s (years -9999 and 9999, offsets of ±23:59): typed errors naming the dossier and the
//! instant, never a panic.
//!
//! Measured (debug build, 2 cores; `cargo test -p motcua-core --test limits -- --nocapture`):
//! 1,000,001 events of supplement rounds: fold ≈ 0.06 s, checked replay ≈ 0.4 s, view ≈ 0.5 s,
//! explain ≈ 1.6 s.

mod common;

use common::{calendar, catalogue};
use motcua_core::{fold, Channel, Context, Decider, DossierId, Event, EventKind};
use std::time::Instant;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

fn event(sequence: u64, at: OffsetDateTime, kind: EventKind) -> Event {
    Event {
        event_id: uuid::Uuid::from_u128(u128::from(sequence)),
        dossier_id: DossierId::new("D"),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind,
        metadata: Default::default(),
    }
}

fn received(at: OffsetDateTime) -> Event {
    event(
        1,
        at,
        EventKind::Received {
            procedure: "P15".into(),
            unit: "H1".into(),
            channel: Channel::Online,
        },
    )
}

/// Received, then `rounds` pairs from `pair`, one second apart.
fn long_stream(rounds: u64, pair: impl Fn(u64) -> [EventKind; 2]) -> Vec<Event> {
    let start = datetime!(2024-03-04 08:00 +7);
    let mut events = Vec::with_capacity(usize::try_from(2 * rounds + 1).unwrap_or(0));
    events.push(received(start));
    for round in 0..rounds {
        let [a, b] = pair(round);
        for kind in [a, b] {
            let sequence = events.len() as u64 + 1;
            let at = start + Duration::seconds(i64::try_from(sequence).unwrap_or(0));
            events.push(event(sequence, at, kind));
        }
    }
    events
}

/// Folds, replays (checked), views and explains `events`, printing how long each took.
fn measure(name: &str, events: &[Event]) {
    let catalogue = catalogue();
    let as_of = events
        .last()
        .map(|e| e.occurred_at)
        .unwrap_or(datetime!(2024-03-04 08:00 +7));
    let t = Instant::now();
    let state = fold(events);
    let fold_t = t.elapsed();
    let t = Instant::now();
    let replayed = Decider::new(&catalogue).replay(events);
    let replay_t = t.elapsed();
    assert_eq!(replayed.as_ref().ok(), Some(&state));
    let context = Context::new(&catalogue, calendar());
    let t = Instant::now();
    let view = context.view(&state, as_of);
    let view_t = t.elapsed();
    assert!(view.is_ok(), "{view:?}");
    let t = Instant::now();
    let explanation = context.explain(&state, as_of);
    let explain_t = t.elapsed();
    assert!(explanation.is_ok());
    eprintln!(
        "{name}: {} events: fold {fold_t:?}, replay {replay_t:?}, view {view_t:?}, explain {explain_t:?}",
        events.len()
    );
}

fn supplement_round(_: u64) -> [EventKind; 2] {
    [
        EventKind::SupplementRequested {
            reason: "thiếu giấy tờ".into(),
        },
        EventKind::SupplementSupplied,
    ]
}

#[test]
fn a_million_events_of_supplement_rounds_in_one_dossier() {
    let events = long_stream(500_000, supplement_round);
    assert_eq!(events.len(), 1_000_001);
    measure("supplement rounds", &events);
    let state = fold(&events);
    assert_eq!(state.version, 1_000_001);
    assert_eq!(state.supplements.len(), 500_000);
    let catalogue = catalogue();
    let context = Context::new(&catalogue, calendar());
    let as_of = datetime!(2024-03-20 08:00 +7);
    let view = context.view(&state, as_of);
    assert_eq!(view.map(|v| v.status), Ok(motcua_core::Status::Processing));
}

fn step_pair(_: u64) -> [EventKind; 2] {
    [
        EventKind::StepStarted {
            step: "a".into(),
            unit: "H1".into(),
        },
        EventKind::StepFinished { step: "a".into() },
    ]
}

#[test]
fn a_million_events_of_step_runs_fold_and_view_in_linear_time() {
    let events = long_stream(500_000, step_pair);
    let catalogue = catalogue();
    let context = Context::new(&catalogue, calendar());
    let t = Instant::now();
    let state = fold(&events);
    let fold_t = t.elapsed();
    assert_eq!(state.steps.len(), 500_000);
    let t = Instant::now();
    let view = context.view(&state, datetime!(2024-03-20 08:00 +7));
    let view_t = t.elapsed();
    assert_eq!(view.map(|v| v.steps.len()), Ok(500_000));
    eprintln!("step runs: 1,000,001 events: fold {fold_t:?}, view {view_t:?}");
}

/// Checking stays linear in the runs of a step: `rules::check` of `step_started` asks
/// `DossierState::open_step`, which looks only at the open runs. (It once scanned every earlier
/// run: 20k start/finish pairs took 0.5 s, 80k 8.2 s in a debug build.)
#[test]
fn replaying_step_runs_is_linear() {
    let catalogue = catalogue();
    let decider = Decider::new(&catalogue);
    let time = |pairs| {
        let events = long_stream(pairs, step_pair);
        let t = Instant::now();
        assert!(decider.replay(&events).is_ok());
        t.elapsed().as_secs_f64()
    };
    // The least of three runs of each, alternating, so that a busy machine (the other tests
    // of this file run beside it) does not pass for a quadratic cost.
    let (mut small, mut large) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        small = small.min(time(20_000));
        large = large.min(time(80_000));
    }
    // Linear: 4 times the events, about 4 times the time; quadratic: 16 times.
    assert!(
        large < 8.0 * small,
        "20k pairs {small:.2} s, 80k pairs {large:.2} s"
    );
}

#[test]
fn as_of_instants_at_the_edges_of_time_are_typed_errors() {
    let catalogue = catalogue();
    let context = Context::new(&catalogue, calendar());
    let events = [received(datetime!(2024-03-04 08:00 +7))];
    let cases = [
        (
            datetime!(9999-12-31 23:59:59.999_999_999 UTC),
            "dossier D: instant 9999-12-31 23:59:59.999999999 +00:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            datetime!(9999-12-31 23:59 +23:59),
            "dossier D: instant 9999-12-31 23:59:00.0 +23:59:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            datetime!(2201-01-01 00:00 +7),
            "dossier D: instant 2201-01-01 0:00:00.0 +07:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        // Before the first event: nothing is known yet.
        (
            datetime!(-9999-01-01 00:00 UTC),
            "dossier D has no event by -9999-01-01 0:00:00.0 +00:00:00",
        ),
    ];
    for (as_of, expected) in cases {
        let view = context
            .view_events(&events, as_of)
            .err()
            .map(|e| e.to_string());
        assert_eq!(view.as_deref(), Some(expected));
        let known = context
            .view_known_at(&events, as_of, as_of)
            .err()
            .map(|e| e.to_string());
        assert_eq!(known.as_deref(), Some(expected));
    }
    // The last instant of the range still judges.
    let view = context.view_events(&events, datetime!(2200-12-31 23:59 +7));
    assert_eq!(
        view.map(|v| v.official_due),
        Ok(Some(datetime!(2024-03-25 08:00 +7)))
    );
}

#[test]
fn events_at_the_edges_of_time_are_typed_errors() {
    let catalogue = catalogue();
    let context = Context::new(&catalogue, calendar());
    let cases = [
        (
            datetime!(1800-01-01 08:00 +7),
            datetime!(1800-01-02 08:00 +7),
            "dossier D: instant 1800-01-01 8:00:00.0 +07:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            datetime!(1899-12-31 16:00 +7),
            datetime!(1900-01-02 08:00 +7),
            "dossier D: instant 1899-12-31 16:00:00.0 +07:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        // The due falls past the range.
        (
            datetime!(2200-12-20 16:00 +7),
            datetime!(2200-12-31 16:30 +7),
            "dossier D: 2200-12-22 7:30:00.0 +07:00:00 + 15 working days is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            datetime!(9999-12-31 23:59:59 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
            "dossier D: instant 9999-12-31 23:59:59.0 +00:00:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
        (
            datetime!(-9999-01-01 00:00 -23:59),
            datetime!(-9999-01-01 00:00 -23:59),
            "dossier D: instant -9999-01-01 0:00:00.0 -23:59:00 is outside the calendar's supported range 1900-01-01..=2200-12-31",
        ),
    ];
    for (at, as_of, expected) in cases {
        let events = [received(at)];
        // The decider (and so every import and append) refuses the event: no report could
        // judge it. A view of unchecked events still answers with a typed error.
        let refused = Decider::new(&catalogue)
            .replay(&events)
            .err()
            .map(|e| e.to_string());
        assert!(
            refused
                .as_deref()
                .is_some_and(|e| e.contains("is outside the years motcua judges (1900–2189")),
            "{refused:?}"
        );
        let state = fold(&events);
        let view = context.view(&state, as_of).err().map(|e| e.to_string());
        assert_eq!(view.as_deref(), Some(expected));
        let explain = context.explain(&state, as_of).err().map(|e| e.to_string());
        assert_eq!(explain.as_deref(), Some(expected));
    }
}

#[test]
fn sequence_numbers_at_u64_max_do_not_overflow() {
    let catalogue = catalogue();
    let mut state = fold(&[received(datetime!(2024-03-04 08:00 +7))]);
    state.version = u64::MAX;
    let mut next = event(
        0,
        datetime!(2024-03-04 09:00 +7),
        EventKind::SupplementSupplied,
    );
    // The expected next sequence saturates at u64::MAX rather than wrapping to 0.
    let err = motcua_core::rules::check(&next, &state, &catalogue).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("dossier D, event 0: sequence 0 is out of order, expected 18446744073709551615 (events of a dossier are numbered 1, 2, 3… without gaps)")
    );
    next.sequence = u64::MAX;
    next.dossier_id = DossierId::new("E");
    let err = motcua_core::rules::check(&next, &state, &catalogue).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("event 18446744073709551615 names dossier E but was applied to dossier D")
    );
}

#[test]
fn an_event_without_a_dossier_id_is_refused() {
    let catalogue = catalogue();
    let mut first = received(datetime!(2024-03-04 09:00 +7));
    first.dossier_id = DossierId::new(" ");
    let err = Decider::new(&catalogue)
        .replay(&[first])
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        err.as_deref(),
        Some("event 1 has an empty `dossier_id`; every event names its dossier's code")
    );
}

#[test]
fn instants_and_limits_no_report_could_judge_are_refused_before_they_are_stored() {
    let catalogue = catalogue();
    let decider = Decider::new(&catalogue);
    // The first and last years accepted.
    assert!(decider
        .replay(&[received(datetime!(1900-01-01 00:00 UTC))])
        .is_ok());
    assert!(decider
        .replay(&[received(datetime!(2189-12-31 23:59 UTC))])
        .is_ok());
    for (at, field) in [
        (datetime!(0001-01-01 00:00 UTC), "occurred_at"),
        (datetime!(2190-01-01 00:00 UTC), "occurred_at"),
    ] {
        let e = decider.replay(&[received(at)]).err().map(|e| e.to_string());
        assert!(
            e.as_deref()
                .is_some_and(|e| e.starts_with(&format!("dossier D, event 1: {field}"))),
            "{e:?}"
        );
    }
    // An extension to a date past the range is refused too.
    let events = [
        received(datetime!(2024-03-04 08:00 +7)),
        event(
            2,
            datetime!(2024-03-05 08:00 +7),
            EventKind::DueExtended {
                new_due: datetime!(2300-01-01 08:00 +7),
                legal_basis: "x".into(),
            },
        ),
    ];
    let e = decider.replay(&events).err().map(|e| e.to_string());
    assert!(
        e.as_deref()
            .is_some_and(|e| e
                .starts_with("dossier D, event 2: new_due 2300-01-01T08:00:00+07:00 is outside")),
        "{e:?}"
    );

    // A catalogue limit longer than ten years of working days is refused with its procedure.
    let mut procedure = common::procedure(
        "LONG",
        motcua_core::TimeLimit::WorkingDays(100_000),
        motcua_core::SupplementPolicy::Restart,
    );
    let refused = motcua_core::Catalogue::new(vec![], vec![procedure.clone()])
        .err()
        .map(|e| e.to_string());
    assert!(
        refused.as_deref().is_some_and(|e| e.contains(
            "procedure LONG: time_limit of WorkingDays(100000) is longer than motcua judges"
        )),
        "{refused:?}"
    );
    procedure.time_limit = motcua_core::TimeLimit::WorkingDays(motcua_core::MAX_LIMIT_DAYS);
    assert!(motcua_core::Catalogue::new(vec![], vec![procedure]).is_ok());
}
