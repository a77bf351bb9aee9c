//! Reading and writing event lines: the bad-input list and the round trip.

use motcua_core::{Channel, DossierId, Event, EventKind, EventMetadata, OfficerId, ReturnMethod};
use motcua_io::{read_events, write_event, write_events, ReadError, ReadErrorKind};
use proptest::prelude::*;
use time::{OffsetDateTime, UtcOffset};
use uuid::Uuid;

/// A version 1 line (upcast on read).
const GOOD: &str = r#"{"v":1,"event_id":"6f1c2a8e-0000-4000-8000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}"#;

/// The same event in version 2, with metadata, as `docs/event-format.md` shows it.
const GOOD_V2: &str = r#"{"v":2,"event_id":"6f1c2a8e-0000-4000-8000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","meta":{"officer":"nguyen.thi.b","correlation_id":"0b7e5d4c-0000-4000-8000-00000000000a"},"type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}"#;

/// The error on `line` of a file whose other lines are good.
fn error_in(bad: &str) -> ReadError {
    let text = format!("{GOOD}\n\n{bad}\n");
    let mut items = read_events(text.as_bytes());
    assert!(matches!(items.next(), Some(Ok(_))));
    match items.next() {
        Some(Err(e)) => e,
        other => panic!("expected an error for {bad}, got {other:?}"),
    }
}

#[test]
fn reads_the_documented_line() {
    let events: Vec<Event> = read_events(GOOD.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].dossier_id, DossierId::new("H26-0003"));
    assert_eq!(
        events[0].occurred_at.offset(),
        UtcOffset::from_hms(7, 0, 0).unwrap_or(UtcOffset::UTC)
    );
    assert!(matches!(
        &events[0].kind,
        EventKind::Received {
            channel: Channel::InPerson,
            ..
        }
    ));
}

