//! `motcua follow`: a long-running process that prints each newly committed event and each
//! alarm as it falls due, as JSON Lines — what a host pipes into its notifier (SMS, Zalo,
//! e-mail to the responsible officer). It keeps the store's open-dossier projection current
//! as it goes, so `dossiers` and `alarms` answer through their indexes.
//!
//! Lines: `{"type":"event","position":P,"event":{…the event's JSON line…}}` in log order, and
//! `{"type":"alarm","at":…,"dossier":…,"procedure":…,"unit":…,"kind":…}` (as `motcua alarms
//! --format jsonl` writes them) in time order. Each poll writes its events, then the alarms
//! that fell due since the last poll, flushes, and only then saves the checkpoint (the log
//! position and the instant alarms were printed through), atomically (a new file renamed over
//! the old one, synced). With `--out FILE` the checkpoint also records the file's length, and a
//! restart first cuts the file back to it: after a kill -9 nothing is lost or written twice.
//! A start past the end of the log, a checkpoint past it or longer than the `--out` file, and
//! an alarm instant outside the calendar are refused before anything is written: each would
//! make the follower skip lines silently, or pad the file.
//! On standard output, lines written after the last checkpoint are written again after a
//! crash (at least once); a consumer drops repeats by `position` and by (`at`, `dossier`,
//! `kind`). A checkpoint belongs to one follower at a time (a lock on `CHECKPOINT.lock`, held
//! while it runs and released by the system when it dies, even by kill -9): a second one
//! given it is refused before it reads or writes anything.

use crate::alarms;
use crate::data::{
    is_postgres, open_any_store, parse_instant, read_any_store, store_error, AnyStore,
};
use crate::error::CliError;
use crate::open_list;
use crate::text_file::TextFileError;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, Event};
use motcua_sqlite::{SqliteError, SqliteStore};
use motcua_store::open_dossiers::OpenReader;
use motcua_store::{DossierRange, DossierScan, EventStore, StoreError};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// Arguments of `motcua follow`.
#[derive(Debug, Clone, clap::Args)]
pub struct FollowArgs {
    /// The store: a SQLite file or a PostgreSQL URL (`postgres://…[#schema]`), made by
    /// `motcua import` or `motcua gen --store` (a missing one is refused, not created). Opened
    /// for writing: the follower keeps its list of open dossiers current.
    #[arg(long, value_name = "FILE|URL")]
    pub store: String,
    /// Where to keep how far the output got (a small JSON file, replaced atomically): a
    /// restart resumes right after the last line it covers. One follower at a time: a second
    /// given the same file is refused (FILE.lock holds it).
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Append the lines to this file instead of standard output. With --checkpoint, a restart
    /// after a crash first cuts the file back to the checkpoint: no line lost or doubled.
    #[arg(long, value_name = "FILE", requires = "checkpoint")]
    pub out: Option<PathBuf>,
    /// Without a checkpoint: start after this log position (default: the end of the log, so
    /// only events committed from now on are printed). One past the end is refused.
    #[arg(long, value_name = "POSITION")]
    pub since: Option<u64>,
    /// Without a checkpoint: print the alarms that fell due after this instant (RFC 3339;
    /// default: now).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub alarms_since: Option<OffsetDateTime>,
    /// How often to look for new events, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub poll_ms: u64,
    /// Print what there is now, save the checkpoint and stop, instead of following.
    #[arg(long)]
    pub once: bool,
}

/// What the checkpoint file holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Saved {
    /// Always `motcua-follow`.
    format: String,
    /// The checkpoint format's version (1).
    version: u32,
    /// The store followed (no password).
    store: String,
    /// The last log position printed.
    position: u64,
    /// Alarms are printed through this instant.
    #[serde(with = "time::serde::rfc3339")]
    alarms_through: OffsetDateTime,
    /// The length of the `--out` file when saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    out_length: Option<u64>,
}

/// Events read from the log at a time.
const PAGE: usize = 1_000;

