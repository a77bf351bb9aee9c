//! Labels in English or Vietnamese (`--lang en|vi`) for every report format. Unit and procedure
//! names are never translated: they are shown as the catalogue gives them.

use motcua_core::{Channel, Level, Status};
use motcua_metrics::score::{Band, Group};
use motcua_metrics::{Indicator, Verdict};

/// The language of a report's labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Vietnamese (*tiếng Việt*).
    Vi,
}

impl Lang {
    /// The label in this language.
    /// The online rate's denominator in words (the setting's key stays in JSON and files).
    pub fn online_denominator(self, d: motcua_metrics::OnlineDenominator) -> &'static str {
        use motcua_metrics::OnlineDenominator as D;
        match (self, d) {
            (Lang::En, D::AllReceived) => "all dossiers received",
            (Lang::En, D::OfferedOnline) => "dossiers of procedures offered online",
            (Lang::En, D::ExcludingPostal) => "dossiers received other than by post",
            (Lang::Vi, D::AllReceived) => "mọi hồ sơ tiếp nhận",
            (Lang::Vi, D::OfferedOnline) => "hồ sơ của thủ tục có dịch vụ công trực tuyến",
            (Lang::Vi, D::ExcludingPostal) => "hồ sơ tiếp nhận không qua bưu chính",
        }
    }

    pub const fn pick(self, en: &'static str, vi: &'static str) -> &'static str {
        match self {
            Lang::En => en,
            Lang::Vi => vi,
        }
    }

    /// The language code, for `<html lang>` and JSON.
    pub const fn code(self) -> &'static str {
        self.pick("en", "vi")
    }

    /// A level's name.
    pub const fn level(self, level: Level) -> &'static str {
        match self {
            Lang::En => level.label(),
            Lang::Vi => match level {
                Level::Ministry => "bộ",
                Level::Province => "tỉnh",
                Level::Department => "sở, ban, ngành",
                Level::District => "huyện",
                Level::Commune => "xã",
            },
        }
    }

    /// An indicator's name, with its 766 number.
    pub fn indicator(self, indicator: Indicator) -> String {
        let name = self.pick(indicator.label(), indicator.label_vi());
        match indicator.code() {
            Some(code) => format!("{code} {name}"),
            None => name.to_owned(),
        }
    }

    /// A verdict.
    pub const fn verdict(self, verdict: Verdict) -> &'static str {
        match verdict {
            Verdict::Pass => self.pick("PASS", "ĐẠT"),
            Verdict::Fail => self.pick("FAIL", "KHÔNG ĐẠT"),
            Verdict::NotApplicable => self.not_applicable(),
        }
    }

    /// A zero denominator or a missing target.
    pub const fn not_applicable(self) -> &'static str {
        self.pick("n/a", "không áp dụng")
    }

    /// A band.
    pub const fn band(self, band: Band) -> &'static str {
        self.pick(band.label(), band.label_vi())
    }

    /// A 766 group.
    pub const fn group(self, group: Group) -> &'static str {
        self.pick(group.label(), group.label_vi())
    }

    /// A channel.
    pub const fn channel(self, channel: Channel) -> &'static str {
        match channel {
            Channel::InPerson => self.pick("in person", "trực tiếp"),
            Channel::Online => self.pick("online", "trực tuyến"),
            Channel::Postal => self.pick("postal", "bưu chính"),
        }
    }

    /// A status.
    pub fn status(self, status: Status) -> &'static str {
        self.pick(status.label(), status.label_vi())
    }
}

/// The count columns, in order: (key, English, Vietnamese). Keys are `Counts` field names.
pub const COUNT_COLUMNS: [(&str, &str, &str); 11] = [
    ("received", "received", "tiếp nhận"),
    ("carried_over", "carried over", "kỳ trước chuyển qua"),
    ("to_handle", "to handle", "phải giải quyết"),
    ("handled_early", "early", "trước hạn"),
    ("handled_on_time", "on time", "đúng hạn"),
    ("handled_late", "late", "quá hạn"),
    (
        "open_within_time",
        "open within time",
        "đang giải quyết trong hạn",
    ),
    ("open_due_soon", "open due soon", "sắp đến hạn"),
    ("open_overdue", "open overdue", "đang quá hạn"),
    ("withdrawn", "withdrawn", "rút hồ sơ"),
    ("refused", "refused", "từ chối tiếp nhận"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        for level in Level::ALL {
            assert_ne!(Lang::Vi.level(level), Lang::En.level(level));
        }
        for i in Indicator::ALL {
            assert_ne!(Lang::Vi.indicator(i), Lang::En.indicator(i));
        }
        assert_eq!(Lang::Vi.indicator(Indicator::OnTime), "2.1 tỷ lệ đúng hạn");
        assert_eq!(Lang::En.verdict(Verdict::NotApplicable), "n/a");
    }
}