#[test]
fn malformed_json_names_line_and_column() {
    let err = error_in(r#"{"v":1,"event_id": oops}"#);
    assert_eq!(err.line, 3);
    assert!(
        matches!(err.kind, ReadErrorKind::Malformed { column: 20, .. }),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with("line 3: malformed JSON at column 20"),
        "{text}"
    );
    assert!(text.contains("expected one JSON object per line"), "{text}");
}

#[test]
fn unknown_type_lists_the_known_types() {
    let err = error_in(
        &GOOD
            .replace("\"received\"", "\"teleported\"")
            .replace("\"sequence\":1", "\"sequence\":2"),
    );
    let text = err.to_string();
    assert!(
        text.starts_with("line 3: dossier H26-0003, event 2: unknown event type `teleported`; known types: submitted, received,"),
        "{text}"
    );
}

#[test]
fn missing_or_unsupported_version_says_which_are_supported() {
    let err = error_in(&GOOD.replace("\"v\":1,", ""));
    assert!(matches!(err.kind, ReadErrorKind::MissingVersion));
    assert!(
        err.to_string().ends_with("supported versions: 1, 2"),
        "{err}"
    );
    let err = error_in(&GOOD_V2.replace("\"v\":2,", "\"v\":3,"));
    assert_eq!(err.line, 3);
    assert_eq!(
        err.to_string(),
        "line 3: dossier H26-0003, event 1: unsupported format version `v` = 3; supported versions: 1, 2"
    );
}

#[test]
fn version_1_lines_are_upcast_with_empty_metadata() {
    let v1: Vec<Event> = read_events(GOOD.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    let v2: Vec<Event> = read_events(GOOD_V2.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(v1[0].metadata.is_empty());
    assert_eq!(
        v2[0].metadata,
        EventMetadata::by(OfficerId::new("nguyen.thi.b").unwrap())
            .with_correlation_id(Uuid::from_u128(0x0b7e5d4c_0000_4000_8000_00000000000a))
    );
    // Apart from the metadata, the same event.
    assert_eq!(
        Event {
            metadata: EventMetadata::default(),
            ..v2[0].clone()
        },
        v1[0]
    );
    // A v1 line is written again as v2, without `meta`.
    let mut out = Vec::new();
    write_events(&mut out, &v1).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        format!("{}\n", GOOD.replacen("\"v\":1,", "\"v\":2,", 1))
    );
    // Versions may mix line by line; a reordered or spaced v1 line is upcast too, and a `meta`
    // on a v1 line is not read.
    let spaced = GOOD.replacen("{\"v\":1,", "{ ", 1).replacen(
        "}",
        ", \"v\": 1, \"meta\": {\"officer\": \"x\"}}",
        1,
    );
    let text = format!("{GOOD_V2}\n{spaced}\n{GOOD}\n");
    let mixed: Vec<Event> = read_events(text.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(mixed, vec![v2[0].clone(), v1[0].clone(), v1[0].clone()]);
}

#[test]
fn bad_metadata_is_named() {
    let err = error_in(&GOOD_V2.replace("\"nguyen.thi.b\"", "\"\""));
    assert_eq!(
        err.to_string(),
        "line 3: dossier H26-0003, event 1: invalid event: field `meta.officer`: an officer id is empty; expected the host's id of the officer or system"
    );
    let err = error_in(&GOOD_V2.replace("0b7e5d4c-0000", "nope"));
    assert!(
        err.to_string().contains("field `meta.correlation_id`"),
        "{err}"
    );
    let err = error_in(&GOOD_V2.replace(
        "{\"officer\":\"nguyen.thi.b\",\"correlation_id\":\"0b7e5d4c-0000-4000-8000-00000000000a\"}",
        "\"nguyen.thi.b\"",
    ));
    assert!(
        err.to_string()
            .ends_with("field `meta`: expected an object with `officer`, `correlation_id` or `causation_id`, found a string"),
        "{err}"
    );
}

#[test]
fn instant_without_offset_is_explained() {
    let err = error_in(&GOOD.replace(
        "\"2024-03-04T09:00:00+07:00\",\"type\"",
        "\"2024-03-04T09:00:00\",\"type\"",
    ));
    let text = err.to_string();
    assert!(
        matches!(
            err.kind,
            ReadErrorKind::InstantWithoutOffset {
                field: "recorded_at",
                ..
            }
        ),
        "{text}"
    );
    assert!(text.starts_with("line 3: dossier H26-0003, event 1: `recorded_at` is \"2024-03-04T09:00:00\", which has no UTC offset"), "{text}");
    assert!(text.contains("+07:00"), "{text}");
}

#[test]
fn missing_field_is_named() {
    let err = error_in(&GOOD.replace(",\"unit\":\"XA01\"", ""));
    assert!(
        matches!(&err.kind, ReadErrorKind::MissingField { field } if field == "unit"),
        "{err}"
    );
    assert!(err.to_string().ends_with("missing field `unit`"), "{err}");
    let err = error_in(&GOOD.replace("\"sequence\":1,", ""));
    assert!(
        err.to_string().contains("missing field `sequence`"),
        "{err}"
    );
}

#[test]
fn wrong_values_name_the_field() {
    let err = error_in(&GOOD.replace("\"in_person\"", "\"fax\""));
    assert!(
        err.to_string()
            .contains("field `channel`: unknown variant `fax`"),
        "{err}"
    );
    let err = error_in(&GOOD.replace("\"sequence\":1", "\"sequence\":-1"));
    assert!(err.to_string().contains("field `sequence`"), "{err}");
    let err = error_in(&GOOD.replace("6f1c2a8e-0000-4000-8000-000000000001", "not-a-uuid"));
    assert!(err.to_string().contains("field `event_id`"), "{err}");
    let err = error_in("[1,2]");
    assert!(
        err.to_string()
            .ends_with("expected a JSON object (one event per line), found an array"),
        "{err}"
    );
}

#[test]
fn dossiers_may_interleave() {
    let other = GOOD
        .replace("H26-0003", "H26-0004")
        .replace("0001\"", "0002\"");
    let text = format!("{GOOD}\n{other}\n");
    let ids: Vec<String> = read_events(text.as_bytes())
        .filter_map(Result::ok)
        .map(|e| e.dossier_id.to_string())
        .collect();
    assert_eq!(ids, ["H26-0003", "H26-0004"]);
}

#[test]
fn lines_we_wrote_rewrite_byte_identical() {
    let events: Vec<Event> = read_events(GOOD_V2.as_bytes())
        .filter_map(Result::ok)
        .collect();
    let mut out = Vec::new();
    assert!(write_events(&mut out, &events).is_ok());
    assert_eq!(
        String::from_utf8(out).unwrap_or_default(),
        format!("{GOOD_V2}\n")
    );
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-zA-Z0-9 .:/-]{1,12}",
        "\\PC{0,8}",
        Just("Hồ sơ \"bổ sung\"\n".to_owned())
    ]
}

fn instant() -> impl Strategy<Value = OffsetDateTime> {
    (
        0i64..=253_402_300_799,
        0u32..1_000_000_000,
        -23i8..=23,
        prop_oneof![Just(0i8), Just(30), Just(45)],
    )
        .prop_map(|(secs, nanos, hours, minutes)| {
            let minutes = if hours < 0 { -minutes } else { minutes };
            let offset = UtcOffset::from_hms(hours, minutes, 0).unwrap_or(UtcOffset::UTC);
            let base =
                OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH);
            let with_nanos = base.replace_nanosecond(nanos).unwrap_or(base);
            let shifted = with_nanos.to_offset(offset);
            // Keep the local year within RFC 3339's 0000–9999.
            if (0..=9999).contains(&shifted.year()) {
                shifted
            } else {
                with_nanos
            }
        })
}

