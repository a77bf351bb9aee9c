//! [`Counts`]: the mergeable tally of one group of dossiers over one period.

use motcua_core::{Channel, DossierView};
use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use std::ops::{Add, AddAssign};

use crate::classify::{place, Finish, Open, Placement};
use crate::facts::ProcedureFacts;
use crate::indicator::OnlineDenominator;
use crate::period::Period;
use crate::ratio::Ratio;

/// Declares `Counts` with its stored fields once, so the struct, the merge and the serializer
/// never disagree about the list.
macro_rules! counts {
    ($( $(#[$doc:meta])* $field:ident ),* $(,)?) => {
        /// The figures of one group of dossiers (a unit, a level, a procedure, a field, a
        /// channel, the province) over one period: counts only, every rate derived exactly
        /// from them.
        ///
        /// `Counts::default()` is the empty tally, and [`Counts::merge`] (also `+` and `+=`)
        /// adds field by field, so merging is associative and commutative with the empty tally
        /// as identity: tallies of disjoint sets of dossiers merge into the tally of their
        /// union. Additions saturate at `u64::MAX` rather than overflow.
        ///
        /// Serialized with every stored count, then the derived `to_handle`, `handled`, `open`
        /// and every rate (each a [`Ratio`]).
        ///
        /// ```
        /// use motcua_metrics::{Counts, Period};
        /// # use motcua_core::*;
        /// # use time::macros::datetime;
        /// let period = Period::quarter(2024, 1)?;
        /// # let view = DossierView {
        /// #     dossier_id: DossierId::new("H1"), procedure: ProcedureCode::new("1.001193"),
        /// #     unit: UnitId::new("XA01"), current_unit: UnitId::new("XA01"), channel: Channel::Online,
        /// #     status: Status::Returned, national_code: 10, submitted_at: None,
        /// #     received_at: Some(datetime!(2024-01-02 08:00 +7)), finished_at: Some(datetime!(2024-01-03 10:00 +7)),
        /// #     official_due: Some(datetime!(2024-01-03 08:00 +7)), promised_due: Some(datetime!(2024-01-03 08:00 +7)), promised_overdue: false,
        /// #     accept_by: None, accept_overdue: false, clock: ClockState::Stopped, used_minutes: 600,
        /// #     left_minutes: 0, overdue_minutes: 120, time_class: TimeClass::Late,
        /// #     late_reason: Some(LateReason::PastDue), supplement_rounds: 0, supplement_due: None, supplement_overdue: false, supplement_expired: false, steps: Box::default(),
        /// #     electronic_result: Some(true), paid_online: None, satisfied: Some(true), rated_at: None, digitisation: None, feedback: 0,
        /// # };
        /// // `view`: received online on 2 January, finished late on 3 January with an
        /// // electronic result, rated satisfied.
        /// let mut counts = Counts::default();
        /// counts.add_view(&view, &period);
        /// assert_eq!((counts.received, counts.online_counted, counts.handled_late), (1, 1, 1));
        /// assert_eq!(counts.online_rate().percent_2dp().as_deref(), Some("100.00"));
        /// assert_eq!(counts.on_time_rate().percent_2dp().as_deref(), Some("0.00"));
        /// assert_eq!(counts.satisfaction_rate().percent_2dp().as_deref(), Some("100.00"));
        /// // 5.4: 100 % − late 100 % − flagged 0 % = 0 %.
        /// assert_eq!(counts.satisfaction_766_rate().percent_2dp().as_deref(), Some("0.00"));
        /// assert_eq!(counts.clone() + Counts::default(), counts);
        /// # Ok::<(), motcua_metrics::PeriodError>(())
        /// ```
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
        pub struct Counts {
            $( $(#[$doc])* pub $field: u64, )*
        }

        impl Counts {
            /// Adds another tally into this one, field by field.
            pub fn merge(&mut self, other: &Counts) {
                $( self.$field = self.$field.saturating_add(other.$field); )*
            }

            /// The stored fields by name, in declaration order.
            pub fn fields(&self) -> impl Iterator<Item = (&'static str, u64)> {
                [$( (stringify!($field), self.$field), )*].into_iter()
            }

            /// The stored fields' names, in declaration order.
            pub const FIELD_NAMES: &'static [&'static str] = &[$( stringify!($field), )*];

            fn serialize_stored<S: SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
                $( s.serialize_field(stringify!($field), &self.$field)?; )*
                Ok(())
            }
        }
    };
}

counts! {
    /// Received in the period (*tiếp nhận trong kỳ*).
    received,
    /// Received before the period and still open at its start (*kỳ trước chuyển qua*).
    carried_over,
    /// Result in the period before its due date (*trước hạn*).
    handled_early,
    /// Result in the period on its due date (*đúng hạn*).
    handled_on_time,
    /// Result in the period after its due, or late under the 766 supplement rule (*quá hạn*).
    handled_late,
    /// Open at the period end and not due soon (*trong hạn*).
    open_within_time,
    /// Open at the period end and due soon (*sắp đến hạn*).
    open_due_soon,
    /// Open at the period end and past its due (*quá hạn*).
    open_overdue,
    /// Withdrawn at the applicant's request in the period (received or not).
    withdrawn,
    /// Refused at reception in the period (never received).
    refused,
    /// Processing stopped in the period.
    stopped,
    /// Of `stopped`, stopped because the applicant did not supplement in time
    /// (*hết hạn bổ sung hồ sơ*).
    supplement_expired,
    /// Open at the period end, waiting for the applicant to supplement past the time the
    /// procedure gives for it (the agency may stop them).
    open_supplement_overdue,
    /// Received in the period through the online channel (the plain channel count).
    online_received,
    /// Received online in the period and counting as online under 766 (3.3): for a procedure
    /// whose result is a document, only once an electronic result was issued.
    online_counted,
    /// Of `online_counted`, those of procedures offered online.
    online_counted_offered,
    /// Received in the period, of procedures offered online (partial or full service).
    received_offered_online,
    /// Received in the period other than by post.
    received_non_postal,
    /// Working minutes used (supplement and payment pauses subtracted) by the dossiers with a
    /// result in the period (2.2).
    handling_minutes,
    /// With a result in the period, of procedures whose result is a document (4.1 denominator).
    document_results,
    /// Of `document_results`, with an electronic result issued (4.1).
    electronic_results,
    /// With a result in the period, of procedures with a non-zero fee (3.6 denominator).
    fee_dossiers,
    /// Of `fee_dossiers`, paid online (3.6).
    paid_online,
    /// With a result in the period and digitised: every component stored as a file, and an
    /// electronic result where the result is a document (4.2).
    digitised,
    /// With a result in the period and at least one component reused from digitised data (4.3).
    reused,
    /// Handled in the period or open at its end, with feedback filed or a dislike (5.4).
    flagged,
    /// With a result in the period and rated by the period end.
    rated,
    /// Of those rated, rated satisfied.
    satisfied,
    /// Late workflow steps of the dossiers with a result in the period or open at its end.
    late_steps,
}

impl Counts {
    /// Counts one dossier into the tally, reading its procedure as
    /// [`ProcedureFacts::UNKNOWN`]; [`Counts::add_view_with`] takes the catalogue's facts.
    /// The view must have been built as of `period.end` (the report's as-of instant).
    pub fn add_view(&mut self, view: &DossierView, period: &Period) {
        self.add_view_with(view, period, &ProcedureFacts::UNKNOWN);
    }

    /// Counts one dossier into the tally, with its procedure's facts. The view must have been
    /// built as of `period.end`, so its status and time class are those at the period end.
    ///
    /// The rules, for the half-open period `[start, end)`:
    /// - received: `received_at` in the period; online if its channel is online, counted as
    ///   online (3.3) if moreover the result is not a document or an electronic result was
    ///   issued;
    /// - carried over: received before `start` and not finished before `start`;
    /// - handled early / on time / late, withdrawn, refused, stopped: finished in the period,
    ///   by its status and time class;
    /// - open within time / due soon / overdue: received before `end` and not finished before
    ///   `end`, by its time class. A dossier finished exactly at `end` belongs to the next
    ///   period, so here it is open: overdue if it was past its due, else within time;
    /// - handling minutes, e-results, fees paid online, digitised, reused, rated / satisfied:
    ///   among dossiers with a result in the period;
    /// - flagged (feedback or a dislike) and late steps: among dossiers with a result in the
    ///   period or open at its end.
    pub fn add_view_with(&mut self, view: &DossierView, period: &Period, facts: &ProcedureFacts) {
        let placement = place(view, period);
        self.add_placement(view, &placement, facts);
    }

    /// The tally of a single view: `Counts::of_view(v, p)` equals adding `v` to an empty tally.
    pub fn of_view(view: &DossierView, period: &Period) -> Counts {
        let mut counts = Counts::default();
        counts.add_view(view, period);
        counts
    }

    #[inline]
    pub(crate) fn add_placement(
        &mut self,
        view: &DossierView,
        p: &Placement,
        facts: &ProcedureFacts,
    ) {
        #[inline]
        fn one(field: &mut u64, yes: bool) {
            *field = field.saturating_add(u64::from(yes));
        }
        let e_result = view.electronic_result == Some(true);
        if p.received {
            let online = view.channel == Channel::Online;
            let counted = online && (!facts.result_is_document || e_result);
            one(&mut self.received, true);
            one(&mut self.online_received, online);
            one(&mut self.online_counted, counted);
            one(
                &mut self.online_counted_offered,
                counted && facts.offered_online,
            );
            one(&mut self.received_offered_online, facts.offered_online);
            one(
                &mut self.received_non_postal,
                view.channel != Channel::Postal,
            );
        }
        one(&mut self.carried_over, p.carried_over);
        let mut judged = p.open_at_end.is_some();
        match p.finished {
            Some(Finish::Early) => one(&mut self.handled_early, true),
            Some(Finish::OnTime) => one(&mut self.handled_on_time, true),
            Some(Finish::Late) => one(&mut self.handled_late, true),
            Some(Finish::Withdrawn) => one(&mut self.withdrawn, true),
            Some(Finish::Refused) => one(&mut self.refused, true),
            Some(Finish::Stopped) => {
                one(&mut self.stopped, true);
                one(&mut self.supplement_expired, view.supplement_expired);
            }
            None => {}
        }
        if matches!(
            p.finished,
            Some(Finish::Early | Finish::OnTime | Finish::Late)
        ) {
            judged = true;
            self.handling_minutes = self
                .handling_minutes
                .saturating_add(u64::from(view.used_minutes));
            one(&mut self.document_results, facts.result_is_document);
            one(
                &mut self.electronic_results,
                facts.result_is_document && e_result,
            );
            one(&mut self.fee_dossiers, facts.has_fees);
            one(
                &mut self.paid_online,
                facts.has_fees && view.paid_online == Some(true),
            );
            if let Some((components, digitised, reused)) = view.digitisation {
                let all_files = components > 0 && digitised >= components;
                one(
                    &mut self.digitised,
                    all_files && (!facts.result_is_document || e_result),
                );
                one(&mut self.reused, reused > 0);
            }
            if let Some(satisfied) = view.satisfied {
                one(&mut self.rated, true);
                one(&mut self.satisfied, satisfied);
            }
        }
        match p.open_at_end {
            Some(Open::WithinTime) => one(&mut self.open_within_time, true),
            Some(Open::DueSoon) => one(&mut self.open_due_soon, true),
            Some(Open::Overdue) => one(&mut self.open_overdue, true),
            None => {}
        }
        one(
            &mut self.open_supplement_overdue,
            p.open_at_end.is_some() && view.supplement_overdue,
        );
        if judged {
            one(
                &mut self.flagged,
                view.feedback > 0 || view.satisfied == Some(false),
            );
            if !view.steps.is_empty() {
                let late = view.steps.iter().filter(|s| s.late).count();
                self.late_steps = self
                    .late_steps
                    .saturating_add(u64::try_from(late).unwrap_or(u64::MAX));
            }
        }
    }

    /// True for the empty tally.
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    /// To handle in the period (*tổng số phải giải quyết*) = received + carried over.
    pub fn to_handle(&self) -> u64 {
        self.received.saturating_add(self.carried_over)
    }

    /// With a result in the period = early + on time + late.
    pub fn handled(&self) -> u64 {
        self.handled_early
            .saturating_add(self.handled_on_time)
            .saturating_add(self.handled_late)
    }

    /// Open at the period end = within time + due soon + overdue.
    pub fn open(&self) -> u64 {
        self.open_within_time
            .saturating_add(self.open_due_soon)
            .saturating_add(self.open_overdue)
    }

    /// Judged for progress: handled in the period plus open at its end (the 2.1 and 5.4
    /// denominator).
    pub fn judged(&self) -> u64 {
        self.handled().saturating_add(self.open())
    }

    /// Late for progress: handled late plus open and overdue.
    pub fn late(&self) -> u64 {
        self.handled_late.saturating_add(self.open_overdue)
    }

    /// Online rate (766 indicator 3.3) over all dossiers received: online dossiers counted
    /// under the e-result rule / received. See [`Counts::online_rate_with`] for the other
    /// denominators.
    pub fn online_rate(&self) -> Ratio {
        self.online_rate_with(OnlineDenominator::AllReceived)
    }

    /// Online rate (766 indicator 3.3) with the chosen denominator:
    /// - all received: `online_counted / received`;
    /// - offered online: `online_counted_offered / received_offered_online`;
    /// - postal excluded: `online_counted / received_non_postal`.
    pub fn online_rate_with(&self, denominator: OnlineDenominator) -> Ratio {
        match denominator {
            OnlineDenominator::AllReceived => Ratio::new(self.online_counted, self.received),
            OnlineDenominator::OfferedOnline => {
                Ratio::new(self.online_counted_offered, self.received_offered_online)
            }
            OnlineDenominator::ExcludingPostal => {
                Ratio::new(self.online_counted, self.received_non_postal)
            }
        }
    }

    /// The plain channel share: received online / received (no e-result rule).
    pub fn online_channel_rate(&self) -> Ratio {
        Ratio::new(self.online_received, self.received)
    }

    /// On-time rate (766 indicator 2.1) =
    /// (early + on time + open within time + open due soon) / (handled + open).
    pub fn on_time_rate(&self) -> Ratio {
        Ratio::new(self.judged().saturating_sub(self.late()), self.judged())
    }

    /// Late rate as one province defines it = (handled late + open overdue) / to handle.
    pub fn late_rate(&self) -> Ratio {
        Ratio::new(self.late(), self.to_handle())
    }

    /// Average handling time (766 indicator 2.2) in working minutes, exactly:
    /// `handling_minutes / handled`. Divide by 480 for working days, 60 for hours (see
    /// [`Ratio::quotient_2dp`]).
    pub fn average_handling_minutes(&self) -> Ratio {
        Ratio::new(self.handling_minutes, self.handled())
    }

    /// Online payment rate (766 indicator 3.6) = paid online / handled of fee procedures.
    pub fn online_payment_rate(&self) -> Ratio {
        Ratio::new(self.paid_online, self.fee_dossiers)
    }

    /// E-result rate (766 indicator 4.1) = electronic results / results that are documents.
    pub fn e_result_rate(&self) -> Ratio {
        Ratio::new(self.electronic_results, self.document_results)
    }

    /// Digitised rate (766 indicator 4.2) = digitised / handled.
    pub fn digitised_rate(&self) -> Ratio {
        Ratio::new(self.digitised, self.handled())
    }

    /// Reuse rate (766 indicator 4.3) = reusing digitised data / handled.
    pub fn reuse_rate(&self) -> Ratio {
        Ratio::new(self.reused, self.handled())
    }

    /// Satisfaction (766 indicator 5.4) = 100 % − late rate − share flagged (feedback or a
    /// dislike), over the dossiers judged (handled + open); never below 0 %:
    /// `(judged − late − flagged)⁺ / judged`.
    pub fn satisfaction_766_rate(&self) -> Ratio {
        let judged = self.judged();
        Ratio::new(
            judged
                .saturating_sub(self.late())
                .saturating_sub(self.flagged),
            judged,
        )
    }

    /// Satisfaction rate from ratings = satisfied / rated.
    pub fn satisfaction_rate(&self) -> Ratio {
        Ratio::new(self.satisfied, self.rated)
    }
}

impl AddAssign<&Counts> for Counts {
    fn add_assign(&mut self, rhs: &Counts) {
        self.merge(rhs);
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, rhs: Counts) {
        self.merge(&rhs);
    }
}

impl Add for Counts {
    type Output = Counts;
    fn add(mut self, rhs: Counts) -> Counts {
        self.merge(&rhs);
        self
    }
}

impl<'a> std::iter::Sum<&'a Counts> for Counts {
    fn sum<I: Iterator<Item = &'a Counts>>(iter: I) -> Counts {
        iter.fold(Counts::default(), |mut acc, c| {
            acc.merge(c);
            acc
        })
    }
}

impl Serialize for Counts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Counts", Counts::FIELD_NAMES.len() + 15)?;
        self.serialize_stored(&mut s)?;
        s.serialize_field("to_handle", &self.to_handle())?;
        s.serialize_field("handled", &self.handled())?;
        s.serialize_field("open", &self.open())?;
        s.serialize_field("on_time_rate", &self.on_time_rate())?;
        s.serialize_field("late_rate", &self.late_rate())?;
        s.serialize_field("average_handling_minutes", &self.average_handling_minutes())?;
        s.serialize_field("online_rate", &self.online_rate())?;
        s.serialize_field(
            "online_rate_offered_online",
            &self.online_rate_with(OnlineDenominator::OfferedOnline),
        )?;
        s.serialize_field(
            "online_rate_excluding_postal",
            &self.online_rate_with(OnlineDenominator::ExcludingPostal),
        )?;
        s.serialize_field("online_payment_rate", &self.online_payment_rate())?;
        s.serialize_field("e_result_rate", &self.e_result_rate())?;
        s.serialize_field("digitised_rate", &self.digitised_rate())?;
        s.serialize_field("reuse_rate", &self.reuse_rate())?;
        s.serialize_field("satisfaction_766_rate", &self.satisfaction_766_rate())?;
        s.serialize_field("satisfaction_rate", &self.satisfaction_rate())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{arb_view, at, period_jan, ViewBuilder};
    use motcua_core::{Status, TimeClass};
    use proptest::prelude::*;

    /// A hand-computed month: 10 dossiers.
    fn month() -> Vec<DossierView> {
        vec![
            // Carried over from December, finished early in January, satisfied.
            ViewBuilder::new("D01")
                .received(at(-5))
                .result(at(2), TimeClass::Early)
                .rated(true)
                .build(),
            // Carried over, still open and overdue at the end, one late step.
            ViewBuilder::new("D02")
                .received(at(-20))
                .open(TimeClass::Overdue)
                .late_steps(1)
                .build(),
            // Received online, finished on time, not satisfied.
            ViewBuilder::new("D03")
                .online()
                .received(at(3))
                .result(at(8), TimeClass::OnTime)
                .rated(false)
                .build(),
            // Received, finished late, two late steps.
            ViewBuilder::new("D04")
                .received(at(4))
                .result(at(20), TimeClass::Late)
                .late_steps(2)
                .build(),
            // Received online, open within time.
            ViewBuilder::new("D05")
                .online()
                .received(at(25))
                .open(TimeClass::WithinTime)
                .build(),
            // Received by post, open due soon.
            ViewBuilder::new("D06")
                .channel(Channel::Postal)
                .received(at(28))
                .open(TimeClass::DueSoon)
                .build(),
            // Received, withdrawn.
            ViewBuilder::new("D07")
                .received(at(6))
                .ended(Status::Withdrawn, at(7))
                .build(),
            // Submitted online, refused at reception: not received.
            ViewBuilder::new("D08")
                .online()
                .submitted(at(9))
                .ended(Status::Refused, at(10))
                .build(),
            // Finished in December: nothing in January.
            ViewBuilder::new("D09")
                .received(at(-30))
                .result(at(-10), TimeClass::OnTime)
                .rated(true)
                .build(),
            // Carried over, stopped in January.
            ViewBuilder::new("D10")
                .received(at(-3))
                .ended(Status::Stopped, at(1))
                .build(),
        ]
    }

    fn tally(views: &[DossierView]) -> Counts {
        let period = period_jan();
        let mut c = Counts::default();
        for v in views {
            c.add_view(v, &period);
        }
        c
    }

    #[test]
    fn hand_computed_month() {
        let c = tally(&month());
        let expected = Counts {
            received: 5,      // D03 D04 D05 D06 D07
            carried_over: 3,  // D01 D02 D10
            handled_early: 1, // D01
            handled_on_time: 1,
            handled_late: 1,
            open_within_time: 1,
            open_due_soon: 1,
            open_overdue: 1,
            withdrawn: 1,
            refused: 1,
            stopped: 1,
            online_received: 2, // D03 D05 (D08 was never received)
            rated: 2,           // D01 D03
            satisfied: 1,
            late_steps: 3, // D02 + D04
            // No e-results in the builder's views: no online dossier counts under 3.3.
            received_non_postal: 4, // all but D06
            document_results: 3,    // D01 D03 D04 (unknown procedures: documents)
            flagged: 1,             // D03 disliked
            ..Counts::default()
        };
        assert_eq!(c, expected);
        assert_eq!(c.to_handle(), 8);
        assert_eq!((c.handled(), c.open()), (3, 3));
        // Every dossier to handle is handled, open, withdrawn or stopped.
        assert_eq!(
            c.to_handle(),
            c.handled() + c.open() + c.withdrawn + c.stopped
        );
        assert_eq!(c.online_channel_rate(), Ratio::new(2, 5));
        assert_eq!(
            c.online_channel_rate().percent_2dp().as_deref(),
            Some("40.00")
        );
        assert_eq!(c.online_rate(), Ratio::new(0, 5));
        assert_eq!(c.on_time_rate(), Ratio::new(4, 6));
        assert_eq!(c.on_time_rate().percent_2dp().as_deref(), Some("66.67"));
        assert_eq!(c.late_rate(), Ratio::new(2, 8));
        assert_eq!(c.satisfaction_rate(), Ratio::new(1, 2));
    }

    #[test]
    fn empty_tally_rates_are_not_applicable() {
        let c = Counts::default();
        assert!(c.is_empty());
        for r in [
            c.online_rate(),
            c.on_time_rate(),
            c.late_rate(),
            c.satisfaction_rate(),
        ] {
            assert!(!r.is_applicable());
            assert_eq!(r.percent_2dp(), None);
        }
        // Received but nothing handled or rated: online applies, satisfaction does not.
        let mut c = Counts::default();
        c.add_view(
            &ViewBuilder::new("A")
                .received(at(1))
                .ended(Status::Withdrawn, at(2))
                .build(),
            &period_jan(),
        );
        assert_eq!(c.online_rate(), Ratio::new(0, 1));
        assert_eq!(c.satisfaction_766_rate(), Ratio::new(0, 0));
        assert!(!c.on_time_rate().is_applicable());
        assert!(!c.satisfaction_rate().is_applicable());
    }

    #[test]
    fn carried_over_needs_open_at_start() {
        let period = period_jan();
        let before = |id, t| {
            ViewBuilder::new(id)
                .received(at(-2))
                .result(t, TimeClass::OnTime)
                .build()
        };
        // Finished just before the start: not carried over; at the start: carried over.
        let gone = before("A", period.start - time::Duration::nanoseconds(1));
        let kept = before("B", period.start);
        assert_eq!(Counts::of_view(&gone, &period), Counts::default());
        let c = Counts::of_view(&kept, &period);
        assert_eq!((c.carried_over, c.handled_on_time, c.received), (1, 1, 0));
    }

    #[test]
    fn serializes_counts_and_rates() {
        let c = tally(&month());
        // The serializer is exercised through a tiny map collector: check field names and rates.
        let fields = crate::testkit::to_json(&c);
        assert!(fields.starts_with("{\"received\":5,\"carried_over\":3,\"handled_early\":1,"));
        assert!(fields.contains("\"to_handle\":8,"));
        assert!(fields.contains("\"on_time_rate\":{\"num\":4,\"den\":6,\"percent\":\"66.67\"}"));
        let empty = crate::testkit::to_json(&Counts::default());
        assert!(empty.contains("\"satisfaction_rate\":{\"num\":0,\"den\":0,\"percent\":null}"));
    }

    fn arb_counts() -> impl Strategy<Value = Counts> {
        proptest::collection::vec(arb_view(), 0..8).prop_map(|vs| tally(&vs))
    }

    proptest! {
        #[test]
        fn merge_is_associative(a in arb_counts(), b in arb_counts(), c in arb_counts()) {
            prop_assert_eq!((a.clone() + b.clone()) + c.clone(), a + (b + c));
        }

        #[test]
        fn merge_is_commutative_with_identity(a in arb_counts(), b in arb_counts()) {
            prop_assert_eq!(a.clone() + b.clone(), b + a.clone());
            prop_assert_eq!(a.clone() + Counts::default(), a.clone());
            prop_assert_eq!(Counts::default() + a.clone(), a);
        }

        #[test]
        fn tally_of_union_is_merge_of_tallies(views in proptest::collection::vec(arb_view(), 0..30), cut in 0usize..30) {
            let cut = cut.min(views.len());
            let (left, right) = views.split_at(cut);
            prop_assert_eq!(tally(left) + tally(right), tally(&views));
        }

        #[test]
        fn open_at_one_end_is_carried_into_the_next(views in proptest::collection::vec(arb_view(), 0..30)) {
            let jan = period_jan();
            let feb = Period::month(2024, time::Month::February).unwrap_or_else(|_| unreachable!());
            let (mut a, mut b) = (Counts::default(), Counts::default());
            for v in &views {
                a.add_view(v, &jan);
                b.add_view(v, &feb);
            }
            prop_assert_eq!(a.open(), b.carried_over);
        }

        #[test]
        fn books_balance(views in proptest::collection::vec(arb_view(), 0..30)) {
            // Every dossier to handle ends the period handled, open, withdrawn or stopped
            // (withdrawn counts submissions too, so compare received ones only).
            let received: Vec<DossierView> = views.into_iter().filter(|v| v.received_at.is_some()).collect();
            let c = tally(&received);
            prop_assert_eq!(c.to_handle(), c.handled() + c.open() + c.withdrawn + c.stopped);
            prop_assert!(c.online_received <= c.received);
            prop_assert!(c.satisfied <= c.rated && c.rated <= c.handled());
        }
    }
}
