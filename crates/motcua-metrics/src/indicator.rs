//! [`Indicator`]: the rates a unit is judged by, and the [`OnlineDenominator`] setting of 3.3.

use serde::{Deserialize, Serialize};

use crate::counts::Counts;
use crate::ratio::Ratio;

/// Which dossiers the online rate (3.3) is taken over. Portals differ; the published 766
/// formula uses all dossiers received.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum OnlineDenominator {
    /// Every dossier received in the period. The default.
    #[default]
    AllReceived,
    /// Only dossiers of procedures offered online (partial or full service).
    OfferedOnline,
    /// Every dossier received other than by post.
    ExcludingPostal,
}

impl OnlineDenominator {
    /// Every setting.
    pub const ALL: [OnlineDenominator; 3] = [
        OnlineDenominator::AllReceived,
        OnlineDenominator::OfferedOnline,
        OnlineDenominator::ExcludingPostal,
    ];

    /// The setting's name as written in target files and on the command line.
    pub const fn key(self) -> &'static str {
        match self {
            OnlineDenominator::AllReceived => "all_received",
            OnlineDenominator::OfferedOnline => "offered_online",
            OnlineDenominator::ExcludingPostal => "excluding_postal",
        }
    }
}

/// A rate a unit is judged by, with its Decision 766 number where it has one.
///
/// Transparency (766 group 1) cannot be derived from dossier events and has no indicator here;
/// the scorecard reports it as not applicable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Indicator {
    /// 2.1 On-time rate: [`Counts::on_time_rate`].
    OnTime,
    /// 3.3 Online rate: [`Counts::online_rate_with`].
    Online,
    /// 3.6 Online payment rate: [`Counts::online_payment_rate`].
    OnlinePayment,
    /// 4.1 E-result rate: [`Counts::e_result_rate`].
    EResult,
    /// 4.2 Digitised rate: [`Counts::digitised_rate`].
    Digitised,
    /// 4.3 Reuse rate: [`Counts::reuse_rate`].
    Reuse,
    /// 5.4 Satisfaction (766 form): [`Counts::satisfaction_766_rate`].
    #[serde(rename = "satisfaction_766")]
    Satisfaction766,
    /// Satisfaction rate from ratings, as provinces publish it: [`Counts::satisfaction_rate`].
    Satisfaction,
}

impl Indicator {
    /// Every indicator, in scorecard order.
    pub const ALL: [Indicator; 8] = [
        Indicator::OnTime,
        Indicator::Online,
        Indicator::OnlinePayment,
        Indicator::EResult,
        Indicator::Digitised,
        Indicator::Reuse,
        Indicator::Satisfaction766,
        Indicator::Satisfaction,
    ];

