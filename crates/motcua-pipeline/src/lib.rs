//! Full reports straight from stores: every dossier's standing where the store keeps them
//! current, else the log read newest first where the store keeps it in log order (SQLite,
//! PostgreSQL), else dossiers streamed out range by range; viewed, tallied into partial
//! reports on every core, and merged.
//!
//! Nothing but the partial reports is kept: memory does not grow with the number of dossiers
//! (a range's worker holds one dossier's events and a chunk of views at a time; the
//! newest-first read, the dossiers in flight at a point of the log). The result is exactly
//! [`Report::build`] over every view, because reports merge exactly (the merge law of
//! [`motcua_metrics`]); the tests check it byte for byte.
//!
//! Several stores (shards: one SQLite file or PostgreSQL database per province or per group of
//! units) are reported by [`report_stores`]: each shard's partial report is computed where its
//! data is read, then merged.
//!
//! ```
//! use motcua_calendar::Calendar;
//! use motcua_core::Context;
//! use motcua_metrics::{LevelHistory, Period};
//! use motcua_pipeline::{report_store, ReportRun};
//! use motcua_store::InMemoryStore;
//!
//! let sample = motcua_gen::sample()?;
//! let store = InMemoryStore::new();
//! motcua_store::import_jsonl(&store, jsonl(&sample.events).as_slice(), &sample.catalogue)?;
//! let calendar = Calendar::vietnam();
//! let levels = LevelHistory::vietnam();
//! let period = Period::new(time::macros::datetime!(2024-01-01 0:00 +7), sample.as_of)?;
//! let run = ReportRun::new(Context::new(&sample.catalogue, &calendar), period, &levels).threads(2);
//! let report = report_store(&store, &run)?;
//! assert_eq!(report.province().received, 5_921);
//! # fn jsonl(events: &[motcua_core::Event]) -> Vec<u8> {
//! #     let mut out = Vec::new();
//! #     for e in events { motcua_io::write_event(&mut out, e).unwrap(); }
//! #     out
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use motcua_core::{Context, DossierId, DossierView, Event, ViewError};
use motcua_metrics::{LevelHistory, MergeError, Period, Report};
use motcua_store::{DossierRange, DossierScan, StoreError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use time::OffsetDateTime;

mod jsonl;
mod newest_first;
mod standings;
mod threads;

pub use jsonl::report_jsonl;

/// Views tallied into one partial report at a time: large enough that building and merging
/// partial reports costs little, small enough to stay in cache-friendly memory (≈ 2 MB).
const CHUNK: usize = 4_096;

/// Ranges per thread: more than one, so a thread that finishes early takes another.
const RANGES_PER_THREAD: usize = 4;

/// What to report and how: the context (catalogue and calendars), the period (its end is the
/// as-of instant), the level history, an optional "as known at" instant and the threads.
#[derive(Clone)]
pub struct ReportRun<'a> {
    pub(crate) context: Context<'a>,
    pub(crate) period: Period,
    levels: &'a LevelHistory,
    known_at: Option<OffsetDateTime>,
    /// At least one: [`ReportRun::new`] and [`ReportRun::threads`] see to it.
    pub(crate) threads: usize,
    /// Whether the report has its section by officer ([`ReportRun::officers`]).
    officers: bool,
    /// The fingerprint of the context, to judge from the standings a store keeps
    /// ([`ReportRun::standings`]).
    standings: Option<u64>,
}

impl<'a> ReportRun<'a> {
    /// A run over `period`, judged as of its end, on every core the machine has.
    pub fn new(context: Context<'a>, period: Period, levels: &'a LevelHistory) -> Self {
        ReportRun {
            context,
            period,
            levels,
            known_at: None,
            threads: std::thread::available_parallelism().map_or(1, usize::from),
            officers: false,
            standings: None,
        }
    }

    /// Adds the report's section by officer ([`Report::with_officers`]) when `on`: dossiers
    /// handled, steps finished and late steps per officer named by the events.
    pub fn officers(mut self, on: bool) -> Self {
        self.officers = on;
        self
    }

    /// Judges dossiers from the standings a store keeps beside its log
    /// ([`motcua_store::standings`]) when they were kept for the context `fingerprint` names
    /// ([`motcua_store::open_dossiers::fingerprint`]: give the one your maintainer uses) and
    /// are current, instead of decoding and folding every event: the same report, reading
    /// one small row per dossier (and the events of those that moved after the period's
    /// end). Not used with [`ReportRun::known_at`] or [`ReportRun::officers`] (both need
    /// events), nor for a store without current standings. `None` (the default): never.
    ///
    /// The fingerprint is the caller's promise that this run's context is the one the
    /// standings were judged with; a wrong one gives a report judged with another catalogue
    /// or calendar.
    pub fn standings(mut self, fingerprint: Option<u64>) -> Self {
        self.standings = fingerprint;
        self
    }

