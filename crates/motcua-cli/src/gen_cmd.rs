//! `motcua gen`: a deterministic synthetic province-year as a catalogue file and JSON Lines
//! events, or straight into a store file.

use crate::error::CliError;
use crate::import::{into_store, Stopped, Wording};
use motcua_store::{import_results, EventStore, ImportError, ImportOptions, StoreError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Arguments of `motcua gen`.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("destination").required(true).multiple(true).args(["out", "store"])))]
pub struct GenArgs {
    /// How many dossiers.
    #[arg(long, default_value_t = 6000)]
    pub dossiers: usize,
    /// The seed: the same seed gives the same bytes on any machine.
    #[arg(long, default_value_t = motcua_gen::GenConfig::SAMPLE_SEED)]
    pub seed: u64,
    /// The year. Units and procedures follow that year's organisation as of 1 January: 2025
    /// keeps its districts all year, though they were abolished on 1 July 2025 (synthetic data:
    /// the generator does not split the year); from 2026 communes sit under the province.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Directory to write `catalogue.json` and `events.jsonl` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// A store to write the catalogue and the events into, checked and all or nothing as
    /// `motcua import` does: a SQLite file (created if it does not exist) or a PostgreSQL URL
    /// (`postgres://…[#schema]`).
    #[arg(long, value_name = "FILE|URL")]
    pub store: Option<String>,
}

/// An I/O error on `path`.
fn io(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |source| CliError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Runs `motcua gen`, printing one line per destination that says what was written.
///
/// The generator streams its events in log order (a day of arrivals at a time), so a million
/// dossiers go to the file and the store without the year ever being held: the events are
/// written to the file as they come and handed to one import session, which checks and
/// stores them all or nothing.
pub fn run(args: &GenArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let config = motcua_gen::GenConfig {
        dossiers: args.dossiers,
        seed: args.seed,
        year: args.year,
    };
    let calendar = motcua_calendar::Calendar::vietnam();
    let stream = motcua_gen::generate_stream(&config, &calendar)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let judge = motcua_render::format::when(Some(stream.as_of()));
    let judge = judge.as_str().unwrap_or("the end of the year").to_owned();
    let catalogue = stream.catalogue().clone();
    let file = args
        .out
        .as_deref()
        .map(|dir| EventsFile::create(dir, &catalogue))
        .transpose()?;
    let mut events = Generated {
        stream,
        file,
        events: 0,
        failure: None,
    };
    let stored = match &args.store {
        Some(path) => Some(write_store(&mut events, &catalogue, path)?),
        None => {
            // The first failure ends the events; `failure` says what it was.
            for event in events.by_ref() {
                if event.is_err() {
                    break;
                }
            }
            if let Some(failure) = events.failure.take() {
                return Err(failure);
            }
            None
        }
    };
    let what = format!(
        "{} dossiers ({} events, seed {}, year {})",
        motcua_render::format::num(events.stream.dossiers() as u64),
        motcua_render::format::num(events.events as u64),
        args.seed,
        args.year
    );
    if let Some(file) = events.file.take() {
        let (catalogue_path, events_path) = file.finish()?;
        writeln!(
            out,
            "wrote {what} to {} and {}; judge them as of {judge}",
            catalogue_path.display(),
            events_path.display(),
        )?;
    }
    if let Some((name, last)) = stored {
        writeln!(
            out,
            "wrote {what} into {name} (last position {last}); judge them as of {judge}",
        )?;
    }
    Ok(())
}

/// `catalogue.json` written and `events.jsonl` being written, a line per event.
struct EventsFile {
    catalogue_path: PathBuf,
    events_path: PathBuf,
    writer: BufWriter<File>,
}

impl EventsFile {
    /// Writes `catalogue.json` into `dir` (created if missing) and opens `events.jsonl`.
    fn create(dir: &Path, catalogue: &motcua_core::Catalogue) -> Result<EventsFile, CliError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let catalogue_path = dir.join("catalogue.json");
        std::fs::write(&catalogue_path, motcua_io::write_catalogue(catalogue))
            .map_err(io(&catalogue_path))?;
        let events_path = dir.join("events.jsonl");
        let writer = BufWriter::new(File::create(&events_path).map_err(io(&events_path))?);
        Ok(EventsFile {
            catalogue_path,
            events_path,
            writer,
        })
    }

    fn write(&mut self, event: &motcua_core::Event) -> Result<(), CliError> {
        motcua_io::write_event(&mut self.writer, event).map_err(|e| match e {
            motcua_io::WriteError::Io(source) => CliError::Io {
                path: self.events_path.clone(),
                source,
            },
            other => CliError::Data(format!("{}: {other}", self.events_path.display())),
        })
    }

    /// Flushes the events; returns the two paths.
    fn finish(mut self) -> Result<(PathBuf, PathBuf), CliError> {
        self.writer.flush().map_err(io(&self.events_path))?;
        Ok((self.catalogue_path, self.events_path))
    }
}

