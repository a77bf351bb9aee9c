//! The self-contained HTML report: inline CSS and SVG, no script, no network reference.
//! Byte-identical for the same input.
//!
//! Sections: the header (data, period, targets, the day levels are taken as of), the province's
//! figures by level, the indicators with their 766 points, per level the bars of each unit's
//! rates against the target line and the level's scorecard, the monthly trend of the on-time and
//! online rates, the procedures and steps that produce the most late dossiers (and the units the
//! late steps are blamed on), and the overdue list.

use super::labels::{Lang, COUNT_COLUMNS};
use super::{Document, Source};
use crate::error::RenderError;
use crate::escape::html as esc;
use crate::format::num;
use motcua_core::{Level, UnitId};
use motcua_metrics::score::display_e4;
use motcua_metrics::{Counts, Indicator, LevelCard, Ratio, Verdict};
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn pct(lang: Lang, r: &Ratio) -> String {
    r.percent_2dp()
        .map_or_else(|| lang.not_applicable().to_owned(), |p| format!("{p}%"))
}

fn bp(target: u32) -> String {
    format!("{}.{:02}%", target / 100, target % 100)
}

fn when(l: Lang, t: Option<time::OffsetDateTime>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| l.instant(t))
}

/// The lowest rate a chart's axis shows: 5 points under the lowest rate or target plotted,
/// rounded down to a multiple of 5 % (0 at least), in basis points; so that 92 % and 99 % do
/// not look alike on a 0–100 % axis.
fn axis_floor(rates: impl Iterator<Item = u32>) -> u32 {
    let lowest = rates.min().unwrap_or(0).min(10_000);
    (lowest.saturating_sub(500) / 500) * 500
}

/// A rate in basis points, capped at 100 %; `None` when not applicable.
fn rate_bp(r: &Ratio) -> Option<u32> {
    r.basis_points_rounded()
        .map(|bp| u32::try_from(bp.min(10_000)).unwrap_or(10_000))
}

/// A bar's length in pixels for a rate over `width`, on an axis from `floor` to 100 %.
fn bar_px(r: &Ratio, width: u64, floor: u32) -> u64 {
    rate_bp(r).map_or(0, |bp| axis_px(bp, width, floor))
}

/// Where a rate (in basis points) sits on an axis from `floor` to 100 %.
fn axis_px(bp: u32, width: u64, floor: u32) -> u64 {
    let span = u64::from(10_000 - floor.min(9_999));
    u64::from(bp.min(10_000).saturating_sub(floor)) * width / span
}

fn unit_name(b: &Document<'_>, id: &UnitId) -> String {
    b.catalogue
        .unit(id)
        .map_or_else(|| id.as_str().to_owned(), |u| u.name.clone())
}

const CSS: &str = "body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;font-size:14px}\
h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #2b5797}\
h3{font-size:15px;margin:16px 0 6px}table{border-collapse:collapse;margin:6px 0}\
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}th{background:#eef2f8}\
td.l,th.l{text-align:left}.pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}\
.na{color:#888}.nw{white-space:nowrap}.note{color:#555;font-size:12px}svg{display:block;margin:6px 0}";

/// The report as one self-contained HTML page in the document's language: inline CSS and SVG
/// charts, no script, no network; every outside text escaped ([`crate::escape::html`]).
///
/// # Errors
///
/// [`RenderError::Format`] if a value cannot be formatted (a bug, not bad data).
pub fn html(doc: &Document<'_>) -> Result<String, RenderError> {
    let mut h = String::new();
    render(doc, &mut h).map_err(RenderError::format("the HTML report"))?;
    Ok(h)
}

fn render(b: &Document<'_>, h: &mut String) -> std::fmt::Result {
    let l = b.lang;
    let title = l.pick(
        "motcua report: one-stop dossiers",
        "Báo cáo motcua: giải quyết thủ tục hành chính",
    );
    writeln!(h, "<!DOCTYPE html>")?;
    writeln!(h, "<html lang=\"{}\">", l.code())?;
    writeln!(
        h,
        "<head><meta charset=\"utf-8\"><title>{}</title><style>{CSS}</style></head>",
        esc(title)
    )?;
    writeln!(h, "<body>")?;
    header(b, l, h)?;
    province(b, l, h)?;
    // A level none of whose units has a dossier gets no section: one line names them all.
    let mut empty = Vec::new();
    for card in &b.scorecard.levels {
        if has_dossiers(b, card) {
            level_section(b, l, card, h)?;
        } else {
            empty.push(format!(
                "{} ({} {})",
                l.level(card.level),
                card.units.len(),
                l.pick("unit(s)", "đơn vị")
            ));
        }
    }
    if !empty.is_empty() {
        writeln!(
            h,
            "<p class=\"note\">{} {}.</p>",
            esc(l.pick(
                "No dossier in the period, so no section, at these levels:",
                "Không có hồ sơ trong kỳ, nên không có mục riêng, ở các cấp:"
            )),
            esc(&empty.join(", "))
        )?;
    }
    trend(b, l, h)?;
    late(b, l, h)?;
    officers(b, l, h)?;
    overdue(b, l, h)?;
    notes(b, l, h)?;
    writeln!(h, "</body>")?;
    writeln!(h, "</html>")
}

