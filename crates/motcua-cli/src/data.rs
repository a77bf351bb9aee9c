//! Where the data comes from: the bundled sample (generated into an in-memory SQLite store and
//! read back from it), a host's own event and catalogue files, or a host's store file.

use crate::calendar_cmd::PendingCalendar;
use crate::error::CliError;
use crate::text_file::TextFileError;
use motcua_calendar::Calendar;
use motcua_core::{Catalogue, Context, DossierId, Event};
use motcua_metrics::{LevelHistory, Period, Report};
use motcua_pipeline::{report_jsonl, report_store, report_stores, PipelineError, ReportRun};
use motcua_postgres::{PgError, PgStore};
use motcua_render::report::CatalogueRecordRef;
use motcua_render::Lang;
use motcua_sqlite::{SqliteError, SqliteStore};
use motcua_store::catalogue_records::{in_force_at, CatalogueRecord, CatalogueRecords};
use motcua_store::{DossierScan, EventStore, ExpectedVersion, StoreError, StreamBatch};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `--lang`, shared by the commands that print labels for people.
#[derive(Debug, Clone, clap::Args)]
pub struct LangArgs {
    /// Language of the labels: en, or vi (tiếng Việt). Unit and procedure names, reasons and
    /// other text from the data are shown as recorded.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// Options that choose the data, shared by the commands that read dossiers.
#[derive(Debug, Clone, clap::Args)]
pub struct DataArgs {
    /// Events as JSON Lines (docs/event-format.md). Without it (or --store), the bundled sample
    /// province-year. A pipe works too (`--events /dev/stdin`, `--events <(zcat f.jsonl.gz)`):
    /// `report` reads the file twice, so it copies a pipe to the temporary directory first.
    #[arg(
        long,
        value_name = "FILE",
        requires = "catalog",
        conflicts_with = "store"
    )]
    pub events: Option<PathBuf>,
    /// The procedure catalogue as JSON (docs/catalogue-format.md). Goes with --events; with
    /// --store it replaces the catalogue kept in the store.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// A motcua store: a SQLite file (made by `motcua import` or `motcua gen --store`), or a
    /// PostgreSQL URL (`postgres://user:password@host/db#schema`, schema `motcua` by default).
    /// Repeat it for a store split in shards (`report` and `explain` read each shard where it
    /// is); the catalogue comes from --catalog or the first store that keeps one.
    #[arg(long, value_name = "FILE|URL")]
    pub store: Vec<String>,
    /// Your own calendar additions (day-off / make-up-day lines, see `motcua calendar --help`),
    /// loaded on top of the Vietnamese calendar.
    #[arg(long, value_name = "FILE")]
    pub calendar: Option<PathBuf>,
    /// The instant to judge dossiers at, in RFC 3339 (e.g. 2024-12-31T17:00:00+07:00).
    /// Default: the sample's end of year, or now for your own data (said on standard error
    /// and in the output's header).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub as_of: Option<OffsetDateTime>,
    /// Count only events recorded by this instant (RFC 3339): answers as the data stood then,
    /// before late records arrived. Default: everything recorded.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub known_at: Option<OffsetDateTime>,
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
    /// A store file.
    Store {
        /// The store file.
        path: PathBuf,
    },
    /// Several stores (shards), or a PostgreSQL store.
    Shards {
        /// Each store's file or URL (URLs without their password).
        locations: Vec<String>,
    },
}

/// Where the as-of instant came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOfFrom {
    /// `--as-of`.
    Option,
    /// The clock: your own data without `--as-of`.
    Now,
    /// The bundled sample's end of year.
    Sample,
}

impl AsOfFrom {
    /// The key in JSON output (`as_of_from`).
    pub fn key(self) -> &'static str {
        match self {
            AsOfFrom::Option => "option",
            AsOfFrom::Now => "now",
            AsOfFrom::Sample => "sample",
        }
    }
}

/// What headers add after an as-of instant taken from the clock.
pub const NOW_NOTE: &str = "now; pass --as-of to judge another instant";
/// [`NOW_NOTE`] in Vietnamese.
pub const NOW_NOTE_VI: &str = "thời điểm hiện tại; dùng --as-of để tính tại thời điểm khác";

