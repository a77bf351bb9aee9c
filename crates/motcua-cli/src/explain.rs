//! `motcua explain`: why a dossier's due is what it is, and whether it is overdue.

use crate::data::{DataArgs, Dataset};
use crate::error::CliError;
use crate::escape::Terminal;
use motcua_core::deadline::{display_instant, in_force_text};
use motcua_core::{DossierId, DossierState, Event, EventKind, ProcedureVersion};
use motcua_render::escape;
use motcua_render::format::{minutes, when};
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
        return Err(CliError::Usage(format!(
            "dossier {id} is not in the data ({} dossiers; ids look like {})",
            data.streams.len(),
            examples.join(", ")
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

    // Said once the answer stands: a command that fails says only why.
    data.announce();
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
    let unit_name = data
        .catalogue
        .unit(&view.unit)
        .map_or("", |u| u.name.as_str());
    // One line each: line breaks in names and free text are escaped too (the terminal
    // writer escapes every other control character).
    let line = |text: &str| escape::controls(text).into_owned();
    writeln!(out, "Dossier {}", line(id.as_str()))?;
    writeln!(
        out,
        "  procedure  {} {}",
        line(procedure.code.as_str()),
        line(&procedure.name)
    )?;
    writeln!(out, "  version    in force {}", line(&in_force))?;
    writeln!(out, "  calendar   {}", line(&calendar.to_string()))?;
    writeln!(
        out,
        "  unit       {} {}",
        line(view.unit.as_str()),
        line(unit_name)
    )?;
    writeln!(out, "  channel    {}", view.channel.label())?;
    match data.as_of_note(false) {
        Some(note) => writeln!(out, "  as of      {} ({note})", display_instant(as_of))?,
        None => writeln!(out, "  as of      {}", display_instant(as_of))?,
    }
    writeln!(out)?;
    writeln!(out, "Events known by then ({}):", known.len())?;
    for event in &known {
        writeln!(
            out,
            "  {:>3}  {}  {}",
            event.sequence,
            display_instant(event.occurred_at),
            line(&describe(&event.kind))
        )?;
    }
    writeln!(out)?;
    writeln!(out, "How the due was computed:")?;
    for (i, entry) in explanation.entries.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}. {}",
            i + 1,
            entry.to_string().replace('\n', "\n      ")
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Verdict:")?;
    writeln!(
        out,
        "  status        {} (national code {})",
        view.status, view.national_code
    )?;
    writeln!(
        out,
        "  official due  {}",
        view.official_due.map_or("none".to_owned(), display_instant)
    )?;
    if view.promised_due != view.official_due {
        writeln!(
            out,
            "  promised due  {}",
            view.promised_due.map_or("none".to_owned(), display_instant)
        )?;
    }
    if let Some(accept_by) = view.accept_by {
        let late = if view.accept_overdue {
            " (passed: not yet accepted)"
        } else {
            ""
        };
        writeln!(out, "  accept by     {}{late}", display_instant(accept_by))?;
    }
    if let Some(due) = view.supplement_due {
        let passed = if view.supplement_overdue {
            " (passed: the dossier may be stopped)"
        } else {
            ""
        };
        writeln!(out, "  supply by     {}{passed}", display_instant(due))?;
    }
    if view.supplement_expired {
        writeln!(
            out,
            "  stopped       the applicant did not supplement in time"
        )?;
    }
    writeln!(out, "  clock         {}", view.clock.label())?;
    writeln!(
        out,
        "  time used     {} of working time",
        minutes(u64::from(view.used_minutes))
    )?;
    if view.overdue_minutes > 0 {
        writeln!(
            out,
            "  overdue by    {} of working time",
            minutes(u64::from(view.overdue_minutes))
        )?;
    } else if view.official_due.is_some() && !view.status.is_finished() {
        writeln!(
            out,
            "  time left     {} of working time",
            minutes(u64::from(view.left_minutes))
        )?;
    }
    let reason = match view.late_reason {
        Some(motcua_core::LateReason::MultipleSupplements) => {
            " (more than one supplement request counts as late)"
        }
        Some(motcua_core::LateReason::PastDue) => " (past the official due)",
        None => "",
    };
    writeln!(out, "  judged        {}{reason}", view.time_class.label())?;
    for step in &view.steps {
        writeln!(
            out,
            "  step {:<14} {} started {}, {}, due {}{}",
            step.step,
            step.unit,
            display_instant(step.started_at),
            step.finished_at
                .map_or("still open".to_owned(), |f| format!(
                    "finished {}",
                    display_instant(f)
                )),
            step.due.map_or("none".to_owned(), display_instant),
            if step.late { " — LATE" } else { "" }
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

/// One line describing an event for a person.
fn describe(kind: &EventKind) -> String {
    match kind {
        EventKind::Submitted {
            procedure,
            unit,
            channel,
        } => {
            format!("submitted ({}) for {procedure} to {unit}", channel.label())
        }
        EventKind::Received {
            procedure,
            unit,
            channel,
        } => {
            format!("received ({}) for {procedure} at {unit}", channel.label())
        }
        EventKind::RefusedAtReception { reason } => format!("refused at reception: {reason}"),
        EventKind::StepStarted { step, unit } => format!("step {step} started at {unit}"),
        EventKind::StepFinished { step } => format!("step {step} finished"),
        EventKind::Transferred { from, to } => format!("transferred from {from} to {to}"),
        EventKind::SupplementRequested { reason } => format!("supplement requested: {reason}"),
        EventKind::SupplementSupplied => "supplement supplied".to_owned(),
        EventKind::SupplementExpired => "supplement deadline passed".to_owned(),
        EventKind::PaymentRequested { amount_vnd } => {
            format!("payment of {amount_vnd} VND requested")
        }
        EventKind::PaymentMade { online } => {
            format!("paid {}", if *online { "online" } else { "at the desk" })
        }
        EventKind::ApologyIssued { new_due, reason } => {
            format!(
                "apology, new appointment {} ({reason})",
                display_instant(*new_due)
            )
        }
        EventKind::DueExtended {
            new_due,
            legal_basis,
        } => {
            format!(
                "extended to {} under {legal_basis}",
                display_instant(*new_due)
            )
        }
        EventKind::Withdrawn { reason } => format!("withdrawn: {reason}"),
        EventKind::Stopped { reason } => format!("stopped: {reason}"),
        EventKind::ResultReady { electronic } => {
            format!(
                "result ready{}",
                if *electronic { " (electronic)" } else { "" }
            )
        }
        EventKind::ResultReturned { method } => format!("result returned ({})", method.label()),
        EventKind::Digitised {
            components,
            digitised,
            reused,
        } => {
            format!("digitised {digitised} of {components} component(s), {reused} reused")
        }
        EventKind::FeedbackFiled { summary } => format!("feedback filed: {summary}"),
        EventKind::CalendarReevaluated { calendar } => {
            format!("re-evaluated under calendar {calendar}")
        }
        EventKind::Rated { satisfied } => {
            format!(
                "rated: {}",
                if *satisfied {
                    "satisfied"
                } else {
                    "not satisfied"
                }
            )
        }
    }
}
