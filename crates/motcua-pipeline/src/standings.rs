//! The full report of a store from the standings it keeps beside its log
//! ([`motcua_store::standings`]): one small row per dossier read in one sequential pass,
//! each dossier judged with [`Context::view_at`](motcua_core::Context::view_at) instead of
//! decoding and folding its events. The standing law makes the view the one its events give
//! at every instant at or after its last event; a dossier whose last event is after the
//! instant asked about (or whose standing cannot be read or moved on) is judged from its
//! events, read in the same snapshot; one whose first event is after it is skipped, as the
//! events path skips it. So the report is the one [`Report::build`] makes over every
//! dossier's view from its events, byte for byte (tested against it). When more than one
//! dossier in [`EVENTS_READ_AT_MOST`] would need its events (a report as of long ago), the
//! standings are left and the whole log read instead: one stream read through the index
//! costs several times what a stream costs in the log's sequential read.
//!
//! On more than one thread the reading thread copies rows into blocks and `run.threads`
//! judging threads decode, judge and tally them.

use crate::newest_first::{hand_on, take_each, Failure, RecordPanic};
use crate::{PipelineError, ReportRun, Tally};
use motcua_core::{DossierId, Event};
use motcua_metrics::Report;
use motcua_store::codec::compact;
use motcua_store::standings::StandingRead;
use motcua_store::DossierScan;
use std::cell::RefCell;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

/// Rows handed to a judging thread at a time.
const ROWS_PER_BLOCK: usize = 2_048;

/// Blocks read and not yet taken, at most: the reader waits beyond it.
const BLOCKS_QUEUED: usize = 8;

/// One dossier in this many, at most, is read from its events; beyond it the report reads the
/// log. Measured on a time-ordered store of 10⁶ dossiers (2 cores): a stream read through the
/// index and judged costs about 23 µs, the whole log read newest first about 3.1 µs a
/// dossier, so reading the log is cheaper from about one dossier in seven.
pub(crate) const EVENTS_READ_AT_MOST: usize = 8;

/// Rows copied out of the store's row buffer: for each row the end of its dossier id and of
/// its standing in `bytes` (the id, then the standing, row after row), the second of its first
/// event, and whether it has a standing.
#[derive(Debug, Default)]
struct StandingBlock {
    rows: Vec<(usize, usize, i64, bool)>,
    bytes: Vec<u8>,
}

impl StandingBlock {
    fn push(&mut self, row: StandingRead<'_>) {
        self.bytes.extend_from_slice(row.dossier_id.as_bytes());
        let id_end = self.bytes.len();
        self.bytes
            .extend_from_slice(row.standing.unwrap_or_default());
        self.rows.push((
            id_end,
            self.bytes.len(),
            row.first_second,
            row.standing.is_some(),
        ));
    }

    fn rows(&self) -> impl Iterator<Item = StandingRead<'_>> + '_ {
        let mut start = 0;
        self.rows
            .iter()
            .map(move |&(id_end, end, first_second, some)| {
                // The id was a `&str` when it was copied in.
                let id = std::str::from_utf8(&self.bytes[start..id_end]).unwrap_or_default();
                let standing = some.then(|| &self.bytes[id_end..end]);
                start = end;
                StandingRead {
                    dossier_id: id,
                    first_second,
                    standing,
                }
            })
    }
}

/// Judges dossiers from their standings as of the run's instant; remembers those it cannot.
struct Judge<'r> {
    tally: Tally<'r>,
    decoder: compact::Decoder,
    needing: Vec<DossierId>,
    /// Rows read.
    rows: usize,
}

impl<'r> Judge<'r> {
    fn new(run: &'r ReportRun<'r>) -> Self {
        Judge {
            tally: Tally::new(run),
            decoder: compact::Decoder::default(),
            needing: Vec::new(),
            rows: 0,
        }
    }

    /// Tallies the dossier's view from its standing, or remembers that its events are needed:
    /// no standing, one that cannot be read, one taken after the instant asked about (the
    /// dossier moved since), or one the run's context cannot move on (its calendar). A
    /// dossier first seen after the instant is not counted, as [`ReportRun`] leaves out a
    /// stream whose first event is later.
    fn row(&mut self, row: StandingRead<'_>) -> Result<(), PipelineError> {
        let run = self.tally.run;
        let as_of = run.period.end;
        self.rows += 1;
        if row.first_second > as_of.unix_timestamp() {
            return Ok(());
        }
        let view = row
            .standing
            .and_then(|bytes| self.decoder.decode_standing(bytes).ok())
            .filter(|standing| standing.at <= as_of)
            .and_then(|standing| run.context.view_at(standing, as_of).ok());
        match view {
            Some(view) => self.tally.add_view(view),
            None => {
                self.needing.push(DossierId::new(row.dossier_id));
                Ok(())
            }
        }
    }
}

