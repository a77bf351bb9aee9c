//! Durations, counts and instants as people read them.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Working minutes as `12 h 05 min`.
///
/// ```
/// assert_eq!(motcua_render::format::minutes(485), "8 h 05 min");
/// ```
pub fn minutes(total: u64) -> String {
    format!("{} h {:02} min", total / 60, total % 60)
}

/// Working minutes as a clerk counts them, in working days of 8 hours and hours: `3 d 1 h 15 min`
/// (`3 ngày 1 giờ 15 phút` in Vietnamese); under a day, hours and minutes only.
///
/// ```
/// use motcua_render::format::working_days;
/// assert_eq!(working_days(480 * 3 + 75, false), "3 d 1 h 15 min");
/// assert_eq!(working_days(480 * 3 + 75, true), "3 ngày 1 giờ 15 phút");
/// ```
pub fn working_days(minutes: u64, vietnamese: bool) -> String {
    WorkingDays {
        minutes,
        vietnamese,
    }
    .to_string()
}

/// [`working_days`] written where it is displayed, without a string of its own (for lists
/// of thousands of rows).
///
/// ```
/// use motcua_render::format::WorkingDays;
/// let left = WorkingDays { minutes: 75, vietnamese: false };
/// assert_eq!(format!("{left} left"), "1 h 15 min left");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkingDays {
    /// Working minutes.
    pub minutes: u64,
    /// In Vietnamese (`ngày`, `giờ`, `phút`) rather than English (`d`, `h`, `min`).
    pub vietnamese: bool,
}

impl std::fmt::Display for WorkingDays {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (days, rest) = (self.minutes / 480, self.minutes % 480);
        let (d, h, m) = if self.vietnamese {
            ("ngày", "giờ", "phút")
        } else {
            ("d", "h", "min")
        };
        if days == 0 {
            write!(f, "{} {h} {:02} {m}", rest / 60, rest % 60)
        } else {
            write!(f, "{days} {d} {} {h} {:02} {m}", rest / 60, rest % 60)
        }
    }
}

/// A count with thousands separators: `1234567` as `1,234,567`.
///
/// ```
/// assert_eq!(motcua_render::format::num(1_234_567), "1,234,567");
/// ```
pub fn num(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An optional instant in RFC 3339, or `null`.
///
/// ```
/// use time::macros::datetime;
/// let t = datetime!(2024-03-01 08:00 +07:00);
/// assert_eq!(motcua_render::format::when(Some(t)), "2024-03-01T08:00:00+07:00");
/// assert!(motcua_render::format::when(None).is_null());
/// ```
pub fn when(t: Option<OffsetDateTime>) -> serde_json::Value {
    t.and_then(|t| t.format(&Rfc3339).ok())
        .map_or(serde_json::Value::Null, serde_json::Value::String)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_working_days_and_hours() {
        assert_eq!(working_days(0, false), "0 h 00 min");
        assert_eq!(working_days(479, false), "7 h 59 min");
        assert_eq!(working_days(480 * 3 + 75, false), "3 d 1 h 15 min");
        assert_eq!(working_days(480 * 86, true), "86 ngày 0 giờ 00 phút");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(num(0), "0");
        assert_eq!(num(999), "999");
        assert_eq!(num(1000), "1,000");
        assert_eq!(num(1234567), "1,234,567");
    }

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes(0), "0 h 00 min");
        assert_eq!(minutes(485), "8 h 05 min");
    }
}