fn kind() -> impl Strategy<Value = EventKind> {
    let channel = prop_oneof![
        Just(Channel::InPerson),
        Just(Channel::Online),
        Just(Channel::Postal)
    ];
    let method = prop_oneof![
        Just(ReturnMethod::InPerson),
        Just(ReturnMethod::Online),
        Just(ReturnMethod::Postal)
    ];
    prop_oneof![
        (text(), text(), channel.clone()).prop_map(|(p, u, channel)| EventKind::Submitted {
            procedure: p.into(),
            unit: u.into(),
            channel
        }),
        (text(), text(), channel).prop_map(|(p, u, channel)| EventKind::Received {
            procedure: p.into(),
            unit: u.into(),
            channel
        }),
        text().prop_map(|reason| EventKind::RefusedAtReception { reason }),
        (text(), text()).prop_map(|(step, u)| EventKind::StepStarted {
            step,
            unit: u.into()
        }),
        text().prop_map(|step| EventKind::StepFinished { step }),
        (text(), text()).prop_map(|(a, b)| EventKind::Transferred {
            from: a.into(),
            to: b.into()
        }),
        text().prop_map(|reason| EventKind::SupplementRequested { reason }),
        Just(EventKind::SupplementSupplied),
        Just(EventKind::SupplementExpired),
        any::<u64>().prop_map(|amount_vnd| EventKind::PaymentRequested { amount_vnd }),
        any::<bool>().prop_map(|online| EventKind::PaymentMade { online }),
        (instant(), text())
            .prop_map(|(new_due, reason)| EventKind::ApologyIssued { new_due, reason }),
        (instant(), text()).prop_map(|(new_due, legal_basis)| EventKind::DueExtended {
            new_due,
            legal_basis
        }),
        text().prop_map(|reason| EventKind::Withdrawn { reason }),
        text().prop_map(|reason| EventKind::Stopped { reason }),
        any::<bool>().prop_map(|electronic| EventKind::ResultReady { electronic }),
        method.prop_map(|method| EventKind::ResultReturned { method }),
        any::<bool>().prop_map(|satisfied| EventKind::Rated { satisfied }),
    ]
}

fn metadata() -> impl Strategy<Value = EventMetadata> {
    let officer = "[a-zA-Z0-9 .@_\"\\\\-]{1,16}"
        .prop_filter_map("a valid officer id", |t| OfficerId::new(t).ok());
    let id = prop::option::of(any::<u128>().prop_map(Uuid::from_u128));
    (prop::option::of(officer), id.clone(), id).prop_map(
        |(officer, correlation_id, causation_id)| EventMetadata {
            officer,
            correlation_id,
            causation_id,
        },
    )
}

fn event() -> impl Strategy<Value = Event> {
    (
        (any::<u128>(), text(), any::<u64>()),
        instant(),
        instant(),
        metadata(),
        kind(),
    )
        .prop_map(
            |((id, dossier, sequence), occurred_at, recorded_at, metadata, kind)| Event {
                event_id: Uuid::from_u128(id),
                dossier_id: dossier.into(),
                sequence,
                occurred_at,
                recorded_at,
                metadata,
                kind,
            },
        )
}

/// Equality including each instant's offset (`OffsetDateTime`'s `==` compares instants only).
fn offsets(e: &Event) -> Vec<UtcOffset> {
    let mut v = vec![e.occurred_at.offset(), e.recorded_at.offset()];
    if let EventKind::ApologyIssued { new_due, .. } | EventKind::DueExtended { new_due, .. } =
        &e.kind
    {
        v.push(new_due.offset());
    }
    v
}

proptest! {
    #[test]
    fn written_events_read_back_equal(events in prop::collection::vec(event(), 0..20)) {
        let mut out = Vec::new();
        prop_assert!(write_events(&mut out, &events).is_ok());
        let back: Vec<Event> = read_events(out.as_slice()).collect::<Result<_, _>>().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&back, &events);
        prop_assert_eq!(back.iter().map(offsets).collect::<Vec<_>>(), events.iter().map(offsets).collect::<Vec<_>>());
        let mut again = Vec::new();
        prop_assert!(write_events(&mut again, &back).is_ok());
        prop_assert_eq!(again, out);
    }

    #[test]
    fn each_written_event_is_one_line(e in event()) {
        let mut out = Vec::new();
        prop_assert!(write_event(&mut out, &e).is_ok());
        prop_assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        let prefix: &[u8] = b"{\"v\":2,\"event_id\":";
        prop_assert!(out.starts_with(prefix), "line starts {:?}", String::from_utf8_lossy(&out));
    }
}
