//! The engine's words in the reader's language: time classes, the clock, alarms, events and
//! the steps of a due's computation, for `explain`, `dossiers`, `alarms` and `changes`.
//! English is the engine's own wording (`motcua-core`'s labels and `Display`); Vietnamese is
//! the one-stop desk's. Free text from the events (reasons, names, legal bases) is shown as
//! recorded.
//!
//! ```
//! use motcua_core::{EventKind, TimeClass};
//! use motcua_render::{words, Lang};
//! assert_eq!(words::time_class(Lang::Vi, TimeClass::Overdue), "quá hạn");
//! let paid = EventKind::PaymentMade { online: true };
//! assert_eq!(words::event(Lang::En, &paid), "paid online");
//! assert_eq!(words::event(Lang::Vi, &paid), "đã thanh toán trực tuyến");
//! ```

use crate::Lang;
use motcua_core::calendar::{DayInfo, DayOffKind, DayReason};
use motcua_core::deadline::{PauseCause, TraceEntry};
use motcua_core::{AlarmKind, ClockState, EventKind, ReturnMethod, SupplementPolicy, TimeClass};
use motcua_core::{Status, TimeLimit};

/// A time class: `overdue`, `quá hạn`.
pub const fn time_class(l: Lang, class: TimeClass) -> &'static str {
    match l {
        Lang::En => class.label(),
        Lang::Vi => match class {
            TimeClass::Early => "trước hạn",
            TimeClass::OnTime => "đúng hạn",
            TimeClass::Late => "quá hạn (đã giải quyết)",
            TimeClass::WithinTime => "trong hạn",
            TimeClass::DueSoon => "sắp đến hạn",
            TimeClass::Overdue => "quá hạn",
            TimeClass::NotJudged => "không đánh giá",
        },
    }
}

/// A status: its English name, or its name on the national portal.
///
/// ```
/// use motcua_render::{words, Lang};
/// assert_eq!(words::status(Lang::Vi, motcua_core::Status::Processing), "đang xử lý");
/// ```
pub const fn status(l: Lang, status: Status) -> &'static str {
    l.pick(status.label(), status.label_vi())
}

/// What the clock is doing.
///
/// ```
/// use motcua_render::{words, Lang};
/// assert_eq!(words::clock(Lang::Vi, motcua_core::ClockState::Running), "đang tính");
/// ```
pub const fn clock(l: Lang, clock: ClockState) -> &'static str {
    match l {
        Lang::En => clock.label(),
        Lang::Vi => match clock {
            ClockState::NotStarted => "chưa tính (chưa tiếp nhận)",
            ClockState::Running => "đang tính",
            ClockState::Paused(PauseCause::Supplement) => "tạm dừng, chờ bổ sung hồ sơ",
            ClockState::Paused(PauseCause::Payment) => "tạm dừng, chờ thực hiện nghĩa vụ tài chính",
            ClockState::Stopped => "đã dừng (hồ sơ đã giải quyết xong)",
            ClockState::NoLimit => "không có thời hạn",
        },
    }
}

/// An alarm: what happens at its instant.
///
/// ```
/// use motcua_core::AlarmKind;
/// use motcua_render::{words, Lang};
/// assert_eq!(words::alarm(Lang::Vi, &AlarmKind::DueSoonBegins), "bắt đầu sắp đến hạn");
/// ```
pub fn alarm(l: Lang, kind: &AlarmKind) -> String {
    match l {
        Lang::En => kind.label(),
        Lang::Vi => match kind {
            AlarmKind::AcceptDeadlinePassed => "hết hạn tiếp nhận".to_owned(),
            AlarmKind::DueSoonBegins => "bắt đầu sắp đến hạn".to_owned(),
            AlarmKind::OfficialDuePassed => "qua hạn xử lý: quá hạn".to_owned(),
            AlarmKind::PromisedDuePassed => "qua ngày hẹn lại".to_owned(),
            AlarmKind::StepDuePassed { step, unit } => {
                format!("bước {step} tại {unit}: qua hạn của bước")
            }
            AlarmKind::SupplementDuePassed => "hết thời hạn bổ sung hồ sơ của người nộp".to_owned(),
        },
    }
}

