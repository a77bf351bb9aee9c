//! The report as aligned text for people (a terminal, a plain-text mail).

use super::labels::{Lang, COUNT_COLUMNS};
use super::{Document, Source};
use crate::error::RenderError;
use crate::escape;
use crate::format::num;
use crate::width::columns as width_of;
use motcua_metrics::score::display_e4;
use motcua_metrics::{Indicator, Ratio, TargetSet, UnitScore, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write;

/// A rate as `97.50%`, or `n/a` for a zero denominator.
pub(super) fn pct(r: &Ratio) -> String {
    r.percent_2dp()
        .map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"))
}

/// A target in basis points as `97%` or `97.5%`.
fn bp(target: u32) -> String {
    if target.is_multiple_of(100) {
        format!("{}%", target / 100)
    } else {
        format!("{}.{:02}%", target / 100, target % 100).replace("0%", "%")
    }
}

/// Pads or cuts to `width` columns ([`crate::width`]), control characters escaped first.
pub(super) fn cell(text: &str, width: usize) -> String {
    let text = escape::controls(text);
    let count = width_of(&text);
    if count <= width {
        format!("{text}{}", " ".repeat(width - count))
    } else {
        crate::width::cut(&text, width)
    }
}

/// A column of a text table: its header, wrapped at spaces to fit the column, and whether its
/// cells align right (numbers) or left (names).
pub(super) struct Column<'a> {
    head: &'a str,
    right: bool,
}

/// A left-aligned column.
pub(super) fn left(head: &str) -> Column<'_> {
    Column { head, right: false }
}

/// A right-aligned column.
pub(super) fn right(head: &str) -> Column<'_> {
    Column { head, right: true }
}

/// The most lines a header wraps to; a column widens rather than wrap more.
const HEAD_LINES: usize = 3;

/// Headers up to this many characters are never wrapped.
const SHORT_HEAD: usize = 10;

/// `text` wrapped at spaces into lines of at most `width` characters (a longer word on a line
/// of its own).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if width_of(line) + 1 + width_of(word) <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// A table whose headers fit: each column as wide as its widest cell or its longest header
/// word, widened until the header wraps to at most [`HEAD_LINES`] lines; headers sit on the
/// cells' side, their last line above the first row. Columns are two spaces apart, after
/// `indent`; cells are never cut (cut long names before), control characters escaped.
pub(super) fn grid(
    out: &mut String,
    indent: &str,
    columns: &[Column<'_>],
    rows: &[Vec<String>],
) -> std::fmt::Result {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| escape::controls(c).into_owned())
                .collect()
        })
        .collect();
    let mut heads: Vec<Vec<String>> = Vec::with_capacity(columns.len());
    let mut widths: Vec<usize> = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        let widest_cell = rows
            .iter()
            .filter_map(|row| row.get(i))
            .map(|c| width_of(c))
            .max()
            .unwrap_or(0);
        let longest_word = column.head.split(' ').map(width_of).max().unwrap_or(0);
        // Short headers stay on one line; long ones wrap rather than widen a column of
        // narrow numbers.
        let mut width = widest_cell
            .max(longest_word)
            .max(width_of(column.head).min(SHORT_HEAD));
        let mut lines = wrap(column.head, width);
        while lines.len() > HEAD_LINES {
            width += 1;
            lines = wrap(column.head, width);
        }
        heads.push(lines);
        widths.push(width);
    }
    let height = heads.iter().map(Vec::len).max().unwrap_or(0);
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(columns.iter().zip(&widths))
            .map(|(text, (column, width))| {
                let fill = " ".repeat(width.saturating_sub(width_of(text)));
                if column.right {
                    format!("{fill}{text}")
                } else {
                    format!("{text}{fill}")
                }
            })
            .collect();
        format!("{indent}{}", padded.join("  "))
            .trim_end()
            .to_owned()
    };
    for k in 0..height {
        let cells: Vec<&str> = heads
            .iter()
            .map(|lines| {
                // Bottom-aligned: a short header's lines are the last ones.
                let skip = height - lines.len();
                k.checked_sub(skip)
                    .and_then(|j| lines.get(j))
                    .map_or("", String::as_str)
            })
            .collect();
        writeln!(out, "{}", line(cells))?;
    }
    for row in &rows {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✓",
        Verdict::Fail => "✗",
        _ => " ",
    }
}

