//! Works out what is wrong with a line that failed to decode. Runs only on the error path, so
//! the common path parses each line once.

use crate::read_error::{ReadError, ReadErrorKind};
use crate::version::{is_supported, KNOWN_EVENT_TYPES};
use motcua_core::{DossierId, OfficerId};
use serde::Deserialize;
use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A decoding failure before the line number is attached.
#[derive(Debug)]
pub(crate) struct Failure {
    dossier: Option<DossierId>,
    sequence: Option<u64>,
    kind: ReadErrorKind,
}

impl Failure {
    fn bare(kind: ReadErrorKind) -> Self {
        Failure {
            dossier: None,
            sequence: None,
            kind,
        }
    }

    /// Attaches the line number.
    pub(crate) fn at(self, line: u64) -> ReadError {
        let mut error = ReadError::new(line, self.kind);
        error.dossier = self.dossier;
        error.sequence = self.sequence;
        error
    }
}

/// The instant fields of the current format.
const INSTANT_FIELDS: [&str; 3] = ["occurred_at", "recorded_at", "new_due"];

/// Diagnoses a line whose typed parse failed with `error`.
pub(crate) fn diagnose_text(text: &str, error: &serde_json::Error) -> Failure {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => diagnose_value(&value, error),
        Err(syntax) => syntax_failure(&syntax),
    }
}

/// A JSON syntax error.
pub(crate) fn syntax_failure(error: &serde_json::Error) -> Failure {
    Failure::bare(ReadErrorKind::Malformed {
        column: error.column(),
        message: bare_message(error),
    })
}

/// Checks the `v` field: the version if supported, else what is wrong.
pub(crate) fn version_of(value: &Value) -> Result<u64, Failure> {
    let Some(object) = value.as_object() else {
        return Err(Failure::bare(ReadErrorKind::NotAnObject {
            found: json_kind(value),
        }));
    };
    check_version(object).map_err(|kind| with_context(object, kind))
}

/// A version listed as supported but without a decoder (a bug caught by the version tests).
pub(crate) fn unsupported(value: &Value, version: u64) -> Failure {
    let kind = ReadErrorKind::UnsupportedVersion {
        found: version.to_string(),
    };
    match value.as_object() {
        Some(object) => with_context(object, kind),
        None => Failure::bare(kind),
    }
}

/// Diagnoses a parsed line whose typed decoding failed with `error`.
pub(crate) fn diagnose_value(value: &Value, error: &serde_json::Error) -> Failure {
    let Some(object) = value.as_object() else {
        return Failure::bare(ReadErrorKind::NotAnObject {
            found: json_kind(value),
        });
    };
    with_context(object, diagnose_object(object, error))
}

fn with_context(object: &Map<String, Value>, kind: ReadErrorKind) -> Failure {
    Failure {
        dossier: object
            .get("dossier_id")
            .and_then(Value::as_str)
            .map(DossierId::new),
        sequence: object.get("sequence").and_then(Value::as_u64),
        kind,
    }
}

fn diagnose_object(object: &Map<String, Value>, error: &serde_json::Error) -> ReadErrorKind {
    let version = match check_version(object) {
        Ok(version) => version,
        Err(kind) => return kind,
    };
    match object.get("type") {
        None => {
            return ReadErrorKind::MissingField {
                field: "type".into(),
            }
        }
        Some(Value::String(t)) if KNOWN_EVENT_TYPES.contains(&t.as_str()) => {}
        Some(Value::String(t)) => return ReadErrorKind::UnknownType { found: t.clone() },
        Some(other) => {
            return ReadErrorKind::UnknownType {
                found: other.to_string(),
            }
        }
    }
    for field in INSTANT_FIELDS {
        if let Some(kind) = object.get(field).and_then(|v| check_instant(field, v)) {
            return kind;
        }
    }
    if let Some(kind) = check_common_fields(object) {
        return kind;
    }
    if version >= 2 {
        if let Some(kind) = check_meta(object) {
            return kind;
        }
    }
    let message = bare_message(error);
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        return ReadErrorKind::MissingField {
            field: field.to_owned(),
        };
    }
    ReadErrorKind::Invalid {
        message: name_variant_field(object, message),
    }
}

