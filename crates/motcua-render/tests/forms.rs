//! The forms and the portal record on small stories the example workflows do not tell: a
//! refusal, two supplement rounds, hostile text, a unit's log over a period.

use motcua_core::calendar::Calendar;
use motcua_core::{
    Catalogue, Channel, Context, DossierId, Event, EventKind, EventMetadata, OfficerId, UnitId,
};
use motcua_render::forms::{
    ControlSheet, Dossier, Form, FormError, FormKind, Outcome, Receipt, Refusal, SupplementRequest,
    TrackingLog,
};
use motcua_render::portal::{PortalRecord, SyncedRecord};
use time::macros::{date, datetime};
use time::OffsetDateTime;

type Error = Box<dyn std::error::Error>;

const CATALOGUE: &str = r#"{"format": "motcua-catalogue", "version": 1,
  "units": [{"id": "X", "name": "UBND xã <b>A</b> & \"B\"", "level": "commune"},
            {"id": "Y", "name": "Phòng Y", "level": "commune", "parent": "X"}],
  "procedures": [{"code": "P", "field": "F", "level": "commune", "name": "Thủ tục P",
    "time_limit": {"working_days": 5}, "supplement_time_limit": {"working_days": 3},
    "steps": [{"id": "s1", "name": "Bước 1", "share_percent": 60, "unit": "Y"},
              {"id": "s2", "name": "Bước 2", "share_percent": 40, "unit": "X"}]}]}"#;

fn events(id: &str, story: Vec<(OffsetDateTime, EventKind)>) -> Vec<Event> {
    story
        .into_iter()
        .enumerate()
        .map(|(i, (at, kind))| Event {
            event_id: uuid::Uuid::from_u128(i as u128 + 1),
            dossier_id: DossierId::new(id),
            sequence: i as u64 + 1,
            occurred_at: at,
            recorded_at: at,
            metadata: Default::default(),
            kind,
        })
        .collect()
}

fn received(at: OffsetDateTime) -> (OffsetDateTime, EventKind) {
    (
        at,
        EventKind::Received {
            procedure: "P".into(),
            unit: "X".into(),
            channel: Channel::InPerson,
        },
    )
}

fn setup() -> Result<(Catalogue, Calendar), Error> {
    Ok((motcua_io::read_catalogue(CATALOGUE)?, Calendar::vietnam()))
}

