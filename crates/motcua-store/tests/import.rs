//! Importing and exporting JSON Lines: the bad-input list, each leaving the store unchanged.

mod common;

use common::{catalogue, contents, decide, jsonl, lifecycle, stream};
use motcua_core::{DecideError, EventKind};
use motcua_io::ReadErrorKind;
use motcua_store::{
    export_jsonl, import_events, import_jsonl, import_jsonl_with, EventStore, ExpectedVersion,
    ImportError, ImportOptions, ImportProgress, ImportSummary, InMemoryStore,
};

/// A store holding dossier H26-0001 (3 events), to check that refused imports change nothing.
fn seeded() -> InMemoryStore {
    let store = InMemoryStore::new();
    let events = stream("H26-0001", 3, 1000);
    if let Err(e) = store.append(&"H26-0001".into(), ExpectedVersion::NoStream, &events) {
        panic!("seeding: {e}");
    }
    store
}

/// Imports `text` into a seeded store, expects an error, and checks nothing changed.
fn refused(text: &str) -> ImportError {
    let store = seeded();
    let before = contents(&store);
    let result = import_jsonl(&store, text.as_bytes(), &catalogue());
    assert_eq!(
        contents(&store),
        before,
        "a refused import changed the store"
    );
    match result {
        Err(e) => e,
        Ok(summary) => panic!("expected a refusal, imported {summary:?}"),
    }
}

/// A good file: the rest of H26-0001, interleaved with a new H26-0002.
fn good_file() -> String {
    let prior = stream("H26-0001", 3, 1000);
    let rest = decide("H26-0001", &prior, &lifecycle()[3..], 1000);
    let other = stream("H26-0002", 7, 2000);
    let mut lines = Vec::new();
    for (i, e) in other.iter().enumerate() {
        lines.push(jsonl(std::slice::from_ref(e)));
        if let Some(r) = rest.get(i) {
            lines.push(jsonl(std::slice::from_ref(r)));
        }
        if i == 2 {
            lines.push("\n".into());
        }
    }
    lines.concat()
}

#[test]
fn a_good_file_is_imported_continuing_stored_streams() {
    let store = seeded();
    let summary = import_jsonl(&store, good_file().as_bytes(), &catalogue());
    assert_eq!(
        summary.ok(),
        Some(ImportSummary {
            lines_read: 12,
            events_imported: 11,
            dossiers_touched: 2
        })
    );
    assert_eq!(store.stream_version(&"H26-0001".into()).ok(), Some(7));
    assert_eq!(store.stream_version(&"H26-0002".into()).ok(), Some(7));
    assert_eq!(store.last_position().ok(), Some(14));
}

#[test]
fn importing_the_same_file_twice_is_refused_and_names_the_stored_event() {
    let store = seeded();
    assert!(import_jsonl(&store, good_file().as_bytes(), &catalogue()).is_ok());
    let before = contents(&store);
    let err = import_jsonl(&store, good_file().as_bytes(), &catalogue()).err();
    assert_eq!(contents(&store), before);
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(text.starts_with("line 1: dossier H26-0002, event 1: event id 00000000-0000-0000-0000-0000000007d1 is already stored as event 1"), "{text}");
}

#[test]
fn malformed_json_line() {
    let file = format!(
        "{}{{\"v\":1,\"event_id\":\n",
        jsonl(&stream("H26-0002", 1, 2000))
    );
    let err = refused(&file);
    assert_eq!(err.line(), Some(2));
    assert!(
        matches!(&err, ImportError::Read(e) if matches!(e.kind, ReadErrorKind::Malformed { .. })),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("line 2: malformed JSON at column"),
        "{err}"
    );
}

#[test]
fn unknown_event_type() {
    let line = jsonl(&decide(
        "H26-0001",
        &stream("H26-0001", 3, 1000),
        &[EventKind::SupplementSupplied],
        1000,
    ))
    .replace("supplement_supplied", "supplement_teleported");
    let err = refused(&line);
    let text = err.to_string();
    assert!(text.starts_with("line 1: dossier H26-0001, event 4: unknown event type `supplement_teleported`; known types:"), "{text}");
}

#[test]
fn events_out_of_sequence() {
    let events = stream("H26-0002", 3, 2000);
    let file = jsonl(&[events[0].clone(), events[2].clone()]);
    let err = refused(&file);
    assert!(
        matches!(
            &err,
            ImportError::Rejected {
                line: 2,
                sequence: 3,
                source: DecideError::OutOfSequence {
                    expected: 2,
                    found: 3,
                    ..
                },
                ..
            }
        ),
        "{err}"
    );
    let text = err.to_string();
    assert!(
        text.starts_with(
            "line 2: dossier H26-0002, event 3: sequence 3 is out of order, expected 2"
        ),
        "{text}"
    );
}