/// The targets in one line.
pub fn describe_targets(t: &TargetSet, l: Lang) -> String {
    let mut parts = Vec::new();
    for (indicator, targets) in &t.targets {
        let mut each = Vec::new();
        if let Some(v) = targets.all {
            each.push(bp(v));
        }
        for (level, v) in &targets.by_level {
            each.push(format!("{} {}", bp(*v), l.level(*level)));
        }
        parts.push(format!("{} ≥ {}", l.indicator(*indicator), each.join(", ")));
    }
    format!(
        "{}: {} ({} {})",
        t.name,
        parts.join("; "),
        l.pick("online rate over", "mẫu số trực tuyến:"),
        l.online_denominator(t.online_denominator)
    )
}

/// A section heading after a blank line.
fn heading(out: &mut String, title: &str) -> std::fmt::Result {
    writeln!(out)?;
    writeln!(out, "{title}")
}

/// The report as aligned text: a header, then each table under a heading; the overdue list
/// shows its `overdue_rows` longest. Control characters in names are shown escaped
/// ([`escape::controls`]); the caller still writes it through a terminal-safe writer if the
/// text may carry other outside bytes.
///
/// # Errors
///
/// [`RenderError::Format`] if a value cannot be formatted (a bug, not bad data).
pub fn table(doc: &Document<'_>, overdue_rows: usize) -> Result<String, RenderError> {
    let mut out = String::new();
    write_table(doc, overdue_rows, &mut out).map_err(RenderError::format("the report table"))?;
    Ok(out)
}

