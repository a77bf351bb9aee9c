//! Errors from reading event lines: where (line, and dossier and sequence when known) and what.

use crate::version::{supported_list, KNOWN_EVENT_TYPES};
use motcua_core::DossierId;
use std::fmt;

/// A line of an events file that could not be read as an event.
///
/// Displays as `line 17: dossier H26-0003, event 4: <what was wrong>`; the dossier and event
/// parts appear when the line names them.
///
/// ```
/// let text = "{\"v\":1,\"dossier_id\":\"D1\",\"sequence\":4,\"type\":\"teleported\"}\n";
/// let first = motcua_io::read_events(text.as_bytes()).next();
/// let err = first.and_then(Result::err).ok_or("expected an error")?;
/// assert_eq!(err.line, 1);
/// assert!(err.to_string().starts_with("line 1: dossier D1, event 4: unknown event type `teleported`"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ReadError {
    /// The 1-based line number.
    pub line: u64,
    /// The dossier the line names, if it could be read.
    pub dossier: Option<DossierId>,
    /// The event's sequence number, if it could be read.
    pub sequence: Option<u64>,
    /// What was wrong.
    pub kind: ReadErrorKind,
}

impl ReadError {
    /// The error for a line longer than [`crate::MAX_LINE_BYTES`], for readers that split a
    /// file into blocks of lines themselves (see [`crate::read_events_from_line`]).
    pub fn line_too_long(line: u64, length: u64) -> Self {
        Self::new(
            line,
            ReadErrorKind::LineTooLong {
                length,
                limit: crate::MAX_LINE_BYTES,
            },
        )
    }

    /// The error for a reader that failed at `line`.
    pub fn io(line: u64, error: std::io::Error) -> Self {
        Self::new(line, ReadErrorKind::Io(error))
    }

    pub(crate) fn new(line: u64, kind: ReadErrorKind) -> Self {
        ReadError {
            line,
            dossier: None,
            sequence: None,
            kind,
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match (&self.dossier, self.sequence) {
            (Some(d), Some(s)) => write!(f, "dossier {d}, event {s}: ")?,
            (Some(d), None) => write!(f, "dossier {d}: ")?,
            (None, Some(s)) => write!(f, "event {s}: ")?,
            (None, None) => {}
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ReadErrorKind::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// What was wrong with a line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The reader failed; reading stops here.
    #[error("could not read the line: {0}")]
    Io(std::io::Error),
    /// The line is longer than [`crate::MAX_LINE_BYTES`]; it was skipped without being held,
    /// and reading goes on at the next line.
    #[error("the line is {} bytes long, more than the {limit} bytes a line may have; expected one event per line, each well under 1 MiB (is this a JSON Lines events file?)", LineLength(*length))]
    LineTooLong {
        /// The line's length in bytes, without its end of line; [`crate::MEASURED_LINE_BYTES`]
        /// for a line that goes on beyond it (not read further: reading stops).
        length: u64,
        /// The limit, [`crate::MAX_LINE_BYTES`].
        limit: usize,
    },
    /// The line is not valid UTF-8.
    #[error("the line is not valid UTF-8 (from byte {column}); expected UTF-8 text")]
    NotUtf8 {
        /// The 1-based byte column of the first invalid byte.
        column: usize,
    },
    /// The line is not valid JSON.
    #[error("malformed JSON at column {column}: {message}; expected one JSON object per line")]
    Malformed {
        /// The 1-based column where the parser stopped.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The line is JSON but not an object.
    #[error("expected a JSON object (one event per line), found {found}")]
    NotAnObject {
        /// What kind of JSON value was found.
        found: &'static str,
    },
    /// The format version `v` is missing.
    #[error(
        "missing format version `v`; every line needs one, supported versions: {}",
        supported_list()
    )]
    MissingVersion,
    /// The format version `v` is not one this crate reads.
    #[error(
        "unsupported format version `v` = {found}; supported versions: {}",
        supported_list()
    )]
    UnsupportedVersion {
        /// The value found, as JSON.
        found: String,
    },
    /// The `type` names no event type.
    #[error("unknown event type `{found}`; known types: {}", KNOWN_EVENT_TYPES.join(", "))]
    UnknownType {
        /// The type found.
        found: String,
    },
    /// A required field is missing.
    #[error("missing field `{field}`")]
    MissingField {
        /// The field's name.
        field: String,
    },
    /// An instant without a UTC offset, such as `2024-03-04T09:00:00`.
    #[error("`{field}` is {value:?}, which has no UTC offset; instants must be RFC 3339 with an offset, e.g. \"2024-03-04T09:00:00+07:00\" (Vietnam time) or \"2024-03-04T02:00:00Z\"")]
    InstantWithoutOffset {
        /// The field.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// An instant that is not RFC 3339.
    #[error("`{field}` is {value}, which is not an RFC 3339 instant; expected e.g. \"2024-03-04T09:00:00+07:00\"")]
    BadInstant {
        /// The field.
        field: &'static str,
        /// The value found, as JSON.
        value: String,
    },
    /// Any other mismatch between the line and the event schema (a wrong type, a bad value).
    #[error("invalid event: {message}")]
    Invalid {
        /// The deserializer's message, naming the field and what was expected.
        message: String,
    },
}

/// A too long line's length as the error says it: exact, or "at least" where measuring stopped.
struct LineLength(u64);

impl std::fmt::Display for LineLength {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0 >= crate::MEASURED_LINE_BYTES {
            write!(f, "at least {}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_includes_the_known_context() {
        let mut e = ReadError::new(3, ReadErrorKind::MissingVersion);
        assert_eq!(
            e.to_string(),
            "line 3: missing format version `v`; every line needs one, supported versions: 1, 2"
        );
        e.dossier = Some(DossierId::new("D"));
        e.sequence = Some(2);
        assert!(e
            .to_string()
            .starts_with("line 3: dossier D, event 2: missing"));
        e.dossier = None;
        assert!(e.to_string().starts_with("line 3: event 2: missing"));
    }

    #[test]
    fn io_errors_are_the_source() {
        use std::error::Error;
        let e = ReadError::new(1, ReadErrorKind::Io(std::io::Error::other("disk")));
        assert!(e.source().is_some());
        assert!(ReadError::new(1, ReadErrorKind::MissingVersion)
            .source()
            .is_none());
    }

    #[test]
    fn unknown_type_lists_the_known_ones() {
        let text = ReadErrorKind::UnknownType { found: "x".into() }.to_string();
        assert!(text.contains("received, refused_at_reception"), "{text}");
    }
}
