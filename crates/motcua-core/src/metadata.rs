//! Who recorded an event and in answer to what: the officer (*cán bộ xử lý*) or system, and
//! correlation / causation ids. Optional on every event; the fold, the rules and the deadlines
//! never read it. [`step_handlers`] says who started and finished each step run, as the
//! processing control sheet does.

use crate::event::{Event, EventKind};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use uuid::Uuid;

/// Who recorded an event and in answer to what (optional; *cán bộ xử lý*).
///
/// Circular 01/2018's processing control sheet (form 05) names the officer of every step. The
/// ids let a host tie the events of one request together (`correlation_id`: the same for every
/// event a user's request caused, across dossiers) and name what caused an event
/// (`causation_id`: the id of the command or event it answers). motcua stores and returns them
/// and reports per officer; it never judges a dossier by them.
///
/// ```
/// use motcua_core::{EventMetadata, OfficerId};
///
/// let meta = EventMetadata::by(OfficerId::new("nguyen.van.a")?)
///     .with_correlation_id(uuid::Uuid::from_u128(7));
/// assert_eq!(meta.officer.as_ref().map(OfficerId::as_str), Some("nguyen.van.a"));
/// assert!(!meta.is_empty());
/// assert!(EventMetadata::default().is_empty());
/// # Ok::<(), motcua_core::OfficerIdError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EventMetadata {
    /// The officer or system that recorded the event (a host's own id, e.g. an account name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<OfficerId>,
    /// The same for every event one request of the host caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The command or event this event answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
}

impl EventMetadata {
    /// Metadata naming only the officer who recorded the event.
    pub fn by(officer: OfficerId) -> Self {
        EventMetadata {
            officer: Some(officer),
            ..Self::default()
        }
    }

    /// The same metadata with `id` as its correlation id.
    pub fn with_correlation_id(self, id: Uuid) -> Self {
        EventMetadata {
            correlation_id: Some(id),
            ..self
        }
    }

    /// The same metadata with `id` as its causation id.
    pub fn with_causation_id(self, id: Uuid) -> Self {
        EventMetadata {
            causation_id: Some(id),
            ..self
        }
    }

    /// True when nothing is known: no officer and no ids (what events of format version 1 get).
    pub fn is_empty(&self) -> bool {
        self.officer.is_none() && self.correlation_id.is_none() && self.causation_id.is_none()
    }
}

/// The id of an officer or a system, as the host knows it (an account name, a staff code).
///
/// Validated when made and when read: not empty, no spaces at either end, no control
/// characters, at most [`OfficerId::MAX_LEN`] bytes. Cloning shares the text.
///
/// ```
/// use motcua_core::OfficerId;
/// let officer: OfficerId = "cb.tiepnhan.01".parse()?;
/// assert_eq!(officer.to_string(), "cb.tiepnhan.01");
/// assert!(OfficerId::new("").is_err());
/// assert!(OfficerId::new("a\u{1b}[31m").is_err());
/// # Ok::<(), motcua_core::OfficerIdError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OfficerId(Arc<str>);

/// Why a text is not an officer id.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OfficerIdError {
    /// Empty, or only spaces.
    #[error("an officer id is empty; expected the host's id of the officer or system")]
    Empty,
    /// Spaces before or after the id.
    #[error("officer id {0:?} has spaces at its start or end")]
    Untrimmed(String),
    /// A control character (a line break, an escape…).
    #[error("officer id {0:?} contains a control character")]
    ControlCharacter(String),
    /// Longer than [`OfficerId::MAX_LEN`] bytes.
    #[error("an officer id is {0} bytes long; at most {max} are allowed", max = OfficerId::MAX_LEN)]
    TooLong(usize),
}

impl OfficerId {
    /// The longest id accepted, in bytes of UTF-8.
    pub const MAX_LEN: usize = 256;

    /// Checks and wraps the host's id of an officer or a system.
    ///
    /// # Errors
    /// [`OfficerIdError`] when the text is empty, has spaces at an end, contains a control
    /// character or is longer than [`OfficerId::MAX_LEN`] bytes.
    pub fn new(id: impl AsRef<str>) -> Result<Self, OfficerIdError> {
        let id = id.as_ref();
        if id.len() > Self::MAX_LEN {
            return Err(OfficerIdError::TooLong(id.len()));
        }
        if id.trim().is_empty() {
            return Err(OfficerIdError::Empty);
        }
        if id.trim() != id {
            return Err(OfficerIdError::Untrimmed(id.to_owned()));
        }
        if id.chars().any(char::is_control) {
            return Err(OfficerIdError::ControlCharacter(id.to_owned()));
        }
        Ok(OfficerId(Arc::from(id)))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OfficerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OfficerId {
    type Err = OfficerIdError;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        Self::new(id)
    }
}

impl TryFrom<&str> for OfficerId {
    type Error = OfficerIdError;

