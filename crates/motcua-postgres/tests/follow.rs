//! The global order under concurrency: 8 writers append while a reader follows the log with
//! `read_all(last_seen, …)`; the reader must see every position exactly once, in order.

mod common;

use common::{url, Fresh};
use motcua_core::{DossierId, Event, EventKind};
use motcua_store::{EventStore, ExpectedVersion, StoreError};
use std::sync::atomic::{AtomicBool, Ordering};

const WRITERS: u64 = 8;
const APPENDS: u64 = 60;

fn event(dossier: &DossierId, sequence: u64, id: u128) -> Event {
    let at = time::OffsetDateTime::UNIX_EPOCH + time::Duration::minutes(sequence as i64);
    Event {
        event_id: uuid::Uuid::from_u128(id),
        dossier_id: dossier.clone(),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind: EventKind::SupplementRequested {
            reason: format!("follow {id}"),
        },
        metadata: Default::default(),
    }
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn a_follower_sees_every_position_once_in_order() {
    let url = url();
    let fresh = Fresh::new(&url, "follow");
    let store = fresh.store();
    let done = AtomicBool::new(false);
    let seen = std::thread::scope(|scope| {
        let follower = scope.spawn(|| {
            let mut seen = Vec::new();
            let mut last = 0u64;
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = store.read_all(last, 50).unwrap_or_else(|e| panic!("{e}"));
                for stored in &page {
                    assert_eq!(
                        stored.position,
                        last + 1,
                        "the follower skipped or repeated a position"
                    );
                    last = stored.position;
                    seen.push(stored.position);
                }
                if page.is_empty() && finished {
                    return seen;
                }
            }
        });
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                scope.spawn(move || {
                    let mut conflicts = 0;
                    for n in 0..APPENDS {
                        // Overlapping streams: writers share four dossiers.
                        let dossier = DossierId::new(format!("F-{}", (w + n) % 4));
                        let version = store.stream_version(&dossier).unwrap_or(0);
                        let id = (u128::from(w) << 64) | u128::from(n) << 8;
                        let events: Vec<Event> = (1..=1 + n % 3)
                            .map(|i| event(&dossier, version + i, id + u128::from(i)))
                            .collect();
                        match store.append(&dossier, ExpectedVersion::Exactly(version), &events) {
                            Ok(_) => {}
                            Err(StoreError::Conflict { .. }) => conflicts += 1,
                            Err(e) => panic!("{e}"),
                        }
                    }
                    conflicts
                })
            })
            .collect();
        let conflicts: u64 = writers
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .sum();
        done.store(true, Ordering::SeqCst);
        eprintln!("follow: {conflicts} conflicts reported");
        follower
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    });
    let last = store.last_position().unwrap_or_else(|e| panic!("{e}"));
    assert!(last > 0);
    assert_eq!(seen, (1..=last).collect::<Vec<_>>());
}
