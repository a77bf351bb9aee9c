//! Differential tests: the engine's view of random dossiers, judged at random instants, equals
//! the reference clock's (`tests/reference`), field by field: dues, the clock's reading, the
//! judgement and every step. Catalogues cover every limit kind × supplement policy × payment
//! pause × steps with shares (0 %, 100 %, and splits); stories put events on session edges
//! (07:30, 11:30, 13:00, 17:00 and a minute either side), the 15:00 cut-off, after hours and at
//! midnight, on weekends, make-up Saturdays, across Tết and the yearly swaps, with several
//! supplement rounds and waits that span holidays.

mod reference;
mod stories;

use motcua::calendar::Calendar;
use motcua::{
    fold, Catalogue, ClockState, Context, Event, JudgingRules, ProcedureCode, SupplementPolicy,
    TimeLimit,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reference::{expected, Clerk};
use stories::{
    action, catalogue_with_supply, judging, limit, limit_of_kind, policy, shares, story, Action,
    EDGES, LIMIT_KINDS, POLICIES,
};
use time::{Duration, OffsetDateTime};

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
            u64::from(view.used_minutes),
            u64::from(view.left_minutes),
            u64::from(view.overdue_minutes),
            view.time_class,
            view.late_reason,
            paused,
            (
                got_steps,
                view.supplement_due,
                view.supplement_overdue,
                view.promised_overdue,
            ),
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
            (
                want.steps.clone(),
                want.supplement_due,
                want.supplement_overdue,
                want.promised_overdue,
            ),
        );
        prop_assert_eq!(
            &got,
            &wanted,
            "as of {}, limit {:?}, policy {:?}, pays {}, rules {:?}\n(official, promised, accept_by, accept_overdue, used, left, overdue, class, reason, paused, (steps, supply due, supply overdue, promised overdue))\nevents:\n{}",
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

/// Cases for each limit kind × supplement policy × payment pause (30 combinations); set
/// `MOTCUA_REFERENCE_CASES` for a longer run.
fn cases_per_combination() -> u32 {
    std::env::var("MOTCUA_REFERENCE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

/// One random story of a catalogue: its shares, reception, actions and later instants.
type Case = (
    Vec<u8>,
    JudgingRules,
    u16,
    usize,
    bool,
    Vec<Action>,
    Vec<(u8, usize)>,
    Option<TimeLimit>,
);

fn case() -> impl Strategy<Value = Case> {
    (
        shares(),
        judging(),
        0u16..900,
        0..EDGES.len(),
        any::<bool>(),
        prop::collection::vec(action(), 0..14),
        prop::collection::vec((0u8..60, 0..EDGES.len()), 0..6),
        prop::option::of(prop_oneof![
            (1u32..=30).prop_map(TimeLimit::CalendarDays),
            (1u32..=10).prop_map(TimeLimit::WorkingDays),
        ]),
    )
}

fn run_case(
    limit: TimeLimit,
    policy: SupplementPolicy,
    pays: bool,
    case: Case,
) -> Result<(), TestCaseError> {
    let (shares, rules, start_day, start_edge, online, actions, later, supply) = case;
    let catalogue = catalogue_with_supply(limit, policy, pays, &shares, supply);
    let calendar = Calendar::vietnam();
    let events = story(
        &catalogue,
        shares.len(),
        start_day,
        start_edge,
        online,
        &actions,
    );
    let instants = as_ofs(&events, &later);
    check_story(&catalogue, &calendar, rules, &events, &instants)
}

/// Every limit kind × supplement policy × payment pause, each with its own seeded stories:
/// the engine's view equals the reference clock's in every field.
#[test]
fn every_limit_kind_policy_and_payment_pause_agrees_with_the_reference() {
    let mut checked = 0u32;
    for kind in 0..LIMIT_KINDS {
        for policy in POLICIES {
            for pays in [false, true] {
                let config = Config {
                    cases: cases_per_combination(),
                    failure_persistence: None,
                    ..Config::default()
                };
                let rng = TestRng::deterministic_rng(RngAlgorithm::ChaCha);
                let mut runner = TestRunner::new_with_rng(config, rng);
                let strategy = (limit_of_kind(kind), case());
                if let Err(e) = runner.run(&strategy, |(limit, case)| {
                    run_case(limit, policy, pays, case)
                }) {
                    panic!("limit kind {kind}, policy {policy:?}, payment pauses {pays}: {e}");
                }
                checked += cases_per_combination();
            }
        }
    }
    assert_eq!(checked, 30 * cases_per_combination());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random combinations too, with failing cases kept as regression files.
    #[test]
    fn the_engine_agrees_with_the_reference_clock(
        limit in limit(),
        policy in policy(),
        pays in any::<bool>(),
        case in case(),
    ) {
        run_case(limit, policy, pays, case)?;
    }
}
