//! A PostgreSQL event store for motcua, through the synchronous `postgres` client (the async
//! runtime it uses internally stays inside this crate; the rest of motcua has none).
//!
//! [`PgStore`] implements [`motcua_store::EventStore`] and [`motcua_store::CheckpointStore`]
//! and passes the same conformance suite as the other stores. Its global order is safe to
//! follow: a reader asking for positions above the last it saw never skips one, because
//! appenders are serialised on a one-row counter (see [`PgStore`]).
//!
//! The store lives in a PostgreSQL schema of its choosing, so several stores (or test runs)
//! share a database without meeting. Its tables are versioned ([`SCHEMA_VERSION`]) and
//! migrated on connect; a newer version is refused with [`PgError::NewerSchema`]. Readers use
//! [`PgStore::connect_read_only`], which creates nothing and writes nothing. The store keeps
//! the catalogue too ([`PgStore::catalogue`]), written in the import's transaction: every
//! different catalogue it was given, as numbered records
//! ([`motcua_store::catalogue_records::CatalogueRecords`]), the latest being the catalogue.
//!
//! ```no_run
//! use motcua_core::{Channel, DossierId, Event, EventKind};
//! use motcua_postgres::PgStore;
//! use motcua_store::{EventStore, ExpectedVersion};
//! use time::macros::datetime;
//!
//! let url = std::env::var("MOTCUA_PG_URL")?;
//! let store = PgStore::connect(&url, "motcua_example")?;
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
//! store.append(&dossier, ExpectedVersion::NoStream, &[event])?;
//! assert_eq!(store.read_all(0, 10)?.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod catalogue;
mod error;
mod import;
mod open_dossiers;
mod pool;
mod scan;
mod schema;
mod standings;
mod store;

pub use error::PgError;
pub use import::PgImport;
pub use schema::{CATALOGUE_RECORDS_SINCE, DOSSIER_STANDINGS_SINCE, SCHEMA_VERSION};
pub use store::PgStore;

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
