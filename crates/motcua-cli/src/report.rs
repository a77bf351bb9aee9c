//! `motcua report`: status counts, figures per level, the Decision 766 indicators, the scorecard
//! per unit against targets, the monthly trend, where dossiers are late, and the overdue list,
//! as a table, JSON, CSV or a self-contained HTML page, with labels in English or Vietnamese.
//! The figures are built here from the data the arguments name; the text is
//! `motcua_render::report`'s.

use crate::data::{DataArgs, Dataset, LangArgs, Source, NOW_NOTE, NOW_NOTE_VI};
use crate::error::CliError;
use crate::escape::Terminal;
use motcua_metrics::{
    LevelHistory, OnlineDenominator, Period, Scope, Scorecard, ScoringScheme, TargetSet,
};
use motcua_render::report::{self as render, Bilingual, Document, Provenance, Section};
use motcua_render::{Lang, RenderError};
use std::io::Write;
use std::path::PathBuf;
use time::{Date, OffsetDateTime, Time};

/// Arguments of `motcua report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Write the output to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub lang: LangArgs,
    /// Worker threads that read and tally the dossiers, 1 to 256 (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Start of the reporting period (a date, YYYY-MM-DD); it ends at the as-of instant (that
    /// instant included).
    /// Default: 1 January of the as-of year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Targets to judge units against: a preset (dong-nai-2024, dong-nai-2026, thanh-hoa-2025,
    /// qd766) or a JSON file of your own (see the motcua-metrics TargetSet docs).
    #[arg(long, value_name = "NAME|FILE", default_value = "dong-nai-2024", value_parser = targets_name)]
    pub targets: String,
    /// Which dossiers the online rate (3.3) is taken over; default: the targets' setting
    /// (all received for the presets).
    #[arg(long, value_enum, value_name = "SETTING")]
    pub online_denominator: Option<Denominator>,
    /// Judge each unit on its own dossiers, or on its dossiers and all its descendants'.
    #[arg(long, value_enum, default_value_t = ScopeArg::Own)]
    pub scope: ScopeArg,
    /// How many overdue dossiers the table lists (JSON, CSV and HTML list all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub overdue: usize,
    /// For CSV: which table to print (default: units). Refused with the other formats, which
    /// print every table.
    #[arg(long, value_enum)]
    pub section: Option<Section>,
    /// For CSV: begin with a UTF-8 byte-order mark, so that Excel on Windows reads Vietnamese
    /// names as UTF-8 rather than in the system's code page. Refused with the other formats.
    #[arg(long)]
    pub bom: bool,
    /// Add the section by officer (the officer who recorded each event, *cán bộ xử lý*):
    /// dossiers handled, steps finished and late steps per officer, in every format (CSV:
    /// `--section officers`, which implies it).
    #[arg(long)]
    pub officers: bool,
}

/// The UTF-8 byte-order mark `--bom` writes before CSV.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Refuses CSV-only options with another format (a usage error, exit 2): they would be
/// silently ignored.
fn check_csv_options(args: &ReportArgs) -> Result<(), CliError> {
    if args.format == Format::Csv {
        return Ok(());
    }
    let format = clap::ValueEnum::to_possible_value(&args.format)
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default();
    let refused = |option: &str, what: &str| {
        Err(CliError::Usage(format!(
            "{option} {what}; it has no meaning with --format {format} (use --format csv)"
        )))
    };
    if args.section.is_some() {
        return refused("--section", "picks the table CSV prints");
    }
    if args.bom {
        return refused("--bom", "marks CSV as UTF-8 for Excel");
    }
    Ok(())
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for a person (control characters in names shown escaped, as `\u{1b}`).
    Table,
    /// The whole report and scorecard as JSON.
    Json,
    /// One table as CSV (see --section); a cell beginning with =, +, -, @, a tab or a carriage
    /// return is quoted with a leading ' so that spreadsheets do not run it as a formula.
    Csv,
    /// A self-contained HTML page (inline SVG charts; no script, no network).
    Html,
}