fn return_method(l: Lang, m: ReturnMethod) -> &'static str {
    match m {
        ReturnMethod::InPerson => l.pick("in person", "trực tiếp"),
        ReturnMethod::Online => l.pick("online", "trực tuyến"),
        ReturnMethod::Postal => l.pick("by post", "qua bưu chính"),
    }
}

/// One line describing an event for a person.
pub fn event(l: Lang, kind: &EventKind) -> String {
    let vi = l == Lang::Vi;
    match kind {
        EventKind::Submitted {
            procedure,
            unit,
            channel: c,
        } => match l {
            Lang::En => format!("submitted ({}) for {procedure} to {unit}", l.channel(*c)),
            Lang::Vi => format!(
                "nộp hồ sơ ({}) thủ tục {procedure} tới {unit}",
                l.channel(*c)
            ),
        },
        EventKind::Received {
            procedure,
            unit,
            channel: c,
        } => match l {
            Lang::En => format!("received ({}) for {procedure} at {unit}", l.channel(*c)),
            Lang::Vi => format!(
                "tiếp nhận ({}) thủ tục {procedure} tại {unit}",
                l.channel(*c)
            ),
        },
        EventKind::RefusedAtReception { reason } => {
            format!(
                "{}: {reason}",
                l.pick("refused at reception", "từ chối tiếp nhận")
            )
        }
        EventKind::StepStarted { step, unit } => match l {
            Lang::En => format!("step {step} started at {unit}"),
            Lang::Vi => format!("bắt đầu bước {step} tại {unit}"),
        },
        EventKind::StepFinished { step } => match l {
            Lang::En => format!("step {step} finished"),
            Lang::Vi => format!("hoàn thành bước {step}"),
        },
        EventKind::Transferred { from, to } => match l {
            Lang::En => format!("transferred from {from} to {to}"),
            Lang::Vi => format!("chuyển từ {from} đến {to}"),
        },
        EventKind::SupplementRequested { reason } => format!(
            "{}: {reason}",
            l.pick("supplement requested", "yêu cầu bổ sung hồ sơ")
        ),
        EventKind::SupplementSupplied => {
            l.pick("supplement supplied", "đã bổ sung hồ sơ").to_owned()
        }
        EventKind::SupplementExpired => l
            .pick("supplement deadline passed", "hết thời hạn bổ sung hồ sơ")
            .to_owned(),
        EventKind::PaymentRequested { amount_vnd } => match l {
            Lang::En => format!("payment of {amount_vnd} VND requested"),
            Lang::Vi => format!("yêu cầu nộp {} đồng", crate::format::num(*amount_vnd)),
        },
        EventKind::PaymentMade { online } => match (vi, *online) {
            (false, true) => "paid online".to_owned(),
            (false, false) => "paid at the desk".to_owned(),
            (true, true) => "đã thanh toán trực tuyến".to_owned(),
            (true, false) => "đã thanh toán tại quầy".to_owned(),
        },
        EventKind::ApologyIssued { new_due, reason } => match l {
            Lang::En => format!(
                "apology, new appointment {} ({reason})",
                l.instant(*new_due)
            ),
            Lang::Vi => format!("xin lỗi, hẹn lại {} ({reason})", l.instant(*new_due)),
        },
        EventKind::DueExtended {
            new_due,
            legal_basis,
        } => match l {
            Lang::En => format!("extended to {} under {legal_basis}", l.instant(*new_due)),
            Lang::Vi => format!("gia hạn đến {} theo {legal_basis}", l.instant(*new_due)),
        },
        EventKind::Withdrawn { reason } => {
            format!("{}: {reason}", l.pick("withdrawn", "rút hồ sơ"))
        }
        EventKind::Stopped { reason } => format!("{}: {reason}", l.pick("stopped", "dừng xử lý")),
        EventKind::ResultReady { electronic } => match (vi, *electronic) {
            (false, true) => "result ready (electronic)".to_owned(),
            (false, false) => "result ready".to_owned(),
            (true, true) => "có kết quả (bản điện tử)".to_owned(),
            (true, false) => "có kết quả".to_owned(),
        },
        EventKind::ResultReturned { method } => match l {
            Lang::En => format!("result returned ({})", return_method(l, *method)),
            Lang::Vi => format!("đã trả kết quả ({})", return_method(l, *method)),
        },
        EventKind::Digitised {
            components,
            digitised,
            reused,
        } => match l {
            Lang::En => {
                format!("digitised {digitised} of {components} component(s), {reused} reused")
            }
            Lang::Vi => {
                format!("số hóa {digitised}/{components} thành phần hồ sơ, tái sử dụng {reused}")
            }
        },
        EventKind::FeedbackFiled { summary } => format!(
            "{}: {summary}",
            l.pick("feedback filed", "phản ánh, kiến nghị")
        ),
        EventKind::CalendarReevaluated { calendar } => match l {
            Lang::En => format!("re-evaluated under calendar {calendar}"),
            Lang::Vi => format!("tính lại theo lịch {calendar}"),
        },
        EventKind::Rated { satisfied } => match (vi, *satisfied) {
            (false, true) => "rated: satisfied".to_owned(),
            (false, false) => "rated: not satisfied".to_owned(),
            (true, true) => "đánh giá: hài lòng".to_owned(),
            (true, false) => "đánh giá: không hài lòng".to_owned(),
        },
    }
}

