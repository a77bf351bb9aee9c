//! Importing a JSON Lines file into a store: every event checked, all or nothing.

use crate::error::StoreError;
use crate::import_error::ImportError;
use crate::store::{EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{fold, rules, Catalogue, DossierId, DossierState, Event};
use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use uuid::Uuid;

/// What an import did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Lines read, blank ones included.
    pub lines_read: u64,
    /// Events appended.
    pub events_imported: u64,
    /// Dossiers with at least one event imported.
    pub dossiers_touched: u64,
}

/// One dossier's progress through the file.
struct Dossier {
    /// The stream's version in the store before the import.
    base_version: u64,
    /// The stored events' ids and sequence numbers.
    stored_ids: HashMap<Uuid, u64>,
    /// The state after the stored events and the file's events so far.
    state: DossierState,
    /// The file's events for this dossier, in order.
    events: Vec<Event>,
}

/// Where an event of the file came from.
struct Origin {
    line: u64,
    dossier: DossierId,
    sequence: u64,
}

/// Reads every line, checks each event with [`rules::check`] against its dossier (starting
/// from what the store already holds), and only if all are valid appends every dossier in one
/// [`EventStore::append_streams`] call. On any error nothing is stored.
///
/// Dossiers may interleave freely in the file; within a dossier the events must follow on
/// from the stored ones (sequence, time order, legal transitions). Event ids must be unique in
/// the file and new to the store.
///
/// ```
/// # use motcua_core::{Catalogue, Level, Procedure, ProcedureCode, TimeLimit, Unit, UnitId};
/// # let catalogue = Catalogue::new(
/// #     vec![Unit { id: UnitId::new("XA01"), name: "UBND xã A".into(), level: Level::Commune, parent: None }],
/// #     vec![Procedure { code: ProcedureCode::new("1.001193"), name: "Đăng ký khai sinh".into(),
/// #         field: "Hộ tịch".into(), level: Level::Commune, units: vec![], time_limit: TimeLimit::WorkingDays(1),
/// #         supplement_policy: Default::default(), payment_pauses_clock: false, online_service: Default::default(),
/// #         result_is_document: true, fees: vec![], steps: vec![] }],
/// # )?;
/// use motcua_store::{import_jsonl, EventStore, InMemoryStore};
///
/// let file = r#"{"v":1,"event_id":"00000000-0000-0000-0000-000000000001","dossier_id":"H26-0003","sequence":1,"occurred_at":"2024-03-04T09:00:00+07:00","recorded_at":"2024-03-04T09:00:00+07:00","type":"received","procedure":"1.001193","unit":"XA01","channel":"in_person"}
/// {"v":1,"event_id":"00000000-0000-0000-0000-000000000002","dossier_id":"H26-0003","sequence":2,"occurred_at":"2024-03-04T10:00:00+07:00","recorded_at":"2024-03-04T10:00:00+07:00","type":"supplement_supplied"}
/// "#;
/// let store = InMemoryStore::new();
/// let err = import_jsonl(&store, file.as_bytes(), &catalogue).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "line 2: dossier H26-0003, event 2: `supplement_supplied` is not allowed when the dossier is received; expected a dossier waiting for a supplement"
/// );
/// assert_eq!(store.last_position()?, 0); // nothing imported
///
/// let good = file.lines().next().unwrap_or_default();
/// let summary = import_jsonl(&store, good.as_bytes(), &catalogue)?;
/// assert_eq!((summary.events_imported, summary.dossiers_touched), (1, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn import_jsonl<S: EventStore, R: BufRead>(
    store: &S,
    reader: R,
    catalogue: &Catalogue,
) -> Result<ImportSummary, ImportError> {
    let mut reader = motcua_io::read_events(reader);
    let mut dossiers: BTreeMap<DossierId, Dossier> = BTreeMap::new();
    let mut origins: HashMap<Uuid, Origin> = HashMap::new();
    let mut events_imported = 0u64;
    while let Some(item) = reader.next_numbered() {
        let (line, event) = item?;
        let dossier = match dossiers.entry(event.dossier_id.clone()) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => {
                entry.insert(load(store, &event.dossier_id)?)
            }
        };
        if let Some(first) = origins.get(&event.event_id) {
            return Err(ImportError::DuplicateInFile {
                line,
                first_line: first.line,
                dossier: event.dossier_id,
                sequence: event.sequence,
                event_id: event.event_id,
            });
        }
        if let Some(stored_sequence) = dossier.stored_ids.get(&event.event_id) {
            return Err(ImportError::AlreadyStored {
                line,
                dossier: event.dossier_id,
                sequence: event.sequence,
                event_id: event.event_id,
                stored_sequence: *stored_sequence,
            });
        }
        if let Err(source) = rules::check(&event, &dossier.state, catalogue) {
            return Err(ImportError::Rejected {
                line,
                dossier: event.dossier_id,
                sequence: event.sequence,
                source,
            });
        }
        let state = std::mem::take(&mut dossier.state);
        dossier.state = motcua_core::state::evolve(state, &event);
        origins.insert(
            event.event_id,
            Origin {
                line,
                dossier: event.dossier_id.clone(),
                sequence: event.sequence,
            },
        );
        dossier.events.push(event);
        events_imported += 1;
    }
    let batches: Vec<StreamBatch> = dossiers
        .into_iter()
        .filter(|(_, d)| !d.events.is_empty())
        .map(|(dossier_id, d)| StreamBatch {
            dossier_id,
            expected: ExpectedVersion::at(d.base_version),
            events: d.events,
        })
        .collect();
    store
        .append_streams(&batches)
        .map_err(|e| attribute(e, &origins, &batches))?;
    Ok(ImportSummary {
        lines_read: reader.lines_read(),
        events_imported,
        dossiers_touched: batches.len() as u64,
    })
}

/// Reads a dossier's stored events and folds them.
fn load<S: EventStore>(store: &S, dossier: &DossierId) -> Result<Dossier, ImportError> {
    let stored = store.read_stream(dossier).map_err(ImportError::Store)?;
    let state = fold(&stored);
    Ok(Dossier {
        base_version: state.version,
        stored_ids: stored.iter().map(|e| (e.event_id, e.sequence)).collect(),
        state,
        events: Vec::new(),
    })
}

/// Names the line behind a store refusal when there is one.
fn attribute(
    error: StoreError,
    origins: &HashMap<Uuid, Origin>,
    batches: &[StreamBatch],
) -> ImportError {
    let origin = match &error {
        StoreError::DuplicateEventId { event_id, .. } => origins.get(event_id),
        StoreError::Conflict { dossier, .. }
        | StoreError::OutOfSequence { dossier, .. }
        | StoreError::WrongDossier { dossier, .. } => batches
            .iter()
            .find(|b| &b.dossier_id == dossier)
            .and_then(|b| b.events.first())
            .and_then(|e| origins.get(&e.event_id)),
        _ => None,
    };
    match origin {
        Some(o) => ImportError::StoreRefused {
            line: o.line,
            dossier: o.dossier.clone(),
            sequence: o.sequence,
            source: error,
        },
        None => ImportError::Store(error),
    }
}