fn check_version(object: &Map<String, Value>) -> Result<u64, ReadErrorKind> {
    match object.get("v") {
        None => Err(ReadErrorKind::MissingVersion),
        Some(v) => match v.as_u64().filter(|n| is_supported(*n)) {
            Some(n) => Ok(n),
            None => Err(ReadErrorKind::UnsupportedVersion {
                found: v.to_string(),
            }),
        },
    }
}

/// `Some` when the instant field is wrong: missing its offset, or not RFC 3339 at all.
fn check_instant(field: &'static str, value: &Value) -> Option<ReadErrorKind> {
    let Some(text) = value.as_str() else {
        return Some(ReadErrorKind::BadInstant {
            field,
            value: value.to_string(),
        });
    };
    if OffsetDateTime::parse(text, &Rfc3339).is_ok() {
        return None;
    }
    let parses = |t: String| OffsetDateTime::parse(&t, &Rfc3339).is_ok();
    if parses(format!("{text}Z")) || parses(format!("{}Z", text.replacen(' ', "T", 1))) {
        return Some(ReadErrorKind::InstantWithoutOffset {
            field,
            value: text.to_owned(),
        });
    }
    Some(ReadErrorKind::BadInstant {
        field,
        value: value.to_string(),
    })
}

/// `Some` naming the field when `object`'s `field` (called `name` in the message) is present
/// but not a `T`.
fn check<'a, T: Deserialize<'a>>(
    object: &'a Map<String, Value>,
    field: &str,
    name: &str,
) -> Option<ReadErrorKind> {
    let error = T::deserialize(object.get(field)?).err()?;
    Some(ReadErrorKind::Invalid {
        message: format!("field `{name}`: {}", bare_message(&error)),
    })
}

/// Names a wrong field among those every event has.
fn check_common_fields(object: &Map<String, Value>) -> Option<ReadErrorKind> {
    check::<uuid::Uuid>(object, "event_id", "event_id")
        .or_else(|| check::<String>(object, "dossier_id", "dossier_id"))
        .or_else(|| check::<u64>(object, "sequence", "sequence"))
}

/// Names a wrong part of the `meta` object (format version 2 on).
fn check_meta(object: &Map<String, Value>) -> Option<ReadErrorKind> {
    let meta = object.get("meta")?;
    let Some(fields) = meta.as_object() else {
        return Some(ReadErrorKind::Invalid {
            message: format!(
                "field `meta`: expected an object with `officer`, `correlation_id` or `causation_id`, found {}",
                json_kind(meta)
            ),
        });
    };
    check::<OfficerId>(fields, "officer", "meta.officer")
        .or_else(|| check::<uuid::Uuid>(fields, "correlation_id", "meta.correlation_id"))
        .or_else(|| check::<uuid::Uuid>(fields, "causation_id", "meta.causation_id"))
}

/// Serde's messages about an event type's own fields (a bad enum value, a wrong type or value)
/// do not say which field; find it by the value the message quotes. Left as it is when no
/// field, or more than one, matches.
fn name_variant_field(object: &Map<String, Value>, message: String) -> String {
    let matches = |predicate: &dyn Fn(&Value) -> bool| {
        let mut found = object
            .iter()
            .filter(|(k, v)| !matches!(k.as_str(), "type" | "v") && predicate(v));
        match (found.next(), found.next()) {
            (Some((name, _)), None) => Some(name.clone()),
            _ => None,
        }
    };
    let field = if let Some(found) = message
        .strip_prefix("unknown variant `")
        .and_then(|m| m.split('`').next())
    {
        matches(&|v| v.as_str() == Some(found))
    } else if let Some(found) = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))
        .and_then(|m| m.split(", expected ").next())
    {
        matches(&|v| unexpected(v).as_deref() == Some(found))
    } else {
        None
    };
    match field {
        Some(name) => format!("field `{name}`: {message}"),
        None => message,
    }
}

