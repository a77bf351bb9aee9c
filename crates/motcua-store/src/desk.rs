//! The write path: a [`Desk`] records a command against a store in one call — load the
//! dossier's stream, decide the command against its state, append with the expected version,
//! retry on a concurrent append — and returns the new events with the dossier's new view.

use crate::batch::same_content;
use crate::error::StoreError;
use crate::store::{Appended, EventStore, ExpectedVersion};
use motcua_core::{
    fold, Command, Context, DecideError, Decider, DossierId, DossierView, Event, ViewError,
};
use time::OffsetDateTime;
use uuid::Uuid;

/// A one-stop desk over a store: records commands and shows the dossier after each.
///
/// [`Desk::record`] loads the dossier's stream, decides the command against its state with the
/// core [`Decider`], builds the view the new events give, and appends them with the version it
/// read ([`ExpectedVersion::at`]). When another writer appended to the dossier in between, it
/// reads the stream again and decides again, up to [`Desk::with_retries`] times.
///
/// The host says who is acting on the command ([`Command::with_metadata`]: the officer, and
/// the correlation and causation ids it keeps): every event the command produces is stored
/// with that metadata. It is never read by the rules or the view.
///
/// Re-sending a command whose event id is already stored in the dossier, with the same
/// content (metadata included), stores nothing and returns the first result again (with
/// [`Recorded::resent`] set). The same id with other content is [`RecordError::EventIdReused`].
///
/// Nothing is stored when the command is refused, when its view cannot be built, or on any
/// error.
///
/// ```
/// use motcua_core::calendar::Calendar;
/// use motcua_core::{Channel, Command, Context, DossierId, EventKind, EventMetadata, OfficerId, Status};
/// use motcua_store::{Desk, InMemoryStore, RecordError};
/// use time::macros::datetime;
///
/// let catalogue = motcua_io::read_catalogue(r#"{"format": "motcua-catalogue", "version": 1,
///   "units": [{"id": "XA-01", "name": "UBND phường Tân Phong", "level": "commune"}],
///   "procedures": [{"code": "1.000894", "name": "Đăng ký kết hôn", "field": "Hộ tịch",
///     "level": "commune", "time_limit": {"working_days": 3}}]}"#)?;
/// let calendar = Calendar::vietnam();
/// let store = InMemoryStore::new();
/// let desk = Desk::new(&store, Context::new(&catalogue, &calendar));
///
/// let id = DossierId::new("XA-01-240426-0001");
/// let officer = OfficerId::new("cb.tanphong.01")?;
/// let received = Command::new(id.clone(), uuid::Uuid::from_u128(1), datetime!(2024-04-26 16:50 +7),
///     EventKind::Received { procedure: "1.000894".into(), unit: "XA-01".into(), channel: Channel::Online })
///     .with_metadata(EventMetadata::by(officer.clone()));
/// let recorded = desk.record(received.clone())?;
/// assert_eq!(recorded.view.status, Status::Received);
/// assert_eq!(recorded.events[0].metadata.officer, Some(officer));
/// assert_eq!(recorded.view.official_due, Some(datetime!(2024-05-04 16:50 +7)));
///
/// // Sent again (a retry after a lost reply): the first result, nothing stored twice.
/// let again = desk.record(received)?;
/// assert!(again.resent);
/// assert_eq!((again.events, again.appended), (recorded.events, recorded.appended));
///
/// // A result cannot be returned before it is ready: refused, nothing stored.
/// let early = Command::new(id, uuid::Uuid::from_u128(2), datetime!(2024-04-27 09:00 +7),
///     EventKind::ResultReturned { method: motcua_core::ReturnMethod::InPerson });
/// assert!(matches!(desk.record(early), Err(RecordError::Refused { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Desk<'a, S> {
    store: S,
    context: Context<'a>,
    retries: u32,
}

/// What a recorded command gave: its events as stored, where they were stored, and the
/// dossier's view after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The new events, numbered after the dossier's earlier events.
    pub events: Vec<Event>,
    /// Their global positions and the stream's version after them.
    pub appended: Appended,
    /// The dossier after the events: as of the last new event's time, or the instant asked
    /// for ([`Desk::record_as_of`]), from the dossier's events up to the new ones.
    pub view: DossierView,
    /// True when the command had been recorded before (same event id, same content): nothing
    /// was stored, and the other fields are those of the first result.
    pub resent: bool,
}

