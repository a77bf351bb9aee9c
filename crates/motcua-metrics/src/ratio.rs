//! [`Ratio`]: an exact rate kept as a fraction, displayed rounded to two decimals.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;

/// Basis points in a whole: 10 000 bp = 100 %.
pub const BP_PER_WHOLE: u32 = 10_000;

/// An exact rate `num / den`, never a float.
///
/// A zero denominator means *not applicable* (nothing to judge): the percentage is `None`,
/// displayed as `n/a`, and comparisons against a target give `None`: never 0 % and never NaN.
///
/// Serialized as `{"num":39,"den":40,"percent":"97.50"}`, with `"percent":null` when not
/// applicable.
///
/// ```
/// use motcua_metrics::Ratio;
///
/// let r = Ratio::new(39, 40);
/// assert_eq!(r.percent_2dp().as_deref(), Some("97.50"));
/// assert_eq!(r.to_string(), "97.50%");
/// assert_eq!(r.meets(9_700), Some(true));   // ≥ 97 %
/// assert_eq!(r.meets(9_800), Some(false));  // ≥ 98 %
///
/// let none = Ratio::new(0, 0);
/// assert_eq!(none.percent_2dp(), None);
/// assert_eq!(none.to_string(), "n/a");
/// assert_eq!(none.meets(9_700), None);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Ratio {
    /// The numerator.
    pub num: u64,
    /// The denominator; zero means not applicable.
    pub den: u64,
}

impl Ratio {
    /// The rate `num / den`.
    pub const fn new(num: u64, den: u64) -> Self {
        Ratio { num, den }
    }

    /// False when the denominator is zero (nothing to judge).
    pub const fn is_applicable(&self) -> bool {
        self.den != 0
    }

    /// The rate in basis points (hundredths of a percent) rounded half up, `None` when not
    /// applicable.
    ///
    /// ```
    /// use motcua_metrics::Ratio;
    /// assert_eq!(Ratio::new(1, 3).basis_points_rounded(), Some(3_333));
    /// assert_eq!(Ratio::new(2, 3).basis_points_rounded(), Some(6_667));
    /// assert_eq!(Ratio::new(1, 80_000).basis_points_rounded(), Some(0)); // 0.00125 % → 0.00
    /// ```
    pub fn basis_points_rounded(&self) -> Option<u128> {
        if self.den == 0 {
            return None;
        }
        let num = u128::from(self.num) * u128::from(BP_PER_WHOLE) * 2 + u128::from(self.den);
        Some(num / (u128::from(self.den) * 2))
    }

    /// The percentage rounded half up to two decimals, as text (`"97.50"`, `"100.00"`), or
    /// `None` when not applicable.
    ///
    /// ```
    /// use motcua_metrics::Ratio;
    /// assert_eq!(Ratio::new(1, 1).percent_2dp().as_deref(), Some("100.00"));
    /// assert_eq!(Ratio::new(1, 8).percent_2dp().as_deref(), Some("12.50"));
    /// // 1/16 = 6.25 %; 1/1600 = 0.0625 % rounds half up to 0.06 %; 1/800 = 0.125 % to 0.13 %.
    /// assert_eq!(Ratio::new(1, 800).percent_2dp().as_deref(), Some("0.13"));
    /// ```
    pub fn percent_2dp(&self) -> Option<String> {
        self.basis_points_rounded()
            .map(|bp| format!("{}.{:02}", bp / 100, bp % 100))
    }

    /// The quotient `num / (den × divisor)` rounded half up to two decimals, as text, or `None`
    /// when not applicable (zero denominator or divisor). For averages: working minutes per
    /// dossier over 480 gives working days, over 60 gives hours.
    ///
    /// ```
    /// use motcua_metrics::Ratio;
    /// // 1 500 working minutes over 2 dossiers = 750 minutes = 1.5625 working days.
    /// assert_eq!(Ratio::new(1_500, 2).quotient_2dp(480).as_deref(), Some("1.56"));
    /// assert_eq!(Ratio::new(1_500, 2).quotient_2dp(60).as_deref(), Some("12.50"));
    /// assert_eq!(Ratio::new(0, 0).quotient_2dp(480), None);
    /// ```
    pub fn quotient_2dp(&self, divisor: u64) -> Option<String> {
        if self.den == 0 || divisor == 0 {
            return None;
        }
        let den = u128::from(self.den) * u128::from(divisor);
        let hundredths = (u128::from(self.num) * 200 + den) / (den * 2);
        Some(format!("{}.{:02}", hundredths / 100, hundredths % 100))
    }

    /// Whether the rate reaches a target given in basis points (9 700 = 97 %), compared exactly:
    /// `num × 10 000 ≥ target × den`. `None` when not applicable.
    ///
    /// ```
    /// use motcua_metrics::Ratio;
    /// assert_eq!(Ratio::new(97, 100).meets(9_700), Some(true));
    /// assert_eq!(Ratio::new(9_699, 10_000).meets(9_700), Some(false));
    /// ```
    pub fn meets(&self, target_bp: u32) -> Option<bool> {
        if self.den == 0 {
            return None;
        }
        let lhs = u128::from(self.num) * u128::from(BP_PER_WHOLE);
        let rhs = u128::from(target_bp) * u128::from(self.den);
        Some(lhs >= rhs)
    }

