//! Reports from a JSON Lines file in bounded memory, in two passes over the file.
//!
//! A host writes events in time order, so a dossier's events are spread over the file. The
//! first pass reads only each line's event id and dossier id (the layout motcua writes is
//! read without parsing the rest; any other line is parsed in full) and keeps, per dossier, a
//! 64-bit hash of its id and its last line, and the hashes of the event ids, sorted to find
//! the few that repeat. The second pass parses every line on every core, gathers each dossier's
//! events in line order and, at the dossier's last line, hands it to a worker that checks,
//! views and tallies it: memory is the dossiers in flight, not the file. What the first pass
//! keeps is a hint: a hash shared by two dossiers only keeps the earlier one until the end, and
//! a repeated hash is settled on the exact ids in the second pass.

use crate::{threads, PipelineError, ReportRun, Tally};
use motcua_core::{DossierId, DossierState, Event};
use motcua_io::{ReadError, MAX_LINE_BYTES};
use motcua_metrics::Report;
use motcua_store::ImportError;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;

/// Bytes of whole lines handed to a parser at a time.
const BLOCK_BYTES: usize = 1 << 20;

/// Blocks of the second pass that may be out, sent but not yet taken in by every partition:
/// what bounds a partition's blocks waiting for an earlier one.
const AHEAD: usize = 8;

/// Lines of the file, from `first_line`.
struct Block {
    index: usize,
    first_line: u64,
    bytes: Vec<u8>,
}

