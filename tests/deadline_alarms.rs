//! The alarm law: for random dossiers judged at random instants, the alarms after an instant
//! are exactly the minutes at which the view's judgement changes, checked against a view taken
//! every minute for the following days — nothing changes between two alarms, and something
//! changes at each.

mod stories;

use motcua::calendar::Calendar;
use motcua::{Context, DossierView, Event, LateReason, TimeClass};
use proptest::prelude::*;
use stories::{action, catalogue_with_supply, judging, limit, policy, shares, story, EDGES};
use time::{Duration, OffsetDateTime};

/// What a view says of the dossier's standing: its time class and flags.
type Judgement = (TimeClass, Option<LateReason>, bool, bool, bool, Vec<bool>);

fn judgement(v: &DossierView) -> Judgement {
    (
        v.time_class,
        v.late_reason,
        v.accept_overdue,
        v.supplement_overdue,
        v.promised_overdue,
        v.steps.iter().map(|s| s.late).collect(),
    )
}

/// Minutes sampled after the as-of instant.
const WINDOW_MINUTES: i64 = 6 * 1440;

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn alarms_are_exactly_the_minutes_the_judgement_changes(
        limit in limit(),
        policy in policy(),
        pays in any::<bool>(),
        shares in shares(),
        rules in judging(),
        supply in prop::option::of((1u32..=10).prop_map(motcua::TimeLimit::CalendarDays)),
        start_day in 0u16..900,
        start_edge in 0..EDGES.len(),
        online in any::<bool>(),
        actions in prop::collection::vec(action(), 0..10),
        later in 0i64..(3 * 1440),
    ) {
        let catalogue = catalogue_with_supply(limit, policy, pays, &shares, supply);
        let calendar = Calendar::vietnam();
        let events: Vec<Event> = story(&catalogue, shares.len(), start_day, start_edge, online, &actions);
        let context = Context { rules, ..Context::new(&catalogue, &calendar) };
        let last = events.last().map(|e| e.occurred_at).expect("a first event");
        let as_of = last + Duration::minutes(later);
        let alarms = context.alarms(&events, as_of).expect("alarms");
        for pair in alarms.windows(2) {
            prop_assert!(pair[0].at <= pair[1].at, "alarms out of order: {alarms:?}");
        }
        let rings = |t: OffsetDateTime| alarms.iter().any(|a| a.at == t);
        let mut previous = judgement(&context.view_events(&events, as_of).expect("a view"));
        for m in 1..=WINDOW_MINUTES {
            let t = as_of + Duration::minutes(m);
            let now = judgement(&context.view_events(&events, t).expect("a view"));
            let changed = now != previous;
            prop_assert_eq!(
                changed,
                rings(t),
                "at {}: judgement {:?} → {:?}; alarms {:?}",
                t, previous, now, alarms
            );
            previous = now;
        }
    }
}