    /// The fingerprint to read standings with, if this run may.
    fn standings_fingerprint(&self) -> Option<u64> {
        self.standings
            .filter(|_| self.known_at.is_none() && !self.officers)
    }

    /// The empty report of this run: the identity its partial reports merge into.
    pub(crate) fn empty_report(&self) -> Report {
        let report = Report::new(self.period);
        if self.officers {
            report.with_officers()
        } else {
            report
        }
    }

    /// The events of a dossier this run counts: those known at [`ReportRun::known_at`].
    fn known<'e>(&self, events: &'e [Event]) -> &'e [Event] {
        match self.known_at {
            Some(k) => motcua_core::known_prefix(events, k),
            None => events,
        }
    }

    /// Counts only events recorded by `known_at` (see [`Context::view_known_at`]).
    pub fn known_at(mut self, known_at: Option<OffsetDateTime>) -> Self {
        self.known_at = known_at;
        self
    }

    /// Uses `threads` worker threads (at least one).
    pub fn threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// The context dossiers are viewed in.
    pub fn context(&self) -> &Context<'a> {
        &self.context
    }

    /// The period reported (judged as of its end).
    pub fn period(&self) -> Period {
        self.period
    }

    /// The view of one dossier's events under this run, or `None` when nothing of it was
    /// known or had happened by then.
    fn view(&self, events: &[Event]) -> Result<Option<DossierView>, PipelineError> {
        let events = self.known(events);
        let as_of = self.period.end;
        let Some(first) = events.first().filter(|e| e.occurred_at <= as_of) else {
            return Ok(None);
        };
        self.context
            .view_events(events, as_of)
            .map(Some)
            .map_err(|source| PipelineError::View {
                dossier: first.dossier_id.clone(),
                source,
            })
    }
}

/// Why a report could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A store could not be read.
    #[error("{store}: {source}")]
    Store {
        /// Which store (as given to [`report_stores`], or `store` for [`report_store`]).
        store: String,
        /// What failed.
        source: StoreError,
    },
    /// A dossier's view could not be built (an unknown procedure or calendar).
    #[error("dossier {dossier}: {source}")]
    View {
        /// The dossier.
        dossier: DossierId,
        /// What was wrong.
        source: ViewError,
    },
    /// Partial reports of different periods (cannot happen within one run).
    #[error(transparent)]
    Merge(#[from] MergeError),
    /// The input file is not valid: the same error, naming the same line, as an import gives.
    #[error(transparent)]
    Input(motcua_store::ImportError),
    /// A worker thread failed.
    #[error("a report worker failed: {0}")]
    Worker(String),
}

impl PipelineError {
    /// The error the store named `store` gave.
    pub(crate) fn in_store(store: &str, source: StoreError) -> Self {
        PipelineError::Store {
            store: store.to_owned(),
            source,
        }
    }

    /// This error with its store named `store` (a [`StoreError`] converted with `From` names
    /// none); other errors as they are.
    pub(crate) fn naming(self, store: &str) -> Self {
        match self {
            PipelineError::Store { source, .. } => PipelineError::in_store(store, source),
            other => other,
        }
    }

    /// A thread of the report panicked.
    pub(crate) fn panicked() -> Self {
        PipelineError::Worker("a thread panicked".into())
    }
}

impl From<StoreError> for PipelineError {
    fn from(source: StoreError) -> Self {
        PipelineError::in_store("store", source)
    }
}

/// One thread's tally: views in a chunk, folded into a partial report as the chunk fills.
///
/// The chunks' reports are merged as a binary counter merges: a report of `2^k` chunks with
/// the one before it of the same size, so that each overdue entry is moved `log₂(chunks)`
/// times, not once a chunk (merging every chunk into one growing report made the overdue
/// list's merge quadratic: 9.5 % of a 10⁷-dossier report's time, measured with `perf`).
pub(crate) struct Tally<'r> {
    run: &'r ReportRun<'r>,
    views: Vec<DossierView>,
    /// What is recorded outside the chunks (dossiers that cannot be judged, officers).
    report: Report,
    /// The chunks' reports, each with how many chunks it holds, fewer towards the end.
    parts: Vec<(usize, Report)>,
}

impl<'r> Tally<'r> {
    pub(crate) fn new(run: &'r ReportRun<'r>) -> Self {
        Tally {
            run,
            views: Vec::with_capacity(CHUNK),
            report: run.empty_report(),
            parts: Vec::new(),
        }
    }

