//! `motcua alarms`: every judgement change in a window, in time order — what a host pipes into
//! its notifier (an SMS to the responsible officer the day a dossier becomes due soon).

use crate::data::{parse_instant, DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use crate::open_list;
use motcua_core::deadline::display_instant;
use motcua_core::{step_handlers, Alarm, AlarmKind, Context, DossierId, Event, OfficerId, UnitId};
use motcua_render::escape;
use motcua_render::format::when;
use motcua_render::{words, Lang};
use std::io::Write;
use time::OffsetDateTime;

/// Arguments of `motcua alarms`.
#[derive(Debug, Clone, clap::Args)]
pub struct AlarmsArgs {
    /// The window's start (RFC 3339): dossiers are judged as known then, and alarms after it
    /// are listed. Default: --as-of (the sample's end of year, or now).
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub from: Option<OffsetDateTime>,
    /// The window's end (RFC 3339), inclusive.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub until: OffsetDateTime,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format: a table, or one JSON object per line.
    #[arg(long, value_enum, default_value_t = AlarmsFormat::Table)]
    pub format: AlarmsFormat,
    #[command(flatten)]
    pub lang: LangArgs,
}

/// How `alarms` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AlarmsFormat {
    /// A table for a person.
    Table,
    /// JSON Lines: `{"at", "dossier", "kind", "officer"?, "procedure", "step"?, "unit"}`.
    Jsonl,
}

/// One alarm of one dossier, with who is responsible.
pub(crate) struct Row {
    alarm: Alarm,
    dossier: DossierId,
    procedure: String,
    unit: UnitId,
    /// The officer responsible, when the events name one: who started the step whose due
    /// passes; for the dossier's own dues, who started its open step, else who recorded its
    /// latest event naming an officer.
    officer: Option<OfficerId>,
}

/// The data and the streams that may ring in the window: from the store's open-dossier
/// projection when it can answer (one store, no `--known-at`; through its alarm index when
/// its alarm instants were computed with this catalogue and calendar), otherwise every
/// dossier of the data.
fn gather(args: &AlarmsArgs) -> Result<(Dataset, Vec<Vec<Event>>), CliError> {
    if args.data.known_at.is_none() && args.data.store.len() == 1 {
        let data = Dataset::open(&args.data)?;
        let from = args.from.unwrap_or(data.as_of);
        let context = open_list::fingerprint_of(&data, &args.data);
        let listed = open_list::read(&data, from, |reader| {
            reader.ringing(from, args.until.max(from), context)
        })?;
        if let Some(streams) = listed {
            return Ok((data, streams));
        }
    }
    open_list::every_dossier(&args.data)
}

/// Adds to `rows` the alarms of one dossier in `(from, until]`, judged with the events that
/// happened by `from` (none for a dossier received after `from`).
pub(crate) fn ringing(
    context: &Context<'_>,
    events: &[Event],
    from: OffsetDateTime,
    until: OffsetDateTime,
    rows: &mut Vec<Row>,
) -> Result<(), CliError> {
    let Some(first) = events.first() else {
        return Ok(());
    };
    if first.occurred_at > from {
        return Ok(());
    }
    let (view, alarms) = context
        .view_and_alarms(events, from)
        .map_err(|e| CliError::Data(e.to_string()))?;
    // The events that happened by `from`, as the view takes them.
    let known = &events[..events.iter().take_while(|e| e.occurred_at <= from).count()];
    let handlers = step_handlers(known);
    // The starter of the latest open run of `step` (any step when `None`).
    let open_step = |step: Option<&str>| {
        view.steps
            .iter()
            .zip(&handlers)
            .rev()
            .find(|(s, h)| !h.finished && step.is_none_or(|id| s.step == id))
            .and_then(|(_, h)| h.started_by.clone())
    };
    for alarm in alarms.into_iter().filter(|a| a.at <= until) {
        let (unit, officer) = match &alarm.kind {
            AlarmKind::StepDuePassed { unit, step } => (unit.clone(), open_step(Some(step))),
            _ => (
                view.current_unit.clone(),
                open_step(None)
                    .or_else(|| known.iter().rev().find_map(|e| e.metadata.officer.clone())),
            ),
        };
        rows.push(Row {
            alarm,
            dossier: first.dossier_id.clone(),
            procedure: view.procedure.to_string(),
            unit,
            officer,
        });
    }
    Ok(())
}

/// Alarms in time order, then by dossier and kind.
pub(crate) fn sort(rows: &mut [Row]) {
    rows.sort_by(|a, b| {
        (a.alarm.at, &a.dossier, &a.alarm.kind).cmp(&(b.alarm.at, &b.dossier, &b.alarm.kind))
    });
}

/// An alarm as a JSON object: `at`, `dossier`, `procedure`, `unit`, then the kind's fields.
pub(crate) fn json(row: &Row) -> serde_json::Value {
    let mut line = serde_json::json!({
        "at": when(Some(row.alarm.at)),
        "dossier": row.dossier.as_str(),
        "procedure": row.procedure,
        "unit": row.unit.as_str(),
    });
    if let (Some(map), Some(officer)) = (line.as_object_mut(), &row.officer) {
        map.insert("officer".to_owned(), officer.as_str().into());
    }
    if let (Some(map), Ok(serde_json::Value::Object(kind))) =
        (line.as_object_mut(), serde_json::to_value(&row.alarm.kind))
    {
        map.extend(kind);
    }
    line
}

/// Runs `motcua alarms`.
pub fn run(args: &AlarmsArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let (data, streams) = gather(args)?;
    let from = args.from.unwrap_or(data.as_of);
    if args.until < from {
        return Err(CliError::Usage(format!(
            "--until {} is before the window's start {}",
            display_instant(args.until),
            display_instant(from)
        )));
    }
    let context = data.context();
    let mut rows = Vec::new();
    for events in &streams {
        ringing(&context, events, from, args.until, &mut rows)?;
    }
    sort(&mut rows);
    // The window starts at the as-of instant unless --from is given: said once the answer
    // stands, as `report` does.
    if args.from.is_none() {
        data.announce(args.lang.lang);
    }
    match args.format {
        AlarmsFormat::Jsonl => {
            for row in &rows {
                serde_json::to_writer(&mut *out, &json(row))
                    .map_err(|e| CliError::Output(e.into()))?;
                writeln!(out)?;
            }
        }
        AlarmsFormat::Table => {
            let out = &mut Terminal::new(out);
            let l = args.lang.lang;
            let [title, until, count] = match l {
                Lang::En => ["Alarms from", "until", "in the window"],
                Lang::Vi => ["Cảnh báo từ", "đến", "cảnh báo"],
            };
            writeln!(
                out,
                "{title} {} {until} {} ({} {count})",
                l.instant(from),
                l.instant(args.until),
                rows.len()
            )?;
            for row in &rows {
                let officer = row
                    .officer
                    .as_ref()
                    .map(|o| format!(" ({})", escape::controls(o.as_str())))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "  {}  {}  {}{officer}  {}",
                    l.instant(row.alarm.at),
                    escape::controls(row.dossier.as_str()),
                    escape::controls(row.unit.as_str()),
                    escape::controls(&words::alarm(l, &row.alarm.kind))
                )?;
            }
        }
    }
    Ok(())
}
