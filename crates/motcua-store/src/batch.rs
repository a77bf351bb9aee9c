//! Checking one batch against a stream: the stream mechanics every store enforces, as a pure
//! function so every backend applies them the same way.

use crate::error::StoreError;
use crate::store::{Appended, ExpectedVersion, StoredEvent};
use motcua_core::{DossierId, Event, EventKind};
use std::collections::BTreeSet;
use uuid::Uuid;

/// What appending a batch amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BatchPlan {
    /// Nothing to append, and this is the call's result: for an empty batch, positions 0 and
    /// the stream's current version; for a re-send whose every event is already stored with
    /// identical content, the original result.
    Done(Appended),
    /// New, correctly numbered events for the expected version: append them.
    Append,
}

/// Checks a batch for `dossier` whose stream is at `current_version`; `stored` looks an event
/// id up among the events already stored (or about to be, in the same atomic call).
///
/// In order: every event names `dossier`; no id repeats in the batch; ids already stored make
/// the batch a re-send (all stored, identical) or an error; the expected version; the
/// numbering.
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use motcua_store::{plan_batch, BatchPlan, ExpectedVersion, StoreError};
/// let event = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("D"),
///     sequence: 1,
///     occurred_at: time::OffsetDateTime::UNIX_EPOCH,
///     recorded_at: time::OffsetDateTime::UNIX_EPOCH,
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// let plan = plan_batch(&DossierId::new("D"), ExpectedVersion::NoStream, &[event.clone()], 0, |_| Ok(None))?;
/// assert_eq!(plan, BatchPlan::Append);
/// let err = plan_batch(&DossierId::new("D"), ExpectedVersion::Exactly(1), &[event], 0, |_| Ok(None));
/// assert!(matches!(err, Err(StoreError::Conflict { actual: 0, .. })));
/// # Ok::<(), StoreError>(())
/// ```
pub fn plan_batch(
    dossier: &DossierId,
    expected: ExpectedVersion,
    events: &[Event],
    current_version: u64,
    mut stored: impl FnMut(&Uuid) -> Result<Option<StoredEvent>, StoreError>,
) -> Result<BatchPlan, StoreError> {
    if events.is_empty() {
        return Ok(BatchPlan::Done(Appended::unchanged(current_version)));
    }
    let duplicate = |e: &Event| StoreError::DuplicateEventId {
        event_id: e.event_id,
        dossier: dossier.clone(),
        sequence: e.sequence,
    };
    let mut ids = BTreeSet::new();
    for event in events {
        if &event.dossier_id != dossier {
            return Err(StoreError::WrongDossier {
                dossier: dossier.clone(),
                found: event.dossier_id.clone(),
                sequence: event.sequence,
                event_id: event.event_id,
            });
        }
        if !ids.insert(event.event_id) {
            return Err(duplicate(event));
        }
    }
    let mut found = Vec::with_capacity(events.len());
    for event in events {
        found.push(stored(&event.event_id)?);
    }
    if found.iter().any(Option::is_some) {
        let pairs = || events.iter().zip(&found);
        // Name the event reusing an id: one that differs from the stored event, else a stored
        // one in a batch that also has new events.
        let differing =
            pairs().find(|(e, hit)| hit.as_ref().is_some_and(|h| !same_content(&h.event, e)));
        let mixed = pairs()
            .find(|(_, hit)| hit.is_some())
            .filter(|_| found.iter().any(Option::is_none));
        if let Some((event, _)) = differing.or(mixed) {
            return Err(duplicate(event));
        }
        let original: Vec<StoredEvent> = found.into_iter().flatten().collect();
        return Ok(BatchPlan::Done(already_stored(&original)));
    }
    if !expected.matches(current_version) {
        return Err(StoreError::Conflict {
            dossier: dossier.clone(),
            expected,
            actual: current_version,
        });
    }
    let mut next = current_version;
    for event in events {
        next = next.saturating_add(1);
        if event.sequence != next {
            return Err(StoreError::OutOfSequence {
                dossier: dossier.clone(),
                expected: next,
                found: event.sequence,
            });
        }
    }
    Ok(BatchPlan::Append)
}