fn header(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<h1>{}</h1>",
        esc(l.pick(
            "motcua report: one-stop dossiers",
            "Báo cáo motcua: giải quyết thủ tục hành chính"
        ))
    )?;
    let source = match &b.data.source {
        Source::Sample { dossiers, seed } => format!(
            "{} ({} {}, seed {seed})",
            l.pick(
                "bundled synthetic sample province-year",
                "dữ liệu mẫu tổng hợp một tỉnh trong một năm"
            ),
            num(*dossiers as u64),
            l.pick("dossiers", "hồ sơ"),
        ),
        source => source.location().unwrap_or_default(),
    };
    let source = match &b.data.catalogue {
        Some(record) => format!(
            "{source} — {} {}",
            l.pick("catalogue", "danh mục"),
            record.judged_with(l)
        ),
        None => source,
    };
    let rows = [
        (l.pick("data", "dữ liệu"), source),
        (
            l.pick("period", "kỳ báo cáo"),
            format!(
                "{} → {}",
                l.instant(b.period.start),
                l.instant(b.period.end)
            ),
        ),
        (
            l.pick("as of", "tính đến"),
            match b.data.as_of_note(l) {
                Some(note) => format!("{} — {note}", l.instant(b.data.as_of)),
                None => l.instant(b.data.as_of),
            },
        ),
        (
            l.pick("levels as of", "cấp hành chính tính theo ngày"),
            b.report.levels_as_of().to_string(),
        ),
        (
            l.pick("targets", "chỉ tiêu"),
            format!("{} — {}", b.targets.name, l.targets_description(&b.targets)),
        ),
        (
            l.pick("online rate over", "mẫu số tỷ lệ trực tuyến"),
            l.online_denominator(b.targets.online_denominator)
                .to_owned(),
        ),
        (
            l.pick("units judged on", "đơn vị được đánh giá theo"),
            match b.scorecard.scope {
                motcua_metrics::Scope::Own => {
                    l.pick("their own dossiers", "hồ sơ do chính đơn vị tiếp nhận")
                }
                motcua_metrics::Scope::WithDescendants => l.pick(
                    "their dossiers and their descendants'",
                    "hồ sơ của đơn vị và các đơn vị trực thuộc",
                ),
            }
            .to_owned(),
        ),
    ];
    writeln!(h, "<table>")?;
    for (k, v) in rows {
        writeln!(
            h,
            "<tr><th class=\"l\">{}</th><td class=\"l\">{}</td></tr>",
            esc(k),
            esc(&v)
        )?;
    }
    writeln!(h, "</table>")
}

fn counts_row(h: &mut String, name: &str, c: &Counts) -> std::fmt::Result {
    write!(h, "<tr><td class=\"l\">{}</td>", esc(name))?;
    for (key, _, _) in COUNT_COLUMNS {
        write!(h, "<td>{}</td>", num(super::count(c, key)))?;
    }
    writeln!(h, "</tr>")
}

