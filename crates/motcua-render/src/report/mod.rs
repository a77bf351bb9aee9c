//! The province report (*báo cáo tình hình giải quyết thủ tục hành chính*): status counts,
//! figures per level, the Decision 766 indicators, the scorecard per unit against targets, the
//! monthly trend, where dossiers are late and the overdue list, rendered as aligned text
//! ([`table`]), CSV ([`csv`]), JSON ([`json`]) or a self-contained HTML page ([`html`]).
//!
//! Every renderer takes a [`Document`]: the figures (`motcua_metrics::Report` and
//! `Scorecard`), the catalogue that names units and procedures, and where the data came from
//! ([`Provenance`]). Building the figures (reading a store, a file) is the caller's job.
//!
//! ```
//! use motcua_core::calendar::Calendar;
//! use motcua_core::{Context, DossierId, Event};
//! use motcua_metrics::{LevelHistory, Period, Report, Scope, Scorecard, ScoringScheme, TargetSet};
//! use motcua_render::report::{self, Document, Provenance, Section, Source};
//! use motcua_render::Lang;
//! use std::collections::BTreeMap;
//!
//! // A small generated province-year, every dossier viewed as of its end.
//! let sample = motcua_gen::generate(&motcua_gen::GenConfig { dossiers: 300, seed: 7, year: 2024 })?;
//! let calendar = Calendar::vietnam();
//! let context = Context::new(&sample.catalogue, &calendar);
//! let mut streams: BTreeMap<DossierId, Vec<Event>> = BTreeMap::new();
//! for e in sample.events {
//!     streams.entry(e.dossier_id.clone()).or_default().push(e);
//! }
//! let views: Vec<_> = streams.values().map(|s| context.view_events(s, sample.as_of)).collect::<Result<_, _>>()?;
//! let start = time::macros::datetime!(2024-01-01 00:00 +7);
//! let period = Period::new(start, sample.as_of)?;
//! let figures = Report::build(&sample.catalogue, &views, period);
//! let targets = TargetSet::preset("dong-nai-2024").ok_or("no preset")?;
//! let levels = LevelHistory::vietnam();
//! let scorecard = Scorecard::build_full(&figures, &sample.catalogue, &targets, Scope::Own, &levels, &ScoringScheme::qd766());
//! let doc = Document {
//!     catalogue: &sample.catalogue,
//!     data: Provenance {
//!         source: Source::Sample { dossiers: 300, seed: 7 },
//!         as_of: sample.as_of,
//!         as_of_from: "sample",
//!         as_of_note: None,
//!         known_at: None,
//!         calendar_version: calendar.version().to_string(),
//!         offset: calendar.offset(),
//!         catalogue: None,
//!     },
//!     period,
//!     report: figures,
//!     scorecard,
//!     targets,
//!     lang: Lang::Vi,
//! };
//! let page = report::html(&doc)?;
//! assert!(page.starts_with("<!DOCTYPE html>") && !page.contains("<script"));
//! assert!(report::table(&doc, 20)?.starts_with("Báo cáo motcua"));
//! assert!(report::csv(&doc, Section::Levels)?.starts_with("cấp,"));
//! assert!(report::json(&doc)?.contains("\"format\": \"motcua-report\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod csv;
mod html;
pub mod labels;
mod table;

pub use csv::csv;
pub use html::html;
pub use table::{describe_targets, table};

use crate::error::RenderError;
use crate::format::when;
use labels::Lang;
use motcua_core::Catalogue;
use motcua_metrics::{Period, Report, Scorecard, ScoringScheme, TargetSet};
use time::{OffsetDateTime, UtcOffset};

/// A count column's value: the [`labels::COUNT_COLUMNS`] key names a `Counts` field, or
/// `to_handle`.
fn count(c: &motcua_metrics::Counts, key: &str) -> u64 {
    match key {
        "to_handle" => c.to_handle(),
        _ => c.fields().find(|(k, _)| *k == key).map_or(0, |(_, n)| n),
    }
}

/// The 2.2 average handling time read as a clerk counts it, in working days of 8 hours
/// (rounded to the minute; `None` when nothing was handled), and its exact fraction:
/// `(readable, "N working minutes / D dossiers handled")`.
fn handling_time(c: &motcua_metrics::Counts, l: Lang) -> (Option<String>, String) {
    let avg = c.average_handling_minutes();
    let readable = (avg.den > 0).then(|| {
        let rounded = (u128::from(avg.num) * 2 + u128::from(avg.den)) / (u128::from(avg.den) * 2);
        crate::format::working_days(u64::try_from(rounded).unwrap_or(u64::MAX), l == Lang::Vi)
    });
    let exact = match l {
        Lang::En => format!(
            "{} working minutes / {} dossiers handled",
            crate::format::num(avg.num),
            crate::format::num(avg.den)
        ),
        Lang::Vi => format!(
            "{} phút làm việc / {} hồ sơ đã giải quyết",
            crate::format::num(avg.num),
            crate::format::num(avg.den)
        ),
    };
    (readable, exact)
}