/// Runs `motcua follow` until SIGINT or SIGTERM (or once, with `--once`).
pub fn run(args: &FollowArgs, stdout: &mut dyn Write) -> Result<(), CliError> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .map_err(|e| CliError::Data(format!("cannot watch for signals: {e}")))?;
    }
    let (location, store) = open_existing(&args.store)?;
    let catalogue = store.catalogue(&location)?.ok_or_else(|| {
        CliError::Usage(format!(
            "{location}: the store keeps no catalogue; import one with `motcua import --catalog FILE`"
        ))
    })?;
    let calendar = Calendar::vietnam();
    let now = || OffsetDateTime::now_utc().to_offset(calendar.offset());
    let failed = |e: StoreError| CliError::store(&location, "the store could not be read", &e);
    // Held until this follower stops: a second one on the same checkpoint is refused.
    let _held = match args.checkpoint.as_deref() {
        Some(path) => hold(path)?,
        None => None,
    };
    let last = store.last_position().map_err(failed)?;
    let mut saved = match &args.checkpoint {
        Some(path) => match load(path, &location)? {
            Some(saved) => {
                check_saved(&saved, path, &location, last, &calendar)?;
                Some(saved)
            }
            None => None,
        },
        None => None,
    };
    let resumed = saved.is_some();
    let mut state = match saved.take() {
        Some(saved) => saved,
        None => {
            let position = args.since.unwrap_or(last);
            if position > last {
                return Err(past_the_end(&location, position, last));
            }
            let alarms_through = match args.alarms_since {
                Some(since) => {
                    within_calendar(since, &calendar).map_err(|(date, range)| {
                        CliError::Data(format!("--alarms-since {date} is {range}"))
                    })?;
                    since
                }
                None => now(),
            };
            Saved {
                format: "motcua-follow".to_owned(),
                version: 1,
                store: location.clone(),
                position,
                alarms_through,
                out_length: None,
            }
        }
    };
    // The length to cut the file back to comes from a checkpoint (`--out` requires one).
    let cut = state.out_length.zip(args.checkpoint.as_deref());
    let mut file = match &args.out {
        Some(path) => Some(open_out(path, cut)?),
        None => None,
    };
    if let (false, Some(path)) = (resumed, &args.checkpoint) {
        // The first checkpoint, before any line: a crash before the next one cuts the file
        // back to what it held when the follower first started.
        if let Some(file) = &mut file {
            state.out_length = Some(file.stream_position().map_err(CliError::Output)?);
        }
        save(path, &state)?;
    }
    let follower = Follower {
        store: &store,
        location: &location,
        catalogue: &catalogue,
        context: Context::new(&catalogue, &calendar),
    };
    let mut first = true;
    loop {
        let out: &mut dyn Write = match &mut file {
            Some(file) => file,
            None => &mut *stdout,
        };
        follower.poll(&mut state, now(), first, out)?;
        first = false;
        if let Some(file) = &mut file {
            file.sync_data().map_err(CliError::Output)?;
            state.out_length = Some(file.stream_position().map_err(CliError::Output)?);
        } else {
            stdout.flush()?;
        }
        if let Some(path) = &args.checkpoint {
            save(path, &state)?;
        }
        if args.once || stop.load(Ordering::SeqCst) {
            return Ok(());
        }
        // Sleep in short steps so a signal stops the follower within a step.
        let mut left = args.poll_ms;
        while left > 0 && !stop.load(Ordering::SeqCst) {
            let step = left.min(50);
            std::thread::sleep(Duration::from_millis(step));
            left -= step;
        }
        if stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

/// The store and what judging its dossiers needs.
struct Follower<'a> {
    store: &'a AnyStore,
    location: &'a str,
    catalogue: &'a Catalogue,
    context: Context<'a>,
}

