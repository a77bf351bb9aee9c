//! Reading and writing catalogue files.

use motcua_core::{
    Catalogue, CatalogueError, Fee, Level, OnlineService, Procedure, ProcedureCode, StepSpec,
    SupplementPolicy, TimeLimit, Unit, UnitId,
};
use motcua_io::{read_catalogue, write_catalogue, CatalogueFileError};
use time::Time;

fn procedure(code: &str, time_limit: TimeLimit) -> Procedure {
    Procedure {
        code: ProcedureCode::new(code),
        name: format!("Thủ tục {code}"),
        field: "Hộ tịch".into(),
        level: Level::Commune,
        units: vec![UnitId::new("XA01")],
        time_limit,
        supplement_policy: SupplementPolicy::Pause,
        payment_pauses_clock: true,
        supplement_time_limit: None,
        online_service: OnlineService::Full,
        result_is_document: false,
        fees: vec![Fee {
            name: "Lệ phí".into(),
            amount_vnd: 8000,
        }],
        steps: vec![StepSpec {
            id: "appraisal".into(),
            name: "Thẩm định".into(),
            share_percent: 60,
            unit: Some(UnitId::new("XA01")),
        }],
    }
}

fn catalogue() -> Catalogue {
    let units = vec![
        Unit {
            id: UnitId::new("T01"),
            name: "UBND tỉnh".into(),
            level: Level::Province,
            parent: None,
        },
        Unit {
            id: UnitId::new("XA01"),
            name: "UBND xã A".into(),
            level: Level::Commune,
            parent: Some(UnitId::new("T01")),
        },
    ];
    let cutoff = Time::from_hms(15, 0, 0).unwrap_or(Time::MIDNIGHT);
    let procedures = vec![
        procedure("1.1", TimeLimit::WorkingDays(15)),
        procedure("1.2", TimeLimit::WorkingHours(4)),
        procedure("1.3", TimeLimit::CalendarDays(30)),
        procedure("1.4", TimeLimit::SameDay { cutoff }),
        procedure("1.5", TimeLimit::None),
    ];
    Catalogue::new(units, procedures).unwrap_or_default()
}

fn file(procedures: &str) -> String {
    format!(
        "{{\n  \"format\": \"motcua-catalogue\",\n  \"version\": 1,\n  \"units\": [{{\"id\": \"XA01\", \"name\": \"UBND xã A\", \"level\": \"commune\"}}],\n  \"procedures\": [\n{procedures}\n  ]\n}}"
    )
}

fn minimal(code: &str, extra: &str) -> String {
    format!("    {{\"code\": \"{code}\", \"name\": \"n\", \"field\": \"f\", \"level\": \"commune\"{extra}}}")
}

fn error(text: &str) -> CatalogueFileError {
    match read_catalogue(text) {
        Err(e) => e,
        Ok(c) => panic!("expected an error, read {c:?}"),
    }
}

#[test]
fn round_trip_is_identity_and_byte_stable() {
    let original = catalogue();
    assert_eq!(original.procedures().count(), 5);
    let text = write_catalogue(&original);
    let back = read_catalogue(&text);
    assert_eq!(back.as_ref().ok(), Some(&original));
    assert_eq!(back.map(|c| write_catalogue(&c)).ok(), Some(text));
}

#[test]
fn time_limits_have_the_documented_forms() {
    let text = write_catalogue(&catalogue());
    for form in [
        "\"working_days\": 15",
        "\"working_hours\": 4",
        "\"calendar_days\": 30",
        "\"same_day\": {\n          \"cutoff\": \"15:00\"",
        "\"time_limit\": \"none\"",
    ] {
        assert!(text.contains(form), "{form} not in {text}");
    }
}

#[test]
fn defaults_apply_to_omitted_fields() {
    let text = file(&minimal("P1", ", \"time_limit\": {\"working_days\": 5}"));
    let catalogue = read_catalogue(&text).unwrap_or_default();
    let p = catalogue.procedure(&"P1".into());
    assert_eq!(
        p.map(|p| p.supplement_policy),
        Some(SupplementPolicy::Restart)
    );
    assert_eq!(p.map(|p| p.online_service), Some(OnlineService::None));
    assert_eq!(
        p.map(|p| (p.payment_pauses_clock, p.result_is_document)),
        Some((false, true))
    );
    assert_eq!(
        p.map(|p| p.fees.len() + p.steps.len() + p.units.len()),
        Some(0)
    );
}

#[test]
fn negative_time_limit_names_line_procedure_and_forms() {
    let text = file(&format!(
        "{},\n{}",
        minimal("P1", ", \"time_limit\": \"none\""),
        minimal("P2", ", \"time_limit\": {\"working_days\": -5}")
    ));
    let err = error(&text);
    let message = err.to_string();
    assert!(
        matches!(err, CatalogueFileError::Invalid { line: 7, .. }),
        "{message}"
    );
    assert!(
        message.contains("procedure P2 (procedures[1])"),
        "{message}"
    );
    assert!(message.contains("integer `-5`"), "{message}");
    assert!(
        message.contains("expected a time limit: {\"working_days\": N}"),
        "{message}"
    );
}

