//! Copy certification (*chứng thực bản sao từ bản chính*) at a ward: a same-day procedure with
//! the 15:00 cut-off. One copy is received at 14:30 (due at close that day), another at 15:01
//! (due at close of the next working day). Prints the view and the explanation after every event.
//!
//! Run with `cargo run --example same_day_copy`.

#[path = "common/walk.rs"]
mod walk;

use motcua::calendar::Calendar;
use motcua::{Channel, EventKind, ReturnMethod};
use time::macros::datetime;

const CATALOGUE: &str = r#"{"format": "motcua-catalogue", "version": 1,
  "units": [{"id": "P-TP", "name": "UBND phường Tân Phong", "level": "commune"}],
  "procedures": [{"code": "2.000815", "field": "Chứng thực", "level": "commune",
    "name": "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam cấp",
    "time_limit": {"same_day": {"cutoff": "15:00"}}, "online_service": "partial",
    "fees": [{"name": "Phí chứng thực bản sao (2.000 đồng/trang)", "amount_vnd": 6000}]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    play(&mut walk::walk)
}

/// Plays the example's dossiers, handing each to `visit` with the catalogue, the calendar, the
/// dossier's id and its story (`walk::walk` prints them; the golden tests of the forms,
/// `tests/forms.rs`, record them).
pub fn play(visit: &mut walk::Visit<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = motcua::io::read_catalogue(CATALOGUE)?;
    let calendar = Calendar::vietnam();
    let received = |at| {
        (
            at,
            EventKind::Received {
                procedure: "2.000815".into(),
                unit: "P-TP".into(),
                channel: Channel::InPerson,
            },
        )
    };

    println!("A copy received at 14:30, before the cut-off: due at close the same day.\n");
    visit(
        &catalogue,
        &calendar,
        "P-TP-241014-0001",
        vec![
            received(datetime!(2024-10-14 14:30 +7)),
            (
                datetime!(2024-10-14 16:10 +7),
                EventKind::ResultReady { electronic: false },
            ),
            (
                datetime!(2024-10-14 16:20 +7),
                EventKind::ResultReturned {
                    method: ReturnMethod::InPerson,
                },
            ),
        ],
    )?;

    println!(
        "\nA copy received at 15:01, after the cut-off: due at close of the next working day.\n"
    );
    visit(
        &catalogue,
        &calendar,
        "P-TP-241014-0002",
        vec![
            received(datetime!(2024-10-14 15:01 +7)),
            (
                datetime!(2024-10-15 09:00 +7),
                EventKind::ResultReady { electronic: false },
            ),
            (
                datetime!(2024-10-15 09:05 +7),
                EventKind::ResultReturned {
                    method: ReturnMethod::InPerson,
                },
            ),
            (
                datetime!(2024-10-15 09:06 +7),
                EventKind::Rated { satisfied: true },
            ),
        ],
    )
}
