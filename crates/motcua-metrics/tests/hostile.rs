//! Hostile target files: what `motcua report --targets FILE` reads is a `TargetSet` as JSON
//! (serde), then `TargetSet::check`. Every way such a file can be wrong, with the whole message
//! asserted. (The CLI prefixes the file name; see crates/motcua-cli/tests/hostile.rs.)
//!
//! | error | test |
//! |---|---|
//! | serde: malformed, wrong type, unknown field / indicator / level / denominator, missing name, negative or too large a target | `a_target_file_that_does_not_parse_says_where_and_what` |
//! | `TargetError::EmptyName` | `an_empty_name_is_refused` |
//! | `TargetError::AboveWhole` (all, by level) | `a_target_above_100_percent_names_indicator_and_level` |

use motcua_metrics::{TargetError, TargetSet};

fn parse(text: &str) -> Result<TargetSet, String> {
    let set: TargetSet = serde_json::from_str(text).map_err(|e| e.to_string())?;
    set.check().map_err(|e| e.to_string())?;
    Ok(set)
}

fn error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("accepted: {text}"),
        Err(e) => e,
    }
}

const GOOD: &str = r#"{
  "name": "my-province-2025",
  "description": "Plan 12/KH-UBND",
  "online_denominator": "all_received",
  "targets": {
    "on_time": {"all": 9800},
    "online": {"by_level": {"department": 9000, "commune": 7000}}
  }
}"#;

#[test]
fn the_documented_file_is_accepted() {
    assert!(parse(GOOD).is_ok());
}

#[test]
fn a_target_file_that_does_not_parse_says_where_and_what() {
    let cases = [
        ("", "EOF while parsing a value at line 1 column 0"),
        ("[]", "invalid length 0, expected struct TargetSet with 4 elements at line 1 column 2"),
        (
            &GOOD.replace("9800}", "9800"),
            // A lost `}` reads the next indicator as a field of this one.
            "unknown field `online`, expected `all` or `by_level` at line 7 column 12",
        ),
        (
            &GOOD.replace("\"name\": \"my-province-2025\",", ""),
            "missing field `name` at line 9 column 1",
        ),
        (
            &GOOD.replace("\"description\"", "\"descripton\""),
            "unknown field `descripton`, expected one of `name`, `description`, `online_denominator`, `targets` at line 3 column 14",
        ),
        (
            &GOOD.replace("\"on_time\"", "\"ontime\""),
            "unknown variant `ontime`, expected one of `on_time`, `online`, `online_payment`, `e_result`, `digitised`, `reuse`, `satisfaction_766`, `satisfaction` at line 6 column 12",
        ),
        (
            &GOOD.replace("\"commune\"", "\"hamlet\""),
            "unknown variant `hamlet`, expected one of `ministry`, `province`, `department`, `district`, `commune` at line 7 column 56",
        ),
        (
            &GOOD.replace("\"all_received\"", "\"everything\""),
            "unknown variant `everything`, expected one of `all_received`, `offered_online`, `excluding_postal` at line 4 column 36",
        ),
        (
            &GOOD.replace("{\"all\": 9800}", "{\"al\": 9800}"),
            "unknown field `al`, expected `all` or `by_level` at line 6 column 20",
        ),
        (
            &GOOD.replace("9800", "\"98%\""),
            "invalid type: string \"98%\", expected u32 at line 6 column 28",
        ),
        (
            &GOOD.replace("9800", "-1"),
            "invalid value: integer `-1`, expected u32 at line 6 column 25",
        ),
        (
            &GOOD.replace("9800", "97.5"),
            "invalid type: floating point `97.5`, expected u32 at line 6 column 27",
        ),
        (
            &GOOD.replace("9800", "4294967296"),
            "invalid value: integer `4294967296`, expected u32 at line 6 column 33",
        ),
        (
            // Nesting stops at the schema's depth: no recursion, no overflow.
            &format!("{{\"name\":\"x\",\"targets\":{}", "{\"on_time\":".repeat(100_000)),
            "unknown field `on_time`, expected `all` or `by_level` at line 1 column 43",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(error(text), expected, "for {text}");
    }
}

#[test]
fn an_empty_name_is_refused() {
    let text = GOOD.replace("\"my-province-2025\"", "\"  \"");
    assert_eq!(
        error(&text),
        "the target set has an empty name; give it one, e.g. \"my-province-2025\""
    );
    let set: Option<TargetSet> = serde_json::from_str(&text).ok();
    assert_eq!(set.map(|s| s.check()), Some(Err(TargetError::EmptyName)));
}

#[test]
fn a_target_above_100_percent_names_indicator_and_level() {
    assert_eq!(
        error(&GOOD.replace("9800", "10001")),
        "target for on_time (all) is 10001 basis points, above 10000 (100%); targets are basis points, 9700 = 97%"
    );
    assert_eq!(
        error(&GOOD.replace("7000", "4294967295")),
        "target for online (commune) is 4294967295 basis points, above 10000 (100%); targets are basis points, 9700 = 97%"
    );
    // Exactly 100 % is a target.
    assert!(parse(&GOOD.replace("9800", "10000")).is_ok());
}
