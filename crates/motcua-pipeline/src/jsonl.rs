//! Reports from a JSON Lines file: the file split into blocks of whole lines, blocks parsed on
//! every core, events gathered by dossier in line order, then checked, viewed and tallied.

use crate::{PipelineError, ReportRun, Tally};
use motcua_core::{DossierId, DossierState, Event};
use motcua_io::{ReadError, MAX_LINE_BYTES};
use motcua_metrics::Report;
use motcua_store::ImportError;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Bytes of whole lines handed to a parser at a time.
const BLOCK_BYTES: usize = 1 << 20;

/// Dossiers checked and viewed per grab of a worker.
const DOSSIER_BATCH: usize = 1_024;

/// Lines of the file, from `first_line`.
struct Block {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// A block's events with their lines, and the first error in it (parsing stops there).
struct Parsed {
    index: usize,
    events: Vec<(u64, Event)>,
    error: Option<ReadError>,
}

/// One dossier's events from the file, with the line each came from.
struct FileStream {
    events: Vec<Event>,
    lines: Vec<u64>,
}

/// An error and the line it is on: the earliest line wins.
type AtLine = (u64, ImportError);

fn earlier(a: Option<AtLine>, b: Option<AtLine>) -> Option<AtLine> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Splits `reader` into blocks of whole lines, sent to `send` in order, and returns the error
/// that stopped it, if any: a line longer than [`MAX_LINE_BYTES`] (skipped without being held)
/// or a failing reader. Stops early when `stop` is set.
fn split<R: BufRead>(
    mut reader: R,
    send: impl Fn(Block) -> bool,
    stop: &AtomicBool,
) -> Option<ReadError> {
    let mut block = Vec::with_capacity(BLOCK_BYTES + MAX_LINE_BYTES);
    let mut first_line = 1u64;
    let mut lines = 0u64;
    let mut index = 0;
    // The most of one line held: the longest line and a "\r\n", plus one byte to tell.
    let cap = (MAX_LINE_BYTES + 3) as u64;
    let error = loop {
        if stop.load(Ordering::Relaxed) {
            break None;
        }
        let start = block.len();
        let read = match (&mut reader).take(cap).read_until(b'\n', &mut block) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {
                block.truncate(start);
                continue;
            }
            Err(e) => break Some(ReadError::io(first_line + lines, e)),
        };
        if read == 0 {
            break None;
        }
        let line = &block[start..];
        let ended = line.last() == Some(&b'\n');
        let eol = if line.ends_with(b"\r\n") {
            2
        } else {
            usize::from(ended)
        };
        let mut length = (line.len() - eol) as u64;
        if !ended && read as u64 == cap {
            // The line goes on: read through it without holding it.
            block.truncate(start);
            match skip_line(&mut reader) {
                Ok(rest) => length = length.saturating_add(rest),
                Err(e) => break Some(ReadError::io(first_line + lines, e)),
            }
        }
        lines += 1;
        if length > MAX_LINE_BYTES as u64 {
            block.truncate(start);
            break Some(ReadError::line_too_long(first_line + lines - 1, length));
        }
        if block.len() >= BLOCK_BYTES {
            let full =
                std::mem::replace(&mut block, Vec::with_capacity(BLOCK_BYTES + MAX_LINE_BYTES));
            if !send(Block {
                index,
                first_line,
                bytes: full,
            }) {
                return None;
            }
            index += 1;
            first_line += lines;
            lines = 0;
        }
    };
    if !block.is_empty() {
        send(Block {
            index,
            first_line,
            bytes: block,
        });
    }
    error
}

/// Reads the rest of a line (up to and including its `\n`), returning its length without the
/// end of line.
fn skip_line<R: BufRead>(reader: &mut R) -> std::io::Result<u64> {
    let mut length = 0u64;
    let mut last = None;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(length);
        }
        if let Some(i) = available.iter().position(|b| *b == b'\n') {
            let before = if i == 0 { last } else { Some(available[i - 1]) };
            reader.consume(i + 1);
            let carriage = u64::from(before == Some(b'\r'));
            return Ok(length.saturating_add(i as u64).saturating_sub(carriage));
        }
        let n = available.len();
        last = available.last().copied();
        reader.consume(n);
        length = length.saturating_add(n as u64);
    }
}

