//! The decider rejects illegal commands with typed errors that name the dossier, the event
//! sequence and what was expected, and changes nothing.

mod common;

use common::{catalogue, Story};
use motcua_core::{
    Channel, Command, DecideError, Decider, DossierId, EventKind, ReturnMethod, Status,
};
use time::macros::datetime;

fn received_story(c: &motcua_core::Catalogue) -> Story<'_> {
    let mut s = Story::new(c, "D1");
    s.received(datetime!(2024-03-04 09:00 +7), "P15");
    s
}

#[test]
fn illegal_transitions_are_rejected_with_what_was_expected() {
    let c = catalogue();
    let mut s = received_story(&c);
    let before = s.state.clone();
    let err = s
        .try_then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::ResultReturned {
                method: ReturnMethod::InPerson,
            },
        )
        .err()
        .unwrap();
    match &err {
        DecideError::IllegalTransition {
            dossier,
            sequence,
            event,
            status,
            ..
        } => {
            assert_eq!(dossier.as_str(), "D1");
            assert_eq!(*sequence, 2);
            assert_eq!(*event, "result_returned");
            assert_eq!(*status, Some(Status::Received));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(err.to_string(), "dossier D1, event 2: `result_returned` is not allowed when the dossier is received; expected a dossier whose result is ready");
    assert_eq!(s.state, before, "a rejected command changes nothing");
    assert_eq!(s.events.len(), 1);
}

#[test]
fn every_wait_must_be_open_before_it_closes() {
    let c = catalogue();
    let mut s = received_story(&c);
    for kind in [
        EventKind::SupplementSupplied,
        EventKind::SupplementExpired,
        EventKind::PaymentMade { online: true },
    ] {
        assert!(matches!(
            s.try_then(datetime!(2024-03-04 10:00 +7), kind).err(),
            Some(DecideError::IllegalTransition { .. })
        ));
    }
    s.then(
        datetime!(2024-03-04 10:00 +7),
        EventKind::SupplementRequested { reason: "x".into() },
    );
    // Cannot finish or ask again while waiting for the applicant.
    for kind in [
        EventKind::ResultReady { electronic: true },
        EventKind::SupplementRequested { reason: "y".into() },
        EventKind::PaymentRequested { amount_vnd: 1 },
    ] {
        assert!(s.try_then(datetime!(2024-03-04 11:00 +7), kind).is_err());
    }
    s.then(datetime!(2024-03-05 10:00 +7), EventKind::SupplementExpired);
    assert_eq!(s.state.status, Some(Status::Stopped));
    assert!(Decider::is_terminal(&s.state));
}

#[test]
fn sequence_numbers_have_no_gaps_and_time_does_not_go_backwards() {
    let c = catalogue();
    let s = received_story(&c);
    let mut event = s.events[0].clone();
    event.sequence = 3;
    let err = Decider::new(&c).replay([&s.events[0], &event]).unwrap_err();
    assert_eq!(
        err,
        DecideError::OutOfSequence {
            dossier: DossierId::new("D1"),
            expected: 2,
            found: 3
        }
    );

    let mut s = received_story(&c);
    let err = s
        .try_then(
            datetime!(2024-03-04 08:00 +7),
            EventKind::SupplementRequested { reason: "x".into() },
        )
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            DecideError::TimeWentBackwards {
                field: "occurred_at",
                sequence: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("events must be in time order"));
}

#[test]
fn an_event_for_another_dossier_is_refused() {
    let c = catalogue();
    let s = received_story(&c);
    let command = Command::new(
        DossierId::new("D2"),
        uuid::Uuid::from_u128(9),
        datetime!(2024-03-04 10:00 +7),
        EventKind::Stopped { reason: "x".into() },
    );
    let err = Decider::new(&c).decide(command, &s.state).unwrap_err();
    assert!(matches!(err, DecideError::WrongDossier { .. }));
}

#[test]
fn unknown_procedures_units_and_steps_are_named() {
    let c = catalogue();
    let mut s = Story::new(&c, "D1");
    let err = s
        .try_then(
            datetime!(2024-03-04 09:00 +7),
            EventKind::Received {
                procedure: "9.999".into(),
                unit: "H1".into(),
                channel: Channel::InPerson,
            },
        )
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "dossier D1, event 1: procedure 9.999 is not in the catalogue"
    );
    let err = s
        .try_then(
            datetime!(2024-03-04 09:00 +7),
            EventKind::Received {
                procedure: "P15".into(),
                unit: "X9".into(),
                channel: Channel::InPerson,
            },
        )
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "dossier D1, event 1: unit X9 is not in the catalogue"
    );

    s.received(datetime!(2024-03-04 09:00 +7), "STEPS");
    let err = s
        .try_then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::StepStarted {
                step: "zz".into(),
                unit: "H1".into(),
            },
        )
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("step \"zz\" is not a step of the dossier's procedure"),
        "{err}"
    );
    let err = s
        .try_then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::StepFinished { step: "a".into() },
        )
        .err()
        .unwrap();
    assert!(err.to_string().contains("is not running"), "{err}");
    s.then(
        datetime!(2024-03-04 10:00 +7),
        EventKind::StepStarted {
            step: "a".into(),
            unit: "H1".into(),
        },
    );
    assert!(s
        .try_then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::StepStarted {
                step: "a".into(),
                unit: "H1".into()
            }
        )
        .is_err());
    let err = s
        .try_then(
            datetime!(2024-03-04 10:00 +7),
            EventKind::Transferred {
                from: "H1-A".into(),
                to: "H1".into(),
            },
        )
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .contains("unit H1-A does not hold the dossier"),
        "{err}"
    );
}

