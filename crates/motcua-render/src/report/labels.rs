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

    /// A target set's description: a built-in plan's (see [`motcua_metrics::TargetSet::preset`])
    /// in this language; a host's own set as its file words it.
    pub fn targets_description(self, targets: &motcua_metrics::TargetSet) -> String {
        let preset = motcua_metrics::TargetSet::preset(&targets.name);
        if self == Lang::En || preset.is_none_or(|p| p.description != targets.description) {
            return targets.description.clone();
        }
        match targets.name.as_str() {
            "dong-nai-2024" => "Kế hoạch năm 2024 của tỉnh Đồng Nai: chỉ tiêu trực tuyến, đúng hạn và hài lòng",
            "dong-nai-2026" => "Kế hoạch năm 2026 của tỉnh Đồng Nai: chỉ tiêu đúng hạn (chỉ tiêu duy nhất đã công bố)",
            "thanh-hoa-2025" => "Kế hoạch năm 2025 của tỉnh Thanh Hóa: chỉ tiêu trực tuyến (theo thủ tục trong kế hoạch, ở đây theo đơn vị)",
            "qd766" => "Ngưỡng của Quyết định 766/QĐ-TTg",
            _ => return targets.description.clone(),
        }
        .to_owned()
    }

    /// The label in this language.
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

    /// An indicator's short name for a column header: its 766 number and the name without
    /// the explanation in brackets (`5.4 satisfaction score`); [`Lang::glossary`] explains it.
    ///
    /// ```
    /// use motcua_metrics::Indicator;
    /// use motcua_render::Lang;
    /// assert_eq!(Lang::En.indicator_short(Indicator::Satisfaction766), "5.4 satisfaction score");
    /// assert_eq!(Lang::Vi.indicator_short(Indicator::Satisfaction), "tỷ lệ đánh giá hài lòng");
    /// ```
    pub fn indicator_short(self, indicator: Indicator) -> String {
        let full = self.indicator(indicator);
        match full.split_once(" (") {
            Some((short, _)) => short.to_owned(),
            None => full,
        }
    }

    /// One line saying what an indicator is and how it is computed, with its 766 number: the
    /// glossary line report outputs print under their figures (and `docs/glossary.md` lists).
    ///
    /// ```
    /// use motcua_metrics::Indicator;
    /// use motcua_render::Lang;
    /// assert!(Lang::En.glossary(Indicator::Satisfaction766).starts_with("5.4 satisfaction score:"));
    /// assert!(Lang::Vi.glossary(Indicator::OnTime).starts_with("2.1 tỷ lệ đúng hạn:"));
    /// ```
    pub const fn glossary(self, indicator: Indicator) -> &'static str {
        match indicator {
            Indicator::OnTime => self.pick(
                "2.1 on-time rate: dossiers handled early or on time plus open ones still within time, over the dossiers handled in the period plus those open at its end.",
                "2.1 tỷ lệ đúng hạn: hồ sơ giải quyết trước hạn, đúng hạn và hồ sơ đang giải quyết còn trong hạn, trên số hồ sơ đã giải quyết trong kỳ và đang giải quyết cuối kỳ.",
            ),
            Indicator::Online => self.pick(
                "3.3 online rate: dossiers received online (counted under the e-result rule), over the dossiers received (the denominator the targets name).",
                "3.3 tỷ lệ trực tuyến: hồ sơ tiếp nhận trực tuyến (tính theo quy tắc kết quả điện tử), trên số hồ sơ tiếp nhận (mẫu số theo bộ chỉ tiêu).",
            ),
            Indicator::OnlinePayment => self.pick(
                "3.6 online payment rate: dossiers whose fees were paid online, over the dossiers with fees.",
                "3.6 tỷ lệ thanh toán trực tuyến: hồ sơ nộp phí, lệ phí trực tuyến, trên số hồ sơ có phí, lệ phí.",
            ),
            Indicator::EResult => self.pick(
                "4.1 e-result rate: results issued electronically, over the results that are documents.",
                "4.1 tỷ lệ cấp kết quả điện tử: kết quả cấp bản điện tử, trên số kết quả là giấy tờ.",
            ),
            Indicator::Digitised => self.pick(
                "4.2 digitised rate: dossiers whose components were digitised, over the dossiers handled.",
                "4.2 tỷ lệ số hóa hồ sơ: hồ sơ được số hóa thành phần, trên số hồ sơ đã giải quyết.",
            ),
            Indicator::Reuse => self.pick(
                "4.3 reuse rate: dossiers that reused digitised data, over the dossiers handled.",
                "4.3 tỷ lệ tái sử dụng dữ liệu: hồ sơ tái sử dụng dữ liệu đã số hóa, trên số hồ sơ đã giải quyết.",
            ),
            Indicator::Satisfaction766 => self.pick(
                "5.4 satisfaction score: Decision 766's formula, 100% minus the late rate minus the share of dossiers with a complaint or a \"not satisfied\" rating, over the dossiers handled or open; not a survey.",
                "5.4 mức độ hài lòng: công thức của Quyết định 766, 100% trừ tỷ lệ trễ hạn và tỷ lệ hồ sơ có phản ánh, kiến nghị hoặc đánh giá không hài lòng, trên số hồ sơ đã và đang giải quyết; không phải kết quả khảo sát.",
            ),
            Indicator::Satisfaction => self.pick(
                "rate of satisfied ratings (no 766 number): \"satisfied\" ratings over the dossiers their applicants rated, as provinces publish it.",
                "tỷ lệ đánh giá hài lòng (không có số hiệu 766): số đánh giá hài lòng trên số hồ sơ được người dân đánh giá, như các tỉnh công bố.",
            ),
            _ => self.pick("", ""),
        }
    }

    /// The 2.2 average handling time's name.
    ///
    /// ```
    /// assert_eq!(motcua_render::Lang::Vi.handling_time(), "2.2 thời gian giải quyết trung bình");
    /// ```
    pub const fn handling_time(self) -> &'static str {
        self.pick(
            "2.2 average handling time",
            "2.2 thời gian giải quyết trung bình",
        )
    }

    /// The glossary line of 2.2, the average handling time (not an [`Indicator`]: a duration,
    /// not a rate).
    ///
    /// ```
    /// assert!(motcua_render::Lang::En.handling_time_glossary().starts_with("2.2 average handling time: "));
    /// ```
    pub const fn handling_time_glossary(self) -> &'static str {
        self.pick(
            "2.2 average handling time: the working time the dossiers handled in the period used, over their number; shown in working days of 8 hours, the exact fraction of working minutes beside it.",
            "2.2 thời gian giải quyết trung bình: tổng thời gian làm việc mà các hồ sơ đã giải quyết trong kỳ sử dụng, chia cho số hồ sơ đó; hiển thị theo ngày làm việc 8 giờ, kèm phân số chính xác theo phút làm việc.",
        )
    }

    /// Every glossary line, in report order: 2.1, 2.2, then the other indicators.
    ///
    /// ```
    /// let lines = motcua_render::Lang::En.glossary_lines();
    /// assert!(lines[0].starts_with("2.1 ") && lines[1].starts_with("2.2 "));
    /// ```
    pub fn glossary_lines(self) -> Vec<&'static str> {
        let mut lines: Vec<&'static str> = Indicator::ALL
            .into_iter()
            .map(|i| self.glossary(i))
            .collect();
        lines.insert(1, self.handling_time_glossary());
        lines
    }

    /// A weekday's name: `Mon` in English, `Thứ Hai` in Vietnamese (`Chủ Nhật` for Sunday).
    ///
    /// ```
    /// use motcua_render::Lang;
    /// assert_eq!(Lang::Vi.weekday(time::Weekday::Sunday), "Chủ Nhật");
    /// assert_eq!(Lang::En.weekday(time::Weekday::Monday), "Mon");
    /// ```
    pub const fn weekday(self, day: time::Weekday) -> &'static str {
        use time::Weekday as W;
        match day {
            W::Monday => self.pick("Mon", "Thứ Hai"),
            W::Tuesday => self.pick("Tue", "Thứ Ba"),
            W::Wednesday => self.pick("Wed", "Thứ Tư"),
            W::Thursday => self.pick("Thu", "Thứ Năm"),
            W::Friday => self.pick("Fri", "Thứ Sáu"),
            W::Saturday => self.pick("Sat", "Thứ Bảy"),
            W::Sunday => self.pick("Sun", "Chủ Nhật"),
        }
    }

    /// An instant as reports and explanations show it, its weekday in this language:
    /// `Mon 2024-03-04 09:00`, `Thứ Hai 2024-03-04 09:00`. The instant is shown at its own
    /// offset (callers pass it at the calendar's).
    ///
    /// ```
    /// use motcua_render::Lang;
    /// let t = time::macros::datetime!(2024-03-04 09:00 +7);
    /// assert_eq!(Lang::En.instant(t), "Mon 2024-03-04 09:00");
    /// assert_eq!(Lang::Vi.instant(t), "Thứ Hai 2024-03-04 09:00");
    /// ```
    pub fn instant(self, t: time::OffsetDateTime) -> String {
        self.instant_text(t).to_string()
    }

    /// [`Lang::instant`] written where it is displayed, without a string of its own (for
    /// lists of thousands of rows).
    ///
    /// ```
    /// use motcua_render::Lang;
    /// let t = time::macros::datetime!(2024-03-04 09:00 +7);
    /// assert_eq!(format!("due {}", Lang::Vi.instant_text(t)), "due Thứ Hai 2024-03-04 09:00");
    /// ```
    pub fn instant_text(self, t: time::OffsetDateTime) -> impl std::fmt::Display {
        InstantText { lang: self, t }
    }

    /// A date with its weekday: `Sat 2024-05-04`, `Thứ Bảy 2024-05-04`.
    ///
    /// ```
    /// use motcua_render::Lang;
    /// assert_eq!(Lang::Vi.day(time::macros::date!(2024-05-04)), "Thứ Bảy 2024-05-04");
    /// ```
    pub fn day(self, date: time::Date) -> String {
        DayText { lang: self, date }.to_string()
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
    ("handled_early", "handled early", "đã giải quyết trước hạn"),
    (
        "handled_on_time",
        "handled on time",
        "đã giải quyết đúng hạn",
    ),
    ("handled_late", "handled late", "đã giải quyết quá hạn"),
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

/// A date as [`Lang::day`] shows it.
struct DayText {
    lang: Lang,
    date: time::Date,
}

impl std::fmt::Display for DayText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let date = self.date;
        write!(
            f,
            "{} {:04}-{:02}-{:02}",
            self.lang.weekday(date.weekday()),
            date.year(),
            u8::from(date.month()),
            date.day()
        )
    }
}