#[test]
fn missing_time_limit_names_line_procedure_and_forms() {
    let err = error(&file(&minimal("P9", "")));
    let message = err.to_string();
    assert!(message.starts_with("line 6, column"), "{message}");
    assert!(
        message.contains("procedure P9 (procedures[0]): missing field `time_limit`"),
        "{message}"
    );
    assert!(message.contains("\"none\""), "{message}");
}

#[test]
fn catalogue_rules_are_wrapped() {
    let dup = file(&format!(
        "{},\n{}",
        minimal("P1", ", \"time_limit\": \"none\""),
        minimal("P1", ", \"time_limit\": \"none\"")
    ));
    assert!(matches!(
        error(&dup),
        CatalogueFileError::Catalogue(CatalogueError::DuplicateProcedure { .. })
    ));
    let zero = file(&minimal("P1", ", \"time_limit\": {\"calendar_days\": 0}"));
    assert!(matches!(
        error(&zero),
        CatalogueFileError::Catalogue(CatalogueError::ZeroTimeLimit { .. })
    ));
    let unknown = file(&minimal(
        "P1",
        ", \"time_limit\": \"none\", \"units\": [\"XA99\"]",
    ));
    assert!(error(&unknown)
        .to_string()
        .contains("names unit XA99, which is not in the catalogue"));
    let steps = ", \"time_limit\": \"none\", \"steps\": [{\"id\":\"a\",\"name\":\"A\",\"share_percent\":70},{\"id\":\"b\",\"name\":\"B\",\"share_percent\":40}]";
    let message = error(&file(&minimal("P1", steps))).to_string();
    assert!(message.contains("step shares add up to 110%"), "{message}");
}