/// The generator's events, each written to the file (if any) as it passes, counted. The first
/// failure (the generator's or the file's) is kept in `failure` and ends the events with an
/// `Err` standing for it, so that an import stops without storing anything.
struct Generated<'c> {
    stream: motcua_gen::EventStream<'c>,
    file: Option<EventsFile>,
    events: u64,
    failure: Option<CliError>,
}

impl Iterator for Generated<'_> {
    type Item = Result<motcua_core::Event, std::io::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failure.is_some() {
            return None;
        }
        let failed = match self.stream.next()? {
            Ok(event) => match self.file.as_mut().map(|f| f.write(&event)) {
                Some(Err(e)) => e,
                _ => {
                    self.events += 1;
                    return Some(Ok(event));
                }
            },
            Err(e) => CliError::Usage(e.to_string()),
        };
        let said = std::io::Error::other(failed.to_string());
        self.failure = Some(failed);
        Some(Err(said))
    }
}

/// Imports the generated events into the store at `location` (a file created if missing, or
/// a PostgreSQL URL) through one import session as they come, and keeps the catalogue there;
/// returns the store's name as messages show it and its last position.
fn write_store(
    events: &mut Generated<'_>,
    catalogue: &motcua_core::Catalogue,
    location: &str,
) -> Result<(String, u64), CliError> {
    let wording = Wording {
        cannot: "write the generated events".to_owned(),
        nothing: "written",
    };
    let other = |error| match error {
        ImportError::Store(e @ StoreError::Storage(_)) => CliError::store(
            location,
            "the generated events could not be stored, nothing was written",
            &e,
        ),
        error => CliError::Data(format!(
            "{location}: the generated events could not be stored: {error}; nothing was written"
        )),
    };
    let (name, (), last) = into_store(
        location,
        format!("writing {location}"),
        None,
        wording,
        other,
        |name, store, progress| {
            let options = ImportOptions {
                keep_catalogue: true,
                ..ImportOptions::default()
            };
            match import_results(store, &mut *events, catalogue, &options, progress) {
                Ok(_) => Ok(()),
                Err(ImportError::Source { source, .. }) => {
                    Err(Stopped::Failed(events.failure.take().unwrap_or_else(
                        || CliError::Data(format!("{location}: {source}; nothing was written")),
                    )))
                }
                Err(error) => Err(already_stored(store, Path::new(name), error)),
            }
        },
    )?;
    Ok((name, last))
}

/// A refusal of generated events, worded without a line (there is no file). The generator's
/// events are valid by themselves, so a dossier refused that the store already holds means the
/// store holds dossiers with the ids generated (the same seed and year, or overlapping ones),
/// and an event the store refuses means it holds events generated with the same seed (event
/// ids follow the seed): both are a conflict (exit 4) naming the dossier. Anything else stays
/// as refused.
fn already_stored<S: EventStore + ?Sized>(store: &S, path: &Path, error: ImportError) -> Stopped {
    const NEW: &str = "write into a new store file, or generate another --year with another \
                       --seed; nothing was written";
    let conflict = |what: String| {
        Stopped::Failed(CliError::Conflict {
            path: path.to_owned(),
            message: format!("cannot write the generated events: {what}; {NEW}"),
        })
    };
    if let ImportError::StoreRefused { source, .. } = &error {
        // The store's reason names the dossier and the event.
        return conflict(source.to_string());
    }
    let Some(dossier) = error.dossier() else {
        return Stopped::Refused(error);
    };
    match store.stream_version(dossier) {
        Ok(stored) if stored > 0 => conflict(format!(
            "dossier {dossier} is already stored ({stored} events), and `gen` writes new \
             dossiers only"
        )),
        _ => Stopped::Refused(error),
    }
}
