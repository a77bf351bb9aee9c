//! Renderers for [motcua](https://example.invalid/motcua): pure functions from a dossier's or a
//! province's data to the text a clerk, a leader or a host's sync job reads.
//!
//! - [`report`]: the province report as aligned text ([`report::table`]), CSV one table at a
//!   time ([`report::csv`]), JSON ([`report::json`]) and a self-contained HTML page
//!   ([`report::html`]), with labels in English or Vietnamese ([`Lang`]).
//! - [`forms`]: the forms of Circular 01/2018/TT-VPCP from a dossier's events (01 receipt,
//!   02 request to supplement, 03 refusal, 04 apology, 05 processing control sheet, 06 tracking
//!   log), as versioned JSON data and printable A4 HTML.
//! - [`portal`]: the record a one-stop system syncs to the national public-service portal,
//!   per dossier, with the log position it is current to.
//! - [`escape`]: outside text made safe for terminals, CSV cells and HTML.
//! - [`mod@format`]: durations, counts and instants as people read them.
//!
//! Nothing here reads a file, a clock or a random source: the same inputs give the same bytes.
//! Writing the text somewhere is the caller's job (the `motcua` command-line tool writes it to
//! standard output or a file).

#![forbid(unsafe_code)]

mod error;
pub mod escape;
pub mod format;
pub mod forms;
pub mod portal;
pub mod report;
pub mod width;
pub mod words;

pub use error::RenderError;
pub use report::labels::Lang;

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
