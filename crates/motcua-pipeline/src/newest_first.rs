//! The full report of a store kept in log order ([`DossierScan::keeps_log_order`]), in three
//! stages on their own threads: one reads the store newest first, in storage order (a
//! sequential read of the file), and copies the rows into blocks; one gathers the rows into
//! whole dossier streams ([`NewestFirst`]); the others decode, view and tally the streams. The
//! reading thread does no more than the raw read and a copy; grouping, which touches the rows
//! of the dossiers in flight all over memory, runs beside it. The grouper holds JSON bodies
//! (PostgreSQL's) re-encoded compact ([`NewestFirst::holding_compact`]): it parses them, the
//! tallying threads decode the compact form. At 10⁶ dossiers on two cores that halved the
//! memory of a PostgreSQL report read from events (289–301 MB → 145–156 MB) for 5–7 % more
//! wall time (BENCHMARKS.md); a compact body (SQLite's) is held as stored.

use crate::{PipelineError, ReportRun, Tally};
use motcua_core::Event;
use motcua_metrics::Report;
use motcua_store::codec::compact;
use motcua_store::{DossierScan, LogRow, NewestFirst, StoreError, StoredStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Mutex;

/// Rows handed from the reading thread to the grouping thread at a time.
const ROWS_PER_BLOCK: usize = 4_096;

/// Blocks read and not yet grouped, at most.
const BLOCKS_QUEUED: usize = 8;

/// Streams handed to a tallying thread at a time: enough that the hand-over costs little.
const STREAMS_PER_BATCH: usize = 256;

/// Batches grouped and not yet taken, at most: the stages before wait beyond it, so memory
/// stays bounded when tallying is slower than reading.
const BATCHES_QUEUED: usize = 16;

/// Rows copied out of the store's row buffer: each row's position, sequence and the ends of
/// its dossier id and of its body in `bytes` (the id, then the body, row after row).
#[derive(Debug, Default)]
struct RowBlock {
    rows: Vec<(u64, u64, usize, usize)>,
    bytes: Vec<u8>,
}

impl RowBlock {
    fn push(&mut self, row: LogRow<'_>) {
        self.bytes.extend_from_slice(row.dossier_id.as_bytes());
        let id_end = self.bytes.len();
        self.bytes.extend_from_slice(row.body);
        self.rows
            .push((row.position, row.sequence, id_end, self.bytes.len()));
    }

    fn rows(&self) -> impl Iterator<Item = LogRow<'_>> + '_ {
        let mut start = 0;
        self.rows
            .iter()
            .map(move |&(position, sequence, id_end, end)| {
                // The id was a `&str` when it was copied in.
                let dossier_id =
                    std::str::from_utf8(&self.bytes[start..id_end]).unwrap_or_default();
                let body = &self.bytes[id_end..end];
                start = end;
                LogRow {
                    position,
                    dossier_id,
                    sequence,
                    body,
                }
            })
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.bytes.clear();
    }
}

/// Why the reading stopped: the store failed, or a later stage did (its error is kept aside).
enum Stop {
    Store(StoreError),
    Later,
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// What the stages share: the first error of a later stage, and whether there was one.
#[derive(Default)]
pub(crate) struct Failure {
    pub(crate) first: Mutex<Option<PipelineError>>,
    stopped: AtomicBool,
}

impl Failure {
    pub(crate) fn record(&self, e: PipelineError) {
        if let Ok(mut first) = self.first.lock() {
            first.get_or_insert(e);
        }
        self.stopped.store(true, Ordering::Relaxed);
    }

    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

/// While a channel is full, how long a stage sleeps before it tries again (and looks whether
/// another stage failed).
const FULL_WAIT: std::time::Duration = std::time::Duration::from_micros(100);

/// Hands `value` to the next stage, waiting while the channel is full, but not once another
/// stage has failed (a failed stage may take nothing more): `false` then, or when the next
/// stage is gone.
pub(crate) fn hand_on<T>(channel: &SyncSender<T>, mut value: T, failure: &Failure) -> bool {
    loop {
        match channel.try_send(value) {
            Ok(()) => return true,
            Err(TrySendError::Disconnected(_)) => return false,
            Err(TrySendError::Full(back)) => {
                if failure.stopped() {
                    return false;
                }
                value = back;
                std::thread::sleep(FULL_WAIT);
            }
        }
    }
}

/// Records [`PipelineError::panicked`] if the thread it lives on unwinds, so that the other
/// stages stop waiting for it.
pub(crate) struct RecordPanic<'f>(pub(crate) &'f Failure);

impl Drop for RecordPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.record(PipelineError::panicked());
        }
    }
}

