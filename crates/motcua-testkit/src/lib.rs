//! Given / at / expect: test your own procedures and deadline rules the way motcua tests its own.
//!
//! Build a dossier's story with [`Story`] (every event goes through the decider, so an illegal
//! story fails at the line that wrote it), then state what must hold at an instant:
//!
//! ```
//! use motcua_testkit::{given, Story};
//! use motcua_core::{Catalogue, Channel, EventKind, Level, Procedure, ProcedureCode, Status, TimeLimit, Unit, UnitId};
//! use motcua_core::calendar::Calendar;
//! use time::macros::datetime;
//!
//! # let catalogue = Catalogue::new(
//! #     vec![Unit { id: UnitId::new("XA-01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
//! #     vec![Procedure { code: ProcedureCode::new("1.000894"), name: "Đăng ký kết hôn".into(), field: "Hộ tịch".into(),
//! #         level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(3),
//! #         supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(),
//! #         result_is_document: true, fees: vec![], steps: vec![] }],
//! # ).unwrap();
//! let calendar = Calendar::vietnam();
//! let events = Story::new(&catalogue, "XA-01-240426-0001")
//!     .then(datetime!(2024-04-26 16:50 +7), EventKind::Received {
//!         procedure: "1.000894".into(), unit: "XA-01".into(), channel: Channel::InPerson })
//!     .events();
//!
//! given(&catalogue, &calendar, events)
//!     .at(datetime!(2024-05-03 09:00 +7))
//!     .expect_status(Status::Received)
//!     .expect_due(datetime!(2024-05-04 16:50 +7)) // Saturday 4 May 2024 is a make-up working day
//!     .expect_overdue(false)
//!     .at(datetime!(2024-05-06 08:00 +7))
//!     .expect_overdue(true);
//! ```
//!
//! The `expect_*` methods panic with a message that names the dossier, the instant, what was
//! expected and what was found — like `assert_eq!`, they are for tests.
// The expect_* methods panic by design, like assert_eq!; nothing else may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use motcua_calendar::Calendar;
use motcua_core::{
    Catalogue, Command, Context, Decider, DossierState, DossierView, Event, EventKind, Status,
    TimeClass,
};
use time::OffsetDateTime;

/// One dossier's events, built through the decider.
pub struct Story<'a> {
    catalogue: &'a Catalogue,
    id: motcua_core::DossierId,
    state: DossierState,
    events: Vec<Event>,
}

impl<'a> Story<'a> {
    /// A new dossier with this id.
    pub fn new(catalogue: &'a Catalogue, dossier: &str) -> Self {
        Story {
            catalogue,
            id: motcua_core::DossierId::new(dossier),
            state: DossierState::default(),
            events: Vec::new(),
        }
    }

    /// Records that `kind` happened at `at` (and was recorded then).
    ///
    /// # Panics
    /// When the decider rejects the event: the story is not a legal one.
    #[track_caller]
    pub fn then(self, at: OffsetDateTime, kind: EventKind) -> Self {
        self.then_recorded(at, at, kind)
    }

    /// Records that `kind` happened at `at` and was recorded at `recorded_at`.
    ///
    /// # Panics
    /// When the decider rejects the event.
    #[track_caller]
    pub fn then_recorded(
        mut self,
        at: OffsetDateTime,
        recorded_at: OffsetDateTime,
        kind: EventKind,
    ) -> Self {
        let n = self.events.len() as u128 + 1;
        let command = Command {
            dossier_id: self.id.clone(),
            event_id: uuid::Uuid::from_u128(n),
            occurred_at: at,
            recorded_at,
            kind,
            metadata: Default::default(),
        };
        match Decider::new(self.catalogue).decide(command, &self.state) {
            Ok(events) => {
                for event in events {
                    self.state = Decider::evolve(std::mem::take(&mut self.state), &event);
                    self.events.push(event);
                }
            }
            Err(e) => panic!("the story of dossier {} is not legal: {e}", self.id),
        }
        self
    }

    /// The events written so far.
    pub fn events(self) -> Vec<Event> {
        self.events
    }
}

/// Events to judge, with the catalogue and calendar to judge them by.
pub struct Given<'a> {
    context: Context<'a>,
    events: Vec<Event>,
}

/// Starts a test: these events (one dossier's, in sequence order), this catalogue and calendar.
///
/// # Panics
/// When the events do not replay (checked with the decider's rules).
#[track_caller]
pub fn given<'a>(
    catalogue: &'a Catalogue,
    calendar: &'a Calendar,
    events: Vec<Event>,
) -> Given<'a> {
    if let Err(e) = Decider::new(catalogue).replay(&events) {
        panic!("given events do not replay: {e}");
    }
    Given {
        context: Context::new(catalogue, calendar),
        events,
    }
}

impl<'a> Given<'a> {
    /// Judges with other rules (granularity, due-soon window, supplement-count rule).
    pub fn with_rules(mut self, rules: motcua_core::JudgingRules) -> Self {
        self.context.rules = rules;
        self
    }

