//! Hostile input to every public parser of motcua-io, one test per error path: each asserts the
//! whole message a person reads (line, dossier, event, field, what was expected) and that
//! nothing else was lost or changed (the lines around a bad one still read; a failed write
//! writes nothing).
//!
//! | error | test |
//! |---|---|
//! | `ReadErrorKind::Io` | `a_failing_reader_names_the_line_and_stops` |
//! | `ReadErrorKind::LineTooLong` | `a_50_mb_line_is_refused_with_bounded_memory`, `a_line_just_over_the_limit_is_refused_and_one_at_it_is_read` |
//! | `ReadErrorKind::NotUtf8` | `invalid_utf8_names_line_and_byte` |
//! | `ReadErrorKind::Malformed` | `malformed_json_names_line_and_column`, `deeply_nested_json_is_refused_without_overflow` |
//! | `ReadErrorKind::NotAnObject` | `a_line_that_is_not_an_object_says_what_it_is` |
//! | `ReadErrorKind::MissingVersion` | `a_missing_version_lists_the_supported_ones` |
//! | `ReadErrorKind::UnsupportedVersion` | `an_unsupported_version_lists_the_supported_ones` |
//! | `ReadErrorKind::UnknownType` | `an_unknown_type_lists_the_known_ones` |
//! | `ReadErrorKind::MissingField` | `a_missing_field_is_named` |
//! | `ReadErrorKind::InstantWithoutOffset` | `an_instant_without_offset_shows_the_forms` |
//! | `ReadErrorKind::BadInstant` | `a_bad_instant_names_the_field` |
//! | `ReadErrorKind::Invalid` | `a_wrong_value_names_its_field` |
//! | `CatalogueFileError::Empty` | `an_empty_catalogue_says_what_a_catalogue_is` |
//! | `CatalogueFileError::Malformed` | `malformed_catalogue_json_names_line_and_column` |
//! | `CatalogueFileError::NotACatalogue` | `a_file_that_is_not_a_catalogue_is_refused` |
//! | `CatalogueFileError::UnsupportedVersion` | `an_unsupported_catalogue_version_is_refused` |
//! | `CatalogueFileError::Invalid` | `a_bad_entry_is_named_by_code_and_index` |
//! | `CatalogueFileError::Catalogue` (every `CatalogueError`) | `inconsistent_catalogues_name_the_unit_or_procedure` |
//! | `WriteError::Unrepresentable` | `an_unwritable_instant_writes_nothing` |
//! | `WriteError::Io` | `a_failing_writer_is_reported` |

use motcua_core::{DossierId, Event, EventKind};
use motcua_io::{
    read_catalogue, read_events, write_event, write_events, CatalogueFileError, ReadErrorKind,
    MAX_LINE_BYTES,
};
use std::io::{BufRead, BufReader, Read};
use time::macros::datetime;

const GOOD: &str = r#"{"v":1,"event_id":"6f1c2a8e-0000-4000-8000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}"#;

/// A later event of another dossier, with `type` and its fields appended.
fn later(rest: &str) -> String {
    format!(
        r#"{{"v":1,"event_id":"6f1c2a8e-0000-4000-8000-000000000002","dossier_id":"D7","sequence":2,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00",{rest}}}"#
    )
}

/// The message for `bad` read as line 3 of a file whose lines 1 and 4 are good, after checking
/// that the bad line stopped nothing: line 4 still reads.
fn message(bad: &str) -> String {
    let text = format!("{GOOD}\n\n{bad}\n{GOOD}\n");
    let mut reader = read_events(text.as_bytes());
    assert!(matches!(reader.next_numbered(), Some(Ok((1, _)))));
    let err = match reader.next_numbered() {
        Some(Err(e)) => e,
        other => panic!("expected an error for {bad}, got {other:?}"),
    };
    assert_eq!(err.line, 3);
    assert!(
        matches!(reader.next_numbered(), Some(Ok((4, _)))),
        "reading stopped after {err}"
    );
    assert!(reader.next_numbered().is_none());
    err.to_string()
}