#[test]
fn event_for_an_unknown_dossier() {
    let events = stream("H26-0009", 3, 9000);
    let err = refused(&jsonl(&events[2..]));
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            ImportError::Rejected {
                line: 1,
                sequence: 3,
                ..
            }
        ),
        "{text}"
    );
    assert!(
        text.contains("dossier H26-0009, event 3: sequence 3 is out of order, expected 1"),
        "{text}"
    );
}

#[test]
fn event_that_does_not_follow_the_stored_state() {
    // H26-0001 is stored up to `supplement_requested`; `result_returned` needs a ready result.
    let mut next = decide(
        "H26-0001",
        &stream("H26-0001", 3, 1000),
        &[EventKind::SupplementSupplied],
        1000,
    );
    next[0].kind = EventKind::ResultReturned {
        method: motcua_core::ReturnMethod::Postal,
    };
    let file = format!("{}{}", jsonl(&stream("H26-0002", 2, 2000)), jsonl(&next));
    let text = refused(&file).to_string();
    assert_eq!(
        text,
        "line 3: dossier H26-0001, event 4: `result_returned` is not allowed when the dossier is supplement requested; expected a dossier whose result is ready"
    );
}

#[test]
fn supplement_supplied_while_processing() {
    let events = stream("H26-0003", 2, 3000);
    let wrong = decide(
        "H26-0003",
        &events,
        &[EventKind::SupplementRequested { reason: "x".into() }],
        3000,
    );
    let mut wrong = wrong[0].clone();
    wrong.kind = EventKind::SupplementSupplied;
    let text = refused(&jsonl(&[events[0].clone(), events[1].clone(), wrong])).to_string();
    assert_eq!(
        text,
        "line 3: dossier H26-0003, event 3: `supplement_supplied` is not allowed when the dossier is processing; expected a dossier waiting for a supplement"
    );
}

#[test]
fn unknown_procedure() {
    let events = stream("H26-0002", 1, 2000);
    let file = jsonl(&events).replace("1.001193", "9.999999");
    let err = refused(&file);
    assert!(
        matches!(
            &err,
            ImportError::Rejected {
                source: DecideError::UnknownProcedure { .. },
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        "line 1: dossier H26-0002, event 1: procedure 9.999999 is not in the catalogue"
    );
}

#[test]
fn duplicate_event_ids_in_the_file() {
    let mut events = stream("H26-0002", 1, 2000);
    let mut other = stream("H26-0005", 1, 5000);
    other[0].event_id = events[0].event_id;
    events.extend(other);
    let err = refused(&format!("{}\n{}", jsonl(&events[..1]), jsonl(&events[1..])));
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            ImportError::DuplicateInFile {
                line: 3,
                first_line: 1,
                ..
            }
        ),
        "{text}"
    );
    assert!(text.starts_with("line 3: dossier H26-0005, event 1: event id 00000000-0000-0000-0000-0000000007d1 is already used on line 1"), "{text}");
}

#[test]
fn duplicate_event_id_of_another_stored_dossier() {
    let mut events = stream("H26-0002", 2, 2000);
    events[1].event_id = uuid::Uuid::from_u128(1001); // H26-0001's first event
    let err = refused(&jsonl(&events));
    let text = err.to_string();
    assert!(
        matches!(
            &err,
            ImportError::StoreRefused {
                line: 2,
                sequence: 2,
                ..
            }
        ),
        "{text}"
    );
    assert!(text.starts_with("line 2: dossier H26-0002, event 2: event id 00000000-0000-0000-0000-0000000003e9 is already used"), "{text}");
}

#[test]
fn instant_without_offset() {
    let file = jsonl(&stream("H26-0002", 1, 2000)).replacen("T09:00:00+07:00", "T09:00:00", 1);
    let err = refused(&file);
    let text = err.to_string();
    assert!(text.starts_with("line 1: dossier H26-0002, event 1: `occurred_at` is \"2024-03-04T09:00:00\", which has no UTC offset; instants must be RFC 3339 with an offset"), "{text}");
}

#[test]
fn a_bad_line_after_many_good_ones_imports_nothing() {
    let mut file = jsonl(&stream("H26-0002", 7, 2000));
    file.push_str("not json\n");
    let err = refused(&file);
    assert_eq!(err.line(), Some(8));
}