fn province(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.pick("Figures by level", "Số liệu theo cấp"))
    )?;
    write!(
        h,
        "<table><tr><th class=\"l\">{}</th>",
        esc(l.pick("level", "cấp"))
    )?;
    for (_, en, vi) in COUNT_COLUMNS {
        write!(h, "<th>{}</th>", esc(l.pick(en, vi)))?;
    }
    writeln!(h, "</tr>")?;
    for (level, c) in b.report.by_level() {
        counts_row(h, l.level(*level), c)?;
    }
    counts_row(
        h,
        l.pick("province (all)", "toàn tỉnh"),
        b.report.province(),
    )?;
    writeln!(h, "</table>")?;
    write!(
        h,
        "<table><tr><th class=\"l\">{}</th>",
        esc(l.pick("channel", "kênh"))
    )?;
    for (_, en, vi) in COUNT_COLUMNS {
        write!(h, "<th>{}</th>", esc(l.pick(en, vi)))?;
    }
    writeln!(h, "</tr>")?;
    for (channel, c) in b.report.by_channel() {
        counts_row(h, l.channel(*channel), c)?;
    }
    writeln!(h, "</table>")?;

    writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.pick("Indicators (Decision 766)", "Chỉ số (Quyết định 766)"))
    )?;
    let p = b.report.province();
    let points = b.scheme().score(p, b.targets.online_denominator);
    writeln!(
        h,
        "<table><tr><th class=\"l\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(l.pick("indicator", "chỉ số")),
        esc(l.pick("province", "toàn tỉnh")),
        esc(l.pick("fraction", "phân số")),
        esc(l.pick("766 points", "điểm 766")),
        esc(l.pick("766 threshold", "ngưỡng 766")),
    )?;
    for indicator in Indicator::ALL {
        let rate = indicator.rate_with(p, b.targets.online_denominator);
        let item = points
            .groups
            .iter()
            .flat_map(|g| g.items.iter())
            .find(|i| i.indicator == indicator);
        let (pts, threshold) = match item {
            Some(i) => (
                i.points_e4.map_or_else(
                    || l.not_applicable().to_owned(),
                    |e4| format!("{} / {}", display_e4(e4), i.points),
                ),
                bp(i.threshold_bp),
            ),
            None => (String::new(), String::new()),
        };
        writeln!(
            h,
            "<tr><td class=\"l\" title=\"{}\">{}</td><td>{}</td><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            esc(l.glossary(indicator)),
            esc(&l.indicator(indicator)),
            pct(l, &rate),
            num(rate.num),
            num(rate.den),
            esc(&pts),
            threshold
        )?;
    }
    let (readable, exact) = super::handling_time(p, l);
    writeln!(
        h,
        "<tr><td class=\"l\" title=\"{}\">{}</td><td class=\"nw\" title=\"{}\">{}</td><td>{}</td><td></td><td></td></tr>",
        esc(l.handling_time_glossary()),
        esc(l.handling_time()),
        esc(&exact),
        esc(&readable.unwrap_or_else(|| l.not_applicable().to_owned())),
        esc(&exact)
    )?;
    writeln!(h, "</table>")?;
    writeln!(
        h,
        "<table><tr><th class=\"l\">{}</th><th>{}</th></tr>",
        esc(l.pick("766 group", "nhóm 766")),
        esc(l.pick("points", "điểm"))
    )?;
    for g in &points.groups {
        let v = g.points_e4.map_or_else(
            || l.not_applicable().to_owned(),
            |e4| format!("{} / {}", display_e4(e4), g.applicable_max),
        );
        writeln!(
            h,
            "<tr><td class=\"l\">{} ({})</td><td>{}</td></tr>",
            esc(l.group(g.group)),
            g.max_points,
            esc(&v)
        )?;
    }
    let total = points.score_100_e2().map_or_else(
        || l.not_applicable().to_owned(),
        |e2| {
            format!(
                "{}.{:02} / 100 ({})",
                e2 / 100,
                e2 % 100,
                points.band.map_or("", |band| l.band(band))
            )
        },
    );
    writeln!(
        h,
        "<tr><th class=\"l\">{}</th><th>{}</th></tr></table>",
        esc(l.pick(
            "score on 100 over the applicable points",
            "điểm quy về thang 100 trên các chỉ số áp dụng được"
        )),
        esc(&total)
    )
}

/// The indicators charted for a level: on-time and online always, then every other indicator
/// with a target at that level.
fn charted(b: &Document<'_>, level: Level) -> Vec<Indicator> {
    Indicator::ALL
        .into_iter()
        .filter(|i| {
            matches!(i, Indicator::OnTime | Indicator::Online)
                || b.targets.target_bp(*i, level).is_some()
        })
        .collect()
}

/// A unit's counts as the scorecard judged them (its own, or with its descendants').
fn judged_counts(b: &Document<'_>, id: &UnitId) -> Counts {
    match b.scorecard.scope {
        motcua_metrics::Scope::Own => b.report.unit(id),
        motcua_metrics::Scope::WithDescendants => b.report.unit_with_descendants(id),
    }
}

/// Whether any unit of a level has a dossier in the period.
fn has_dossiers(b: &Document<'_>, card: &LevelCard) -> bool {
    card.units
        .iter()
        .any(|u| !judged_counts(b, &u.unit).is_empty())
}