/// An opened store of either kind.
pub enum AnyStore {
    /// A SQLite file.
    Sqlite(SqliteStore),
    /// A PostgreSQL schema.
    Postgres(Box<PgStore>),
}

/// Where a report's dossiers are read from.
enum Origin {
    /// The bundled sample, in an in-memory store.
    Sample(SqliteStore),
    /// A JSON Lines file, read and checked while reporting.
    File(PathBuf),
    /// Stores, each with the name errors give it.
    Stores(Vec<(String, AnyStore)>),
}

/// A PostgreSQL location: `postgres://…` or `postgresql://…`, with an optional `#schema`.
fn postgres_location(location: &str) -> Option<(&str, &str)> {
    if !(location.starts_with("postgres://") || location.starts_with("postgresql://")) {
        return None;
    }
    Some(match location.rsplit_once('#') {
        Some((url, schema)) if !schema.is_empty() => (url, schema),
        Some((url, _)) => (url, "motcua"),
        None => (location, "motcua"),
    })
}

/// The CLI error for a PostgreSQL store that cannot be opened: the server out of reach or
/// refusing (exit 5), a bad URL or schema name (2), a store from a newer motcua (3).
pub(crate) fn pg_error(location: &str, error: PgError) -> CliError {
    let location = shown(location);
    if error.is_storage_failure() {
        return CliError::Storage {
            location,
            message: error.to_string(),
        };
    }
    match error {
        PgError::Config(_) | PgError::BadSchemaName(_) => {
            CliError::Usage(format!("{location}: {error}"))
        }
        PgError::ChangedCatalogue { message, .. } => CliError::Damaged {
            location,
            message: format!("the stored catalogue was changed after it was written: {message}"),
        },
        other => CliError::BadInput {
            path: PathBuf::from(location),
            message: other.to_string(),
        },
    }
}

/// A URL as shown in reports and errors: without a password.
fn shown(location: &str) -> String {
    match (location.find("://"), location.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &location[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    format!("{}{user}:***{}", &location[..scheme + 3], &location[at..])
                }
                None => location.to_owned(),
            }
        }
        _ => location.to_owned(),
    }
}

/// Loaded, checked data with every dossier's stream.
pub struct Dataset {
    /// Procedures and units.
    pub catalogue: Catalogue,
    /// The working calendar ([`Dataset::calendar`]), perhaps still being built.
    calendar: PendingCalendar,
    /// Each dossier's events, in sequence order, by dossier id: filled by [`Dataset::load`],
    /// empty after [`Dataset::open`].
    pub streams: BTreeMap<DossierId, Vec<Event>>,
    /// The instant to judge at.
    pub as_of: OffsetDateTime,
    /// Where it came from.
    pub source: Source,
    /// Only events recorded by then are counted, if set.
    pub known_at: Option<OffsetDateTime>,
    /// Worker threads for reports.
    pub threads: Option<usize>,
    /// The fingerprint to judge dossiers from a store's standings with
    /// ([`ReportRun::standings`]), when the command's context is the one the store's
    /// maintainer uses; `None`: reports read events.
    pub standings: Option<u64>,
    /// Where [`Dataset::as_of`] came from.
    pub as_of_from: AsOfFrom,
    origin: Origin,
    /// When the catalogue came from a store: that store's index in the stores, and its
    /// catalogue records (the latest is the catalogue).
    records: Option<(usize, Vec<CatalogueRecord>)>,
}