/// Why a command was not recorded. Nothing was stored.
///
/// ```
/// use motcua_store::RecordError;
/// let err = RecordError::StillConflicting { dossier: "H26-0001".into(), attempts: 4 };
/// assert_eq!(
///     err.to_string(),
///     "dossier H26-0001: another writer appended to the dossier before each of 4 attempts; \
///      nothing was recorded, send the command again later"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The dossier rules refused the command in the dossier's state.
    #[error("command refused: {source}")]
    Refused {
        /// The dossier.
        dossier: DossierId,
        /// The rule broken (it names the dossier and the event).
        source: DecideError,
    },
    /// Another writer appended to the dossier between every read and append, more times than
    /// the desk retries.
    #[error("dossier {dossier}: another writer appended to the dossier before each of {attempts} attempts; nothing was recorded, send the command again later")]
    StillConflicting {
        /// The dossier.
        dossier: DossierId,
        /// Reads, decisions and appends tried (retries + 1).
        attempts: u32,
    },
    /// The command's event id is already stored with other content, or in another dossier.
    #[error("dossier {dossier}: event id {event_id} is already used by {}; a command may be sent again only unchanged, and a new command needs a new id", used_by(*.stored_as))]
    EventIdReused {
        /// The dossier.
        dossier: DossierId,
        /// The id.
        event_id: Uuid,
        /// The sequence number of the dossier's event carrying the id, when it is one of the
        /// dossier's events; `None` when the store holds it elsewhere.
        stored_as: Option<u64>,
    },
    /// The dossier's view after the command cannot be built (a procedure version or a
    /// calendar the context lacks).
    #[error("dossier {dossier}: the command is legal but its view cannot be built, so it was not recorded: {source}")]
    View {
        /// The dossier.
        dossier: DossierId,
        /// Why.
        source: ViewError,
    },
    /// The store failed or refused the append for a reason of its own.
    #[error("dossier {dossier}: {source}")]
    Store {
        /// The dossier.
        dossier: DossierId,
        /// The store's error.
        source: StoreError,
    },
}

fn used_by(stored_as: Option<u64>) -> String {
    match stored_as {
        Some(sequence) => format!("event {sequence} of this dossier, with other content"),
        None => "another stored event".to_owned(),
    }
}

impl RecordError {
    /// The dossier the command was for.
    ///
    /// ```
    /// let err = motcua_store::RecordError::StillConflicting { dossier: "D".into(), attempts: 1 };
    /// assert_eq!(err.dossier().as_str(), "D");
    /// ```
    pub fn dossier(&self) -> &DossierId {
        match self {
            RecordError::Refused { dossier, .. }
            | RecordError::StillConflicting { dossier, .. }
            | RecordError::EventIdReused { dossier, .. }
            | RecordError::View { dossier, .. }
            | RecordError::Store { dossier, .. } => dossier,
        }
    }
}

impl<'a, S: EventStore> Desk<'a, S> {
    /// Retries after a concurrent append unless [`Desk::with_retries`] says otherwise.
    pub const DEFAULT_RETRIES: u32 = 3;

    /// A desk recording into `store` (a store, or a reference to one), checking commands
    /// against `context`'s catalogue and showing views with its calendar and judging rules.
    pub fn new(store: S, context: Context<'a>) -> Self {
        Desk {
            store,
            context,
            retries: Self::DEFAULT_RETRIES,
        }
    }

    /// The same desk, reading and deciding again at most `retries` times after a concurrent
    /// append (0: give up at the first conflict).
    ///
    /// ```
    /// # let catalogue = motcua_core::Catalogue::new(vec![], vec![])?;
    /// # let calendar = motcua_core::calendar::Calendar::vietnam();
    /// let store = motcua_store::InMemoryStore::new();
    /// let desk = motcua_store::Desk::new(&store, motcua_core::Context::new(&catalogue, &calendar))
    ///     .with_retries(10);
    /// assert_eq!(desk.retries(), 10);
    /// # Ok::<(), motcua_core::CatalogueError>(())
    /// ```
    pub fn with_retries(self, retries: u32) -> Self {
        Desk { retries, ..self }
    }

    /// How many times the desk reads and decides again after a concurrent append.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The store the desk records into.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Records a command, and shows the dossier as of the time of its (last) event.
    /// See [`Desk`] for what happens and an example.
    pub fn record(&self, command: Command) -> Result<Recorded, RecordError> {
        self.record_at(command, None)
    }