/// A time limit in Vietnamese.
fn limit_vi(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} ngày làm việc"),
        TimeLimit::WorkingHours(n) => format!("{n} giờ làm việc"),
        TimeLimit::CalendarDays(n) => {
            format!("{n} ngày (theo lịch), lùi sang ngày làm việc kế tiếp")
        }
        TimeLimit::SameDay { cutoff } => format!(
            "trong ngày, tiếp nhận trước {:02}:{:02}",
            cutoff.hour(),
            cutoff.minute()
        ),
        TimeLimit::None => "không có thời hạn".to_owned(),
    }
}

/// Why a day is skipped or counted, in Vietnamese.
fn day_vi(day: &DayInfo) -> String {
    match &day.reason {
        DayReason::Weekend => "nghỉ cuối tuần".to_owned(),
        DayReason::DayOff { kind, name } => {
            let kind = match kind {
                DayOffKind::Holiday => "nghỉ lễ, Tết",
                DayOffKind::Compensatory => "nghỉ bù",
                DayOffKind::SwapOff => "nghỉ hoán đổi",
                _ => "nghỉ theo quy định địa phương",
            };
            format!("{kind}, {name}")
        }
        DayReason::MakeupWorkday { name } => format!("ngày làm bù, {name}"),
        DayReason::RegularWorkday => "ngày làm việc".to_owned(),
    }
}

fn pause_vi(cause: PauseCause) -> &'static str {
    match cause {
        PauseCause::Supplement => "chờ bổ sung hồ sơ",
        PauseCause::Payment => "chờ thực hiện nghĩa vụ tài chính",
    }
}