/// The report of `store` read newest first: on one thread, read, grouped and tallied in turn;
/// on more, the reading thread, the grouping thread and `run.threads - 1` tallying threads
/// (at least one).
pub(crate) fn report_newest_first<S: DossierScan + Sync>(
    name: &str,
    store: &S,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    if run.threads <= 1 {
        let mut tally = Tally::new(run);
        let mut decoder = compact::Decoder::default();
        let mut events = Vec::new();
        store
            .scan_newest_first(|stream: StoredStream| {
                tally_stream(&stream, &mut tally, &mut decoder, &mut events, name)
            })
            .map_err(|e| e.naming(name))?;
        return tally.finish();
    }
    let (send_rows, receive_rows) = sync_channel::<RowBlock>(BLOCKS_QUEUED);
    let (give_back, spare) = sync_channel::<RowBlock>(BLOCKS_QUEUED);
    let (send, receive) = sync_channel::<Vec<StoredStream>>(BATCHES_QUEUED);
    let receive = Mutex::new(receive);
    let failure = Failure::default();
    let read_failed = AtomicBool::new(false);
    let (read, partials) = std::thread::scope(|scope| {
        let count = (run.threads - 1).max(1);
        let mut workers = Vec::with_capacity(count);
        for _ in 0..count {
            match crate::threads::start(scope, || tally_batches(&receive, run, name, &failure)) {
                Ok(worker) => workers.push(worker),
                Err(e) => {
                    // Those started end when `send` is dropped with this closure.
                    failure.record(e);
                    return (Err(Stop::Later), Vec::new());
                }
            }
        }
        let failure = &failure;
        let read_failed = &read_failed;
        let grouper = crate::threads::start(scope, move || {
            group_blocks(&receive_rows, &give_back, &send, name, failure, read_failed)
        });
        let grouper = match grouper {
            Ok(grouper) => grouper,
            Err(e) => {
                // `send` went with the grouper's closure: the workers end.
                failure.record(e);
                return (Err(Stop::Later), Vec::new());
            }
        };
        let mut block = RowBlock::default();
        let read = store.scan_log_newest_first(|row: LogRow<'_>| {
            block.push(row);
            if block.rows.len() == ROWS_PER_BLOCK {
                let next = spare.try_recv().unwrap_or_default();
                let full = std::mem::replace(&mut block, next);
                if !hand_on(&send_rows, full, failure) {
                    return Err(Stop::Later);
                }
            }
            Ok(())
        });
        let read = read.and_then(|()| {
            if block.rows.is_empty() || hand_on(&send_rows, block, failure) {
                Ok(())
            } else {
                Err(Stop::Later)
            }
        });
        if read.is_err() {
            // The log was not read to its start: the grouper must not judge what it lacks.
            read_failed.store(true, Ordering::Relaxed);
        }
        // Closing the channel ends the grouping thread once it has taken every block, and
        // its end the tallying threads'.
        drop(send_rows);
        if grouper.join().is_err() {
            failure.record(PipelineError::panicked());
        }
        let partials: Vec<Result<Report, PipelineError>> = workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|_| Err(PipelineError::panicked())))
            .collect();
        (read, partials)
    });
    // The store's own error first: what the later stages made of a half-read log says less.
    if let Err(Stop::Store(e)) = read {
        return Err(PipelineError::in_store(name, e));
    }
    if let Some(e) = failure.first.into_inner().ok().flatten() {
        return Err(e);
    }
    if let Err(Stop::Later) = read {
        return Err(PipelineError::Worker(
            "the report's threads stopped before the store was read".into(),
        ));
    }
    let mut report = run.empty_report();
    for partial in partials {
        report.merge_owned(partial?)?;
    }
    Ok(report)
}