fn level_section(b: &Document<'_>, l: Lang, card: &LevelCard, h: &mut String) -> std::fmt::Result {
    let name = l.level(card.level);
    writeln!(h, "<h2>{}: {}</h2>", esc(l.pick("Level", "Cấp")), esc(name))?;
    writeln!(
        h,
        "<p class=\"note\">{} {} · {} {} · {} {} · {} {}</p>",
        card.units.len(),
        esc(l.pick("units", "đơn vị")),
        card.overall.pass,
        esc(l.pick("pass", "đạt")),
        card.overall.fail,
        esc(l.pick("fail", "không đạt")),
        card.overall.not_applicable,
        esc(l.pick("not judged", "không đánh giá")),
    )?;
    let active: Vec<_> = card
        .ranking
        .iter()
        .filter(|r| !judged_counts(b, &r.unit).is_empty())
        .collect();
    if !active.is_empty() {
        for indicator in charted(b, card.level) {
            let target = b.targets.target_bp(indicator, card.level);
            let title = match target {
                Some(t) => format!(
                    "{} — {} {}",
                    l.indicator(indicator),
                    l.pick("target", "chỉ tiêu"),
                    bp(t)
                ),
                None => format!(
                    "{} — {}",
                    l.indicator(indicator),
                    l.pick("no target", "không có chỉ tiêu")
                ),
            };
            writeln!(h, "<h3>{}</h3>", esc(&title))?;
            let rows: Vec<(String, Ratio, Verdict)> = active
                .iter()
                .filter_map(|r| {
                    let unit = card.units.iter().find(|u| u.unit == r.unit)?;
                    let s = unit.indicator(indicator)?;
                    Some((unit.name.clone(), s.rate, s.verdict))
                })
                .collect();
            bars(h, l, &title, &rows, target)?;
        }
    }
    scorecard_table(b, l, card, h)
}

fn bars(
    h: &mut String,
    l: Lang,
    title: &str,
    rows: &[(String, Ratio, Verdict)],
    target: Option<u32>,
) -> std::fmt::Result {
    const LABEL: u64 = 340;
    const WIDTH: u64 = 640;
    const VALUE: u64 = 70;
    const ROW: u64 = 18;
    // A label's line: about 50 characters of 12 px text fit in the label's 340 px.
    const LABEL_CHARS: usize = 50;
    const LINE: u64 = 14;
    // Highest rate first, units without a rate last; the value in a column of its own, clear
    // of the bars and the target line.
    let mut rows: Vec<&(String, Ratio, Verdict)> = rows.iter().collect();
    rows.sort_by_key(|(name, rate, _)| {
        (
            std::cmp::Reverse(rate_bp(rate).map_or(-1, i64::from)),
            name.clone(),
        )
    });
    let floor = axis_floor(rows.iter().filter_map(|(_, r, _)| rate_bp(r)).chain(target));
    // A long name wraps onto more lines (never cut): its row grows by a line each.
    let labels: Vec<Vec<String>> = rows
        .iter()
        .map(|(name, _, _)| super::table::wrap(name, LABEL_CHARS))
        .collect();
    let mut tops = Vec::with_capacity(rows.len());
    let mut axis_y = 4;
    for lines in &labels {
        tops.push(axis_y);
        axis_y += ROW + LINE * (lines.len().max(1) as u64 - 1);
    }
    let height = axis_y + 20;
    writeln!(
        h,
        "<svg width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"{}\">",
        esc(title),
        w = LABEL + WIDTH + VALUE + 10
    )?;
    for (((_, rate, verdict), lines), y) in rows.iter().zip(&labels).zip(tops) {
        let color = match verdict {
            Verdict::Pass => "#2e7d32",
            Verdict::Fail => "#c62828",
            Verdict::NotApplicable => "#7a8ca8",
        };
        write!(
            h,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">",
            LABEL - 6,
            y + 12
        )?;
        for (i, line) in lines.iter().enumerate() {
            let dy = if i == 0 { 0 } else { LINE };
            write!(
                h,
                "<tspan x=\"{}\" dy=\"{dy}\">{}</tspan>",
                LABEL - 6,
                esc(line)
            )?;
        }
        writeln!(h, "</text>")?;
        writeln!(
            h,
            "<rect x=\"{LABEL}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"{color}\"></rect>",
            bar_px(rate, WIDTH, floor),
            ROW - 4
        )?;
        writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            LABEL + WIDTH + VALUE,
            y + 11,
            esc(&pct(l, rate))
        )?;
    }
    writeln!(
        h,
        "<line x1=\"{LABEL}\" y1=\"{axis_y}\" x2=\"{}\" y2=\"{axis_y}\" stroke=\"#999\"></line>",
        LABEL + WIDTH
    )?;
    // Ticks at round percentages: every 5 % on a short axis, 10 % on a longer one, 25 % on
    // the whole.
    let span = 10_000 - floor;
    let step = match span {
        0..=2_500 => 500,
        2_501..=5_000 => 1_000,
        _ => 2_500,
    };
    let mut tick = floor.div_ceil(step) * step;
    while tick <= 10_000 {
        writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#666\">{}%</text>",
            LABEL + axis_px(tick, WIDTH, floor),
            axis_y + 14,
            tick / 100
        )?;
        tick += step;
    }
    if let Some(t) = target {
        let x = LABEL + axis_px(t, WIDTH, floor);
        writeln!(
            h,
            "<line x1=\"{x}\" y1=\"0\" x2=\"{x}\" y2=\"{axis_y}\" stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"5,3\"></line>"
        )?;
    }
    writeln!(h, "</svg>")
}

