//! Format version 1, frozen: lines without metadata, read and upcast to today's [`Event`].
//!
//! Version 2 only added the optional `meta` object; the event types and their fields are the
//! same in both versions, so `EventV1` shares [`EventKind`]'s wire form. A later version that
//! changes an event type must freeze a copy of today's `EventKind` here first.

use motcua_core::{DossierId, Event, EventKind, EventMetadata};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

/// A version 1 line. Unknown fields are ignored, as version 1 always did: a `meta` object on
/// a version 1 line is not read.
#[derive(Deserialize)]
pub(crate) struct EventV1 {
    event_id: Uuid,
    dossier_id: DossierId,
    sequence: u64,
    #[serde(with = "time::serde::rfc3339")]
    occurred_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    recorded_at: OffsetDateTime,
    #[serde(flatten)]
    kind: EventKind,
}

/// Today's event for a version 1 line: the same fields, and no metadata (version 1 could not
/// say who recorded an event).
pub(crate) fn upcast(line: EventV1) -> Event {
    Event {
        event_id: line.event_id,
        dossier_id: line.dossier_id,
        sequence: line.sequence,
        occurred_at: line.occurred_at,
        recorded_at: line.recorded_at,
        metadata: EventMetadata::default(),
        kind: line.kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_v1_line_upcasts_with_empty_metadata_and_ignores_a_meta_object() {
        let line = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"D","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","meta":{"officer":"a"},"type":"rated","satisfied":true}"#;
        let event = upcast(serde_json::from_str::<EventV1>(line).unwrap());
        assert!(event.metadata.is_empty());
        assert_eq!(event.kind, EventKind::Rated { satisfied: true });
    }
}
