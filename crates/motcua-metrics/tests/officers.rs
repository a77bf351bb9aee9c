//! The opt-in section by officer: who handled which dossiers, finished which steps, and late.

use motcua_core::calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, Context, DossierId, DossierView, Event, EventKind, EventMetadata,
    OfficerId, Procedure, Unit,
};
use motcua_metrics::{OfficerCounts, Period, Report};
use time::macros::datetime;
use time::{Month, OffsetDateTime};

/// One commune, one procedure of 10 working days in two steps: appraisal (70 %), signature.
fn catalogue() -> Catalogue {
    let procedure: Procedure = serde_json::from_value(serde_json::json!({
        "code": "P", "name": "P", "field": "F", "level": "commune",
        "time_limit": {"working_days": 10},
        "steps": [
            {"id": "appraisal", "name": "Thẩm định", "share_percent": 70},
            {"id": "sign", "name": "Ký duyệt", "share_percent": 30}
        ]
    }))
    .unwrap();
    let unit: Unit = serde_json::from_value(serde_json::json!({
        "id": "XA1", "name": "XA1", "level": "commune"
    }))
    .unwrap();
    Catalogue::new(vec![unit], vec![procedure]).unwrap()
}

/// A dossier's events: each `(instant, officer or "", kind)`.
fn dossier(id: &str, steps: &[(OffsetDateTime, &str, EventKind)]) -> Vec<Event> {
    (1u64..)
        .zip(steps)
        .map(|(sequence, (at, officer, kind))| Event {
            event_id: Default::default(),
            dossier_id: DossierId::new(id),
            sequence,
            occurred_at: *at,
            recorded_at: *at,
            metadata: match *officer {
                "" => EventMetadata::default(),
                name => EventMetadata::by(OfficerId::new(name).unwrap()),
            },
            kind: kind.clone(),
        })
        .collect()
}

fn received() -> EventKind {
    EventKind::Received {
        procedure: "P".into(),
        unit: "XA1".into(),
        channel: Channel::InPerson,
    }
}

fn start(step: &str) -> EventKind {
    EventKind::StepStarted {
        step: step.into(),
        unit: "XA1".into(),
    }
}

fn finish(step: &str) -> EventKind {
    EventKind::StepFinished { step: step.into() }
}

fn ready() -> EventKind {
    EventKind::ResultReady { electronic: true }
}

fn streams() -> Vec<Vec<Event>> {
    vec![
        // Appraisal finished late by cv.a (due 13 March), signature started by ld.b and
        // finished on time by ld.c; the result by cb.d closes no step.
        dossier(
            "P1",
            &[
                (datetime!(2024-03-04 08:00 +7), "cb.d", received()),
                (datetime!(2024-03-04 09:00 +7), "cv.a", start("appraisal")),
                (datetime!(2024-03-15 16:00 +7), "cv.a", finish("appraisal")),
                (datetime!(2024-03-15 16:30 +7), "ld.b", start("sign")),
                (datetime!(2024-03-15 17:00 +7), "ld.c", finish("sign")),
                (datetime!(2024-03-15 17:00 +7), "cb.d", ready()),
            ],
        ),
        // Appraisal started by cv.a, closed on time by the result cb.e records.
        dossier(
            "P2",
            &[
                (datetime!(2024-03-05 08:00 +7), "cb.d", received()),
                (datetime!(2024-03-05 09:00 +7), "cv.a", start("appraisal")),
                (datetime!(2024-03-06 09:00 +7), "cb.e", ready()),
            ],
        ),
        // Nobody named: a late appraisal blamed on the unit, on no officer.
        dossier(
            "P3",
            &[
                (datetime!(2024-03-04 08:00 +7), "", received()),
                (datetime!(2024-03-04 09:00 +7), "", start("appraisal")),
                (datetime!(2024-03-20 09:00 +7), "", finish("appraisal")),
                (datetime!(2024-03-20 10:00 +7), "", ready()),
            ],
        ),
        // Open at the end of March: cv.a handles it, finishing the step only in April.
        dossier(
            "P4",
            &[
                (datetime!(2024-03-25 08:00 +7), "cb.d", received()),
                (datetime!(2024-03-26 09:00 +7), "cv.a", start("appraisal")),
                (datetime!(2024-04-10 09:00 +7), "cv.f", finish("appraisal")),
            ],
        ),
    ]
}

fn march() -> Period {
    Period::month(2024, Month::March).unwrap()
}

/// The report of some streams, with the section by officer when `officers`.
fn report(streams: &[Vec<Event>], officers: bool) -> Report {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let context = Context::new(&catalogue, &calendar);
    let period = march();
    let views: Vec<DossierView> = streams
        .iter()
        .map(|events| context.view_events(events, period.end).unwrap())
        .collect();
    let mut report = Report::build(&catalogue, &views, period);
    if officers {
        report = report.with_officers();
        for (events, view) in streams.iter().zip(&views) {
            report.add_officers(events, view);
        }
    }
    report
}

fn counts(dossiers: u64, steps_finished: u64, late_steps: u64) -> OfficerCounts {
    OfficerCounts {
        dossiers,
        steps_finished,
        late_steps,
    }
}

#[test]
fn officers_are_counted_by_the_steps_they_recorded() {
    let report = report(&streams(), true);
    let officers = report.officers().unwrap();
    let rows: Vec<(&str, OfficerCounts)> = officers.iter().map(|(o, c)| (o.as_str(), *c)).collect();
    assert_eq!(
        rows,
        [
            ("cb.e", counts(1, 1, 0)),
            ("cv.a", counts(3, 1, 1)),
            ("ld.b", counts(1, 0, 0)),
            ("ld.c", counts(1, 1, 0)),
        ]
    );
    // Every late step is the unit's; the one nobody signed is no officer's.
    let by_unit: u64 = report.late_steps_by_unit().values().sum();
    let by_officer: u64 = officers.iter().map(|(_, c)| c.late_steps).sum();
    assert_eq!((by_unit, by_officer), (2, 1));
    assert_eq!(
        officers.officer(&OfficerId::new("cv.f").unwrap()),
        OfficerCounts::default()
    );
}

#[test]
fn the_section_is_opt_in_and_merges_like_the_report() {
    let plain = report(&streams(), false);
    let json = serde_json::to_string(&plain).unwrap();
    assert!(!json.contains("officers"), "{json}");
    let whole = report(&streams(), true);
    let json = serde_json::to_string(&whole).unwrap();
    assert!(
        json.contains(r#""officers":{"cb.e":{"dossiers":1,"steps_finished":1,"late_steps":0},"#),
        "{json}"
    );
    // Without the section, the same report otherwise.
    let mut stripped = serde_json::to_value(&whole).unwrap();
    stripped.as_object_mut().unwrap().remove("officers");
    assert_eq!(stripped, serde_json::to_value(&plain).unwrap());

    let all = streams();
    let (left, right) = all.split_at(2);
    for (a, b) in [(left, right), (right, left)] {
        let mut merged = report(a, true);
        merged.merge(&report(b, true)).unwrap();
        assert_eq!(merged, whole);
    }
    // A part without the section adds nothing to it, and turns nothing off.
    let mut merged = report(left, true);
    merged.merge(&report(right, false)).unwrap();
    assert_eq!(merged.officers(), report(left, true).officers());
    let mut plain_first = report(right, false);
    plain_first.merge(&report(left, true)).unwrap();
    assert_eq!(plain_first.officers(), report(left, true).officers());
}