fn parse(block: Block) -> Parsed {
    let mut reader = motcua_io::read_events_from_line(block.bytes.as_slice(), block.first_line);
    let mut events = Vec::new();
    let mut error = None;
    while let Some(item) = reader.next_numbered() {
        match item {
            Ok(pair) => events.push(pair),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Parsed {
        index: block.index,
        events,
        error,
    }
}

/// Dossiers gathered from the parsed blocks in line order, and the first error met (a line
/// that could not be read or an event id used twice): nothing after it is gathered.
#[derive(Default)]
struct Gathered {
    index: HashMap<DossierId, usize>,
    streams: Vec<FileStream>,
    ids: HashMap<uuid::Uuid, u64>,
    error: Option<AtLine>,
}

impl Gathered {
    fn add(&mut self, parsed: Parsed) {
        if self.error.is_some() {
            return;
        }
        for (line, event) in parsed.events {
            if let Some(first_line) = self.ids.insert(event.event_id, line) {
                self.error = Some((
                    line,
                    ImportError::DuplicateInFile {
                        line,
                        first_line,
                        dossier: event.dossier_id,
                        sequence: event.sequence,
                        event_id: event.event_id,
                    },
                ));
                return;
            }
            let i = match self.index.get(&event.dossier_id) {
                Some(i) => *i,
                None => {
                    self.index
                        .insert(event.dossier_id.clone(), self.streams.len());
                    self.streams.push(FileStream {
                        events: Vec::new(),
                        lines: Vec::new(),
                    });
                    self.streams.len() - 1
                }
            };
            self.streams[i].events.push(event);
            self.streams[i].lines.push(line);
        }
        if let Some(e) = parsed.error {
            self.error = Some((e.line, ImportError::Read(e)));
        }
    }
}

/// Parses blocks from `blocks` until it closes, sending each result to `send`.
fn parse_blocks(blocks: &Mutex<Receiver<Block>>, send: impl Fn(Parsed) -> bool) {
    loop {
        let next = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = next else {
            return;
        };
        if !send(parse(block)) {
            return;
        }
    }
}

/// The full report of a JSON Lines events file (docs/event-format.md), with every event
/// checked as [`motcua_store::import_jsonl`] checks it. The file is read once, in blocks of
/// whole lines parsed on [`ReportRun::threads`] threads; events are gathered by dossier in line
/// order, then each dossier is checked, viewed and tallied on every thread.
///
/// Unlike a store scan this holds the file's events in memory (a file is not ordered by
/// dossier): about 200 bytes per event, plus 40 per event for the id check. Lines are held
/// a block (1 MiB) at a time, and a line longer than [`MAX_LINE_BYTES`] is refused without
/// being held.
///
/// # Errors
/// [`PipelineError::Input`] with the same error, naming the same line, that
/// [`motcua_store::import_jsonl`] gives for the file: the first bad line wins, whatever was
/// wrong with it (unreadable, a reused event id, a broken rule).
pub fn report_jsonl<R: BufRead + Send>(
    reader: R,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    let threads = run.threads.max(1);
    let stop = AtomicBool::new(false);
    let (block_tx, block_rx) = sync_channel::<Block>(threads * 2);
    let (parsed_tx, parsed_rx) = sync_channel::<Parsed>(threads * 2);
    let block_rx = Mutex::new(block_rx);
    let mut gathered = Gathered::default();
    let split_error = std::thread::scope(|scope| {
        let splitter = scope.spawn(|| {
            let error = split(reader, |b| block_tx.send(b).is_ok(), &stop);
            drop(block_tx);
            error
        });
        for _ in 0..threads {
            let tx = parsed_tx.clone();
            let rx = &block_rx;
            scope.spawn(move || parse_blocks(rx, |p| tx.send(p).is_ok()));
        }
        drop(parsed_tx);
        // Gather in block order; blocks finish out of order.
        let mut pending: BTreeMap<usize, Parsed> = BTreeMap::new();
        let mut next = 0;
        for parsed in parsed_rx.iter() {
            pending.insert(parsed.index, parsed);
            while let Some(p) = pending.remove(&next) {
                gathered.add(p);
                next += 1;
            }
            if gathered.error.is_some() {
                stop.store(true, Ordering::Relaxed);
            }
        }
        splitter.join().unwrap_or(None)
    });
    let Gathered { streams, error, .. } = gathered;
    let read_error = earlier(error, split_error.map(|e| (e.line, ImportError::Read(e))));
    check_and_tally(streams, read_error, run)
}

/// Checks, views and tallies every dossier on every thread; the earliest error by line wins.
fn check_and_tally(
    streams: Vec<FileStream>,
    read_error: Option<AtLine>,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    let next = AtomicUsize::new(0);
    let threads = run
        .threads
        .min(streams.len().div_ceil(DOSSIER_BATCH))
        .max(1);
    type Outcome = (Result<Report, PipelineError>, Option<AtLine>);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut tally = Tally::new(run);
                    let mut broken: Option<AtLine> = None;
                    loop {
                        let start = next.fetch_add(DOSSIER_BATCH, Ordering::Relaxed);
                        let end = start.saturating_add(DOSSIER_BATCH).min(streams.len());
                        let Some(chunk) = streams.get(start..end).filter(|c| !c.is_empty()) else {
                            break;
                        };
                        for stream in chunk {
                            match check_stream(stream, run) {
                                Some(e) => broken = earlier(broken, Some(e)),
                                None if broken.is_none() => {
                                    if let Err(e) = tally.visit(&stream.events) {
                                        return (Err(e), broken);
                                    }
                                }
                                None => {}
                            }
                        }
                    }
                    (tally.finish(), broken)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    (Err(PipelineError::Worker("a thread panicked".into())), None)
                })
            })
            .collect()
    });
    let mut first_error = read_error;
    let mut report = Report::new(run.period);
    let mut failed = None;
    for (partial, broken) in outcomes {
        first_error = earlier(first_error, broken);
        match partial {
            Ok(partial) => report.merge_owned(partial)?,
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    if let Some((_, e)) = first_error {
        return Err(PipelineError::Input(e));
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(report),
    }
}

/// The first event of a file's dossier that breaks the rules, with its line.
fn check_stream(stream: &FileStream, run: &ReportRun<'_>) -> Option<AtLine> {
    let mut state = DossierState::default();
    for (event, line) in stream.events.iter().zip(&stream.lines) {
        if let Err(source) = motcua_core::rules::check(event, &state, run.context.catalogue) {
            return Some((
                *line,
                ImportError::Rejected {
                    line: *line,
                    dossier: event.dossier_id.clone(),
                    sequence: event.sequence,
                    source,
                },
            ));
        }
        state = motcua_core::state::evolve(state, event);
    }
    None
}
