//! `motcua dossiers`: the dossiers of a desk as of an instant, one row each — what a clerk
//! opens in the morning: which fall due today, which went overdue overnight, and what rings next.

use crate::data::{DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use crate::open_list::{self, Seen};
use motcua_core::{Catalogue, DossierView, ProcedureCode, Status, TimeClass, UnitId};
use motcua_render::escape;
use motcua_render::format::{when, WorkingDays};
use motcua_render::{words, Lang};
use motcua_store::codec::compact::Decoder;
use motcua_store::open_dossiers::{OpenEntry, Selection};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::ops::ControlFlow;
use std::sync::mpsc::TrySendError;

/// Arguments of `motcua dossiers`.
#[derive(Debug, Clone, clap::Args)]
pub struct DossiersArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Only dossiers held now by this unit (after transfers). One the catalogue does not
    /// hold is refused.
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
    /// Only dossiers of this procedure (its code). One the catalogue does not hold is
    /// refused.
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

/// `wanted` and, when `descendants` is set, every unit below it: found in one walk down the
/// tree from `wanted` (each unit visited once, however deep the tree).
fn unit_and_below(catalogue: &Catalogue, wanted: &UnitId, descendants: bool) -> BTreeSet<UnitId> {
    let mut selected = BTreeSet::from([wanted.clone()]);
    if !descendants {
        return selected;
    }
    let mut children: BTreeMap<&UnitId, Vec<&UnitId>> = BTreeMap::new();
    for unit in catalogue.units() {
        if let Some(parent) = &unit.parent {
            children.entry(parent).or_default().push(&unit.id);
        }
    }
    let mut next = vec![wanted];
    while let Some(unit) = next.pop() {
        for child in children.get(unit).into_iter().flatten() {
            if selected.insert((*child).clone()) {
                next.push(child);
            }
        }
    }
    selected
}

/// Refuses a `--unit` or `--procedure` that `catalogue` does not hold: a mistyped code would
/// list nothing, as if the desk had no dossiers.
fn known(args: &DossiersArgs, catalogue: &Catalogue) -> Result<(), CliError> {
    if let Some(unit) = &args.unit {
        if catalogue.unit(&UnitId::new(unit.as_str())).is_none() {
            return Err(CliError::Usage(format!(
                "unit {unit} is not in the catalogue ({} units; \
                 `motcua report --format csv --section units` lists them)",
                catalogue.units().count()
            )));
        }
    }
    if let Some(code) = &args.procedure {
        if catalogue
            .procedure(&ProcedureCode::new(code.as_str()))
            .is_none()
        {
            let codes: Vec<&str> = catalogue
                .procedures()
                .take(3)
                .map(|p| p.code.as_str())
                .collect();
            return Err(CliError::Usage(format!(
                "procedure {code} is not in the catalogue ({} procedures; codes look like {})",
                catalogue.procedures().count(),
                codes.join(", ")
            )));
        }
    }
    Ok(())
}

/// One row: the view and its next alarm.
struct Row {
    view: DossierView,
    next: Option<motcua_core::Alarm>,
}

/// The units a list selects: `--unit`, with its descendants when asked.
fn units(args: &DossiersArgs, catalogue: &Catalogue) -> Option<Vec<UnitId>> {
    args.unit.as_ref().map(|u| {
        let wanted = UnitId::new(u.as_str());
        unit_and_below(catalogue, &wanted, args.with_descendants)
            .into_iter()
            .collect()
    })
}

/// The list from the store's open-dossier projection, when it can answer (one store, open
/// dossiers only, no `--known-at`; a unit's through its index, each dossier from its standing
/// when the projection keeps one judged with this catalogue and calendar): read a page at a
/// time on this thread while another judges and writes the pages already read.
fn from_projection(args: &DossiersArgs, data: &Dataset) -> Result<Option<Listed>, CliError> {
    let units = units(args, &data.catalogue);
    let selection = match &units {
        Some(units) => Selection::Units(units),
        None => Selection::All,
    };
    let context = open_list::fingerprint_of(data, &args.data);
    let location = data.single_store().map_or("the store", |(at, _)| at);
    let listed = open_list::read(data, data.as_of, |reader| {
        let events_of = open_list::events_of(reader, location);
        std::thread::scope(|scope| {
            let (pages, received) = std::sync::mpsc::sync_channel::<Vec<OpenEntry>>(2);
            let judge = std::thread::Builder::new()
                .name("judge".into())
                .spawn_scoped(scope, || {
                    // Made here: it waits for the calendar while the first pages are read.
                    let lister = Lister::new(args, data, Some(&events_of));
                    let mut listed = Listed::default();
                    // The standings are decoded here, not on the reading thread, which
                    // would otherwise be the longer of the two.
                    let mut decoder = Decoder::default();
                    for page in received {
                        let page = page
                            .into_iter()
                            .map(|entry| reader.decoded(entry, &mut decoder))
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(|e| {
                                CliError::store(location, "the store could not be read", &e)
                            })?;
                        lister.judge(page, &mut listed)?;
                    }
                    Ok::<_, CliError>(listed)
                });
            match judge {
                Ok(judge) => {
                    // A judge that failed has dropped its end: the reading stops.
                    let mut decoder = Decoder::default();
                    let read = reader.each_page(selection, context, PAGE, |page| {
                        let page = match pages.try_send(page) {
                            Ok(()) => return ControlFlow::Continue(()),
                            Err(TrySendError::Disconnected(_)) => return ControlFlow::Break(()),
                            Err(TrySendError::Full(page)) => page,
                        };
                        // The judge is behind: this thread decodes the page's standings
                        // while it catches up (one that does not decode is left to it).
                        let page = page.into_iter().map(|e| e.decode(&mut decoder)).collect();
                        match pages.send(page) {
                            Ok(()) => ControlFlow::Continue(()),
                            Err(_) => ControlFlow::Break(()),
                        }
                    });
                    drop(pages);
                    let judged = judge
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    read.map(|()| judged)
                }
                // No thread to be had: read whole, then judged here.
                Err(_) => reader.entries(selection, context).map(|entries| {
                    let mut listed = Listed::default();
                    Lister::new(args, data, Some(&events_of))
                        .judge(entries, &mut listed)
                        .map(|()| listed)
                }),
            }
        })
    })?;
    listed.transpose()
}

/// What every row is judged and written with; shared by the threads of a long list.
struct Lister<'a> {
    args: &'a DossiersArgs,
    data: &'a Dataset,
    context: motcua_core::Context<'a>,
    /// The units `--unit` selects (with its descendants when asked).
    units: Option<BTreeSet<UnitId>>,
    /// A dossier's events, for a standing of the projection that cannot be seen at the
    /// instant (taken later, or under another calendar: derived data gone wrong, or rewritten
    /// since it was read); `None` when listing every dossier from its events.
    events_of: Option<&'a open_list::EventsOf<'a>>,
}

