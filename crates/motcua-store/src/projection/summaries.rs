//! The dossier summaries projection: each dossier's status, procedure and unit, and figures
//! over the whole log.

use super::Projection;
use crate::store::StoredEvent;
use motcua_core::state::evolve;
use motcua_core::{DossierId, DossierState, ProcedureCode, Status, UnitId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One dossier as the log has it so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummary {
    /// The last sequence number applied.
    pub version: u64,
    /// The current status.
    pub status: Option<Status>,
    /// The procedure applied for.
    pub procedure: Option<ProcedureCode>,
    /// The unit holding the dossier.
    pub unit: Option<UnitId>,
    /// When it was received (the clock's start).
    pub received_at: Option<OffsetDateTime>,
    /// When it was finished.
    pub finished_at: Option<OffsetDateTime>,
    /// When its last event happened.
    pub last_occurred_at: Option<OffsetDateTime>,
}

impl DossierSummary {
    /// The summary after `event`, using the dossier engine's own fold for the status.
    fn evolve(&self, stored: &StoredEvent) -> DossierSummary {
        let state = DossierState {
            version: self.version,
            status: self.status,
            procedure: self.procedure.clone(),
            current_unit: self.unit.clone(),
            received_at: self.received_at,
            finished_at: self.finished_at,
            last_occurred_at: self.last_occurred_at,
            ..DossierState::default()
        };
        let state = evolve(state, &stored.event);
        DossierSummary {
            version: state.version,
            status: state.status,
            procedure: state.procedure,
            unit: state.current_unit,
            received_at: state.received_at,
            finished_at: state.finished_at,
            last_occurred_at: state.last_occurred_at,
        }
    }
}

/// Every dossier's summary plus counts over the log: a view a host keeps current with a
/// [`super::ProjectionRunner`] instead of folding every stream for each question.
///
/// ```
/// use motcua_store::projection::{rebuild, DossierSummaries, Projection};
/// use motcua_store::{EventStore, ExpectedVersion, InMemoryStore};
/// use motcua_core::{Channel, DossierId, Event, EventKind, Status};
///
/// let store = InMemoryStore::new();
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("H-1"),
///     sequence: 1,
///     occurred_at: time::macros::datetime!(2024-03-04 09:00 +7),
///     recorded_at: time::macros::datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::Received { procedure: "1.001193".into(), unit: "XA01".into(), channel: Channel::InPerson },
///     metadata: Default::default(),
/// };
/// store.append(&event.dossier_id.clone(), ExpectedVersion::NoStream, &[event])?;
/// let summaries: DossierSummaries = rebuild(&store)?;
/// assert_eq!(summaries.status_counts().get(&Status::Received), Some(&1));
/// assert_eq!(DossierSummaries::decode(&summaries.encode()), Ok(summaries));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierSummaries {
    /// Each dossier's summary.
    pub dossiers: BTreeMap<DossierId, DossierSummary>,
    /// Events applied, by type name.
    pub events_by_type: BTreeMap<String, u64>,
    /// Events applied.
    pub events: u64,
}

impl DossierSummaries {
    /// How many dossiers are in each status.
    pub fn status_counts(&self) -> BTreeMap<Status, u64> {
        let mut counts = BTreeMap::new();
        for status in self.dossiers.values().filter_map(|d| d.status) {
            *counts.entry(status).or_insert(0) += 1;
        }
        counts
    }
}

impl Projection for DossierSummaries {
    fn apply(&mut self, stored: &StoredEvent) {
        let entry = self
            .dossiers
            .entry(stored.event.dossier_id.clone())
            .or_default();
        *entry = entry.evolve(stored);
        *self
            .events_by_type
            .entry(stored.event.kind.name().to_owned())
            .or_insert(0) += 1;
        self.events += 1;
    }

    fn encode(&self) -> Vec<u8> {
        // Maps are BTreeMaps and every field serialises, so this cannot fail; an empty vector
        // would decode as an error rather than a wrong state.
        serde_json::to_vec(self).unwrap_or_default()
    }

    fn decode(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
}