    fn try_from(id: &str) -> Result<Self, Self::Error> {
        Self::new(id)
    }
}

impl Serialize for OfficerId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Reads a string and checks it as an officer id.
struct OfficerText;

impl serde::de::Visitor<'_> for OfficerText {
    type Value = OfficerId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an officer id (a string)")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<OfficerId, E> {
        OfficerId::new(text).map_err(E::custom)
    }
}

impl<'de> Deserialize<'de> for OfficerId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(OfficerText)
    }
}

/// Who started and who finished one step run of a dossier: the officers who recorded those
/// events, as the processing control sheet (form 05) names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepHandlers {
    /// The officer who recorded the run's `step_started`.
    pub started_by: Option<OfficerId>,
    /// Whether the run is finished.
    pub finished: bool,
    /// The officer who recorded the event that finished it: its `step_finished`, or the
    /// `result_ready` that closed every open step.
    pub finished_by: Option<OfficerId>,
}

/// For each step run of a dossier's events, in the order of
/// [`DossierState::steps`](crate::DossierState::steps) and
/// [`DossierView::steps`](crate::DossierView::steps), who started and finished it.
///
/// The runs are those [`crate::state::evolve`] makes: a `step_started` opens one, a
/// `step_finished` closes the latest open run of its step, a `result_ready` closes them all.
/// Pass the events the view was built from (those that happened by its as-of instant).
///
/// ```
/// use motcua_core::{step_handlers, DossierId, Event, EventKind, EventMetadata, OfficerId};
/// use time::macros::datetime;
///
/// let by = |name: &str| EventMetadata::by(OfficerId::new(name).unwrap());
/// let event = |sequence: u64, metadata, kind| Event {
///     event_id: uuid::Uuid::from_u128(u128::from(sequence)), dossier_id: DossierId::new("D"), sequence,
///     occurred_at: datetime!(2024-03-04 09:00 +7), recorded_at: datetime!(2024-03-04 09:00 +7),
///     metadata, kind,
/// };
/// let events = [
///     event(1, by("cv.a"), EventKind::StepStarted { step: "appraisal".into(), unit: "U".into() }),
///     event(2, by("cv.b"), EventKind::StepFinished { step: "appraisal".into() }),
///     event(3, by("ld.c"), EventKind::StepStarted { step: "sign".into(), unit: "U".into() }),
/// ];
/// let runs = step_handlers(&events);
/// assert_eq!(runs.len(), 2);
/// assert_eq!(runs[0].finished_by.as_ref().map(OfficerId::as_str), Some("cv.b"));
/// assert!(!runs[1].finished);
/// ```
pub fn step_handlers(events: &[Event]) -> Vec<StepHandlers> {
    let mut runs: Vec<(&str, StepHandlers)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    let close = |run: &mut StepHandlers, event: &Event| {
        run.finished = true;
        run.finished_by = event.metadata.officer.clone();
    };
    for event in events {
        match &event.kind {
            EventKind::StepStarted { step, .. } => {
                open.push(runs.len());
                let run = StepHandlers {
                    started_by: event.metadata.officer.clone(),
                    ..StepHandlers::default()
                };
                runs.push((step.as_str(), run));
            }
            EventKind::StepFinished { step } => {
                let latest = open
                    .iter()
                    .rposition(|i| runs.get(*i).is_some_and(|(s, _)| s == step));
                if let Some(k) = latest {
                    let i = open.remove(k);
                    if let Some((_, run)) = runs.get_mut(i) {
                        close(run, event);
                    }
                }
            }
            EventKind::ResultReady { .. } => {
                for i in std::mem::take(&mut open) {
                    if let Some((_, run)) = runs.get_mut(i) {
                        close(run, event);
                    }
                }
            }
            _ => {}
        }
    }
    runs.into_iter().map(|(_, run)| run).collect()
}

/// Who has handled a dossier, as its events name them (*người xử lý*): each step run's
/// handlers ([`step_handlers`]) and the officer named by the latest event that names one. What
/// it takes to say who answers for an alarm ([`Alarm::responsible`](crate::Alarm::responsible))
/// without the events: a desk's projection keeps it beside the dossier's standing.
///
/// ```
/// use motcua_core::{DossierHandlers, DossierId, Event, EventKind, EventMetadata, OfficerId};
/// use time::macros::datetime;
///
/// let by = |name: &str| EventMetadata::by(OfficerId::new(name).unwrap());
/// let event = |sequence: u64, metadata, kind| Event {
///     event_id: uuid::Uuid::from_u128(u128::from(sequence)), dossier_id: DossierId::new("D"), sequence,
///     occurred_at: datetime!(2024-03-04 09:00 +7), recorded_at: datetime!(2024-03-04 09:00 +7),
///     metadata, kind,
/// };
/// let events = [
///     event(1, by("cv.a"), EventKind::StepStarted { step: "appraisal".into(), unit: "U".into() }),
///     event(2, Default::default(), EventKind::SupplementSupplied),
/// ];
/// let handlers = DossierHandlers::of(&events);
/// assert_eq!(handlers.steps.len(), 1);
/// assert_eq!(handlers.latest.as_ref().map(OfficerId::as_str), Some("cv.a"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DossierHandlers {
    /// Each step run's handlers, in the order of [`DossierView::steps`](crate::DossierView::steps).
    pub steps: Vec<StepHandlers>,
    /// The officer named by the latest event that names one.
    pub latest: Option<OfficerId>,
}

