//! The standing law: a dossier's standing at its last event, seen at any later instant, is the
//! view its events give at that instant, with the same alarms after it. The views from the
//! events are the reference (`Context::view_and_alarms`, the fold and the deadline rules run
//! in full); the standing is what the desk's projection keeps so that a list reads no event.

mod stories;

use motcua::calendar::Calendar;
use motcua::{Context, Event, TimeLimit, ViewError};
use proptest::prelude::*;
use stories::{action, catalogue_with_supply, judging, limit, policy, shares, story, EDGES};
use time::{Duration, OffsetDateTime};

/// The instants checked after the last event: each minute of the first two days, then the
/// minute edges of every day to a month and a half, then seconds inside minutes and far later.
fn instants(last: OffsetDateTime, seconds: &[i64]) -> Vec<OffsetDateTime> {
    let mut at: Vec<OffsetDateTime> = (0..=2 * 1440)
        .map(|m| last + Duration::minutes(m))
        .collect();
    for day in 0..45 {
        let midnight = last.replace_time(time::Time::MIDNIGHT) + Duration::days(day);
        for edge in EDGES {
            at.push(midnight.replace_time(edge));
            at.push(midnight.replace_time(edge) - Duration::seconds(1));
            at.push(midnight.replace_time(edge) + Duration::seconds(1));
        }
    }
    at.extend(seconds.iter().map(|s| last + Duration::seconds(*s)));
    at.push(last + Duration::days(400));
    at.retain(|t| *t >= last);
    at
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_standing_seen_later_is_the_view_of_its_events(
        limit in limit(),
        policy in policy(),
        pays in any::<bool>(),
        shares in shares(),
        rules in judging(),
        supply in prop::option::of((1u32..=10).prop_map(TimeLimit::CalendarDays)),
        start_day in 0u16..900,
        start_edge in 0..EDGES.len(),
        online in any::<bool>(),
        actions in prop::collection::vec(action(), 0..10),
        seconds in prop::collection::vec(0i64..(60 * 86_400), 0..40),
    ) {
        let catalogue = catalogue_with_supply(limit, policy, pays, &shares, supply);
        let calendar = Calendar::vietnam();
        let events: Vec<Event> = story(&catalogue, shares.len(), start_day, start_edge, online, &actions);
        let context = Context { rules, ..Context::new(&catalogue, &calendar) };
        let last = events.last().map(|e| e.occurred_at).expect("a first event");
        let standing = context.standing(&events).expect("a standing");
        prop_assert_eq!(standing.at, last);
        for t in instants(last, &seconds) {
            let expected = context.view_and_alarms(&events, t).expect("a view from the events");
            let seen = context.view_and_alarms_at(standing.clone(), t).expect("a view from the standing");
            prop_assert_eq!(&seen, &expected, "at {} (last event {})", t, last);
        }
        // Before the last event the standing does not answer.
        let before = last - Duration::seconds(1);
        let refused = matches!(context.view_at(standing, before), Err(ViewError::StandingMoved { .. }));
        prop_assert!(refused);
    }

    /// A store's raw append does not check that a stream's events occur in time order: when
    /// an earlier event occurred after the last one, the standing stands at the latest instant
    /// any event occurred at, and the law holds from there.
    #[test]
    fn a_stream_that_goes_back_in_time_stands_at_its_latest_instant(
        limit in limit(),
        policy in policy(),
        shares in shares(),
        start_day in 0u16..900,
        start_edge in 0..EDGES.len(),
        actions in prop::collection::vec(action(), 1..10),
        moved in any::<prop::sample::Index>(),
        minutes in 1i64..(5 * 1440),
        seconds in prop::collection::vec(0i64..(60 * 86_400), 0..20),
    ) {
        let catalogue = catalogue_with_supply(limit, policy, false, &shares, None);
        let calendar = Calendar::vietnam();
        let mut events: Vec<Event> = story(&catalogue, shares.len(), start_day, start_edge, false, &actions);
        prop_assume!(events.len() >= 2);
        let last = events.last().map(|e| e.occurred_at).expect("a last event");
        // One event before the last moved to after it.
        let k = moved.index(events.len() - 1);
        events[k].occurred_at = last + Duration::minutes(minutes);
        let latest = events[k].occurred_at;
        let context = Context::new(&catalogue, &calendar);
        match context.standing(&events) {
            Ok(standing) => {
                prop_assert_eq!(standing.at, latest);
                for t in instants(latest, &seconds) {
                    let expected = context.view_and_alarms(&events, t);
                    let seen = context.view_and_alarms_at(standing.clone(), t);
                    prop_assert_eq!(seen.ok(), expected.ok(), "at {} (latest event {})", t, latest);
                }
            }
            // Events this far out of order may not be judged at all; then not from the
            // events either.
            Err(_) => prop_assert!(context.view_and_alarms(&events, latest).is_err()),
        }
    }
}

#[test]
fn a_standing_under_another_calendar_is_refused() {
    use motcua::calendar::CalendarBuilder;
    let catalogue = stories::catalogue_with_supply(
        TimeLimit::WorkingDays(3),
        motcua::SupplementPolicy::Pause,
        false,
        &[],
        None,
    );
    let events = stories::story(&catalogue, 0, 10, 5, false, &[]);
    let vietnam = Calendar::vietnam();
    let standing = Context::new(&catalogue, &vietnam)
        .standing(&events)
        .expect("a standing");
    let other = CalendarBuilder::new("weekdays only")
        .build()
        .expect("a calendar");
    let later = standing.at + Duration::days(3);
    assert!(matches!(
        Context::new(&catalogue, &other).view_at(standing, later),
        Err(ViewError::StandingMoved { .. })
    ));
}