fn already_stored(original: &[StoredEvent]) -> Appended {
    let first = original.first().map_or(0, |s| s.position);
    let last = original.last();
    Appended {
        first_position: first,
        last_position: last.map_or(0, |s| s.position),
        stream_version: last.map_or(0, |s| s.event.sequence),
    }
}

/// Whether two events are identical, UTC offsets of their instants included (`Event`'s `==`
/// compares instants only).
///
/// ```
/// use motcua_core::{DossierId, Event, EventKind};
/// use time::macros::datetime;
/// let a = Event {
///     event_id: uuid::Uuid::from_u128(1),
///     dossier_id: DossierId::new("D"),
///     sequence: 1,
///     occurred_at: datetime!(2024-03-04 09:00 +7),
///     recorded_at: datetime!(2024-03-04 09:00 +7),
///     kind: EventKind::SupplementSupplied,
///     metadata: Default::default(),
/// };
/// let mut b = a.clone();
/// b.occurred_at = datetime!(2024-03-04 02:00 UTC);
/// assert_eq!(a, b);
/// assert!(!motcua_store::same_content(&a, &b));
/// ```
pub fn same_content(a: &Event, b: &Event) -> bool {
    let due_offset = |e: &Event| match &e.kind {
        EventKind::ApologyIssued { new_due, .. } | EventKind::DueExtended { new_due, .. } => {
            Some(new_due.offset())
        }
        _ => None,
    };
    a == b
        && a.occurred_at.offset() == b.occurred_at.offset()
        && a.recorded_at.offset() == b.recorded_at.offset()
        && due_offset(a) == due_offset(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(dossier: &str, sequence: u64, id: u128) -> Event {
        Event {
            event_id: Uuid::from_u128(id),
            dossier_id: DossierId::new(dossier),
            sequence,
            occurred_at: time::OffsetDateTime::UNIX_EPOCH,
            recorded_at: time::OffsetDateTime::UNIX_EPOCH,
            kind: EventKind::Rated { satisfied: true },
            metadata: Default::default(),
        }
    }

    fn none(_: &Uuid) -> Result<Option<StoredEvent>, StoreError> {
        Ok(None)
    }

    #[test]
    fn empty_batches_do_nothing() {
        let plan = plan_batch(&"D".into(), ExpectedVersion::Exactly(9), &[], 3, none);
        assert_eq!(
            plan,
            Ok(BatchPlan::Done(Appended {
                first_position: 0,
                last_position: 0,
                stream_version: 3
            }))
        );
    }

    #[test]
    fn numbering_must_continue_the_stream() {
        let d = DossierId::new("D");
        let events = [event("D", 3, 1), event("D", 5, 2)];
        let err = plan_batch(&d, ExpectedVersion::Any, &events, 2, none);
        assert_eq!(
            err,
            Err(StoreError::OutOfSequence {
                dossier: d,
                expected: 4,
                found: 5
            })
        );
    }

    #[test]
    fn repeated_ids_in_a_batch_are_refused() {
        let d = DossierId::new("D");
        let events = [event("D", 1, 1), event("D", 2, 1)];
        let err = plan_batch(&d, ExpectedVersion::Any, &events, 0, none);
        assert!(matches!(
            err,
            Err(StoreError::DuplicateEventId { sequence: 2, .. })
        ));
    }

    #[test]
    fn resends_return_the_original_positions() {
        let d = DossierId::new("D");
        let events = [event("D", 1, 1), event("D", 2, 2)];
        let lookup = |id: &Uuid| {
            let n = id.as_u128() as u64;
            Ok(Some(StoredEvent {
                position: 10 + n,
                event: event("D", n, u128::from(n)),
            }))
        };
        let plan = plan_batch(&d, ExpectedVersion::NoStream, &events, 2, lookup);
        let appended = Appended {
            first_position: 11,
            last_position: 12,
            stream_version: 2,
        };
        assert_eq!(plan, Ok(BatchPlan::Done(appended)));
    }

    #[test]
    fn lookup_failures_are_passed_on() {
        let d = DossierId::new("D");
        let failing = |_: &Uuid| Err(StoreError::Backend("down".into()));
        let err = plan_batch(&d, ExpectedVersion::Any, &[event("D", 1, 1)], 0, failing);
        assert_eq!(err, Err(StoreError::Backend("down".into())));
    }
}
