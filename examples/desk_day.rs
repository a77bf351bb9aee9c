//! A one-stop desk's days through the write path ([`motcua::store::Desk`]) against a SQLite
//! store file: a household business registration received at a ward, handed to the district's
//! finance office for appraisal (a transfer and a step), a supplement requested and supplied,
//! handed back to the district for signature, the result ready and returned. Each command is
//! recorded with one call; the view it returns is printed. The desk also re-sends a command
//! (nothing is stored twice) and is refused one (nothing is stored).
//!
//! Run with `cargo run --example desk_day [STORE.db]`. Without a path the store is a file in a
//! temporary directory, removed at the end; with one it is kept, and running again re-sends
//! every command to it: each is recognised as already recorded.

use motcua::calendar::Calendar;
use motcua::deadline::display_instant;
use motcua::sqlite::SqliteStore;
use motcua::store::{Desk, RecordError, Recorded};
use motcua::{Channel, Command, Context, DossierId, EventKind, ReturnMethod};
use std::path::PathBuf;
use time::macros::datetime;
use time::OffsetDateTime;

const CATALOGUE: &str = r#"{"format": "motcua-catalogue", "version": 1,
  "units": [
    {"id": "H-BH", "name": "UBND thành phố Biên Hòa", "level": "district"},
    {"id": "H-BH-TCKH", "name": "Phòng Tài chính - Kế hoạch", "level": "district", "parent": "H-BH"},
    {"id": "P-TP", "name": "UBND phường Tân Phong", "level": "commune", "parent": "H-BH"}],
  "procedures": [{"code": "2.000720", "name": "Đăng ký thành lập hộ kinh doanh",
    "field": "Thành lập và hoạt động của hộ kinh doanh", "level": "district",
    "time_limit": {"working_days": 5},
    "steps": [
      {"id": "appraisal", "name": "Thẩm định", "share_percent": 60, "unit": "H-BH-TCKH"},
      {"id": "sign", "name": "Ký duyệt", "share_percent": 40, "unit": "H-BH"}]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (path, temporary) = match std::env::args_os().nth(1) {
        Some(path) => (PathBuf::from(path), None),
        None => {
            let dir = std::env::temp_dir().join(format!("motcua-desk-day-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            (dir.join("desk.db"), Some(dir))
        }
    };
    println!("store: {}", path.display());
    let result = play(&path);
    if let Some(dir) = temporary {
        std::fs::remove_dir_all(dir)?;
    }
    result
}

fn play(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = motcua::io::read_catalogue(CATALOGUE)?;
    let calendar = Calendar::vietnam();
    let store = SqliteStore::open(path)?;
    store.save_catalogue(&catalogue)?;
    let desk = Desk::new(&store, Context::new(&catalogue, &calendar));

    let dossier = DossierId::new("P-TP-240603-0001");
    let mut next_id = 0u128;
    let mut command = |at: OffsetDateTime, kind: EventKind| {
        next_id += 1;
        Command::new(
            dossier.clone(),
            motcua::uuid::Uuid::from_u128(next_id),
            at,
            kind,
        )
    };
    let transfer = |from: &str, to: &str| EventKind::Transferred {
        from: from.into(),
        to: to.into(),
    };
    let start = |step: &str, unit: &str| EventKind::StepStarted {
        step: step.into(),
        unit: unit.into(),
    };
    let finish = |step: &str| EventKind::StepFinished { step: step.into() };

    let received = command(
        datetime!(2024-06-03 08:15 +7),
        EventKind::Received {
            procedure: "2.000720".into(),
            unit: "P-TP".into(),
            channel: Channel::InPerson,
        },
    );
    let handled = vec![
        received.clone(),
        command(
            datetime!(2024-06-03 08:40 +7),
            transfer("P-TP", "H-BH-TCKH"),
        ),
        command(
            datetime!(2024-06-03 09:30 +7),
            start("appraisal", "H-BH-TCKH"),
        ),
        command(
            datetime!(2024-06-05 14:00 +7),
            EventKind::SupplementRequested {
                reason: "Thiếu văn bản ủy quyền của các thành viên hộ".into(),
            },
        ),
        command(
            datetime!(2024-06-07 10:00 +7),
            EventKind::SupplementSupplied,
        ),
        command(datetime!(2024-06-10 15:00 +7), finish("appraisal")),
        command(
            datetime!(2024-06-10 15:10 +7),
            transfer("H-BH-TCKH", "H-BH"),
        ),
        command(datetime!(2024-06-10 15:20 +7), start("sign", "H-BH")),
        command(datetime!(2024-06-11 10:00 +7), finish("sign")),
    ];
    let in_person = EventKind::ResultReturned {
        method: ReturnMethod::InPerson,
    };
    // Returning the result before it is ready is refused, and nothing is stored.
    let too_early = command(datetime!(2024-06-11 10:15 +7), in_person.clone());
    let finished = vec![
        command(
            datetime!(2024-06-11 10:30 +7),
            EventKind::ResultReady { electronic: true },
        ),
        command(datetime!(2024-06-12 09:00 +7), in_person),
    ];

    for command in handled {
        show(&desk.record(command)?);
    }
    match desk.record(too_early) {
        Err(refused @ RecordError::Refused { .. }) => println!("━━ {refused}"),
        Err(other) => return Err(other.into()),
        Ok(recorded) => show(&recorded),
    }
    for command in finished {
        show(&desk.record(command)?);
    }
    // The reply to the first command was lost, say, and the host sends it again.
    show(&desk.record(received)?);
    Ok(())
}

/// What the clerk sees after a command: the event, then the dossier in a few lines.
fn show(recorded: &Recorded) {
    let view = &recorded.view;
    for event in &recorded.events {
        println!(
            "━━ #{} {} — {}{}",
            event.sequence,
            display_instant(event.occurred_at),
            event.kind.name(),
            if recorded.resent {
                " (already recorded: nothing stored)"
            } else {
                ""
            }
        );
    }
    let due = |t: Option<OffsetDateTime>| t.map_or_else(|| "-".to_owned(), display_instant);
    println!(
        "   status {} ({}) at {} · official due {}",
        view.status,
        view.national_code,
        view.current_unit,
        due(view.official_due)
    );
    let time_left = if view.official_due.is_none() {
        "no due while the clock waits".to_owned()
    } else if view.overdue_minutes > 0 {
        format!("overdue by {}", working_time(view.overdue_minutes))
    } else {
        format!("{} left", working_time(view.left_minutes))
    };
    println!(
        "   {time_left} · clock {} · {}",
        view.clock.label(),
        view.time_class.label()
    );
}

/// Working minutes as hours and minutes of working time.
fn working_time(minutes: u32) -> String {
    format!("{} h {:02} min of working time", minutes / 60, minutes % 60)
}