const KNOWN: &str = "submitted, received, refused_at_reception, step_started, step_finished, transferred, supplement_requested, supplement_supplied, supplement_expired, payment_requested, payment_made, apology_issued, due_extended, withdrawn, stopped, result_ready, result_returned, rated, digitised, feedback_filed, calendar_reevaluated";

/// Yields `len` bytes of `byte` without holding them, then `tail`.
struct Lazy {
    left: u64,
    byte: u8,
    tail: std::io::Cursor<Vec<u8>>,
}

impl Read for Lazy {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            return self.tail.read(out);
        }
        let n = out
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        out[..n].fill(self.byte);
        self.left -= n as u64;
        Ok(n)
    }
}

/// Counts the largest single allocation made by this test binary: a line held whole would
/// need one at least as large as the line.
struct Largest;

static LARGEST: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

unsafe impl std::alloc::GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { std::alloc::System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        LARGEST.fetch_max(size, std::sync::atomic::Ordering::Relaxed);
        unsafe { std::alloc::System.realloc(ptr, layout, size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

#[test]
fn a_50_mb_line_is_refused_with_bounded_memory() {
    const LEN: u64 = 50 * 1024 * 1024;
    let input = Lazy {
        left: LEN,
        byte: b'[',
        tail: std::io::Cursor::new(format!("\n{GOOD}\n").into_bytes()),
    };
    let mut reader = read_events(BufReader::with_capacity(1 << 16, input));
    let Some(Err(err)) = reader.next_numbered() else {
        panic!("a 50 MB line was accepted");
    };
    assert!(matches!(
        err.kind,
        ReadErrorKind::LineTooLong {
            length: LEN,
            limit: MAX_LINE_BYTES
        }
    ));
    assert_eq!(
        err.to_string(),
        "line 1: the line is 52428800 bytes long, more than the 1048576 bytes a line may have; \
         expected one event per line, each well under 1 MiB (is this a JSON Lines events file?)"
    );
    assert!(matches!(reader.next_numbered(), Some(Ok((2, _)))));
    assert!(reader.next_numbered().is_none());
    // The line was never held: no allocation of this binary (whose other tests allocate at
    // most a few MiB) came near the line's 50 MiB.
    let largest = LARGEST.load(std::sync::atomic::Ordering::Relaxed);
    assert!(largest < 8 << 20, "an allocation of {largest} bytes");
}

#[test]
fn a_line_just_over_the_limit_is_refused_and_one_at_it_is_read() {
    // A good event padded with spaces inside the object to exactly the limit is read.
    let pad = MAX_LINE_BYTES - GOOD.len();
    let at_limit = format!("{{{}{}", " ".repeat(pad), &GOOD[1..]);
    assert_eq!(at_limit.len(), MAX_LINE_BYTES);
    let over = format!(" {at_limit}");
    // The end of line may be "\r\n"; without one at the end of the file it is still a line.
    let text = format!("{at_limit}\r\n{over}\n{over}");
    let mut reader = read_events(text.as_bytes());
    let first = reader.next_numbered();
    assert!(
        matches!(first, Some(Ok((1, _)))),
        "{:?}",
        first.map(|r| r.map(|(l, _)| l).map_err(|e| e.to_string()))
    );
    let messages: Vec<String> = reader
        .by_ref()
        .map(|r| r.err().map(|e| e.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        messages,
        vec![
            "line 2: the line is 1048577 bytes long, more than the 1048576 bytes a line may have; expected one event per line, each well under 1 MiB (is this a JSON Lines events file?)",
            "line 3: the line is 1048577 bytes long, more than the 1048576 bytes a line may have; expected one event per line, each well under 1 MiB (is this a JSON Lines events file?)",
        ]
    );
    assert_eq!(reader.lines_read(), 3);
}

#[test]
fn deeply_nested_json_is_refused_without_overflow() {
    let deep = "[".repeat(100_000);
    assert_eq!(
        message(&deep),
        "line 3: malformed JSON at column 128: arrays or objects nested more than 128 levels deep; expected one JSON object per line"
    );
    let nested_field = later(&format!(
        "\"type\":\"rated\",\"satisfied\":{}",
        "{\"a\":".repeat(100_000)
    ));
    assert_eq!(
        message(&nested_field),
        "line 3: malformed JSON at column 830: arrays or objects nested more than 128 levels deep; expected one JSON object per line"
    );
    // A file of a million `[` lines: each refused on its own, nothing accumulates.
    let text = "[[[[[[[[[[\n".repeat(1000);
    assert_eq!(
        read_events(text.as_bytes()).filter(Result::is_err).count(),
        1000
    );
}

struct Broken {
    first: std::io::Cursor<Vec<u8>>,
}

impl Read for Broken {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self.first.read(out)? {
            0 => Err(std::io::Error::other("disk on fire")),
            n => Ok(n),
        }
    }
}

#[test]
fn a_failing_reader_names_the_line_and_stops() {
    let input = Broken {
        first: std::io::Cursor::new(format!("{GOOD}\n").into_bytes()),
    };
    let mut reader = read_events(BufReader::new(input));
    assert!(matches!(reader.next_numbered(), Some(Ok((1, _)))));
    let err = reader.next().and_then(Result::err);
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("line 2: could not read the line: disk on fire")
    );
    assert!(reader.next().is_none(), "a failed reader is read again");
}

#[test]
fn invalid_utf8_names_line_and_byte() {
    let mut text = format!("{GOOD}\n").into_bytes();
    text.extend_from_slice(b"{\"v\":1,\"dossier_id\":\"H\xe0\"}\n");
    text.extend_from_slice(GOOD.as_bytes());
    let items: Vec<String> = read_events(text.as_slice())
        .map(|r| r.err().map(|e| e.to_string()).unwrap_or_default())
        .collect();
    assert_eq!(
        items,
        vec![
            "",
            "line 2: the line is not valid UTF-8 (from byte 23); expected UTF-8 text",
            ""
        ]
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    assert_eq!(
        message("{\"v\":1,"),
        "line 3: malformed JSON at column 7: EOF while parsing a value; expected one JSON object per line"
    );
    assert_eq!(
        message("   {\"v\":1 \"type\":\"rated\"}"),
        "line 3: malformed JSON at column 11: expected `,` or `}`; expected one JSON object per line"
    );
    // A truncated last line (a copy cut short).
    assert_eq!(
        message(&GOOD[..GOOD.len() - 20]),
        "line 3: malformed JSON at column 235: EOF while parsing a string; expected one JSON object per line"
    );
}

#[test]
fn a_line_that_is_not_an_object_says_what_it_is() {
    assert_eq!(
        message("\"just a string\""),
        "line 3: expected a JSON object (one event per line), found a string"
    );
    assert_eq!(
        message("null"),
        "line 3: expected a JSON object (one event per line), found null"
    );
    assert_eq!(
        message(&format!("[{GOOD}]")),
        "line 3: expected a JSON object (one event per line), found an array"
    );
}

#[test]
fn a_missing_version_lists_the_supported_ones() {
    assert_eq!(
        message(&GOOD.replace("\"v\":1,", "")),
        "line 3: dossier H26-0003, event 1: missing format version `v`; every line needs one, supported versions: 1, 2"
    );
}

#[test]
fn an_unsupported_version_lists_the_supported_ones() {
    for (v, shown) in [
        ("3", "3"),
        ("0", "0"),
        ("\"one\"", "\"one\""),
        ("1.5", "1.5"),
        ("-1", "-1"),
    ] {
        assert_eq!(
            message(&GOOD.replace("\"v\":1,", &format!("\"v\":{v},"))),
            format!("line 3: dossier H26-0003, event 1: unsupported format version `v` = {shown}; supported versions: 1, 2")
        );
    }
}

#[test]
fn an_unknown_type_lists_the_known_ones() {
    assert_eq!(
        message(&later("\"type\":\"teleported\"")),
        format!(
            "line 3: dossier D7, event 2: unknown event type `teleported`; known types: {KNOWN}"
        )
    );
    assert_eq!(
        message(&later("\"type\":null")),
        format!("line 3: dossier D7, event 2: unknown event type `null`; known types: {KNOWN}")
    );
}

#[test]
fn a_missing_field_is_named() {
    assert_eq!(
        message(&GOOD.replace(",\"type\":\"received\"", "")),
        "line 3: dossier H26-0003, event 1: missing field `type`"
    );
    assert_eq!(
        message(&GOOD.replace("\"procedure\":\"1.001193\",", "")),
        "line 3: dossier H26-0003, event 1: missing field `procedure`"
    );
    assert_eq!(
        message(&GOOD.replace("\"event_id\":\"6f1c2a8e-0000-4000-8000-000000000001\",", "")),
        "line 3: dossier H26-0003, event 1: missing field `event_id`"
    );
}

#[test]
fn an_instant_without_offset_shows_the_forms() {
    assert_eq!(
        message(&GOOD.replace(
            "\"recorded_at\":\"2024-03-04T09:00:00+07:00\"",
            "\"recorded_at\":\"2024-03-04 09:00:00\""
        )),
        "line 3: dossier H26-0003, event 1: `recorded_at` is \"2024-03-04 09:00:00\", which has no UTC offset; instants must be RFC 3339 with an offset, e.g. \"2024-03-04T09:00:00+07:00\" (Vietnam time) or \"2024-03-04T02:00:00Z\""
    );
}

#[test]
fn a_bad_instant_names_the_field() {
    assert_eq!(
        message(&GOOD.replace(
            "\"occurred_at\":\"2024-03-04T09:00:00+07:00\"",
            "\"occurred_at\":\"04/03/2024\""
        )),
        "line 3: dossier H26-0003, event 1: `occurred_at` is \"04/03/2024\", which is not an RFC 3339 instant; expected e.g. \"2024-03-04T09:00:00+07:00\""
    );
    assert_eq!(
        message(&GOOD.replace(
            "\"occurred_at\":\"2024-03-04T09:00:00+07:00\"",
            "\"occurred_at\":1709517600"
        )),
        "line 3: dossier H26-0003, event 1: `occurred_at` is 1709517600, which is not an RFC 3339 instant; expected e.g. \"2024-03-04T09:00:00+07:00\""
    );
    // Beyond year 9999, which RFC 3339 cannot write.
    assert_eq!(
        message(&GOOD.replace("2024-03-04T09:00:00+07:00\",\"type", "+10000-03-04T09:00:00+07:00\",\"type")),
        "line 3: dossier H26-0003, event 1: `recorded_at` is \"+10000-03-04T09:00:00+07:00\", which is not an RFC 3339 instant; expected e.g. \"2024-03-04T09:00:00+07:00\""
    );
    assert_eq!(
        message(&later("\"type\":\"apology_issued\",\"new_due\":\"2024-03-05\",\"reason\":\"x\"")),
        "line 3: dossier D7, event 2: `new_due` is \"2024-03-05\", which is not an RFC 3339 instant; expected e.g. \"2024-03-04T09:00:00+07:00\""
    );
}

#[test]
fn a_wrong_value_names_its_field() {
    let cases = [
        (
            GOOD.replace("\"sequence\":1", "\"sequence\":\"1\""),
            "line 3: dossier H26-0003: invalid event: field `sequence`: invalid type: string \"1\", expected u64",
        ),
        (
            GOOD.replace("\"sequence\":1", "\"sequence\":18446744073709551616"),
            "line 3: dossier H26-0003: invalid event: field `sequence`: invalid type: floating point `1.8446744073709552e+19`, expected u64",
        ),
        (
            GOOD.replace("\"dossier_id\":\"H26-0003\"", "\"dossier_id\":42"),
            "line 3: event 1: invalid event: field `dossier_id`: invalid type: integer `42`, expected a string",
        ),
        (
            GOOD.replace("6f1c2a8e-0000-4000-8000-000000000001", "not-a-uuid"),
            "line 3: dossier H26-0003, event 1: invalid event: field `event_id`: UUID parsing failed: invalid character: found `n` at 0",
        ),
        (
            GOOD.replace("\"unit\":\"XA01\"", "\"unit\":7"),
            "line 3: dossier H26-0003, event 1: invalid event: field `unit`: invalid type: integer `7`, expected a string",
        ),
        (
            GOOD.replace("\"in_person\"", "\"fax\""),
            "line 3: dossier H26-0003, event 1: invalid event: field `channel`: unknown variant `fax`, expected one of `in_person`, `online`, `postal`",
        ),
        (
            later("\"type\":\"payment_requested\",\"amount_vnd\":\"lots\""),
            "line 3: dossier D7, event 2: invalid event: field `amount_vnd`: invalid type: string \"lots\", expected u64",
        ),
        (
            later("\"type\":\"payment_requested\",\"amount_vnd\":-5"),
            "line 3: dossier D7, event 2: invalid event: field `amount_vnd`: invalid value: integer `-5`, expected u64",
        ),
        (
            later("\"type\":\"rated\",\"satisfied\":\"yes\""),
            "line 3: dossier D7, event 2: invalid event: field `satisfied`: invalid type: string \"yes\", expected a boolean",
        ),
        (
            later("\"type\":\"result_returned\",\"method\":\"pigeon\""),
            "line 3: dossier D7, event 2: invalid event: field `method`: unknown variant `pigeon`, expected one of `in_person`, `online`, `postal`",
        ),
    ];
    for (line, expected) in cases {
        assert_eq!(message(&line), expected);
    }
}

const CAT: &str = r#"{"format":"motcua-catalogue","version":1,"units":[{"id":"XA01","name":"UBND xã A","level":"commune"}],"procedures":[{"code":"1.001193","name":"Đăng ký khai sinh","field":"Hộ tịch","level":"commune","time_limit":{"working_days":1}}]}"#;

fn catalogue_error(text: &str) -> String {
    match read_catalogue(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_reference_catalogue_reads_with_or_without_a_byte_order_mark() {
    assert!(read_catalogue(CAT).is_ok());
    assert_eq!(
        read_catalogue(&format!("\u{feff}{CAT}")),
        read_catalogue(CAT)
    );
}

#[test]
fn an_empty_catalogue_says_what_a_catalogue_is() {
    for text in ["", "  \n\t\n", "\u{feff}"] {
        assert_eq!(read_catalogue(text), Err(CatalogueFileError::Empty));
        assert_eq!(
            catalogue_error(text),
            "the catalogue file is empty; expected a JSON object {\"format\": \"motcua-catalogue\", \"version\": 1, \"units\": […], \"procedures\": […]}"
        );
    }
}

#[test]
fn malformed_catalogue_json_names_line_and_column() {
    assert_eq!(
        catalogue_error(&CAT.replace("\"units\":[", "\"units\":\n[,")),
        "line 2, column 2: malformed JSON: expected value"
    );
    assert_eq!(
        catalogue_error(&format!(
            "{{\"format\":\"motcua-catalogue\",\"version\":1,\"units\":{}",
            "[".repeat(100_000)
        )),
        "line 1, column 176: malformed JSON: arrays or objects nested more than 128 levels deep"
    );
}

#[test]
fn a_file_that_is_not_a_catalogue_is_refused() {
    assert_eq!(
        catalogue_error("[]"),
        "not a motcua catalogue: `format` is missing; expected \"motcua-catalogue\""
    );
    assert_eq!(
        catalogue_error(GOOD),
        "not a motcua catalogue: `format` is missing; expected \"motcua-catalogue\""
    );
    assert_eq!(
        catalogue_error("{\"format\":\"motcua-report\",\"version\":2}"),
        "not a motcua catalogue: `format` is \"motcua-report\"; expected \"motcua-catalogue\""
    );
}

#[test]
fn an_unsupported_catalogue_version_is_refused() {
    assert_eq!(
        catalogue_error("{\"format\":\"motcua-catalogue\"}"),
        "unsupported catalogue version: `version` is missing; supported versions: 1"
    );
    assert_eq!(
        catalogue_error("{\"format\":\"motcua-catalogue\",\"version\":\"1\"}"),
        "unsupported catalogue version: `version` is \"1\"; supported versions: 1"
    );
    assert_eq!(
        catalogue_error(&CAT.replace("\"version\":1", "\"version\":2")),
        "unsupported catalogue version: `version` is 2; supported versions: 1"
    );
}

const LIMIT_HINT: &str = "expected a time limit: {\"working_days\": N}, {\"working_hours\": N}, {\"calendar_days\": N} with N a whole number above 0, {\"same_day\": {\"cutoff\": \"15:00\"}} or \"none\"";

#[test]
fn a_bad_entry_is_named_by_code_and_index() {
    let limit = |to: &str| CAT.replace("{\"working_days\":1}", to);
    assert_eq!(
        catalogue_error(&limit("{\"same_day\":{\"cutoff\":\"25:00\"}}")),
        format!("line 1, column 251: procedure 1.001193 (procedures[0]): expected a time of day as HH:MM, found \"25:00\"; {LIMIT_HINT}")
    );
    assert_eq!(
        catalogue_error(&limit("{\"working_days\":1},\"online_service\":\"maybe\"")),
        "line 1, column 263: procedure 1.001193 (procedures[0]): unknown variant `maybe`, expected one of `none`, `partial`, `full`"
    );
    assert_eq!(
        catalogue_error(&limit("{\"working_days\":1},\"fees\":[{\"name\":\"x\",\"amount_vnd\":-1}]")),
        "line 1, column 276: procedure 1.001193 (procedures[0]): invalid value: integer `-1`, expected u64"
    );
    assert_eq!(
        catalogue_error(&CAT.replace("\"field\":\"Hộ tịch\",", "")),
        "line 1, column 216: procedure 1.001193 (procedures[0]): missing field `field`"
    );
    assert_eq!(
        catalogue_error(&CAT.replace("\"level\":\"commune\"}]", "\"level\":\"hamlet\"}]")),
        "line 1, column 99: unit XA01 (units[0]): unknown variant `hamlet`, expected one of `ministry`, `province`, `department`, `district`, `commune`"
    );
    assert_eq!(
        catalogue_error(&CAT.replace("\"procedures\"", "\"procedure\"")),
        "line 1, column 114: the catalogue: unknown field `procedure`, expected one of `format`, `version`, `units`, `procedures`"
    );
}

#[test]
fn inconsistent_catalogues_name_the_unit_or_procedure() {
    let limit = |to: &str| CAT.replace("{\"working_days\":1}", to);
    let cases = [
        (
            CAT.replace("\"commune\"}]", "\"commune\",\"parent\":\"T01\"}]"),
            "unit XA01 names parent T01, which is not in the catalogue",
        ),
        (
            CAT.replace(
                "[{\"id\":\"XA01\",\"name\":\"UBND xã A\",\"level\":\"commune\"}]",
                "[{\"id\":\"XA01\",\"name\":\"a\",\"level\":\"commune\"},{\"id\":\"XA01\",\"name\":\"b\",\"level\":\"commune\"}]",
            ),
            "unit XA01 is defined twice; each unit code must be unique",
        ),
        (
            CAT.replace("\"commune\"}]", "\"commune\",\"parent\":\"XA01\"}]"),
            "unit XA01 is its own ancestor; the unit tree must not have cycles",
        ),
        (
            CAT.replace("\"UBND xã A\"", "\"\""),
            "unit XA01 has an empty name",
        ),
        (
            CAT.replace("\"Đăng ký khai sinh\"", "\" \""),
            "procedure 1.001193 has an empty name",
        ),
        (
            limit("{\"working_days\":0}"),
            "procedure 1.001193 has a time limit of zero; use \"none\" for a procedure without a limit, or a positive amount",
        ),
        (
            limit("{\"working_days\":1},\"units\":[\"T99\"]"),
            "procedure 1.001193 names unit T99, which is not in the catalogue",
        ),
        (
            limit("{\"working_days\":1},\"steps\":[{\"id\":\"a\",\"name\":\"A\",\"share_percent\":80},{\"id\":\"b\",\"name\":\"B\",\"share_percent\":30}]"),
            "procedure 1.001193: step shares add up to 110%, more than the whole time limit (100%)",
        ),
        (
            limit("{\"working_days\":1},\"steps\":[{\"id\":\"a\",\"name\":\"A\",\"share_percent\":10},{\"id\":\"a\",\"name\":\"B\",\"share_percent\":30}]"),
            "procedure 1.001193: step id \"a\" is used twice",
        ),
        (
            limit("{\"working_days\":1},\"effective_from\":\"2024-05-01\",\"effective_until\":\"2024-01-01\""),
            "procedure 1.001193: effective_until 2024-01-01 is before effective_from 2024-05-01",
        ),
        (
            CAT.replace(
                "\"procedures\":[{",
                "\"procedures\":[{\"code\":\"1.001193\",\"name\":\"x\",\"field\":\"f\",\"level\":\"commune\",\"time_limit\":\"none\"},{",
            ),
            "procedure 1.001193 is defined twice for the same dates; versions of a procedure need effective dates that do not overlap",
        ),
    ];
    for (text, expected) in cases {
        assert!(matches!(
            read_catalogue(&text),
            Err(CatalogueFileError::Catalogue(_))
        ));
        assert_eq!(catalogue_error(&text), expected);
    }
}

fn event(sequence: u64) -> Event {
    Event {
        event_id: uuid::Uuid::from_u128(u128::from(sequence)),
        dossier_id: DossierId::new("D1"),
        sequence,
        occurred_at: datetime!(2024-03-04 09:00 +7),
        recorded_at: datetime!(2024-03-04 09:00 +7),
        kind: EventKind::Rated { satisfied: true },
        metadata: Default::default(),
    }
}

#[test]
fn an_unwritable_instant_writes_nothing() {
    let mut bad = event(2);
    bad.occurred_at = datetime!(-0001-12-31 23:00 UTC);
    let mut out = Vec::new();
    let err = write_events(&mut out, &[event(1), bad.clone()]).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("dossier D1, event 2: `occurred_at` -0001-12-31 23:00:00.0 +00:00:00 cannot be written as RFC 3339; expected a year from 0000 to 9999")
    );
    assert!(out.is_empty(), "a failed write wrote {} bytes", out.len());
    bad.occurred_at = datetime!(2024-03-04 09:00 +07:00:30);
    let err = write_event(&mut out, &bad).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("dossier D1, event 2: `occurred_at` 2024-03-04 9:00:00.0 +07:00:30 cannot be written as RFC 3339; expected a UTC offset in whole minutes, within ±23:59")
    );
    assert!(out.is_empty());
}

struct Full;

impl std::io::Write for Full {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left on device"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failing_writer_is_reported() {
    let err = write_event(Full, &event(1)).err();
    assert_eq!(
        err.map(|e| e.to_string()).as_deref(),
        Some("could not write events: no space left on device")
    );
}

/// Lines that are read are not changed by reading: a reader over a `BufRead` leaves what
/// follows the last line it returned unread (nothing is consumed past an error it reports).
#[test]
fn reading_stops_where_the_caller_stops() {
    let text = format!("{GOOD}\n{GOOD}\n");
    let mut inner = text.as_bytes();
    {
        let mut reader = read_events(&mut inner);
        assert!(matches!(reader.next_numbered(), Some(Ok((1, _)))));
    }
    assert_eq!(inner.fill_buf().map(<[u8]>::len).ok(), Some(GOOD.len() + 1));
}

/// An input whose first line never ends (`/dev/zero`, a device, a runaway pipe) is refused
/// once the line is measured to [`motcua_io::MEASURED_LINE_BYTES`], and reading stops there:
/// no endless loop.
#[test]
fn an_endless_line_is_refused_and_reading_stops() {
    let mut reader = read_events(BufReader::with_capacity(1 << 20, std::io::repeat(b'0')));
    let Some(Err(err)) = reader.next_numbered() else {
        panic!("an endless line was accepted");
    };
    assert!(matches!(
        err.kind,
        ReadErrorKind::LineTooLong {
            length: motcua_io::MEASURED_LINE_BYTES,
            limit: MAX_LINE_BYTES
        }
    ));
    assert!(
        err.to_string()
            .starts_with("line 1: the line is at least 1073741824 bytes long, more than"),
        "{err}"
    );
    assert!(reader.next_numbered().is_none());
}
