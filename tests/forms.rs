//! Golden files of the forms of Circular 01/2018/TT-VPCP and of the national-portal record,
//! for the dossiers of the four example workflows (`examples/`): byte for byte, JSON and HTML,
//! and the typed error of every form that does not apply. `MOTCUA_BLESS=1 cargo test --test
//! forms` rewrites the files under `tests/golden/forms/` from the code; review the diff.

// Each example includes `examples/common/walk.rs` as its own module, as it does when built alone.
#![allow(clippy::duplicate_mod)]

use motcua::calendar::Calendar;
use motcua::render::forms::{
    Apology, ControlSheet, Dossier, Form, FormError, FormKind, Receipt, Refusal, SupplementRequest,
    TrackingLog,
};
use motcua::render::portal::PortalRecord;
use motcua::{Catalogue, Command, Context, Decider, DossierId, DossierState, Event, EventKind};
use std::path::{Path, PathBuf};
use time::macros::datetime;
use time::OffsetDateTime;

#[allow(dead_code)]
#[path = "../examples/building_permit.rs"]
mod building_permit;
#[allow(dead_code)]
#[path = "../examples/business_registration.rs"]
mod business_registration;
#[allow(dead_code)]
#[path = "../examples/land_certificate.rs"]
mod land_certificate;
#[allow(dead_code)]
#[path = "../examples/same_day_copy.rs"]
mod same_day_copy;

type Error = Box<dyn std::error::Error>;

/// The instant every form is judged at: after every example's story has ended.
const AS_OF: OffsetDateTime = datetime!(2024-12-31 17:00 +7);

/// One example workflow's dossiers, decided through the decider as the example plays them.
struct Workflow {
    catalogue: Catalogue,
    calendar: Calendar,
    dossiers: Vec<(String, Vec<Event>)>,
}

type Play = fn(
    &mut dyn FnMut(
        &Catalogue,
        &Calendar,
        &str,
        Vec<(OffsetDateTime, EventKind)>,
    ) -> Result<(), Error>,
) -> Result<(), Error>;

fn workflow(play: Play) -> Result<Workflow, Error> {
    let mut found: Option<(Catalogue, Calendar)> = None;
    let mut dossiers = Vec::new();
    play(&mut |catalogue, calendar, dossier, story| {
        let decider = Decider::new(catalogue);
        let id = DossierId::new(dossier);
        let (mut state, mut events) = (DossierState::default(), Vec::new());
        for (n, (at, kind)) in story.into_iter().enumerate() {
            let command = Command::new(id.clone(), uuid::Uuid::from_u128(n as u128 + 1), at, kind);
            for event in decider.decide(command, &state)? {
                state = Decider::evolve(state, &event);
                events.push(event);
            }
        }
        found.get_or_insert_with(|| (catalogue.clone(), calendar.clone()));
        dossiers.push((dossier.to_owned(), events));
        Ok(())
    })?;
    let (catalogue, calendar) = found.ok_or("the example played no dossier")?;
    Ok(Workflow {
        catalogue,
        calendar,
        dossiers,
    })
}

fn workflows() -> Result<Vec<(&'static str, Workflow)>, Error> {
    Ok(vec![
        ("building_permit", workflow(building_permit::play)?),
        (
            "business_registration",
            workflow(business_registration::play)?,
        ),
        ("land_certificate", workflow(land_certificate::play)?),
        ("same_day_copy", workflow(same_day_copy::play)?),
    ])
}

/// Compares `text` with the golden file (or writes it with `MOTCUA_BLESS=1`); returns a
/// description of the difference, if any.
fn golden(path: &Path, text: &str) -> Result<Option<String>, Error> {
    if std::env::var_os("MOTCUA_BLESS").is_some() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
        return Ok(None);
    }
    let want = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (MOTCUA_BLESS=1 writes it)", path.display()))?;
    Ok((want != text).then(|| {
        let line = want
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(text.lines().count()));
        format!("{} differs from line {}", path.display(), line + 1)
    }))
}

/// A form's JSON and HTML, or why it could not be built.
type Built = Result<(String, String), FormError>;

/// A form's JSON and HTML, or the error saying why it does not apply.
fn outputs(
    form: Result<(String, String), FormError>,
) -> Result<Vec<(&'static str, String)>, Error> {
    Ok(match form {
        Ok((json, html)) => vec![("json", json), ("html", html)],
        Err(e @ (FormError::NotApplicable { .. } | FormError::NoSuchRound { .. })) => {
            vec![("error.txt", format!("{e}\n"))]
        }
        Err(other) => return Err(other.into()),
    })
}

fn both<T: Form>(built: Result<T, FormError>) -> Built {
    let form = built?;
    Ok((form.json()?, form.html()?))
}

#[test]
fn every_form_and_record_of_the_example_workflows_matches_its_golden_file() -> Result<(), Error> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/forms");
    let mut differences = Vec::new();
    let mut checked = 0;
    for (name, w) in workflows()? {
        let context = Context::new(&w.catalogue, &w.calendar);
        let mut log_unit = None;
        let (mut first, mut last) = (None::<time::Date>, None::<time::Date>);
        for (id, events) in &w.dossiers {
            let dossier = Dossier {
                context,
                events,
                as_of: AS_OF,
            };
            let forms: Vec<(FormKind, Built)> = vec![
                (FormKind::Receipt, both(Receipt::build(&dossier))),
                (
                    FormKind::SupplementRequest,
                    both(SupplementRequest::build(&dossier, None)),
                ),
                (FormKind::Refusal, both(Refusal::build(&dossier))),
                (FormKind::Apology, both(Apology::build(&dossier, None))),
                (FormKind::ControlSheet, both(ControlSheet::build(&dossier))),
            ];
            let dir = root.join(name).join(id);
            for (kind, form) in forms {
                for (ext, text) in outputs(form)? {
                    let path = dir.join(format!("{}-{}.{ext}", kind.number(), kind.key()));
                    differences.extend(golden(&path, &text)?);
                    checked += 1;
                }
            }
            let record = PortalRecord::build(&dossier)?;
            differences.extend(golden(&dir.join("portal-record.json"), &record.json()?)?);
            checked += 1;
            if let Some(received) = record.received_at {
                let day = received.date();
                log_unit
                    .get_or_insert_with(|| motcua::UnitId::new(record.receiving_unit.id.clone()));
                first = Some(first.map_or(day, |d| d.min(day)));
                last = Some(last.map_or(day, |d| d.max(day)));
            }
        }
        let (Some(unit), Some(from), Some(until)) = (log_unit, first, last) else {
            return Err(format!("{name}: no dossier was received").into());
        };
        let mut log = TrackingLog::builder(context, unit, from, until, AS_OF);
        for (_, events) in &w.dossiers {
            log.add(events)?;
        }
        let log = log.finish();
        let dir = root.join(name);
        differences.extend(golden(&dir.join("06-tracking-log.json"), &log.json()?)?);
        differences.extend(golden(&dir.join("06-tracking-log.html"), &log.html()?)?);
        checked += 2;
    }
    assert!(checked > 40, "only {checked} files checked");
    assert!(
        differences.is_empty(),
        "{} golden file(s) differ (MOTCUA_BLESS=1 rewrites them; review the diff):\n{}",
        differences.len(),
        differences.join("\n")
    );
    Ok(())
}
