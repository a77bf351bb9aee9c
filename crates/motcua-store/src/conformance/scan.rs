//! The scan check: every [`DossierScan`] store splits and reads its dossiers alike.

use super::fixtures::{events, ok};
use crate::error::StoreError;
use crate::scan::{DossierRange, DossierScan};
use crate::store::{EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{DossierId, Event};

/// Appends 60 dossiers of 1 to 12 events, interleaved over several calls, then checks that for
/// 1 to 7 parts the ranges cover every dossier exactly once, that scanning every range gives
/// each dossier once, in id order within a range, with exactly its stream, and that a scan
/// stops at the visitor's first error, and that a split's ranges read the log as it was when
/// the split was made.
pub fn scans_cover_every_dossier_once<S: EventStore + DossierScan>(store: &S) {
    let dossiers: Vec<String> = (0..60)
        .map(|i| format!("S{:02}-{}", (i * 37) % 60, i))
        .collect();
    // Three rounds, so every dossier's events are spread over the log.
    for round in 0..3u64 {
        let batches: Vec<StreamBatch> = dossiers
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let size = (i as u64 % 4) + 1;
                let first = round * size + 1;
                StreamBatch {
                    dossier_id: DossierId::new(d.as_str()),
                    expected: ExpectedVersion::at(round * size),
                    events: events(d, first, first + size - 1, (i as u128) << 32),
                }
            })
            .collect();
        ok(store.append_streams(&batches));
    }
    let mut expected: Vec<(DossierId, Vec<Event>)> = Vec::new();
    for id in ok(store.dossier_ids()) {
        let stream = ok(store.read_stream(&id));
        expected.push((id, stream));
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    for parts in 1..=7 {
        let ranges = ok(store.dossier_ranges(parts));
        assert!(
            !ranges.is_empty() && ranges.len() <= parts.max(1),
            "{parts} parts gave {} ranges",
            ranges.len()
        );
        let mut seen: Vec<(DossierId, Vec<Event>)> = Vec::new();
        for range in &ranges {
            let mut in_range: Vec<(DossierId, Vec<Event>)> = Vec::new();
            ok(store.scan_dossiers(range, |stream: &[Event]| {
                let id = stream
                    .first()
                    .map(|e| e.dossier_id.clone())
                    .ok_or_else(|| StoreError::Backend("an empty stream was visited".into()))?;
                assert!(range.contains(&id), "{id} scanned in {range:?}");
                in_range.push((id, stream.to_vec()));
                Ok::<(), StoreError>(())
            }));
            assert!(
                in_range.windows(2).all(|w| w[0].0 < w[1].0),
                "dossiers of {range:?} not in id order"
            );
            seen.extend(in_range);
        }
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        assert!(
            seen == expected,
            "{parts} parts: the scans do not give every dossier's stream exactly once"
        );
    }
    // Appends after a split do not show in its ranges: they read the log as it was.
    let ranges = ok(store.dossier_ranges(3));
    let late = &expected[0];
    let next = late.1.len() as u64 + 1;
    ok(store.append_streams(&[
        StreamBatch {
            dossier_id: late.0.clone(),
            expected: ExpectedVersion::at(next - 1),
            events: events(late.0.as_str(), next, next, 1 << 60),
        },
        StreamBatch {
            dossier_id: DossierId::new("A-late"),
            expected: ExpectedVersion::NoStream,
            events: events("A-late", 1, 2, 1 << 61),
        },
    ]));
    let mut seen: Vec<(DossierId, Vec<Event>)> = Vec::new();
    for range in &ranges {
        ok(store.scan_dossiers(range, |stream: &[Event]| {
            if let Some(first) = stream.first() {
                seen.push((first.dossier_id.clone(), stream.to_vec()));
            }
            Ok::<(), StoreError>(())
        }));
    }
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        seen == expected,
        "a split must read the log as it was when the split was made: {} dossiers seen, {} expected, ranges {ranges:?}, first difference {:?}",
        seen.len(),
        expected.len(),
        seen.iter().zip(&expected).find(|(a, b)| a != b).map(|(a, b)| (&a.0, a.1.len(), &b.0, b.1.len()))
    );
    newest_first_reads_the_log_backwards(store);
    let mut visited = 0;
    let stopped = store.scan_dossiers(&DossierRange::ALL, |_: &[Event]| {
        visited += 1;
        Err(StoreError::Backend("stop".into()))
    });
    assert!(
        matches!(stopped, Err(StoreError::Backend(m)) if m == "stop") && visited == 1,
        "a scan must stop at the visitor's first error"
    );
}

