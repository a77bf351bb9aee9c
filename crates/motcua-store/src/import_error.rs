//! Errors from importing JSON Lines: each names the line, the dossier and the event sequence.

use crate::error::StoreError;
use motcua_core::{DecideError, DossierId};
use motcua_io::ReadError;
use uuid::Uuid;

/// Why an import was refused. Nothing was stored.
///
/// Displays like `line 17: dossier H26-0003, event 4: `supplement_supplied` is not allowed when
/// the dossier is processing; expected a dossier waiting for a supplement`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A line could not be read as an event.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The event breaks the dossier rules given the dossier's earlier events.
    #[error("line {line}: {source}")]
    Rejected {
        /// 1-based line.
        line: u64,
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The rule broken.
        source: DecideError,
    },
    /// Two lines of the file carry the same event id.
    #[error("line {line}: dossier {dossier}, event {sequence}: event id {event_id} is already used on line {first_line}; every event needs its own id")]
    DuplicateInFile {
        /// The later line.
        line: u64,
        /// The earlier line with the same id.
        first_line: u64,
        /// The dossier of the later line.
        dossier: DossierId,
        /// The sequence number of the later line.
        sequence: u64,
        /// The repeated id.
        event_id: Uuid,
    },
    /// The event's id is already stored in the dossier's stream.
    #[error("line {line}: dossier {dossier}, event {sequence}: event id {event_id} is already stored as event {stored_sequence} of this dossier; import only events the store does not hold yet")]
    AlreadyStored {
        /// 1-based line.
        line: u64,
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number in the file.
        sequence: u64,
        /// The id.
        event_id: Uuid,
        /// The stored event's sequence number.
        stored_sequence: u64,
    },
    /// The store refused the append because of this line's event (an id used by another
    /// dossier, or a concurrent append to the dossier).
    #[error("line {line}: {source}")]
    StoreRefused {
        /// 1-based line.
        line: u64,
        /// The dossier.
        dossier: DossierId,
        /// The event's sequence number.
        sequence: u64,
        /// The store's reason.
        source: StoreError,
    },
    /// The store failed in a way no line explains.
    #[error("the store failed, nothing was imported: {0}")]
    Store(#[source] StoreError),
    /// The events' source (not a file: a generator, say) failed after handing over `after`
    /// events ([`import_results`](crate::import_results)).
    #[error("the events could not be produced after {after} of them: {source}")]
    Source {
        /// Events handed over before the failure.
        after: u64,
        /// The source's reason.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ImportError {
    /// The 1-based line the error is about, if any.
    ///
    /// ```
    /// use motcua_store::{ImportError, StoreError};
    /// assert_eq!(ImportError::Store(StoreError::Backend("down".into())).line(), None);
    /// ```
    pub fn line(&self) -> Option<u64> {
        match self {
            ImportError::Read(e) => Some(e.line),
            ImportError::Rejected { line, .. }
            | ImportError::DuplicateInFile { line, .. }
            | ImportError::AlreadyStored { line, .. }
            | ImportError::StoreRefused { line, .. } => Some(*line),
            ImportError::Store(_) | ImportError::Source { .. } => None,
        }
    }

    /// The dossier the error is about, if any: the dossier of the refused event.
    ///
    /// ```
    /// use motcua_store::{ImportError, StoreError};
    /// assert_eq!(ImportError::Store(StoreError::Backend("down".into())).dossier(), None);
    /// ```
    pub fn dossier(&self) -> Option<&DossierId> {
        match self {
            ImportError::Read(_) | ImportError::Store(_) | ImportError::Source { .. } => None,
            ImportError::Rejected { dossier, .. }
            | ImportError::DuplicateInFile { dossier, .. }
            | ImportError::AlreadyStored { dossier, .. }
            | ImportError::StoreRefused { dossier, .. } => Some(dossier),
        }
    }
}
