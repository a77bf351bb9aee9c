//! Serde for a time of day written `HH:MM` (or `HH:MM:SS`).

use serde::{Deserialize, Deserializer, Serializer};
use time::Time;

pub(crate) fn serialize<S: Serializer>(t: &Time, s: S) -> Result<S::Ok, S::Error> {
    if t.second() == 0 {
        s.collect_str(&format_args!("{:02}:{:02}", t.hour(), t.minute()))
    } else {
        s.collect_str(&format_args!(
            "{:02}:{:02}:{:02}",
            t.hour(),
            t.minute(),
            t.second()
        ))
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Time, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!("expected a time of day as HH:MM, found {text:?}"))
    })
}

/// Parses `HH:MM` or `HH:MM:SS`.
pub(crate) fn parse(text: &str) -> Option<Time> {
    let mut parts = text.split(':');
    let mut next = |max: u8| -> Option<u8> {
        let p = parts.next()?;
        if p.len() != 2 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        p.parse::<u8>().ok().filter(|v| *v <= max)
    };
    let hour = next(23)?;
    let minute = next(59)?;
    let second = match parts.next() {
        None => 0,
        Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse::<u8>().ok().filter(|v| *v <= 59)?
        }
        Some(_) => return None,
    };
    if parts.next().is_some() {
        return None;
    }
    Time::from_hms(hour, minute, second).ok()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_hours_and_minutes() {
        assert_eq!(
            parse("15:00").map(|t| (t.hour(), t.minute())),
            Some((15, 0))
        );
        assert_eq!(parse("07:30:15").map(|t| t.second()), Some(15));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "7:30",
            "24:00",
            "12:60",
            "12:00:61",
            "12:00:00:00",
            "ab:cd",
            "12-00",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