/// One step of a due's computation (`explain`), lines after the first indented by four spaces.
///
/// ```
/// use motcua_core::deadline::TraceEntry;
/// use motcua_render::{words, Lang};
/// assert_eq!(words::trace(Lang::Vi, &TraceEntry::NoLimit), "thủ tục không có thời hạn giải quyết: không bao giờ quá hạn");
/// ```
pub fn trace(l: Lang, entry: &TraceEntry) -> String {
    if l == Lang::En {
        return entry.to_string();
    }
    let t = |t: &time::OffsetDateTime| l.instant(*t);
    match entry {
        TraceEntry::Rule {
            procedure,
            limit,
            supplement_policy,
            payment_pauses_clock,
            calendar,
            in_force,
        } => format!(
            "quy định: {procedure} (phiên bản áp dụng {}): {}; khi yêu cầu bổ sung: {}; chờ nộp phí, thuế: {}; lịch {calendar}",
            in_force_vi(in_force),
            limit_vi(*limit),
            match supplement_policy {
                SupplementPolicy::Restart => "tính lại từ đầu khi nhận đủ hồ sơ",
                SupplementPolicy::Pause => "tạm dừng thời gian",
                SupplementPolicy::Shift => "lùi hạn theo số ngày chờ",
            },
            if *payment_pauses_clock {
                "tạm dừng thời gian"
            } else {
                "không dừng thời gian"
            },
        ),
        TraceEntry::Received { at, clock_starts } => {
            if at == clock_starts {
                format!(
                    "tiếp nhận {} (trong giờ hành chính): bắt đầu tính thời gian từ lúc đó",
                    t(at)
                )
            } else {
                format!(
                    "tiếp nhận {} (ngoài giờ hành chính): bắt đầu tính từ buổi làm việc kế tiếp, {}",
                    t(at),
                    t(clock_starts)
                )
            }
        }
        TraceEntry::Counted {
            from,
            due,
            skipped,
            makeup_days,
            restart,
        } => {
            let what = if *restart {
                "nhận đủ hồ sơ: tính lại thời hạn"
            } else {
                "tính thời hạn"
            };
            let mut text = format!("{what} từ {} được {}", t(from), t(due));
            let mut days: Vec<(&DayInfo, &str)> =
                skipped.iter().map(|d| (d, "bỏ qua")).collect();
            days.extend(makeup_days.iter().map(|d| (d, "có tính")));
            days.sort_by_key(|(d, _)| d.date);
            for (day, verb) in days {
                text.push_str(&format!("\n    {verb} {}: {}", l.day(day.date), day_vi(day)));
            }
            text
        }
        TraceEntry::Paused {
            cause,
            from,
            until: None,
            due,
            ..
        } => format!(
            "tạm dừng thời gian ({}) từ {}: hạn vẫn là {} và lùi thêm đúng thời gian chờ khi hết chờ",
            pause_vi(*cause),
            t(from),
            t(due)
        ),
        TraceEntry::Paused {
            cause,
            from,
            until: Some(until),
            wall_minutes: Some(wall),
            due,
            ..
        } => format!(
            "tạm dừng thời gian ({}) từ {} đến {}: hạn lùi thêm đúng thời gian chờ, {}; hạn nay là {}",
            pause_vi(*cause),
            t(from),
            t(until),
            motcua_core::deadline::wall_time(*wall, ["ngày", "giờ", "phút"]),
            t(due)
        ),
        TraceEntry::Paused {
            cause,
            from,
            until: Some(until),
            working_minutes,
            due,
            ..
        } => format!(
            "tạm dừng thời gian ({}) từ {} đến {}: không tính {working_minutes} phút làm việc; hạn nay là {}",
            pause_vi(*cause),
            t(from),
            t(until),
            t(due)
        ),
        TraceEntry::Shifted {
            from,
            until: None,
            due,
            ..
        } => format!(
            "chờ bổ sung hồ sơ từ {}: hạn vẫn là {} và lùi thêm số ngày chờ khi nhận bổ sung",
            t(from),
            t(due)
        ),
        TraceEntry::Shifted {
            from,
            until: Some(until),
            calendar_days,
            due,
        } => format!(
            "chờ bổ sung hồ sơ từ {} đến {}: hạn lùi {calendar_days} ngày, đến {}",
            t(from),
            t(until),
            t(due)
        ),
        TraceEntry::AwaitingRestart { since } => format!(
            "yêu cầu bổ sung {}: dừng tính thời gian, tính lại từ đầu khi nhận đủ hồ sơ",
            t(since)
        ),
        TraceEntry::Extended {
            at,
            legal_basis,
            due,
        } => format!(
            "gia hạn {} theo {legal_basis}: hạn xử lý nay là {}",
            t(at),
            t(due)
        ),
        TraceEntry::Apology {
            at,
            reason,
            promised,
        } => format!(
            "phiếu xin lỗi {} ({reason}): hẹn lại {}; hạn xử lý chính thức không đổi",
            t(at),
            t(promised)
        ),
        TraceEntry::SupplementDue {
            requested,
            limit,
            due,
        } => format!(
            "yêu cầu bổ sung {}: người nộp có {} để bổ sung, đến {}",
            t(requested),
            limit_vi(*limit),
            t(due)
        ),
        TraceEntry::NoLimit => {
            "thủ tục không có thời hạn giải quyết: không bao giờ quá hạn".to_owned()
        }
    }
}