impl Dataset {
    /// Opens the data the arguments name for a report, without reading the dossiers yet:
    /// [`Dataset::report`] streams them from the stores or the file.
    pub fn open(args: &DataArgs) -> Result<Dataset, CliError> {
        let calendar = PendingCalendar::start(args.calendar.as_ref())?;
        let offset = calendar.offset();
        let now = || OffsetDateTime::now_utc().to_offset(offset);
        // Instants given in another offset are shown, like every instant of the output, in
        // the calendar's (a report as of 10:00-05:00 is as of 22:00+07:00).
        let mut args = args.clone();
        for (flag, instant) in [
            ("--as-of", &mut args.as_of),
            ("--known-at", &mut args.known_at),
        ] {
            if let Some(t) = instant {
                *t = t.checked_to_offset(offset).ok_or_else(|| {
                    CliError::Usage(format!(
                        "{flag} {t} is outside the years motcua can represent"
                    ))
                })?;
            }
        }
        let args = &args;
        if !args.store.is_empty() {
            let mut stores = Vec::new();
            let mut catalogue = match &args.catalog {
                Some(catalog) => Some(read_catalogue(catalog)?),
                None => None,
            };
            // The records of the store the catalogue came from, and that store's index.
            let mut records = None;
            for location in &args.store {
                let (name, store) = read_any_store(location)?;
                if catalogue.is_none() {
                    catalogue = store.catalogue(&name)?;
                    if catalogue.is_some() {
                        let listed = store.catalogue_records().map_err(|e| {
                            CliError::store(&name, "the catalogue records could not be read", &e)
                        })?;
                        records = Some((stores.len(), listed));
                    }
                }
                stores.push((name, store));
            }
            let catalogue = catalogue.ok_or_else(|| {
                let names: Vec<String> = args.store.iter().map(|l| shown(l)).collect();
                CliError::Usage(match &names[..] {
                    [one] => format!(
                        "{one}: the store keeps no catalogue; import with --catalog FILE, or pass --catalog"
                    ),
                    _ => format!(
                        "{}: no store keeps a catalogue; pass --catalog FILE",
                        names.join(", ")
                    ),
                })
            })?;
            let source = match (&stores[..], &args.store[..]) {
                ([(_, AnyStore::Sqlite(_))], [path]) => Source::Store {
                    path: PathBuf::from(path),
                },
                _ => Source::Shards {
                    locations: stores.iter().map(|(name, _)| name.clone()).collect(),
                },
            };
            let as_of = args.as_of.unwrap_or_else(now);
            return Ok(Dataset {
                catalogue,
                calendar,
                streams: BTreeMap::new(),
                as_of,
                source,
                known_at: args.known_at,
                threads: None,
                standings: None,
                as_of_from: own_as_of(args),
                origin: Origin::Stores(stores),
                records,
            });
        }
        match (&args.events, &args.catalog) {
            (Some(events), Some(catalog)) => {
                let catalogue = read_catalogue(catalog)?;
                open(events)?;
                let as_of = args.as_of.unwrap_or_else(now);
                Ok(Dataset {
                    catalogue,
                    calendar,
                    streams: BTreeMap::new(),
                    as_of,
                    source: Source::Files {
                        events: events.clone(),
                    },
                    known_at: args.known_at,
                    threads: None,
                    standings: None,
                    as_of_from: own_as_of(args),
                    origin: Origin::File(events.clone()),
                    records: None,
                })
            }
            (None, None) => {
                let sample = motcua_gen::sample().map_err(|e| {
                    CliError::Data(format!("the bundled sample could not be generated: {e}"))
                })?;
                let store = sample_store(sample.events)?;
                Ok(Dataset {
                    catalogue: sample.catalogue,
                    calendar,
                    streams: BTreeMap::new(),
                    as_of: args.as_of.unwrap_or(sample.as_of),
                    source: Source::Sample {
                        dossiers: sample.config.dossiers,
                        seed: sample.config.seed,
                    },
                    known_at: args.known_at,
                    threads: None,
                    standings: None,
                    as_of_from: if args.as_of.is_some() {
                        AsOfFrom::Option
                    } else {
                        AsOfFrom::Sample
                    },
                    origin: Origin::Sample(store),
                    records: None,
                })
            }
            _ => Err(both_or_store()),
        }
    }

    /// `t` in the calendar's offset, as every instant of the output is shown (an instant given
    /// in another offset keeps its own only where the calendar's cannot hold it).
    pub fn shown(&self, t: OffsetDateTime) -> OffsetDateTime {
        t.checked_to_offset(self.calendar().offset()).unwrap_or(t)
    }

