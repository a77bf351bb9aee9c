//! Reports from a JSON Lines file: the file split into blocks of whole lines, blocks parsed on
//! every core into partitions (by dossier, and by event id for the duplicate check), then each
//! partition gathered by dossier in line order, checked, viewed and tallied on its own thread.

use crate::{PipelineError, ReportRun, Tally};
use motcua_core::{DossierId, DossierState, Event};
use motcua_io::{ReadError, MAX_LINE_BYTES};
use motcua_metrics::Report;
use motcua_store::ImportError;
use std::collections::HashMap;
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Mutex;

/// Bytes of whole lines handed to a parser at a time.
const BLOCK_BYTES: usize = 1 << 20;

/// Lines of the file, from `first_line`.
struct Block {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// A block's events and event ids, each split into the partitions that will gather them, and
/// the first error in the block (parsing stops there).
struct Parsed {
    index: usize,
    /// Per partition (by dossier id): events with their lines, in line order.
    events: Vec<Vec<(u64, Event)>>,
    /// Per partition (by event id): ids with their lines, in line order.
    ids: Vec<Vec<IdUse>>,
    error: Option<ReadError>,
}

/// An event id where a line uses it: the line, its dossier and sequence (to name them if the
/// id was used before).
type IdUse = (uuid::Uuid, u64, DossierId, u64);

/// One dossier's events from the file, with the line each came from.
struct FileStream {
    events: Vec<Event>,
    lines: Vec<u64>,
}

/// An error and the line it is on: the earliest line wins.
type AtLine = (u64, ImportError);

/// The error an import would stop at: the earlier line, and on the same line the check an
/// import makes first (the line is read, then its event id, then the dossier rules).
fn earlier(a: Option<AtLine>, b: Option<AtLine>) -> Option<AtLine> {
    fn rank(e: &AtLine) -> (u64, u8) {
        let check = match e.1 {
            ImportError::Read(_) => 0,
            ImportError::DuplicateInFile { .. } => 1,
            _ => 2,
        };
        (e.0, check)
    }
    match (a, b) {
        (Some(a), Some(b)) => Some(if rank(&b) < rank(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The partition of a dossier: FNV-1a of its id (fixed, so runs split alike).
fn dossier_part(id: &DossierId, parts: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.as_str().bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The remainder is below `parts`, a usize.
    (h % parts as u64) as usize
}

/// The partition of an event id.
fn id_part(id: &uuid::Uuid, parts: usize) -> usize {
    (id.as_u128() % parts as u128) as usize
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

fn parse(block: Block, parts: usize) -> Parsed {
    let mut reader = motcua_io::read_events_from_line(block.bytes.as_slice(), block.first_line);
    let mut events: Vec<Vec<(u64, Event)>> = (0..parts).map(|_| Vec::new()).collect();
    let mut ids: Vec<Vec<IdUse>> = (0..parts).map(|_| Vec::new()).collect();
    let mut error = None;
    while let Some(item) = reader.next_numbered() {
        match item {
            Ok((line, event)) => {
                ids[id_part(&event.event_id, parts)].push((
                    event.event_id,
                    line,
                    event.dossier_id.clone(),
                    event.sequence,
                ));
                events[dossier_part(&event.dossier_id, parts)].push((line, event));
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    Parsed {
        index: block.index,
        events,
        ids,
        error,
    }
}

/// Parses blocks from `blocks` until it closes, sending each result to `send`.
fn parse_blocks(blocks: &Mutex<Receiver<Block>>, parts: usize, send: impl Fn(Parsed) -> bool) {
    loop {
        let next = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = next else {
            return;
        };
        if !send(parse(block, parts)) {
            return;
        }
    }
}

/// One partition's share of the file, in line order.
#[derive(Default)]
struct Partition {
    events: Vec<Vec<(u64, Event)>>,
    ids: Vec<Vec<IdUse>>,
}

/// The full report of a JSON Lines events file (docs/event-format.md), with every event
/// checked as [`motcua_store::import_jsonl`] checks it. The file is read once, in blocks of
/// whole lines parsed on [`ReportRun::threads`] threads into partitions by dossier; each
/// partition is then gathered by dossier in line order, checked (event ids are checked for
/// reuse across the whole file), viewed and tallied on its own thread.
///
/// Unlike a store scan this holds the file's events in memory (a file is not ordered by
/// dossier): about 200 bytes per event, plus 48 per event for the id check. Lines are held
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
    // At least one: `ReportRun::threads` clamps.
    let threads = run.threads;
    let parts = threads;
    let stop = AtomicBool::new(false);
    let (block_tx, block_rx) = sync_channel::<Block>(threads * 2);
    let (parsed_tx, parsed_rx) = sync_channel::<Parsed>(threads * 2);
    let block_rx = Mutex::new(block_rx);
    // Every block's partitions, by block index; the first read error by line.
    let mut blocks: Vec<Option<Parsed>> = Vec::new();
    let mut read_error: Option<AtLine> = None;
    let split_error = std::thread::scope(|scope| {
        let splitter = scope.spawn(|| {
            let error = split(reader, |b| block_tx.send(b).is_ok(), &stop);
            drop(block_tx);
            error
        });
        for _ in 0..threads {
            let tx = parsed_tx.clone();
            let rx = &block_rx;
            scope.spawn(move || parse_blocks(rx, parts, |p| tx.send(p).is_ok()));
        }
        drop(parsed_tx);
        for mut parsed in parsed_rx.iter() {
            if let Some(e) = parsed.error.take() {
                read_error = earlier(read_error.take(), Some((e.line, ImportError::Read(e))));
                // Lines after the first unreadable one do not matter: stop reading.
                stop.store(true, Ordering::Relaxed);
            }
            let i = parsed.index;
            if blocks.len() <= i {
                blocks.resize_with(i + 1, || None);
            }
            blocks[i] = Some(parsed);
        }
        splitter.join().unwrap_or(None)
    });
    let read_error = earlier(
        read_error,
        split_error.map(|e| (e.line, ImportError::Read(e))),
    );
    // Transpose: each partition takes its share of every block, in block (so line) order.
    let mut partitions: Vec<Partition> = (0..parts).map(|_| Partition::default()).collect();
    for parsed in blocks.into_iter().flatten() {
        for (p, events) in parsed.events.into_iter().enumerate() {
            partitions[p].events.push(events);
        }
        for (p, ids) in parsed.ids.into_iter().enumerate() {
            partitions[p].ids.push(ids);
        }
    }
    tally_partitions(partitions, read_error, run)
}

/// Gathers, checks, views and tallies every partition on its own thread; the earliest error by
/// line wins.
fn tally_partitions(
    partitions: Vec<Partition>,
    read_error: Option<AtLine>,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    type Outcome = (Result<Report, PipelineError>, Option<AtLine>);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let handles: Vec<_> = partitions
            .into_iter()
            .map(|partition| scope.spawn(move || tally_partition(partition, run)))
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
    let mut report = run.empty_report();
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

/// One partition: its event ids checked for reuse, its dossiers gathered in line order, each
/// checked and, while nothing is wrong, viewed and tallied.
fn tally_partition(
    partition: Partition,
    run: &ReportRun<'_>,
) -> (Result<Report, PipelineError>, Option<AtLine>) {
    let mut broken = reused_id(&partition.ids);
    drop(partition.ids);
    let mut index: HashMap<DossierId, usize> = HashMap::new();
    let mut streams: Vec<FileStream> = Vec::new();
    for (line, event) in partition.events.into_iter().flatten() {
        let i = match index.get(&event.dossier_id) {
            Some(i) => *i,
            None => {
                index.insert(event.dossier_id.clone(), streams.len());
                streams.push(FileStream {
                    events: Vec::new(),
                    lines: Vec::new(),
                });
                streams.len() - 1
            }
        };
        streams[i].events.push(event);
        streams[i].lines.push(line);
    }
    drop(index);
    let mut tally = Tally::new(run);
    // Each dossier is dropped as soon as it is tallied, while its memory is still in cache.
    for stream in streams {
        let stream = &stream;
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
    (tally.finish(), broken)
}

/// The first line (in file order) whose event id an earlier line already used.
fn reused_id(ids: &[Vec<IdUse>]) -> Option<AtLine> {
    let mut seen: HashMap<uuid::Uuid, u64> = HashMap::with_capacity(ids.iter().map(Vec::len).sum());
    for (id, line, dossier, sequence) in ids.iter().flatten() {
        if let Some(first_line) = seen.insert(*id, *line) {
            return Some((
                *line,
                ImportError::DuplicateInFile {
                    line: *line,
                    first_line,
                    dossier: dossier.clone(),
                    sequence: *sequence,
                    event_id: *id,
                },
            ));
        }
    }
    None
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