fn scorecard_table(
    b: &Document<'_>,
    l: Lang,
    card: &LevelCard,
    h: &mut String,
) -> std::fmt::Result {
    write!(
        h,
        "<table><tr><th>#</th><th class=\"l\">{}</th><th class=\"l\">{}</th><th>{}</th>",
        esc(l.pick("unit", "mã")),
        esc(l.pick("name", "tên đơn vị")),
        esc(l.pick("to handle", "phải giải quyết")),
    )?;
    let shown = charted(b, card.level);
    for i in &shown {
        write!(
            h,
            "<th title=\"{}\">{}</th>",
            esc(l.glossary(*i)),
            esc(&l.indicator_short(*i))
        )?;
    }
    writeln!(
        h,
        "<th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(l.pick("766 score /100", "điểm 766 /100")),
        esc(l.pick("band", "xếp loại")),
        esc(l.pick("verdict", "kết quả"))
    )?;
    let ranks: BTreeMap<&UnitId, u32> = card.ranking.iter().map(|r| (&r.unit, r.rank)).collect();
    let mut units: Vec<_> = card.units.iter().collect();
    units.sort_by_key(|u| {
        (
            ranks.get(&u.unit).copied().unwrap_or(u32::MAX),
            u.unit.clone(),
        )
    });
    for u in units {
        let c = judged_counts(b, &u.unit);
        write!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td>",
            ranks.get(&u.unit).copied().unwrap_or(0),
            esc(u.unit.as_str()),
            esc(&u.name),
            c.to_handle()
        )?;
        for i in &shown {
            match u.indicator(*i) {
                Some(s) => write!(
                    h,
                    "<td class=\"{}\">{}</td>",
                    verdict_class(s.verdict),
                    esc(&pct(l, &s.rate))
                )?,
                None => write!(h, "<td></td>")?,
            }
        }
        let score = u.points.score_100_e2().map_or_else(
            || l.not_applicable().to_owned(),
            |e2| format!("{}.{:02}", e2 / 100, e2 % 100),
        );
        writeln!(
            h,
            "<td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
            esc(&score),
            esc(u
                .points
                .band
                .map_or_else(|| l.not_applicable(), |band| l.band(band))),
            verdict_class(u.verdict),
            esc(l.verdict(u.verdict))
        )?;
    }
    writeln!(h, "</table>")
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::NotApplicable => "na",
    }
}

/// A trend line: its label, its colour and its rate.
type Series = (
    &'static str,
    &'static str,
    fn(&motcua_metrics::TrendPoint) -> Ratio,
);

fn trend(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.pick(
            "Monthly trend: on-time and online rates",
            "Xu hướng theo tháng: tỷ lệ đúng hạn và trực tuyến"
        ))
    )?;
    let points: Vec<_> = b.report.trend().iter().collect();
    if points.is_empty() {
        return writeln!(h, "<p>{}</p>", esc(l.not_applicable()));
    }
    const LEFT: u64 = 50;
    const WIDTH: u64 = 900;
    const TOP: u64 = 20;
    const HEIGHT: u64 = 240;
    let n = points.len() as u64;
    let x = |i: u64| {
        LEFT + if n > 1 {
            WIDTH * i / (n - 1)
        } else {
            WIDTH / 2
        }
    };
    let y = |r: &Ratio| {
        r.basis_points_rounded()
            .map(|bp| TOP + HEIGHT - (bp.min(10_000) as u64 * HEIGHT) / 10_000)
    };
    writeln!(
        h,
        "<svg width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\">",
        LEFT + WIDTH + 300,
        TOP + HEIGHT + 40,
        LEFT + WIDTH + 300,
        TOP + HEIGHT + 40,
        esc(l.pick("monthly trend", "xu hướng theo tháng"))
    )?;
    for tick in [0u64, 25, 50, 75, 100] {
        let ty = TOP + HEIGHT - HEIGHT * tick / 100;
        writeln!(
            h,
            "<line x1=\"{LEFT}\" y1=\"{ty}\" x2=\"{}\" y2=\"{ty}\" stroke=\"#ddd\"></line><text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"end\" fill=\"#666\">{tick}%</text>",
            LEFT + WIDTH,
            LEFT - 6,
            ty + 4
        )?;
    }
    for (i, (month, _)) in points.iter().enumerate() {
        writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#444\">{month}</text>",
            x(i as u64),
            TOP + HEIGHT + 16
        )?;
    }
    let series: [Series; 2] = [
        (
            l.pick(
                "on time (handled in the month)",
                "đúng hạn (giải quyết trong tháng)",
            ),
            "#1f5fbf",
            |p| p.on_time_rate(),
        ),
        (
            l.pick(
                "online (received in the month)",
                "trực tuyến (tiếp nhận trong tháng)",
            ),
            "#e07b00",
            |p| p.online_rate(),
        ),
    ];
    for (k, (label, color, rate)) in series.iter().enumerate() {
        let coords: Vec<(u64, u64)> = points
            .iter()
            .enumerate()
            .filter_map(|(i, (_, p))| y(&rate(p)).map(|yy| (x(i as u64), yy)))
            .collect();
        let path: Vec<String> = coords.iter().map(|(a, c)| format!("{a},{c}")).collect();
        writeln!(
            h,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"></polyline>",
            path.join(" ")
        )?;
        for (a, c) in &coords {
            writeln!(
                h,
                "<circle cx=\"{a}\" cy=\"{c}\" r=\"3\" fill=\"{color}\"></circle>"
            )?;
        }
        let ly = TOP + 14 * k as u64;
        writeln!(
            h,
            "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{color}\"></rect><text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>",
            LEFT + WIDTH + 10,
            ly,
            LEFT + WIDTH + 24,
            ly + 9,
            esc(label)
        )?;
    }
    writeln!(h, "</svg>")?;
    write!(
        h,
        "<table><tr><th class=\"l\">{}</th>",
        esc(l.pick("month", "tháng"))
    )?;
    for (m, _) in &points {
        write!(h, "<th>{m}</th>")?;
    }
    writeln!(h, "</tr>")?;
    for (label, _, rate) in &series {
        write!(h, "<tr><td class=\"l\">{}</td>", esc(label))?;
        for (_, p) in &points {
            write!(h, "<td>{}</td>", esc(&pct(l, &rate(p))))?;
        }
        writeln!(h, "</tr>")?;
    }
    writeln!(h, "</table>")
}

