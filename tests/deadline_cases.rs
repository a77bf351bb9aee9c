//! The dues the reference clock proved wrong before issue 14, each pinned by the answer a clerk
//! with a calendar and a pencil gives (and worked through in `docs/deadline-rules.md`).

use motcua::calendar::Calendar;
use motcua::{Catalogue, Channel, EventKind, LateReason, TimeClass};
use motcua_testkit::{given, Story};
use time::macros::datetime;

fn catalogue() -> Catalogue {
    motcua::io::read_catalogue(
        r#"{"format":"motcua-catalogue","version":1,
        "units":[{"id":"H1","name":"UBND huyện","level":"district"}],
        "procedures":[
          {"code":"WD10-STEP","name":"a","field":"f","level":"district","time_limit":{"working_days":10},
           "steps":[{"id":"first","name":"thẩm định","share_percent":50}]},
          {"code":"WD5-R","name":"r","field":"f","level":"district","time_limit":{"working_days":5}},
          {"code":"CAL30-P","name":"c","field":"f","level":"district","time_limit":{"calendar_days":30},"supplement_policy":"pause"},
          {"code":"CAL30-STEP","name":"c","field":"f","level":"district","time_limit":{"calendar_days":30},
           "steps":[{"id":"appraisal","name":"thẩm định","share_percent":80}]},
          {"code":"SAME-P","name":"s","field":"f","level":"district","time_limit":{"same_day":{"cutoff":"15:00"}},"supplement_policy":"pause"},
          {"code":"NONE","name":"n","field":"f","level":"district","time_limit":"none"},
          {"code":"WD5-SUP30","name":"s","field":"f","level":"district","time_limit":{"working_days":5},"supplement_time_limit":{"calendar_days":30}}
        ]}"#,
    )
    .expect("the catalogue")
}

fn received(code: &str) -> EventKind {
    EventKind::Received {
        procedure: code.into(),
        unit: "H1".into(),
        channel: Channel::InPerson,
    }
}

fn step_started(step: &str) -> EventKind {
    EventKind::StepStarted {
        step: step.into(),
        unit: "H1".into(),
    }
}

/// A: a step that starts at a session's opening is due at the same time of day, as a dossier
/// is: 5 working days from Monday 07:30 is the next Monday 07:30, not Friday 17:00; and a minute
/// later gives a minute later, on the same date.
#[test]
fn a_step_due_keeps_the_time_of_day_like_a_dossier_due() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    for (start, due) in [
        (
            datetime!(2024-03-04 07:30 +7),
            datetime!(2024-03-11 07:30 +7),
        ),
        (
            datetime!(2024-03-04 07:31 +7),
            datetime!(2024-03-11 07:31 +7),
        ),
        // After hours: from the next session, like reception.
        (
            datetime!(2024-03-01 17:10 +7),
            datetime!(2024-03-11 07:30 +7),
        ),
    ] {
        let events = Story::new(&catalogue, "A")
            .then(start, received("WD10-STEP"))
            .then(start, step_started("first"))
            .events();
        let at = given(&catalogue, &calendar, events).at(datetime!(2024-03-08 16:00 +7));
        assert_eq!(at.view().steps[0].due, Some(due), "step started {start}");
        assert!(!at.view().steps[0].late);
    }
}

/// B: under the pause policy a calendar-day limit grows by the wall-clock time waited, added to
/// the due before it is rolled to a working day: the National Day break inside the wait is not
/// added again; and while the dossier waits its time left does not change overnight.
#[test]
fn a_calendar_day_pause_adds_the_wait_once() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    // Received Thursday 22 August 07:40; the supplement asked for on Monday 26 August 09:05.
    let asked = || {
        Story::new(&catalogue, "B")
            .then(datetime!(2024-08-22 07:40 +7), received("CAL30-P"))
            .then(
                datetime!(2024-08-26 09:05 +7),
                EventKind::SupplementRequested {
                    reason: "thiếu giấy tờ".into(),
                },
            )
    };
    let story = asked();
    let evening = given(&catalogue, &calendar, story.events()).at(datetime!(2024-08-28 20:00 +7));
    let before = evening.view().clone();
    let morning = evening.at(datetime!(2024-08-29 07:00 +7));
    let (evening, morning) = (before, morning.view());
    assert!(evening.left_minutes > 0);
    assert_eq!(evening.left_minutes, morning.left_minutes);
    assert_eq!(evening.official_due, morning.official_due);
    let story = asked()
        .then(
            datetime!(2024-09-04 15:30 +7),
            EventKind::SupplementSupplied,
        )
        .then(
            datetime!(2024-10-02 13:04 +7),
            EventKind::ResultReady { electronic: true },
        );
    given(&catalogue, &calendar, story.events())
        .at(datetime!(2024-10-03 09:00 +7))
        .expect_due(datetime!(2024-09-30 14:05 +7))
        .expect_time_class(TimeClass::Late);
}

/// C: a step's share of a calendar-day limit is counted in calendar days, and no step is due
/// after the dossier.
#[test]
fn a_step_share_of_calendar_days_is_in_calendar_days() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let events = Story::new(&catalogue, "C")
        .then(datetime!(2024-03-04 09:00 +7), received("CAL30-STEP"))
        .then(datetime!(2024-03-04 09:00 +7), step_started("appraisal"))
        .events();
    let at = given(&catalogue, &calendar, events).at(datetime!(2024-03-05 09:00 +7));
    assert_eq!(at.view().official_due, Some(datetime!(2024-04-03 09:00 +7)));
    assert_eq!(at.view().steps[0].due, Some(datetime!(2024-03-28 09:00 +7)));
}