    /// Views one dossier and tallies it; a dossier that cannot be judged is recorded in the
    /// report with its reason (the report is then partial) instead of failing the whole run.
    pub(crate) fn visit(&mut self, events: &[Event]) -> Result<(), PipelineError> {
        match self.run.view(events) {
            Ok(Some(view)) => {
                if self.run.officers {
                    self.report.add_officers(self.run.known(events), &view);
                }
                self.add_view(view)?;
            }
            Ok(None) => {}
            Err(PipelineError::View { dossier, source }) => {
                let reason = source.to_string();
                let prefix = format!("dossier {dossier}: ");
                let reason = reason
                    .strip_prefix(&prefix)
                    .map_or(reason.clone(), str::to_owned);
                self.report.record_unjudged(dossier, reason);
            }
            Err(other) => return Err(other),
        }
        Ok(())
    }

    /// Tallies a dossier's view, however it was computed.
    pub(crate) fn add_view(&mut self, view: DossierView) -> Result<(), PipelineError> {
        self.views.push(view);
        if self.views.len() == CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), PipelineError> {
        if self.views.is_empty() {
            return Ok(());
        }
        let run = self.run;
        let mut part = (
            1,
            Report::build_with_levels(run.context.catalogue, &self.views, run.period, run.levels),
        );
        self.views.clear();
        while self
            .parts
            .last()
            .is_some_and(|(chunks, _)| *chunks <= part.0)
        {
            if let Some((chunks, mut earlier)) = self.parts.pop() {
                earlier.merge_owned(part.1)?;
                part = (chunks + part.0, earlier);
            }
        }
        self.parts.push(part);
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<Report, PipelineError> {
        self.flush()?;
        for (_, part) in self.parts {
            self.report.merge_owned(part)?;
        }
        Ok(self.report)
    }
}

/// The full report of every dossier in `store`, computed on [`ReportRun::threads`] threads.
///
/// # Errors
/// The first [`PipelineError`] any thread met; no partial result is returned.
pub fn report_store<S: DossierScan + Sync>(
    store: &S,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    report_stores(&[("store", store)], run)
}

/// The full report over several stores (shards), each named for error messages: each store is
/// read where it is — from its standings, newest first (stores that keep log order, one after
/// the other), or by dossier ranges shared by the threads — and the partial reports merged. A
/// dossier must live in one shard only (shards split dossiers, not streams).
///
/// # Errors
/// The first [`PipelineError`] any thread met, naming the store.
pub fn report_stores<S: DossierScan + Sync>(
    stores: &[(&str, &S)],
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    let parts = if run.threads == 1 {
        1
    } else {
        run.threads * RANGES_PER_THREAD
    };
    // Stores kept in log order are read newest first, one after the other, each at the speed
    // of a sequential read with the tallying beside it; the others by dossier ranges.
    let mut report = run.empty_report();
    // Stores with current standings are read from them.
    let mut done = vec![false; stores.len()];
    if let Some(fingerprint) = run.standings_fingerprint() {
        for (i, (name, store)) in stores.iter().enumerate() {
            if let Some(part) = standings::report_from_standings(name, *store, run, fingerprint)? {
                report.merge_owned(part)?;
                done[i] = true;
            }
        }
    }
    for (i, (name, store)) in stores.iter().enumerate() {
        if !done[i] && store.keeps_log_order() {
            report.merge_owned(newest_first::report_newest_first(name, *store, run)?)?;
        }
    }
    let mut work: Vec<(usize, DossierRange)> = Vec::new();
    for (i, (name, store)) in stores.iter().enumerate() {
        if done[i] || store.keeps_log_order() {
            continue;
        }
        let ranges = store
            .dossier_ranges(parts)
            .map_err(|e| PipelineError::in_store(name, e))?;
        work.extend(ranges.into_iter().map(|r| (i, r)));
    }
    let next = AtomicUsize::new(0);
    let failed: Mutex<Option<PipelineError>> = Mutex::new(None);
    let threads = run.threads.min(work.len()).max(1);
    let partials: Vec<Result<Report, PipelineError>> = std::thread::scope(|scope| {
        let mut handles = Vec::with_capacity(threads);
        for _ in 0..threads {
            let started = threads::start(scope, || {
                let mut tally = Tally::new(run);
                loop {
                    if failed.lock().map(|f| f.is_some()).unwrap_or(true) {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((store, range)) = work.get(i) else {
                        break;
                    };
                    let (name, store) = stores[*store];
                    let scanned = store
                        .scan_dossiers(range, |events: &[Event]| tally.visit(events))
                        .map_err(|e| e.naming(name));
                    if let Err(e) = scanned {
                        if let Ok(mut f) = failed.lock() {
                            f.get_or_insert(e);
                        }
                        break;
                    }
                }
                tally.finish()
            });
            match started {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    // The threads started stop at their next range.
                    if let Ok(mut f) = failed.lock() {
                        f.get_or_insert(e);
                    }
                    break;
                }
            }
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(PipelineError::panicked())))
            .collect()
    });
    if let Some(e) = failed.into_inner().ok().flatten() {
        return Err(e);
    }
    for partial in partials {
        report.merge_owned(partial?)?;
    }
    Ok(report)
}

// The README's examples run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
