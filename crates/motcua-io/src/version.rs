//! Format versions of the event lines, and the upcasters that turn an older line into today's
//! [`Event`].
//!
//! Every line carries `"v"`. Reading dispatches on it in `decode`: the current version is
//! deserialized straight into [`Event`]; each older version has a frozen wire type and a typed
//! upcast function (`vN::EventVN -> Event`) with its own arm in `decode`. Version 2 added the
//! optional `meta` object (who recorded the event); version 1 lines are upcast with empty
//! metadata (module `v1`). `docs/event-format.md` explains how to add a version.
//!
//! ```
//! use motcua_io::{EVENT_FORMAT_VERSION, SUPPORTED_VERSIONS};
//! assert_eq!(EVENT_FORMAT_VERSION, 2);
//! assert_eq!(SUPPORTED_VERSIONS, &[1, 2]);
//! ```

use motcua_core::Event;
use serde::Deserialize;
use serde_json::Value;

/// The format version [`crate::write_event`] writes, as the `v` field of every line.
pub const EVENT_FORMAT_VERSION: u32 = 2;

/// Every format version [`crate::read_events`] accepts, oldest first.
pub const SUPPORTED_VERSIONS: &[u32] = &[1, 2];

/// The start of every line written in the current version: lines that begin this way take the
/// fast path (one typed parse, no intermediate [`Value`]).
pub(crate) const CURRENT_PREFIX: &str = "{\"v\":2,";

/// The start of version 1 lines as motcua wrote them: they take the fast path too, upcast.
pub(crate) const V1_PREFIX: &str = "{\"v\":1,";

/// The event types of the current version, as written in the `type` field.
///
/// ```
/// assert!(motcua_io::KNOWN_EVENT_TYPES.contains(&"supplement_supplied"));
/// ```
pub const KNOWN_EVENT_TYPES: [&str; 21] = motcua_core::EventKind::NAMES;

/// Whether `version` is one this crate reads.
pub(crate) fn is_supported(version: u64) -> bool {
    SUPPORTED_VERSIONS.iter().any(|v| u64::from(*v) == version)
}

/// Decodes a parsed line of format `version` into today's [`Event`], upcasting older versions.
///
/// Returns `None` for an unsupported version. To add version 3: bump [`EVENT_FORMAT_VERSION`],
/// [`CURRENT_PREFIX`] and [`SUPPORTED_VERSIONS`], move today's wire form to a frozen `v2` module
/// (`struct EventV2` + `fn upcast(EventV2) -> Event`) and add its arm, as `v1` has.
pub(crate) fn decode(version: u64, value: &Value) -> Option<Result<Event, serde_json::Error>> {
    match version {
        1 => Some(crate::v1::EventV1::deserialize(value).map(crate::v1::upcast)),
        2 => Some(Event::deserialize(value)),
        _ => None,
    }
}

/// `1, 2, …`: the supported versions for messages.
pub(crate) fn supported_list() -> String {
    let list: Vec<String> = SUPPORTED_VERSIONS.iter().map(u32::to_string).collect();
    list.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::EventKind;

    /// Fails to compile when core gains an event type, so the list above is updated with it.
    fn every_kind() -> Vec<EventKind> {
        use motcua_core::{Channel, ReturnMethod};
        let at = time::OffsetDateTime::UNIX_EPOCH;
        let kinds = vec![
            EventKind::Submitted {
                procedure: "P".into(),
                unit: "U".into(),
                channel: Channel::Online,
            },
            EventKind::Received {
                procedure: "P".into(),
                unit: "U".into(),
                channel: Channel::Postal,
            },
            EventKind::RefusedAtReception { reason: "r".into() },
            EventKind::StepStarted {
                step: "s".into(),
                unit: "U".into(),
            },
            EventKind::StepFinished { step: "s".into() },
            EventKind::Transferred {
                from: "U".into(),
                to: "V".into(),
            },
            EventKind::SupplementRequested { reason: "r".into() },
            EventKind::SupplementSupplied,
            EventKind::SupplementExpired,
            EventKind::PaymentRequested { amount_vnd: 1 },
            EventKind::PaymentMade { online: true },
            EventKind::ApologyIssued {
                new_due: at,
                reason: "r".into(),
            },
            EventKind::DueExtended {
                new_due: at,
                legal_basis: "b".into(),
            },
            EventKind::Withdrawn { reason: "r".into() },
            EventKind::Stopped { reason: "r".into() },
            EventKind::ResultReady { electronic: true },
            EventKind::ResultReturned {
                method: ReturnMethod::Online,
            },
            EventKind::Rated { satisfied: true },
            EventKind::Digitised {
                components: 3,
                digitised: 2,
                reused: 1,
            },
            EventKind::FeedbackFiled {
                summary: "f".into(),
            },
            EventKind::CalendarReevaluated {
                calendar: "c@0".into(),
            },
        ];
        for kind in &kinds {
            match kind {
                EventKind::Submitted { .. }
                | EventKind::Received { .. }
                | EventKind::RefusedAtReception { .. }
                | EventKind::StepStarted { .. }
                | EventKind::StepFinished { .. }
                | EventKind::Transferred { .. }
                | EventKind::SupplementRequested { .. }
                | EventKind::SupplementSupplied
                | EventKind::SupplementExpired
                | EventKind::PaymentRequested { .. }
                | EventKind::PaymentMade { .. }
                | EventKind::ApologyIssued { .. }
                | EventKind::DueExtended { .. }
                | EventKind::Withdrawn { .. }
                | EventKind::Stopped { .. }
                | EventKind::ResultReady { .. }
                | EventKind::ResultReturned { .. }
                | EventKind::Rated { .. }
                | EventKind::Digitised { .. }
                | EventKind::FeedbackFiled { .. }
                | EventKind::CalendarReevaluated { .. } => {}
            }
        }
        kinds
    }

    #[test]
    fn known_types_are_exactly_the_core_event_types() {
        let names: Vec<&str> = every_kind().iter().map(EventKind::name).collect();
        assert_eq!(names, KNOWN_EVENT_TYPES.to_vec());
    }

    #[test]
    fn current_prefix_matches_the_current_version() {
        assert_eq!(CURRENT_PREFIX, format!("{{\"v\":{EVENT_FORMAT_VERSION},"));
        assert_eq!(V1_PREFIX, format!("{{\"v\":{},", SUPPORTED_VERSIONS[0]));
        assert!(is_supported(u64::from(EVENT_FORMAT_VERSION)));
    }

    #[test]
    fn every_supported_version_has_a_decoder() {
        for v in SUPPORTED_VERSIONS {
            assert!(decode(u64::from(*v), &Value::Null).is_some(), "version {v}");
        }
    }

    #[test]
    fn unsupported_versions_decode_to_none() {
        assert!(decode(0, &Value::Null).is_none());
        assert!(decode(3, &Value::Null).is_none());
        assert!(!is_supported(0));
        assert!(!is_supported(3));
        assert_eq!(supported_list(), "1, 2");
    }
}