/// D: a same-day dossier under the pause policy waits with its due where it was (17:00 that
/// day); the supply moves it by the working time waited, not across the cut-off.
#[test]
fn a_same_day_pause_moves_the_close_by_the_time_waited() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let requested = || {
        Story::new(&catalogue, "D")
            .then(datetime!(2024-03-04 10:00 +7), received("SAME-P"))
            .then(
                datetime!(2024-03-04 11:00 +7),
                EventKind::SupplementRequested {
                    reason: "thiếu".into(),
                },
            )
    };
    let at = given(&catalogue, &calendar, requested().events()).at(datetime!(2024-03-04 16:00 +7));
    assert_eq!(at.view().official_due, Some(datetime!(2024-03-04 17:00 +7)));
    assert_eq!(at.view().left_minutes, 30 + 240);
    // Supplied at 16:00: 30 + 180 working minutes waited move 17:00 to 11:00 the next day.
    let supplied = requested().then(
        datetime!(2024-03-04 16:00 +7),
        EventKind::SupplementSupplied,
    );
    given(&catalogue, &calendar, supplied.events())
        .at(datetime!(2024-03-04 16:30 +7))
        .expect_due(datetime!(2024-03-05 11:00 +7));
}

/// E: on its due date, past the due instant, an open dossier is due soon (dates are compared)
/// and not overdue by any minute; the next working morning it is overdue, with its minutes.
#[test]
fn past_the_due_instant_on_the_due_date_is_not_overdue_by_date() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let events = Story::new(&catalogue, "E")
        .then(datetime!(2024-03-04 09:00 +7), received("WD5-R"))
        .events();
    let on_the_day =
        given(&catalogue, &calendar, events.clone()).at(datetime!(2024-03-11 10:00 +7));
    let v = on_the_day.view();
    assert_eq!(v.time_class, TimeClass::DueSoon);
    assert_eq!(
        (v.overdue_minutes, v.left_minutes, v.late_reason),
        (0, 0, None)
    );
    let next_day = given(&catalogue, &calendar, events).at(datetime!(2024-03-12 07:30 +7));
    let v = next_day.view();
    assert_eq!(v.time_class, TimeClass::Overdue);
    assert_eq!(v.late_reason, Some(LateReason::PastDue));
    assert_eq!(v.overdue_minutes, 150 + 240); // 09:00–11:30 and 13:00–17:00 on the due date
}

/// The applicant's side of a supplement round: the procedure gives 30 days to supply; the view
/// and the explanation show when they run out, the dossier waiting past it is flagged, and one
/// stopped for it is counted as such in the report.
#[test]
fn the_applicant_has_a_due_to_supplement() {
    use motcua::metrics::{Counts, Period};
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let asked = || {
        Story::new(&catalogue, "S")
            .then(datetime!(2024-03-04 09:00 +7), received("WD5-SUP30"))
            .then(
                datetime!(2024-03-05 09:00 +7),
                EventKind::SupplementRequested {
                    reason: "thiếu bản vẽ".into(),
                },
            )
    };
    let on_the_day =
        given(&catalogue, &calendar, asked().events()).at(datetime!(2024-04-04 16:00 +7));
    assert_eq!(
        on_the_day.view().supplement_due,
        Some(datetime!(2024-04-04 09:00 +7))
    );
    assert!(!on_the_day.view().supplement_overdue, "dates are compared");
    let after = on_the_day.at(datetime!(2024-04-05 08:00 +7));
    assert!(after.view().supplement_overdue);
    let explanation = motcua::Context::new(&catalogue, &calendar)
        .explain(
            &motcua::fold(&asked().events()),
            datetime!(2024-04-05 08:00 +7),
        )
        .expect("an explanation");
    assert!(
        explanation.to_string().contains("the applicant has 30 calendar day(s), rolled forward to a working day to supply it, until Thu 2024-04-04 09:00"),
        "{explanation}"
    );
    let period = Period::new(
        datetime!(2024-04-01 00:00 +7),
        datetime!(2024-04-08 00:00 +7),
    )
    .expect("a period");
    let open = Counts::of_view(after.view(), &period);
    assert_eq!(
        (open.open_supplement_overdue, open.supplement_expired),
        (1, 0)
    );

    let expired = asked().then(datetime!(2024-04-05 10:00 +7), EventKind::SupplementExpired);
    let at = given(&catalogue, &calendar, expired.events()).at(datetime!(2024-04-08 00:00 +7));
    assert!(at.view().supplement_expired);
    assert_eq!(at.view().supplement_due, None, "no round is open");
    let counts = Counts::of_view(at.view(), &period);
    assert_eq!(
        (
            counts.stopped,
            counts.supplement_expired,
            counts.open_supplement_overdue
        ),
        (1, 1, 0)
    );
}

/// Found by the reference clock: a procedure without a time limit has no official due, but an
/// apology's new appointment is still what the applicant was promised.
#[test]
fn an_apology_promises_a_date_even_without_a_time_limit() {
    let catalogue = catalogue();
    let calendar = Calendar::vietnam();
    let events = Story::new(&catalogue, "N")
        .then(datetime!(2024-01-01 00:00 +7), received("NONE"))
        .then(
            datetime!(2024-01-01 00:00 +7),
            EventKind::ApologyIssued {
                new_due: datetime!(2024-01-02 00:00 +7),
                reason: "xin lỗi".into(),
            },
        )
        .events();
    let at = given(&catalogue, &calendar, events).at(datetime!(2024-01-01 00:00 +7));
    assert_eq!(at.view().official_due, None);
    assert_eq!(at.view().promised_due, Some(datetime!(2024-01-02 00:00 +7)));
    assert_eq!(at.view().time_class, TimeClass::WithinTime);
}
