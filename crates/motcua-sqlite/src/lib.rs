//! A durable, embedded event store for motcua: one SQLite file (SQLite is compiled in, so
//! there is nothing to install).
//!
//! [`SqliteStore`] implements [`motcua_store::EventStore`] and
//! [`motcua_store::CheckpointStore`] and passes the same conformance suite as the in-memory
//! store. It also keeps the procedure catalogue ([`SqliteStore::save_catalogue`]), so one file
//! is enough to report from: every different catalogue it was given, as numbered records
//! ([`motcua_store::catalogue_records::CatalogueRecords`]), the latest being the catalogue.
//!
//! Durability: WAL journal with `synchronous = FULL`, so an append that returned is on disk
//! (see [`SqliteStore`]). Schema: versioned with migrations ([`SCHEMA_VERSION`]); a file that
//! is not a motcua store, or comes from a newer version, is refused with
//! [`SqliteError::NotAStore`] or [`SqliteError::NewerSchema`] and left unchanged.
//!
//! Readers open a store with [`SqliteStore::open_read_only`]: no write lock, nothing written,
//! a snapshot of what was committed while writers go on.
//!
//! ```
//! use motcua_core::{Channel, DossierId, Event, EventKind};
//! use motcua_sqlite::SqliteStore;
//! use motcua_store::{EventStore, ExpectedVersion};
//! use time::macros::datetime;
//!
//! let dir = std::env::temp_dir().join(format!("motcua-sqlite-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("events.db");
//! # let _ = std::fs::remove_file(&path);
//! let dossier = DossierId::new("H26-0001");
//! let event = Event {
//!     event_id: uuid::Uuid::from_u128(1),
//!     dossier_id: dossier.clone(),
//!     sequence: 1,
//!     occurred_at: datetime!(2024-03-04 09:00 +7),
//!     recorded_at: datetime!(2024-03-04 09:00 +7),
//!     kind: EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: Channel::InPerson },
//!     metadata: Default::default(),
//! };
//! {
//!     let store = SqliteStore::open(&path)?;
//!     store.append(&dossier, ExpectedVersion::NoStream, &[event.clone()])?;
//! }
//! let reopened = SqliteStore::open(&path)?;
//! assert_eq!(reopened.read_stream(&dossier)?, vec![event]);
//! # drop(reopened);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod access;
mod catalogue;
mod error;
mod import;
mod import_streams;
mod import_writer;
mod open_dossiers;
mod pool;
mod scan;
mod schema;
mod standings;
mod store;

pub use access::BUSY_TIMEOUT_VAR;
pub use error::SqliteError;
pub use import::SqliteImport;
pub use schema::{
    APPLICATION_ID, CATALOGUE_RECORDS_SINCE, DOSSIER_STANDINGS_SINCE, LINKED_SINCE, READABLE_SINCE,
    SCHEMA_VERSION,
};
pub use store::SqliteStore;

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