fn late(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.pick("Where dossiers are late", "Nơi phát sinh hồ sơ trễ hạn"))
    )?;
    let mut procs: Vec<_> = b
        .report
        .by_procedure()
        .iter()
        .filter(|(_, c)| c.late() > 0)
        .collect();
    procs.sort_by(|a, c| c.1.late().cmp(&a.1.late()).then_with(|| a.0.cmp(c.0)));
    writeln!(
        h,
        "<h3>{}</h3><table><tr><th class=\"l\">{}</th><th class=\"l\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(l.pick("Procedures with the most late dossiers", "Thủ tục có nhiều hồ sơ trễ hạn nhất")),
        esc(l.pick("procedure", "thủ tục")),
        esc(l.pick("name", "tên thủ tục")),
        esc(l.pick("late (handled + open)", "trễ hạn (đã + đang giải quyết)")),
        esc(l.pick("judged", "tổng")),
        esc(l.pick("on-time rate", "tỷ lệ đúng hạn")),
    )?;
    for (code, c) in procs.iter().take(10) {
        let name = b.catalogue.procedure(code).map_or("", |p| p.name.as_str());
        writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(code.as_str()),
            esc(name),
            num(c.late()),
            num(c.judged()),
            esc(&pct(l, &c.on_time_rate()))
        )?;
    }
    writeln!(h, "</table>")?;

    let mut steps: Vec<_> = b.report.late_steps_by_step().iter().collect();
    steps.sort_by(|a, c| c.1.cmp(a.1).then_with(|| a.0.cmp(c.0)));
    writeln!(
        h,
        "<h3>{}</h3><table><tr><th class=\"l\">{}</th><th class=\"l\">{}</th><th>{}</th></tr>",
        esc(l.pick(
            "Steps with the most late runs",
            "Bước xử lý trễ hạn nhiều nhất"
        )),
        esc(l.pick("procedure", "thủ tục")),
        esc(l.pick("step", "bước")),
        esc(l.pick("late steps", "số bước trễ")),
    )?;
    for (key, n) in steps.iter().take(10) {
        let procedure = b.catalogue.procedure(&key.procedure);
        let step = procedure
            .and_then(|p| p.step(&key.step))
            .map_or(key.step.as_str(), |s| s.name.as_str());
        writeln!(
            h,
            "<tr><td class=\"l\">{} {}</td><td class=\"l\">{}</td><td>{}</td></tr>",
            esc(key.procedure.as_str()),
            esc(procedure.map_or("", |p| p.name.as_str())),
            esc(step),
            num(**n)
        )?;
    }
    writeln!(h, "</table>")?;

    let mut units: Vec<_> = b.report.late_steps_by_unit().iter().collect();
    units.sort_by(|a, c| c.1.cmp(a.1).then_with(|| a.0.cmp(c.0)));
    writeln!(
        h,
        "<h3>{}</h3><table><tr><th class=\"l\">{}</th><th class=\"l\">{}</th><th>{}</th></tr>",
        esc(l.pick(
            "Late steps by the unit that ran them",
            "Bước trễ hạn theo đơn vị thực hiện bước"
        )),
        esc(l.pick("unit", "mã")),
        esc(l.pick("name", "tên đơn vị")),
        esc(l.pick("late steps", "số bước trễ")),
    )?;
    for (unit, n) in units.iter().take(10) {
        writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td class=\"l\">{}</td><td>{}</td></tr>",
            esc(unit.as_str()),
            esc(&unit_name(b, unit)),
            num(**n)
        )?;
    }
    writeln!(h, "</table>")
}

