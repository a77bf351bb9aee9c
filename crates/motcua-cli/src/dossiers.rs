//! `motcua dossiers`: the dossiers of a desk as of an instant, one row each — what a clerk
//! opens in the morning: which fall due today, which went overdue overnight, and what rings next.

use crate::data::{DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use crate::open_list;
use motcua_core::{Catalogue, DossierView, Status, TimeClass, UnitId};
use motcua_render::escape;
use motcua_render::format::{when, working_days};
use motcua_render::{words, Lang};
use motcua_store::open_dossiers::{OpenEntry, Selection};
use std::io::Write;

/// Arguments of `motcua dossiers`.
#[derive(Debug, Clone, clap::Args)]
pub struct DossiersArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Only dossiers held now by this unit (after transfers).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// With --unit: its descendants' dossiers too.
    #[arg(long, requires = "unit")]
    pub with_descendants: bool,
    /// Only these statuses (snake_case, repeatable): received, processing,
    /// supplement_requested, awaiting_payment, submitted, result_ready, returned, …
    #[arg(long, value_name = "STATUS", value_parser = parse_status)]
    pub status: Vec<Status>,
    /// Only these time classes (repeatable): overdue, due_soon, within_time, early, on_time,
    /// late, not_judged.
    #[arg(long, value_name = "CLASS", value_parser = parse_time_class)]
    pub time_class: Vec<TimeClass>,
    /// Only dossiers of this procedure (its code).
    #[arg(long, value_name = "CODE")]
    pub procedure: Option<String>,
    /// Finished dossiers too (by default only open ones: received and not finished, or
    /// submitted and not yet accepted).
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DossiersFormat::Table)]
    pub format: DossiersFormat,
    #[command(flatten)]
    pub lang: LangArgs,
}

/// How `dossiers` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DossiersFormat {
    /// A table for a person.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
}

fn parse_status(text: &str) -> Result<Status, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("unknown status {text:?}"))
}

fn parse_time_class(text: &str) -> Result<TimeClass, String> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| format!("unknown time class {text:?}"))
}

/// Whether `unit` is `wanted`, or below it when `descendants` is set.
fn held_by(catalogue: &Catalogue, unit: &UnitId, wanted: &UnitId, descendants: bool) -> bool {
    if descendants {
        unit == wanted || catalogue.ancestry(unit).any(|u| &u.id == wanted)
    } else {
        unit == wanted
    }
}

/// One row: the view and its next alarm.
struct Row {
    view: DossierView,
    next: Option<motcua_core::Alarm>,
}

/// The data and the dossiers to judge: from the store's open-dossier projection when it can
/// answer (one store, open dossiers only, no `--known-at`; a unit's through its index, each
/// dossier from its standing when the projection keeps one judged with this catalogue and
/// calendar), otherwise every dossier of the data, from its events.
fn gather(args: &DossiersArgs) -> Result<(Dataset, Vec<OpenEntry>), CliError> {
    if !args.all && args.data.known_at.is_none() && args.data.store.len() == 1 {
        let data = Dataset::open(&args.data)?;
        let units = args.unit.as_ref().map(|u| {
            let wanted = UnitId::new(u.as_str());
            let mut units: Vec<UnitId> = if args.with_descendants {
                data.catalogue
                    .units()
                    .filter(|unit| held_by(&data.catalogue, &unit.id, &wanted, true))
                    .map(|unit| unit.id.clone())
                    .collect()
            } else {
                Vec::new()
            };
            if !units.contains(&wanted) {
                units.push(wanted);
            }
            units
        });
        let context = open_list::fingerprint_of(&data, &args.data);
        let listed = open_list::read(&data, data.as_of, |reader| {
            let selection = match &units {
                Some(units) => Selection::Units(units),
                None => Selection::All,
            };
            reader.entries(selection, context)
        })?;
        if let Some(entries) = listed {
            return Ok((data, entries));
        }
    }
    let (data, streams) = open_list::every_dossier(&args.data)?;
    Ok((data, streams.into_iter().map(OpenEntry::Events).collect()))
}

