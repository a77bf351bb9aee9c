//! `motcua form`: the forms of Circular 01/2018/TT-VPCP for one dossier (01 receipt, 02
//! request to supplement, 03 refusal, 04 apology, 05 processing control sheet), or a unit's
//! tracking log for a period (06), as printable HTML or JSON. The forms are
//! `motcua_render::forms`'; this reads the dossier (through the store's index) and writes the
//! text.

use crate::data::{DataArgs, Dataset};
use crate::error::CliError;
use motcua_core::{DossierId, UnitId};
use motcua_render::forms::{
    Apology, ControlSheet, Dossier, Form, FormError, FormKind, Receipt, Refusal, SupplementRequest,
    TrackingLog,
};
use motcua_render::Lang;
use std::io::Write;
use std::path::PathBuf;
use time::Date;

/// Arguments of `motcua form`.
#[derive(Debug, Clone, clap::Args)]
pub struct FormArgs {
    /// Which form: receipt (01), supplement-request (02), refusal (03), apology (04),
    /// control-sheet (05), tracking-log (06); the numbers work too.
    #[arg(value_name = "KIND", value_parser = parse_kind)]
    pub kind: FormKind,
    /// The dossier's id (code), for forms 01–05.
    #[arg(value_name = "DOSSIER")]
    pub dossier: Option<String>,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormFormat::Html)]
    pub format: FormFormat,
    /// Write the form to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// For forms 02 and 04: which supplement request or apology, from 1 (default: the latest).
    #[arg(long, value_name = "N")]
    pub round: Option<usize>,
    /// For the tracking log: the receiving unit whose log it is.
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// For the tracking log: the first day of the period (YYYY-MM-DD, included).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// For the tracking log: the last day of the period (YYYY-MM-DD, included).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub until: Option<Date>,
}

/// How `form` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormFormat {
    /// A printable A4 page (inline CSS; no script, no network).
    Html,
    /// The form's data, versioned JSON (docs/forms.md).
    Json,
}

fn parse_kind(text: &str) -> Result<FormKind, String> {
    FormKind::parse(text).ok_or_else(|| {
        let known: Vec<String> = FormKind::ALL
            .iter()
            .map(|k| format!("{} ({})", k.key(), k.number()))
            .collect();
        format!("unknown form {text:?}; known: {}", known.join(", "))
    })
}

fn parse_date(text: &str) -> Result<Date, String> {
    motcua_calendar::file::parse_iso_date(text)
        .ok_or_else(|| format!("{text:?} is not a date YYYY-MM-DD"))
}

/// Runs `motcua form`.
pub fn run(args: &FormArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let text = if args.kind == FormKind::TrackingLog {
        tracking_log(args)?
    } else {
        dossier_form(args)?
    };
    match &args.out {
        Some(path) => std::fs::write(path, text).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        }),
        None => Ok(out.write_all(text.as_bytes())?),
    }
}

/// Refuses an option that has no meaning with the form asked for (a usage error, exit 2).
fn refuse(given: bool, option: &str, kind: FormKind) -> Result<(), CliError> {
    if given {
        return Err(CliError::Usage(format!(
            "{option} has no meaning with {kind}"
        )));
    }
    Ok(())
}

/// Forms 01–05 of one dossier.
fn dossier_form(args: &FormArgs) -> Result<String, CliError> {
    let kind = args.kind;
    refuse(args.unit.is_some(), "--unit", kind)?;
    refuse(
        args.from.is_some() || args.until.is_some(),
        "--from/--until",
        kind,
    )?;
    refuse(
        args.round.is_some() && !matches!(kind, FormKind::SupplementRequest | FormKind::Apology),
        "--round",
        kind,
    )?;
    let Some(id) = &args.dossier else {
        return Err(CliError::Usage(format!("{kind} needs a DOSSIER id")));
    };
    let id = DossierId::new(id.as_str());
    let (data, events) = Dataset::load_dossier(&args.data, &id)?;
    let Some(events) = events else {
        return Err(CliError::Usage(format!("dossier {id} is not in the data")));
    };
    let dossier = Dossier {
        context: data.context(),
        events: &events,
        as_of: data.as_of,
    };
    let json = args.format == FormFormat::Json;
    let text = match kind {
        FormKind::Receipt => render(Receipt::build(&dossier), json),
        FormKind::SupplementRequest => render(SupplementRequest::build(&dossier, args.round), json),
        FormKind::Refusal => render(Refusal::build(&dossier), json),
        FormKind::Apology => render(Apology::build(&dossier, args.round), json),
        FormKind::ControlSheet => render(ControlSheet::build(&dossier), json),
        FormKind::TrackingLog => return Err(CliError::Usage(format!("{kind} takes no DOSSIER"))),
    }?;
    // Said once the answer stands: a command that fails says only why.
    data.announce(Lang::En);
    Ok(text)
}

/// A built form as JSON or HTML; a form that does not apply is bad input (exit 3) naming why.
fn render<T: Form>(built: Result<T, FormError>, json: bool) -> Result<String, CliError> {
    let form = built.map_err(form_error)?;
    if json { form.json() } else { form.html() }.map_err(|e| CliError::Data(e.to_string()))
}

fn form_error(e: FormError) -> CliError {
    CliError::Data(e.to_string())
}

/// Form 06: the tracking log of a unit for a period, the store scanned dossier by dossier.
fn tracking_log(args: &FormArgs) -> Result<String, CliError> {
    let kind = args.kind;
    refuse(args.dossier.is_some(), "a DOSSIER id", kind)?;
    refuse(args.round.is_some(), "--round", kind)?;
    let (Some(unit), Some(from), Some(until)) = (&args.unit, args.from, args.until) else {
        return Err(CliError::Usage(format!(
            "{kind} needs --unit, --from and --until"
        )));
    };
    if from > until {
        return Err(CliError::Usage(format!(
            "the period is empty: --from {from} is after --until {until}"
        )));
    }
    let data = Dataset::open(&args.data)?;
    let unit = UnitId::new(unit.as_str());
    if data.catalogue.unit(&unit).is_none() {
        return Err(CliError::Usage(format!(
            "unit {unit} is not in the catalogue"
        )));
    }
    let mut log = TrackingLog::builder(data.context(), unit, from, until, data.as_of);
    data.each_dossier(|events| log.add(events).map(|_| ()).map_err(form_error))?;
    let log = log.finish();
    let text = match args.format {
        FormFormat::Json => log.json(),
        FormFormat::Html => log.html(),
    }
    .map_err(|e| CliError::Data(e.to_string()))?;
    data.announce(Lang::En);
    Ok(text)
}