    /// Compares the values of two rates exactly (by cross-multiplication); a rate that is not
    /// applicable orders below every applicable one, and two such rates are equal.
    ///
    /// ```
    /// use motcua_metrics::Ratio;
    /// use std::cmp::Ordering;
    /// assert_eq!(Ratio::new(1, 2).cmp_value(&Ratio::new(2, 4)), Ordering::Equal);
    /// assert_eq!(Ratio::new(2, 3).cmp_value(&Ratio::new(3, 5)), Ordering::Greater);
    /// assert_eq!(Ratio::new(0, 0).cmp_value(&Ratio::new(0, 5)), Ordering::Less);
    /// ```
    pub fn cmp_value(&self, other: &Ratio) -> Ordering {
        match (self.den, other.den) {
            (0, 0) => Ordering::Equal,
            (0, _) => Ordering::Less,
            (_, 0) => Ordering::Greater,
            (a, b) => {
                let lhs = u128::from(self.num) * u128::from(b);
                let rhs = u128::from(other.num) * u128::from(a);
                lhs.cmp(&rhs)
            }
        }
    }
}

impl fmt::Display for Ratio {
    /// `97.50%`, or `n/a` when not applicable.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.percent_2dp() {
            Some(p) => write!(f, "{p}%"),
            None => f.write_str("n/a"),
        }
    }
}

impl Serialize for Ratio {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Ratio", 3)?;
        s.serialize_field("num", &self.num)?;
        s.serialize_field("den", &self.den)?;
        s.serialize_field("percent", &self.percent_2dp())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_half_up_to_two_decimals() {
        assert_eq!(Ratio::new(39, 40).percent_2dp().as_deref(), Some("97.50"));
        assert_eq!(Ratio::new(1, 3).percent_2dp().as_deref(), Some("33.33"));
        assert_eq!(Ratio::new(2, 3).percent_2dp().as_deref(), Some("66.67"));
        // 1/1600 = 0.0625 %: the third decimal is 2, so down.
        assert_eq!(Ratio::new(1, 1600).percent_2dp().as_deref(), Some("0.06"));
        // 1/800 = 0.125 %: exactly half, so up.
        assert_eq!(Ratio::new(1, 800).percent_2dp().as_deref(), Some("0.13"));
        // 9 699.5 bp: half, up to 97.00.
        assert_eq!(
            Ratio::new(19_399, 20_000).percent_2dp().as_deref(),
            Some("97.00")
        );
        assert_eq!(Ratio::new(0, 7).percent_2dp().as_deref(), Some("0.00"));
        assert_eq!(Ratio::new(3, 2).percent_2dp().as_deref(), Some("150.00"));
    }

    #[test]
    fn zero_denominator_is_not_applicable() {
        let r = Ratio::new(0, 0);
        assert!(!r.is_applicable());
        assert_eq!(r.percent_2dp(), None);
        assert_eq!(r.basis_points_rounded(), None);
        assert_eq!(r.meets(0), None);
        assert_eq!(r.to_string(), "n/a");
    }

    #[test]
    fn target_boundary_is_exact() {
        assert_eq!(Ratio::new(9_700, 10_000).meets(9_700), Some(true));
        assert_eq!(Ratio::new(97, 100).meets(9_700), Some(true));
        assert_eq!(Ratio::new(9_699, 10_000).meets(9_700), Some(false));
        // 96.995 % displays as 97.00 but does not meet 97 %: the comparison is exact.
        assert_eq!(Ratio::new(19_399, 20_000).meets(9_700), Some(false));
        assert_eq!(Ratio::new(0, 5).meets(0), Some(true));
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let r = Ratio::new(u64::MAX, u64::MAX);
        assert_eq!(r.percent_2dp().as_deref(), Some("100.00"));
        assert_eq!(r.meets(10_000), Some(true));
        assert_eq!(r.cmp_value(&Ratio::new(1, 1)), Ordering::Equal);
    }

    proptest! {
        #[test]
        fn meets_agrees_with_cmp_value(num in 0u64..1_000_000, den in 1u64..1_000_000, bp in 0u32..=10_000) {
            let target = Ratio::new(u64::from(bp), u64::from(BP_PER_WHOLE));
            let by_cmp = Ratio::new(num, den).cmp_value(&target) != Ordering::Less;
            prop_assert_eq!(Ratio::new(num, den).meets(bp), Some(by_cmp));
        }

        #[test]
        fn rounding_is_within_half_a_basis_point(num in 0u64..1_000_000, den in 1u64..1_000_000) {
            let bp = Ratio::new(num, den).basis_points_rounded().unwrap_or(0);
            // |bp − num·10000/den| ≤ 1/2, i.e. |2·bp·den − 2·num·10000| ≤ den.
            let lhs = 2 * bp * u128::from(den);
            let rhs = 2 * u128::from(num) * 10_000;
            prop_assert!(lhs.abs_diff(rhs) <= u128::from(den));
        }
    }
}
