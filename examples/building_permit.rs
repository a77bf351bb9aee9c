//! A building permit for a house (*cấp giấy phép xây dựng nhà ở riêng lẻ*, 15 working days)
//! across two agencies — appraisal at the urban management office, signature at the district —
//! with a supplement round (the limit restarts) and an apology (only the promised due moves).
//! Prints the view and the explanation of the due after every event.
//!
//! Run with `cargo run --example building_permit`.

use motcua::calendar::Calendar;
use motcua::{
    Catalogue, Channel, EventKind, Level, Procedure, ProcedureCode, ReturnMethod, StepSpec,
    SupplementPolicy, TimeLimit, Unit, UnitId,
};
use time::macros::datetime;

fn catalogue() -> Result<Catalogue, motcua::CatalogueError> {
    let unit = |id: &str, name: &str, level, parent: Option<&str>| Unit {
        id: UnitId::new(id),
        name: name.to_owned(),
        level,
        parent: parent.map(UnitId::new),
    };
    let permit = Procedure {
        code: ProcedureCode::new("1.009994"),
        name: "Cấp giấy phép xây dựng nhà ở riêng lẻ".to_owned(),
        field: "Hoạt động xây dựng".to_owned(),
        level: Level::District,
        units: vec![UnitId::new("H-BH")],
        time_limit: TimeLimit::WorkingDays(15),
        supplement_policy: SupplementPolicy::Restart,
        payment_pauses_clock: false,
        supplement_time_limit: None,
        online_service: motcua::OnlineService::Partial,
        result_is_document: true,
        fees: vec![motcua::Fee {
            name: "Lệ phí cấp phép".to_owned(),
            amount_vnd: 75_000,
        }],
        steps: vec![
            StepSpec {
                id: "appraisal".into(),
                name: "Thẩm định".into(),
                share_percent: 70,
                unit: Some(UnitId::new("H-BH-QLDT")),
            },
            StepSpec {
                id: "sign".into(),
                name: "Ký duyệt".into(),
                share_percent: 30,
                unit: Some(UnitId::new("H-BH")),
            },
        ],
    };
    Catalogue::new(
        vec![
            unit("T-DN", "UBND tỉnh Đồng Nai", Level::Province, None),
            unit(
                "H-BH",
                "UBND thành phố Biên Hòa",
                Level::District,
                Some("T-DN"),
            ),
            unit(
                "H-BH-QLDT",
                "Phòng Quản lý đô thị Biên Hòa",
                Level::District,
                Some("H-BH"),
            ),
        ],
        vec![permit],
    )
}

#[path = "common/walk.rs"]
mod walk;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    play(&mut walk::walk)
}

/// Plays the example's dossier, handing it to `visit` with the catalogue, the calendar, the
/// dossier's id and its story (`walk::walk` prints them; the golden tests of the forms,
/// `tests/forms.rs`, record them).
pub fn play(visit: &mut walk::Visit<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = catalogue()?;
    let calendar = Calendar::vietnam();
    let story: Vec<(time::OffsetDateTime, EventKind)> = vec![
        (
            datetime!(2024-04-15 16:40 +7),
            EventKind::Received {
                procedure: "1.009994".into(),
                unit: "H-BH".into(),
                channel: Channel::InPerson,
            },
        ),
        (
            datetime!(2024-04-16 08:00 +7),
            EventKind::StepStarted {
                step: "appraisal".into(),
                unit: "H-BH-QLDT".into(),
            },
        ),
        (
            datetime!(2024-04-22 10:00 +7),
            EventKind::SupplementRequested {
                reason: "Thiếu bản vẽ mặt bằng".into(),
            },
        ),
        (
            datetime!(2024-05-06 09:30 +7),
            EventKind::SupplementSupplied,
        ),
        (
            datetime!(2024-05-20 15:00 +7),
            EventKind::ApologyIssued {
                new_due: datetime!(2024-05-31 17:00 +7),
                reason: "Chờ ý kiến phòng Tài nguyên".into(),
            },
        ),
        (
            datetime!(2024-05-27 11:00 +7),
            EventKind::StepFinished {
                step: "appraisal".into(),
            },
        ),
        (
            datetime!(2024-05-27 14:00 +7),
            EventKind::Transferred {
                from: "H-BH-QLDT".into(),
                to: "H-BH".into(),
            },
        ),
        (
            datetime!(2024-05-27 14:05 +7),
            EventKind::StepStarted {
                step: "sign".into(),
                unit: "H-BH".into(),
            },
        ),
        (
            datetime!(2024-05-29 09:00 +7),
            EventKind::StepFinished {
                step: "sign".into(),
            },
        ),
        (
            datetime!(2024-05-29 10:00 +7),
            EventKind::ResultReady { electronic: true },
        ),
        (
            datetime!(2024-05-31 08:30 +7),
            EventKind::ResultReturned {
                method: ReturnMethod::InPerson,
            },
        ),
        (
            datetime!(2024-05-31 08:35 +7),
            EventKind::Rated { satisfied: false },
        ),
    ];
    visit(&catalogue, &calendar, "H-BH-240415-0007", story)
}
