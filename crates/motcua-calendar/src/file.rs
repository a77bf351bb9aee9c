//! The override file format: one day off or make-up working day a line.
//!
//! ```text
//! # comment; blank lines are ignored
//! 2024-04-29<TAB>swap-off<TAB>Nghỉ hoán đổi (làm bù thứ Bảy 4/5/2024)<TAB>Công văn 2450/VPCP-KGVX
//! 2024-05-04<TAB>makeup-workday<TAB>Làm bù cho thứ Hai 29/4/2024<TAB>Công văn 2450/VPCP-KGVX
//! ```
//!
//! Fields are separated by a single TAB: ISO date, kind, Vietnamese name, and an optional
//! source document. Kinds: `holiday`, `compensatory`, `swap-off`, `local` (days off) and
//! `makeup-workday` (a normally closed day worked with Monday's sessions;
//! `makeup-workday:tue` … `makeup-workday:sun` pick another weekday's sessions). Later lines
//! replace earlier ones for the same date. The source column documents the entry and is not
//! part of the calendar.

use crate::calendar::Override;
use crate::{CalendarBuilder, CalendarError, DayOffKind};
use std::io::Read;
use time::{Date, Month, Weekday};

/// One parsed line of an override file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OverrideLine {
    /// 1-based line number.
    pub line: usize,
    /// The date.
    pub date: Date,
    /// `Some(kind)` for a day off, `None` for a make-up working day.
    pub kind: Option<DayOffKind>,
    /// For a make-up working day: whose sessions are worked.
    pub like: Weekday,
    /// Vietnamese name.
    pub name: String,
    /// Source document, empty when not given.
    pub source: String,
}

fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i32 = s.get(0..4)?.parse().ok()?;
    let m: u8 = s.get(5..7)?.parse().ok()?;
    let d: u8 = s.get(8..10)?.parse().ok()?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// Parses an ISO `YYYY-MM-DD` date (strictly four-digit year, zero-padded).
pub fn parse_iso_date(s: &str) -> Option<Date> {
    parse_date(s)
}

/// Parses the override format described in the [module documentation](self).
///
/// ```
/// use motcua_calendar::file::parse_overrides;
/// let lines = parse_overrides("# x\n2030-01-02\tlocal\tNgày lễ tỉnh\tQĐ 1/UBND\n")?;
/// assert_eq!(lines.len(), 1);
/// let err = parse_overrides("2030-13-02\tlocal\tx\n").unwrap_err();
/// assert!(err.to_string().starts_with("line 1:"));
/// # Ok::<(), motcua_calendar::CalendarError>(())
/// ```
pub fn parse_overrides(text: &str) -> Result<Vec<OverrideLine>, CalendarError> {
    let mut out = Vec::new();
    // A byte order mark, as some editors write, is not part of the first line.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.lines().enumerate() {
        // At most one line per byte, so i + 1 cannot overflow.
        let line = i + 1;
        let l = raw.trim_end_matches('\r');
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        let err = |message: String| CalendarError::Parse { line, message };
        let fields: Vec<&str> = l.split('\t').collect();
        if !(3..=4).contains(&fields.len()) {
            let hint = if fields.len() < 3 && l.contains(' ') {
                " (fields are separated by one TAB character, not spaces)"
            } else {
                ""
            };
            return Err(err(format!(
                "expected 3 or 4 TAB-separated fields (date, kind, name[, source]), found {}{hint}",
                fields.len()
            )));
        }
        let date = parse_date(fields[0].trim()).ok_or_else(|| {
            let shaped = fields[0].trim().bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            }) && fields[0].trim().len() == 10;
            let why = if shaped {
                ", which is not a day of the calendar"
            } else {
                ""
            };
            err(format!(
                "expected a date YYYY-MM-DD in field 1, found {:?}{why}",
                fields[0]
            ))
        })?;
        let kind_s = fields[1].trim();
        let (kind, like) = match kind_s {
            "holiday" => (Some(DayOffKind::Holiday), Weekday::Monday),
            "compensatory" => (Some(DayOffKind::Compensatory), Weekday::Monday),
            "swap-off" => (Some(DayOffKind::SwapOff), Weekday::Monday),
            "local" => (Some(DayOffKind::Local), Weekday::Monday),
            "makeup-workday" => (None, Weekday::Monday),
            k => {
                let like = match k.strip_prefix("makeup-workday:") {
                    Some("mon") => Weekday::Monday,
                    Some("tue") => Weekday::Tuesday,
                    Some("wed") => Weekday::Wednesday,
                    Some("thu") => Weekday::Thursday,
                    Some("fri") => Weekday::Friday,
                    Some("sat") => Weekday::Saturday,
                    Some("sun") => Weekday::Sunday,
                    _ => {
                        return Err(err(format!(
                            "expected kind holiday, compensatory, swap-off, local or makeup-workday[:mon..sun] in field 2, found {k:?}"
                        )))
                    }
                };
                (None, like)
            }
        };
        let name = fields[2].trim();
        if name.is_empty() {
            return Err(err("expected a non-empty name in field 3".to_string()));
        }
        out.push(OverrideLine {
            line,
            date,
            kind,
            like,
            name: name.to_string(),
            source: fields.get(3).map_or("", |s| s.trim()).to_string(),
        });
    }
    Ok(out)
}

impl CalendarBuilder {
    /// Adds the overrides of `text` (format in [`file`](mod@crate::file)) after those already given.
    /// Errors name the line number and what was expected; on error nothing is added.
    ///
    /// ```
    /// use motcua_calendar::{CalendarBuilder, Date, Month};
    /// let cal = CalendarBuilder::vietnam()
    ///     .load_overrides("2027-02-15\tlocal\tNgày giải phóng tỉnh\tQĐ 12/UBND\n")?
    ///     .build()?;
    /// assert!(!cal.is_working_day(Date::from_calendar_date(2027, Month::February, 15)?)?);
    /// assert!(CalendarBuilder::vietnam().load_overrides("2027-02-15 local x").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load_overrides(mut self, text: &str) -> Result<Self, CalendarError> {
        let lines = parse_overrides(text)?;
        let (first, last) = self.year_range();
        if let Some(l) = lines
            .iter()
            .find(|l| !(first..=last).contains(&l.date.year()))
        {
            return Err(CalendarError::Parse {
                line: l.line,
                message: format!(
                    "the date {} is outside the calendar's years {first}..={last}; expected a date within them",
                    l.date
                ),
            });
        }
        for l in lines {
            let o = match l.kind {
                Some(kind) => Override::DayOff { kind, name: l.name },
                None => Override::Makeup {
                    name: l.name,
                    like: l.like,
                },
            };
            self.push_entry(l.date, o);
        }
        Ok(self)
    }

    /// [`CalendarBuilder::load_overrides`] from a reader the caller provides (UTF-8).
    pub fn load_overrides_from(self, mut r: impl Read) -> Result<Self, CalendarError> {
        let mut s = String::new();
        r.read_to_string(&mut s)
            .map_err(|e| CalendarError::Unreadable {
                message: e.to_string(),
            })?;
        self.load_overrides(&s)
    }
}
