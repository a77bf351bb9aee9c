//! The desk's live projection: the open dossiers (*hồ sơ đang giải quyết*) with their events,
//! their current unit, status and procedure, and the instants at which their judgement will
//! change (alarms), kept current from the log.
//!
//! A desk asks two questions all day: "which dossiers does my unit hold" and "which dossiers
//! change their judgement in this window". Answering either by reading every dossier of a
//! province takes seconds; the projection answers both through an index. It is a table of
//! *what is open* and *when it may ring*, each row with the dossier's whole event stream and
//! its [standing](motcua_core::Standing) (its view at its last event, with what it takes to see
//! it later). A reader takes the matching rows and judges them as of its own instant with the
//! same [`Context`](motcua_core::Context) a full scan uses: from their events
//! ([`OpenReader::in_units`], [`OpenReader::ringing`]), or from their standings without
//! reading an event ([`OpenReader::entries`], or a page at a time with
//! [`OpenReader::each_page`] so that a long list never holds all its standings; the standing
//! law, property-tested in `tests/standing_law.rs`, makes both the same). The answer is
//! therefore exactly the full scan's, provided that
//!
//! - the projection has seen every event up to its [`OpenHead::position`], and the reader adds
//!   the events committed since ([`OpenReader`] reads that tail and the streams it touches);
//! - the instant asked about is not before [`OpenHead::latest_occurred_at`]: a dossier open
//!   now may have been finished, or not yet received, at an earlier instant;
//! - for the alarm window and for standings, the alarm instants and the standings were
//!   computed with the reader's catalogue and calendar ([`OpenHead::context`], a fingerprint
//!   the host chooses; see [`fingerprint`]); otherwise the reader reads events.
//!
//! When one of these fails, [`OpenReader`] says so (`None`) and the caller reads every
//! dossier instead.
//!
//! Who keeps it current: [`catch_up`] reads the log after the projection's position, re-reads
//! the streams of the dossiers it touches, and writes their rows and the new position in one
//! transaction ([`OpenDossierTable::apply_open`]); [`rebuild`] makes it from scratch with one
//! ordered scan. `motcua import`, `motcua gen --store` and `motcua follow` call them; a host
//! that records through [`Desk`](crate::Desk) calls [`catch_up`] when it likes (after each
//! command, or from a timer). The rows after any sequence of catch-ups are the rows of a
//! rebuild (tested for every store in the conformance suite).

mod maintain;
mod read;
mod table;

pub use maintain::{catch_up, fingerprint, rebuild, row_of, CatchUp, MOVED_RETRIES, REBUILD_GAP};
pub use read::{OpenEntry, OpenReader, FEW_WITHOUT_HANDLERS, TAIL_LIMIT};
pub use table::{
    columns, decode_events, decode_events_shared, encode_events, OpenChange, OpenDossier,
    OpenDossierTable, OpenHead, Page, RowAlarms, Selection, StandingRows, StoredStanding,
};
