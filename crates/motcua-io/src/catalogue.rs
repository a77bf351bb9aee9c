//! The catalogue file: units and procedures as one JSON document.

use crate::catalogue_error::CatalogueFileError;
use crate::diagnose::bare_message;
use motcua_core::{Catalogue, ProcedureVersion, TimeLimit, Unit};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The value of the `format` field.
pub const CATALOGUE_FORMAT: &str = "motcua-catalogue";

/// The catalogue format version written by [`write_catalogue`].
pub const CATALOGUE_VERSION: u32 = 1;

const TIME_LIMIT_HINT: &str = "a time limit: {\"working_days\": N}, {\"working_hours\": N}, \
{\"calendar_days\": N} with N a whole number above 0, {\"same_day\": {\"cutoff\": \"15:00\"}} or \"none\"";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIn {
    #[allow(dead_code)]
    format: String,
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    units: Vec<Unit>,
    #[serde(default)]
    procedures: Vec<ProcedureVersion>,
}

#[derive(Serialize)]
struct FileOut<'a> {
    format: &'static str,
    version: u32,
    units: Vec<&'a Unit>,
    procedures: Vec<&'a ProcedureVersion>,
}

/// Reads a catalogue file and checks it with [`Catalogue::new`]. A leading byte order mark is
/// ignored.
///
/// ```
/// let text = r#"{
///   "format": "motcua-catalogue",
///   "version": 1,
///   "units": [{"id": "XA01", "name": "UBND xã A", "level": "commune"}],
///   "procedures": [{"code": "1.001193", "name": "Đăng ký khai sinh", "field": "Hộ tịch",
///                   "level": "commune", "time_limit": {"working_days": 1}}]
/// }"#;
/// let catalogue = motcua_io::read_catalogue(text)?;
/// assert_eq!(catalogue.procedures().count(), 1);
/// # Ok::<(), motcua_io::CatalogueFileError>(())
/// ```
pub fn read_catalogue(text: &str) -> Result<Catalogue, CatalogueFileError> {
    // A byte order mark, as some editors write, is not part of the JSON.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(CatalogueFileError::Empty);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| CatalogueFileError::Malformed {
        line: e.line(),
        column: e.column(),
        message: bare_message(&e),
    })?;
    check_header(&value)?;
    let file: FileIn = serde_json::from_str(text).map_err(|e| invalid(&value, &e))?;
    Ok(Catalogue::with_versions(file.units, file.procedures)?)
}

/// Writes a catalogue as pretty JSON: units and procedures in code order, so the same
/// catalogue always gives the same bytes, and [`read_catalogue`] reads it back.
///
/// ```
/// let catalogue = motcua_core::Catalogue::default();
/// let text = motcua_io::write_catalogue(&catalogue);
/// assert!(text.contains("\"format\": \"motcua-catalogue\""));
/// assert_eq!(motcua_io::read_catalogue(&text)?, catalogue);
/// # Ok::<(), motcua_io::CatalogueFileError>(())
/// ```
pub fn write_catalogue(catalogue: &Catalogue) -> String {
    let file = FileOut {
        format: CATALOGUE_FORMAT,
        version: CATALOGUE_VERSION,
        units: catalogue.units().collect(),
        procedures: catalogue.versions().collect(),
    };
    let mut text = match serde_json::to_string_pretty(&file) {
        Ok(text) => text,
        // Units and procedures hold only strings, numbers, booleans and times of day, which
        // JSON always encodes; this arm is unreachable.
        Err(e) => format!("{{\"error\": {:?}}}", e.to_string()),
    };
    text.push('\n');
    text
}

fn check_header(value: &Value) -> Result<(), CatalogueFileError> {
    let found = |key: &str| {
        value
            .get(key)
            .map_or_else(|| "missing".to_owned(), Value::to_string)
    };
    if value.get("format").and_then(Value::as_str) != Some(CATALOGUE_FORMAT) {
        return Err(CatalogueFileError::NotACatalogue {
            found: found("format"),
        });
    }
    if value.get("version").and_then(Value::as_u64) != Some(u64::from(CATALOGUE_VERSION)) {
        return Err(CatalogueFileError::UnsupportedVersion {
            found: found("version"),
        });
    }
    Ok(())
}

/// Turns a serde error into one naming the unit or procedure it is in.
fn invalid(value: &Value, error: &serde_json::Error) -> CatalogueFileError {
    let (location, hint) = locate(value);
    CatalogueFileError::Invalid {
        line: error.line(),
        column: error.column(),
        location,
        message: bare_message(error),
        hint,
    }
}

/// The first entry that does not deserialize on its own, and a hint for what was expected.
fn locate(value: &Value) -> (String, Option<&'static str>) {
    let entries = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let name = |entry: &Value, key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .map(|s| format!(" {s}"))
            .unwrap_or_default()
    };
    for (i, entry) in entries("units").iter().enumerate() {
        if Unit::deserialize(entry).is_err() {
            return (format!("unit{} (units[{i}])", name(entry, "id")), None);
        }
    }
    for (i, entry) in entries("procedures").iter().enumerate() {
        if ProcedureVersion::deserialize(entry).is_err() {
            let limit = entry.get("time_limit");
            let bad_limit = limit.is_none_or(|l| TimeLimit::deserialize(l).is_err());
            let location = format!("procedure{} (procedures[{i}])", name(entry, "code"));
            return (location, bad_limit.then_some(TIME_LIMIT_HINT));
        }
    }
    ("the catalogue".to_owned(), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn procedure(extra: &str) -> String {
        format!(
            "{{\"format\":\"motcua-catalogue\",\"version\":1,\"units\":[],\"procedures\":[\n\
             {{\"code\":\"P1\",\"name\":\"n\",\"field\":\"f\",\"level\":\"commune\"{extra}}}]}}"
        )
    }

    #[test]
    fn missing_time_limit_names_the_procedure_and_the_forms() {
        let err = read_catalogue(&procedure(""))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("line 2, column"), "{err}");
        assert!(
            err.contains("procedure P1 (procedures[0]): missing field `time_limit`"),
            "{err}"
        );
        assert!(err.contains("\"none\""), "{err}");
    }

    #[test]
    fn header_is_checked() {
        let err = read_catalogue("{\"version\":1}").err();
        assert!(
            matches!(err, Some(CatalogueFileError::NotACatalogue { found }) if found == "missing")
        );
        let err = read_catalogue("{\"format\":\"motcua-catalogue\",\"version\":2}").err();
        assert!(
            matches!(err, Some(CatalogueFileError::UnsupportedVersion { found }) if found == "2")
        );
        let err = read_catalogue("{\"format\":").err();
        assert!(matches!(
            err,
            Some(CatalogueFileError::Malformed { line: 1, .. })
        ));
    }

    #[test]
    fn unknown_top_level_fields_are_refused() {
        let text = "{\"format\":\"motcua-catalogue\",\"version\":1,\"procedure\":[]}";
        let err = read_catalogue(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("the catalogue: unknown field `procedure`"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_unit_is_named() {
        let text = "{\"format\":\"motcua-catalogue\",\"version\":1,\"units\":[{\"id\":\"XA01\",\"name\":\"x\",\"level\":\"hamlet\"}]}";
        let err = read_catalogue(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("unit XA01 (units[0]): unknown variant `hamlet`"),
            "{err}"
        );
    }
}
