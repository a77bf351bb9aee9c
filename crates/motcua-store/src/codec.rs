//! Events as durable stores keep them, shared by every database-backed store: the JSON Lines
//! form (with its format version `v`, so stored events are upcast on read like lines of a
//! file), or the [`compact`] binary form the SQLite store writes. [`decode_body`] reads either.

pub mod compact;
pub mod standing;

use crate::StoreError;
use motcua_core::Event;

/// The stored text of an event: one JSON line, without the newline.
pub fn encode(event: &Event) -> Result<String, StoreError> {
    let mut line = Vec::with_capacity(256);
    motcua_io::write_event(&mut line, event).map_err(|e| {
        StoreError::Backend(format!(
            "dossier {}, event {}: cannot be encoded: {e}",
            event.dossier_id, event.sequence
        ))
    })?;
    if line.last() == Some(&b'\n') {
        line.pop();
    }
    String::from_utf8(line).map_err(|e| StoreError::Backend(e.to_string()))
}

/// Whether `body` is in the current format version: it starts `{"v":N,` as every line
/// [`motcua_io::write_event`] writes does.
fn is_current(body: &str) -> bool {
    let version = motcua_io::EVENT_FORMAT_VERSION.to_string();
    body.strip_prefix("{\"v\":")
        .and_then(|rest| rest.strip_prefix(version.as_str()))
        .is_some_and(|rest| rest.starts_with(','))
}

/// The event stored at `position` from its text. Current-version events take the same one
/// typed parse as `motcua_io`'s fast path; anything else (an older version to upcast, or a
/// damaged row to diagnose) goes through [`motcua_io::read_events`].
pub fn decode(position: u64, body: &str) -> Result<Event, StoreError> {
    if is_current(body) {
        if let Ok(event) = serde_json::from_str::<Event>(body) {
            return Ok(event);
        }
    }
    match motcua_io::read_events(body.as_bytes()).next() {
        Some(Ok(event)) => Ok(event),
        Some(Err(e)) => Err(StoreError::Unreadable {
            position,
            reason: e.to_string(),
        }),
        None => Err(StoreError::Unreadable {
            position,
            reason: "it is empty".to_owned(),
        }),
    }
}

/// The event stored at `position` from its body in either form: [`compact`] (first byte
/// [`compact::MARKER`]) or a JSON line.
pub fn decode_body(position: u64, body: &[u8]) -> Result<Event, StoreError> {
    decode_body_in(None, position, body)
}

/// [`decode_body`] through a [`compact::Decoder`] that shares repeated codes between the events
/// of a scan.
pub fn decode_body_shared(
    decoder: &mut compact::Decoder,
    position: u64,
    body: &[u8],
) -> Result<Event, StoreError> {
    decode_body_in(Some(decoder), position, body)
}

fn decode_body_in(
    decoder: Option<&mut compact::Decoder>,
    position: u64,
    body: &[u8],
) -> Result<Event, StoreError> {
    if compact::is_compact(body) {
        let decoded = match decoder {
            Some(d) => d.decode(body),
            None => compact::decode(body),
        };
        return decoded.map_err(|e| StoreError::Unreadable {
            position,
            reason: e.to_string(),
        });
    }
    match std::str::from_utf8(body) {
        Ok(text) => decode(position, text),
        Err(e) => Err(StoreError::Unreadable {
            position,
            reason: format!("it is neither a compact body nor UTF-8 text ({e})"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_lines_are_recognised() {
        assert!(is_current(r#"{"v":2,"event_id":"x"}"#));
        assert!(!is_current(r#"{"v":1,"event_id":"x"}"#));
        assert!(!is_current(r#"{"v":20,"event_id":"x"}"#));
        assert!(!is_current(r#"{"event_id":"x","v":2}"#));
    }

    #[test]
    fn damaged_rows_are_errors_naming_the_position() {
        let err = decode(7, r#"{"v":1,"event_id":"x"}"#).err();
        assert!(
            err.as_ref().is_some_and(|e| e
                .to_string()
                .starts_with("the event stored at position 7 cannot be read: line 1:")),
            "{err:?}"
        );
        assert!(decode(8, "").is_err());
    }

    #[test]
    fn bodies_in_either_form_decode_to_the_same_event() {
        let line = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}"#;
        let event = decode(1, line).unwrap();
        assert_eq!(decode_body(1, line.as_bytes()).unwrap(), event);
        assert_eq!(decode_body(1, &compact::encode(&event)).unwrap(), event);
        let err = decode_body(9, &[compact::MARKER, 1])
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "the event stored at position 9 cannot be read: byte 1: the body ends too early; the stored log was changed or damaged (`motcua verify` checks the whole store)"
        );
        assert!(decode_body(9, &[0xFF, 0xFE]).is_err());
    }

    #[test]
    fn json_bodies_stored_as_version_1_read_as_today_with_empty_metadata() {
        let v1 = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}"#;
        let event = decode(1, v1).unwrap();
        assert!(event.metadata.is_empty());
        let today = encode(&event).unwrap();
        assert_eq!(today, v1.replacen("{\"v\":1,", "{\"v\":2,", 1));
        assert_eq!(decode(1, &today).unwrap(), event);

        let signed = Event {
            metadata: motcua_core::EventMetadata::by(motcua_core::OfficerId::new("cb.01").unwrap())
                .with_causation_id(uuid::Uuid::from_u128(9)),
            ..event
        };
        let body = encode(&signed).unwrap();
        assert!(
            body.contains(r#","meta":{"officer":"cb.01","causation_id":"#),
            "{body}"
        );
        assert_eq!(decode(2, &body).unwrap(), signed);
        assert_eq!(decode_body(2, &compact::encode(&signed)).unwrap(), signed);
    }
}
