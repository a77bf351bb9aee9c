//! `motcua explain`: why a dossier's due is what it is, and whether it is overdue.

use crate::data::{DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use motcua_core::deadline::in_force_text;
use motcua_core::{DossierId, DossierState, Event, ProcedureVersion};
use motcua_render::escape;
use motcua_render::format::{when, working_days};
use motcua_render::{words, Lang};
use std::io::Write;

/// Arguments of `motcua explain`.
#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    /// The dossier's id (code), as in the events.
    pub dossier: String,
    #[command(flatten)]
    pub data: DataArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub lang: LangArgs,
}

/// How `explain` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExplainFormat {
    /// Plain text for a person.
    Text,
    /// JSON: the events, the trace and the view.
    Json,
}

/// Runs `motcua explain`.
pub fn run(args: &ExplainArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let id = DossierId::new(args.dossier.clone());
    let (data, events) = Dataset::load_dossier(&args.data, &id)?;
    let Some(events) = events.as_ref() else {
        if !args.data.store.is_empty() {
            return Err(CliError::Usage(format!(
                "dossier {id} is not in the data (no store given holds an event of it)"
            )));
        }
        // A hint of what ids look like: three ids from the data, cut to 32 characters (their
        // control characters are escaped with the rest of the message when it is printed).
        let examples: Vec<String> = data
            .streams
            .keys()
            .take(3)
            .map(|id| short(id.as_str(), 32))
            .collect();
        let known = match (data.known_at, examples.is_empty()) {
            (Some(known_at), _) => format!(
                "{} dossiers recorded by --known-at {}",
                data.streams.len(),
                motcua_render::Lang::En.instant(known_at)
            ),
            (None, true) => "the data holds no dossier".to_owned(),
            (None, false) => format!(
                "{} dossiers; ids look like {}",
                data.streams.len(),
                examples.join(", ")
            ),
        };
        return Err(CliError::Usage(format!(
            "dossier {id} is not in the data ({known})"
        )));
    };
    let as_of = data.as_of;
    let known: Vec<&Event> = events
        .iter()
        .take_while(|e| e.occurred_at <= as_of)
        .collect();
    let state = known
        .iter()
        .copied()
        .fold(DossierState::default(), motcua_core::state::evolve);
    let context = data.context();
    let view = context
        .view(&state, as_of)
        .map_err(|e| CliError::Data(e.to_string()))?;
    let procedure = context
        .procedure_for(&state)
        .map_err(|e| CliError::Data(e.to_string()))?;
    let explanation = context
        .explain(&state, as_of)
        .map_err(|e| CliError::Data(e.to_string()))?;
    // The dated version `procedure_for` chose: the one holding that very procedure.
    let version = data
        .catalogue
        .versions()
        .find(|v| std::ptr::eq(&v.procedure, procedure));
    let in_force = version.map_or_else(|| "always".to_owned(), in_force_text);
    let calendar = context
        .calendar_for(&state)
        .map_err(|e| CliError::Data(e.to_string()))?
        .version()
        .to_string();

    // Which catalogue record judged, and the one in force when the dossier was received into
    // the log if that is another.
    let judged_with = data.catalogue_record();
    let received_under = data
        .received_under(&id)?
        .filter(|r| judged_with.as_ref().is_some_and(|j| j.number != r.number));

    // Said once the answer stands: a command that fails says only why.
    data.announce(args.lang.lang);
    if args.format == ExplainFormat::Json {
        let date = |pick: fn(&ProcedureVersion) -> Option<time::Date>| {
            version.and_then(pick).map(|d| d.to_string())
        };
        let json = serde_json::json!({
            "as_of": when(Some(as_of)),
            "as_of_from": data.as_of_from.key(),
            "judged_under": {
                "procedure": procedure.code,
                "name": procedure.name,
                "effective_from": date(|v| v.effective_from),
                "effective_until": date(|v| v.effective_until),
                "in_force": in_force,
                "calendar": calendar,
                "catalogue": judged_with.as_ref().map(|r| serde_json::json!({
                    "record": r.number,
                    "of": r.of,
                    "sha256": r.sha256,
                    "received_under": received_under.as_ref().map(|u| serde_json::json!({
                        "record": u.number,
                        "sha256": u.sha256,
                    })),
                })),
            },
            "events": known,
            "explanation": explanation,
            "view": view,
        });
        serde_json::to_writer_pretty(&mut *out, &json).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out)?;
        return Ok(());
    }

    let out = &mut Terminal::new(out);
    let l = args.lang.lang;
    let unit_name = data
        .catalogue
        .unit(&view.unit)
        .map_or("", |u| u.name.as_str());
    // One line each: line breaks in names and free text are escaped too (the terminal
    // writer escapes every other control character).
    let line = |text: &str| escape::controls(text).into_owned();
    let none = || l.pick("none", "không có").to_owned();
    let instant = |t: Option<time::OffsetDateTime>| t.map_or_else(none, |t| l.instant(t));
    let working = |m: u32| match l {
        Lang::En => format!("{} of working time", working_days(u64::from(m), false)),
        Lang::Vi => format!("{} làm việc", working_days(u64::from(m), true)),
    };
    writeln!(out, "{} {}", l.pick("Dossier", "Hồ sơ"), line(id.as_str()))?;
    // The labels of the header and of the verdict, padded to one width per language.
    let label = |en: &'static str, vi: &'static str| {
        let text = l.pick(en, vi);
        let width = l.pick("official due", "thời gian còn lại").chars().count() + 2;
        format!(
            "{text}{}",
            " ".repeat(width.saturating_sub(text.chars().count()))
        )
    };
    writeln!(
        out,
        "  {}{} {}",
        label("procedure", "thủ tục"),
        line(procedure.code.as_str()),
        line(&procedure.name)
    )?;
    writeln!(
        out,
        "  {}{} {}",
        label("version", "phiên bản"),
        l.pick("in force", "áp dụng"),
        line(&words::in_force(l, &in_force))
    )?;
    writeln!(out, "  {}{}", label("calendar", "lịch"), line(&calendar))?;
    if let Some(record) = &judged_with {
        let mut text = record.judged_with(l);
        if let Some(under) = &received_under {
            text = format!(
                "{text}; {}",
                words::received_under(l, under.number, &under.sha256)
            );
        }
        writeln!(out, "  {}{}", label("catalogue", "danh mục"), line(&text))?;
    }
    writeln!(
        out,
        "  {}{} {}",
        label("unit", "đơn vị"),
        line(view.unit.as_str()),
        line(unit_name)
    )?;
    writeln!(
        out,
        "  {}{}",
        label("channel", "kênh"),
        l.channel(view.channel)
    )?;
    match data.as_of_note(l == Lang::Vi) {
        Some(note) => writeln!(
            out,
            "  {}{} ({note})",
            label("as of", "tính đến"),
            l.instant(as_of)
        )?,
        None => writeln!(out, "  {}{}", label("as of", "tính đến"), l.instant(as_of))?,
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} ({}):",
        l.pick("Events known by then", "Sự kiện đã biết đến thời điểm đó"),
        known.len()
    )?;
    for event in &known {
        writeln!(
            out,
            "  {:>3}  {}  {}",
            event.sequence,
            l.instant(event.occurred_at),
            line(&words::event(l, &event.kind))
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        l.pick("How the due was computed:", "Cách tính hạn xử lý:")
    )?;
    for (i, entry) in explanation.entries.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}. {}",
            i + 1,
            words::trace(l, entry).replace('\n', "\n      ")
        )?;
    }
    writeln!(out)?;
    writeln!(out, "{}", l.pick("Verdict:", "Kết luận:"))?;
    writeln!(
        out,
        "  {}{} ({} {})",
        label("status", "trạng thái"),
        words::status(l, view.status),
        l.pick("national code", "mã quốc gia"),
        view.national_code
    )?;
    writeln!(
        out,
        "  {}{}",
        label("official due", "hạn xử lý"),
        instant(view.official_due)
    )?;
    if view.promised_due != view.official_due {
        writeln!(
            out,
            "  {}{}",
            label("promised due", "hẹn lại"),
            instant(view.promised_due)
        )?;
    }
    if let Some(accept_by) = view.accept_by {
        let late = if view.accept_overdue {
            l.pick(" (passed: not yet accepted)", " (đã qua: chưa tiếp nhận)")
        } else {
            ""
        };
        writeln!(
            out,
            "  {}{}{late}",
            label("accept by", "tiếp nhận trước"),
            l.instant(accept_by)
        )?;
    }
    if let Some(due) = view.supplement_due {
        let passed = if view.supplement_overdue {
            l.pick(
                " (passed: the dossier may be stopped)",
                " (đã qua: hồ sơ có thể bị dừng xử lý)",
            )
        } else {
            ""
        };
        writeln!(
            out,
            "  {}{}{passed}",
            label("supply by", "bổ sung trước"),
            l.instant(due)
        )?;
    }
    if view.supplement_expired {
        writeln!(
            out,
            "  {}{}",
            label("stopped", "dừng xử lý"),
            l.pick(
                "the applicant did not supplement in time",
                "người nộp không bổ sung hồ sơ đúng thời hạn"
            )
        )?;
    }
    writeln!(
        out,
        "  {}{}",
        label("clock", "thời gian"),
        words::clock(l, view.clock)
    )?;
    writeln!(
        out,
        "  {}{}",
        label("time used", "đã sử dụng"),
        working(view.used_minutes)
    )?;
    if view.overdue_minutes > 0 {
        writeln!(
            out,
            "  {}{}",
            label("overdue by", "quá hạn"),
            working(view.overdue_minutes)
        )?;
    } else if view.official_due.is_some() && !view.status.is_finished() {
        writeln!(
            out,
            "  {}{}",
            label("time left", "thời gian còn lại"),
            working(view.left_minutes)
        )?;
    }
    let reason = match view.late_reason {
        Some(motcua_core::LateReason::MultipleSupplements) => l.pick(
            " (more than one supplement request counts as late)",
            " (yêu cầu bổ sung hơn một lần được tính là trễ hạn)",
        ),
        Some(motcua_core::LateReason::PastDue) => {
            l.pick(" (past the official due)", " (quá hạn xử lý)")
        }
        None => "",
    };
    writeln!(
        out,
        "  {}{}{reason}",
        label("judged", "đánh giá"),
        words::time_class(l, view.time_class)
    )?;
    for step in &view.steps {
        let finished = step.finished_at.map_or_else(
            || l.pick("still open", "chưa xong").to_owned(),
            |f| format!("{} {}", l.pick("finished", "xong"), l.instant(f)),
        );
        writeln!(
            out,
            "  {} {:<14} {} {} {}, {}, {} {}{}",
            l.pick("step", "bước"),
            step.step,
            step.unit,
            l.pick("started", "bắt đầu"),
            l.instant(step.started_at),
            finished,
            l.pick("due", "hạn"),
            instant(step.due),
            if step.late {
                l.pick(" — LATE", " — TRỄ HẠN")
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

/// `text` cut to `width` characters, with `…` when it was longer.
fn short(text: &str, width: usize) -> String {
    let mut chars = text.chars();
    let cut: String = chars.by_ref().take(width).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}