impl<'a> Lister<'a> {
    /// The lister of `args` over `data`.
    fn new(
        args: &'a DossiersArgs,
        data: &'a Dataset,
        events_of: Option<&'a open_list::EventsOf<'a>>,
    ) -> Lister<'a> {
        Lister {
            args,
            data,
            context: data.context(),
            units: args.unit.as_ref().map(|u| {
                unit_and_below(
                    &data.catalogue,
                    &UnitId::new(u.as_str()),
                    args.with_descendants,
                )
            }),
            events_of,
        }
    }

    /// `entries` judged and written on every core, in chunks kept in the entries' order: the
    /// bytes are the same as one thread's.
    fn judge(&self, entries: Vec<OpenEntry>, listed: &mut Listed) -> Result<(), CliError> {
        if entries.len() <= CHUNK {
            return self.chunk(entries, listed);
        }
        let parts = crate::chunks::in_order(entries, CHUNK, |part| {
            let mut judged = Listed::default();
            self.chunk(part, &mut judged).map(|()| judged)
        });
        for part in parts {
            let part = part?;
            listed.rows += part.rows;
            listed.parts.extend(part.parts);
        }
        Ok(())
    }

    /// The row of `entry`: its view as of the instant and its next alarm, or `None` when the
    /// filters leave it out.
    fn row(&self, entry: OpenEntry) -> Result<Option<Row>, CliError> {
        let (args, as_of) = (self.args, self.data.as_of);
        let judged = match (entry, self.events_of) {
            (OpenEntry::Standing(standing, _), Some(events_of)) => {
                match open_list::see(&self.context, *standing, as_of, events_of)? {
                    Seen::Judged(view, alarms) => Ok((view, alarms)),
                    Seen::Events(events) => return self.row(OpenEntry::Events(events)),
                }
            }
            (OpenEntry::Standing(standing, _), None) => {
                self.context.view_and_alarms_at(*standing, as_of)
            }
            // Decoded before judging (`from_projection`); never here.
            (OpenEntry::Stored(id, _), _) => {
                return Err(CliError::Data(format!(
                    "dossier {id}: its standing was not decoded before judging"
                )))
            }
            (OpenEntry::Events(events), _) => {
                if events.first().is_none_or(|e| e.occurred_at > as_of) {
                    return Ok(None);
                }
                self.context.view_and_alarms(&events, as_of)
            }
        };
        let (view, alarms) = judged.map_err(|e| CliError::Data(e.to_string()))?;
        let open = !view.status.is_finished();
        let keep = (args.all || open)
            && self
                .units
                .as_ref()
                .is_none_or(|units| units.contains(&view.current_unit))
            && (args.status.is_empty() || args.status.contains(&view.status))
            && (args.time_class.is_empty() || args.time_class.contains(&view.time_class))
            && args
                .procedure
                .as_ref()
                .is_none_or(|p| view.procedure.as_str() == p);
        let next = alarms.into_iter().next();
        Ok(keep.then_some(Row { view, next }))
    }

    /// A chunk of entries judged, their rows written in the output format after `listed`'s.
    fn chunk(&self, entries: Vec<OpenEntry>, listed: &mut Listed) -> Result<(), CliError> {
        let mut bytes = Vec::with_capacity(entries.len() * ROW_BYTES);
        for entry in entries {
            if let Some(row) = self.row(entry)? {
                self.write(&row, &mut bytes)?;
                listed.rows += 1;
            }
        }
        listed.parts.push(bytes);
        Ok(())
    }

    /// One row in the output format.
    fn write(&self, row: &Row, out: &mut Vec<u8>) -> Result<(), CliError> {
        let v = &row.view;
        match self.args.format {
            DossiersFormat::Jsonl => {
                serde_json::to_writer(&mut *out, &json(row))
                    .map_err(|e| CliError::Output(e.into()))?;
                writeln!(out)?;
            }
            DossiersFormat::Csv => {
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
            DossiersFormat::Table => {
                // The row is made whole, then written through the terminal's escaping at once
                // (a write per piece would be inspected piece by piece).
                let l = self.args.lang.lang;
                let vi = l == Lang::Vi;
                let mut line = String::with_capacity(ROW_BYTES);
                let _ = write!(
                    line,
                    "  {}  {}  {}  {} ({})  {} ",
                    escape::controls(v.dossier_id.as_str()),
                    escape::controls(v.procedure.as_str()),
                    escape::controls(v.current_unit.as_str()),
                    words::status(l, v.status),
                    v.national_code,
                    l.pick("due", "hạn"),
                );
                let _ = match v.official_due {
                    Some(due) => write!(line, "{}  ", l.instant_text(due)),
                    None => write!(line, "{}  ", l.pick("none", "không có")),
                };
                let days = |minutes: u32| WorkingDays {
                    minutes: u64::from(minutes),
                    vietnamese: vi,
                };
                let _ = if v.overdue_minutes > 0 {
                    let overdue = days(v.overdue_minutes);
                    writeln!(line, "{} {overdue}", l.pick("overdue by", "quá hạn"))
                } else if v.official_due.is_some() && !v.status.is_finished() {
                    let left = days(v.left_minutes);
                    match l {
                        Lang::En => writeln!(line, "{left} left"),
                        Lang::Vi => writeln!(line, "còn {left}"),
                    }
                } else {
                    writeln!(line, "{}", words::time_class(l, v.time_class))
                };
                if let Some(next) = &row.next {
                    let _ = writeln!(
                        line,
                        "      {} {} {}",
                        l.pick("next:", "tiếp theo:"),
                        l.instant_text(next.at),
                        escape::controls(&words::alarm(l, &next.kind))
                    );
                }
                let mut out = Terminal::new(out);
                out.write_all(line.as_bytes())?;
                out.flush()?;
            }
        }
        Ok(())
    }
}