/// The report of `store` from its standings, or `None` when it keeps none current for
/// `fingerprint` (the caller then reads events).
pub(crate) fn report_from_standings<S: DossierScan + Sync>(
    name: &str,
    store: &S,
    run: &ReportRun<'_>,
    fingerprint: u64,
) -> Result<Option<Report>, PipelineError> {
    if run.threads <= 1 {
        let judge = RefCell::new(Judge::new(run));
        let found = store
            .scan_standings(
                fingerprint,
                |row: StandingRead<'_>| judge.borrow_mut().row(row),
                || {
                    let mut judge = judge.borrow_mut();
                    let needing = std::mem::take(&mut judge.needing);
                    Ok(worth_reading(needing, judge.rows))
                },
                |events: &[Event]| judge.borrow_mut().tally.visit(events),
            )
            .map_err(|e: PipelineError| e.naming(name))?;
        return match found {
            true => judge.into_inner().tally.finish().map(Some),
            false => Ok(None),
        };
    }
    let (send, receive) = sync_channel::<StandingBlock>(BLOCKS_QUEUED);
    let receive = Mutex::new(receive);
    let failure = Failure::default();
    let mut events_tally = Tally::new(run);
    let (found, partials) = std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(run.threads);
        for _ in 0..run.threads {
            match crate::threads::start(scope, || judge_blocks(&receive, run, &failure)) {
                Ok(worker) => workers.push(worker),
                Err(e) => {
                    // Those started end when `send` is dropped with this closure.
                    failure.record(e);
                    return (Ok(false), Vec::new());
                }
            }
        }
        // What the reading closures share: the block being filled, the channel (dropped
        // once every row was read), the workers (joined then) and what they returned.
        let feed = RefCell::new(Feed {
            block: StandingBlock::default(),
            send: Some(send),
            workers,
            partials: Vec::new(),
            rows: 0,
        });
        let failure = &failure;
        let found = store.scan_standings(
            fingerprint,
            |row: StandingRead<'_>| {
                let mut feed = feed.borrow_mut();
                feed.rows += 1;
                feed.block.push(row);
                if feed.block.rows.len() == ROWS_PER_BLOCK {
                    feed.hand_on(failure)?;
                }
                Ok(())
            },
            || {
                let mut feed = feed.borrow_mut();
                if !feed.block.rows.is_empty() {
                    feed.hand_on(failure)?;
                }
                feed.send = None;
                let mut needing = Vec::new();
                for worker in std::mem::take(&mut feed.workers) {
                    let (report, need) = worker
                        .join()
                        .unwrap_or_else(|_| Err(PipelineError::panicked()))?;
                    feed.partials.push(report);
                    needing.extend(need);
                }
                Ok(worth_reading(needing, feed.rows))
            },
            |events: &[Event]| events_tally.visit(events),
        );
        // Not current (nothing visited) or failed: the workers end when the channel closes.
        let mut feed = feed.into_inner();
        feed.send = None;
        for worker in feed.workers {
            let _ = worker.join();
        }
        (found, feed.partials)
    });
    // A judging thread's own error first: the reader's is then only that they stopped.
    if let Some(e) = failure.first.into_inner().ok().flatten() {
        return Err(e);
    }
    let found = found.map_err(|e: PipelineError| e.naming(name))?;
    if !found {
        return Ok(None);
    }
    let mut report = events_tally.finish()?;
    for partial in partials {
        report.merge_owned(partial)?;
    }
    Ok(Some(report))
}

/// The reading side of the threaded report.
struct Feed<'s> {
    block: StandingBlock,
    send: Option<SyncSender<StandingBlock>>,
    workers: Vec<std::thread::ScopedJoinHandle<'s, JudgeResult>>,
    partials: Vec<Report>,
    /// Rows read.
    rows: usize,
}

/// What a judging thread returns: its partial report and the dossiers whose events it needs.
type JudgeResult = Result<(Report, Vec<DossierId>), PipelineError>;

impl Feed<'_> {
    /// Hands the full block to a judging thread.
    fn hand_on(&mut self, failure: &Failure) -> Result<(), PipelineError> {
        let block = std::mem::take(&mut self.block);
        match &self.send {
            Some(send) if hand_on(send, block, failure) => Ok(()),
            _ => Err(PipelineError::Worker(
                "the report's judging threads stopped before the store was read".into(),
            )),
        }
    }
}

/// One judging thread: judges blocks until the channel closes ([`take_each`]).
fn judge_blocks<'r>(
    receive: &Mutex<Receiver<StandingBlock>>,
    run: &'r ReportRun<'r>,
    failure: &Failure,
) -> JudgeResult {
    let _record = RecordPanic(failure);
    let mut judge = Judge::new(run);
    take_each(receive, failure, |block| {
        block.rows().try_for_each(|row| judge.row(row))
    })?;
    let needing = judge.needing;
    Ok((judge.tally.finish()?, needing))
}

/// The dossiers whose events to read, in order, or `None` when they are so many of the `rows`
/// read that reading the whole log is cheaper ([`EVENTS_READ_AT_MOST`]).
fn worth_reading(mut ids: Vec<DossierId>, rows: usize) -> Option<Vec<DossierId>> {
    if ids.len() > rows / EVENTS_READ_AT_MOST {
        return None;
    }
    ids.sort_unstable();
    Some(ids)
}