#[test]
fn apologies_and_extensions_must_move_the_due_later() {
    let c = catalogue();
    let mut s = received_story(&c);
    let err = s
        .try_then(
            datetime!(2024-03-05 09:00 +7),
            EventKind::ApologyIssued {
                new_due: datetime!(2024-03-05 08:00 +7),
                reason: "x".into(),
            },
        )
        .err()
        .unwrap();
    assert!(matches!(err, DecideError::DueNotLater { .. }));
    s.then(
        datetime!(2024-03-05 09:00 +7),
        EventKind::DueExtended {
            new_due: datetime!(2024-04-05 17:00 +7),
            legal_basis: "law".into(),
        },
    );
    assert!(s
        .try_then(
            datetime!(2024-03-06 09:00 +7),
            EventKind::DueExtended {
                new_due: datetime!(2024-04-01 17:00 +7),
                legal_basis: "law".into()
            }
        )
        .is_err());
}

#[test]
fn a_result_is_rated_once_and_a_rated_return_is_terminal() {
    let c = catalogue();
    let mut s = received_story(&c);
    s.then(
        datetime!(2024-03-05 09:00 +7),
        EventKind::ResultReady { electronic: true },
    )
    .then(
        datetime!(2024-03-05 10:00 +7),
        EventKind::ResultReturned {
            method: ReturnMethod::Online,
        },
    );
    assert!(!Decider::is_terminal(&s.state));
    s.then(
        datetime!(2024-03-05 11:00 +7),
        EventKind::Rated { satisfied: true },
    );
    assert!(Decider::is_terminal(&s.state));
    assert!(s
        .try_then(
            datetime!(2024-03-05 12:00 +7),
            EventKind::Rated { satisfied: false }
        )
        .is_err());
    assert!(s
        .try_then(
            datetime!(2024-03-05 12:00 +7),
            EventKind::Withdrawn { reason: "x".into() }
        )
        .is_err());
}

#[test]
fn refusal_only_follows_a_submission() {
    let c = catalogue();
    let mut s = Story::new(&c, "D1");
    assert!(s
        .try_then(
            datetime!(2024-03-04 09:00 +7),
            EventKind::RefusedAtReception { reason: "x".into() }
        )
        .is_err());
    s.then(
        datetime!(2024-03-04 09:00 +7),
        EventKind::Submitted {
            procedure: "P15".into(),
            unit: "H1".into(),
            channel: Channel::Online,
        },
    )
    .then(
        datetime!(2024-03-04 10:00 +7),
        EventKind::RefusedAtReception {
            reason: "hồ sơ không hợp lệ".into(),
        },
    );
    assert_eq!(s.state.status, Some(Status::Refused));
    assert_eq!(s.state.status.map(Status::national_code), Some(3));
    assert!(Decider::is_terminal(&s.state));
}

#[test]
fn replay_checks_what_fold_trusts() {
    let c = catalogue();
    let mut s = received_story(&c);
    s.then(
        datetime!(2024-03-05 09:00 +7),
        EventKind::PaymentRequested { amount_vnd: 50_000 },
    )
    .then(
        datetime!(2024-03-05 10:00 +7),
        EventKind::PaymentMade { online: false },
    )
    .then(
        datetime!(2024-03-06 09:00 +7),
        EventKind::ResultReady { electronic: false },
    );
    let replayed = Decider::new(&c).replay(&s.events).unwrap();
    assert_eq!(replayed, motcua_core::fold(&s.events));
    assert_eq!(replayed, s.state);
}