/// The grouping thread: gathers the blocks' rows into streams and hands them on in batches,
/// giving emptied blocks back to the reader. On an error it keeps the first in `failure` and
/// keeps taking (and dropping) blocks, so that the reader never waits on a full channel.
fn group_blocks(
    blocks: &Receiver<RowBlock>,
    give_back: &SyncSender<RowBlock>,
    send: &SyncSender<Vec<StoredStream>>,
    name: &str,
    failure: &Failure,
    read_failed: &AtomicBool,
) {
    let _record = RecordPanic(failure);
    let named = |source| PipelineError::in_store(name, source);
    let mut grouper = NewestFirst::holding_compact();
    let mut batch = Vec::with_capacity(STREAMS_PER_BATCH);
    let mut ok = true;
    while let Ok(mut block) = blocks.recv() {
        if ok {
            for row in block.rows() {
                let pushed = grouper.push_row(row, &mut |stream: StoredStream| {
                    batch.push(stream);
                    if batch.len() == STREAMS_PER_BATCH {
                        let full =
                            std::mem::replace(&mut batch, Vec::with_capacity(STREAMS_PER_BATCH));
                        if !hand_on(send, full, failure) {
                            return Err(StoreError::Backend("the tallying threads stopped".into()));
                        }
                    }
                    Ok(())
                });
                if let Err(e) = pushed {
                    failure.record(named(e));
                    ok = false;
                    break;
                }
            }
        }
        block.clear();
        let _ = give_back.try_send(block);
    }
    if !ok || read_failed.load(Ordering::Relaxed) {
        return;
    }
    match grouper.finish() {
        Ok(()) => {
            if !batch.is_empty() {
                // A false return means a tallying thread failed, which it has recorded.
                hand_on(send, batch, failure);
            }
        }
        Err(e) => failure.record(named(e)),
    }
}

/// A later stage's loop: takes values until the channel closes and hands each to `work`. On an
/// error it keeps the first one in `failure` (the stages before it stop at their next hand-on)
/// and keeps taking (and dropping) values, so that they never wait on a full channel.
pub(crate) fn take_each<T>(
    receive: &Mutex<Receiver<T>>,
    failure: &Failure,
    mut work: impl FnMut(T) -> Result<(), PipelineError>,
) -> Result<(), PipelineError> {
    let mut ok = true;
    loop {
        let value = match receive.lock() {
            Ok(r) => r.recv(),
            Err(_) => {
                failure.record(PipelineError::panicked());
                return Err(PipelineError::panicked());
            }
        };
        let Ok(value) = value else { return Ok(()) };
        if ok {
            if let Err(e) = work(value) {
                failure.record(e);
                ok = false;
            }
        }
    }
}

/// One tallying thread: tallies batches of streams until the channel closes ([`take_each`]).
fn tally_batches(
    receive: &Mutex<Receiver<Vec<StoredStream>>>,
    run: &ReportRun<'_>,
    name: &str,
    failure: &Failure,
) -> Result<Report, PipelineError> {
    let _record = RecordPanic(failure);
    let mut tally = Tally::new(run);
    let mut decoder = compact::Decoder::default();
    let mut events = Vec::new();
    take_each(receive, failure, |batch| {
        batch.iter().try_for_each(|stream| {
            tally_stream(stream, &mut tally, &mut decoder, &mut events, name)
        })
    })?;
    tally.finish()
}

