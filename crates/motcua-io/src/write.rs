//! Writing events as JSON Lines in the current format version.

use crate::version::EVENT_FORMAT_VERSION;
use motcua_core::{DossierId, Event, EventKind};
use serde::Serialize;
use std::io::Write;
use time::OffsetDateTime;

/// An event that could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// An instant RFC 3339 cannot express: a year outside 0000–9999 or an offset with seconds.
    #[error("dossier {dossier}, event {sequence}: `{field}` {value} cannot be written as RFC 3339; expected {expected}")]
    Unrepresentable {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The instant's field.
        field: &'static str,
        /// The instant, as `time` displays it.
        value: String,
        /// What RFC 3339 needs.
        expected: &'static str,
    },
    /// The encoder failed for another reason.
    #[error("dossier {dossier}, event {sequence}: could not encode the event: {message}")]
    Encode {
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The encoder's message.
        message: String,
    },
    /// The writer failed.
    #[error("could not write events: {0}")]
    Io(#[from] std::io::Error),
}

/// The line form: `v` first, then the event's serde form.
#[derive(Serialize)]
struct Line<'a> {
    v: u32,
    #[serde(flatten)]
    event: &'a Event,
}

/// Checks that an event can be written: every instant is expressible in RFC 3339.
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use time::macros::datetime;
/// let mut event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("D1"),
///     sequence: 1,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// assert!(motcua_io::check_writable(&event).is_ok());
/// event.recorded_at = datetime!(2024-03-04 09:00 +07:00:30);
/// let err = motcua_io::check_writable(&event).unwrap_err();
/// assert!(err.to_string().contains("`recorded_at`"));
/// ```
pub fn check_writable(event: &Event) -> Result<(), WriteError> {
    let new_due = match &event.kind {
        EventKind::ApologyIssued { new_due, .. } | EventKind::DueExtended { new_due, .. } => {
            Some(*new_due)
        }
        _ => None,
    };
    let instants = [
        ("occurred_at", Some(event.occurred_at)),
        ("recorded_at", Some(event.recorded_at)),
        ("new_due", new_due),
    ];
    for (field, instant) in instants {
        if let Some(expected) = instant.and_then(rfc3339_problem) {
            return Err(WriteError::Unrepresentable {
                dossier: event.dossier_id.clone(),
                sequence: event.sequence,
                field,
                value: instant.map(|i| i.to_string()).unwrap_or_default(),
                expected,
            });
        }
    }
    Ok(())
}

fn rfc3339_problem(instant: OffsetDateTime) -> Option<&'static str> {
    if !(0..=9999).contains(&instant.year()) {
        Some("a year from 0000 to 9999")
    } else if instant.offset().seconds_past_minute() != 0
        || instant.offset().whole_hours().abs() > 23
    {
        Some("a UTC offset in whole minutes, within ±23:59")
    } else {
        None
    }
}

/// Appends one event's line, newline included, to `buf`.
fn encode_into(buf: &mut Vec<u8>, event: &Event) -> Result<(), WriteError> {
    check_writable(event)?;
    let start = buf.len();
    let line = Line {
        v: EVENT_FORMAT_VERSION,
        event,
    };
    if let Err(e) = serde_json::to_writer(&mut *buf, &line) {
        buf.truncate(start);
        return Err(WriteError::Encode {
            dossier: event.dossier_id.clone(),
            sequence: event.sequence,
            message: e.to_string(),
        });
    }
    buf.push(b'\n');
    Ok(())
}

