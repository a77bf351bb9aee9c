//! What the crash campaigns of the durable stores share (`tests/crash.rs` of `motcua-sqlite`
//! and `motcua-postgres`): a child process appends [`next_batches`] until it is killed, printing
//! `ack <last position>` after each append returns; after each kill, [`check_after_kill`]
//! checks that the store verifies, holds every acknowledged event, and no batch in part.

use crate::audit::{audit, RowScan};
use crate::store::{EventStore, ExpectedVersion, StreamBatch};
use motcua_core::{DossierId, Event, EventKind};
use std::collections::BTreeMap;
use std::time::Duration;

/// Dossiers the writer appends to.
pub const DOSSIERS: u64 = 5;

/// Kills per campaign: `MOTCUA_CRASH_KILLS` if it is set to a number (a long campaign, e.g.
/// 200), else `short` (what CI runs).
///
/// ```
/// // Unset in doc tests: the short campaign.
/// assert_eq!(motcua_store::conformance::crash::kills(12), 12);
/// ```
pub fn kills(short: usize) -> usize {
    std::env::var("MOTCUA_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(short)
}

/// SplitMix64: the delays before each kill, from a fixed seed.
///
/// ```
/// let mut a = motcua_store::conformance::crash::SplitMix(7);
/// let mut b = motcua_store::conformance::crash::SplitMix(7);
/// assert_eq!(a.next(), b.next());
/// ```
#[derive(Debug, Clone)]
pub struct SplitMix(pub u64);

impl SplitMix {
    /// The next number.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
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

/// Events for dossier `K-k`, continuing its stream, tagged with the batch and its total size.
fn batch(store: &impl EventStore, k: u64, n: u64, next_id: &mut u64, tag: &str) -> StreamBatch {
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

/// The writer's next call: one batch of 1–7 events, or (every third) the same across two
/// dossiers in one atomic call, each event tagged `batch <base> size <events of the call>`.
///
/// ```
/// use motcua_store::{conformance::crash::next_batches, EventStore, InMemoryStore};
/// let store = InMemoryStore::new();
/// store.append_streams(&next_batches(&store))?;
/// assert_eq!(store.last_position()?, 2);
/// # Ok::<(), motcua_store::StoreError>(())
/// ```
pub fn next_batches(store: &impl EventStore) -> Vec<StreamBatch> {
    let base = store.last_position().unwrap_or_else(|e| panic!("{e}"));
    let mut next_id = base;
    let n = 1 + base % 7;
    if base.is_multiple_of(3) {
        let tag = format!("batch {base} size {}", 2 * n);
        vec![
            batch(store, base % DOSSIERS, n, &mut next_id, &tag),
            batch(store, (base + 1) % DOSSIERS, n, &mut next_id, &tag),
        ]
    } else {
        let tag = format!("batch {base} size {n}");
        vec![batch(store, base % DOSSIERS, n, &mut next_id, &tag)]
    }
}

/// Appends [`next_batches`] until the process is killed, writing `ack <last position>` to
/// `out` after each append returns.
pub fn write_until_killed(store: &impl EventStore, out: &mut impl std::io::Write) {
    loop {
        let appended = store
            .append_streams(&next_batches(store))
            .unwrap_or_else(|e| panic!("{e}"));
        let last = appended.last().map_or(0, |a| a.last_position);
        let _ = writeln!(out, "ack {last}");
        let _ = out.flush();
    }
}

/// The last position acknowledged in a killed writer's output: only whole lines count (a line
/// cut by the kill was not acknowledged).
///
/// ```
/// // The last line, cut by the kill, does not count.
/// assert_eq!(motcua_store::conformance::crash::acknowledged("ack 3\nack 9\nack 12"), 9);
/// ```
pub fn acknowledged(output: &str) -> u64 {
    output
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .filter_map(|l| l.trim_end().strip_prefix("ack "))
        .filter_map(|n| n.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

/// After a kill: the store verifies (chains, sequences, no hole in the positions), holds every
/// acknowledged event, no batch in part, and every writer dossier reads back numbered 1, 2, ….
/// Returns its last position.
pub fn check_after_kill<S: EventStore + RowScan>(
    store: &S,
    acknowledged: u64,
    round: usize,
) -> u64 {
    let report = audit(store, None, None, false).unwrap_or_else(|e| panic!("round {round}: {e}"));
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
    let positions: Vec<u64> = all.iter().map(|s| s.position).collect();
    assert_eq!(positions, (1..=last).collect::<Vec<_>>(), "round {round}");
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
    for k in 0..DOSSIERS {
        let stream = store
            .read_stream(&DossierId::new(format!("K-{k}")))
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let sequences: Vec<u64> = stream.iter().map(|e| e.sequence).collect();
        assert_eq!(sequences, (1..=stream.len() as u64).collect::<Vec<_>>());
    }
    last
}

/// A dossier of `events` with at least four events that is not the last one written (so that
/// deleting its last event leaves a hole in the positions), and its events: the tamper tests'
/// victim.
///
/// ```
/// # use motcua_core::{DossierId, Event};
/// let events: Vec<Event> = Vec::new();
/// assert!(motcua_store::conformance::crash::victim(&events).is_none());
/// ```
pub fn victim(events: &[Event]) -> Option<(DossierId, Vec<Event>)> {
    let last = events.last().map(|e| e.dossier_id.clone());
    let mut ids: Vec<&DossierId> = events.iter().map(|e| &e.dossier_id).collect();
    ids.sort();
    ids.dedup();
    ids.into_iter().find_map(|id| {
        let stream: Vec<Event> = events
            .iter()
            .filter(|e| &e.dossier_id == id)
            .cloned()
            .collect();
        (stream.len() >= 4 && Some(id) != last.as_ref()).then(|| (id.clone(), stream))
    })
}

/// Runs the writer `child` (its stdout piped), kills it with SIGKILL after `delay`, and returns
/// the last position it acknowledged ([`acknowledged`]).
///
/// ```no_run
/// use std::process::{Command, Stdio};
/// let mut writer = Command::new("my-writer");
/// writer.stdout(Stdio::piped());
/// let acked = motcua_store::conformance::crash::kill_after(&mut writer, std::time::Duration::from_millis(50));
/// # let _ = acked;
/// ```
pub fn kill_after(child: &mut std::process::Command, delay: Duration) -> u64 {
    use std::io::Read as _;
    let mut child = child.spawn().unwrap_or_else(|e| panic!("{e}"));
    std::thread::sleep(delay);
    child.kill().unwrap_or_else(|e| panic!("{e}"));
    let _ = child.wait();
    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        let _ = stdout.read_to_string(&mut output);
    }
    acknowledged(&output)
}
