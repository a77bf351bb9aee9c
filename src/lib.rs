#![doc = include_str!("../README.md")]
//!
//! # Crates
//!
//! This facade re-exports the dossier engine ([`motcua_core`]) at its root, and the other
//! crates as modules: [`calendar`], [`io`], [`store`] (with the durable stores `sqlite` and
//! `postgres`), [`metrics`], [`pipeline`] (reports straight from stores, on every core),
//! [`render`] (the report as text, CSV, JSON and HTML; the forms of Circular 01/2018/TT-VPCP; the
//! national-portal record), [`gen`], and the [`time`] and [`uuid`] crates its API speaks in.
//!
//! # Features
//!
//! - `sqlite` (on by default): the embedded SQLite store, `motcua::sqlite` (compiles SQLite's
//!   C sources).
//! - `postgres` (off by default): the PostgreSQL store, `motcua::postgres` (the synchronous
//!   `postgres` client, which brings tokio).
//!
//! With `default-features = false` the facade is the engine, the calendar, the metrics, the
//! file formats, the in-memory store and the pipeline, without any C code or database client.

pub use motcua_core::*;

pub use motcua_calendar as calendar;
pub use motcua_gen as gen;
pub use motcua_io as io;
pub use motcua_metrics as metrics;
pub use motcua_pipeline as pipeline;
/// The PostgreSQL store (feature `postgres`).
#[cfg(feature = "postgres")]
pub use motcua_postgres as postgres;
pub use motcua_render as render;
/// The embedded SQLite store (feature `sqlite`, on by default).
#[cfg(feature = "sqlite")]
pub use motcua_sqlite as sqlite;
pub use motcua_store as store;

/// Deadline rules with worked examples (each one runs as a test).
#[doc = include_str!("../docs/deadline-rules.md")]
pub mod deadline_rules {}

/// The `time` crate, with its `macros` feature: `motcua::time::macros::datetime!` works in a
/// crate that depends on `motcua` alone.
pub use time;
/// The `uuid` crate (event ids are [`uuid::Uuid`]s).
pub use uuid;
