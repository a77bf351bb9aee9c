//! File formats for motcua: dossier events as versioned JSON Lines, and the procedure
//! catalogue as JSON.
//!
//! This crate does no I/O of its own: it reads from the [`std::io::BufRead`] and writes to the
//! [`std::io::Write`] the caller passes, and works on strings otherwise.
//!
//! - Events: [`read_events`] streams a JSON Lines file one line at a time, [`write_event`] and
//!   [`write_events`] produce the same format. Every line carries the format version `v`
//!   ([`EVENT_FORMAT_VERSION`]); older versions are upcast when read (see [`version`]).
//! - Catalogue: [`read_catalogue`] and [`write_catalogue`].
//!
//! Every error names where the problem is (line, column, dossier, event sequence, procedure or
//! unit) and what was expected. The formats are described in `docs/event-format.md` and
//! `docs/catalogue-format.md` at the repository root.
//!
//! ```
//! use motcua_core::{Channel, DossierId, Event, EventKind};
//! use time::macros::datetime;
//!
//! let event = Event {
//!     event_id: uuid::Uuid::from_u128(1),
//!     dossier_id: DossierId::new("H26-0001"),
//!     sequence: 1,
//!     occurred_at: datetime!(2024-03-04 09:00 +7),
//!     recorded_at: datetime!(2024-03-04 09:00 +7),
//!     kind: EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: Channel::InPerson },
//!     metadata: Default::default(),
//! };
//! let mut file = Vec::new();
//! motcua_io::write_event(&mut file, &event)?;
//! let back: Vec<Event> = motcua_io::read_events(file.as_slice()).collect::<Result<_, _>>()?;
//! assert_eq!(back, vec![event]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod catalogue;
mod catalogue_error;
mod diagnose;
mod fast;
mod read;
mod read_error;
mod seen_ids;
mod v1;
pub mod version;
mod write;

pub use catalogue::{read_catalogue, write_catalogue, CATALOGUE_FORMAT, CATALOGUE_VERSION};
pub use catalogue_error::CatalogueFileError;
pub use read::{
    read_events, read_events_from_line, EventReader, MAX_LINE_BYTES, MEASURED_LINE_BYTES,
};
pub use read_error::{ReadError, ReadErrorKind};
pub use seen_ids::IdHasher;
pub use version::{EVENT_FORMAT_VERSION, KNOWN_EVENT_TYPES, SUPPORTED_VERSIONS};
pub use write::{check_writable, write_event, write_events, WriteError};

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
