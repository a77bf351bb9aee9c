//! Serde for calendar dates written `YYYY-MM-DD`.

/// For `Option<Date>` fields.
pub(crate) mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub(crate) fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(&format_args!(
                "{:04}-{:02}-{:02}",
                d.year(),
                u8::from(d.month()),
                d.day()
            )),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let Some(text) = <Option<std::borrow::Cow<'de, str>>>::deserialize(d)? else {
            return Ok(None);
        };
        super::parse(&text).map(Some).ok_or_else(|| {
            serde::de::Error::custom(format!("expected a date as YYYY-MM-DD, found {text:?}"))
        })
    }
}

/// Parses `YYYY-MM-DD`.
pub(crate) fn parse(text: &str) -> Option<time::Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year: i32 = text.get(0..4)?.parse().ok()?;
    let month: u8 = text.get(5..7)?.parse().ok()?;
    let day: u8 = text.get(8..10)?.parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_iso_dates_only() {
        assert_eq!(
            super::parse("2025-07-01"),
            Some(time::macros::date!(2025 - 07 - 01))
        );
        for bad in [
            "2025-7-01",
            "2025-02-30",
            "25-07-01",
            "2025/07/01",
            "2025-07-01x",
        ] {
            assert_eq!(super::parse(bad), None, "{bad}");
        }
    }
}