/// One dossier's events from the file, with the line each came from.
struct FileStream {
    events: Vec<Event>,
    lines: Vec<u64>,
    /// Its last line, as the first pass found it.
    last: u64,
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

/// A map keyed by hashes that are already well mixed: the key is the hash.
type ByHash<V> = HashMap<u64, V, BuildHasherDefault<KeyIsHash>>;

/// A set of hashes that are already well mixed.
type HashesSet = HashSet<u64, BuildHasherDefault<KeyIsHash>>;

/// The hasher of [`ByHash`]: the `u64` key itself.
#[derive(Default)]
struct KeyIsHash(u64);

impl Hasher for KeyIsHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The SplitMix64 finaliser: every bit of the input moves every bit of the output.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The hash of a dossier id: FNV-1a, mixed (fixed, so both passes agree).
fn dossier_hash(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix(h)
}

/// The hash of an event id.
fn id_hash(id: &uuid::Uuid) -> u64 {
    let (high, low) = id.as_u64_pair();
    mix(high ^ mix(low))
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
/// end of line; [`motcua_io::MEASURED_LINE_BYTES`] for a line that goes on beyond it, not read
/// further.
fn skip_line<R: BufRead>(reader: &mut R) -> std::io::Result<u64> {
    let mut length = 0u64;
    let mut last = None;
    loop {
        if length >= motcua_io::MEASURED_LINE_BYTES {
            // Measured far enough (an endless input): the error stops the reading anyway.
            return Ok(motcua_io::MEASURED_LINE_BYTES);
        }
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

/// What the first pass keeps, per partition of dossiers: each dossier's last line (by hash of
/// its id); and the hashes of event ids seen more than once.
struct Index {
    last: Vec<ByHash<u64>>,
    repeated: HashesSet,
}

/// The partition of a hash, out of `parts`: from bits the hash maps do not use for buckets.
fn part(hash: u64, parts: usize) -> usize {
    // The remainder is below `parts`, a usize.
    ((hash >> 32) % parts as u64) as usize
}

/// A block's keys for one partition: (dossier hash, line) of its dossiers' lines, and the
/// hashes of its event ids (partitioned by the id's hash).
#[derive(Default)]
struct KeyPart {
    dossiers: Vec<(u64, u64)>,
    ids: Vec<u64>,
}

/// A block's keys: per readable line, its number, the hash of its dossier id and of its event
/// id.
type Keys = Vec<(u64, u64, u64)>;

/// The hashes of a line's dossier id and event id, if the line is an event. A line in the
/// layout motcua writes (`{"v":2,"event_id":"…","dossier_id":"…",…`) is read from its first
/// bytes; any other is parsed in full as the second pass will parse it.
fn line_keys(line: &[u8], number: u64) -> Option<(u64, u64)> {
    const EVENT_ID: &[u8] = b"\"event_id\":\"";
    const DOSSIER_ID: &[u8] = b"\",\"dossier_id\":\"";
    let fast = (|| {
        let rest = line
            .strip_prefix(b"{\"v\":2,".as_slice())
            .or_else(|| line.strip_prefix(b"{\"v\":1,".as_slice()))?
            .strip_prefix(EVENT_ID)?;
        let (id, rest) = rest.split_at_checked(36)?;
        let rest = rest.strip_prefix(DOSSIER_ID)?;
        let end = rest
            .iter()
            .position(|b| *b == b'"' || *b == b'\\' || *b < 0x20)?;
        if rest.get(end) != Some(&b'"') {
            return None;
        }
        let dossier = std::str::from_utf8(rest.get(..end)?).ok()?;
        let id = uuid::Uuid::try_parse_ascii(id).ok()?;
        Some((dossier_hash(dossier), id_hash(&id)))
    })();
    fast.or_else(|| {
        let (_, event) = motcua_io::read_events_from_line(line, number)
            .next_numbered()?
            .ok()?;
        Some((
            dossier_hash(event.dossier_id.as_str()),
            id_hash(&event.event_id),
        ))
    })
}

/// The keys of a block's lines.
fn block_keys(block: &Block) -> Keys {
    let mut keys = Vec::with_capacity(block.bytes.len() / 200);
    let mut lines = block.bytes.split(|b| *b == b'\n');
    if block.bytes.last() == Some(&b'\n') {
        // The piece after the last end of line is not a line.
        lines.next_back();
    }
    for (number, line) in (block.first_line..).zip(lines) {
        if let Some((dossier, id)) = line_keys(line, number) {
            keys.push((number, dossier, id));
        }
    }
    keys
}

/// One partition's first pass: the last line of each dossier, and the event ids seen twice.
type Merged = (ByHash<u64>, Vec<u64>);

/// The first pass: reads every line's keys on `threads` threads, each partition's merged on a
/// thread of its own. A line that cannot be read stops it (the second pass stops there too,
/// and says why).
fn index<R: BufRead + Send>(reader: R, threads: usize) -> Result<Index, PipelineError> {
    let parts = threads;
    let stop = AtomicBool::new(false);
    let (block_tx, block_rx) = sync_channel::<Block>(threads * 2);
    let block_rx = Mutex::new(block_rx);
    let (part_tx, part_rx): (Vec<_>, Vec<_>) =
        (0..parts).map(|_| sync_channel::<KeyPart>(4)).unzip();
    // Started from the last stage to the first, so that a thread the system refuses leaves
    // nothing waiting: no block is read before every stage runs, and returning drops the
    // senders the threads started wait on (`part_tx`, then `block_tx`).
    let merged: Result<Vec<Merged>, PipelineError> = std::thread::scope(|scope| {
        let mut mergers = Vec::with_capacity(parts);
        for rx in part_rx {
            mergers.push(threads::start(scope, move || {
                let mut last: ByHash<u64> = ByHash::default();
                let mut ids: Vec<u64> = Vec::new();
                for keys in rx.iter() {
                    for (dossier, line) in keys.dossiers {
                        let at = last.entry(dossier).or_insert(line);
                        *at = (*at).max(line);
                    }
                    ids.extend(keys.ids);
                }
                ids.sort_unstable();
                let repeated: Vec<u64> = ids
                    .windows(2)
                    .filter(|w| w[0] == w[1])
                    .map(|w| w[0])
                    .collect();
                (last, repeated)
            })?);
        }
        for _ in 0..threads {
            let (rx, txs) = (&block_rx, part_tx.clone());
            threads::start(scope, move || {
                while let Some(block) = next_block(rx) {
                    let mut out: Vec<KeyPart> = (0..parts).map(|_| KeyPart::default()).collect();
                    for (line, dossier, id) in block_keys(&block) {
                        if let Some(p) = out.get_mut(part(dossier, parts)) {
                            p.dossiers.push((dossier, line));
                        }
                        if let Some(p) = out.get_mut(part(id, parts)) {
                            p.ids.push(id);
                        }
                    }
                    for (tx, keys) in txs.iter().zip(out) {
                        if tx.send(keys).is_err() {
                            return;
                        }
                    }
                }
            })?;
        }
        drop(part_tx);
        threads::start(scope, || {
            split(reader, |b| block_tx.send(b).is_ok(), &stop);
            drop(block_tx);
        })?;
        Ok(mergers
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect())
    });
    let mut index = Index {
        last: Vec::with_capacity(parts),
        repeated: HashesSet::default(),
    };
    for (last, repeated) in merged? {
        index.last.push(last);
        index.repeated.extend(repeated);
    }
    Ok(index)
}

/// The next block from a shared receiver; `None` once it closes.
fn next_block(blocks: &Mutex<Receiver<Block>>) -> Option<Block> {
    blocks.lock().ok()?.recv().ok()
}

/// An event whose id's hash repeats: its line, id, dossier and sequence, to settle on the exact
/// id whether it was used before.
type IdUse = (u64, uuid::Uuid, DossierId, u64);

/// A block of the second pass for one partition: its events in line order, each with its line
/// and its dossier's hash; for partition 0, the uses of event ids that may repeat and the error
/// that stopped the block; for all, whether one did.
struct PartBlock {
    index: usize,
    events: Vec<(u64, u64, Event)>,
    ids: Vec<IdUse>,
    error: Option<ReadError>,
    stopped: bool,
}

/// Parses a block and deals its events to the partitions.
fn parse(block: Block, index: &Index, parts: usize) -> Vec<PartBlock> {
    let mut out: Vec<PartBlock> = (0..parts)
        .map(|_| PartBlock {
            index: block.index,
            events: Vec::new(),
            ids: Vec::new(),
            error: None,
            stopped: false,
        })
        .collect();
    let mut reader = motcua_io::read_events_from_line(block.bytes.as_slice(), block.first_line);
    let mut error = None;
    while let Some(item) = reader.next_numbered() {
        let (line, event) = match item {
            Ok(read) => read,
            Err(e) => {
                error = Some(e);
                break;
            }
        };
        let hash = dossier_hash(event.dossier_id.as_str());
        if !index.repeated.is_empty() && index.repeated.contains(&id_hash(&event.event_id)) {
            if let Some(first) = out.first_mut() {
                first.ids.push((
                    line,
                    event.event_id,
                    event.dossier_id.clone(),
                    event.sequence,
                ));
            }
        }
        if let Some(to) = out.get_mut(part(hash, parts)) {
            to.events.push((line, hash, event));
        }
    }
    let stopped = error.is_some();
    for to in &mut out {
        to.stopped = stopped;
    }
    if let Some(first) = out.first_mut() {
        first.error = error;
    }
    out
}

/// The full report of a JSON Lines events file (docs/event-format.md), with every event
/// checked as [`motcua_store::import_jsonl`] checks it, in memory that follows the dossiers in
/// flight rather than the file.
///
/// The file is read twice, so `reader` must seek (a `BufReader<File>`, a `Cursor`). The first
/// pass keeps 16 bytes per dossier (a hash of its id and its last line) and, until it ends, 8
/// bytes per event (a hash of its id). The second pass parses blocks of whole lines (1 MiB) on
/// [`ReportRun::threads`] threads and deals the events to as many partitions (by dossier);
/// each partition, on its own thread, takes its events in line order, gathers its dossiers and
/// checks, views and tallies each at its last line. A file in time order (as hosts and
/// `motcua gen` write) holds only the dossiers open at each point of the file; a line longer
/// than [`MAX_LINE_BYTES`] is refused without being held.
///
/// ```
/// use motcua_calendar::Calendar;
/// use motcua_core::Context;
/// use motcua_metrics::{LevelHistory, Period};
/// use motcua_pipeline::{report_jsonl, ReportRun};
///
/// let sample = motcua_gen::generate(&motcua_gen::GenConfig { dossiers: 300, seed: 1, year: 2024 })?;
/// let mut file = Vec::new();
/// motcua_io::write_events(&mut file, &sample.events)?;
/// let calendar = Calendar::vietnam();
/// let levels = LevelHistory::vietnam();
/// let period = Period::new(time::macros::datetime!(2024-01-01 0:00 +7), sample.as_of)?;
/// let run = ReportRun::new(Context::new(&sample.catalogue, &calendar), period, &levels);
/// let report = report_jsonl(std::io::Cursor::new(file), &run)?;
/// assert!(report.province().received > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`PipelineError::Input`] with the same error, naming the same line, that
/// [`motcua_store::import_jsonl`] gives for the file: the first bad line wins, whatever was
/// wrong with it (unreadable, a reused event id, a broken rule). A file that cannot be rewound,
/// or that changes between the passes, is an unreadable line.
pub fn report_jsonl<R: BufRead + Seek + Send>(
    mut reader: R,
    run: &ReportRun<'_>,
) -> Result<Report, PipelineError> {
    // At least one: `ReportRun::threads` clamps.
    let threads = run.threads;
    let parts = threads;
    let index = index(&mut reader, threads)?;
    reader
        .seek(SeekFrom::Start(0))
        .map_err(|e| PipelineError::Input(ImportError::Read(ReadError::io(1, e))))?;
    let stop = AtomicBool::new(false);
    let (block_tx, block_rx) = sync_channel::<Block>(threads * 2);
    let block_rx = Mutex::new(block_rx);
    let (part_tx, part_rx): (Vec<_>, Vec<_>) =
        (0..parts).map(|_| sync_channel::<PartBlock>(4)).unzip();
    // Per partition, a token for each block it may still take in.
    let (token_tx, token_rx): (Vec<_>, Vec<_>) =
        (0..parts).map(|_| sync_channel::<()>(AHEAD)).unzip();
    for tx in &token_tx {
        for _ in 0..AHEAD {
            // The channel has room for them all.
            let _ = tx.send(());
        }
    }
    type Outcome = (Result<Report, PipelineError>, Option<AtLine>);
    // Started from the last stage to the first, as in [`index`]: a thread the system refuses
    // leaves nothing waiting once the senders this closure holds are dropped.
    let threaded: Result<_, PipelineError> = std::thread::scope(|scope| {
        let mut workers = Vec::with_capacity(parts);
        for ((rx, last), tokens) in part_rx.into_iter().zip(&index.last).zip(token_tx) {
            let stop = &stop;
            workers.push(threads::start(scope, move || {
                tally_partition(rx, last, tokens, stop, run)
            })?);
        }
        for _ in 0..threads {
            let (rx, txs, index, stop) = (&block_rx, part_tx.clone(), &index, &stop);
            threads::start(scope, move || {
                while let Some(block) = next_block(rx) {
                    let dealt = parse(block, index, parts);
                    if dealt.first().is_some_and(|b| b.stopped) {
                        // Lines after the first unreadable one do not matter: stop reading.
                        stop.store(true, Ordering::Relaxed);
                    }
                    for (tx, part) in txs.iter().zip(dealt) {
                        if tx.send(part).is_err() {
                            return;
                        }
                    }
                }
            })?;
        }
        drop(part_tx);
        let splitter = {
            let stop = &stop;
            threads::start(scope, move || {
                // A block goes out once every partition has taken in all but `AHEAD` of those
                // sent: parsers cannot run further ahead of the slowest partition.
                let send =
                    |b| token_rx.iter().all(|t| t.recv().is_ok()) && block_tx.send(b).is_ok();
                split(reader, send, stop)
            })?
        };
        let split_error = splitter.join().unwrap_or(None);
        let outcomes: Vec<Outcome> = workers
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| (Err(PipelineError::panicked()), None))
            })
            .collect();
        Ok((split_error, outcomes))
    });
    let (split_error, outcomes) = threaded?;
    let mut first_error = split_error.map(|e| (e.line, ImportError::Read(e)));
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

/// One partition's dossiers being gathered, by hash of their id (two may share one).
type Open = ByHash<Vec<FileStream>>;

/// One partition: takes its share of every block in block (so line) order, gathers its
/// dossiers, and checks, views and tallies each at its last line (`last`, from the first pass;
/// the rest, in id order, at the end); partition 0 also settles the event ids that may repeat
/// and keeps the error that stopped the reading. A line of a dossier the first pass did not
/// see, or past its last line, means the file changed meanwhile: an unreadable line, and the
/// reading stops. Every block is taken, even after the reading stopped, so that no parser
/// waits, and each gives a token back to the splitter (`tokens`) once taken in. Returns its
/// tally and the first error (by line) it saw.
fn tally_partition(
    blocks: Receiver<PartBlock>,
    last: &ByHash<u64>,
    tokens: SyncSender<()>,
    stop: &AtomicBool,
    run: &ReportRun<'_>,
) -> (Result<Report, PipelineError>, Option<AtLine>) {
    let mut tally = Tally::new(run);
    let mut broken: Option<AtLine> = None;
    let mut failed = None;
    let mut open: Open = Open::default();
    let mut waiting: BTreeMap<usize, PartBlock> = BTreeMap::new();
    let mut next = 0;
    let mut stopped = false;
    // Exact first lines of the event ids whose hash repeats.
    let mut first_use: HashMap<uuid::Uuid, u64> = HashMap::new();
    let mut judge =
        |stream: FileStream, broken: &mut Option<AtLine>| match check_stream(&stream, run) {
            Some(e) => *broken = earlier(broken.take(), Some(e)),
            None if broken.is_none() && failed.is_none() => {
                if let Err(e) = tally.visit(&stream.events) {
                    failed = Some(e);
                }
            }
            None => {}
        };
    // Never full: the splitter took a token for every block this partition has not taken in.
    // Once the splitter is done, nobody needs them.
    let give_back = |n: usize| {
        for _ in 0..n {
            let _ = tokens.try_send(());
        }
    };
    for block in blocks.iter() {
        if stopped {
            give_back(1);
            continue;
        }
        waiting.insert(block.index, block);
        while let Some(block) = waiting.remove(&next) {
            next += 1;
            give_back(1);
            for (line, event_id, dossier, sequence) in block.ids {
                match first_use.get(&event_id) {
                    Some(first_line) => {
                        let reused = ImportError::DuplicateInFile {
                            line,
                            first_line: *first_line,
                            dossier,
                            sequence,
                            event_id,
                        };
                        broken = earlier(broken, Some((line, reused)));
                    }
                    None => {
                        first_use.insert(event_id, line);
                    }
                }
            }
            let mut changed = None;
            for (line, hash, event) in block.events {
                let streams = open.entry(hash).or_default();
                let at = streams.iter().position(|s| {
                    s.events.first().map(|e| &e.dossier_id) == Some(&event.dossier_id)
                });
                let at = match (at, last.get(&hash)) {
                    (Some(at), _) => at,
                    (None, Some(&last)) => {
                        streams.push(FileStream {
                            events: Vec::new(),
                            lines: Vec::new(),
                            last,
                        });
                        streams.len() - 1
                    }
                    (None, None) => {
                        changed = Some(line);
                        break;
                    }
                };
                let Some(stream) = streams.get_mut(at) else {
                    continue;
                };
                if line > stream.last {
                    changed = Some(line);
                    break;
                }
                stream.events.push(event);
                stream.lines.push(line);
                if line == stream.last {
                    let stream = streams.swap_remove(at);
                    if streams.is_empty() {
                        open.remove(&hash);
                    }
                    judge(stream, &mut broken);
                }
            }
            if let Some(line) = changed {
                let changed = std::io::Error::other("the file changed while it was read");
                let unreadable = ImportError::Read(ReadError::io(line, changed));
                broken = earlier(broken, Some((line, unreadable)));
                stop.store(true, Ordering::Relaxed);
                stopped = true;
                give_back(waiting.len());
                waiting.clear();
                break;
            }
            if let Some(e) = block.error {
                broken = earlier(broken, Some((e.line, ImportError::Read(e))));
            }
            if block.stopped {
                stopped = true;
                give_back(waiting.len());
                waiting.clear();
                break;
            }
        }
    }
    // The dossiers whose last line was not reached (or whose hash another dossier shares),
    // in id order.
    let mut rest: Vec<FileStream> = open.into_values().flatten().collect();
    rest.sort_by(|a, b| {
        let id = |s: &FileStream| s.events.first().map(|e| e.dossier_id.clone());
        id(a).cmp(&id(b))
    });
    for stream in rest {
        judge(stream, &mut broken);
    }
    match failed {
        Some(e) => (Err(e), broken),
        None => (tally.finish(), broken),
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