/// Writes one event as one line: `{"v":2,"event_id":…,…,"type":…,…}` and a newline.
///
/// The field order is fixed (`v`, `event_id`, `dossier_id`, `sequence`, `occurred_at`,
/// `recorded_at`, `meta` when the event has metadata, `type`, then the type's fields), so a
/// line read and written again is byte-identical. The line is encoded completely before
/// anything is written: an event that cannot be encoded writes nothing.
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind, EventMetadata, OfficerId};
/// use time::macros::datetime;
/// let mut event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("D1"),
///     sequence: 2,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:05 +7),
///     metadata: EventMetadata::default(),
///     kind: EventKind::Rated { satisfied: true },
/// };
/// let mut out = Vec::new();
/// motcua_io::write_event(&mut out, &event)?;
/// assert_eq!(
///     String::from_utf8(out)?,
///     "{\"v\":2,\"event_id\":\"00000000-0000-0000-0000-000000000001\",\"dossier_id\":\"D1\",\"sequence\":2,\
///      \"occurred_at\":\"2024-03-04T09:00:00+07:00\",\"recorded_at\":\"2024-03-04T09:05:00+07:00\",\
///      \"type\":\"rated\",\"satisfied\":true}\n"
/// );
///
/// // With the officer who recorded it:
/// event.metadata = EventMetadata::by(OfficerId::new("cb.01")?);
/// let mut out = Vec::new();
/// motcua_io::write_event(&mut out, &event)?;
/// assert!(String::from_utf8(out)?.contains(
///     "\"recorded_at\":\"2024-03-04T09:05:00+07:00\",\"meta\":{\"officer\":\"cb.01\"},\"type\":\"rated\""
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_event<W: Write>(mut writer: W, event: &Event) -> Result<(), WriteError> {
    let mut buf = Vec::with_capacity(256);
    encode_into(&mut buf, event)?;
    writer.write_all(&buf)?;
    Ok(())
}

/// Writes events, one line each, in the order given.
///
/// All events are encoded before anything is written: if one cannot be encoded, nothing is
/// written. (A failing writer may still leave part of the output behind.)
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use time::macros::datetime;
/// let event = |sequence: u64| Event {
///     event_id: uuid::Uuid::from_u128(u128::from(sequence)),
///     dossier_id: DossierId::new("D1"),
///     sequence,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::Rated { satisfied: true },
///     metadata: Default::default(),
/// };
/// let mut out = Vec::new();
/// motcua_io::write_events(&mut out, &[event(1), event(2)])?;
/// assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_events<W: Write>(mut writer: W, events: &[Event]) -> Result<(), WriteError> {
    let mut buf = Vec::with_capacity(events.len().saturating_mul(256));
    for event in events {
        encode_into(&mut buf, event)?;
    }
    writer.write_all(&buf)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn event() -> Event {
        Event {
            event_id: uuid::Uuid::from_u128(7),
            dossier_id: DossierId::new("D"),
            sequence: 1,
            occurred_at: datetime!(2024-03-04 09:00 +7),
            recorded_at: datetime!(2024-03-04 09:00 +7),
            kind: EventKind::SupplementSupplied,
            metadata: Default::default(),
        }
    }

    #[test]
    fn years_beyond_9999_are_refused_and_nothing_is_written() {
        let mut bad = event();
        bad.sequence = 2;
        bad.occurred_at = datetime!(-0001-01-01 0:00 UTC);
        let mut out = Vec::new();
        let err = write_events(&mut out, &[event(), bad]).err();
        assert!(out.is_empty());
        let text = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(
            text.starts_with("dossier D, event 2: `occurred_at`"),
            "{text}"
        );
        assert!(text.contains("a year from 0000 to 9999"), "{text}");
    }

    #[test]
    fn new_due_is_checked_too() {
        let mut bad = event();
        bad.kind = EventKind::DueExtended {
            new_due: datetime!(2024-03-04 09:00 +07:00:01),
            legal_basis: "law".into(),
        };
        assert!(matches!(
            check_writable(&bad),
            Err(WriteError::Unrepresentable {
                field: "new_due",
                ..
            })
        ));
    }

    #[test]
    fn unit_variants_have_only_the_type() {
        let mut out = Vec::new();
        assert!(write_event(&mut out, &event()).is_ok());
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(
            text.ends_with(",\"type\":\"supplement_supplied\"}\n"),
            "{text}"
        );
    }
}
