//! `motcua verify`: checks a whole store (every dossier's chain of links and numbering, every
//! event replayed through the dossier rules, the catalogue, the catalogue records' hashes,
//! numbering and positions, the log's positions, the table of standings reports read), names
//! each broken dossier and record, and prints the store's digest, to be recorded elsewhere as
//! the log's anchor.

use crate::data::{read_any_store, read_catalogue, read_text};
use crate::error::CliError;
use crate::escape::Terminal;
use crate::verify_derived::{self, Table};
use motcua_render::Lang;
use motcua_store::audit::{audit, Anchor, Finding, Problem};
use motcua_store::catalogue_records::{
    check_records, CatalogueRecords, RecordFinding, RecordProblem,
};
use motcua_store::chain::{hex, Damage};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `motcua verify`.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The store to check: a SQLite file or a PostgreSQL URL (`postgres://…[#schema]`). It is
    /// opened read-only.
    #[arg(long, value_name = "FILE|URL")]
    pub store: String,
    /// Check the events against this catalogue instead of the one kept in the store.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,
    /// An anchor written earlier by `--anchor-out`: each dossier it records must still hold
    /// its recorded events unchanged (appends since are fine).
    #[arg(long, value_name = "FILE")]
    pub anchor: Option<PathBuf>,
    /// Write the store's anchor (its digest and every dossier's head) to this file, to keep
    /// elsewhere.
    #[arg(long, value_name = "FILE")]
    pub anchor_out: Option<PathBuf>,
    /// The language of the output.
    #[arg(long, value_enum, default_value_t = Lang::En)]
    pub lang: Lang,
}

