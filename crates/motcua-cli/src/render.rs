//! Renderers for `motcua report`: an aligned table for people, CSV for spreadsheets.

use crate::error::CliError;
use crate::report::{Built, Section};
use motcua_core::deadline::display_instant;
use motcua_core::{LateReason, Level};
use motcua_metrics::{Counts, Indicator, Ratio, TargetSet, UnitScore, Verdict};
use std::collections::BTreeMap;
use std::io::Write;

/// A rate as `97.50%`, or `n/a` for a zero denominator.
fn pct(r: &Ratio) -> String {
    r.percent_2dp()
        .map_or_else(|| "n/a".to_owned(), |p| format!("{p}%"))
}

/// A target in basis points as `97%` or `97.5%`.
fn bp(target: u32) -> String {
    if target % 100 == 0 {
        format!("{}%", target / 100)
    } else {
        format!("{}.{:02}%", target / 100, target % 100).replace("0%", "%")
    }
}

/// A count with thousands separators.
fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Pads or cuts to `width` characters.
fn cell(text: &str, width: usize) -> String {
    let count = text.chars().count();
    if count <= width {
        format!("{text}{}", " ".repeat(width - count))
    } else {
        let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "PASS",
        Verdict::Fail => "FAIL",
        _ => "n/a",
    }
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✓",
        Verdict::Fail => "✗",
        _ => " ",
    }
}

fn level_name(level: Level) -> &'static str {
    level.label()
}

/// The targets in one line.
pub fn describe_targets(t: &TargetSet) -> String {
    let mut parts = Vec::new();
    if !t.online_bp_by_level.is_empty() {
        let by_level: Vec<String> = t
            .online_bp_by_level
            .iter()
            .map(|(level, v)| format!("{} {}s", bp(*v), level.label()))
            .collect();
        parts.push(format!("online ≥ {}", by_level.join(", ")));
    }
    if let Some(v) = t.on_time_bp {
        parts.push(format!("on time ≥ {}", bp(v)));
    }
    if let Some(v) = t.satisfaction_bp {
        parts.push(format!("satisfaction ≥ {}", bp(v)));
    }
    format!("{}: {}", t.name, parts.join("; "))
}

