//! Event stores for motcua dossiers.
//!
//! - [`EventStore`]: the trait every store implements: one stream per dossier, optimistic
//!   concurrency with [`ExpectedVersion`], idempotent appends by event id, atomic appends across
//!   streams, and a global commit order ([`StoredEvent::position`]).
//! - [`CheckpointStore`]: where projections save their position and state, in the same store.
//! - [`Desk`]: the write path: [`Desk::record`] loads a dossier's stream, decides a command
//!   against its state, appends with the expected version (retrying a few times after a
//!   concurrent append) and returns the new events and the dossier's view; a re-sent command
//!   returns its first result and stores nothing twice.
//! - [`chain`] and [`audit`]: the tamper-evident log: every stored event carries a SHA-256 link
//!   chained to the previous event of its dossier; reads check numbering and links
//!   ([`StoreError::Damaged`]), [`audit::audit`] checks a whole store (`motcua verify`) and
//!   computes its digest.
//! - [`catalogue_records`]: every catalogue a store was given, numbered, hashed and dated by
//!   log position ([`catalogue_records::CatalogueRecords`]), so a report can say which
//!   catalogue judged; [`catalogue_records::check_records`] checks them for `motcua verify`.
//! - [`InMemoryStore`]: the reference implementation.
//! - [`projection`]: projections kept current from the log, resumable after a crash.
//! - [`conformance`]: the test suite every store must pass, using only the trait.
//! - [`import_jsonl`] and [`export_jsonl`]: JSON Lines in and out; an import checks every
//!   event against the dossier rules and appends all or nothing, streaming through an
//!   [`ImportSession`] ([`EventStore::begin_import`]) so its memory does not grow with the
//!   file ([`import_jsonl_with`] adds options and progress reports, [`import_events`] takes
//!   events from an iterator, [`import_results`] from one that can fail).
//!
//! Stores check stream mechanics (numbering, versions, ids), not domain rules: those are
//! [`motcua_core::rules::check`]'s job, called by the decider and by [`import_jsonl`].
//!
//! ```
//! use motcua_core::{DossierId, Event, EventKind};
//! use motcua_store::{EventStore, ExpectedVersion, InMemoryStore};
//! use time::macros::datetime;
//!
//! let store = InMemoryStore::new();
//! let dossier = DossierId::new("H26-0001");
//! let event = Event {
//!     event_id: uuid::Uuid::from_u128(1),
//!     dossier_id: dossier.clone(),
//!     sequence: 1,
//!     occurred_at: datetime!(2024-03-04 09:00 +7),
//!     recorded_at: datetime!(2024-03-04 09:00 +7),
//!     kind: EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: motcua_core::Channel::InPerson },
//!     metadata: Default::default(),
//! };
//! let appended = store.append(&dossier, ExpectedVersion::NoStream, &[event.clone()])?;
//! assert_eq!((appended.first_position, appended.stream_version), (1, 1));
//! // Re-sending the same event is harmless: same position, nothing added.
//! assert_eq!(store.append(&dossier, ExpectedVersion::NoStream, &[event])?, appended);
//! assert_eq!(store.last_position()?, 1);
//! # Ok::<(), motcua_store::StoreError>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod audit;
mod batch;
pub mod catalogue_records;
pub mod chain;
mod checkpoint;
pub mod codec;
// The conformance suite is a test suite for stores: its checks panic on failure, like assert!.
#[allow(clippy::panic)]
pub mod conformance;
mod desk;
mod error;
mod export;
mod import;
mod import_error;
mod import_memory;
mod import_read_ahead;
mod log_scan;
mod memory;
pub mod open_dossiers;
pub mod projection;
mod scan;
mod session;
pub mod standings;
mod store;

pub use batch::{plan_batch, same_content, BatchPlan};
pub use checkpoint::{Checkpoint, CheckpointStore};
pub use desk::{Desk, RecordError, Recorded};
pub use error::StoreError;
pub use export::{export_jsonl, ExportError};
pub use import::{
    import_events, import_jsonl, import_jsonl_with, import_results, ImportOptions, ImportProgress,
    ImportSummary,
};
pub use import_error::ImportError;
pub use log_scan::{NewestFirst, StoredStream};
pub use memory::InMemoryStore;
pub use scan::{even_bounds, DossierRange, DossierScan, LogRow, StreamGrouper};
pub use session::{
    ImportSession, RepeatedId, SessionStream, StagedImport, StoredLookup, SESSION_COMMITTED,
};
pub use store::{Appended, EventStore, ExpectedVersion, StoreResult, StoredEvent, StreamBatch};

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
