//! `motcua import`: checks a JSON Lines file and appends it to a store file, all or nothing.

use crate::data::{is_postgres, open_any_store, read_catalogue, AnyStore};
use crate::error::CliError;
use motcua_render::format::num;
use motcua_store::{import_jsonl_with, EventStore, ImportError, ImportOptions, ImportProgress};
use std::io::{BufReader, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Arguments of `motcua import`.
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// Events as JSON Lines (docs/event-format.md), continuing what the store holds.
    #[arg(value_name = "EVENTS")]
    pub events: PathBuf,
    /// The store: a SQLite file (created if it does not exist) or a PostgreSQL URL
    /// (`postgres://user:password@host/database[#schema]`, the schema created if missing).
    #[arg(long, value_name = "FILE|URL")]
    pub store: String,
    /// The procedure catalogue to check the events against; kept in the store so that
    /// `motcua report --store FILE` needs nothing else. Without it, the store's catalogue.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
}

/// Runs `motcua import`.
pub fn run(args: &ImportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let catalogue = args.catalog.as_deref().map(read_catalogue).transpose()?;
    let events = std::fs::File::open(&args.events).map_err(|source| CliError::Io {
        path: args.events.clone(),
        source,
    })?;
    let size = events.metadata().ok().map(|m| m.len());
    let reader = BufReader::with_capacity(1 << 20, events);
    let wording = Wording {
        cannot: format!("import {}", args.events.display()),
        nothing: "imported",
    };
    let label = format!("importing {}", args.events.display());
    let (location, summary, last) = into_store(
        &args.store,
        label,
        size.map(Total::Bytes),
        wording,
        |e| not_imported(args, e),
        |location, store, progress| {
            let catalogue = match catalogue {
                Some(c) => c,
                None => store.catalogue(location)?.ok_or_else(|| {
                    CliError::Usage(format!(
                        "{location}: the store keeps no catalogue yet; pass --catalog FILE"
                    ))
                })?,
            };
            // A catalogue given on the command line is kept in the store, in the import's
            // transaction: with the events or not at all.
            let options = ImportOptions {
                keep_catalogue: args.catalog.is_some(),
                ..ImportOptions::default()
            };
            Ok(import_jsonl_with(
                store, reader, &catalogue, &options, progress,
            )?)
        },
    )?;
    writeln!(
        out,
        "imported {} events of {} dossiers into {location} (last position {last})",
        num(summary.events_imported),
        num(summary.dossiers_touched),
    )?;
    Ok(())
}

/// A refused import that is not a conflict: a store failure, an events file that cannot be
/// read, or bad input in it.
fn not_imported(args: &ImportArgs, error: ImportError) -> CliError {
    CliError::events(&args.events, error, "; nothing was imported", |e| {
        CliError::store(&args.store, "the store failed, nothing was imported", &e)
    })
}

/// How a command words a conflict when importing into a store:
/// `cannot {cannot}: {error}; nothing was {nothing}`.
pub(crate) struct Wording {
    /// What could not be done, e.g. `import events.jsonl`.
    pub(crate) cannot: String,
    /// What was not done, e.g. `imported`.
    pub(crate) nothing: &'static str,
}

/// Why an import into a store stopped.
pub(crate) enum Stopped {
    /// The import refused the events.
    Refused(ImportError),
    /// Something around the import failed.
    Failed(CliError),
}

impl From<ImportError> for Stopped {
    fn from(error: ImportError) -> Self {
        Stopped::Refused(error)
    }
}

impl From<CliError> for Stopped {
    fn from(error: CliError) -> Self {
        Stopped::Failed(error)
    }
}

/// Imports into the store at `location` (a SQLite file, created if missing, or a PostgreSQL
/// URL), all or nothing, for `import` and `gen --store`. `import` runs with the store's name
/// as messages show it, the store and a progress callback (a bar labelled `label` on standard
/// error, when that is a terminal) and returns its result (keeping a catalogue, if any, is the
/// import's own business: `ImportOptions::keep_catalogue`); this returns the store's name,
/// that result and the store's last position, after bringing the store's list of open
/// dossiers up to date.
///
/// Events the store already holds, or a concurrent append, are a conflict (exit 4) in the
/// command's `wording`; other refusals are as `other` says. On any failure a store file this
/// call created is removed.
pub(crate) fn into_store<T>(
    location: &str,
    label: String,
    total: Option<Total>,
    wording: Wording,
    other: impl FnOnce(ImportError) -> CliError,
    import: impl FnOnce(&str, &AnyStore, &mut dyn FnMut(ImportProgress)) -> Result<T, Stopped>,
) -> Result<(String, T, u64), CliError> {
    let file = (!is_postgres(location)).then(|| PathBuf::from(location));
    let existed = file.as_ref().is_none_or(|f| f.exists());
    let (name, store) = open_any_store(location)?;
    let mut bar = ProgressBar::on_stderr(label, total);
    let result = import(&name, &store, &mut |p| {
        if let Some(bar) = &mut bar {
            bar.update(p);
        }
    });
    if let Some(bar) = &mut bar {
        bar.finish();
    }
    let imported = match result {
        Ok(done) => Ok(done),
        Err(Stopped::Failed(error)) => Err(error),
        Err(Stopped::Refused(
            error @ (ImportError::AlreadyStored { .. } | ImportError::StoreRefused { .. }),
        )) => Err(CliError::Conflict {
            path: PathBuf::from(&name),
            message: format!(
                "cannot {}: {error}; nothing was {}",
                wording.cannot, wording.nothing
            ),
        }),
        Err(Stopped::Refused(error)) => Err(other(error)),
    };
    let finished = imported.and_then(|done| {
        let last = store
            .last_position()
            .map_err(|e| CliError::store(&name, "the store could not be read", &e))?;
        // The desk's list of open dossiers follows the log (judged with the store's catalogue).
        let catalogue = store.catalogue(&name)?;
        crate::open_list::refresh_after_write(&store, catalogue.as_ref(), &name);
        Ok((name.clone(), done, last))
    });
    if let (Err(_), Some(file), false) = (&finished, &file, existed) {
        // Nothing was imported into a file this command created: leave no file behind.
        drop(store);
        remove_store_files(file);
    }
    finished
}

