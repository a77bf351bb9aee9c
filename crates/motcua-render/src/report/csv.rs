//! The report as CSV, one table at a time, for spreadsheets.

use super::labels::{Lang, COUNT_COLUMNS};
use super::{Document, Section};
use crate::error::RenderError;
use crate::escape;
use motcua_core::LateReason;
use motcua_metrics::{Counts, Indicator, OnlineDenominator};
use std::fmt::Write;

fn csv_row(out: &mut String, fields: &[String]) -> std::fmt::Result {
    let line: Vec<String> = fields.iter().map(|f| escape::csv_cell(f)).collect();
    writeln!(out, "{}", line.join(","))
}

/// A CSV header: the machine key in English, the label in Vietnamese.
fn head(l: Lang, key: &str) -> String {
    match l {
        Lang::En => key.to_owned(),
        Lang::Vi => COUNT_COLUMNS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, vi)| (*vi).to_owned())
            .or_else(|| {
                VI_HEADS
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, vi)| (*vi).to_owned())
            })
            .unwrap_or_else(|| key.to_owned()),
    }
}

/// Vietnamese headers of the CSV columns that are not in `COUNT_COLUMNS`.
const VI_HEADS: [(&str, &str); 44] = [
    ("officer", "cán bộ xử lý"),
    ("steps_finished", "bước đã hoàn thành"),
    ("level", "cấp"),
    ("unit", "mã đơn vị"),
    ("name", "tên"),
    ("procedure", "mã thủ tục"),
    ("field", "lĩnh vực"),
    ("month", "tháng"),
    ("stopped", "dừng xử lý"),
    ("supplement_expired", "dừng do quá hạn bổ sung"),
    ("open_supplement_overdue", "chờ bổ sung quá hạn"),
    ("online_received", "nộp trực tuyến"),
    ("online_counted", "trực tuyến tính theo 766"),
    (
        "online_counted_offered",
        "trực tuyến (thủ tục có DVC trực tuyến)",
    ),
    (
        "received_offered_online",
        "tiếp nhận (thủ tục có DVC trực tuyến)",
    ),
    ("received_non_postal", "tiếp nhận (không qua bưu chính)"),
    ("handling_minutes", "phút làm việc đã dùng"),
    ("document_results", "kết quả là giấy tờ"),
    ("electronic_results", "kết quả điện tử"),
    ("fee_dossiers", "hồ sơ có phí, lệ phí"),
    ("paid_online", "thanh toán trực tuyến"),
    ("digitised", "số hóa"),
    ("reused", "tái sử dụng"),
    ("flagged", "phản ánh hoặc không hài lòng"),
    ("rated", "được đánh giá"),
    ("satisfied", "hài lòng"),
    ("late_steps", "bước trễ hạn"),
    ("handled", "đã giải quyết"),
    ("online", "trực tuyến"),
    ("verdict", "kết quả"),
    ("score_100", "điểm 766 thang 100"),
    ("band", "xếp loại"),
    ("dossier", "hồ sơ"),
    ("received_at", "thời điểm tiếp nhận"),
    ("official_due", "hạn xử lý"),
    ("promised_due", "hẹn lại"),
    ("overdue_minutes", "số phút quá hạn"),
    ("reason", "lý do"),
    ("code", "mã"),
    ("status", "trạng thái"),
    ("dossiers", "số hồ sơ"),
    (
        "average_handling_days",
        "thời gian giải quyết trung bình (ngày làm việc)",
    ),
    ("on_time_rate_percent", "tỷ lệ đúng hạn (%)"),
    ("online_rate_percent", "tỷ lệ trực tuyến (%)"),
];

fn counts_header(l: Lang) -> Vec<String> {
    let mut h: Vec<String> = Counts::FIELD_NAMES.iter().map(|k| head(l, k)).collect();
    h.extend(["to_handle", "handled", "open"].map(|k| head(l, k)));
    for i in Indicator::ALL {
        h.push(match l {
            Lang::En => format!("{}_percent", i.key()),
            Lang::Vi => format!("{} (%)", l.indicator(i)),
        });
    }
    h.push(head(l, "average_handling_days"));
    h
}

fn counts_fields(c: &Counts, online: OnlineDenominator) -> Vec<String> {
    let mut row: Vec<String> = c.fields().map(|(_, n)| n.to_string()).collect();
    row.extend([c.to_handle(), c.handled(), c.open()].map(|n| n.to_string()));
    for i in Indicator::ALL {
        row.push(i.rate_with(c, online).percent_2dp().unwrap_or_default());
    }
    row.push(
        c.average_handling_minutes()
            .quotient_2dp(480)
            .unwrap_or_default(),
    );
    row
}

/// One table as CSV, with a header row. Rates are percentages with 2 decimals, empty when not
/// applicable. Headers are machine keys in English, labels in Vietnamese. Every cell goes
/// through [`escape::csv_cell`] (quoted when needed, formulas neutralised).
///
/// # Errors
///
/// [`RenderError::Format`] if a value cannot be formatted (a bug, not bad data).
pub fn csv(doc: &Document<'_>, section: Section) -> Result<String, RenderError> {
    let mut out = String::new();
    write_csv(doc, section, &mut out).map_err(RenderError::format("the report as CSV"))?;
    Ok(out)
}

