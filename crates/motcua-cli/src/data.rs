//! Where the data comes from: the bundled sample, or a host's own event and catalogue files.

use crate::error::CliError;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, DossierId, DossierView, Event};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Options that choose the data, shared by `report` and `explain`.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Events as JSON Lines (docs/event-format.md). Without it, the bundled sample province-year.
    #[arg(long, value_name = "FILE", requires = "catalog")]
    pub events: Option<PathBuf>,
    /// The procedure catalogue as JSON (docs/catalogue-format.md). Goes with --events.
    #[arg(long, value_name = "FILE", requires = "events")]
    pub catalog: Option<PathBuf>,
    /// Your own calendar additions (day-off / make-up-day lines, see `motcua calendar --help`),
    /// loaded on top of the Vietnamese calendar.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// The instant to judge dossiers at, in RFC 3339 (e.g. 2024-12-31T17:00:00+07:00).
    /// Default: the sample's end of year, or now for your own data.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub as_of: Option<OffsetDateTime>,
}

/// Parses an RFC 3339 instant; the offset is required.
pub fn parse_instant(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
        let hint = if text.len() >= 10
            && !text.contains(['+', 'Z', 'z'])
            && text[10..].find('-').is_none()
        {
            " (an offset is required, e.g. 2024-12-31T17:00:00+07:00)"
        } else {
            ""
        };
        format!("{text:?} is not an RFC 3339 instant: {e}{hint}")
    })
}

/// What the data is, for report headers.
#[derive(Debug, Clone)]
pub enum Source {
    /// The bundled sample.
    Sample {
        /// Dossiers generated.
        dossiers: usize,
        /// The generator's seed.
        seed: u64,
    },
    /// A host's files.
    Files {
        /// The events file.
        events: PathBuf,
    },
}

/// Loaded, checked data with every dossier's stream.
pub struct Dataset {
    /// Procedures and units.
    pub catalogue: Catalogue,
    /// The working calendar.
    pub calendar: Calendar,
    /// Each dossier's events, in sequence order, by dossier id.
    pub streams: BTreeMap<DossierId, Vec<Event>>,
    /// The instant to judge at.
    pub as_of: OffsetDateTime,
    /// Where it came from.
    pub source: Source,
}

impl Dataset {
    /// Loads the data the arguments name.
    pub fn load(args: &DataArgs) -> Result<Dataset, CliError> {
        let calendar = crate::calendar_cmd::load_calendar(args.calendar.as_ref())?;
        match (&args.events, &args.catalog) {
            (Some(events), Some(catalog)) => {
                let catalogue = read_catalogue(catalog)?;
                let streams = read_events(events, &catalogue)?;
                let as_of = args
                    .as_of
                    .unwrap_or_else(|| OffsetDateTime::now_utc().to_offset(calendar.offset()));
                Ok(Dataset {
                    catalogue,
                    calendar,
                    streams,
                    as_of,
                    source: Source::Files {
                        events: events.clone(),
                    },
                })
            }
            (None, None) => {
                let sample = motcua_gen::sample().map_err(|e| {
                    CliError::Data(format!("the bundled sample could not be generated: {e}"))
                })?;
                let mut streams: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
                for event in sample.events {
                    streams
                        .entry(event.dossier_id.clone())
                        .or_default()
                        .push(event);
                }
                for stream in streams.values_mut() {
                    stream.sort_by_key(|e| e.sequence);
                }
                Ok(Dataset {
                    catalogue: sample.catalogue,
                    calendar,
                    streams,
                    as_of: args.as_of.unwrap_or(sample.as_of),
                    source: Source::Sample {
                        dossiers: sample.config.dossiers,
                        seed: sample.config.seed,
                    },
                })
            }
            _ => Err(CliError::Usage(
                "--events and --catalog go together".to_owned(),
            )),
        }
    }

    /// A view context with the default judging rules.
    pub fn context(&self) -> Context<'_> {
        Context::new(&self.catalogue, &self.calendar)
    }

    /// Every dossier's view as of the dataset's instant, in dossier order. Dossiers with no
    /// event by then are left out.
    pub fn views(&self) -> Result<Vec<DossierView>, CliError> {
        let context = self.context();
        let mut views = Vec::with_capacity(self.streams.len());
        for events in self.streams.values() {
            if events.first().is_none_or(|e| e.occurred_at > self.as_of) {
                continue;
            }
            views.push(
                context
                    .view_events(events, self.as_of)
                    .map_err(|e| CliError::Data(e.to_string()))?,
            );
        }
        Ok(views)
    }
}

fn open(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

fn read_catalogue(path: &Path) -> Result<Catalogue, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })?;
    motcua_io::read_catalogue(&text).map_err(|e| CliError::BadInput {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn read_events(
    path: &Path,
    catalogue: &Catalogue,
) -> Result<BTreeMap<DossierId, Vec<Event>>, CliError> {
    let store = motcua_store::InMemoryStore::new();
    motcua_store::import_jsonl(&store, BufReader::new(open(path)?), catalogue).map_err(|e| {
        CliError::BadInput {
            path: path.to_owned(),
            message: e.to_string(),
        }
    })?;
    use motcua_store::EventStore;
    let backend = |e: motcua_store::StoreError| CliError::Data(e.to_string());
    let mut streams = BTreeMap::new();
    for id in store.dossier_ids().map_err(backend)? {
        let events = store.read_stream(&id).map_err(backend)?;
        streams.insert(id, events);
    }
    Ok(streams)
}
