//! The generator's error type.

use motcua_calendar::CalendarError;
use motcua_core::deadline::DeadlineError;
use motcua_core::{CatalogueError, DecideError};
use std::fmt;

/// Why a sample could not be generated.
///
/// A [`GenError::Decide`] or [`GenError::Deadline`] is a bug in the generator (it builds every
/// event through the core decider and never emits an invalid one); the other variants come from
/// the configuration.
///
/// ```
/// use motcua_gen::{generate, GenConfig, GenError};
/// let err = generate(&GenConfig { dossiers: 10, seed: 1, year: 1800 }).unwrap_err();
/// assert!(matches!(err, GenError::Config(_)));
/// assert!(err.to_string().contains("1800"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum GenError {
    /// The configuration cannot be generated (e.g. a year outside the supported range).
    Config(String),
    /// The working calendar does not cover an instant the generator needed.
    Calendar(CalendarError),
    /// The generated catalogue was rejected by the core.
    Catalogue(CatalogueError),
    /// The core decider rejected a generated event (a generator bug).
    Decide(DecideError),
    /// A due date could not be computed (a generator bug or a calendar gap).
    Deadline(DeadlineError),
}

impl fmt::Display for GenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenError::Config(msg) => write!(f, "invalid generator configuration: {msg}"),
            GenError::Calendar(e) => write!(f, "calendar: {e}"),
            GenError::Catalogue(e) => write!(f, "generated catalogue rejected: {e}"),
            GenError::Decide(e) => write!(
                f,
                "generated event rejected by the decider (generator bug): {e}"
            ),
            GenError::Deadline(e) => write!(f, "due date computation failed: {e}"),
        }
    }
}

impl std::error::Error for GenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            GenError::Config(_) => None,
            GenError::Calendar(e) => Some(e),
            GenError::Catalogue(e) => Some(e),
            GenError::Decide(e) => Some(e),
            GenError::Deadline(e) => Some(e),
        }
    }
}

impl From<CalendarError> for GenError {
    fn from(e: CalendarError) -> Self {
        GenError::Calendar(e)
    }
}

impl From<CatalogueError> for GenError {
    fn from(e: CatalogueError) -> Self {
        GenError::Catalogue(e)
    }
}

impl From<DecideError> for GenError {
    fn from(e: DecideError) -> Self {
        GenError::Decide(e)
    }
}

impl From<DeadlineError> for GenError {
    fn from(e: DeadlineError) -> Self {
        GenError::Deadline(e)
    }
}