/// The online-rate denominators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Denominator {
    /// Every dossier received.
    AllReceived,
    /// Only dossiers of procedures offered online.
    OfferedOnline,
    /// Every dossier received other than by post.
    ExcludingPostal,
}

/// Which figures units are judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScopeArg {
    /// The unit's own dossiers.
    Own,
    /// The unit's and all its descendants'.
    WithDescendants,
}

fn parse_date(text: &str) -> Result<Date, String> {
    motcua_calendar::file::parse_iso_date(text)
        .ok_or_else(|| format!("{text:?} is not a date YYYY-MM-DD"))
}

/// A preset's name or an existing path (the file is read after the arguments: its errors are
/// bad input or I/O, not usage).
fn targets_name(name: &str) -> Result<String, String> {
    if TargetSet::preset(name).is_some() || std::path::Path::new(name).exists() {
        return Ok(name.to_owned());
    }
    Err(format!(
        "unknown targets {name:?}: neither a preset (known: {}) nor a file",
        TargetSet::PRESETS.join(", ")
    ))
}

/// A preset by name, else a JSON file of targets: an unknown name is a usage error, an
/// unreadable file an I/O error, a file that is not a valid target set bad input.
fn load_targets(name: &str) -> Result<TargetSet, CliError> {
    if let Some(t) = TargetSet::preset(name) {
        return Ok(t);
    }
    let path = std::path::Path::new(name);
    let text = crate::data::read_text(path)?;
    let bad = |message: String| CliError::BadInput {
        path: path.to_owned(),
        message,
    };
    let targets: TargetSet =
        serde_json::from_str(&text).map_err(|e| bad(format!("not a target set: {e}")))?;
    targets.check().map_err(|e| bad(e.to_string()))?;
    Ok(targets)
}

/// Options of [`build`] besides the data.
pub struct Options {
    /// Start of the period.
    pub from: Option<Date>,
    /// Targets.
    pub targets: TargetSet,
    /// Override of the online denominator.
    pub online_denominator: Option<Denominator>,
    /// Own figures or with descendants.
    pub scope: ScopeArg,
    /// Labels.
    pub lang: Lang,
    /// Whether the report has its section by officer.
    pub officers: bool,
}

/// Builds the report and scorecard of a dataset.
pub fn build(data: &Dataset, options: Options) -> Result<Document<'_>, CliError> {
    let offset = data.calendar().offset();
    let as_of = data.as_of.checked_to_offset(offset).ok_or_else(|| {
        CliError::Usage(format!(
            "--as-of {} is outside the years motcua can represent",
            data.as_of
        ))
    })?;
    let start_date = match options.from {
        Some(d) => d,
        None => Date::from_calendar_date(as_of.year(), time::Month::January, 1)
            .map_err(|e| CliError::Data(format!("no 1 January in {}: {e}", as_of.year())))?,
    };
    let start = OffsetDateTime::new_in_offset(start_date, Time::MIDNIGHT, offset);
    // The period takes in the as-of instant itself: a dossier received or finished at that
    // very instant is received or finished in it, as `dossiers` and `explain` see it then
    // (docs/deadline-rules.md, "The as-of instant").
    let period = Period::through(start, as_of).map_err(|_| {
        CliError::Usage(format!(
            "the reporting period is empty: it starts on {start_date} (--from) and ends at the \
             as-of instant {}; give --from a date on or before {}",
            motcua_render::Lang::En.instant(as_of),
            as_of.date()
        ))
    })?;
    let levels = LevelHistory::vietnam();
    let report = data.report(period, &levels, options.officers)?;
    let mut targets = options.targets;
    if let Some(d) = options.online_denominator {
        targets.online_denominator = match d {
            Denominator::AllReceived => OnlineDenominator::AllReceived,
            Denominator::OfferedOnline => OnlineDenominator::OfferedOnline,
            Denominator::ExcludingPostal => OnlineDenominator::ExcludingPostal,
        };
    }
    let scope = match options.scope {
        ScopeArg::Own => Scope::Own,
        ScopeArg::WithDescendants => Scope::WithDescendants,
    };
    let scorecard = Scorecard::build_full(
        &report,
        &data.catalogue,
        &targets,
        scope,
        &levels,
        &ScoringScheme::qd766(),
    );
    Ok(Document {
        catalogue: &data.catalogue,
        data: provenance(data),
        period,
        report,
        scorecard,
        targets,
        lang: options.lang,
    })
}

