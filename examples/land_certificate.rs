//! First land-use right certificate (*cấp Giấy chứng nhận quyền sử dụng đất lần đầu*): an
//! inter-agency workflow — land registration office, tax department, district — where waiting
//! for the applicant to pay the land levy pauses the clock, and the tax step runs late although
//! the dossier as a whole finishes on time. Prints the view and the explanation after every event.
//!
//! Run with `cargo run --example land_certificate`.

#[path = "common/walk.rs"]
mod walk;

use motcua::calendar::Calendar;
use motcua::{Channel, EventKind, ReturnMethod};
use time::macros::datetime;

const CATALOGUE: &str = r#"{"format": "motcua-catalogue", "version": 1,
  "units": [
    {"id": "H-LT", "name": "UBND huyện Long Thành", "level": "district"},
    {"id": "VPDK", "name": "Chi nhánh Văn phòng Đăng ký đất đai Long Thành", "level": "district", "parent": "H-LT"},
    {"id": "THUE", "name": "Chi cục Thuế khu vực Long Thành", "level": "district", "parent": "H-LT"}],
  "procedures": [{"code": "1.004227", "field": "Đất đai", "level": "district", "units": ["H-LT"],
    "name": "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
    "time_limit": {"working_days": 20}, "payment_pauses_clock": true, "online_service": "partial",
    "steps": [
      {"id": "kiem_tra", "name": "Kiểm tra hồ sơ, trích đo", "share_percent": 40, "unit": "VPDK"},
      {"id": "thue", "name": "Xác định nghĩa vụ tài chính", "share_percent": 15, "unit": "THUE"},
      {"id": "ky_cap", "name": "Ký cấp Giấy chứng nhận", "share_percent": 45, "unit": "H-LT"}]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    play(&mut walk::walk)
}

/// Plays the example's dossiers, handing each to `visit` with the catalogue, the calendar, the
/// dossier's id and its story (`walk::walk` prints them; the golden tests of the forms,
/// `tests/forms.rs`, record them).
pub fn play(visit: &mut walk::Visit<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = motcua::io::read_catalogue(CATALOGUE)?;
    let calendar = Calendar::vietnam();
    let step = |id: &str, unit: &str| EventKind::StepStarted {
        step: id.into(),
        unit: unit.into(),
    };
    let done = |id: &str| EventKind::StepFinished { step: id.into() };
    let hand = |from: &str, to: &str| EventKind::Transferred {
        from: from.into(),
        to: to.into(),
    };
    visit(
        &catalogue,
        &calendar,
        "H-LT-240603-0011",
        vec![
            (
                datetime!(2024-06-03 09:10 +7),
                EventKind::Received {
                    procedure: "1.004227".into(),
                    unit: "H-LT".into(),
                    channel: Channel::InPerson,
                },
            ),
            (datetime!(2024-06-03 09:30 +7), hand("H-LT", "VPDK")),
            (datetime!(2024-06-03 09:30 +7), step("kiem_tra", "VPDK")),
            (datetime!(2024-06-12 16:00 +7), done("kiem_tra")),
            (datetime!(2024-06-12 16:00 +7), hand("VPDK", "THUE")),
            (datetime!(2024-06-12 16:05 +7), step("thue", "THUE")),
            // The tax step has 3 working days (15% of 20); it takes five.
            (datetime!(2024-06-19 15:00 +7), done("thue")),
            (
                datetime!(2024-06-19 15:10 +7),
                EventKind::PaymentRequested {
                    amount_vnd: 48_600_000,
                },
            ),
            // Ten days waiting for the land levy: the clock stands still.
            (
                datetime!(2024-07-01 10:00 +7),
                EventKind::PaymentMade { online: false },
            ),
            (datetime!(2024-07-01 10:30 +7), hand("THUE", "H-LT")),
            (datetime!(2024-07-01 10:30 +7), step("ky_cap", "H-LT")),
            (datetime!(2024-07-05 11:00 +7), done("ky_cap")),
            (
                datetime!(2024-07-05 14:00 +7),
                EventKind::ResultReady { electronic: true },
            ),
            (
                datetime!(2024-07-08 09:00 +7),
                EventKind::ResultReturned {
                    method: ReturnMethod::InPerson,
                },
            ),
        ],
    )
}