    /// The report over `period` (judged as of its end): dossiers streamed from the stores or
    /// the file and tallied on every core; with its section by officer when `officers`.
    pub fn report(
        &self,
        period: Period,
        levels: &LevelHistory,
        officers: bool,
    ) -> Result<Report, CliError> {
        let mut run = ReportRun::new(self.context(), period, levels)
            .known_at(self.known_at)
            .officers(officers)
            .standings(self.standings);
        if let Some(threads) = self.threads {
            run = run.threads(threads);
        }
        let failed = |e: PipelineError| match e {
            PipelineError::Store { store, source } => {
                CliError::store(&store, "the store could not be read", &source)
            }
            other => CliError::Data(other.to_string()),
        };
        match &self.origin {
            Origin::Sample(store) => report_store(store, &run).map_err(failed),
            Origin::File(path) => {
                let events = crate::rewind::Rewindable::open(path)?;
                let file = BufReader::with_capacity(1 << 20, events.file());
                report_jsonl(file, &run).map_err(|e| match e {
                    PipelineError::Input(e) => CliError::events(path, e, "", |e| {
                        CliError::Data(format!("{}: {e}", path.display()))
                    }),
                    other => failed(other),
                })
            }
            Origin::Stores(stores) => {
                let named: Vec<(&str, &AnyStore)> =
                    stores.iter().map(|(n, s)| (n.as_str(), s)).collect();
                report_stores(&named, &run).map_err(failed)
            }
        }
    }

    /// Loads the data the arguments name into [`Dataset::streams`], keeping only the events
    /// recorded by `--known-at`. Reads at most one store (a SQLite file or a PostgreSQL URL).
    pub fn load(args: &DataArgs) -> Result<Dataset, CliError> {
        if args.store.len() > 1 {
            return Err(one_store());
        }
        let mut data = Self::open(args)?;
        let mut streams = match &data.origin {
            Origin::Sample(store) => read_streams(store, "the bundled sample")?,
            Origin::File(path) => read_events(path, &data.catalogue)?,
            Origin::Stores(stores) => match &stores[..] {
                [(location, store)] => read_streams(store, location)?,
                // Refused above.
                _ => return Err(one_store()),
            },
        };
        if let Some(known_at) = args.known_at {
            for events in streams.values_mut() {
                let known = motcua_core::known_prefix(events, known_at).len();
                events.truncate(known);
            }
            streams.retain(|_, events| !events.is_empty());
        }
        data.streams = streams;
        Ok(data)
    }

    /// Opens the data and reads one dossier's events, keeping only those recorded by
    /// `--known-at`. From stores (one or several shards, SQLite or PostgreSQL) only that
    /// dossier is read, through the index, whatever the store's size; from a file or the sample,
    /// everything is loaded. `None` when the data holds no event of it; then, for a file or the
    /// sample, [`Dataset::streams`] holds the other dossiers (for a hint of what ids look like).
    pub fn load_dossier(
        args: &DataArgs,
        dossier: &DossierId,
    ) -> Result<(Dataset, Option<Vec<Event>>), CliError> {
        if args.store.is_empty() {
            let mut data = Self::load(args)?;
            let events = data.streams.remove(dossier);
            return Ok((data, events));
        }
        let data = Self::open(args)?;
        let mut found = None;
        if let Origin::Stores(stores) = &data.origin {
            for (location, store) in stores {
                let backend =
                    |e: StoreError| CliError::store(location, "the store could not be read", &e);
                let events = store.read_stream(dossier).map_err(backend)?;
                if !events.is_empty() {
                    found = Some(events);
                    break;
                }
            }
        }
        let found = found
            .map(|mut events| {
                if let Some(known_at) = args.known_at {
                    let known = motcua_core::known_prefix(&events, known_at).len();
                    events.truncate(known);
                }
                events
            })
            .filter(|events| !events.is_empty());
        Ok((data, found))
    }

    /// Calls `visit` with every dossier's events (those recorded by `--known-at`), one dossier
    /// at a time in id order: stores are scanned dossier by dossier (memory: one dossier's
    /// events), a file is read and checked first.
    pub fn each_dossier(
        &self,
        mut visit: impl FnMut(&[Event]) -> Result<(), CliError>,
    ) -> Result<(), CliError> {
        let known_at = self.known_at;
        let mut visit = |events: &[Event]| {
            let events = match known_at {
                Some(k) => motcua_core::known_prefix(events, k),
                None => events,
            };
            if events.is_empty() {
                return Ok(());
            }
            visit(events)
        };
        match &self.origin {
            Origin::Sample(store) => scan_all(store, "the bundled sample", &mut visit),
            Origin::File(path) => {
                for events in read_events(path, &self.catalogue)?.values() {
                    visit(events)?;
                }
                Ok(())
            }
            Origin::Stores(stores) => {
                for (location, store) in stores {
                    scan_all(store, location, &mut visit)?;
                }
                Ok(())
            }
        }
    }