/// Runs `motcua verify`: the findings on `out`, and [`CliError::Damaged`] (exit 7) when there
/// are any.
pub fn run(args: &VerifyArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let vi = args.lang == Lang::Vi;
    let (name, store) = read_any_store(&args.store)?;
    // A stored catalogue that cannot be read is damage too: the chains are still checked.
    let mut catalogue_damage = None;
    let catalogue = match &args.catalog {
        Some(path) => Some(read_catalogue(path)?),
        None => match store.catalogue(&name) {
            Ok(catalogue) => catalogue,
            Err(CliError::BadInput { message, .. } | CliError::Damaged { message, .. }) => {
                catalogue_damage = Some(message);
                None
            }
            Err(other) => return Err(other),
        },
    };
    let anchor =
        match &args.anchor {
            Some(path) => Some(Anchor::from_jsonl(&read_text(path)?).map_err(|message| {
                CliError::BadInput {
                    path: path.clone(),
                    message,
                }
            })?),
            None => None,
        };
    let report = audit(
        &store,
        catalogue.as_ref(),
        anchor.as_ref(),
        args.anchor_out.is_some(),
    )
    .map_err(|e| CliError::store(&name, "the store could not be read", &e))?;
    let records = store
        .catalogue_records()
        .map_err(|e| CliError::store(&name, "the catalogue records could not be read", &e))?
        .len();
    let record_findings = check_records(&store)
        .map_err(|e| CliError::store(&name, "the catalogue records could not be read", &e))?;
    // The table reports judge from, when it is current: only with the store's own catalogue
    // (the one its writers judge with), and only once the log itself reads.
    let standings = match (&catalogue, &args.catalog) {
        (Some(catalogue), None) if report.findings.is_empty() => {
            verify_derived::check(&store, catalogue)
                .map_err(|e| CliError::store(&name, "the derived tables could not be read", &e))?
        }
        _ => None,
    }
    .filter(|found| found.count > 0);
    let mut t = Terminal::new(out);
    let yes_no = |b: bool| match (b, vi) {
        (true, false) => "yes",
        (false, false) => "no",
        (true, true) => "có",
        (false, true) => "không",
    };
    if vi {
        writeln!(t, "kho: {name}")?;
        writeln!(
            t,
            "hồ sơ: {} · sự kiện: {} · có chuỗi băm: {} · kiểm tra quy tắc: {} · bản ghi danh mục: {records}",
            report.dossiers,
            report.events,
            yes_no(report.linked),
            yes_no(report.rules_checked)
        )?;
        writeln!(t, "mã tổng (digest): {}", hex(&report.digest))?;
    } else {
        writeln!(t, "store: {name}")?;
        writeln!(
            t,
            "dossiers: {} · events: {} · hash chain: {} · rules checked: {} · catalogue records: {records}",
            report.dossiers,
            report.events,
            yes_no(report.linked),
            yes_no(report.rules_checked)
        )?;
        writeln!(t, "digest: {}", hex(&report.digest))?;
    }
    if !report.linked {
        writeln!(
            t,
            "{}",
            if vi {
                "lưu ý: kho thuộc lược đồ cũ, các sự kiện chưa có mã băm; mở kho để ghi một lần (vd. `motcua import`) để chuyển đổi"
            } else {
                "note: the store predates the hash chain; its events carry no links until a writable open (e.g. `motcua import`) migrates it"
            }
        )?;
    }
    if let Some(message) = &catalogue_damage {
        writeln!(
            t,
            "{} {message}",
            if vi {
                "danh mục thủ tục lưu trong kho không đọc được:"
            } else {
                "the stored catalogue cannot be read:"
            }
        )?;
    }
    if !report.rules_checked && catalogue_damage.is_none() {
        writeln!(
            t,
            "{}",
            if vi {
                "lưu ý: kho không giữ danh mục thủ tục và không có --catalog: chưa kiểm tra quy tắc"
            } else {
                "note: the store keeps no catalogue and none was given (--catalog): rules were not checked"
            }
        )?;
    }
    if let Some(anchor) = &anchor {
        let same = anchor.digest == report.digest;
        writeln!(
            t,
            "{}",
            match (vi, same) {
                (false, true) => "anchor: the digest is the anchor's: nothing changed since",
                (false, false) => "anchor: the digest differs from the anchor's (events appended since, or changes: see below)",
                (true, true) => "mốc neo: mã tổng trùng với mốc neo: không có gì thay đổi",
                (true, false) => "mốc neo: mã tổng khác mốc neo (có sự kiện ghi thêm, hoặc thay đổi: xem dưới)",
            }
        )?;
    }
    if let Some(path) = &args.anchor_out {
        let mut anchor = Anchor {
            digest: report.digest,
            ..Anchor::default()
        };
        for (id, events, head) in &report.heads {
            anchor.heads.insert(id.clone(), (*events, *head));
        }
        std::fs::write(path, anchor.to_jsonl()).map_err(|source| CliError::Io {
            path: path.clone(),
            source,
        })?;
    }
    if report.findings.is_empty()
        && catalogue_damage.is_none()
        && record_findings.is_empty()
        && standings.is_none()
    {
        writeln!(
            t,
            "{}",
            if vi {
                "kết quả: nguyên vẹn"
            } else {
                "result: intact"
            }
        )?;
        return Ok(());
    }
    let broken = report
        .findings
        .iter()
        .filter(|f| f.dossier.is_some())
        .count();
    let mut catalogue_note = match (&catalogue_damage, vi) {
        (Some(_), false) => ", the catalogue unreadable",
        (Some(_), true) => ", danh mục không đọc được",
        (None, _) => "",
    }
    .to_owned();
    if !record_findings.is_empty() {
        let n = record_findings.len();
        catalogue_note.push_str(&if vi {
            format!(", {n} bản ghi danh mục")
        } else {
            format!(", {n} catalogue record(s)")
        });
    }
    if let Some(found) = &standings {
        let (n, m) = (
            found.count_in(Table::Standings),
            found.count_in(Table::OpenDossiers),
        );
        if n > 0 {
            catalogue_note.push_str(&if vi {
                format!(", {n} dòng của bảng tình trạng hồ sơ")
            } else {
                format!(", {n} row(s) of the table of standings")
            });
        }
        if m > 0 {
            catalogue_note.push_str(&if vi {
                format!(", {m} dòng của danh sách hồ sơ đang giải quyết")
            } else {
                format!(", {m} row(s) of the open-dossier list")
            });
        }
    }
    if vi {
        writeln!(
            t,
            "kết quả: HƯ HỎNG: {broken} hồ sơ, {} vị trí trống{catalogue_note}",
            report.missing_positions
        )?;
    } else {
        writeln!(
            t,
            "result: DAMAGED: {broken} dossier(s), {} missing position(s){catalogue_note}",
            report.missing_positions
        )?;
    }
    for finding in &report.findings {
        writeln!(t, "{}", line(finding, vi))?;
    }
    for finding in &record_findings {
        writeln!(t, "{}", record_line(finding, vi))?;
    }
    if let Some(found) = &standings {
        for mismatch in &found.named {
            writeln!(t, "{}", verify_derived::line(mismatch, vi))?;
        }
        if found.count > found.named.len() as u64 {
            writeln!(
                t,
                "{}",
                if vi {
                    format!("… và {} dòng khác", found.count - found.named.len() as u64)
                } else {
                    format!(
                        "… and {} more row(s)",
                        found.count - found.named.len() as u64
                    )
                }
            )?;
        }
        for table in [Table::Standings, Table::OpenDossiers] {
            if found.count_in(table) > 0 {
                writeln!(t, "{}", verify_derived::repair(table, vi))?;
            }
        }
    }
    t.flush()?;
    Err(CliError::Damaged {
        location: name,
        message: format!(
            "{broken} dossier(s) damaged and {} position(s) missing; first: {}",
            report.missing_positions,
            report
                .findings
                .first()
                .map(|f| line(f, false))
                .or_else(|| record_findings.first().map(|f| record_line(f, false)))
                .or_else(|| catalogue_damage
                    .as_ref()
                    .map(|m| format!("the stored catalogue cannot be read: {m}")))
                .or_else(|| standings
                    .as_ref()
                    .and_then(|f| f.named.first())
                    .map(|m| verify_derived::line(m, false)))
                .unwrap_or_default()
        ),
    })
}

