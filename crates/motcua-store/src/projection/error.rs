//! Errors from running projections.

use crate::error::StoreError;

/// Why a projection could not be loaded or advanced. The saved checkpoint is unchanged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProjectionError {
    /// Reading events or saving the checkpoint failed.
    #[error("projection {name}: {source}")]
    Store {
        /// The projection's name.
        name: String,
        /// The store's error.
        source: StoreError,
    },
    /// The saved state could not be decoded (written by another version, or damaged).
    #[error("projection {name}: the checkpoint at position {position} cannot be read: {message}; rebuild the projection")]
    Corrupt {
        /// The projection's name.
        name: String,
        /// The checkpoint's position.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// The log returned a position other than the next one: the store broke its ordering rule.
    #[error("projection {name}: expected the event at position {expected}, got position {found}; the store's global order has a gap")]
    Gap {
        /// The projection's name.
        name: String,
        /// The position expected.
        expected: u64,
        /// The position read.
        found: u64,
    },
    /// An earlier step failed after applying events in memory; the runner must be resumed.
    #[error(
        "projection {name}: an earlier step failed; resume the projection from its checkpoint"
    )]
    Stale {
        /// The projection's name.
        name: String,
    },
}