/// The report as aligned text.
pub fn table(b: &Built<'_>, overdue_rows: usize, out: &mut dyn Write) -> Result<(), CliError> {
    let data = b.data;
    match &data.source {
        crate::data::Source::Sample { dossiers, seed } => writeln!(
            out,
            "motcua report — bundled sample province-year ({} dossiers, seed {seed}; synthetic data)",
            num(*dossiers as u64)
        )?,
        crate::data::Source::Files { events } => writeln!(out, "motcua report — {}", events.display())?,
    }
    let offset = data.calendar.offset();
    writeln!(
        out,
        "  as of     {} (UTC{:+03}:{:02})",
        display_instant(data.as_of),
        offset.whole_hours(),
        offset.minutes_past_hour().unsigned_abs()
    )?;
    writeln!(
        out,
        "  period    {} → {}",
        display_instant(b.period.start),
        display_instant(b.period.end)
    )?;
    writeln!(out, "  calendar  {}", data.calendar.version())?;
    writeln!(out, "  targets   {}", describe_targets(b.targets))?;

    writeln!(out)?;
    writeln!(
        out,
        "DOSSIERS BY STATUS (national portal codes; dossiers alive in the period)"
    )?;
    for (code, count) in b.report.status_counts() {
        let status = motcua_core::Status::from_national_code(*code);
        let label = status.map_or(String::new(), |s| {
            format!("{} ({})", s.label(), s.label_vi())
        });
        writeln!(out, "  {code:>4}  {}  {:>9}", cell(&label, 48), num(*count))?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "FIGURES BY LEVEL (received, carried over, handled and open in the period)"
    )?;
    writeln!(
        out,
        "  {}{:>9}{:>9}{:>9}  {:>7}{:>8}{:>6}  {:>7}{:>6}{:>8}  {:>6}{:>6}  {:>8}{:>9}{:>10}",
        cell("level", 15),
        "received",
        "carried",
        "handle",
        "early",
        "on time",
        "late",
        "within",
        "soon",
        "overdue",
        "withdr",
        "refus",
        "online",
        "on time",
        "satisfied"
    )?;
    let province = b.report.province();
    let rows = b
        .report
        .by_level()
        .iter()
        .map(|(l, c)| (level_name(*l).to_owned(), c));
    for (name, c) in rows.chain(std::iter::once(("province (all)".to_owned(), province))) {
        writeln!(
            out,
            "  {}{:>9}{:>9}{:>9}  {:>7}{:>8}{:>6}  {:>7}{:>6}{:>8}  {:>6}{:>6}  {:>8}{:>9}{:>10}",
            cell(&name, 15),
            num(c.received),
            num(c.carried_over),
            num(c.to_handle()),
            num(c.handled_early),
            num(c.handled_on_time),
            num(c.handled_late),
            num(c.open_within_time),
            num(c.open_due_soon),
            num(c.open_overdue),
            num(c.withdrawn),
            num(c.refused),
            pct(&c.online_rate()),
            pct(&c.on_time_rate()),
            pct(&c.satisfaction_rate()),
        )?;
    }

    writeln!(out)?;
    writeln!(
        out,
        "SCORECARD against {} (each unit's own dossiers)",
        b.targets.name
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
            "\n  {} — {} unit(s) judged: {} pass, {} fail",
            level_name(card.level).to_uppercase(),
            judged.len(),
            card.overall.pass,
            card.overall.fail
        )?;
        writeln!(
            out,
            "  {:>3}  {}{}{:>9}  {}{}{}  verdict",
            "#",
            cell("unit", 13),
            cell("name", 34),
            "to handle",
            cell("online", 17),
            cell("on time", 17),
            cell("satisfaction", 17),
        )?;
        let ranks: BTreeMap<&motcua_core::UnitId, u32> =
            card.ranking.iter().map(|r| (&r.unit, r.rank)).collect();
        let mut rows = judged.clone();
        rows.sort_by_key(|u| {
            (
                ranks.get(&u.unit).copied().unwrap_or(u32::MAX),
                u.unit.clone(),
            )
        });
        for unit in rows {
            let counts = b.report.unit(&unit.unit);
            let column = |indicator: Indicator| -> String {
                unit.indicator(indicator).map_or_else(String::new, |s| {
                    let target = s.target_bp.map_or_else(String::new, |t| {
                        format!(" ≥{}", bp(t).trim_end_matches('%'))
                    });
                    format!("{}{target} {}", pct(&s.rate), mark(s.verdict))
                })
            };
            writeln!(
                out,
                "  {:>3}  {}{}{:>9}  {}{}{}  {}",
                ranks
                    .get(&unit.unit)
                    .map_or_else(|| "-".to_owned(), u32::to_string),
                cell(unit.unit.as_str(), 13),
                cell(&unit.name, 34),
                num(counts.to_handle()),
                cell(&column(Indicator::Online), 17),
                cell(&column(Indicator::OnTime), 17),
                cell(&column(Indicator::Satisfaction), 17),
                verdict_word(unit.verdict)
            )?;
        }
        let idle = card.units.len() - judged.len();
        if idle > 0 {
            writeln!(
                out,
                "       ({idle} more unit(s) of this level handled no dossier of their own)"
            )?;
        }
    }

    writeln!(out)?;
    let overdue = b.report.overdue();
    let shown = overdue.len().min(overdue_rows);
    writeln!(
        out,
        "OVERDUE DOSSIERS: {} open past their official due{} (overdue by: working time)",
        num(overdue.len() as u64),
        if shown < overdue.len() {
            format!(" (the {shown} longest overdue; --overdue N for more)")
        } else {
            String::new()
        }
    )?;
    if shown > 0 {
        writeln!(
            out,
            "  {} {} {} {} {} {} {:>12}  why",
            cell("dossier", 22),
            cell("procedure", 34),
            cell("unit", 12),
            cell("received", 20),
            cell("official due", 20),
            cell("promised due", 20),
            "overdue by"
        )?;
    }
    for entry in &overdue[..shown] {
        let name = data
            .catalogue
            .procedure(&entry.procedure)
            .map_or("", |p| p.name.as_str());
        let when =
            |t: Option<time::OffsetDateTime>| t.map_or_else(|| "-".to_owned(), display_instant);
        let why = match entry.late_reason {
            Some(LateReason::MultipleSupplements) => "more than one supplement request",
            _ => "past the official due",
        };
        let promised = if entry.promised_due == entry.official_due {
            "-".to_owned()
        } else {
            when(entry.promised_due)
        };
        writeln!(
            out,
            "  {} {} {} {} {} {} {:>12}  {why}",
            cell(entry.dossier_id.as_str(), 22),
            cell(&format!("{} {name}", entry.procedure), 34),
            cell(entry.unit.as_str(), 12),
            cell(&when(entry.received_at), 20),
            cell(&when(entry.official_due), 20),
            cell(&promised, 20),
            format!(
                "{} h {:02}",
                num(entry.overdue_minutes / 60),
                entry.overdue_minutes % 60
            ),
        )?;
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_row(out: &mut dyn Write, fields: &[String]) -> Result<(), CliError> {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    writeln!(out, "{}", line.join(","))?;
    Ok(())
}

fn counts_fields(c: &Counts) -> Vec<String> {
    [
        c.received,
        c.carried_over,
        c.to_handle(),
        c.handled_early,
        c.handled_on_time,
        c.handled_late,
        c.open_within_time,
        c.open_due_soon,
        c.open_overdue,
        c.withdrawn,
        c.refused,
        c.stopped,
        c.online_received,
        c.rated,
        c.satisfied,
        c.late_steps,
    ]
    .iter()
    .map(u64::to_string)
    .collect()
}

/// One table as CSV, with a header row. Rates are percentages with 2 decimals, empty when not
/// applicable.
pub fn csv(b: &Built<'_>, section: Section, out: &mut dyn Write) -> Result<(), CliError> {
    let s = |x: &str| x.to_owned();
    match section {
        Section::Status => {
            csv_row(out, &[s("code"), s("status"), s("dossiers")])?;
            for (code, count) in b.report.status_counts() {
                let label =
                    motcua_core::Status::from_national_code(*code).map_or("", |st| st.label());
                csv_row(out, &[code.to_string(), s(label), count.to_string()])?;
            }
        }
        Section::Overdue => {
            csv_row(
                out,
                &[
                    s("dossier"),
                    s("procedure"),
                    s("unit"),
                    s("received_at"),
                    s("official_due"),
                    s("promised_due"),
                    s("overdue_minutes"),
                    s("reason"),
                ],
            )?;
            for e in b.report.overdue() {
                let when = |t: Option<time::OffsetDateTime>| {
                    t.and_then(|t| {
                        t.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default()
                };
                let reason = match e.late_reason {
                    Some(LateReason::MultipleSupplements) => "multiple_supplements",
                    _ => "past_due",
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
        Section::Units => {
            let mut header = vec![s("level"), s("unit"), s("name")];
            header.extend(
                [
                    "received",
                    "carried_over",
                    "to_handle",
                    "handled_early",
                    "handled_on_time",
                    "handled_late",
                    "open_within_time",
                    "open_due_soon",
                    "open_overdue",
                    "withdrawn",
                    "refused",
                    "stopped",
                    "online_received",
                    "rated",
                    "satisfied",
                    "late_steps",
                ]
                .map(s),
            );
            for indicator in Indicator::ALL {
                let key = indicator.label().replace([' ', '-'], "_");
                header.extend([
                    format!("{key}_percent"),
                    format!("{key}_target_percent"),
                    format!("{key}_verdict"),
                ]);
            }
            header.push(s("verdict"));
            csv_row(out, &header)?;
            for card in &b.scorecard.levels {
                for unit in &card.units {
                    let mut row = vec![
                        s(card.level.label()),
                        s(unit.unit.as_str()),
                        unit.name.clone(),
                    ];
                    row.extend(counts_fields(&b.report.unit(&unit.unit)));
                    for indicator in Indicator::ALL {
                        match unit.indicator(indicator) {
                            Some(score) => row.extend([
                                score.rate.percent_2dp().unwrap_or_default(),
                                score
                                    .target_bp
                                    .map(|t| format!("{}.{:02}", t / 100, t % 100))
                                    .unwrap_or_default(),
                                s(verdict_word(score.verdict)),
                            ]),
                            None => row.extend([String::new(), String::new(), s("n/a")]),
                        }
                    }
                    row.push(s(verdict_word(unit.verdict)));
                    csv_row(out, &row)?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("Sở Tư pháp"), "Sở Tư pháp");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn cells_pad_and_cut_by_characters() {
        assert_eq!(cell("Sở", 4), "Sở  ");
        assert_eq!(cell("Đăng ký khai sinh", 6), "Đăng …");
    }

    #[test]
    fn targets_read_as_percentages() {
        assert_eq!(bp(9700), "97%");
        assert_eq!(bp(9750), "97.5%");
        assert_eq!(bp(9725), "97.25%");
    }
}