/// Entries judged and written per thread: fewer are not worth a thread's start.
const CHUNK: usize = 512;

/// Standings read and decoded at once from the projection, and handed to the judging thread.
const PAGE: usize = 512;

/// Room made for a row's bytes ahead of writing (a JSON line is about 360 bytes).
const ROW_BYTES: usize = 384;

/// The rows judged so far: how many, and their bytes in the output format, in order, a part
/// per chunk judged (kept apart, not appended to one buffer: a long list's megabytes would
/// be copied each time that buffer grew, into fresh pages the system must clear first).
#[derive(Default)]
struct Listed {
    rows: usize,
    parts: Vec<Vec<u8>>,
}

/// Runs `motcua dossiers`.
pub fn run(args: &DossiersArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let projected = if !args.all && args.data.known_at.is_none() && args.data.store.len() == 1 {
        let data = Dataset::open(&args.data)?;
        known(args, &data.catalogue)?;
        from_projection(args, &data)?.map(|listed| (data, listed))
    } else {
        None
    };
    let (data, listed) = match projected {
        Some(projected) => projected,
        None => {
            let (data, streams) = open_list::every_dossier(&args.data)?;
            known(args, &data.catalogue)?;
            let mut listed = Listed::default();
            let entries = streams.into_iter().map(OpenEntry::Events).collect();
            Lister::new(args, &data, None).judge(entries, &mut listed)?;
            (data, listed)
        }
    };
    // Said once the answer stands: a command that fails says only why.
    data.announce(args.lang.lang);
    match args.format {
        DossiersFormat::Jsonl => {}
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
        }
        DossiersFormat::Table => {
            let l = args.lang.lang;
            writeln!(
                Terminal::new(out),
                "{} {}{} ({})",
                l.pick("Dossiers as of", "Hồ sơ tính đến"),
                l.instant(data.as_of),
                data.as_of_note(l == Lang::Vi)
                    .map(|note| format!(" ({note})"))
                    .unwrap_or_default(),
                listed.rows
            )?;
        }
    }
    for part in &listed.parts {
        out.write_all(part)?;
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

    /// A unit's descendants, in a tree 20,000 units deep (a hostile catalogue) and a wide
    /// one: each unit once, its siblings and ancestors not.
    #[test]
    fn a_unit_and_its_descendants_in_one_walk_of_the_tree() -> Result<(), Box<dyn std::error::Error>>
    {
        let unit = |id: String, parent: Option<String>| motcua_core::Unit {
            id: UnitId::new(id),
            name: "u".into(),
            level: motcua_core::Level::Commune,
            parent: parent.map(UnitId::new),
        };
        let mut units = vec![
            unit("U0".into(), None),
            unit("SIDE".into(), Some("U0".into())),
        ];
        units.extend((1..20_000).map(|i| unit(format!("U{i}"), Some(format!("U{}", i - 1)))));
        let catalogue = Catalogue::new(units, vec![])?;
        let below = unit_and_below(&catalogue, &UnitId::new("U1"), true);
        assert_eq!(below.len(), 19_999);
        assert!(below.contains(&UnitId::new("U19999")) && below.contains(&UnitId::new("U1")));
        assert!(!below.contains(&UnitId::new("U0")) && !below.contains(&UnitId::new("SIDE")));
        let only = unit_and_below(&catalogue, &UnitId::new("U1"), false);
        assert_eq!(only.into_iter().collect::<Vec<_>>(), [UnitId::new("U1")]);
        Ok(())
    }

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