/// Runs `motcua dossiers`.
pub fn run(args: &DossiersArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (data, entries) = gather(args)?;
    let as_of = data.as_of;
    let context = data.context();
    let unit = args.unit.as_ref().map(|u| UnitId::new(u.as_str()));
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let judged = match entry {
            OpenEntry::Standing(standing) => context.view_and_alarms_at(*standing, as_of),
            OpenEntry::Events(events) => {
                if events.first().is_none_or(|e| e.occurred_at > as_of) {
                    continue;
                }
                context.view_and_alarms(&events, as_of)
            }
        };
        let (view, alarms) = judged.map_err(|e| CliError::Data(e.to_string()))?;
        let open = !view.status.is_finished();
        let keep = (args.all || open)
            && unit.as_ref().is_none_or(|u| {
                held_by(
                    &data.catalogue,
                    &view.current_unit,
                    u,
                    args.with_descendants,
                )
            })
            && (args.status.is_empty() || args.status.contains(&view.status))
            && (args.time_class.is_empty() || args.time_class.contains(&view.time_class))
            && args
                .procedure
                .as_ref()
                .is_none_or(|p| view.procedure.as_str() == p);
        if !keep {
            continue;
        }
        let next = alarms.into_iter().next();
        rows.push(Row { view, next });
    }
    // Said once the answer stands: a command that fails says only why.
    data.announce(args.lang.lang);
    match args.format {
        DossiersFormat::Jsonl => {
            for row in &rows {
                serde_json::to_writer(&mut *out, &json(row))
                    .map_err(|e| CliError::Output(e.into()))?;
                writeln!(out)?;
            }
        }
        DossiersFormat::Csv => {
            let header = [
                "dossier",
                "procedure",
                "unit",
                "status",
                "national_code",
                "time_class",
                "received_at",
                "official_due",
                "promised_due",
                "left_minutes",
                "overdue_minutes",
                "next_alarm_at",
                "next_alarm",
            ];
            writeln!(out, "{}", header.join(","))?;
            for row in &rows {
                let v = &row.view;
                let cells = [
                    v.dossier_id.to_string(),
                    v.procedure.to_string(),
                    v.current_unit.to_string(),
                    v.status.label().to_owned(),
                    v.national_code.to_string(),
                    v.time_class.label().to_owned(),
                    text(when(v.received_at)),
                    text(when(v.official_due)),
                    text(when(v.promised_due)),
                    v.left_minutes.to_string(),
                    v.overdue_minutes.to_string(),
                    text(when(row.next.as_ref().map(|a| a.at))),
                    row.next.as_ref().map_or(String::new(), |a| a.kind.label()),
                ];
                let cells: Vec<String> = cells.iter().map(|c| escape::csv_cell(c)).collect();
                writeln!(out, "{}", cells.join(","))?;
            }
        }
        DossiersFormat::Table => {
            let out = &mut Terminal::new(out);
            let l = args.lang.lang;
            let vi = l == Lang::Vi;
            writeln!(
                out,
                "{} {}{} ({})",
                l.pick("Dossiers as of", "Hồ sơ tính đến"),
                l.instant(as_of),
                data.as_of_note(vi)
                    .map(|note| format!(" ({note})"))
                    .unwrap_or_default(),
                rows.len()
            )?;
            for row in &rows {
                let v = &row.view;
                let standing = if v.overdue_minutes > 0 {
                    format!(
                        "{} {}",
                        l.pick("overdue by", "quá hạn"),
                        working_days(u64::from(v.overdue_minutes), vi)
                    )
                } else if v.official_due.is_some() && !v.status.is_finished() {
                    match l {
                        Lang::En => {
                            format!("{} left", working_days(u64::from(v.left_minutes), false))
                        }
                        Lang::Vi => {
                            format!("còn {}", working_days(u64::from(v.left_minutes), true))
                        }
                    }
                } else {
                    words::time_class(l, v.time_class).to_owned()
                };
                writeln!(
                    out,
                    "  {}  {}  {}  {} ({})  {} {}  {}",
                    escape::controls(v.dossier_id.as_str()),
                    escape::controls(v.procedure.as_str()),
                    escape::controls(v.current_unit.as_str()),
                    words::status(l, v.status),
                    v.national_code,
                    l.pick("due", "hạn"),
                    v.official_due
                        .map_or_else(|| l.pick("none", "không có").to_owned(), |t| l.instant(t)),
                    standing
                )?;
                if let Some(next) = &row.next {
                    writeln!(
                        out,
                        "      {} {} {}",
                        l.pick("next:", "tiếp theo:"),
                        l.instant(next.at),
                        escape::controls(&words::alarm(l, &next.kind))
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn text(value: serde_json::Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// A row as one JSON object (`--format jsonl`), its keys in alphabetical order.
#[derive(serde::Serialize)]
struct JsonRow<'r> {
    dossier: &'r str,
    left_minutes: u32,
    national_code: u8,
    next_alarm: &'r Option<motcua_core::Alarm>,
    official_due: serde_json::Value,
    overdue_minutes: u32,
    procedure: &'r str,
    promised_due: serde_json::Value,
    received_at: serde_json::Value,
    status: Status,
    time_class: TimeClass,
    unit: &'r str,
}

fn json(row: &Row) -> JsonRow<'_> {
    let v = &row.view;
    JsonRow {
        dossier: v.dossier_id.as_str(),
        procedure: v.procedure.as_str(),
        unit: v.current_unit.as_str(),
        status: v.status,
        national_code: v.national_code,
        time_class: v.time_class,
        received_at: when(v.received_at),
        official_due: when(v.official_due),
        promised_due: when(v.promised_due),
        left_minutes: v.left_minutes,
        overdue_minutes: v.overdue_minutes,
        next_alarm: &row.next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_classes_parse_from_their_snake_case_names() {
        assert_eq!(
            parse_status("supplement_requested"),
            Ok(Status::SupplementRequested)
        );
        assert_eq!(parse_time_class("due_soon"), Ok(TimeClass::DueSoon));
        assert!(parse_status("nope").is_err());
    }
}
