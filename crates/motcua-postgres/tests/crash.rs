//! Crash campaign on PostgreSQL (ignored unless asked for: it needs `MOTCUA_PG_URL`): a child
//! process appending batches (some across two dossiers) is killed with SIGKILL at random
//! moments; after each kill the store opens read-only and verifies (chains, sequences, no hole
//! in the positions up to the head), every acknowledged batch is there and no batch is there
//! in part. Imports and `gen --store` killed on PostgreSQL are in `motcua-cli`'s
//! `tests/crash.rs`.
//!
//! CI runs a short campaign; `MOTCUA_CRASH_KILLS=200` runs a long one and prints what it saw.
//!
//! The child is this test binary itself, run with `MOTCUA_CRASH_PG_SCHEMA` naming the schema:
//! the `writer_mode` test then appends until killed, printing `ack <last position>` after each
//! append returns.

mod common;

use common::{url, Fresh};
use motcua_core::{DossierId, Event, EventKind};
use motcua_postgres::PgStore;
use motcua_store::{EventStore, ExpectedVersion, StreamBatch};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

const WRITER_ENV: &str = "MOTCUA_CRASH_PG_SCHEMA";
const DOSSIERS: u64 = 5;

/// Kills per campaign: `MOTCUA_CRASH_KILLS`, else a short one.
fn kills() -> usize {
    std::env::var("MOTCUA_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12)
}

fn event(dossier: &DossierId, sequence: u64, id: u64, tag: &str) -> Event {
    let at = time::OffsetDateTime::UNIX_EPOCH + Duration::from_secs(sequence * 60);
    Event {
        event_id: uuid::Uuid::from_u128(u128::from(id)),
        dossier_id: dossier.clone(),
        sequence,
        occurred_at: at,
        recorded_at: at,
        kind: EventKind::SupplementRequested {
            reason: tag.to_owned(),
        },
        metadata: Default::default(),
    }
}

/// Events for one dossier, continuing its stream, tagged with the batch and its total size.
fn batch(store: &PgStore, k: u64, n: u64, next_id: &mut u64, tag: &str) -> StreamBatch {
    let dossier = DossierId::new(format!("K-{k}"));
    let version = store
        .stream_version(&dossier)
        .unwrap_or_else(|e| panic!("{e}"));
    let events = (1..=n)
        .map(|i| {
            *next_id += 1;
            event(&dossier, version + i, *next_id, tag)
        })
        .collect();
    StreamBatch {
        dossier_id: dossier,
        expected: ExpectedVersion::Exactly(version),
        events,
    }
}

/// The child: appends batches until killed.
#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn writer_mode() {
    let Ok(schema) = std::env::var(WRITER_ENV) else {
        return;
    };
    let store = PgStore::connect(&url(), &schema).unwrap_or_else(|e| panic!("{e}"));
    let mut out = std::io::stdout().lock();
    loop {
        let base = store.last_position().unwrap_or_else(|e| panic!("{e}"));
        let mut next_id = base;
        let n = 1 + base % 7;
        let batches = if base.is_multiple_of(3) {
            let tag = format!("batch {base} size {}", 2 * n);
            vec![
                batch(&store, base % DOSSIERS, n, &mut next_id, &tag),
                batch(&store, (base + 1) % DOSSIERS, n, &mut next_id, &tag),
            ]
        } else {
            let tag = format!("batch {base} size {n}");
            vec![batch(&store, base % DOSSIERS, n, &mut next_id, &tag)]
        };
        let appended = store
            .append_streams(&batches)
            .unwrap_or_else(|e| panic!("{e}"));
        let last = appended.last().map_or(0, |a| a.last_position);
        let _ = writeln!(out, "ack {last}");
        let _ = out.flush();
    }
}

/// SplitMix64: the delays before each kill, from a fixed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Checks the store after a kill; returns its last position.
fn check_store(url: &str, schema: &str, acknowledged: u64, round: usize) -> u64 {
    let store = PgStore::connect_read_only(url, schema)
        .unwrap_or_else(|e| panic!("round {round}: the store does not open: {e}"));
    let report = motcua_store::audit::audit(&store, None, None, false)
        .unwrap_or_else(|e| panic!("round {round}: {e}"));
    assert!(
        report.findings.is_empty(),
        "round {round}: the store does not verify: {:?}",
        report.findings
    );
    let all = store
        .read_all(0, usize::MAX)
        .unwrap_or_else(|e| panic!("round {round}: {e}"));
    let last = all.last().map_or(0, |s| s.position);
    assert_eq!(store.last_position().ok(), Some(last), "round {round}");
    assert!(
        last >= acknowledged,
        "round {round}: acknowledged up to {acknowledged}, store ends at {last}"
    );
    let mut batches: BTreeMap<String, u64> = BTreeMap::new();
    for stored in &all {
        if let EventKind::SupplementRequested { reason } = &stored.event.kind {
            *batches.entry(reason.clone()).or_insert(0) += 1;
        }
    }
    for (tag, count) in &batches {
        let size: u64 = tag
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert_eq!(*count, size, "round {round}: {tag} is stored in part");
    }
    last
}

#[test]
#[ignore = "needs MOTCUA_PG_URL (a PostgreSQL database); .ci/run sets it"]
fn killed_writers_lose_no_acknowledged_batch_and_leave_no_partial_one() {
    if std::env::var(WRITER_ENV).is_ok() {
        return;
    }
    let url = url();
    let fresh = Fresh::new(&url, "crash");
    let schema = fresh.store().schema().to_owned();
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    let mut rng = Rng(0x7067_6372_6173_68);
    let mut grew = 0;
    let mut acked_rounds = 0;
    for round in 0..kills() {
        let mut child = Command::new(&exe)
            .args([
                "writer_mode",
                "--exact",
                "--nocapture",
                "--test-threads=1",
                "--ignored",
            ])
            .env(WRITER_ENV, &schema)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(Duration::from_millis(100 + rng.next() % 600));
        child.kill().unwrap_or_else(|e| panic!("{e}"));
        let _ = child.wait();
        let mut output = String::new();
        if let Some(mut stdout) = child.stdout.take() {
            let _ = stdout.read_to_string(&mut output);
        }
        // Only whole lines count: a line cut by the kill was not acknowledged.
        let acknowledged = output
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .filter_map(|l| l.trim_end().strip_prefix("ack "))
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        acked_rounds += usize::from(acknowledged > grew);
        let before = grew;
        grew = check_store(&url, &schema, acknowledged, round);
        assert!(grew >= before, "round {round}: the store shrank");
    }
    assert!(grew > 0, "no writer got to append anything");
    eprintln!(
        "PostgreSQL crash campaign: {} writers killed ({acked_rounds} after acknowledged appends), \
         {grew} events stored, every check passed",
        kills()
    );
}