/// A file of `dossiers` new dossiers of one event each, one per line.
fn many_dossiers(dossiers: u32) -> String {
    (0..dossiers)
        .map(|n| jsonl(&stream(&format!("H27-{n:06}"), 1, 100_000 + u128::from(n))))
        .collect()
}

#[test]
fn a_refusal_early_in_a_long_file_names_its_line_and_stops_the_reading() {
    // Far more lines than the import parses ahead of its checks, with line 5 refused by the
    // rules: the import returns (the reading thread stops), names line 5, stores nothing.
    let good = many_dossiers(60_000);
    let mut lines: Vec<&str> = good.lines().collect();
    let out_of_sequence = jsonl(&stream("H26-0002", 2, 2000)[1..]);
    lines[4] = out_of_sequence.trim_end();
    let file = lines.join("\n") + "\n";
    let err = refused(&file);
    assert_eq!(err.line(), Some(5), "{err}");
}

#[test]
fn a_long_file_reports_its_progress_up_to_its_last_line_and_byte() {
    let file = many_dossiers(20_000) + "\n";
    let store = InMemoryStore::new();
    let mut reports = Vec::new();
    let summary = import_jsonl_with(
        &store,
        file.as_bytes(),
        &catalogue(),
        &ImportOptions::default(),
        &mut |p| reports.push(p),
    );
    assert_eq!(
        summary.ok(),
        Some(ImportSummary {
            lines_read: 20_001,
            events_imported: 20_000,
            dossiers_touched: 20_000
        })
    );
    assert!(reports.len() >= 2, "{reports:?}");
    // Never backwards, and at the end the whole file.
    for pair in reports.windows(2) {
        assert!(pair[0].bytes_read <= pair[1].bytes_read, "{reports:?}");
        assert!(pair[0].lines_read <= pair[1].lines_read, "{reports:?}");
        assert!(
            pair[0].events_imported <= pair[1].events_imported,
            "{reports:?}"
        );
    }
    let last = reports.last().copied().unwrap_or_default();
    assert_eq!(
        (last.bytes_read, last.lines_read, last.events_imported),
        (file.len() as u64, 20_001, 20_000)
    );
    assert_eq!(store.last_position().ok(), Some(20_000));
}

#[test]
fn an_empty_file_imports_nothing() {
    let store = seeded();
    let before = contents(&store);
    let summary = import_jsonl(&store, "\n\n".as_bytes(), &catalogue());
    assert_eq!(
        summary.ok(),
        Some(ImportSummary {
            lines_read: 2,
            events_imported: 0,
            dossiers_touched: 0
        })
    );
    assert_eq!(contents(&store), before);
}

#[test]
fn export_then_import_reproduces_the_store() {
    let store = seeded();
    assert!(import_jsonl(&store, good_file().as_bytes(), &catalogue()).is_ok());
    let mut out = Vec::new();
    assert_eq!(export_jsonl(&store, &mut out).ok(), Some(14));
    let copy = InMemoryStore::new();
    let summary = import_jsonl(&copy, out.as_slice(), &catalogue());
    assert_eq!(summary.map(|s| s.events_imported).ok(), Some(14));
    let streams = |s: &InMemoryStore| {
        s.dossier_ids()
            .unwrap_or_default()
            .into_iter()
            .map(|d| s.read_stream(&d).unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(streams(&copy), streams(&store));
    let mut again = Vec::new();
    assert!(export_jsonl(&copy, &mut again).is_ok());
    // Global order may differ (the import appends dossier by dossier), the lines may not.
    let mut a: Vec<&str> = std::str::from_utf8(&out)
        .unwrap_or_default()
        .lines()
        .collect();
    let mut b: Vec<&str> = std::str::from_utf8(&again)
        .unwrap_or_default()
        .lines()
        .collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b);
}

#[test]
fn an_unwritable_event_exports_nothing() {
    let store = seeded();
    let mut bad = decide(
        "H26-0001",
        &stream("H26-0001", 3, 1000),
        &[EventKind::SupplementSupplied],
        1000,
    );
    bad[0].recorded_at = time::macros::datetime!(-0001-01-01 0:00 UTC);
    assert!(store
        .append(&"H26-0001".into(), ExpectedVersion::Exactly(3), &bad)
        .is_ok());
    let mut out = Vec::new();
    let err = export_jsonl(&store, &mut out)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(out.is_empty());
    assert!(
        err.starts_with(
            "could not export event at position 4: dossier H26-0001, event 4: `recorded_at`"
        ),
        "{err}"
    );
}

#[test]
fn a_catalogue_file_with_a_bad_time_limit_is_refused_before_any_import() {
    let text = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"UBND xã A","level":"commune"}],
