//! `motcua gen`: a deterministic synthetic province-year as a catalogue file and JSON Lines
//! events, or straight into a store file.

use crate::error::CliError;
use crate::import::{into_store, Stopped, Total, Wording};
use motcua_store::{import_events, EventStore, ImportError, ImportOptions, StoreError};
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
    /// The year (units and procedures follow that year's organisation).
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
pub fn run(args: &GenArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let config = motcua_gen::GenConfig {
        dossiers: args.dossiers,
        seed: args.seed,
        year: args.year,
    };
    let sample = motcua_gen::generate(&config).map_err(|e| CliError::Usage(e.to_string()))?;
    let judge = crate::format::when(Some(sample.as_of));
    let judge = judge.as_str().unwrap_or("the end of the year").to_owned();
    let what = format!(
        "{} dossiers ({} events, seed {}, year {})",
        sample.dossier_count(),
        sample.events.len(),
        args.seed,
        args.year
    );
    if let Some(dir) = &args.out {
        let (catalogue_path, events_path) = write_files(&sample, dir)?;
        writeln!(
            out,
            "wrote {what} to {} and {}; judge them as of {judge}",
            catalogue_path.display(),
            events_path.display(),
        )?;
    }
    if let Some(path) = &args.store {
        let (name, last) = write_store(sample, path)?;
        writeln!(
            out,
            "wrote {what} into {name} (last position {last}); judge them as of {judge}",
        )?;
    }
    Ok(())
}

/// Writes `catalogue.json` and `events.jsonl` into `dir`; returns their paths.
fn write_files(sample: &motcua_gen::Sample, dir: &Path) -> Result<(PathBuf, PathBuf), CliError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let catalogue_path = dir.join("catalogue.json");
    std::fs::write(
        &catalogue_path,
        motcua_io::write_catalogue(&sample.catalogue),
    )
    .map_err(io(&catalogue_path))?;
    let events_path = dir.join("events.jsonl");
    let mut writer = BufWriter::new(File::create(&events_path).map_err(io(&events_path))?);
    // One line at a time: a million dossiers are several million events.
    for event in &sample.events {
        motcua_io::write_event(&mut writer, event).map_err(|e| match e {
            motcua_io::WriteError::Io(source) => CliError::Io {
                path: events_path.clone(),
                source,
            },
            other => CliError::Data(format!("{}: {other}", events_path.display())),
        })?;
    }
    writer.flush().map_err(io(&events_path))?;
    Ok((catalogue_path, events_path))
}

/// Imports the sample into the store at `location` (a file created if missing, or a
/// PostgreSQL URL) through one import session, and keeps its catalogue there; returns the
/// store's name as messages show it and its last position.
fn write_store(sample: motcua_gen::Sample, location: &str) -> Result<(String, u64), CliError> {
    let total = Some(Total::Events(sample.events.len() as u64));
    let motcua_gen::Sample {
        catalogue, events, ..
    } = sample;
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
        total,
        wording,
        other,
        |name, store, progress| {
            let options = ImportOptions {
                keep_catalogue: true,
                ..ImportOptions::default()
            };
            match import_events(store, events, &catalogue, &options, progress) {
                Ok(_) => Ok(()),
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