impl Follower<'_> {
    fn failed(&self, e: StoreError) -> CliError {
        CliError::store(self.location, "the store could not be read", &e)
    }

    /// One poll: the events after the position, the projection brought up to them, and the
    /// alarms in `(through, now]`.
    fn poll(
        &self,
        state: &mut Saved,
        now: OffsetDateTime,
        first: bool,
        out: &mut dyn Write,
    ) -> Result<(), CliError> {
        loop {
            let events = self
                .store
                .read_all(state.position, PAGE)
                .map_err(|e| self.failed(e))?;
            for stored in &events {
                let body =
                    motcua_store::codec::encode(&stored.event).map_err(|e| self.failed(e))?;
                writeln!(
                    out,
                    "{{\"type\":\"event\",\"position\":{},\"event\":{body}}}",
                    stored.position
                )?;
                state.position = stored.position;
            }
            if events.len() < PAGE {
                break;
            }
        }
        open_list::refresh_after_write(self.store, Some(self.catalogue), self.location);
        if now <= state.alarms_through {
            return Ok(());
        }
        let from = state.alarms_through;
        let mut rows = Vec::new();
        if !self.ringing_from_projection(from, now, first, &mut rows)? {
            // Every dossier, one at a time: the exact catch-up after a pause.
            self.store
                .scan_dossiers(&DossierRange::ALL, |events: &[Event]| {
                    alarms::ringing(&self.context, events, from, now, &mut rows)
                        .map_err(Stop::Judged)
                })
                .map_err(|stop| match stop {
                    Stop::Store(e) => self.failed(e),
                    Stop::Judged(e) => e,
                })?;
        }
        alarms::sort(&mut rows);
        for row in &rows {
            let alarm = serde_json::to_string(&alarms::json(row))
                .map_err(|e| CliError::Output(e.into()))?;
            // `{"type":"alarm",` then the alarm's own fields, in the order `alarms` writes them.
            writeln!(
                out,
                "{{\"type\":\"alarm\",{}",
                alarm.trim_start_matches('{')
            )?;
        }
        state.alarms_through = now;
        Ok(())
    }

    /// Adds to `rows` the alarms in `(from, now]` of the dossiers the projection says may
    /// ring then, each judged from its standing and handlers (from its events when it changed
    /// since the projection's position, or when its standing is later than `from`); `false`,
    /// adding nothing, when every dossier must be read: the first poll, if the window starts
    /// before events the projection holds (dossiers finished since may have rung), or a
    /// projection that cannot answer.
    fn ringing_from_projection(
        &self,
        from: OffsetDateTime,
        now: OffsetDateTime,
        first: bool,
        rows: &mut Vec<alarms::Row>,
    ) -> Result<bool, CliError> {
        let reader = if first {
            OpenReader::open(self.store, from)
        } else {
            OpenReader::latest(self.store)
        }
        .map_err(|e| self.failed(e))?;
        let Some(reader) = reader else {
            return Ok(false);
        };
        let fingerprint = open_list::fingerprint(self.catalogue, None);
        alarms::ringing_in_projection(
            &reader,
            &self.context,
            fingerprint,
            self.location,
            (from, now),
            rows,
        )?;
        Ok(true)
    }
}