"procedures":[{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","time_limit":{"working_days":-1}}]}"#;
    let err = motcua_io::read_catalogue(text)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.starts_with("line 2, column"), "{err}");
    assert!(
        err.contains(
            "procedure 1.001193 (procedures[0]): invalid value: integer `-1`, expected u32"
        ),
        "{err}"
    );
    let missing = text.replace(r#","time_limit":{"working_days":-1}"#, "");
    let err = motcua_io::read_catalogue(&missing)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        err.contains(
            "procedure 1.001193 (procedures[0]): missing field `time_limit`; expected a time limit"
        ),
        "{err}"
    );
}

/// Options that hand the store one event at a time and keep one dossier in memory, so every
/// path through chunks and dropped dossiers is taken.
fn tiny() -> ImportOptions {
    ImportOptions {
        chunk_events: 1,
        dossiers_in_memory: 1,
        keep_catalogue: false,
    }
}

fn streams(store: &InMemoryStore) -> Vec<Vec<motcua_core::Event>> {
    store
        .dossier_ids()
        .unwrap_or_default()
        .into_iter()
        .map(|d| store.read_stream(&d).unwrap_or_default())
        .collect()
}

#[test]
fn small_chunks_and_few_dossiers_in_memory_import_the_same() {
    let whole = seeded();
    let summary = import_jsonl(&whole, good_file().as_bytes(), &catalogue());
    for chunk_events in [1, 2, 5] {
        let options = ImportOptions {
            chunk_events,
            dossiers_in_memory: 1,
            keep_catalogue: false,
        };
        let store = seeded();
        let small = import_jsonl_with(
            &store,
            good_file().as_bytes(),
            &catalogue(),
            &options,
            &mut |_| {},
        );
        assert_eq!(
            small.ok(),
            summary.as_ref().ok().copied(),
            "chunks of {chunk_events}"
        );
        assert_eq!(streams(&store), streams(&whole));
    }
}

#[test]
fn a_rule_broken_by_a_dossier_dropped_from_memory_is_still_named() {
    let a = stream("H26-0002", 5, 2000);
    let b = stream("H26-0003", 3, 3000);
    let file = format!("{}{}{}", jsonl(&a[..3]), jsonl(&b), jsonl(&a[4..5]));
    let store = seeded();
    let before = contents(&store);
    let err = import_jsonl_with(&store, file.as_bytes(), &catalogue(), &tiny(), &mut |_| {}).err();
    assert_eq!(contents(&store), before);
    let text = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        text.starts_with(
            "line 7: dossier H26-0002, event 5: sequence 5 is out of order, expected 4"
        ),
        "{text}"
    );
}

#[test]
fn an_id_repeated_in_a_later_chunk_names_both_lines() {
    let mut events = stream("H26-0002", 4, 2000);
    let mut twin = stream("H26-0005", 1, 5000).remove(0);
    twin.event_id = events[0].event_id;
    events.push(twin);
    for options in [
        tiny(),
        ImportOptions {
            chunk_events: 2,
            dossiers_in_memory: 10,
            keep_catalogue: false,
        },
    ] {
        let store = seeded();
        let err = import_jsonl_with(
            &store,
            jsonl(&events).as_bytes(),
            &catalogue(),
            &options,
            &mut |_| {},
        );
        assert!(
            matches!(
                &err,
                Err(ImportError::DuplicateInFile {
                    line: 5,
                    first_line: 1,
                    sequence: 1,
                    ..
                })
            ),
            "{err:?}"
        );
        assert_eq!(store.last_position().ok(), Some(3));
    }
}

