//! Who answers for an alarm, as the desk's notifier names them: the officer who started the
//! step whose due passes; for the dossier's own dues, the officer who started its latest open
//! step, else the officer who recorded its latest event naming one (Circular 01/2018's
//! processing control sheet names the officer of every step).

mod common;

use common::{calendar, catalogue, Story};
use motcua_core::{
    AlarmKind, Context, DossierHandlers, EventKind, EventMetadata, OfficerId, Responsible,
};
use time::macros::datetime;
use time::OffsetDateTime;

/// Each alarm of the story's dossier after `as_of` (judged with the events by then), with who
/// answers for it: `(kind, unit, officer)`.
fn answerable(story: &Story<'_>, as_of: OffsetDateTime) -> Vec<(AlarmKind, String, String)> {
    let context = Context::new(story.catalogue, calendar());
    let known: Vec<_> = story
        .events
        .iter()
        .filter(|e| e.occurred_at <= as_of)
        .cloned()
        .collect();
    let (view, alarms) = context
        .view_and_alarms(&known, as_of)
        .unwrap_or_else(|e| panic!("{e}"));
    let handlers = DossierHandlers::of(&known);
    alarms
        .iter()
        .map(|alarm| {
            let Responsible { unit, officer } = alarm.responsible(&view, &handlers);
            let officer = officer.map_or_else(String::new, |o| o.as_str().to_owned());
            (alarm.kind.clone(), unit.as_str().to_owned(), officer)
        })
        .collect()
}

/// The officer each event of the story was recorded by, in order (`""`: none).
fn recorded_by(story: &mut Story<'_>, officers: &[&str]) {
    assert_eq!(story.events.len(), officers.len(), "one officer per event");
    for (event, officer) in story.events.iter_mut().zip(officers) {
        if !officer.is_empty() {
            let officer = OfficerId::new(*officer).unwrap_or_else(|e| panic!("{e}"));
            event.metadata = EventMetadata::by(officer);
        }
    }
}

fn step_due(step: &str) -> AlarmKind {
    AlarmKind::StepDuePassed {
        step: step.into(),
        unit: "H1".into(),
    }
}

/// A dossier of procedure STEPS received Monday 4 March 2024 at 09:00, its step `a` started at
/// 10:00 and finished Tuesday at 09:00.
fn step_a_done<'a>(catalogue: &'a motcua_core::Catalogue, id: &str) -> Story<'a> {
    let mut story = Story::new(catalogue, id);
    story
        .received(datetime!(2024-03-04 09:00 +7), "STEPS")
        .then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::StepStarted {
                step: "a".into(),
                unit: "H1".into(),
            },
        )
        .then(
            datetime!(2024-03-05 09:00 +7),
            EventKind::StepFinished { step: "a".into() },
        );
    story
}

#[test]
fn the_step_starter_answers_for_its_step_and_for_the_dossier_while_it_is_open() {
    let catalogue = catalogue();
    let mut story = step_a_done(&catalogue, "D-1");
    story
        .then(
            datetime!(2024-03-05 11:00 +7),
            EventKind::StepStarted {
                step: "b".into(),
                unit: "H1".into(),
            },
        )
        .then(
            datetime!(2024-03-05 14:00 +7),
            EventKind::PaymentRequested { amount_vnd: 50_000 },
        );
    recorded_by(&mut story, &["tn.a", "cv.b", "cv.c", "ld.d", "kt.e"]);

    // Between the steps no step is open: the dossier's dues fall to whoever recorded its
    // latest event naming an officer (who finished step a).
    let between = answerable(&story, datetime!(2024-03-05 10:00 +7));
    assert!(!between.is_empty());
    for (kind, unit, officer) in &between {
        assert_eq!(
            (unit.as_str(), officer.as_str()),
            ("H1", "cv.c"),
            "{kind:?}"
        );
    }

    // Step b open: its due and the dossier's fall to who started it, not to who recorded the
    // payment request after it.
    let during = answerable(&story, datetime!(2024-03-05 15:00 +7));
    assert!(
        during.iter().any(|(kind, ..)| *kind == step_due("b")),
        "{during:?}"
    );
    assert!(during
        .iter()
        .any(|(kind, ..)| *kind == AlarmKind::OfficialDuePassed));
    for (kind, unit, officer) in &during {
        assert_eq!(
            (unit.as_str(), officer.as_str()),
            ("H1", "ld.d"),
            "{kind:?}"
        );
    }
}

#[test]
fn a_step_started_again_is_answered_for_by_its_latest_starter() {
    let catalogue = catalogue();
    let mut story = step_a_done(&catalogue, "D-2");
    story.then(
        datetime!(2024-03-05 10:00 +7),
        EventKind::StepStarted {
            step: "a".into(),
            unit: "H1".into(),
        },
    );
    // Received by nobody named; the step sent back to by another officer.
    recorded_by(&mut story, &["", "cv.b", "cv.c", "cv.f"]);
    let alarms = answerable(&story, datetime!(2024-03-05 11:00 +7));
    assert!(
        alarms.iter().any(|(kind, ..)| *kind == step_due("a")),
        "{alarms:?}"
    );
    for (kind, _, officer) in &alarms {
        assert_eq!(officer, "cv.f", "{kind:?}");
    }

    // Nobody named at all: no officer, the unit still.
    let mut unnamed = Story::new(&catalogue, "D-3");
    unnamed.received(datetime!(2024-03-04 09:00 +7), "STEPS");
    let alarms = answerable(&unnamed, datetime!(2024-03-04 10:00 +7));
    assert!(!alarms.is_empty());
    assert!(alarms
        .iter()
        .all(|(_, unit, officer)| unit == "H1" && officer.is_empty()));
}