/// One finding as a line of the output.
fn line(finding: &Finding, vi: bool) -> String {
    let what = problem(&finding.problem, vi);
    match (&finding.dossier, vi) {
        (Some(d), false) => format!("dossier {d}, event {}: {what}", finding.sequence),
        (Some(d), true) => format!("hồ sơ {d}, sự kiện {}: {what}", finding.sequence),
        (None, false) => format!("position {}: {what}", finding.sequence),
        (None, true) => format!("vị trí {}: {what}", finding.sequence),
    }
}

/// A catalogue record's finding as a line of the output.
fn record_line(finding: &RecordFinding, vi: bool) -> String {
    if !vi {
        return finding.to_string();
    }
    let n = finding.number;
    let what = match &finding.problem {
        RecordProblem::Hash { recorded, computed } => format!(
            "mã SHA-256 của nội dung là {computed}, không phải {recorded} đã ghi: bản ghi đã bị sửa"
        ),
        RecordProblem::Number { expected } => {
            format!("ở đây phải là bản ghi {expected}: thiếu một bản ghi")
        }
        RecordProblem::Position {
            from,
            previous_number,
            previous,
        } => format!(
            "áp dụng từ vị trí {from}, trước vị trí {previous} của bản ghi {previous_number}: các bản ghi đã bị sửa"
        ),
        RecordProblem::Missing => "mất nội dung".to_owned(),
        other => other.to_string(),
    };
    format!("bản ghi danh mục {n}: {what}")
}

/// What a problem is, in English or Vietnamese.
fn problem(problem: &Problem, vi: bool) -> String {
    if !vi {
        return match problem {
            Problem::Damage(d) => d.to_string(),
            Problem::Rules(m) => format!("breaks the dossier rules: {m}"),
            Problem::Shorter { recorded } => format!(
                "the dossier holds fewer events than the {recorded} the anchor recorded: events were deleted"
            ),
            Problem::Rewritten { recorded } => format!(
                "the chain up to event {recorded} differs from the anchor's: the dossier was rewritten"
            ),
            Problem::Vanished { recorded } => format!(
                "the anchor records this dossier with {recorded} event(s), the store holds none: it was deleted"
            ),
            Problem::MissingPosition => {
                "holds no event, though later positions do: an event was deleted".to_owned()
            }
            other => format!("{other:?}"),
        };
    }
    match problem {
        Problem::Damage(Damage::Sequence { found }) => format!(
            "sự kiện lưu ở đây mang số {found}: có sự kiện bị thiếu, lặp hoặc sai chỗ"
        ),
        Problem::Damage(Damage::Dossier { found }) => {
            format!("sự kiện lưu ghi tên hồ sơ khác ({found})")
        }
        Problem::Damage(Damage::Link) => {
            "mã băm không nối được với chuỗi: sự kiện này hoặc một sự kiện trước nó đã bị sửa"
                .to_owned()
        }
        Problem::Damage(Damage::Unlinked) => "sự kiện không có mã băm".to_owned(),
        Problem::Damage(Damage::Unreadable(why)) => {
            format!("không đọc được nội dung đã lưu ({why})")
        }
        Problem::Damage(Damage::EventId { column, body }) => {
            format!("cột mã sự kiện ghi {column}, nhưng sự kiện đã lưu là {body}")
        }
        Problem::Damage(other) => other.to_string(),
        Problem::Rules(m) => format!("vi phạm quy tắc hồ sơ: {m}"),
        Problem::Shorter { recorded } => format!(
            "hồ sơ còn ít sự kiện hơn {recorded} sự kiện mốc neo đã ghi: sự kiện đã bị xoá"
        ),
        Problem::Rewritten { recorded } => format!(
            "chuỗi băm tới sự kiện {recorded} khác với mốc neo: hồ sơ đã bị viết lại"
        ),
        Problem::Vanished { recorded } => format!(
            "mốc neo ghi hồ sơ này với {recorded} sự kiện, kho không còn sự kiện nào: hồ sơ đã bị xoá"
        ),
        Problem::MissingPosition => {
            "không có sự kiện, dù các vị trí sau có: một sự kiện đã bị xoá".to_owned()
        }
        other => format!("{other:?}"),
    }
}
