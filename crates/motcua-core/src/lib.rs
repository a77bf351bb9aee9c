//! The motcua dossier engine: procedures, lifecycle events, the decider, deadline rules and
//! derived views.
//!
//! Everything here is pure and synchronous: no I/O, no clock, no randomness. Time comes in as a
//! value (`as_of`).
//!
//! - [`procedure`]: the catalogue of procedures and units.
//! - [`event`]: the facts of a dossier's life; [`state`] folds them with [`state::evolve`];
//!   [`metadata`]: who recorded each (optional, never read by the fold).
//! - [`rules`]: which event may follow which state; [`decider`] wraps them in the decider pattern.
//! - [`deadline`]: due dates from procedure, calendar and events, with an explanation.
//! - [`view`]: a dossier as of an instant: status, dues, clock, time class.
//! - [`standing`]: a dossier's view at its last event, seen at any later instant without its
//!   events.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod alarm;
pub mod calendars;
pub mod deadline;
pub mod decider;
pub mod event;
mod hhmm;
pub mod ids;
mod isodate;
pub mod metadata;
pub mod procedure;
pub mod rules;
pub mod standing;
pub mod state;
pub mod status;
pub mod view;

pub use alarm::{Alarm, AlarmKind, Responsible};
pub use deadline::{
    DeadlineError, DueSoonWindow, Dues, Explanation, Granularity, JudgingRules, PauseCause,
    TraceEntry,
};
pub use decider::{fold, Command, Decider};
pub use event::{known_prefix, Event, EventKind, ReturnMethod};
pub use ids::{DossierId, ProcedureCode, UnitId};
pub use metadata::{
    step_handlers, DossierHandlers, EventMetadata, OfficerId, OfficerIdError, StepHandlers,
};
pub use motcua_calendar as calendar;
pub use procedure::{
    Catalogue, CatalogueError, Channel, Fee, Level, OnlineService, Procedure, ProcedureVersion,
    StepSpec, SupplementPolicy, TimeLimit, Unit, MAX_LIMIT_DAYS,
};
pub use rules::{DecideError, FIRST_YEAR, LAST_YEAR};
pub use standing::Standing;
pub use state::DossierState;
pub use status::Status;
pub use view::{
    ClockBasis, ClockState, Context, DossierView, LateReason, StepView, TimeClass, ViewError,
};

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
