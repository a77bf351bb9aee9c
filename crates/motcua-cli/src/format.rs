//! Small formatting helpers shared by the commands.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Working minutes as `12 h 05 min`.
pub fn minutes(total: u64) -> String {
    format!("{} h {:02} min", total / 60, total % 60)
}

/// An optional instant in RFC 3339, or `null`.
pub fn when(t: Option<OffsetDateTime>) -> serde_json::Value {
    t.and_then(|t| t.format(&Rfc3339).ok())
        .map_or(serde_json::Value::Null, serde_json::Value::String)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_read_as_hours_and_minutes() {
        assert_eq!(minutes(0), "0 h 00 min");
        assert_eq!(minutes(485), "8 h 05 min");
    }
}
