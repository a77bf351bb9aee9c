//! `motcua report`: status counts, figures per level, the scorecard per unit against targets,
//! and the overdue list, as a table, JSON or CSV.

use crate::data::{DataArgs, Dataset, Source};
use crate::error::CliError;
use crate::format::when;
use crate::render;
use motcua_metrics::{Period, Report, Scorecard, TargetSet};
use std::io::Write;
use time::{Date, OffsetDateTime, Time};

/// Arguments of `motcua report`.
#[derive(Debug, Clone, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Start of the reporting period (a date, YYYY-MM-DD); it ends at the as-of instant.
    /// Default: 1 January of the as-of year.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Targets to judge units against.
    #[arg(long, value_name = "NAME", default_value = "dong-nai-2024", value_parser = parse_targets)]
    pub targets: TargetSet,
    /// How many overdue dossiers the table lists (JSON and CSV list all).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub overdue: usize,
    /// For CSV: which table to print.
    #[arg(long, value_enum, default_value_t = Section::Units)]
    pub section: Section,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned text for a person.
    Table,
    /// The whole report and scorecard as JSON.
    Json,
    /// One table as CSV (see --section).
    Csv,
}

/// The CSV tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Section {
    /// One row per unit: counts, rates, targets, verdicts.
    Units,
    /// One row per overdue dossier.
    Overdue,
    /// One row per national status code.
    Status,
}

fn parse_date(text: &str) -> Result<Date, String> {
    motcua_calendar::file::parse_iso_date(text)
        .ok_or_else(|| format!("{text:?} is not a date YYYY-MM-DD"))
}

fn parse_targets(name: &str) -> Result<TargetSet, String> {
    TargetSet::preset(name).ok_or_else(|| {
        format!(
            "unknown targets {name:?}; known: {}",
            TargetSet::PRESETS.join(", ")
        )
    })
}

/// Everything a renderer needs.
pub struct Built<'a> {
    /// The data.
    pub data: &'a Dataset,
    /// The period reported.
    pub period: Period,
    /// The figures.
    pub report: Report,
    /// The scorecard.
    pub scorecard: Scorecard,
    /// The targets.
    pub targets: &'a TargetSet,
}

/// Builds the report and scorecard of a dataset.
pub fn build<'a>(
    data: &'a Dataset,
    from: Option<Date>,
    targets: &'a TargetSet,
) -> Result<Built<'a>, CliError> {
    let offset = data.calendar.offset();
    let as_of = data.as_of.to_offset(offset);
    let start_date = match from {
        Some(d) => d,
        None => Date::from_calendar_date(as_of.year(), time::Month::January, 1)
            .map_err(|e| CliError::Data(format!("no 1 January in {}: {e}", as_of.year())))?,
    };
    let start = OffsetDateTime::new_in_offset(start_date, Time::MIDNIGHT, offset);
    let period = Period::new(start, as_of)
        .map_err(|e| CliError::Usage(format!("the reporting period is empty: {e}")))?;
    let views = data.views()?;
    let report = Report::build(&data.catalogue, &views, period);
    let scorecard = Scorecard::build(&report, &data.catalogue, targets);
    Ok(Built {
        data,
        period,
        report,
        scorecard,
        targets,
    })
}

/// Runs `motcua report`.
pub fn run(args: &ReportArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let data = Dataset::load(&args.data)?;
    let built = build(&data, args.from, &args.targets)?;
    match args.format {
        Format::Table => render::table(&built, args.overdue, out),
        Format::Json => json(&built, out),
        Format::Csv => render::csv(&built, args.section, out),
    }
}

/// The JSON report: metadata, the figures and the scorecard. Byte-identical for the same data.
pub fn json(built: &Built<'_>, out: &mut dyn Write) -> Result<(), CliError> {
    let source = match &built.data.source {
        Source::Sample { dossiers, seed } => {
            serde_json::json!({"kind": "sample", "dossiers": dossiers, "seed": seed})
        }
        Source::Files { events } => {
            serde_json::json!({"kind": "events", "path": events.display().to_string()})
        }
    };
    let value = serde_json::json!({
        "format": "motcua-report",
        "version": 1,
        "source": source,
        "as_of": when(Some(built.data.as_of)),
        "period": {"start": when(Some(built.period.start)), "end": when(Some(built.period.end))},
        "calendar": built.data.calendar.version().to_string(),
        "targets": built.targets,
        "report": built.report,
        "scorecard": built.scorecard,
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(|e| CliError::Output(e.into()))?;
    writeln!(out)?;
    Ok(())
}