fn write_table(b: &Document<'_>, overdue_rows: usize, out: &mut String) -> std::fmt::Result {
    let data = &b.data;
    let l = b.lang;
    match &data.source {
        Source::Sample { dossiers, seed } => match l {
            Lang::En => writeln!(
                out,
                "motcua report — bundled sample province-year ({} dossiers, seed {seed}; synthetic data)",
                num(*dossiers as u64)
            )?,
            Lang::Vi => writeln!(
                out,
                "Báo cáo motcua — dữ liệu mẫu một tỉnh trong một năm ({} hồ sơ, seed {seed}; dữ liệu tổng hợp)",
                num(*dossiers as u64)
            )?,
        },
        source => writeln!(
            out,
            "{} — {}",
            l.pick("motcua report", "Báo cáo motcua"),
            source.location().unwrap_or_default()
        )?,
    }
    let offset = data.offset;
    writeln!(
        out,
        "  {} {} (UTC{:+03}:{:02}){}",
        cell(l.pick("as of", "tính đến"), 9),
        l.instant(data.as_of),
        offset.whole_hours(),
        offset.minutes_past_hour().unsigned_abs(),
        data.as_of_note(l)
            .map(|note| format!(" — {note}"))
            .unwrap_or_default()
    )?;
    if let Some(known_at) = data.known_at {
        writeln!(
            out,
            "  {} {} ({})",
            cell(l.pick("known at", "dữ liệu đến"), 9),
            l.instant(known_at),
            l.pick(
                "events recorded later are left out",
                "bỏ qua sự kiện ghi nhận sau thời điểm này"
            )
        )?;
    }
    writeln!(
        out,
        "  {} {} → {}",
        cell(l.pick("period", "kỳ"), 9),
        l.instant(b.period.start),
        l.instant(b.period.end)
    )?;
    writeln!(
        out,
        "  {} {}",
        cell(l.pick("calendar", "lịch"), 9),
        data.calendar_version
    )?;
    if let Some(record) = &data.catalogue {
        writeln!(
            out,
            "  {} {}",
            cell(l.pick("catalogue", "danh mục"), 9),
            record.judged_with(l)
        )?;
    }
    writeln!(
        out,
        "  {} {}",
        cell(l.pick("targets", "chỉ tiêu"), 9),
        describe_targets(&b.targets, l)
    )?;
    writeln!(
        out,
        "  {}  {}",
        l.pick("levels as of", "cấp tính theo ngày"),
        b.report.levels_as_of()
    )?;

    heading(
        out,
        l.pick(
            "DOSSIERS BY STATUS (national portal codes; dossiers alive in the period)",
            "HỒ SƠ THEO TRẠNG THÁI (mã cổng quốc gia; hồ sơ phát sinh trong kỳ)",
        ),
    )?;
    for (code, count) in b.report.status_counts() {
        let status = motcua_core::Status::from_national_code(*code);
        let label = status.map_or(String::new(), |s| match l {
            Lang::En => format!("{} ({})", s.label(), s.label_vi()),
            Lang::Vi => s.label_vi().to_owned(),
        });
        writeln!(out, "  {code:>4}  {}  {:>9}", cell(&label, 48), num(*count))?;
    }
    let c = b.report.province();
    for (label, count) in [
        (
            l.pick(
                "of those stopped: not supplemented in time",
                "trong đó dừng do quá hạn bổ sung",
            ),
            c.supplement_expired,
        ),
        (
            l.pick(
                "open, waiting for a supplement past its time",
                "đang chờ bổ sung quá thời hạn bổ sung",
            ),
            c.open_supplement_overdue,
        ),
    ] {
        writeln!(out, "        {}  {:>9}", cell(label, 48), num(count))?;
    }

    heading(
        out,
        l.pick(
            "FIGURES BY LEVEL (received, carried over, handled and open in the period)",
            "SỐ LIỆU THEO CẤP (tiếp nhận, chuyển qua, đã và đang giải quyết trong kỳ)",
        ),
    )?;
    let mut columns = vec![left(l.pick("level", "cấp"))];
    columns.extend(
        COUNT_COLUMNS
            .iter()
            .map(|(_, en, vi)| right(l.pick(en, vi))),
    );
    let rate_heads = [
        Indicator::Online,
        Indicator::OnTime,
        Indicator::Satisfaction,
    ]
    .map(|i| l.indicator_short(i));
    columns.extend(rate_heads.iter().map(|h| right(h)));
    let province = b.report.province();
    let all = l.pick("province (all)", "toàn tỉnh").to_owned();
    let rows: Vec<Vec<String>> = b
        .report
        .by_level()
        .iter()
        .map(|(lv, c)| (l.level(*lv).to_owned(), c))
        .chain(std::iter::once((all, province)))
        .map(|(name, c)| {
            let mut row = vec![name];
            row.extend(
                COUNT_COLUMNS
                    .iter()
                    .map(|(key, _, _)| num(super::count(c, key))),
            );
            row.extend([
                pct(&c.online_rate_with(b.targets.online_denominator)),
                pct(&c.on_time_rate()),
                pct(&c.satisfaction_rate()),
            ]);
            row
        })
        .collect();
    grid(out, "  ", &columns, &rows)?;

    heading(
        out,
        l.pick(
            "INDICATORS (Decision 766; province; points under the qd766 scheme)",
            "CHỈ SỐ (Quyết định 766; toàn tỉnh; điểm theo thang qd766)",
        ),
    )?;
    let points = b.scheme().score(province, b.targets.online_denominator);
    // The name column as wide as the longest name: names are never cut.
    let name_width = Indicator::ALL
        .iter()
        .map(|i| l.indicator(*i).chars().count())
        .chain([
            l.handling_time().chars().count(),
            l.pick(
                "766 score on 100 (applicable points)",
                "điểm 766 thang 100 (chỉ số áp dụng được)",
            )
            .chars()
            .count(),
        ])
        .max()
        .unwrap_or(0);
    for indicator in Indicator::ALL {
        let rate = indicator.rate_with(province, b.targets.online_denominator);
        let item = points
            .groups
            .iter()
            .flat_map(|g| g.items.iter())
            .find(|i| i.indicator == indicator);
        let pts = item.map_or_else(String::new, |i| {
            i.points_e4.map_or_else(
                || l.not_applicable().to_owned(),
                |e4| format!("{} / {}", display_e4(e4), i.points),
            )
        });
        writeln!(
            out,
            "{}",
            format!(
                "  {}{:>9}  {:>21}  {}",
                cell(&l.indicator(indicator), name_width),
                pct(&rate),
                format!("{} / {}", num(rate.num), num(rate.den)),
                pts
            )
            .trim_end()
        )?;
    }
    let (readable, exact) = super::handling_time(province, l);
    writeln!(
        out,
        "  {}  {}  ({exact})",
        cell(l.handling_time(), name_width),
        readable.unwrap_or_else(|| l.not_applicable().to_owned())
    )?;
    writeln!(
        out,
        "  {}{:>9}",
        cell(
            l.pick(
                "766 score on 100 (applicable points)",
                "điểm 766 thang 100 (chỉ số áp dụng được)"
            ),
            name_width
        ),
        points.score_100_e2().map_or_else(
            || l.not_applicable().to_owned(),
            |e2| format!("{}.{:02}", e2 / 100, e2 % 100)
        )
    )?;

    writeln!(out)?;
    writeln!(
        out,
        "{} {} ({})",
        l.pick("SCORECARD against", "BẢNG ĐÁNH GIÁ theo"),
        b.targets.name,
        match b.scorecard.scope {
            motcua_metrics::Scope::Own =>
                l.pick("each unit's own dossiers", "hồ sơ của từng đơn vị"),
            motcua_metrics::Scope::WithDescendants => l.pick(
                "each unit with its descendants",
                "đơn vị cùng các đơn vị trực thuộc"
            ),
        }
    )?;
    for card in &b.scorecard.levels {
        let judged: Vec<&UnitScore> = card
            .units
            .iter()
            .filter(|u| u.verdict != Verdict::NotApplicable)
            .collect();
        if judged.is_empty() {
            continue;
        }
        writeln!(
            out,
            "\n  {} — {} {}: {} {}, {} {}",
            l.level(card.level).to_uppercase(),
            judged.len(),
            l.pick("unit(s) judged", "đơn vị được đánh giá"),
            card.overall.pass,
            l.pick("pass", "đạt"),
            card.overall.fail,
            l.pick("fail", "không đạt")
        )?;
        let ranks: BTreeMap<&motcua_core::UnitId, u32> =
            card.ranking.iter().map(|r| (&r.unit, r.rank)).collect();
        let mut units = judged.clone();
        units.sort_by_key(|u| {
            (
                ranks.get(&u.unit).copied().unwrap_or(u32::MAX),
                u.unit.clone(),
            )
        });
        let rated = [
            Indicator::Online,
            Indicator::OnTime,
            Indicator::Satisfaction,
        ];
        let rows: Vec<Vec<String>> = units
            .iter()
            .map(|unit| {
                let counts = match b.scorecard.scope {
                    motcua_metrics::Scope::Own => b.report.unit(&unit.unit),
                    motcua_metrics::Scope::WithDescendants => {
                        b.report.unit_with_descendants(&unit.unit)
                    }
                };
                let column = |indicator: Indicator| -> String {
                    unit.indicator(indicator).map_or_else(String::new, |s| {
                        let target = s.target_bp.map_or_else(String::new, |t| {
                            format!(" ≥{}", bp(t).trim_end_matches('%'))
                        });
                        format!("{}{target} {}", pct(&s.rate), mark(s.verdict))
                    })
                };
                let mut row = vec![
                    ranks
                        .get(&unit.unit)
                        .map_or_else(|| "-".to_owned(), u32::to_string),
                    unit.unit.as_str().to_owned(),
                    cell(&unit.name, 34).trim_end().to_owned(),
                    num(counts.to_handle()),
                ];
                row.extend(rated.map(column));
                row.push(unit.points.score_100_e2().map_or_else(
                    || "-".to_owned(),
                    |e2| format!("{}.{:02}", e2 / 100, e2 % 100),
                ));
                row.push(l.verdict(unit.verdict).to_owned());
                row
            })
            .collect();
        let heads = rated.map(|i| l.indicator_short(i));
        let mut columns = vec![
            right("#"),
            left(l.pick("unit", "mã")),
            left(l.pick("name", "tên")),
            right(l.pick("to handle", "phải giải quyết")),
        ];
        columns.extend(heads.iter().map(|h| left(h)));
        columns.extend([
            right(l.pick("766 score", "điểm 766")),
            left(l.pick("verdict", "kết quả")),
        ]);
        grid(out, "  ", &columns, &rows)?;
        let idle = card.units.len() - judged.len();
        if idle > 0 {
            writeln!(
                out,
                "       ({idle} {})",
                l.pick(
                    "more unit(s) of this level handled no dossier of their own",
                    "đơn vị khác của cấp này không có hồ sơ"
                )
            )?;
        }
    }

    writeln!(out)?;
    let overdue = b.report.overdue();
    let shown = overdue.len().min(overdue_rows);
    writeln!(
        out,
        "{}: {} {}{} ({})",
        l.pick("OVERDUE DOSSIERS", "HỒ SƠ QUÁ HẠN"),
        num(overdue.len() as u64),
        l.pick("open past their official due", "hồ sơ đang quá hạn xử lý"),
        if shown < overdue.len() {
            match l {
                Lang::En => format!(" (the {shown} longest overdue; --overdue N for more)"),
                Lang::Vi => format!(" ({shown} hồ sơ quá hạn lâu nhất; --overdue N để xem thêm)"),
            }
        } else {
            String::new()
        },
        l.pick(
            "overdue by: working time, in working days of 8 hours",
            "quá hạn: thời gian làm việc, theo ngày làm việc 8 giờ"
        )
    )?;
    let rows: Vec<Vec<String>> = overdue[..shown]
        .iter()
        .map(|entry| {
            let super::OverdueRow {
                name,
                why,
                promised,
            } = super::OverdueRow::of(b, entry);
            let when = |t: Option<time::OffsetDateTime>| {
                t.map_or_else(|| "-".to_owned(), |t| l.instant(t))
            };
            vec![
                entry.dossier_id.as_str().to_owned(),
                cell(&format!("{} {name}", entry.procedure), 34)
                    .trim_end()
                    .to_owned(),
                entry.unit.as_str().to_owned(),
                when(entry.received_at),
                when(entry.official_due),
                promised,
                crate::format::working_days(entry.overdue_minutes, l == Lang::Vi),
                why.to_owned(),
            ]
        })
        .collect();
    if shown > 0 {
        // Left-aligned but for the time overdue.
        let columns: Vec<Column<'_>> = super::overdue_heads(l)
            .into_iter()
            .enumerate()
            .map(|(i, head)| if i == 6 { right(head) } else { left(head) })
            .collect();
        grid(out, "  ", &columns, &rows)?;
    }
    if let Some(officers) = b.report.officers() {
        heading(
            out,
            l.pick(
                "BY OFFICER (who recorded the step events; most late steps first)",
                "THEO CÁN BỘ XỬ LÝ (người ghi nhận các bước; nhiều bước trễ hạn nhất trước)",
            ),
        )?;
        let rows: Vec<Vec<String>> = officers
            .ranked()
            .into_iter()
            .map(|(officer, c)| {
                vec![
                    cell(officer.as_str(), 32).trim_end().to_owned(),
                    num(c.dossiers),
                    num(c.steps_finished),
                    num(c.late_steps),
                ]
            })
            .collect();
        let columns = [
            left(l.pick("officer", "cán bộ")),
            right(l.pick("dossiers", "hồ sơ")),
            right(l.pick("steps", "bước")),
            right(l.pick("late steps", "bước trễ hạn")),
        ];
        grid(out, "  ", &columns, &rows)?;
    }
    let unjudged = b.report.unjudged();
    if !unjudged.is_empty() {
        heading(
            out,
            l.pick(
                "DOSSIERS NOT JUDGED (counted nowhere above; the report is partial)",
                "HỒ SƠ KHÔNG ĐÁNH GIÁ ĐƯỢC (không tính vào số liệu trên; báo cáo chưa đầy đủ)",
            ),
        )?;
        const SHOWN: usize = 20;
        for (dossier, reason) in unjudged.iter().take(SHOWN) {
            writeln!(
                out,
                "  {}  {}",
                escape::controls(dossier.as_str()),
                escape::controls(reason)
            )?;
        }
        if unjudged.len() > SHOWN {
            writeln!(
                out,
                "  {}",
                match l {
                    Lang::En => format!(
                        "… and {} more (all of them in --format json)",
                        num(u64::try_from(unjudged.len() - SHOWN).unwrap_or(u64::MAX))
                    ),
                    Lang::Vi => format!(
                        "… và {} hồ sơ khác (đầy đủ trong --format json)",
                        num(u64::try_from(unjudged.len() - SHOWN).unwrap_or(u64::MAX))
                    ),
                }
            )?;
        }
    }
    heading(
        out,
        l.pick(
            "GLOSSARY (Decision 766/QĐ-TTg indicator numbers; docs/glossary.md)",
            "GIẢI THÍCH CHỈ SỐ (số hiệu chỉ số theo Quyết định 766/QĐ-TTg; docs/glossary.md)",
        ),
    )?;
    for line in l.glossary_lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_pad_and_cut_by_characters() {
        assert_eq!(cell("Sở", 4), "Sở  ");
        assert_eq!(cell("Đăng ký khai sinh", 6), "Đăng …");
    }

    #[test]
    fn headers_wrap_at_spaces_and_are_never_cut() {
        assert_eq!(
            wrap("đang giải quyết trong hạn", 9),
            ["đang giải", "quyết", "trong hạn"]
        );
        let mut out = String::new();
        let columns = [
            left("cấp"),
            right("đang giải quyết trong hạn"),
            right("từ chối tiếp nhận"),
        ];
        let rows = vec![vec![
            "toàn tỉnh".to_owned(),
            "91".to_owned(),
            "75".to_owned(),
        ]];
        grid(&mut out, "  ", &columns, &rows).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = out.lines().collect();
        // At most three header lines, bottom-aligned, then the row; every word whole.
        assert_eq!(lines.len(), 4, "{out}");
        for word in [
            "đang", "giải", "quyết", "trong", "hạn", "từ", "chối", "tiếp", "nhận",
        ] {
            assert!(out.contains(word), "{word}: {out}");
        }
        assert!(!out.contains('…'));
        assert!(lines[2].starts_with("  cấp "), "{out}");
        assert!(
            lines[3].starts_with("  toàn tỉnh") && lines[3].ends_with("75"),
            "{out}"
        );
        // Columns line up: each right-aligned cell ends where its header lines end.
        let end = |line: &str, word: &str| {
            line.find(word)
                .map(|i| line[..i + word.len()].chars().count())
        };
        assert_eq!(end(lines[2], "trong hạn"), end(lines[3], "91"), "{out}");
    }

    #[test]
    fn targets_read_as_percentages() {
        assert_eq!(bp(9700), "97%");
        assert_eq!(bp(9750), "97.5%");
        assert_eq!(bp(9725), "97.25%");
    }
}
