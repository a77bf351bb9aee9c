//! The full report of a store kept in log order ([`DossierScan::keeps_log_order`]): one thread
//! reads the store newest first, in storage order (a sequential read of the file), and hands
//! each dossier's stream, bodies undecoded, to tallying threads in batches; they decode, view
//! and tally. The reading thread does no more than the raw read and the grouping of rows by
//! dossier; the rest of the work runs beside it.

use crate::{PipelineError, ReportRun, Tally};
use motcua_core::Event;
use motcua_metrics::Report;
use motcua_store::codec::compact;
use motcua_store::{DossierScan, StoreError, StoredStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Streams handed to a tallying thread at a time: enough that the hand-over costs little.
const STREAMS_PER_BATCH: usize = 256;

/// Batches read and not yet taken, at most: the reader waits beyond it, so memory stays
/// bounded when tallying is slower than reading.
const BATCHES_QUEUED: usize = 16;

/// Why the reading stopped: the store failed, or a tallying thread did (its error is kept
/// aside).
enum Stop {
    Store(StoreError),
    Tallying,
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// The report of `store` read newest first, tallied on `run.threads` threads beside the
/// reading one (on one thread, read and tallied in turn).
pub(crate) fn report_newest_first<S: DossierScan + Sync>(
    name: &str,
    store: &S,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    let named = |source: StoreError| PipelineError::Store {
        store: name.to_owned(),
        source,
    };
    if run.threads <= 1 {
        let mut tally = Tally::new(run);
        let mut decoder = compact::Decoder::default();
        let mut events = Vec::new();
        store
            .scan_newest_first(|stream: StoredStream| {
                tally_stream(&stream, &mut tally, &mut decoder, &mut events, name)
            })
            .map_err(|e| match e {
                PipelineError::Store { source, .. } => named(source),
                other => other,
            })?;
        return tally.finish();
    }
    let (send, receive) = sync_channel::<Vec<StoredStream>>(BATCHES_QUEUED);
    let receive = Mutex::new(receive);
    let failed: Mutex<Option<PipelineError>> = Mutex::new(None);
    let stopped = AtomicBool::new(false);
    let (read, partials) = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..run.threads)
            .map(|_| scope.spawn(|| tally_batches(&receive, run, name, &failed, &stopped)))
            .collect();
        let mut batch = Vec::with_capacity(STREAMS_PER_BATCH);
        let read = store.scan_newest_first(|stream: StoredStream| {
            batch.push(stream);
            if batch.len() == STREAMS_PER_BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(STREAMS_PER_BATCH));
                if stopped.load(Ordering::Relaxed) || send.send(full).is_err() {
                    return Err(Stop::Tallying);
                }
            }
            Ok(())
        });
        let read = read.and_then(|()| {
            if batch.is_empty() || send.send(batch).is_ok() {
                Ok(())
            } else {
                Err(Stop::Tallying)
            }
        });
        // Closing the channel ends the tallying threads once they have taken every batch.
        drop(send);
        let partials: Vec<Result<Report, PipelineError>> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(PipelineError::Worker("a thread panicked".into())))
            })
            .collect();
        (read, partials)
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    match read {
        Ok(()) => {}
        Err(Stop::Store(e)) => return Err(named(e)),
        Err(Stop::Tallying) => {
            return Err(PipelineError::Worker(
                "the tallying threads stopped before the store was read".into(),
            ))
        }
    }
    let mut report = run.empty_report();
    for partial in partials {
        report.merge_owned(partial?)?;
    }
    Ok(report)
}

/// One tallying thread: takes batches until the channel closes. On an error it keeps the
/// first one in `failed`, tells the reader to stop, and keeps taking (and dropping) batches so
/// that the reader never waits on a full channel.
fn tally_batches(
    receive: &Mutex<Receiver<Vec<StoredStream>>>,
    run: &ReportRun<'_>,
    name: &str,
    failed: &Mutex<Option<PipelineError>>,
    stopped: &AtomicBool,
) -> Result<Report, PipelineError> {
    let mut tally = Tally::new(run);
    let mut decoder = compact::Decoder::default();
    let mut events = Vec::new();
    let mut ok = true;
    loop {
        let batch = match receive.lock() {
            Ok(r) => r.recv(),
            Err(_) => return Err(PipelineError::Worker("a thread panicked".into())),
        };
        let Ok(batch) = batch else { break };
        if !ok {
            continue;
        }
        for stream in &batch {
            if let Err(e) = tally_stream(stream, &mut tally, &mut decoder, &mut events, name) {
                if let Ok(mut f) = failed.lock() {
                    f.get_or_insert(e);
                }
                stopped.store(true, Ordering::Relaxed);
                ok = false;
                break;
            }
        }
    }
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
        .map_err(|source| PipelineError::Store {
            store: name.to_owned(),
            source,
        })?;
    tally.visit(events)
}