    /// The indicator's key, as in JSON, CSV headers and target files (`on_time`, `online`, …).
    pub const fn key(self) -> &'static str {
        match self {
            Indicator::OnTime => "on_time",
            Indicator::Online => "online",
            Indicator::OnlinePayment => "online_payment",
            Indicator::EResult => "e_result",
            Indicator::Digitised => "digitised",
            Indicator::Reuse => "reuse",
            Indicator::Satisfaction766 => "satisfaction_766",
            Indicator::Satisfaction => "satisfaction",
        }
    }

    /// The Decision 766 number (`"2.1"`), `None` for the plain satisfaction rate.
    pub const fn code(self) -> Option<&'static str> {
        match self {
            Indicator::OnTime => Some("2.1"),
            Indicator::Online => Some("3.3"),
            Indicator::OnlinePayment => Some("3.6"),
            Indicator::EResult => Some("4.1"),
            Indicator::Digitised => Some("4.2"),
            Indicator::Reuse => Some("4.3"),
            Indicator::Satisfaction766 => Some("5.4"),
            Indicator::Satisfaction => None,
        }
    }

    /// The indicator's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Indicator::OnTime => "on-time rate",
            Indicator::Online => "online rate",
            Indicator::OnlinePayment => "online payment rate",
            Indicator::EResult => "e-result rate",
            Indicator::Digitised => "digitised rate",
            Indicator::Reuse => "reuse rate",
            Indicator::Satisfaction766 => "satisfaction score (not late, no complaint)",
            Indicator::Satisfaction => "rate of satisfied ratings",
        }
    }

    /// The indicator's Vietnamese name.
    pub const fn label_vi(self) -> &'static str {
        match self {
            Indicator::OnTime => "tỷ lệ đúng hạn",
            Indicator::Online => "tỷ lệ trực tuyến",
            Indicator::OnlinePayment => "tỷ lệ thanh toán trực tuyến",
            Indicator::EResult => "tỷ lệ cấp kết quả điện tử",
            Indicator::Digitised => "tỷ lệ số hóa hồ sơ",
            Indicator::Reuse => "tỷ lệ tái sử dụng dữ liệu",
            Indicator::Satisfaction766 => "mức độ hài lòng (không trễ hạn, không phản ánh)",
            Indicator::Satisfaction => "tỷ lệ đánh giá hài lòng (theo phiếu đánh giá)",
        }
    }

    /// The indicator's rate in a tally, with the online rate over all dossiers received.
    ///
    /// ```
    /// use motcua_metrics::{Counts, Indicator, Ratio};
    /// let c = Counts { received: 4, online_counted: 3, ..Counts::default() };
    /// assert_eq!(Indicator::Online.rate(&c), Ratio::new(3, 4));
    /// assert!(!Indicator::Satisfaction.rate(&c).is_applicable());
    /// ```
    pub fn rate(self, counts: &Counts) -> Ratio {
        self.rate_with(counts, OnlineDenominator::AllReceived)
    }

    /// The indicator's rate in a tally, with the online rate over `online`.
    ///
    /// ```
    /// use motcua_metrics::{Counts, Indicator, OnlineDenominator, Ratio};
    /// let c = Counts { received: 4, received_non_postal: 3, online_counted: 3, ..Counts::default() };
    /// assert_eq!(Indicator::Online.rate_with(&c, OnlineDenominator::ExcludingPostal), Ratio::new(3, 3));
    /// ```
    pub fn rate_with(self, counts: &Counts, online: OnlineDenominator) -> Ratio {
        match self {
            Indicator::OnTime => counts.on_time_rate(),
            Indicator::Online => counts.online_rate_with(online),
            Indicator::OnlinePayment => counts.online_payment_rate(),
            Indicator::EResult => counts.e_result_rate(),
            Indicator::Digitised => counts.digitised_rate(),
            Indicator::Reuse => counts.reuse_rate(),
            Indicator::Satisfaction766 => counts.satisfaction_766_rate(),
            Indicator::Satisfaction => counts.satisfaction_rate(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_come_from_counts() {
        let c = Counts {
            handled_early: 1,
            handled_late: 1,
            rated: 2,
            satisfied: 1,
            flagged: 1,
            ..Counts::default()
        };
        assert_eq!(Indicator::OnTime.rate(&c), Ratio::new(1, 2));
        assert_eq!(Indicator::Satisfaction.rate(&c), Ratio::new(1, 2));
        assert_eq!(Indicator::Online.rate(&c), Ratio::new(0, 0));
        // 100 % − 50 % late − 50 % flagged = 0 %.
        assert_eq!(Indicator::Satisfaction766.rate(&c), Ratio::new(0, 2));
        let keys: Vec<&str> = Indicator::ALL.iter().map(|i| i.key()).collect();
        assert_eq!(
            keys,
            [
                "on_time",
                "online",
                "online_payment",
                "e_result",
                "digitised",
                "reuse",
                "satisfaction_766",
                "satisfaction"
            ]
        );
    }

    #[test]
    fn keys_serialize_as_json_names() {
        for i in Indicator::ALL {
            assert_eq!(crate::testkit::to_json(&i), format!("\"{}\"", i.key()));
        }
        for d in OnlineDenominator::ALL {
            assert_eq!(crate::testkit::to_json(&d), format!("\"{}\"", d.key()));
        }
    }
}