#[test]
fn a_refused_dossier_has_a_refusal_and_no_receipt() -> Result<(), Error> {
    let (catalogue, calendar) = setup()?;
    let context = Context::new(&catalogue, &calendar);
    let events = events(
        "R1",
        vec![
            (
                datetime!(2024-03-04 09:00 +7),
                EventKind::Submitted {
                    procedure: "P".into(),
                    unit: "X".into(),
                    channel: Channel::Online,
                },
            ),
            (
                datetime!(2024-03-04 10:00 +7),
                EventKind::RefusedAtReception {
                    reason: "<script>alert(1)</script> thiếu đơn".into(),
                },
            ),
        ],
    );
    let dossier = Dossier {
        context,
        events: &events,
        as_of: datetime!(2024-03-05 17:00 +7),
    };
    let refusal = Refusal::build(&dossier)?;
    assert_eq!(refusal.refused_at, datetime!(2024-03-04 10:00 +7));
    let html = refusal.html()?;
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; thiếu đơn"));
    assert!(html.contains("UBND xã &lt;b&gt;A&lt;/b&gt; &amp; &quot;B&quot;"));
    assert!(!html.contains("<script") && !html.contains("http"));
    assert!(refusal.json()?.contains("\"form\": \"refusal\""));
    for form in [
        Receipt::build(&dossier).map(|_| ()),
        ControlSheet::build(&dossier).map(|_| ()),
    ] {
        match form {
            Err(FormError::NotApplicable { dossier, .. }) => assert_eq!(dossier.as_str(), "R1"),
            other => panic!("expected not applicable, got {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn each_supplement_round_has_its_form_and_its_dues_before_and_after() -> Result<(), Error> {
    let (catalogue, calendar) = setup()?;
    let context = Context::new(&catalogue, &calendar);
    let events = events(
        "S1",
        vec![
            received(datetime!(2024-03-04 09:00 +7)),
            (
                datetime!(2024-03-04 10:00 +7),
                EventKind::StepStarted {
                    step: "s1".into(),
                    unit: "Y".into(),
                },
            ),
            (
                datetime!(2024-03-05 09:00 +7),
                EventKind::SupplementRequested {
                    reason: "bản sao CCCD".into(),
                },
            ),
            (
                datetime!(2024-03-06 09:00 +7),
                EventKind::SupplementSupplied,
            ),
            (
                datetime!(2024-03-07 09:00 +7),
                EventKind::SupplementRequested {
                    reason: "bản vẽ".into(),
                },
            ),
        ],
    );
    let dossier = Dossier {
        context,
        events: &events,
        as_of: datetime!(2024-03-08 09:00 +7),
    };
    let first = SupplementRequest::build(&dossier, Some(1))?;
    assert_eq!((first.round, first.rounds), (1, 2));
    assert_eq!(first.missing, "bản sao CCCD");
    assert_eq!(first.supplied_at, Some(datetime!(2024-03-06 09:00 +7)));
    assert_eq!(first.requested_by.id, "Y");
    // Three working days to supplement, from Tuesday 09:00.
    assert_eq!(first.supplement_by, Some(datetime!(2024-03-08 09:00 +7)));
    let latest = SupplementRequest::build(&dossier, None)?;
    assert_eq!((latest.round, latest.missing.as_str()), (2, "bản vẽ"));
    assert_eq!(latest.supplied_at, None);
    match SupplementRequest::build(&dossier, Some(3)) {
        Err(FormError::NoSuchRound {
            rounds: 2,
            asked: 3,
            ..
        }) => {}
        other => panic!("expected no such round, got {other:?}"),
    }
    let record = PortalRecord::build(&dossier)?;
    assert_eq!(record.status, 5);
    assert_eq!(record.supplements.len(), 2);
    let round = &record.supplements[0];
    // Five working days from Monday 09:00; restarted when supplied on Wednesday 09:00.
    assert_eq!(round.due_before, Some(datetime!(2024-03-11 09:00 +7)));
    assert_eq!(round.due_after, Some(datetime!(2024-03-13 09:00 +7)));
    assert_eq!(record.supplements[1].due_after, None);
    assert_eq!(record.history.len(), 1);
    assert_eq!(record.history[0].outcome, Outcome::Open);
    let line = SyncedRecord {
        position: 42,
        record: &record,
    }
    .line()?;
    assert!(line.starts_with("{\"position\":42,\"record\":{\"format\":\"motcua-portal-record\""));
    assert_eq!(line.matches('\n').count(), 1);
    Ok(())
}

#[test]
fn steps_are_early_on_time_or_late_against_their_own_due() -> Result<(), Error> {
    let (catalogue, calendar) = setup()?;
    let context = Context::new(&catalogue, &calendar);
    let step = |at, id: &str, unit: &str| {
        (
            at,
            EventKind::StepStarted {
                step: id.into(),
                unit: unit.into(),
            },
        )
    };
    let done = |at, id: &str| (at, EventKind::StepFinished { step: id.into() });
    let mut events = events(
        "C1",
        vec![
            received(datetime!(2024-03-04 08:00 +7)),
            step(datetime!(2024-03-04 08:00 +7), "s1", "Y"),
            // Its share, 3 days, runs to Thursday; finished Tuesday: early.
            done(datetime!(2024-03-05 09:00 +7), "s1"),
            step(datetime!(2024-03-05 09:00 +7), "s2", "X"),
            // Its share, 2 days, ends on Monday 11 March; finished Wednesday 13th: late.
            done(datetime!(2024-03-13 10:00 +7), "s2"),
            (
                datetime!(2024-03-13 10:00 +7),
                EventKind::ResultReady { electronic: false },
            ),
        ],
    );
    // Who recorded what: the step starts and finishes name their officers; the reception none.
    let by = |name: &str| OfficerId::new(name).map(EventMetadata::by);
    events[1].metadata = by("cv.y1")?;
    events[2].metadata = by("cv.y2")?;
    events[3].metadata = by("cv.x1")?;
    events[4].metadata = by("cv.x2")?;
    let dossier = Dossier {
        context,
        events: &events,
        as_of: datetime!(2024-03-20 09:00 +7),
    };
    let sheet = ControlSheet::build(&dossier)?;
    let officers: Vec<(Option<&str>, Option<&str>)> = sheet
        .steps
        .iter()
        .map(|s| (s.started_by.as_deref(), s.finished_by.as_deref()))
        .collect();
    assert_eq!(
        officers,
        [
            (Some("cv.y1"), Some("cv.y2")),
            (Some("cv.x1"), Some("cv.x2"))
        ]
    );
    let html = sheet.html()?;
    assert!(html.contains("nhận / received: cv.y1; giao / handed on: cv.y2"));
    assert_eq!(Receipt::build(&dossier)?.received_by, None);
    assert_eq!(PortalRecord::build(&dossier)?.history, sheet.steps);
    let outcomes: Vec<Outcome> = sheet.steps.iter().map(|s| s.outcome).collect();
    assert_eq!(outcomes, [Outcome::Early, Outcome::Late]);
    assert_eq!(sheet.steps[0].unit.name.as_deref(), Some("Phòng Y"));
    assert_eq!(sheet.steps[1].step_name.as_deref(), Some("Bước 2"));
    Ok(())
}

#[test]
fn the_tracking_log_keeps_the_units_dossiers_of_the_period_in_order() -> Result<(), Error> {
    let (catalogue, calendar) = setup()?;
    let context = Context::new(&catalogue, &calendar);
    let mut log = TrackingLog::builder(
        context,
        UnitId::new("X"),
        date!(2024 - 03 - 04),
        date!(2024 - 03 - 05),
        datetime!(2024-03-20 09:00 +7),
    );
    let stories = [
        ("B", datetime!(2024-03-05 09:00 +7)),
        ("A", datetime!(2024-03-04 15:00 +7)),
        ("late", datetime!(2024-03-06 09:00 +7)),
    ];
    let mut kept = Vec::new();
    for (id, at) in stories {
        kept.push(log.add(&events(id, vec![received(at)]))?);
    }
    assert_eq!(kept, [true, true, false]);
    let log = log.finish();
    let rows: Vec<(usize, &str)> = log
        .rows
        .iter()
        .map(|r| (r.no, r.dossier.as_str()))
        .collect();
    assert_eq!(rows, [(1, "A"), (2, "B")]);
    assert_eq!(
        (log.from.as_str(), log.until.as_str()),
        ("2024-03-04", "2024-03-05")
    );
    assert!(log.json()?.contains("\"form\": \"tracking-log\""));
    assert!(log.html()?.contains("size:A4 landscape"));
    assert_eq!(FormKind::parse("06"), Some(FormKind::TrackingLog));
    Ok(())
}