/// Runs `motcua report`.
pub fn run(args: &ReportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    check_csv_options(args)?;
    let targets = load_targets(&args.targets)?;
    let mut data = Dataset::open(&args.data)?;
    data.threads = args.threads.map(usize::from);
    // Full reports read the standings a store keeps when they were judged as this command
    // judges (the fingerprint `import`, `gen --store` and `follow` keep them with).
    data.standings = Some(crate::open_list::fingerprint_of(&data, &args.data));
    let built = build(
        &data,
        Options {
            from: args.from,
            targets,
            online_denominator: args.online_denominator,
            scope: args.scope,
            lang: args.lang.lang,
            officers: args.officers || args.section == Some(Section::Officers),
        },
    )?;
    // Said once the answer stands: a command that fails says only why.
    data.announce(args.lang.lang);
    if built.report.province().to_handle() == 0 {
        // A report of zeros is right for a period with no dossier, but more often means the
        // wrong file, an empty one, or an as-of instant before the data: said, not refused.
        eprintln!(
            "motcua: note: no dossier was received in the period or open at its start; check \
             the data and --as-of/--from if that is unexpected"
        );
    }
    match &args.out {
        Some(path) => {
            let io = |source| CliError::Io {
                path: path.clone(),
                source,
            };
            let file = std::fs::File::create(path).map_err(io)?;
            let mut file = std::io::BufWriter::new(file);
            render_to(args, &built, &mut file).map_err(|e| match e {
                CliError::Output(source) => io(source),
                other => other,
            })?;
            file.flush().map_err(io)?;
        }
        None => render_to(args, &built, out)?,
    }
    partial(&built.report)
}

/// [`CliError::Partial`] when some dossiers could not be judged (after the report is written).
fn partial(report: &motcua_metrics::Report) -> Result<(), CliError> {
    match report.unjudged().iter().next() {
        None => Ok(()),
        Some((dossier, reason)) => Err(CliError::Partial {
            unjudged: report.unjudged().len(),
            first: format!("{dossier}: {reason}"),
        }),
    }
}

/// What the report's header says about the data.
fn provenance(data: &Dataset) -> Provenance {
    let source = match &data.source {
        Source::Sample { dossiers, seed } => render::Source::Sample {
            dossiers: *dossiers,
            seed: *seed,
        },
        Source::Files { events } => render::Source::Events {
            path: events.display().to_string(),
        },
        Source::Store { path } => render::Source::Store {
            path: path.display().to_string(),
        },
        Source::Shards { locations } => render::Source::Stores {
            locations: locations.clone(),
        },
    };
    Provenance {
        source,
        as_of: data.as_of,
        as_of_from: data.as_of_from.key(),
        as_of_note: data.as_of_note(false).map(|_| Bilingual {
            en: NOW_NOTE.to_owned(),
            vi: NOW_NOTE_VI.to_owned(),
        }),
        known_at: data.known_at,
        calendar_version: data.calendar().version().to_string(),
        offset: data.calendar().offset(),
        catalogue: data.catalogue_record(),
    }
}

fn render_to(args: &ReportArgs, doc: &Document<'_>, out: &mut dyn Write) -> Result<(), CliError> {
    let text = match args.format {
        Format::Table => {
            let text = render::table(doc, args.overdue).map_err(rendering)?;
            Terminal::new(out).write_all(text.as_bytes())?;
            return Ok(());
        }
        Format::Json => render::json(doc),
        Format::Csv => {
            if args.bom {
                out.write_all(UTF8_BOM)?;
            }
            render::csv(doc, args.section.unwrap_or(Section::Units))
        }
        Format::Html => render::html(doc),
    }
    .map_err(rendering)?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// A renderer's failure: a bug, not the data's fault.
fn rendering(e: RenderError) -> CliError {
    CliError::Data(e.to_string())
}
