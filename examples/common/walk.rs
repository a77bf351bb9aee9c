//! Shared by the workflow examples: drives a dossier's story through the decider and prints,
//! after every event, its view and the explanation of its due.

use motcua::calendar::Calendar;
use motcua::deadline::display_instant;
use motcua::{Catalogue, Command, Context, Decider, DossierId, DossierState, EventKind};
use time::OffsetDateTime;

/// What an example hands each dossier to: the catalogue, the calendar, the dossier's id and
/// its story.
pub type Visit<'a> = dyn FnMut(
        &Catalogue,
        &Calendar,
        &str,
        Vec<(OffsetDateTime, EventKind)>,
    ) -> Result<(), Box<dyn std::error::Error>>
    + 'a;

/// Walks one dossier through `story`, printing what a clerk would see after each event.
pub fn walk(
    catalogue: &Catalogue,
    calendar: &Calendar,
    dossier: &str,
    story: Vec<(OffsetDateTime, EventKind)>,
) -> Result<(), Box<dyn std::error::Error>> {
    let decider = Decider::new(catalogue);
    let context = Context::new(catalogue, calendar);
    let id = DossierId::new(dossier);
    let mut state = DossierState::default();
    for (n, (at, kind)) in story.into_iter().enumerate() {
        let command = Command::new(id.clone(), uuid::Uuid::from_u128(n as u128 + 1), at, kind);
        for event in decider.decide(command, &state)? {
            println!(
                "━━ #{} {} — {}",
                event.sequence,
                display_instant(at),
                event.kind.name()
            );
            state = Decider::evolve(state, &event);
        }
        let view = context.view(&state, at)?;
        let due = |t: Option<OffsetDateTime>| t.map_or_else(|| "-".to_owned(), display_instant);
        println!(
            "   status {} ({}) · official due {} · promised {} · clock {} · {}",
            view.status,
            view.national_code,
            due(view.official_due),
            due(view.promised_due),
            view.clock.label(),
            view.time_class.label(),
        );
        if let Some(by) = view.accept_by {
            let state = if view.accept_overdue {
                "passed"
            } else {
                "open"
            };
            println!(
                "   online submission: accept or refuse by {} ({state})",
                display_instant(by)
            );
        }
        for step in &view.steps {
            println!(
                "   step {:<10} at {:<10} due {}{}",
                step.step,
                step.unit,
                due(step.due),
                if step.late { "  LATE" } else { "" }
            );
        }
        let explanation = context.explain(&state, at)?;
        for line in explanation.to_string().lines() {
            println!("   │ {line}");
        }
    }
    Ok(())
}