/// For a store that [keeps log order](DossierScan::keeps_log_order): the newest-first read
/// hands every stored row once, positions falling, each naming the dossier and sequence of
/// the event stored there with a body that decodes to it; grouped by dossier
/// ([`DossierScan::scan_newest_first`]) it gives every dossier's whole stream once, as
/// `read_stream` reads it; both stop at the visitor's first error. A store that does not keep
/// log order refuses the read.
fn newest_first_reads_the_log_backwards<S: EventStore + DossierScan>(store: &S) {
    if !store.keeps_log_order() {
        let refused = store.scan_log_newest_first(|_| Ok::<(), StoreError>(()));
        assert!(
            refused.is_err(),
            "a store that does not keep log order must refuse to read it newest first"
        );
        return;
    }
    let mut stored = ok(store.read_all(0, usize::MAX));
    stored.reverse();
    let mut rows = Vec::new();
    ok(store.scan_log_newest_first(|row: crate::LogRow<'_>| {
        let event = crate::codec::decode_body(row.position, row.body)?;
        rows.push((row.position, row.dossier_id.to_owned(), row.sequence, event));
        Ok::<(), StoreError>(())
    }));
    assert_eq!(
        rows.len(),
        stored.len(),
        "every row read once, newest first"
    );
    for ((position, dossier, sequence, event), want) in rows.iter().zip(&stored) {
        assert_eq!(*position, want.position, "rows newest first");
        assert_eq!(
            (dossier.as_str(), *sequence, event),
            (
                want.event.dossier_id.as_str(),
                want.event.sequence,
                &want.event
            ),
            "the row at position {position}"
        );
    }
    let mut streams: Vec<(DossierId, Vec<Event>)> = Vec::new();
    let mut decoder = crate::codec::compact::Decoder::default();
    ok(store.scan_newest_first(|stream: crate::StoredStream| {
        let mut events = Vec::new();
        stream.decode_into(&mut decoder, &mut events)?;
        streams.push((DossierId::new(stream.dossier_id()), events));
        Ok::<(), StoreError>(())
    }));
    streams.sort_by(|a, b| a.0.cmp(&b.0));
    let mut expected: Vec<(DossierId, Vec<Event>)> = Vec::new();
    for id in ok(store.dossier_ids()) {
        let stream = ok(store.read_stream(&id));
        expected.push((id, stream));
    }
    expected.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(
        streams == expected,
        "grouped newest first, every dossier's stream once"
    );
    let mut grouped = 0;
    let stopped = store.scan_newest_first(|_: crate::StoredStream| {
        grouped += 1;
        Err(StoreError::Backend("stop".into()))
    });
    assert!(
        matches!(stopped, Err(StoreError::Backend(m)) if m == "stop") && grouped == 1,
        "a grouped newest-first read must stop at the visitor's first error"
    );
    let mut visited = 0;
    let stopped = store.scan_log_newest_first(|_| {
        visited += 1;
        Err(StoreError::Backend("stop".into()))
    });
    assert!(
        matches!(stopped, Err(StoreError::Backend(m)) if m == "stop") && visited == 1,
        "a newest-first read must stop at the visitor's first error"
    );
}