/// What the overdue list shows of an entry besides its ids: its procedure's name, why it is
/// late, and its promised due (`-` when none, or the same as the official due).
struct OverdueRow<'a> {
    name: &'a str,
    why: &'static str,
    promised: String,
}

/// The overdue list's column headers: dossier, procedure, unit, received, official due,
/// promised due, overdue by (working days of 8 hours), why.
fn overdue_heads(l: Lang) -> [&'static str; 8] {
    [
        l.pick("dossier", "hồ sơ"),
        l.pick("procedure", "thủ tục"),
        l.pick("unit", "đơn vị"),
        l.pick("received", "tiếp nhận"),
        l.pick("official due", "hạn xử lý"),
        l.pick("promised due", "hẹn lại"),
        l.pick("overdue by", "quá hạn"),
        l.pick("why", "lý do"),
    ]
}

impl<'a> OverdueRow<'a> {
    fn of(b: &'a Document<'_>, e: &motcua_metrics::OverdueEntry) -> Self {
        let name = b
            .catalogue
            .procedure(&e.procedure)
            .map_or("", |p| p.name.as_str());
        let l = b.lang;
        let why = match e.late_reason {
            Some(motcua_core::LateReason::MultipleSupplements) => l.pick(
                "more than one supplement request",
                "yêu cầu bổ sung hơn một lần",
            ),
            _ => l.pick("past the official due", "quá hạn xử lý"),
        };
        let promised = match e.promised_due {
            Some(t) if e.promised_due != e.official_due => l.instant(t),
            _ => "-".to_owned(),
        };
        OverdueRow {
            name,
            why,
            promised,
        }
    }
}

/// Where a report's data came from, for its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The bundled synthetic sample province-year.
    Sample {
        /// Dossiers generated.
        dossiers: usize,
        /// The generator's seed.
        seed: u64,
    },
    /// A host's JSON Lines events file.
    Events {
        /// The file, as shown.
        path: String,
    },
    /// A store file.
    Store {
        /// The file, as shown.
        path: String,
    },
    /// Several stores (shards), or a PostgreSQL store.
    Stores {
        /// Each store's file or URL (URLs without their password).
        locations: Vec<String>,
    },
}

impl Source {
    /// Where the data came from, for a header (files and stores; `None` for the sample).
    ///
    /// ```
    /// use motcua_render::report::Source;
    /// let shards = Source::Stores { locations: vec!["a.db".into(), "b.db".into()] };
    /// assert_eq!(shards.location().as_deref(), Some("a.db, b.db"));
    /// ```
    pub fn location(&self) -> Option<String> {
        match self {
            Source::Sample { .. } => None,
            Source::Events { path } | Source::Store { path } => Some(path.clone()),
            Source::Stores { locations } => Some(locations.join(", ")),
        }
    }
}

/// A text in both languages a clerk reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilingual {
    /// English.
    pub en: String,
    /// Vietnamese (*tiếng Việt*).
    pub vi: String,
}

impl Bilingual {
    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Vi => &self.vi,
        }
    }
}

/// What a report says about its data besides the figures: where it came from, the instant it
/// was judged at and how that instant was chosen, what was known, the calendar.
#[derive(Debug, Clone)]
pub struct Provenance {
    /// Where the data came from.
    pub source: Source,
    /// The instant the dossiers were judged at.
    pub as_of: OffsetDateTime,
    /// How the as-of instant was chosen, as a key for JSON (`"option"`, `"now"`, `"sample"`).
    pub as_of_from: &'static str,
    /// What a header adds after the as-of instant (e.g. that it is the current time), if
    /// anything.
    pub as_of_note: Option<Bilingual>,
    /// Only events recorded by then were counted, if set.
    pub known_at: Option<OffsetDateTime>,
    /// The working calendar's version, as shown.
    pub calendar_version: String,
    /// The calendar's UTC offset (UTC+7 in Vietnam).
    pub offset: UtcOffset,
    /// The store's catalogue record that judged every dossier, when the catalogue came from
    /// a store (`None` for a catalogue file or the sample).
    pub catalogue: Option<CatalogueRecordRef>,
}

/// Which of a store's catalogue records judged (`motcua_store::catalogue_records`): its
/// number, how many the store keeps, its SHA-256.
///
/// ```
/// use motcua_render::report::CatalogueRecordRef;
/// use motcua_render::Lang;
/// let record = CatalogueRecordRef { number: 2, of: 2, sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into() };
/// assert_eq!(record.judged_with(Lang::En), "judged with record 2 of 2 (sha256 9f86d081884c…)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueRecordRef {
    /// The record's number (1, 2, …).
    pub number: u64,
    /// How many records the store keeps (the latest, which judges, is the last).
    pub of: u64,
    /// The record's SHA-256 in hexadecimal.
    pub sha256: String,
}

