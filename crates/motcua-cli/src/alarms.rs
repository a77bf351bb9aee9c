//! `motcua alarms`: every judgement change in a window, in time order — what a host pipes into
//! its notifier (an SMS to the responsible officer the day a dossier becomes due soon).

use crate::data::{parse_instant, AnyStore, DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use crate::open_list::{self, Seen};
use motcua_core::deadline::display_instant;
use motcua_core::{
    Alarm, Context, DossierHandlers, DossierId, DossierView, Event, OfficerId, Responsible, UnitId,
};
use motcua_render::escape;
use motcua_render::format::when;
use motcua_render::{words, Lang};
use motcua_store::open_dossiers::{OpenEntry, OpenReader, Selection};
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

/// The data and the alarms of the window, not yet sorted: from the store's open-dossier
/// projection when it can answer (one store, no `--known-at`; through its alarm index when
/// its alarm instants were computed with this catalogue and calendar), each dossier judged
/// from its standing and handlers (or its events, for a dossier changed since the
/// projection's position or stored without them); otherwise every dossier of the data, from
/// its events.
fn gather(args: &AlarmsArgs) -> Result<(Dataset, Vec<Row>), CliError> {
    let mut rows = Vec::new();
    if args.data.known_at.is_none() && args.data.store.len() == 1 {
        let data = Dataset::open(&args.data)?;
        let from = args.from.unwrap_or(data.as_of);
        let until = args.until.max(from);
        let fingerprint = open_list::fingerprint_of(&data, &args.data);
        let context = data.context();
        let location = data
            .single_store()
            .map_or("the store", |(location, _)| location);
        let judged = open_list::read(&data, from, |reader| {
            let window = (from, until);
            Ok(ringing_in_projection(
                reader,
                &context,
                fingerprint,
                location,
                window,
                &mut rows,
            ))
        })?;
        if let Some(judged) = judged {
            judged?;
            return Ok((data, rows));
        }
    }
    let (data, streams) = open_list::every_dossier(&args.data)?;
    let from = args.from.unwrap_or(data.as_of);
    let context = data.context();
    for events in &streams {
        ringing(&context, events, from, args.until, &mut rows)?;
    }
    Ok((data, rows))
}

/// Adds to `rows` the alarms in the window `(from, until]` of the dossiers `reader`'s alarm
/// index says may ring then (when its instants were computed with the catalogue and calendar
/// `fingerprint` names; else every open dossier), each judged from its standing and handlers
/// ([`ringing_entry`]); a store that cannot be read is named `location`. What `alarms` and
/// `follow` ask of the projection.
pub(crate) fn ringing_in_projection(
    reader: &OpenReader<'_, AnyStore>,
    context: &Context<'_>,
    fingerprint: u64,
    location: &str,
    (from, until): (OffsetDateTime, OffsetDateTime),
    rows: &mut Vec<Row>,
) -> Result<(), CliError> {
    let ringing = Selection::Ringing { after: from, until };
    let entries = reader
        .entries_with_handlers(ringing, fingerprint)
        .map_err(|e| CliError::store(location, "the store could not be read", &e))?;
    let events_of = open_list::events_of(reader, location);
    entries
        .into_iter()
        .try_for_each(|entry| ringing_entry(context, entry, &events_of, from, until, rows))
}

/// Adds to `rows` the alarms in `(from, until]` of one dossier of the projection: from its
/// standing and handlers, or from its events ([`ringing`]), read with `events_of` for a
/// standing that cannot be seen at `from` (taken later than it, or under another calendar:
/// derived data gone wrong, or rewritten since it was read).
fn ringing_entry(
    context: &Context<'_>,
    entry: OpenEntry,
    events_of: &open_list::EventsOf<'_>,
    from: OffsetDateTime,
    until: OffsetDateTime,
    rows: &mut Vec<Row>,
) -> Result<(), CliError> {
    match entry {
        OpenEntry::Standing(standing, Some(handlers)) => {
            match open_list::see(context, *standing, from, events_of)? {
                Seen::Judged(view, alarms) => {
                    push(&view, &handlers, alarms, until, rows);
                    Ok(())
                }
                Seen::Events(events) => ringing(context, &events, from, until, rows),
            }
        }
        OpenEntry::Events(events) => ringing(context, &events, from, until, rows),
        // Decoded with their handlers, or read as events, before judging (`gather`).
        OpenEntry::Standing(standing, None) => Err(CliError::Data(format!(
            "dossier {}: its standing came without its handlers",
            standing.view.dossier_id
        ))),
        OpenEntry::Stored(id, _) => Err(CliError::Data(format!(
            "dossier {id}: its standing was not decoded before judging"
        ))),
    }
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
    if events.first().is_none_or(|first| first.occurred_at > from) {
        return Ok(());
    }
    let (view, alarms) = context
        .view_and_alarms(events, from)
        .map_err(|e| CliError::Data(e.to_string()))?;
    // The events that happened by `from`, as the view takes them.
    let known = &events[..events.iter().take_while(|e| e.occurred_at <= from).count()];
    push(&view, &DossierHandlers::of(known), alarms, until, rows);
    Ok(())
}

/// Adds to `rows` the `alarms` of the dossier `view` shows that ring by `until`, each with who
/// answers for it.
fn push(
    view: &DossierView,
    handlers: &DossierHandlers,
    alarms: Vec<Alarm>,
    until: OffsetDateTime,
    rows: &mut Vec<Row>,
) {
    for alarm in alarms.into_iter().filter(|a| a.at <= until) {
        let Responsible { unit, officer } = alarm.responsible(view, handlers);
        rows.push(Row {
            alarm,
            dossier: view.dossier_id.clone(),
            procedure: view.procedure.to_string(),
            unit,
            officer,
        });
    }
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
    let (data, mut rows) = gather(args)?;
    let from = args.from.unwrap_or(data.as_of);
    if args.until < from {
        return Err(CliError::Usage(format!(
            "--until {} is before the window's start {}",
            display_instant(data.shown(args.until)),
            display_instant(data.shown(from))
        )));
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
                l.instant(data.shown(from)),
                l.instant(data.shown(args.until)),
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