fn remove_store_files(path: &Path) {
    let _ = std::fs::remove_file(path);
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(name));
    }
}

/// What a progress bar measures the work in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Total {
    /// Bytes of the input file.
    Bytes(u64),
}

/// A one-line progress display on standard error, redrawn in place at most ten times a
/// second; only shown when standard error is a terminal.
pub(crate) struct ProgressBar {
    label: String,
    total: Option<Total>,
    start: Instant,
    last: Option<Instant>,
    drawn: bool,
}

impl ProgressBar {
    /// A bar if standard error is a terminal, else `None` (the output stays as it is).
    pub(crate) fn on_stderr(label: String, total: Option<Total>) -> Option<ProgressBar> {
        std::io::stderr().is_terminal().then(|| ProgressBar {
            label,
            total,
            start: Instant::now(),
            last: None,
            drawn: false,
        })
    }

    /// Redraws the line if the last redraw is a tenth of a second old (always when the
    /// import starts committing).
    pub(crate) fn update(&mut self, progress: ImportProgress) {
        let now = Instant::now();
        let due = self
            .last
            .is_none_or(|last| now.duration_since(last) >= Duration::from_millis(100));
        if !due && !progress.committing {
            return;
        }
        self.last = Some(now);
        let line = render(
            &self.label,
            self.total,
            progress,
            now.duration_since(self.start),
        );
        let mut err = std::io::stderr().lock();
        // Progress is a courtesy: a failed write to the terminal does not stop the import.
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
        self.drawn = true;
    }

    /// Clears the line.
    pub(crate) fn finish(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            self.drawn = false;
        }
    }
}

/// The progress line: a bar, the share done, what is done of what, events, events a second
/// and the time left.
pub(crate) fn render(
    label: &str,
    total: Option<Total>,
    progress: ImportProgress,
    elapsed: Duration,
) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        progress.events_imported as f64 / seconds
    } else {
        0.0
    };
    let events = num(progress.events_imported);
    if progress.committing {
        return format!("{label}: {events} events checked, committing…");
    }
    let (done, of) = match total {
        Some(Total::Bytes(total)) => (progress.bytes_read, total),
        None => (0, 0),
    };
    let fraction = if of > 0 {
        (done as f64 / of as f64).clamp(0.0, 1.0)
    } else {
        0.0
    };
    const WIDTH: usize = 24;
    let filled = ((fraction * WIDTH as f64) as usize).min(WIDTH);
    let bar = format!("{}{}", "#".repeat(filled), ".".repeat(WIDTH - filled));
    let amount = match total {
        Some(Total::Bytes(total)) => format!("{} / {}", bytes(done), bytes(total)),
        None => String::new(),
    };
    let eta = if fraction > 0.0 && fraction < 1.0 {
        let left = seconds * (1.0 - fraction) / fraction;
        format!("  ETA {}", clock(left))
    } else {
        String::new()
    };
    format!(
        "{label} [{bar}] {:>3.0}%  {amount}  {events} events  {} events/s{eta}",
        fraction * 100.0,
        num(rate as u64)
    )
}

/// A byte count in B, KB, MB or GB (powers of 1000).
fn bytes(n: u64) -> String {
    let n = n as f64;
    match n {
        n if n >= 1e9 => format!("{:.2} GB", n / 1e9),
        n if n >= 1e6 => format!("{:.1} MB", n / 1e6),
        n if n >= 1e3 => format!("{:.1} KB", n / 1e3),
        n => format!("{n} B"),
    }
}

/// Seconds as `m:ss` (or `h:mm:ss`).
fn clock(seconds: f64) -> String {
    let total = seconds.round().max(0.0) as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(bytes_read: u64, lines_read: u64, events: u64, committing: bool) -> ImportProgress {
        let mut p = ImportProgress::default();
        p.bytes_read = bytes_read;
        p.lines_read = lines_read;
        p.events_imported = events;
        p.committing = committing;
        p
    }

    #[test]
    fn the_line_shows_share_amounts_rate_and_time_left() {
        let line = render(
            "importing e.jsonl",
            Some(Total::Bytes(1_800_000_000)),
            progress(450_000_000, 1_865_000, 1_865_000, false),
            Duration::from_secs(10),
        );
        assert_eq!(
            line,
            "importing e.jsonl [######..................]  25%  450.0 MB / 1.80 GB  1,865,000 events  186,500 events/s  ETA 0:30"
        );
    }

    #[test]
    fn without_a_total_the_line_counts_events_and_committing_is_said() {
        let line = render(
            "writing",
            None,
            progress(0, 2000, 2000, false),
            Duration::from_secs(4000),
        );
        assert_eq!(
            line,
            "writing [........................]   0%    2,000 events  0 events/s"
        );
        let line = render("x", None, progress(0, 7, 1_234_567, true), Duration::ZERO);
        assert_eq!(line, "x: 1,234,567 events checked, committing…");
        assert_eq!(clock(3725.0), "1:02:05");
        assert_eq!(bytes(999), "999 B");
    }
}