/// A version's time in force (`always`, `from 2024-07-01`, …) in Vietnamese.
///
/// ```
/// use motcua_render::{words, Lang};
/// assert_eq!(words::in_force(Lang::Vi, "from 2024-07-01 until 2025-06-30"), "từ 2024-07-01 đến 2025-06-30");
/// assert_eq!(words::in_force(Lang::Vi, "always"), "mọi thời điểm");
/// assert_eq!(words::in_force(Lang::En, "always"), "always");
/// ```
pub fn in_force(l: Lang, text: &str) -> String {
    match l {
        Lang::En => text.to_owned(),
        Lang::Vi => in_force_vi(text),
    }
}

fn in_force_vi(text: &str) -> String {
    if text == "always" {
        return "mọi thời điểm".to_owned();
    }
    text.replace("from ", "từ ")
        .replace(" until ", " đến ")
        .replace("until ", "đến ")
}

/// The first 12 hexadecimal digits of a SHA-256, as a catalogue record is named.
fn short_sha256(sha256: &str) -> &str {
    sha256.get(..12).unwrap_or(sha256)
}

/// Which catalogue record judged: record `number` of the store's `of`, named by the first 12
/// digits of its SHA-256 (`motcua_store::catalogue_records`).
///
/// ```
/// use motcua_render::{words, Lang};
/// let sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
/// assert_eq!(words::judged_with(Lang::En, 2, 3, sha), "judged with record 2 of 3 (sha256 0123456789ab…)");
/// assert_eq!(words::judged_with(Lang::Vi, 2, 3, sha), "đánh giá theo bản ghi 2/3 (sha256 0123456789ab…)");
/// ```
pub fn judged_with(l: Lang, number: u64, of: u64, sha256: &str) -> String {
    let sha = short_sha256(sha256);
    match l {
        Lang::En => format!("judged with record {number} of {of} (sha256 {sha}…)"),
        Lang::Vi => format!("đánh giá theo bản ghi {number}/{of} (sha256 {sha}…)"),
    }
}

/// The catalogue record in force when a dossier was received into the log, when it is not the
/// one that judged it.
///
/// ```
/// use motcua_render::{words, Lang};
/// let sha = "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789";
/// assert_eq!(words::received_under(Lang::En, 1, sha), "received under record 1 (sha256 abcdef012345…)");
/// assert_eq!(words::received_under(Lang::Vi, 1, sha), "tiếp nhận khi áp dụng bản ghi 1 (sha256 abcdef012345…)");
/// ```
pub fn received_under(l: Lang, number: u64, sha256: &str) -> String {
    let sha = short_sha256(sha256);
    match l {
        Lang::En => format!("received under record {number} (sha256 {sha}…)"),
        Lang::Vi => format!("tiếp nhận khi áp dụng bản ghi {number} (sha256 {sha}…)"),
    }
}
