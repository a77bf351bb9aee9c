//! The decider: `decide` turns a command into events after checking it against the state,
//! `evolve` folds events into state, `initial_state` and `is_terminal` bound the stream.

use crate::event::{Event, EventKind};
use crate::ids::DossierId;
use crate::metadata::EventMetadata;
use crate::procedure::Catalogue;
use crate::rules::{self, DecideError};
use crate::state::{self, DossierState};
use crate::status::Status;
use time::OffsetDateTime;
use uuid::Uuid;

/// A request to record that something happened to a dossier.
///
/// The host supplies the event id and both instants: the core has no clock and no randomness.
/// It may say who is acting ([`Command::with_metadata`]): every event the command produces
/// carries that metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The dossier.
    pub dossier_id: DossierId,
    /// The id the resulting event will carry (for idempotent appends).
    pub event_id: Uuid,
    /// When it happened.
    pub occurred_at: OffsetDateTime,
    /// When it is recorded.
    pub recorded_at: OffsetDateTime,
    /// What happened.
    pub kind: EventKind,
    /// Who is acting and in answer to what: stored on every event the command produces.
    pub metadata: EventMetadata,
}

impl Command {
    /// A command recorded at the instant it happened, with no metadata.
    pub fn new(dossier_id: DossierId, event_id: Uuid, at: OffsetDateTime, kind: EventKind) -> Self {
        Command {
            dossier_id,
            event_id,
            occurred_at: at,
            recorded_at: at,
            kind,
            metadata: EventMetadata::default(),
        }
    }

    /// The same command, acting as `metadata` says (the officer, correlation and causation
    /// ids the host knows).
    ///
    /// ```
    /// use motcua_core::{Command, DossierId, EventKind, EventMetadata, OfficerId};
    /// let officer = OfficerId::new("cb.xa01.tiepnhan")?;
    /// let command = Command::new(DossierId::new("D1"), uuid::Uuid::from_u128(1),
    ///     time::macros::datetime!(2024-03-04 09:00 +7), EventKind::SupplementSupplied)
    ///     .with_metadata(EventMetadata::by(officer.clone()));
    /// assert_eq!(command.metadata.officer, Some(officer));
    /// # Ok::<(), motcua_core::OfficerIdError>(())
    /// ```
    pub fn with_metadata(self, metadata: EventMetadata) -> Self {
        Command { metadata, ..self }
    }
}

/// The dossier decider, checking commands against a catalogue.
///
/// ```
/// use motcua_core::{Catalogue, Channel, Command, Decider, DossierId, EventKind, Status};
/// # use motcua_core::{Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(
/// #     vec![Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
/// #     vec![Procedure { code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(),
/// #         field: "Hộ tịch".into(), level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
/// #         supplement_policy: Default::default(), payment_pauses_clock: false, supplement_time_limit: None, online_service: Default::default(),
/// #         result_is_document: true, fees: vec![], steps: vec![] }],
/// # )?;
/// use time::macros::datetime;
///
/// let decider = Decider::new(&catalogue);
/// let received = Command::new(
///     DossierId::new("D1"),
///     uuid::Uuid::from_u128(1),
///     datetime!(2024-03-04 09:00 +7),
///     EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: Channel::InPerson },
/// );
/// let events = decider.decide(received, &Decider::initial_state())?;
/// let state = events.iter().fold(Decider::initial_state(), Decider::evolve);
/// assert_eq!(state.status, Some(Status::Received));
///
/// // A result cannot be returned before it is ready.
/// let early = Command::new(DossierId::new("D1"), uuid::Uuid::from_u128(2), datetime!(2024-03-04 10:00 +7),
///     EventKind::ResultReturned { method: motcua_core::ReturnMethod::InPerson });
/// assert!(decider.decide(early, &state).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Decider<'a> {
    catalogue: &'a Catalogue,
}

impl<'a> Decider<'a> {
    /// A decider that knows the host's procedures and units.
    pub fn new(catalogue: &'a Catalogue) -> Self {
        Decider { catalogue }
    }

    /// The state of a dossier with no events.
    pub fn initial_state() -> DossierState {
        DossierState::default()
    }

    /// Checks the command against the state and returns the events it produces.
    ///
    /// Nothing changes on error: the state is borrowed, and the error says what was expected.
    pub fn decide(
        &self,
        command: Command,
        state: &DossierState,
    ) -> Result<Vec<Event>, DecideError> {
        let event = Event {
            event_id: command.event_id,
            dossier_id: command.dossier_id,
            sequence: state.version.saturating_add(1),
            occurred_at: command.occurred_at,
            recorded_at: command.recorded_at,
            metadata: command.metadata,
            kind: command.kind,
        };
        rules::check(&event, state, self.catalogue)?;
        Ok(vec![event])
    }

    /// Applies one event: total and deterministic (see [`state::evolve`]).
    pub fn evolve(state: DossierState, event: &Event) -> DossierState {
        state::evolve(state, event)
    }

    /// True when the stream accepts no further event: refused, withdrawn, stopped, or a result
    /// returned and rated.
    pub fn is_terminal(state: &DossierState) -> bool {
        match state.status {
            Some(Status::Refused | Status::Withdrawn | Status::Stopped) => true,
            Some(Status::Returned) => state.satisfied.is_some(),
            _ => false,
        }
    }

    /// Checks and folds a whole stream, in sequence order.
    pub fn replay<'e>(
        &self,
        events: impl IntoIterator<Item = &'e Event>,
    ) -> Result<DossierState, DecideError> {
        events
            .into_iter()
            .try_fold(Self::initial_state(), |state, event| {
                rules::check(event, &state, self.catalogue)?;
                Ok(state::evolve(state, event))
            })
    }
}

/// Folds trusted events (already checked, e.g. read back from a store) without checking them.
pub fn fold<'e>(events: impl IntoIterator<Item = &'e Event>) -> DossierState {
    events
        .into_iter()
        .fold(DossierState::default(), state::evolve)
}
