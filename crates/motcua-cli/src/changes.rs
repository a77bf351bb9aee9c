//! `motcua changes`: why a report published at one instant differs from the same report
//! recomputed later — the dossiers whose status or time class changed, and the late-recorded
//! events that changed them (bitemporal as-of: as of T, as known at K1 versus K2).

use crate::data::{parse_instant, DataArgs, Dataset, LangArgs};
use crate::error::CliError;
use crate::escape::Terminal;
use motcua_core::{DossierView, Event};
use motcua_render::{escape, words, Lang};
use std::io::Write;
use time::OffsetDateTime;

/// Arguments of `motcua changes`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChangesArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// What was known when the report was published (RFC 3339): events recorded later are left
    /// out of the "before" side. The "after" side is everything in the data, or what was
    /// recorded by `--known-at`.
    #[arg(long, value_name = "INSTANT", value_parser = parse_instant)]
    pub published_at: OffsetDateTime,
    #[command(flatten)]
    pub lang: LangArgs,
}

/// One dossier judged differently by the two reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change<'e> {
    /// As published.
    pub before: Option<DossierView>,
    /// As known now.
    pub after: Option<DossierView>,
    /// Events that happened by the as-of instant but were recorded after publication.
    pub late_records: Vec<&'e Event>,
}

/// The dossiers whose view as of `as_of` differs between what was known at `published_at` and
/// everything in `data`, in dossier order.
pub fn changes(
    data: &Dataset,
    as_of: OffsetDateTime,
    published_at: OffsetDateTime,
) -> Vec<Change<'_>> {
    let context = data.context();
    let mut out = Vec::new();
    for events in data.streams.values() {
        let before = context.view_known_at(events, as_of, published_at).ok();
        let after = context.view_events(events, as_of).ok();
        let differs = match (&before, &after) {
            (Some(b), Some(a)) => {
                (b.status, b.time_class, b.official_due) != (a.status, a.time_class, a.official_due)
            }
            (None, None) => false,
            _ => true,
        };
        if differs {
            let late_records = events
                .iter()
                .filter(|e| e.occurred_at <= as_of && e.recorded_at > published_at)
                .collect();
            out.push(Change {
                before,
                after,
                late_records,
            });
        }
    }
    out
}

/// Runs `motcua changes`.
pub fn run(args: &ChangesArgs, out: &mut dyn Write) -> Result<(), CliError> {
    let data = Dataset::load(&args.data)?;
    let as_of = data.as_of;
    if data.known_at.is_some_and(|k| args.published_at > k) {
        return Err(CliError::Usage(
            "--published-at must not be after --known-at".to_owned(),
        ));
    }
    data.announce(args.lang.lang);
    let list = changes(&data, as_of, args.published_at);
    let out = &mut Terminal::new(out);
    let l = args.lang.lang;
    let note = data
        .as_of_note(l == Lang::Vi)
        .map(|note| format!(" ({note})"))
        .unwrap_or_default();
    let known = data.known_at.map(|k| l.instant(k));
    match l {
        Lang::En => writeln!(
            out,
            "As of {}{note}: {} dossier(s) judged differently as known {} than as published at {}",
            l.instant(as_of),
            list.len(),
            known.map_or_else(|| "now".to_owned(), |k| format!("at {k}")),
            l.instant(data.shown(args.published_at)),
        )?,
        Lang::Vi => writeln!(
            out,
            "Tính đến {}{note}: {} hồ sơ được đánh giá khác nhau giữa dữ liệu {} và báo cáo đã công bố lúc {}",
            l.instant(as_of),
            list.len(),
            known.map_or_else(|| "hiện có".to_owned(), |k| format!("đến {k}")),
            l.instant(data.shown(args.published_at)),
        )?,
    }
    let describe = |v: &Option<DossierView>| {
        v.as_ref().map_or_else(
            || l.pick("not known", "chưa có").to_owned(),
            |v| {
                format!(
                    "{} / {}",
                    words::status(l, v.status),
                    words::time_class(l, v.time_class)
                )
            },
        )
    };
    for change in &list {
        let id = change
            .after
            .as_ref()
            .or(change.before.as_ref())
            .map(|v| escape::controls(v.dossier_id.as_str()).into_owned())
            .unwrap_or_default();
        writeln!(
            out,
            "  {id}: {} → {}",
            describe(&change.before),
            describe(&change.after)
        )?;
        let happened = l.pick("happened", "xảy ra");
        let recorded = l.pick("but was recorded", "nhưng được ghi nhận");
        for event in &change.late_records {
            writeln!(
                out,
                "      {} `{}` {happened} {} {recorded} {}",
                event.sequence,
                event.kind.name(),
                l.instant(event.occurred_at),
                l.instant(event.recorded_at)
            )?;
        }
    }
    Ok(())
}