/// Why a scan stopped: the store, or a dossier that could not be judged.
enum Stop {
    Store(StoreError),
    Judged(CliError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Self {
        Stop::Store(e)
    }
}

/// Opens the store to follow for writing, an existing one only (a mistyped path must not
/// leave a new store behind): a SQLite file that is a store (an older one is migrated), or a
/// PostgreSQL schema that holds one. Returns the store with its name as messages show it.
fn open_existing(location: &str) -> Result<(String, AnyStore), CliError> {
    if is_postgres(location) {
        // Connecting for writing creates a missing schema: made sure of first, reading only.
        drop(read_any_store(location)?);
        return open_any_store(location);
    }
    let path = Path::new(location);
    // Checked first without writing: opened for writing, an empty file would be made a store.
    match SqliteStore::open_read_only(path) {
        Ok(_) | Err(SqliteError::OlderSchema { .. }) => {}
        Err(e) => return Err(store_error(path, e)),
    }
    let store = SqliteStore::open_existing(path).map_err(|e| store_error(path, e))?;
    Ok((location.to_owned(), AnyStore::Sqlite(store)))
}

/// The error for a start after `position` in a log whose last position is `last`: a follower
/// started there would skip every event up to it without a word. Worded as `portal-records`
/// words its `--since` past the end.
fn past_the_end(location: &str, position: u64, last: u64) -> CliError {
    CliError::Data(format!(
        "{location}: --since {position} is past the end of the log (position {last})"
    ))
}

/// `Ok` when `instant` falls on a day of `calendar`; else its date and the calendar's range as
/// words (`outside the calendar (1900-01-01 to 2200-12-31)`).
fn within_calendar(
    instant: OffsetDateTime,
    calendar: &Calendar,
) -> Result<(), (time::Date, String)> {
    // In the calendar's offset when it can hold the instant (a year-9999 instant may not):
    // either way the date is far outside the calendar's range.
    let date = instant
        .checked_to_offset(calendar.offset())
        .unwrap_or(instant)
        .date();
    let (first, last) = (calendar.first_day(), calendar.last_day());
    if date < first || date > last {
        return Err((date, format!("outside the calendar ({first} to {last})")));
    }
    Ok(())
}

/// Refuses a checkpoint (read from `path`) that cannot be of the store `location` whose log
/// ends at `last`: a position past the end (resumed there, the follower would skip every
/// event up to it), or alarms printed through an instant outside the calendar.
fn check_saved(
    saved: &Saved,
    path: &Path,
    location: &str,
    last: u64,
    calendar: &Calendar,
) -> Result<(), CliError> {
    let bad = |message: String| CliError::BadInput {
        path: path.to_owned(),
        message,
    };
    if saved.position > last {
        return Err(bad(format!(
            "the checkpoint's position {} is past the end of the log of {location} (position {last})",
            saved.position
        )));
    }
    within_calendar(saved.alarms_through, calendar)
        .map_err(|(date, range)| bad(format!("the checkpoint's alarms_through {date} is {range}")))
}

/// The checkpoint at `path`, if the file exists; one of another store is refused.
fn load(path: &Path, location: &str) -> Result<Option<Saved>, CliError> {
    let text = match crate::text_file::read(path) {
        Ok(text) => text,
        Err(TextFileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(TextFileError::Io(source)) => {
            return Err(CliError::Io {
                path: path.to_owned(),
                source,
            })
        }
        Err(content) => {
            return Err(CliError::BadInput {
                path: path.to_owned(),
                message: format!("not a follow checkpoint: {content}"),
            })
        }
    };
    let saved: Saved = serde_json::from_str(&text).map_err(|e| CliError::BadInput {
        path: path.to_owned(),
        message: format!("not a follow checkpoint: {e}"),
    })?;
    if saved.format != "motcua-follow" || saved.version != 1 {
        return Err(CliError::BadInput {
            path: path.to_owned(),
            message: format!(
                "a checkpoint of format {:?} version {}, not motcua-follow version 1",
                saved.format, saved.version
            ),
        });
    }
    if saved.store != location {
        return Err(CliError::Usage(format!(
            "{}: the checkpoint is of the store {}, not {location}",
            path.display(),
            saved.store
        )));
    }
    Ok(Some(saved))
}

/// Takes the checkpoint for this follower alone: an exclusive lock on `CHECKPOINT.lock` (made
/// if missing, left in place after), held while the returned file is open. Two followers
/// saving one checkpoint would each save its own position over the other's, and one's
/// restart would print again or skip what the other printed; the second is refused (exit 5)
/// instead. A path that is there but not a file (a directory, a device) gets no lock file
/// beside it: reading it as a checkpoint refuses it.
fn hold(path: &Path) -> Result<Option<File>, CliError> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Ok(None);
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock = PathBuf::from(name);
    let io = |source| CliError::Io {
        path: lock.clone(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(io(std::io::Error::new(
            std::io::ErrorKind::WouldBlock,
            format!(
                "another `motcua follow` is using the checkpoint {} (it holds this lock); stop it first, or give this one a checkpoint of its own",
                path.display()
            ),
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// Saves the checkpoint atomically: written to a new file, synced, renamed over the old one,
/// and the directory synced.
fn save(path: &Path, saved: &Saved) -> Result<(), CliError> {
    let io = |source| CliError::Io {
        path: path.to_owned(),
        source,
    };
    let mut new = path.as_os_str().to_owned();
    new.push(".new");
    let new = PathBuf::from(new);
    let text = serde_json::to_string(saved).map_err(|e| CliError::Output(e.into()))?;
    let mut file = File::create(&new).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_all().map_err(io)?;
    std::fs::rename(&new, path).map_err(io)?;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Ok(dir) = File::open(dir.unwrap_or(Path::new("."))) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Opens the `--out` file for appending, first cut back to `cut`'s length (the checkpoint's,
/// read from `cut`'s file). A file shorter than that, or missing, is refused and left as it is
/// (cut short or replaced since: cutting it "back" would pad it).
fn open_out(path: &Path, cut: Option<(u64, &Path)>) -> Result<File, CliError> {
    let io = |source| CliError::Io {
        path: path.to_owned(),
        source,
    };
    // `current`: the file's length, `None` when it is missing.
    let longer = |current: Option<u64>| match cut {
        Some((length, checkpoint)) if length > current.unwrap_or(0) => Err(CliError::BadInput {
            path: checkpoint.to_owned(),
            message: format!(
                "the checkpoint's out_length {length} is longer than {} ({}): the file was cut \
                 short or replaced since the checkpoint was saved",
                path.display(),
                current.map_or("missing".to_owned(), |n| format!("{n} bytes"))
            ),
        }),
        _ => Ok(()),
    };
    if cut.is_some() {
        match std::fs::metadata(path) {
            Ok(metadata) => longer(Some(metadata.len()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => longer(None)?,
            Err(e) => return Err(io(e)),
        }
    }
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .write(true)
        .truncate(false)
        .open(path)
        .map_err(io)?;
    if let Some((length, _)) = cut {
        // Checked again on the file opened: `set_len` must only ever cut.
        longer(Some(file.metadata().map_err(io)?.len()))?;
        file.set_len(length).map_err(io)?;
    }
    file.seek(SeekFrom::End(0)).map_err(io)?;
    Ok(file)
}