/// How serde's messages describe a value (`string "x"`, `integer `7``, `boolean `true``…);
/// `None` for floats, whose wording serde formats its own way.
fn unexpected(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("boolean `{b}`"),
        Value::Number(n) if n.is_f64() => return None,
        Value::Number(n) => format!("integer `{n}`"),
        Value::String(s) => format!("string {s:?}"),
        Value::Array(_) => "sequence".to_owned(),
        Value::Object(_) => "map".to_owned(),
    })
}

/// The serde message without its " at line 1 column 7" suffix.
///
/// serde_json's "recursion limit exceeded" becomes what it means for the file: arrays or
/// objects nested deeper than serde_json's limit of 128 (no motcua file needs more than 4).
pub(crate) fn bare_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let bare = if error.line() == 0 {
        text
    } else {
        let suffix = format!(" at line {} column {}", error.line(), error.column());
        match text.strip_suffix(&suffix) {
            Some(bare) => bare.to_owned(),
            None => text,
        }
    };
    if bare == "recursion limit exceeded" {
        return "arrays or objects nested more than 128 levels deep".to_owned();
    }
    bare
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_of(text: &str) -> ReadErrorKind {
        let error = match serde_json::from_str::<motcua_core::Event>(text) {
            Err(e) => e,
            Ok(_) => panic!("{text} decoded"),
        };
        diagnose_text(text, &error).kind
    }

    #[test]
    fn instants_without_offset_are_recognised() {
        let v = Value::String("2024-03-04T09:00:00".into());
        assert!(matches!(
            check_instant("occurred_at", &v),
            Some(ReadErrorKind::InstantWithoutOffset { .. })
        ));
        let v = Value::String("2024-03-04 09:00:00".into());
        assert!(matches!(
            check_instant("occurred_at", &v),
            Some(ReadErrorKind::InstantWithoutOffset { .. })
        ));
        let v = Value::String("yesterday".into());
        assert!(matches!(
            check_instant("occurred_at", &v),
            Some(ReadErrorKind::BadInstant { .. })
        ));
        let v = Value::String("2024-03-04T09:00:00+07:00".into());
        assert!(check_instant("occurred_at", &v).is_none());
        assert!(check_instant("occurred_at", &Value::Bool(true)).is_some());
    }

    #[test]
    fn bare_message_drops_the_position() {
        let error = serde_json::from_str::<Value>("{").err();
        let message = error.as_ref().map(bare_message).unwrap_or_default();
        assert_eq!(message, "EOF while parsing an object");
    }

    #[test]
    fn classifies_common_problems() {
        assert!(matches!(
            kind_of("[1]"),
            ReadErrorKind::NotAnObject { found: "an array" }
        ));
        assert!(matches!(
            kind_of("{\"type\":\"rated\"}"),
            ReadErrorKind::MissingVersion
        ));
        assert!(matches!(
            kind_of("{\"v\":\"1\"}"),
            ReadErrorKind::UnsupportedVersion { .. }
        ));
        assert!(
            matches!(kind_of("{\"v\":1}"), ReadErrorKind::MissingField { field } if field == "type")
        );
        assert!(matches!(
            kind_of("{\"v\":1,\"type\":7}"),
            ReadErrorKind::UnknownType { .. }
        ));
        let bad_seq = "{\"v\":1,\"type\":\"rated\",\"sequence\":-1}";
        assert!(
            matches!(kind_of(bad_seq), ReadErrorKind::Invalid { message } if message.starts_with("field `sequence`"))
        );
        let missing = "{\"v\":1,\"type\":\"rated\",\"sequence\":1}";
        assert!(matches!(
            kind_of(missing),
            ReadErrorKind::MissingField { .. }
        ));
    }

    #[test]
    fn unknown_variants_name_their_field() {
        let mut object = Map::new();
        object.insert("channel".into(), Value::String("fax".into()));
        let message = name_variant_field(&object, "unknown variant `fax`, expected one of".into());
        assert!(
            message.starts_with("field `channel`: unknown variant"),
            "{message}"
        );
        assert_eq!(name_variant_field(&object, "other".into()), "other");
    }
}