/// In one chunk events are handed to the store grouped by dossier; the error still names the
/// first bad line of the file.
#[test]
fn the_first_refused_line_of_a_chunk_is_named() {
    let a = stream("H26-0002", 3, 2000);
    let mut b = stream("H26-0003", 1, 3000);
    b[0].event_id = uuid::Uuid::from_u128(1001); // H26-0001's first event
    let mut late = a[1].clone();
    late.event_id = uuid::Uuid::from_u128(1002); // H26-0001's second event
    let file = jsonl(&[a[0].clone(), b[0].clone(), late]);
    let err = refused(&file);
    assert!(
        matches!(
            &err,
            ImportError::StoreRefused {
                line: 2,
                sequence: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().starts_with("line 2: dossier H26-0003, event 1: event id 00000000-0000-0000-0000-0000000003e9 is already used"), "{err}");
    // A broken rule later in the chunk does not hide it.
    let file = jsonl(&[a[0].clone(), b[0].clone(), a[2].clone()]);
    assert_eq!(refused(&file).line(), Some(2));
}

#[test]
fn progress_is_reported_after_each_chunk_and_before_the_commit() {
    let store = seeded();
    let file = good_file();
    let mut reports: Vec<ImportProgress> = Vec::new();
    let options = ImportOptions {
        chunk_events: 4,
        dossiers_in_memory: 100,
        keep_catalogue: false,
    };
    let summary = import_jsonl_with(&store, file.as_bytes(), &catalogue(), &options, &mut |p| {
        reports.push(p)
    });
    assert!(summary.is_ok(), "{summary:?}");
    let imported: Vec<(u64, bool)> = reports
        .iter()
        .map(|p| (p.events_imported, p.committing))
        .collect();
    assert_eq!(
        imported,
        vec![(4, false), (8, false), (11, false), (11, true)]
    );
    let last = reports.last().copied().unwrap_or_default();
    assert_eq!((last.bytes_read, last.lines_read), (file.len() as u64, 12));
    assert!(reports
        .windows(2)
        .all(|w| w[0].bytes_read <= w[1].bytes_read));
}

#[test]
fn events_in_memory_import_like_their_file() {
    let prior = stream("H26-0001", 3, 1000);
    let mut events = decide("H26-0001", &prior, &lifecycle()[3..], 1000);
    events.extend(stream("H26-0002", 7, 2000));
    let store = seeded();
    let summary = import_events(
        &store,
        events.clone(),
        &catalogue(),
        &ImportOptions::default(),
        &mut |_| {},
    );
    assert_eq!(
        summary.ok(),
        Some(ImportSummary {
            lines_read: 11,
            events_imported: 11,
            dossiers_touched: 2
        })
    );
    let file = seeded();
    assert!(import_jsonl(&file, jsonl(&events).as_bytes(), &catalogue()).is_ok());
    assert_eq!(streams(&store), streams(&file));
    // Errors name the event's position as its line.
    let again = import_events(&store, events, &catalogue(), &tiny(), &mut |_| {});
    assert!(
        matches!(
            &again,
            Err(ImportError::AlreadyStored {
                line: 1,
                stored_sequence: 4,
                ..
            })
        ),
        "{again:?}"
    );
}

/// A dossier returned and rated is terminal: an import into an empty store drops its state
/// after the chunk (it remembers that it did), and reads it back when a complaint follows later (allowed) or a second rating (refused, named as
/// if the state had never left memory).
#[test]
fn a_terminal_dossier_is_read_back_when_an_event_follows_it() {
    let rated = stream("H26-0002", 7, 2000);
    let complaint = decide(
        "H26-0002",
        &rated,
        &[EventKind::FeedbackFiled {
            summary: "trả kết quả chậm".into(),
        }],
        2000,
    );
    let mut again = complaint[0].clone();
    again.event_id = uuid::Uuid::from_u128(2999);
    again.sequence = 9;
    again.kind = EventKind::Rated { satisfied: false };
    let other = stream("H26-0003", 3, 3000);
    let good = format!("{}{}{}", jsonl(&rated), jsonl(&other), jsonl(&complaint));
    let bad = format!("{good}{}", jsonl(std::slice::from_ref(&again)));
    let whole = InMemoryStore::new();
    let expected = import_jsonl(&whole, good.as_bytes(), &catalogue());
    assert_eq!(
        expected.as_ref().ok().map(|s| s.events_imported),
        Some(11),
        "{expected:?}"
    );
    for chunk_events in [1, 2, 7, 10_000] {
        // Room for every dossier: only the terminal one's state is dropped.
        let options = ImportOptions {
            chunk_events,
            dossiers_in_memory: 100,
            keep_catalogue: false,
        };
        let store = InMemoryStore::new();
        let imported =
            import_jsonl_with(&store, good.as_bytes(), &catalogue(), &options, &mut |_| {});
        assert_eq!(
            imported.ok(),
            expected.as_ref().ok().copied(),
            "chunks of {chunk_events}"
        );
        assert_eq!(streams(&store), streams(&whole), "chunks of {chunk_events}");

        let store = InMemoryStore::new();
        let before = contents(&store);
        let refused =
            import_jsonl_with(&store, bad.as_bytes(), &catalogue(), &options, &mut |_| {});
        assert_eq!(contents(&store), before);
        let text = refused.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.starts_with(
                "line 12: dossier H26-0002, event 9: `rated` is not allowed when the dossier is returned"
            ),
            "chunks of {chunk_events}: {text}"
        );
    }
}