/// The section by officer, when the report has it: every officer, most late steps first.
fn officers(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    let Some(officers) = b.report.officers() else {
        return Ok(());
    };
    writeln!(
        h,
        "<h2>{}</h2><table><tr><th class=\"l\">{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        esc(l.pick("By officer", "Theo cán bộ xử lý")),
        esc(l.pick("officer", "cán bộ")),
        esc(l.pick("dossiers handled", "hồ sơ đã xử lý")),
        esc(l.pick("steps finished", "bước đã hoàn thành")),
        esc(l.pick("late steps", "số bước trễ")),
    )?;
    for (officer, c) in officers.ranked() {
        writeln!(
            h,
            "<tr><td class=\"l\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(officer.as_str()),
            num(c.dossiers),
            num(c.steps_finished),
            num(c.late_steps)
        )?;
    }
    writeln!(h, "</table>")
}

fn overdue(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    let list = b.report.overdue();
    writeln!(
        h,
        "<h2>{} ({})</h2>",
        esc(l.pick("Overdue dossiers", "Hồ sơ đang quá hạn")),
        list.len()
    )?;
    let [dossier, procedure, unit, received, official, promised, _, why] = super::overdue_heads(l);
    writeln!(
        h,
        "<table><tr><th class=\"l\">{}</th><th class=\"l\">{}</th><th class=\"l\">{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class=\"l\">{}</th></tr>",
        esc(dossier),
        esc(procedure),
        esc(unit),
        esc(received),
        esc(official),
        esc(promised),
        esc(l.pick(
            "overdue by (working days of 8 hours)",
            "quá hạn (ngày làm việc 8 giờ)"
        )),
        esc(why),
    )?;
    // The longest overdue first, on the page; the rest folded, so that a province's whole list
    // does not make the page thousands of pixels tall.
    const SHOWN: usize = 20;
    for (i, e) in list.iter().enumerate() {
        if i == SHOWN {
            writeln!(
                h,
                "</table><details><summary>{} {}</summary><table>",
                esc(l.pick("show the other", "xem")),
                esc(&match l {
                    Lang::En => format!("{} overdue dossiers", num((list.len() - SHOWN) as u64)),
                    Lang::Vi =>
                        format!("{} hồ sơ quá hạn còn lại", num((list.len() - SHOWN) as u64)),
                })
            )?;
        }
        let super::OverdueRow {
            name,
            why,
            promised,
        } = super::OverdueRow::of(b, e);
        writeln!(
            h,
            "<tr><td class=\"l nw\">{}</td><td class=\"l\">{} {}</td><td class=\"l\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"nw\">{}</td><td class=\"l\">{}</td></tr>",
            esc(e.dossier_id.as_str()),
            esc(e.procedure.as_str()),
            esc(name),
            esc(&unit_name(b, &e.unit)),
            esc(&when(l, e.received_at)),
            esc(&when(l, e.official_due)),
            esc(&promised),
            esc(&crate::format::working_days(e.overdue_minutes, l == Lang::Vi)),
            esc(why)
        )?;
    }
    writeln!(h, "</table>")?;
    if list.len() > SHOWN {
        writeln!(h, "</details>")?;
    }
    Ok(())
}