fn write_csv(b: &Document<'_>, section: Section, out: &mut String) -> std::fmt::Result {
    let l = b.lang;
    let s = |x: &str| x.to_owned();
    let h = |x: &str| head(l, x);
    let online = b.targets.online_denominator;
    let when = |t: Option<time::OffsetDateTime>| {
        t.and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
    };
    match section {
        Section::Officers => {
            csv_row(
                out,
                &[
                    h("officer"),
                    h("dossiers"),
                    h("steps_finished"),
                    h("late_steps"),
                ],
            )?;
            for (officer, c) in b.report.officers().into_iter().flat_map(|o| o.iter()) {
                csv_row(
                    out,
                    &[
                        s(officer.as_str()),
                        c.dossiers.to_string(),
                        c.steps_finished.to_string(),
                        c.late_steps.to_string(),
                    ],
                )?;
            }
        }
        Section::Status => {
            csv_row(out, &[h("code"), h("status"), h("dossiers")])?;
            for (code, count) in b.report.status_counts() {
                let label =
                    motcua_core::Status::from_national_code(*code).map_or("", |st| l.status(st));
                csv_row(out, &[code.to_string(), s(label), count.to_string()])?;
            }
        }
        Section::Overdue => {
            csv_row(
                out,
                &[
                    h("dossier"),
                    h("procedure"),
                    h("unit"),
                    h("received_at"),
                    h("official_due"),
                    h("promised_due"),
                    h("overdue_minutes"),
                    h("reason"),
                ],
            )?;
            for e in b.report.overdue() {
                let reason = match e.late_reason {
                    Some(LateReason::MultipleSupplements) => {
                        l.pick("multiple_supplements", "bổ sung hơn một lần")
                    }
                    _ => l.pick("past_due", "quá hạn xử lý"),
                };
                csv_row(
                    out,
                    &[
                        s(e.dossier_id.as_str()),
                        s(e.procedure.as_str()),
                        s(e.unit.as_str()),
                        when(e.received_at),
                        when(e.official_due),
                        when(e.promised_due),
                        e.overdue_minutes.to_string(),
                        s(reason),
                    ],
                )?;
            }
        }
        Section::Levels => {
            let mut header = vec![h("level")];
            header.extend(counts_header(l));
            csv_row(out, &header)?;
            let all = l.pick("province", "toàn tỉnh");
            let rows = b
                .report
                .by_level()
                .iter()
                .map(|(lv, c)| (l.level(*lv), c))
                .chain(std::iter::once((all, b.report.province())));
            for (name, c) in rows {
                let mut row = vec![s(name)];
                row.extend(counts_fields(c, online));
                csv_row(out, &row)?;
            }
        }
        Section::Procedures => {
            let mut header = vec![h("procedure"), h("name"), h("field")];
            header.extend(counts_header(l));
            csv_row(out, &header)?;
            for (code, c) in b.report.by_procedure() {
                let p = b.catalogue.procedure(code);
                let mut row = vec![
                    s(code.as_str()),
                    p.map_or_else(String::new, |p| p.name.clone()),
                    p.map_or_else(String::new, |p| p.field.clone()),
                ];
                row.extend(counts_fields(c, online));
                csv_row(out, &row)?;
            }
        }
        Section::Trend => {
            csv_row(
                out,
                &[
                    h("month"),
                    h("received"),
                    h("online_counted"),
                    h("handled"),
                    h("handled_late"),
                    h("on_time_rate_percent"),
                    h("online_rate_percent"),
                ],
            )?;
            for (m, p) in b.report.trend() {
                csv_row(
                    out,
                    &[
                        m.to_string(),
                        p.received.to_string(),
                        p.online_counted.to_string(),
                        p.handled.to_string(),
                        p.handled_late.to_string(),
                        p.on_time_rate().percent_2dp().unwrap_or_default(),
                        p.online_rate().percent_2dp().unwrap_or_default(),
                    ],
                )?;
            }
        }
        Section::Units => {
            let mut header = vec![h("level"), h("unit"), h("name")];
            header.extend(counts_header(l));
            for indicator in Indicator::ALL {
                let key = indicator.key();
                match l {
                    Lang::En => {
                        header.extend([format!("{key}_target_percent"), format!("{key}_verdict")])
                    }
                    Lang::Vi => header.extend([
                        format!("{} — chỉ tiêu (%)", l.indicator(indicator)),
                        format!("{} — kết quả", l.indicator(indicator)),
                    ]),
                }
            }
            header.extend([h("score_100"), h("band"), h("verdict")]);
            csv_row(out, &header)?;
            for card in &b.scorecard.levels {
                for unit in &card.units {
                    let counts = match b.scorecard.scope {
                        motcua_metrics::Scope::Own => b.report.unit(&unit.unit),
                        motcua_metrics::Scope::WithDescendants => {
                            b.report.unit_with_descendants(&unit.unit)
                        }
                    };
                    let mut row = vec![
                        s(l.level(card.level)),
                        s(unit.unit.as_str()),
                        unit.name.clone(),
                    ];
                    row.extend(counts_fields(&counts, online));
                    for indicator in Indicator::ALL {
                        match unit.indicator(indicator) {
                            Some(score) => row.extend([
                                score
                                    .target_bp
                                    .map(|t| format!("{}.{:02}", t / 100, t % 100))
                                    .unwrap_or_default(),
                                s(l.verdict(score.verdict)),
                            ]),
                            None => row.extend([String::new(), s(l.not_applicable())]),
                        }
                    }
                    row.push(
                        unit.points
                            .score_100_e2()
                            .map(|e2| format!("{}.{:02}", e2 / 100, e2 % 100))
                            .unwrap_or_default(),
                    );
                    row.push(
                        unit.points
                            .band
                            .map_or_else(String::new, |band| s(l.band(band))),
                    );
                    row.push(s(l.verdict(unit.verdict)));
                    csv_row(out, &row)?;
                }
            }
        }
    }
    Ok(())
}