fn tally_stream(
    stream: &StoredStream,
    tally: &mut Tally<'_>,
    decoder: &mut compact::Decoder,
    events: &mut Vec<Event>,
    name: &str,
) -> Result<(), PipelineError> {
    stream
        .decode_into(decoder, events)
        .map_err(|source| PipelineError::in_store(name, source))?;
    tally.visit(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use motcua_calendar::Calendar;
    use motcua_core::Context;
    use motcua_metrics::{LevelHistory, Period};
    use motcua_store::{DossierRange, StoreError};

    /// A full channel does not hold a stage once another has failed.
    #[test]
    fn hand_on_gives_up_on_a_full_channel_once_a_stage_failed() {
        let failure = Failure::default();
        let (send, _receive) = sync_channel::<u32>(1);
        assert!(hand_on(&send, 1, &failure));
        failure.record(PipelineError::Worker("gone".into()));
        assert!(!hand_on(&send, 2, &failure));
        drop(_receive);
        assert!(!hand_on(&send, 3, &failure));
    }

    /// A stage that panics is recorded as failed, so the others stop waiting for it.
    #[test]
    fn a_panicking_stage_is_recorded() {
        let failure = Failure::default();
        std::thread::scope(|scope| {
            let joined = scope
                .spawn(|| {
                    let _record = RecordPanic(&failure);
                    panic!("a bug in a stage");
                })
                .join();
            assert!(joined.is_err());
        });
        assert!(failure.stopped());
        let first = failure.first.into_inner().ok().flatten();
        assert!(matches!(first, Some(PipelineError::Worker(_))), "{first:?}");
    }

    /// A store that keeps log order and fails halfway through its log, a dossier still
    /// waiting for its first event.
    struct FailsHalfway(Vec<(u64, Vec<u8>)>);

    impl DossierScan for FailsHalfway {
        fn dossier_ranges(&self, _: usize) -> Result<Vec<motcua_store::DossierRange>, StoreError> {
            Ok(vec![DossierRange::ALL])
        }
        fn scan_dossiers<E, F>(&self, _: &DossierRange, _: F) -> Result<(), E>
        where
            E: From<StoreError>,
            F: FnMut(&[Event]) -> Result<(), E>,
        {
            Ok(())
        }
        fn scan_log_newest_first<E, F>(&self, mut visit: F) -> Result<(), E>
        where
            E: From<StoreError>,
            F: FnMut(LogRow<'_>) -> Result<(), E>,
        {
            for (position, body) in &self.0 {
                visit(LogRow::compact(*position, body)?)?;
            }
            Err(E::from(StoreError::Storage("the disk went away".into())))
        }
        fn keeps_log_order(&self) -> bool {
            true
        }
    }

    /// The store's own error is what the report returns, on any number of threads, not the
    /// damage a half-read log would show (dossiers that never reached their first event).
    #[test]
    fn a_store_failing_halfway_gives_its_own_error() -> Result<(), Box<dyn std::error::Error>> {
        let sample = motcua_gen::sample()?;
        let calendar = Calendar::vietnam();
        let levels = LevelHistory::vietnam();
        let period = Period::new(time::macros::datetime!(2024-01-01 0:00 +7), sample.as_of)?;
        // The newest 20,000 events, newest first: many dossiers lack their first event.
        let mut events = sample.events.clone();
        events.sort_by_key(|e| e.recorded_at);
        let rows: Vec<(u64, Vec<u8>)> = events
            .iter()
            .enumerate()
            .rev()
            .take(20_000)
            .map(|(i, e)| (i as u64 + 1, compact::encode(e)))
            .collect();
        let store = FailsHalfway(rows);
        for threads in [1, 2, 3] {
            let run = ReportRun::new(Context::new(&sample.catalogue, &calendar), period, &levels)
                .threads(threads);
            let err = report_newest_first("shard", &store, &run)
                .map(|_| ())
                .unwrap_err();
            assert!(
                matches!(
                    &err,
                    PipelineError::Store { store, source: StoreError::Storage(_) } if store == "shard"
                ),
                "{threads} threads: {err}"
            );
        }
        Ok(())
    }
}