    /// The store the data is, with the name errors give it, when it is exactly one store
    /// (SQLite or PostgreSQL).
    pub fn single_store(&self) -> Option<(&str, &AnyStore)> {
        match &self.origin {
            Origin::Stores(stores) => match &stores[..] {
                [(name, store)] => Some((name.as_str(), store)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The catalogue record that judges every dossier (the latest of the store the catalogue
    /// came from), `None` when the catalogue is a file's or the sample's.
    pub fn catalogue_record(&self) -> Option<CatalogueRecordRef> {
        let (_, records) = self.records.as_ref()?;
        let latest = records.last()?;
        Some(CatalogueRecordRef {
            number: latest.number,
            of: records.len() as u64,
            sha256: latest.sha256.clone(),
        })
    }

    /// The catalogue record in force when `dossier`'s first event was stored, in the store the
    /// catalogue came from (`None` when the catalogue is not a store's, or that store does not
    /// hold the dossier).
    pub fn received_under(&self, dossier: &DossierId) -> Result<Option<CatalogueRecord>, CliError> {
        let (Some((index, records)), Origin::Stores(stores)) = (&self.records, &self.origin) else {
            return Ok(None);
        };
        let Some((name, store)) = stores.get(*index) else {
            return Ok(None);
        };
        let first = store
            .first_position(dossier)
            .map_err(|e| CliError::store(name, "the store could not be read", &e))?;
        Ok(first.and_then(|p| in_force_at(records, p)).cloned())
    }

    /// A view context with the default judging rules.
    pub fn context(&self) -> Context<'_> {
        Context::new(&self.catalogue, self.calendar())
    }

    /// The working calendar (built on a thread of its own while the data opened; this waits
    /// for it).
    pub fn calendar(&self) -> &Calendar {
        self.calendar.get()
    }

    /// What a header adds after the as-of instant: [`NOW_NOTE`] (or its Vietnamese) when
    /// judged as of now by default, else nothing.
    pub fn as_of_note(&self, vietnamese: bool) -> Option<&'static str> {
        (self.as_of_from == AsOfFrom::Now).then_some(if vietnamese {
            NOW_NOTE_VI
        } else {
            NOW_NOTE
        })
    }

    /// Says on standard error what an answer may silently take for granted: that your own
    /// data is judged as of now (no `--as-of`), or that the data is the bundled sample (no
    /// data options). Said for every format, CSV included, whose header cannot carry it.
    pub fn announce(&self, lang: Lang) {
        let as_of = lang.instant(self.as_of);
        let count = |dossiers: &usize| motcua_render::format::num(*dossiers as u64);
        match (&self.source, self.as_of_from, lang) {
            (Source::Sample { dossiers, seed }, _, Lang::En) => eprintln!(
                "motcua: no data options: the bundled synthetic sample province-year ({} \
                 dossiers, seed {seed}), judged as of {as_of}; pass --events and --catalog, or \
                 --store, for your own data",
                count(dossiers)
            ),
            (Source::Sample { dossiers, seed }, _, Lang::Vi) => eprintln!(
                "motcua: không có tùy chọn dữ liệu: dữ liệu mẫu tổng hợp một tỉnh trong một năm \
                 ({} hồ sơ, seed {seed}), tính đến {as_of}; dùng --events và --catalog, \
                 hoặc --store, cho dữ liệu của bạn",
                count(dossiers)
            ),
            (_, AsOfFrom::Now, Lang::En) => eprintln!(
                "motcua: judged as of {as_of} (now); pass --as-of to judge another instant"
            ),
            (_, AsOfFrom::Now, Lang::Vi) => eprintln!(
                "motcua: tính đến {as_of} (thời điểm hiện tại); dùng --as-of để tính tại thời \
                 điểm khác"
            ),
            _ => {}
        }
    }
}

/// Where the as-of instant of your own data comes from.
fn own_as_of(args: &DataArgs) -> AsOfFrom {
    if args.as_of.is_some() {
        AsOfFrom::Option
    } else {
        AsOfFrom::Now
    }
}

/// The error for `load` given several stores.
fn one_store() -> CliError {
    CliError::Usage(
        "this command reads one store (a SQLite file or a PostgreSQL URL); several stores are for `motcua report`".to_owned(),
    )
}

fn both_or_store() -> CliError {
    CliError::Usage(
        "--events and --catalog go together (or --store with an optional --catalog)".to_owned(),
    )
}

fn open(path: &Path) -> Result<File, CliError> {
    File::open(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Opens a store file for `import` and `gen --store`, creating it if needed. A file that is
/// not a store, or is from a newer motcua, is bad input.
pub fn open_store(path: &Path) -> Result<SqliteStore, CliError> {
    SqliteStore::open(path).map_err(|e| store_error(path, e))
}

/// Opens a store for writing (`import`, `gen --store`, `follow`), creating or migrating it: a
/// SQLite file (created if missing) or a PostgreSQL URL (`postgres://…[#schema]`, the schema
/// created if missing). Returns the store with its name as messages show it (no password).
pub fn open_any_store(location: &str) -> Result<(String, AnyStore), CliError> {
    match postgres_location(location) {
        Some((url, schema)) => {
            let store = PgStore::connect(url, schema).map_err(|e| pg_error(location, e))?;
            Ok((shown(location), AnyStore::Postgres(Box::new(store))))
        }
        None => Ok((
            location.to_owned(),
            AnyStore::Sqlite(open_store(Path::new(location))?),
        )),
    }
}

/// Opens an existing store for reading only (`report`, `explain`, `export`, …): a SQLite file
/// ([`read_store`]) or a PostgreSQL URL (`postgres://…[#schema]`, nothing created). Returns
/// the store with its name as messages show it (no password).
pub fn read_any_store(location: &str) -> Result<(String, AnyStore), CliError> {
    match postgres_location(location) {
        Some((url, schema)) => {
            let store =
                PgStore::connect_read_only(url, schema).map_err(|e| pg_error(location, e))?;
            Ok((shown(location), AnyStore::Postgres(Box::new(store))))
        }
        None => Ok((
            location.to_owned(),
            AnyStore::Sqlite(read_store(Path::new(location))?),
        )),
    }
}

/// Whether `location` names a PostgreSQL store rather than a SQLite file.
pub fn is_postgres(location: &str) -> bool {
    postgres_location(location).is_some()
}

/// Opens an existing store file for the commands that only read (`report`, `explain`,
/// `changes`, `alarms`, `dossiers`, `export`): read-only, so it never waits for an import, never writes the file,
/// and works on read-only media. A file that is not a store of this version (an empty one
/// included) is bad input, left untouched.
pub fn read_store(path: &Path) -> Result<SqliteStore, CliError> {
    SqliteStore::open_read_only(path).map_err(|e| store_error(path, e))
}

/// The CLI error for a store that cannot be opened or read: a file that cannot be read or
/// written (missing, a directory, read-only, locked, a full disk) exits 5, a file that is not
/// a usable store 3.
pub fn store_error(path: &Path, error: SqliteError) -> CliError {
    match error {
        SqliteError::ChangedCatalogue { message, .. } => CliError::Damaged {
            location: path.display().to_string(),
            message: format!("the stored catalogue was changed after it was written: {message}"),
        },
        SqliteError::Missing { .. } => CliError::Io {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such store file"),
        },
        SqliteError::Sqlite { source, .. } if error.is_storage_failure() => CliError::Storage {
            location: path.display().to_string(),
            message: format!("the store cannot be used: {source}"),
        },
        SqliteError::Sqlite { source, .. } => CliError::BadInput {
            path: path.to_owned(),
            message: format!("the store cannot be used: {source}"),
        },
        other => CliError::BadInput {
            path: path.to_owned(),
            message: other
                .to_string()
                .trim_start_matches(&format!("{}: ", path.display()))
                .to_owned(),
        },
    }
}

/// Every dossier's stream, read from the store's log page by page; errors name the store
/// `location`.
fn read_streams<S: EventStore>(
    store: &S,
    location: &str,
) -> Result<BTreeMap<DossierId, Vec<Event>>, CliError> {
    let backend = |e: StoreError| CliError::store(location, "the store could not be read", &e);
    let mut streams: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
    let mut from = 0;
    loop {
        let page = store.read_all(from, 4096).map_err(backend)?;
        let Some(last) = page.last().map(|s| s.position) else {
            return Ok(streams);
        };
        for stored in page {
            streams
                .entry(stored.event.dossier_id.clone())
                .or_default()
                .push(stored.event);
        }
        from = last;
    }
}

/// A failure while scanning a store: the store's, or the visitor's.
enum ScanError {
    Store(StoreError),
    Visit(CliError),
}

impl From<StoreError> for ScanError {
    fn from(e: StoreError) -> Self {
        ScanError::Store(e)
    }
}

/// Scans every dossier of `store` in one range, in id order.
fn scan_all<S: DossierScan>(
    store: &S,
    location: &str,
    visit: &mut impl FnMut(&[Event]) -> Result<(), CliError>,
) -> Result<(), CliError> {
    let failed = |e: StoreError| CliError::store(location, "the store could not be read", &e);
    for range in store.dossier_ranges(1).map_err(failed)? {
        store
            .scan_dossiers(&range, |events: &[Event]| {
                visit(events).map_err(ScanError::Visit)
            })
            .map_err(|e| match e {
                ScanError::Store(e) => failed(e),
                ScanError::Visit(e) => e,
            })?;
    }
    Ok(())
}

/// The sample's events appended to an in-memory SQLite store (one batch per dossier, in one
/// atomic call), so the default path runs on the durable store's code.
fn sample_store(events: Vec<Event>) -> Result<SqliteStore, CliError> {
    let failed = |e: &dyn std::fmt::Display| {
        CliError::Data(format!("the bundled sample could not be stored: {e}"))
    };
    let store = SqliteStore::open_in_memory().map_err(|e| failed(&e))?;
    let mut by_dossier: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
    for event in events {
        by_dossier
            .entry(event.dossier_id.clone())
            .or_default()
            .push(event);
    }
    let batches: Vec<StreamBatch> = by_dossier
        .into_iter()
        .map(|(dossier_id, mut events)| {
            events.sort_by_key(|e| e.sequence);
            StreamBatch {
                dossier_id,
                expected: ExpectedVersion::NoStream,
                events,
            }
        })
        .collect();
    store.append_streams(&batches).map_err(|e| failed(&e))?;
    Ok(store)
}

/// Reads and checks a catalogue file.
pub fn read_catalogue(path: &Path) -> Result<Catalogue, CliError> {
    let text = read_text(path)?;
    motcua_io::read_catalogue(&text).map_err(|e| CliError::BadInput {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

/// A whole text file: unreadable is I/O (exit 5), not UTF-8 bad input (exit 3) naming where.
pub fn read_text(path: &Path) -> Result<String, CliError> {
    crate::text_file::read(path).map_err(|e| match e {
        TextFileError::Io(source) => CliError::Io {
            path: path.to_owned(),
            source,
        },
        content => CliError::BadInput {
            path: path.to_owned(),
            message: content.to_string(),
        },
    })
}

fn read_events(
    path: &Path,
    catalogue: &Catalogue,
) -> Result<BTreeMap<DossierId, Vec<Event>>, CliError> {
    let store = motcua_store::InMemoryStore::new();
    motcua_store::import_jsonl(&store, BufReader::new(open(path)?), catalogue).map_err(|e| {
        CliError::events(path, e, "", |e| {
            CliError::Data(format!("{}: {e}", path.display()))
        })
    })?;
    let backend = |e: motcua_store::StoreError| CliError::Data(e.to_string());
    let mut streams = BTreeMap::new();
    for id in store.dossier_ids().map_err(backend)? {
        let events = store.read_stream(&id).map_err(backend)?;
        streams.insert(id, events);
    }
    Ok(streams)
}
