//! [`Indicator`]: the rates a unit is judged by.

use serde::{Deserialize, Serialize};

use crate::counts::Counts;
use crate::ratio::Ratio;

/// A rate a unit is judged by. Decision 766's further indicators (online payment, digitisation,
/// reuse, …) join this list as `Counts` learns their figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Indicator {
    /// On-time rate (766 indicator 2.1, provincial form): [`Counts::on_time_rate`].
    OnTime,
    /// Online rate (766 indicator 3.3, channel form): [`Counts::online_rate`].
    Online,
    /// Satisfaction rate from ratings: [`Counts::satisfaction_rate`].
    Satisfaction,
}

impl Indicator {
    /// Every indicator, in scorecard order.
    pub const ALL: [Indicator; 3] = [
        Indicator::OnTime,
        Indicator::Online,
        Indicator::Satisfaction,
    ];

    /// The indicator's English name.
    pub const fn label(self) -> &'static str {
        match self {
            Indicator::OnTime => "on-time rate",
            Indicator::Online => "online rate",
            Indicator::Satisfaction => "satisfaction rate",
        }
    }

    /// The indicator's rate in a tally.
    ///
    /// ```
    /// use motcua_metrics::{Counts, Indicator, Ratio};
    /// let c = Counts { received: 4, online_received: 3, ..Counts::default() };
    /// assert_eq!(Indicator::Online.rate(&c), Ratio::new(3, 4));
    /// assert!(!Indicator::Satisfaction.rate(&c).is_applicable());
    /// ```
    pub fn rate(self, counts: &Counts) -> Ratio {
        match self {
            Indicator::OnTime => counts.on_time_rate(),
            Indicator::Online => counts.online_rate(),
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
            ..Counts::default()
        };
        assert_eq!(Indicator::OnTime.rate(&c), Ratio::new(1, 2));
        assert_eq!(Indicator::Satisfaction.rate(&c), Ratio::new(1, 2));
        assert_eq!(Indicator::Online.rate(&c), Ratio::new(0, 0));
        assert_eq!(
            Indicator::ALL.map(Indicator::label),
            ["on-time rate", "online rate", "satisfaction rate"]
        );
    }
}