#[test]
fn malformed_json_names_line_and_column() {
    let err =
        error("{\n  \"format\": \"motcua-catalogue\",\n  \"version\": 1,\n  \"units\": [,]\n}");
    assert!(
        matches!(
            err,
            CatalogueFileError::Malformed {
                line: 4,
                column: 13,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn bad_cutoff_is_explained() {
    let message = error(&file(&minimal(
        "P1",
        ", \"time_limit\": {\"same_day\": {\"cutoff\": \"3pm\"}}",
    )))
    .to_string();
    assert!(
        message.contains("expected a time of day as HH:MM, found \"3pm\""),
        "{message}"
    );
}

#[test]
fn procedure_versions_with_effective_dates_round_trip() {
    let text = r#"{"format": "motcua-catalogue", "version": 1, "units": [],
      "procedures": [
        {"code": "1.0001", "name": "Cấp phép (Nghị định 61)", "field": "x", "level": "department",
         "time_limit": {"working_days": 15}, "effective_until": "2025-06-30"},
        {"code": "1.0001", "name": "Cấp phép (Nghị định 118)", "field": "x", "level": "department",
         "time_limit": {"working_days": 10}, "effective_from": "2025-07-01"}]}"#;
    let catalogue = motcua_io::read_catalogue(text).unwrap();
    let code = motcua_core::ProcedureCode::new("1.0001");
    let june = time::macros::date!(2025 - 06 - 30);
    let july = time::macros::date!(2025 - 07 - 01);
    assert_eq!(
        catalogue.procedure_at(&code, june).map(|p| p.time_limit),
        Some(motcua_core::TimeLimit::WorkingDays(15))
    );
    assert_eq!(
        catalogue.procedure_at(&code, july).map(|p| p.time_limit),
        Some(motcua_core::TimeLimit::WorkingDays(10))
    );
    let written = motcua_io::write_catalogue(&catalogue);
    assert!(
        written.contains("\"effective_from\": \"2025-07-01\""),
        "{written}"
    );
    assert_eq!(motcua_io::read_catalogue(&written).unwrap(), catalogue);

    let overlapping = text.replace(
        "\"effective_from\": \"2025-07-01\"",
        "\"effective_from\": \"2025-06-30\"",
    );
    let err = motcua_io::read_catalogue(&overlapping)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("procedure 1.0001 is defined twice for the same dates"),
        "{err}"
    );
    let bad_date = text.replace("2025-07-01", "2025-13-01");
    let err = motcua_io::read_catalogue(&bad_date)
        .unwrap_err()
        .to_string();
    assert!(err.contains("YYYY-MM-DD"), "{err}");
}

/// The two-version example shipped with the documentation.
const EXAMPLE_2025: &str = include_str!("../../../docs/examples/catalogue-2025-versions.json");

#[test]
fn the_documented_2025_example_is_the_shipped_file_and_reads_as_two_versions() {
    let doc = include_str!("../../../docs/catalogue-format.md");
    let section = doc
        .split_once("### Versions of a procedure")
        .map_or("", |(_, rest)| rest);
    let block = section
        .split_once("```json\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map_or("", |(block, _)| block);
    assert_eq!(
        block, EXAMPLE_2025,
        "the example in docs/catalogue-format.md differs from docs/examples/catalogue-2025-versions.json"
    );
    let catalogue = read_catalogue(EXAMPLE_2025).unwrap();
    let code = ProcedureCode::new("2.000636");
    let versions: Vec<_> = catalogue
        .versions()
        .map(|v| {
            (
                v.effective_from.map(|d| d.to_string()),
                v.effective_until.map(|d| d.to_string()),
                v.procedure.time_limit,
            )
        })
        .collect();
    assert_eq!(
        versions,
        [
            (
                None,
                Some("2025-06-30".to_owned()),
                TimeLimit::WorkingDays(15)
            ),
            (
                Some("2025-07-01".to_owned()),
                None,
                TimeLimit::WorkingDays(10)
            ),
        ]
    );
    let name_on = |date| catalogue.procedure_at(&code, date).map(|p| p.name.clone());
    assert!(name_on(time::macros::date!(2025 - 06 - 30)).is_some_and(
        |n| n.contains("Nghị định 61/2018/NĐ-CP, sửa đổi bởi Nghị định 107/2021/NĐ-CP")
    ));
    assert!(name_on(time::macros::date!(2025 - 07 - 01))
        .is_some_and(|n| n.contains("Nghị định 118/2025/NĐ-CP")));
    assert_eq!(
        read_catalogue(&write_catalogue(&catalogue)).unwrap(),
        catalogue
    );
}

#[test]
fn bad_effective_dates_name_the_procedure_version() {
    let bad_date = EXAMPLE_2025.replace("2025-07-01", "2025-13-01");
    assert_eq!(
        error(&bad_date).to_string(),
        "line 30, column 5: procedure 2.000636 (procedures[1]): expected a date as YYYY-MM-DD, found \"2025-13-01\""
    );
    let inverted = EXAMPLE_2025.replace(
        "\"effective_from\": \"2025-07-01\"",
        "\"effective_from\": \"2025-07-01\", \"effective_until\": \"2025-06-01\"",
    );
    assert_eq!(
        error(&inverted).to_string(),
        "procedure 2.000636: effective_until 2025-06-01 is before effective_from 2025-07-01"
    );
    // The old version left open: in force since always, so also from 1 July.
    let unclosed = EXAMPLE_2025.replace(",\n      \"effective_until\": \"2025-06-30\"", "");
    assert_ne!(unclosed, EXAMPLE_2025);
    assert!(matches!(
        error(&unclosed),
        CatalogueFileError::Catalogue(CatalogueError::DuplicateProcedure { code }) if code.as_str() == "2.000636"
    ));
}

/// A catalogue file whose units form one chain `n` deep (each unit the parent of the next),
/// the deepest tree `n` units can make.
fn chain(n: usize) -> String {
    let mut units = Vec::with_capacity(n);
    for i in 0..n {
        let parent = match i {
            0 => String::new(),
            _ => format!(r#", "parent": "U{:06}""#, i - 1),
        };
        units.push(format!(
            r#"{{"id": "U{i:06}", "name": "Đơn vị {i}", "level": "commune"{parent}}}"#
        ));
    }
    format!(
        r#"{{"format": "motcua-catalogue", "version": 1, "units": [{}], "procedures": []}}"#,
        units.join(",")
    )
}

/// Loads `text` and returns the time it took.
fn load_time(text: &str) -> std::time::Duration {
    let start = std::time::Instant::now();
    let loaded = read_catalogue(text);
    let took = start.elapsed();
    assert!(loaded.is_ok(), "{:?}", loaded.err());
    took
}

/// A deep unit tree loads in time linear in its units: ten times the units take nowhere near
/// a hundred times as long, and a chain of 100,000 units loads in under a second in a release
/// build. A debug build parses the JSON (twice: once to name lines) about ten times slower,
/// about 0.8 s here, so it is given 5 s; walking every unit's chain to the root took minutes.
#[test]
fn a_deep_unit_chain_loads_in_linear_time() {
    let small = chain(10_000);
    let large = chain(100_000);
    // The best of three runs, so a busy machine does not decide.
    let best = |text: &str| (0..3).map(|_| load_time(text)).min().unwrap_or_default();
    let (t_small, t_large) = (best(&small), best(&large));
    let bound = if cfg!(debug_assertions) {
        std::time::Duration::from_secs(5)
    } else {
        std::time::Duration::from_secs(1)
    };
    assert!(t_large < bound, "100,000 units in a chain took {t_large:?}");
    let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
    assert!(
        ratio < 30.0,
        "10x the units took {ratio:.1}x the time ({t_small:?} → {t_large:?})"
    );
}