impl CatalogueRecordRef {
    /// "judged with record N of M (sha256 abcdef123456…)" in `lang`.
    pub fn judged_with(&self, lang: Lang) -> String {
        crate::words::judged_with(lang, self.number, self.of, &self.sha256)
    }
}

impl Provenance {
    /// The as-of note in `lang`, if any.
    pub fn as_of_note(&self, lang: Lang) -> Option<&str> {
        self.as_of_note.as_ref().map(|n| n.get(lang))
    }
}

/// Everything a report renderer needs.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Procedures and units, for their names.
    pub catalogue: &'a Catalogue,
    /// Where the data came from.
    pub data: Provenance,
    /// The period reported.
    pub period: Period,
    /// The figures.
    pub report: Report,
    /// The scorecard.
    pub scorecard: Scorecard,
    /// The targets (with the online denominator in force).
    pub targets: TargetSet,
    /// The labels' language.
    pub lang: Lang,
}

impl Document<'_> {
    /// The scoring scheme the scorecard used.
    pub fn scheme(&self) -> &ScoringScheme {
        &self.scorecard.scheme
    }
}

/// The tables [`csv`] prints, one at a time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Section {
    /// One row per unit: counts, rates, targets, verdicts, 766 score.
    #[default]
    Units,
    /// One row per level and the province: counts and rates.
    Levels,
    /// One row per procedure: counts and rates.
    Procedures,
    /// One row per month: received, online, handled, late, with the rates.
    Trend,
    /// One row per overdue dossier.
    Overdue,
    /// One row per national status code.
    Status,
    /// One row per officer named by the events: dossiers handled, steps finished, late steps.
    Officers,
}

/// The JSON report (`"format": "motcua-report"`, version 2): metadata, the labels in the
/// document's language, the figures and the scorecard, pretty-printed with a final line feed.
/// Byte-identical for the same document.
///
/// # Errors
///
/// [`RenderError::Json`] if a figure cannot be serialised (a bug, not bad data).
pub fn json(doc: &Document<'_>) -> Result<String, RenderError> {
    let source = match &doc.data.source {
        Source::Sample { dossiers, seed } => {
            serde_json::json!({"kind": "sample", "dossiers": dossiers, "seed": seed})
        }
        Source::Events { path } => serde_json::json!({"kind": "events", "path": path}),
        Source::Store { path } => serde_json::json!({"kind": "store", "path": path}),
        Source::Stores { locations } => serde_json::json!({"kind": "stores", "paths": locations}),
    };
    let mut source = source;
    if let (Some(record), Some(object)) = (&doc.data.catalogue, source.as_object_mut()) {
        object.insert(
            "catalogue".to_owned(),
            serde_json::json!({"record": record.number, "of": record.of, "sha256": record.sha256}),
        );
    }
    let l = doc.lang;
    let indicators: serde_json::Map<String, serde_json::Value> = motcua_metrics::Indicator::ALL
        .iter()
        .map(|i| (i.key().to_owned(), l.indicator(*i).into()))
        .collect();
    // One line each saying what the figure is, keyed like `indicators` (2.2 as
    // `average_handling_time`).
    let mut glossary: serde_json::Map<String, serde_json::Value> = motcua_metrics::Indicator::ALL
        .iter()
        .map(|i| (i.key().to_owned(), l.glossary(*i).into()))
        .collect();
    glossary.insert(
        "average_handling_time".to_owned(),
        l.handling_time_glossary().into(),
    );
    let levels: serde_json::Map<String, serde_json::Value> = motcua_core::Level::ALL
        .iter()
        .map(|lv| (lv.label().to_owned(), l.level(*lv).into()))
        .collect();
    let counts: serde_json::Map<String, serde_json::Value> = labels::COUNT_COLUMNS
        .iter()
        .map(|(k, en, vi)| ((*k).to_owned(), l.pick(en, vi).into()))
        .collect();
    let value = serde_json::json!({
        "format": "motcua-report",
        "version": 2,
        "lang": l.code(),
        "labels": {"indicators": indicators, "glossary": glossary, "levels": levels, "counts": counts},
        "source": source,
        "as_of": when(Some(doc.data.as_of)),
        "as_of_from": doc.data.as_of_from,
        "known_at": when(doc.data.known_at),
        "period": {"start": when(Some(doc.period.start)), "end": when(Some(doc.period.end))},
        "calendar": doc.data.calendar_version,
        "targets": doc.targets,
        "report": doc.report,
        "scorecard": doc.scorecard,
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|source| RenderError::Json {
        what: "the report",
        source,
    })?;
    text.push('\n');
    Ok(text)
}
