//! The overdue list: every dossier open and past its due at the period end, most overdue first.

use motcua_core::{DossierId, DossierView, LateReason, ProcedureCode, UnitId};
use serde::Serialize;
use std::cmp::Ordering;
use time::OffsetDateTime;

/// One open overdue dossier (*hồ sơ quá hạn*), as the overdue list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OverdueEntry {
    /// The dossier.
    pub dossier_id: DossierId,
    /// Its procedure.
    pub procedure: ProcedureCode,
    /// The unit that received it.
    pub unit: UnitId,
    /// When it was received.
    #[serde(with = "time::serde::rfc3339::option")]
    pub received_at: Option<OffsetDateTime>,
    /// Its official due.
    #[serde(with = "time::serde::rfc3339::option")]
    pub official_due: Option<OffsetDateTime>,
    /// The due promised to the applicant (after apologies).
    #[serde(with = "time::serde::rfc3339::option")]
    pub promised_due: Option<OffsetDateTime>,
    /// Working minutes past the official due, from the view.
    pub overdue_minutes: u64,
    /// Why it is overdue.
    pub late_reason: Option<LateReason>,
}

impl OverdueEntry {
    /// The entry for a view.
    pub fn from_view(view: &DossierView) -> OverdueEntry {
        OverdueEntry {
            dossier_id: view.dossier_id.clone(),
            procedure: view.procedure.clone(),
            unit: view.unit.clone(),
            received_at: view.received_at,
            official_due: view.official_due,
            promised_due: view.promised_due,
            overdue_minutes: u64::from(view.overdue_minutes),
            late_reason: view.late_reason,
        }
    }

    /// The list order: most overdue first, then by dossier id; the remaining fields only break
    /// ties between entries for the same dossier, so the order is total and sorting is
    /// independent of the input order.
    pub fn list_order(&self, other: &OverdueEntry) -> Ordering {
        let reason = |r: Option<LateReason>| match r {
            None => 0u8,
            Some(LateReason::PastDue) => 1,
            Some(LateReason::MultipleSupplements) => 2,
        };
        other
            .overdue_minutes
            .cmp(&self.overdue_minutes)
            .then_with(|| self.dossier_id.cmp(&other.dossier_id))
            .then_with(|| self.unit.cmp(&other.unit))
            .then_with(|| self.procedure.cmp(&other.procedure))
            .then_with(|| self.received_at.cmp(&other.received_at))
            .then_with(|| self.official_due.cmp(&other.official_due))
            .then_with(|| self.promised_due.cmp(&other.promised_due))
            .then_with(|| reason(self.late_reason).cmp(&reason(other.late_reason)))
    }
}

/// Sorts an overdue list in [`OverdueEntry::list_order`].
///
/// ```
/// use motcua_metrics::overdue::{sort, OverdueEntry};
/// use motcua_core::{DossierId, ProcedureCode, UnitId};
/// let entry = |id: &str, minutes| OverdueEntry {
///     dossier_id: DossierId::new(id), procedure: ProcedureCode::new("P"), unit: UnitId::new("U"),
///     received_at: None, official_due: None, promised_due: None, overdue_minutes: minutes, late_reason: None,
/// };
/// let mut list = vec![entry("B", 60), entry("C", 600), entry("A", 60)];
/// sort(&mut list);
/// let ids: Vec<&str> = list.iter().map(|e| e.dossier_id.as_str()).collect();
/// assert_eq!(ids, ["C", "A", "B"]);
/// ```
pub fn sort(list: &mut [OverdueEntry]) {
    list.sort_by(OverdueEntry::list_order);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{at, ViewBuilder};
    use motcua_core::TimeClass;

    #[test]
    fn entry_copies_the_view() {
        let v = ViewBuilder::new("X")
            .unit("XA1")
            .procedure("P3")
            .received(at(1))
            .overdue(300)
            .open(TimeClass::Overdue)
            .build();
        let e = OverdueEntry::from_view(&v);
        assert_eq!(e.dossier_id.as_str(), "X");
        assert_eq!(e.unit.as_str(), "XA1");
        assert_eq!(e.overdue_minutes, 300);
        assert_eq!(e.late_reason, Some(LateReason::PastDue));
        assert_eq!(e.received_at, Some(at(1)));
        assert_eq!(e.official_due, v.official_due);
    }

    #[test]
    fn order_is_total_and_input_independent() {
        let v = |id: &str, m| {
            OverdueEntry::from_view(
                &ViewBuilder::new(id)
                    .received(at(1))
                    .overdue(m)
                    .open(TimeClass::Overdue)
                    .build(),
            )
        };
        let mut a = vec![v("B", 10), v("A", 10), v("C", 99), v("A", 5)];
        let mut b = a.clone();
        b.reverse();
        sort(&mut a);
        sort(&mut b);
        assert_eq!(a, b);
        let order: Vec<(&str, u64)> = a
            .iter()
            .map(|e| (e.dossier_id.as_str(), e.overdue_minutes))
            .collect();
        assert_eq!(order, [("C", 99), ("A", 10), ("B", 10), ("A", 5)]);
    }
}
