//! Law: exporting a store and importing the file elsewhere gives the same streams.

mod common;

use common::{catalogue, decide, lifecycle};
use motcua_core::{Event, EventMetadata, OfficerId};
use motcua_store::{export_jsonl, import_jsonl, EventStore, ExpectedVersion, InMemoryStore};
use proptest::prelude::*;
use uuid::Uuid;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any interleaving of valid dossier lifecycles survives export and import unchanged,
    /// metadata included (some events name an officer and ids, some do not).
    #[test]
    fn export_import_round_trip(lengths in prop::collection::vec(1usize..=7, 1..6), order in prop::collection::vec(any::<u8>(), 0..40)) {
        let store = InMemoryStore::new();
        let mut streams: Vec<Vec<Event>> = lengths
            .iter()
            .enumerate()
            .map(|(i, n)| decide(&format!("H26-{i:04}"), &[], &lifecycle()[..*n], (i as u128 + 1) << 32))
            .collect();
        for (i, stream) in streams.iter_mut().enumerate() {
            let mut cause = None;
            for (j, event) in stream.iter_mut().enumerate() {
                if (i + j) % 3 != 0 {
                    event.metadata = EventMetadata {
                        officer: OfficerId::new(format!("cb.{i}@H26")).ok(),
                        correlation_id: Some(Uuid::from_u128(i as u128)),
                        causation_id: cause,
                    };
                }
                cause = Some(event.event_id);
            }
        }
        // Append one event at a time in a pseudo-random interleaving.
        let mut picks = order.into_iter().cycle();
        while streams.iter().any(|s| !s.is_empty()) {
            let open: Vec<usize> = (0..streams.len()).filter(|i| !streams[*i].is_empty()).collect();
            let pick = open[usize::from(picks.next().unwrap_or(0)) % open.len()];
            let event = streams[pick].remove(0);
            let expected = ExpectedVersion::Exactly(event.sequence - 1);
            prop_assert!(store.append(&event.dossier_id.clone(), expected, &[event]).is_ok());
        }
        let mut file = Vec::new();
        prop_assert!(export_jsonl(&store, &mut file).is_ok());
        let copy = InMemoryStore::new();
        let summary = import_jsonl(&copy, file.as_slice(), &catalogue()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(summary.events_imported, lengths.iter().sum::<usize>() as u64);
        prop_assert_eq!(copy.dossier_ids().ok(), store.dossier_ids().ok());
        for dossier in store.dossier_ids().unwrap_or_default() {
            prop_assert_eq!(copy.read_stream(&dossier).ok(), store.read_stream(&dossier).ok());
        }
    }
}
