#![doc = include_str!("../README.md")]
//!
//! # Crates
//!
//! This facade re-exports the dossier engine ([`motcua_core`]) at its root, and the other
//! crates as modules: [`calendar`], [`io`], [`store`] (with the durable stores [`sqlite`] and
//! [`postgres`]), [`metrics`], [`pipeline`] (reports straight from stores, on every core), [`gen`].

pub use motcua_core::*;

pub use motcua_calendar as calendar;
pub use motcua_gen as gen;
pub use motcua_io as io;
pub use motcua_metrics as metrics;
pub use motcua_pipeline as pipeline;
pub use motcua_postgres as postgres;
pub use motcua_sqlite as sqlite;
pub use motcua_store as store;

/// Deadline rules with worked examples (each one runs as a test).
#[doc = include_str!("../docs/deadline-rules.md")]
pub mod deadline_rules {}

pub use time;
pub use uuid;
