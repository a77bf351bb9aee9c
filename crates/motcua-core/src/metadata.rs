//! Who recorded an event and in answer to what: the officer (*cán bộ xử lý*) or system, and
//! correlation / causation ids. Optional on every event; the fold, the rules and the deadlines
//! never read it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

/// Who recorded an event and in answer to what (optional; *cán bộ xử lý*).
///
/// Circular 01/2018's processing control sheet (form 05) names the officer of every step. The
/// ids let a host tie the events of one request together (`correlation_id`: the same for every
/// event a user's request caused, across dossiers) and name what caused an event
/// (`causation_id`: the id of the command or event it answers). motcua stores and returns them
/// and reports per officer; it never judges a dossier by them.
///
/// ```
/// use motcua_core::{EventMetadata, OfficerId};
///
/// let meta = EventMetadata::by(OfficerId::new("nguyen.van.a")?)
///     .with_correlation_id(uuid::Uuid::from_u128(7));
/// assert_eq!(meta.officer.as_ref().map(OfficerId::as_str), Some("nguyen.van.a"));
/// assert!(!meta.is_empty());
/// assert!(EventMetadata::default().is_empty());
/// # Ok::<(), motcua_core::OfficerIdError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The officer or system that recorded the event (a host's own id, e.g. an account name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<OfficerId>,
    /// The same for every event one request of the host caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The command or event this event answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
}

impl EventMetadata {
    /// Metadata naming only the officer who recorded the event.
    pub fn by(officer: OfficerId) -> Self {
        EventMetadata {
            officer: Some(officer),
            ..Self::default()
        }
    }

    /// The same metadata with `id` as its correlation id.
    pub fn with_correlation_id(self, id: Uuid) -> Self {
        EventMetadata {
            correlation_id: Some(id),
            ..self
        }
    }

    /// The same metadata with `id` as its causation id.
    pub fn with_causation_id(self, id: Uuid) -> Self {
        EventMetadata {
            causation_id: Some(id),
            ..self
        }
    }

    /// True when nothing is known: no officer and no ids (what events of format version 1 get).
    pub fn is_empty(&self) -> bool {
        self.officer.is_none() && self.correlation_id.is_none() && self.causation_id.is_none()
    }
}

/// The id of an officer or a system, as the host knows it (an account name, a staff code).
///
/// Validated when made and when read: not empty, no spaces at either end, no control
/// characters, at most [`OfficerId::MAX_LEN`] bytes. Cloning shares the text.
///
/// ```
/// use motcua_core::OfficerId;
/// let officer: OfficerId = "cb.tiepnhan.01".parse()?;
/// assert_eq!(officer.to_string(), "cb.tiepnhan.01");
/// assert!(OfficerId::new("").is_err());
/// assert!(OfficerId::new("a\u{1b}[31m").is_err());
/// # Ok::<(), motcua_core::OfficerIdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficerId(Arc<str>);

/// Why a text is not an officer id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfficerIdError {
    /// Empty, or only spaces.
    #[error("an officer id is empty; expected the host's id of the officer or system")]
    Empty,
    /// Spaces before or after the id.
    #[error("officer id {0:?} has spaces at its start or end")]
    Untrimmed(String),
    /// A control character (a line break, an escape…).
    #[error("officer id {0:?} contains a control character")]
    ControlCharacter(String),
    /// Longer than [`OfficerId::MAX_LEN`] bytes.
    #[error("an officer id is {0} bytes long; at most {max} are allowed", max = OfficerId::MAX_LEN)]
    TooLong(usize),
}

impl OfficerId {
    /// The longest id accepted, in bytes of UTF-8.
    pub const MAX_LEN: usize = 256;

    /// Checks and wraps the host's id of an officer or a system.
    ///
    /// # Errors
    /// [`OfficerIdError`] when the text is empty, has spaces at an end, contains a control
    /// character or is longer than [`OfficerId::MAX_LEN`] bytes.
    pub fn new(id: impl AsRef<str>) -> Result<Self, OfficerIdError> {
        let id = id.as_ref();
        if id.len() > Self::MAX_LEN {
            return Err(OfficerIdError::TooLong(id.len()));
        }
        if id.trim().is_empty() {
            return Err(OfficerIdError::Empty);
        }
        if id.trim() != id {
            return Err(OfficerIdError::Untrimmed(id.to_owned()));
        }
        if id.chars().any(char::is_control) {
            return Err(OfficerIdError::ControlCharacter(id.to_owned()));
        }
        Ok(OfficerId(Arc::from(id)))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OfficerId {
    type Err = OfficerIdError;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        Self::new(id)
    }
}

impl TryFrom<&str> for OfficerId {
    type Error = OfficerIdError;

    fn try_from(id: &str) -> Result<Self, Self::Error> {
        Self::new(id)
    }
}

impl Serialize for OfficerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Reads a string and checks it as an officer id.
struct OfficerText;

impl serde::de::Visitor<'_> for OfficerText {
    type Value = OfficerId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an officer id (a string)")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<OfficerId, E> {
        OfficerId::new(text).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for OfficerId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(OfficerText)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert_eq!(OfficerId::new("  "), Err(OfficerIdError::Empty));
        assert_eq!(
            OfficerId::new(" a"),
            Err(OfficerIdError::Untrimmed(" a".into()))
        );
        assert_eq!(
            OfficerId::new("a\nb"),
            Err(OfficerIdError::ControlCharacter("a\nb".into()))
        );
        let long = "x".repeat(OfficerId::MAX_LEN + 1);
        assert_eq!(
            OfficerId::new(&long),
            Err(OfficerIdError::TooLong(OfficerId::MAX_LEN + 1))
        );
        assert!(OfficerId::new("x".repeat(OfficerId::MAX_LEN)).is_ok());
        assert_eq!(
            OfficerId::new("Nguyễn Văn A").map(|o| o.to_string()),
            Ok("Nguyễn Văn A".to_owned())
        );
    }

    #[test]
    fn serde_omits_what_is_absent_and_checks_officers() {
        let meta =
            EventMetadata::by(OfficerId::new("a").unwrap()).with_causation_id(Uuid::from_u128(1));
        let json = serde_json::to_string(&meta).unwrap();
        assert_eq!(
            json,
            r#"{"officer":"a","causation_id":"00000000-0000-0000-0000-000000000001"}"#
        );
        assert_eq!(serde_json::from_str::<EventMetadata>(&json).unwrap(), meta);
        assert_eq!(
            serde_json::to_string(&EventMetadata::default()).unwrap(),
            "{}"
        );
        let err = serde_json::from_str::<EventMetadata>(r#"{"officer":""}"#).unwrap_err();
        assert!(
            err.to_string().starts_with("an officer id is empty"),
            "{err}"
        );
    }
}