    /// Records a command, and shows the dossier as of `as_of`, as [`Context::view_events`]
    /// does: only events that happened by `as_of` count (so an instant before the command's
    /// shows the dossier without it), and never events stored after the command's (so a
    /// re-send shows the same view).
    ///
    /// ```
    /// # use motcua_core::calendar::Calendar;
    /// # use motcua_core::{Channel, Command, Context, DossierId, EventKind, TimeClass};
    /// # use time::macros::datetime;
    /// # let catalogue = motcua_io::read_catalogue(r#"{"format": "motcua-catalogue", "version": 1,
    /// #   "units": [{"id": "XA-01", "name": "UBND phường Tân Phong", "level": "commune"}],
    /// #   "procedures": [{"code": "1.000894", "name": "Đăng ký kết hôn", "field": "Hộ tịch",
    /// #     "level": "commune", "time_limit": {"working_days": 3}}]}"#)?;
    /// # let calendar = Calendar::vietnam();
    /// let store = motcua_store::InMemoryStore::new();
    /// let desk = motcua_store::Desk::new(&store, Context::new(&catalogue, &calendar));
    /// let received = Command::new(DossierId::new("D1"), uuid::Uuid::from_u128(1), datetime!(2024-04-26 16:50 +7),
    ///     EventKind::Received { procedure: "1.000894".into(), unit: "XA-01".into(), channel: Channel::Online });
    /// let recorded = desk.record_as_of(received, datetime!(2024-05-03 09:00 +7))?;
    /// assert_eq!(recorded.view.time_class, TimeClass::DueSoon);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record_as_of(
        &self,
        command: Command,
        as_of: OffsetDateTime,
    ) -> Result<Recorded, RecordError> {
        self.record_at(command, Some(as_of))
    }

    fn record_at(
        &self,
        command: Command,
        as_of: Option<OffsetDateTime>,
    ) -> Result<Recorded, RecordError> {
        let dossier = command.dossier_id.clone();
        let store_error = |source: StoreError| RecordError::Store {
            dossier: dossier.clone(),
            source,
        };
        let decider = Decider::new(self.context.catalogue);
        let attempts = self.retries.saturating_add(1);
        for _ in 0..attempts {
            let mut stream = self.store.read_stream(&dossier).map_err(store_error)?;
            if let Some(index) = stream.iter().position(|e| e.event_id == command.event_id) {
                return self.resent(&command, &stream[..=index], as_of);
            }
            let state = fold(&stream);
            let expected = ExpectedVersion::at(state.version);
            let events =
                decider
                    .decide(command.clone(), &state)
                    .map_err(|source| RecordError::Refused {
                        dossier: dossier.clone(),
                        source,
                    })?;
            let known = stream.len();
            stream.extend(events.iter().cloned());
            let view = self.view(&dossier, &stream, as_of)?;
            match self.store.append(&dossier, expected, &stream[known..]) {
                Ok(appended) => {
                    return Ok(Recorded {
                        events,
                        appended,
                        view,
                        resent: false,
                    })
                }
                Err(StoreError::Conflict { .. }) => continue,
                Err(StoreError::DuplicateEventId { event_id, .. }) => {
                    return Err(RecordError::EventIdReused {
                        dossier,
                        event_id,
                        stored_as: None,
                    })
                }
                Err(other) => return Err(store_error(other)),
            }
        }
        Err(RecordError::StillConflicting { dossier, attempts })
    }

    /// The first result of a command already stored: `stream` ends with its event.
    fn resent(
        &self,
        command: &Command,
        stream: &[Event],
        as_of: Option<OffsetDateTime>,
    ) -> Result<Recorded, RecordError> {
        let dossier = &command.dossier_id;
        let Some((stored, _)) = stream.split_last() else {
            return Err(RecordError::Store {
                dossier: dossier.clone(),
                source: StoreError::Backend("a re-sent event vanished from its stream".into()),
            });
        };
        let sent = Event {
            event_id: command.event_id,
            dossier_id: command.dossier_id.clone(),
            sequence: stored.sequence,
            occurred_at: command.occurred_at,
            recorded_at: command.recorded_at,
            metadata: command.metadata.clone(),
            kind: command.kind.clone(),
        };
        if !same_content(stored, &sent) {
            return Err(RecordError::EventIdReused {
                dossier: dossier.clone(),
                event_id: command.event_id,
                stored_as: Some(stored.sequence),
            });
        }
        let view = self.view(dossier, stream, as_of)?;
        // The store recognises the re-sent event and returns its original positions.
        let appended = self
            .store
            .append(dossier, ExpectedVersion::Any, std::slice::from_ref(stored))
            .map_err(|source| RecordError::Store {
                dossier: dossier.clone(),
                source,
            })?;
        Ok(Recorded {
            events: vec![stored.clone()],
            appended,
            view,
            resent: true,
        })
    }

    /// The view from `stream` (ending with the command's events) as of `as_of`, or of the last
    /// event's time.
    fn view(
        &self,
        dossier: &DossierId,
        stream: &[Event],
        as_of: Option<OffsetDateTime>,
    ) -> Result<DossierView, RecordError> {
        let at = as_of
            .or_else(|| stream.last().map(|e| e.occurred_at))
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        self.context
            .view_events(stream, at)
            .map_err(|source| RecordError::View {
                dossier: dossier.clone(),
                source,
            })
    }
}
