//! Business registration online (*đăng ký thành lập doanh nghiệp*, 3 working days, full online
//! service): submitted on a Friday night, accepted within the 8-working-hour window, fee paid
//! online, electronic result. Prints the view and the explanation after every event.
//!
//! Run with `cargo run --example business_registration`.

#[path = "common/walk.rs"]
mod walk;

use motcua::calendar::Calendar;
use motcua::{Channel, EventKind, ReturnMethod};
use time::macros::datetime;

const CATALOGUE: &str = r#"{"format": "motcua-catalogue", "version": 1,
  "units": [{"id": "S-KHDT", "name": "Sở Kế hoạch và Đầu tư", "level": "department"}],
  "procedures": [{"code": "2.001610", "field": "Thành lập và hoạt động doanh nghiệp", "level": "department",
    "name": "Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
    "time_limit": {"working_days": 3}, "online_service": "full",
    "fees": [{"name": "Lệ phí đăng ký doanh nghiệp", "amount_vnd": 50000}]}]}"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    play(&mut walk::walk)
}

/// Plays the example's dossiers, handing each to `visit` with the catalogue, the calendar, the
/// dossier's id and its story (`walk::walk` prints them; the golden tests of the forms,
/// `tests/forms.rs`, record them).
pub fn play(visit: &mut walk::Visit<'_>) -> Result<(), Box<dyn std::error::Error>> {
    let catalogue = motcua::io::read_catalogue(CATALOGUE)?;
    let calendar = Calendar::vietnam();
    let filed = || ("2.001610".into(), "S-KHDT".into(), Channel::Online);
    let (procedure, unit, channel) = filed();
    let (p2, u2, c2) = filed();
    visit(
        &catalogue,
        &calendar,
        "S-KHDT-240913-0042",
        vec![
            // Friday 13 September 2024, 21:40: outside office hours.
            (
                datetime!(2024-09-13 21:40 +7),
                EventKind::Submitted {
                    procedure,
                    unit,
                    channel,
                },
            ),
            // Accepted Monday morning: within 8 working hours of the next session.
            (
                datetime!(2024-09-16 10:15 +7),
                EventKind::Received {
                    procedure: p2,
                    unit: u2,
                    channel: c2,
                },
            ),
            (
                datetime!(2024-09-16 10:20 +7),
                EventKind::PaymentRequested { amount_vnd: 50_000 },
            ),
            (
                datetime!(2024-09-16 11:02 +7),
                EventKind::PaymentMade { online: true },
            ),
            (
                datetime!(2024-09-18 15:30 +7),
                EventKind::ResultReady { electronic: true },
            ),
            (
                datetime!(2024-09-18 15:31 +7),
                EventKind::ResultReturned {
                    method: ReturnMethod::Online,
                },
            ),
            (
                datetime!(2024-09-18 20:12 +7),
                EventKind::Rated { satisfied: true },
            ),
        ],
    )
}