fn notes(b: &Document<'_>, l: Lang, h: &mut String) -> std::fmt::Result {
    writeln!(
        h,
        "<h2>{}</h2><ul class=\"note\">",
        esc(l.pick(
            "Glossary: the Decision 766 indicator numbers",
            "Giải thích chỉ số theo số hiệu của Quyết định 766"
        ))
    )?;
    for line in l.glossary_lines() {
        writeln!(h, "<li>{}</li>", esc(line))?;
    }
    writeln!(h, "</ul>")?;
    writeln!(
        h,
        "<h2>{}</h2><ul class=\"note\">",
        esc(l.pick("Notes", "Ghi chú"))
    )?;
    let fixed = [
        l.pick(
            "Rates are exact fractions shown with 2 decimals; a zero denominator is not applicable, never 0%.",
            "Tỷ lệ là phân số chính xác, hiển thị 2 chữ số thập phân; mẫu số bằng 0 là không áp dụng, không phải 0%.",
        ),
        l.pick(
            "Transparency (766 group 1, 18 points) cannot be derived from dossier events: not applicable. Scores on 100 are taken over the applicable points.",
            "Nhóm công khai, minh bạch (nhóm 1 của QĐ 766, 18 điểm) không tính được từ sự kiện hồ sơ: không áp dụng. Điểm thang 100 tính trên các chỉ số áp dụng được.",
        ),
        l.pick(
            "The monthly on-time rate is over dossiers handled in the month; the online rate over dossiers received in the month.",
            "Tỷ lệ đúng hạn theo tháng tính trên hồ sơ giải quyết trong tháng; tỷ lệ trực tuyến trên hồ sơ tiếp nhận trong tháng.",
        ),
        l.pick(
            "Late steps are blamed on the unit that ran the step, not the receiving unit.",
            "Bước trễ hạn được tính cho đơn vị thực hiện bước, không phải đơn vị tiếp nhận.",
        ),
    ];
    for n in fixed {
        writeln!(h, "<li>{}</li>", esc(n))?;
    }
    writeln!(
        h,
        "<li>{} {}.</li>",
        esc(l.pick(
            "Unit levels are taken as of",
            "Cấp của đơn vị được xác định theo ngày"
        )),
        b.report.levels_as_of()
    )?;
    let scheme = b.scheme();
    for g in &scheme.groups {
        for item in &g.items {
            if let Some(a) = item.assumption {
                writeln!(
                    h,
                    "<li>{} {}: {}</li>",
                    esc(l.pick("Assumed, not published:", "Giả định, chưa được công bố:")),
                    esc(&l.indicator(item.indicator)),
                    esc(a)
                )?;
            }
        }
    }
    for band in &scheme.bands {
        if !band.published {
            writeln!(
                h,
                "<li>{} {} ≥ {}</li>",
                esc(l.pick(
                    "Intermediate band of ours, not published:",
                    "Mức xếp loại trung gian do chúng tôi đặt, chưa được công bố:"
                )),
                esc(l.band(band.band)),
                band.from_e2 / 100
            )?;
        }
    }
    writeln!(h, "</ul>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_capped_and_not_applicable_is_empty() {
        assert_eq!(bar_px(&Ratio::new(1, 2), 700, 0), 350);
        assert_eq!(bar_px(&Ratio::new(3, 2), 700, 0), 700);
        assert_eq!(bar_px(&Ratio::new(0, 0), 700, 0), 0);
        assert_eq!(bp(9_750), "97.50%");
    }

    #[test]
    fn the_axis_is_scaled_to_the_rates_and_targets_shown() {
        // 92 % and 99 % with a 97 % target: the axis starts at 85 %, so they differ visibly.
        let floor = axis_floor([9_200, 9_900, 9_700].into_iter());
        assert_eq!(floor, 8_500);
        assert_eq!(bar_px(&Ratio::new(92, 100), 600, floor), 280);
        assert_eq!(bar_px(&Ratio::new(99, 100), 600, floor), 560);
        assert_eq!(axis_px(10_000, 600, floor), 600);
        // A low rate keeps the axis from 0, never below.
        assert_eq!(axis_floor([300, 9_000].into_iter()), 0);
        assert_eq!(bar_px(&Ratio::new(1, 2), 700, 0), 350);
    }

    #[test]
    fn a_long_unit_name_wraps_whole_and_its_row_grows() {
        let long =
            "Ủy ban nhân dân xã Phước Thiền thuộc huyện Nhơn Trạch tỉnh Đồng Nai (bộ phận một cửa)";
        let rows = vec![
            (long.to_owned(), Ratio::new(98, 100), Verdict::Pass),
            ("Sở Tư pháp".to_owned(), Ratio::new(90, 100), Verdict::Fail),
        ];
        let mut h = String::new();
        bars(&mut h, Lang::Vi, "chart", &rows, Some(9_700)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!h.contains('…'), "{h}");
        // Every word of the name is drawn, in order, on lines of at most 50 characters.
        let drawn: Vec<&str> = h
            .split("<tspan")
            .skip(1)
            .filter_map(|t| {
                t.split_once('>')
                    .and_then(|(_, r)| r.split_once("</tspan>"))
            })
            .map(|(text, _)| text)
            .collect();
        assert!(
            drawn.iter().all(|line| line.chars().count() <= 50),
            "{drawn:?}"
        );
        assert_eq!(drawn[..drawn.len() - 1].join(" "), long);
        assert_eq!(drawn.last(), Some(&"Sở Tư pháp"));
        // The second bar starts below the first name's last line.
        let lines = drawn.len() as u64 - 1;
        let second = format!("y=\"{}\" width", 4 + 18 + 14 * (lines - 1));
        assert!(h.contains(&second), "{second} not in {h}");
    }
}