    /// The view at an instant, counting the events that happened by then.
    ///
    /// # Panics
    /// When no view can be built (no event by then, a procedure missing from the catalogue).
    #[track_caller]
    pub fn at(self, as_of: OffsetDateTime) -> At<'a> {
        let view = match self.context.view_events(&self.events, as_of) {
            Ok(view) => view,
            Err(e) => panic!("no view at {as_of}: {e}"),
        };
        At {
            given: self,
            as_of,
            view,
        }
    }
}

/// The view of the dossier at an instant, to state expectations about.
pub struct At<'a> {
    given: Given<'a>,
    as_of: OffsetDateTime,
    view: DossierView,
}

impl<'a> At<'a> {
    /// The view itself, for expectations the kit does not name.
    pub fn view(&self) -> &DossierView {
        &self.view
    }

    /// Moves to another instant.
    #[track_caller]
    pub fn at(self, as_of: OffsetDateTime) -> At<'a> {
        self.given.at(as_of)
    }

    #[track_caller]
    fn check<T: PartialEq + std::fmt::Debug>(self, what: &str, expected: T, found: T) -> Self {
        if expected != found {
            panic!(
                "dossier {} at {}: expected {what} {expected:?}, found {found:?}",
                self.view.dossier_id, self.as_of
            );
        }
        self
    }

    /// The status.
    #[track_caller]
    pub fn expect_status(self, status: Status) -> Self {
        let found = self.view.status;
        self.check("status", status, found)
    }

    /// Whether the dossier is open and past its official due.
    #[track_caller]
    pub fn expect_overdue(self, overdue: bool) -> Self {
        let found = self.view.time_class == TimeClass::Overdue;
        self.check("overdue", overdue, found)
    }

    /// The official due.
    #[track_caller]
    pub fn expect_due(self, due: OffsetDateTime) -> Self {
        let found = self.view.official_due;
        self.check("official due", Some(due), found)
    }

    /// The due promised to the applicant (after apologies).
    #[track_caller]
    pub fn expect_promised_due(self, due: OffsetDateTime) -> Self {
        let found = self.view.promised_due;
        self.check("promised due", Some(due), found)
    }

    /// The time class (early, on time, late, within time, due soon, overdue).
    #[track_caller]
    pub fn expect_time_class(self, class: TimeClass) -> Self {
        let found = self.view.time_class;
        self.check("time class", class, found)
    }

    /// How many workflow steps were late.
    #[track_caller]
    pub fn expect_late_steps(self, n: usize) -> Self {
        let found = self.view.late_steps();
        self.check("late steps", n, found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_core::{Channel, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
    use time::macros::datetime;

    fn catalogue() -> Catalogue {
        let unit = Unit {
            id: UnitId::new("U"),
            name: "U".into(),
            level: Level::Commune,
            parent: None,
        };
        let p = Procedure {
            code: ProcedureCode::new("P"),
            name: "P".into(),
            field: "f".into(),
            level: Level::Commune,
            units: vec![],
            time_limit: TimeLimit::WorkingDays(2),
            supplement_policy: Default::default(),
            payment_pauses_clock: false,
            supplement_time_limit: None,
            online_service: Default::default(),
            result_is_document: true,
            fees: vec![],
            steps: vec![],
        };
        match Catalogue::new(vec![unit], vec![p]) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    fn received(c: &Catalogue) -> Vec<Event> {
        Story::new(c, "D")
            .then(
                datetime!(2024-03-04 09:00 +7),
                EventKind::Received {
                    procedure: "P".into(),
                    unit: "U".into(),
                    channel: Channel::Online,
                },
            )
            .events()
    }

    #[test]
    fn expectations_that_hold_pass() {
        let c = catalogue();
        let cal = Calendar::vietnam();
        given(&c, &cal, received(&c))
            .at(datetime!(2024-03-05 09:00 +7))
            .expect_status(Status::Received)
            .expect_due(datetime!(2024-03-06 09:00 +7))
            .expect_time_class(TimeClass::DueSoon)
            .expect_late_steps(0);
    }

    #[test]
    #[should_panic(
        expected = "dossier D at 2024-03-07 9:00:00.0 +07:00:00: expected overdue false, found true"
    )]
    fn a_failed_expectation_names_the_dossier_instant_and_values() {
        let c = catalogue();
        let cal = Calendar::vietnam();
        given(&c, &cal, received(&c))
            .at(datetime!(2024-03-07 09:00 +7))
            .expect_overdue(false);
    }

    #[test]
    #[should_panic(expected = "the story of dossier D is not legal")]
    fn an_illegal_story_fails_where_it_is_written() {
        let c = catalogue();
        let _ = Story::new(&c, "D").then(
            datetime!(2024-03-04 09:00 +7),
            EventKind::SupplementSupplied,
        );
    }
}

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