impl DossierHandlers {
    /// The handlers `events` name (one dossier's, in sequence order: those the view was built
    /// from).
    pub fn of(events: &[Event]) -> DossierHandlers {
        DossierHandlers {
            steps: step_handlers(events),
            latest: events.iter().rev().find_map(|e| e.metadata.officer.clone()),
        }
    }

    /// The officer who started the latest run still open of `step` (of any step when `None`),
    /// with `steps` the view's step runs these handlers were taken beside.
    pub fn open_step_starter(
        &self,
        steps: &[crate::view::StepView],
        step: Option<&str>,
    ) -> Option<&OfficerId> {
        steps
            .iter()
            .zip(&self.steps)
            .rev()
            .find(|(s, h)| !h.finished && step.is_none_or(|id| s.step == id))
            .and_then(|(_, h)| h.started_by.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert_eq!(OfficerId::new("  "), Err(OfficerIdError::Empty));
        assert_eq!(
            OfficerId::new(" a"),
            Err(OfficerIdError::Untrimmed(" a".into()))
        );
        assert_eq!(
            OfficerId::new("a\nb"),
            Err(OfficerIdError::ControlCharacter("a\nb".into()))
        );
        let long = "x".repeat(OfficerId::MAX_LEN + 1);
        assert_eq!(
            OfficerId::new(&long),
            Err(OfficerIdError::TooLong(OfficerId::MAX_LEN + 1))
        );
        assert!(OfficerId::new("x".repeat(OfficerId::MAX_LEN)).is_ok());
        assert_eq!(
            OfficerId::new("Nguyễn Văn A").map(|o| o.to_string()),
            Ok("Nguyễn Văn A".to_owned())
        );
    }

    #[test]
    fn serde_omits_what_is_absent_and_checks_officers() {
        let meta =
            EventMetadata::by(OfficerId::new("a").unwrap()).with_causation_id(Uuid::from_u128(1));
        let json = serde_json::to_string(&meta).unwrap();
        assert_eq!(
            json,
            r#"{"officer":"a","causation_id":"00000000-0000-0000-0000-000000000001"}"#
        );
        assert_eq!(serde_json::from_str::<EventMetadata>(&json).unwrap(), meta);
        assert_eq!(
            serde_json::to_string(&EventMetadata::default()).unwrap(),
            "{}"
        );
        let err = serde_json::from_str::<EventMetadata>(r#"{"officer":""}"#).unwrap_err();
        assert!(
            err.to_string().starts_with("an officer id is empty"),
            "{err}"
        );
    }

    proptest::proptest! {
        /// The runs are exactly the fold's: as many, finished alike, and each started and
        /// finished by the officer of the event at its start and finish instants.
        #[test]
        fn step_handlers_follow_the_folds_step_runs(
            ops in proptest::collection::vec((0u8..6, proptest::bool::ANY), 0..40),
        ) {
            let start = time::macros::datetime!(2024-03-04 09:00 +7);
            let events: Vec<Event> = ops
                .iter()
                .enumerate()
                .map(|(i, (op, signed))| {
                    let step = if op % 2 == 0 { "a" } else { "b" };
                    let kind = match op {
                        0 | 1 => EventKind::StepStarted { step: step.into(), unit: "U".into() },
                        2 | 3 => EventKind::StepFinished { step: step.into() },
                        4 => EventKind::ResultReady { electronic: false },
                        _ => EventKind::SupplementSupplied,
                    };
                    let officer = signed.then(|| OfficerId::new(format!("o{i}")).unwrap());
                    Event {
                        event_id: Uuid::from_u128(i as u128),
                        dossier_id: "D".into(),
                        sequence: i as u64 + 1,
                        occurred_at: start + time::Duration::minutes(i as i64),
                        recorded_at: start + time::Duration::minutes(i as i64),
                        metadata: EventMetadata { officer, ..EventMetadata::default() },
                        kind,
                    }
                })
                .collect();
            let officer_at = |at: time::OffsetDateTime| {
                events.iter().find(|e| e.occurred_at == at).and_then(|e| e.metadata.officer.clone())
            };
            let runs = step_handlers(&events);
            let state = crate::fold(&events);
            proptest::prop_assert_eq!(runs.len(), state.steps.len());
            for (run, folded) in runs.iter().zip(&state.steps) {
                proptest::prop_assert_eq!(run.finished, folded.finished_at.is_some());
                proptest::prop_assert_eq!(&run.started_by, &officer_at(folded.started_at));
                proptest::prop_assert_eq!(&run.finished_by, &folded.finished_at.and_then(officer_at));
            }
        }
    }
}