/// An instant as [`Lang::instant`] shows it.
struct InstantText {
    lang: Lang,
    t: time::OffsetDateTime,
}

impl std::fmt::Display for InstantText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (lang, t) = (self.lang, self.t);
        let day = DayText {
            lang,
            date: t.date(),
        };
        write!(f, "{day} {:02}:{:02}", t.hour(), t.minute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_plans_are_described_in_vietnamese_and_a_hosts_own_as_written() {
        for name in motcua_metrics::TargetSet::PRESETS {
            let Some(set) = motcua_metrics::TargetSet::preset(name) else {
                panic!("{name}")
            };
            assert_eq!(Lang::En.targets_description(&set), set.description);
            let vi = Lang::Vi.targets_description(&set);
            assert_ne!(vi, set.description, "{name} has no Vietnamese description");
        }
        let mut own = motcua_metrics::TargetSet::dong_nai_2024();
        own.description = "Kế hoạch riêng của sở".into();
        assert_eq!(Lang::Vi.targets_description(&own), "Kế hoạch riêng của sở");
    }

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

    #[test]
    fn every_indicator_number_has_a_glossary_line_in_both_languages_and_in_the_docs() {
        let docs = include_str!("../../../../docs/glossary.md");
        for lang in [Lang::En, Lang::Vi] {
            let lines = lang.glossary_lines();
            assert_eq!(lines.len(), Indicator::ALL.len() + 1);
            for code in ["2.1", "2.2", "3.3", "3.6", "4.1", "4.2", "4.3", "5.4"] {
                assert!(
                    lines.iter().any(|l| l.starts_with(&format!("{code} "))),
                    "{lang:?}: no line for {code}"
                );
            }
            for line in lines {
                assert!(
                    docs.contains(&format!(" {line} |")),
                    "docs/glossary.md lacks {line:?}"
                );
            }
        }
    }

    #[test]
    fn the_two_satisfaction_figures_have_their_own_names() {
        for lang in [Lang::En, Lang::Vi] {
            let score = lang.indicator(Indicator::Satisfaction766);
            let ratings = lang.indicator(Indicator::Satisfaction);
            assert!(score.starts_with("5.4 "), "{score}");
            assert_ne!(
                lang.indicator_short(Indicator::Satisfaction766),
                lang.indicator_short(Indicator::Satisfaction)
            );
            assert!(!ratings.contains("766"), "{ratings}");
        }
        assert_eq!(
            Lang::En.indicator(Indicator::Satisfaction766),
            "5.4 satisfaction score (not late, no complaint)"
        );
        assert_eq!(
            Lang::Vi.indicator(Indicator::Satisfaction),
            "tỷ lệ đánh giá hài lòng (theo phiếu đánh giá)"
        );
    }

    #[test]
    fn counts_and_rates_are_named_apart() {
        let counts: Vec<&str> = COUNT_COLUMNS.iter().map(|(_, en, _)| *en).collect();
        assert!(counts.contains(&"handled on time") && !counts.contains(&"on time"));
        assert_eq!(
            Lang::En.indicator_short(Indicator::OnTime),
            "2.1 on-time rate"
        );
    }
}
